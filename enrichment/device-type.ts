// device_type (docs/metrics.md § Per event): what the screen says, else what the user agent says.
import type { DeviceType } from '#contract';

/** Screens narrower than this many CSS pixels are phones. */
const MOBILE_BELOW_PX = 768;
/** Screens narrower than this (and not phones) are tablets. */
const TABLET_BELOW_PX = 1024;

/**
 * From a positive screen_width (CSS pixels) when the tracker sent one: mobile under 768, tablet
 * under 1024, desktop otherwise. Without one (or 0, which some hidden or headless windows report
 * and which says nothing about the device), the user agent's platform; `unknown` when neither says.
 */
export function deviceType(screenWidth: number | null | undefined, platform: Exclude<DeviceType, 'unknown'> | undefined): DeviceType {
  if (typeof screenWidth === 'number' && screenWidth > 0) {
    if (screenWidth < MOBILE_BELOW_PX) return 'mobile';
    if (screenWidth < TABLET_BELOW_PX) return 'tablet';
    return 'desktop';
  }
  return platform ?? 'unknown';
}
