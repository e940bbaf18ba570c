import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engagedMs } from './engaged.ts';

test('engaged_ms: a page_unload\'s metadata.time_on_page when it is an int4-sized non-negative integer', () => {
  const cases: [string, string, unknown, number | undefined][] = [
    ['a page_unload', 'page_unload', { time_on_page: 12_345 }, 12_345],
    ['zero', 'page_unload', { time_on_page: 0 }, 0],
    ['the largest the column holds', 'page_unload', { time_on_page: 2_147_483_647 }, 2_147_483_647],
    ['larger than the column', 'page_unload', { time_on_page: 2_147_483_648 }, undefined],
    ['negative', 'page_unload', { time_on_page: -1 }, undefined],
    ['a fraction', 'page_unload', { time_on_page: 1.5 }, undefined],
    ['a numeric string', 'page_unload', { time_on_page: '1000' }, undefined],
    ['not finite', 'page_unload', { time_on_page: Infinity }, undefined],
    ['missing', 'page_unload', { page_section: 'x' }, undefined],
    ['no metadata', 'page_unload', undefined, undefined],
    ['metadata not an object', 'page_unload', 'time_on_page', undefined],
    ['metadata an array', 'page_unload', [1000], undefined],
    ['other events have none', 'page_view', { time_on_page: 1000 }, undefined],
    ['custom events have none', 'video_watched', { time_on_page: 1000 }, undefined],
  ];
  for (const [name, type, metadata, expected] of cases) assert.equal(engagedMs(type, metadata), expected, name);
});
