import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceType } from '#contract';
import { deviceType } from './device-type.ts';

test('device_type: the screen width when sent, else the user agent platform, else unknown', () => {
  const cases: [string, number | null | undefined, Exclude<DeviceType, 'unknown'> | undefined, DeviceType][] = [
    ['a phone screen', 390, 'desktop', 'mobile'],
    ['1 px', 1, undefined, 'mobile'],
    ['767 px is still mobile', 767, undefined, 'mobile'],
    ['768 px is a tablet', 768, 'mobile', 'tablet'],
    ['1023 px is still a tablet', 1023, undefined, 'tablet'],
    ['1024 px is a desktop', 1024, 'mobile', 'desktop'],
    ['a huge screen', 100_000, undefined, 'desktop'],
    ['the width wins over the user agent', 1920, 'tv', 'desktop'],
    ['no width: the platform', undefined, 'tablet', 'tablet'],
    ['null width (a stored row): the platform', null, 'tv', 'tv'],
    ['0 says nothing about the device: the platform', 0, 'mobile', 'mobile'],
    ['0 and no platform', 0, undefined, 'unknown'],
    ['neither', undefined, undefined, 'unknown'],
  ];
  for (const [name, width, platform, expected] of cases) assert.equal(deviceType(width, platform), expected, name);
});
