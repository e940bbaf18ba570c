// is_bot (docs/metrics.md § Per event): crawlers, monitors, scripts and automated browsers.
import { isbot } from 'isbot';

// Automation that looks like a browser: isbot knows most of these, but a headless Chromium that
// hides navigator.webdriver still names itself here, and the list is the documented one.
const HEADLESS = /\b(?:HeadlessChrome|PhantomJS|Puppeteer|Playwright|Selenium|Lighthouse|Electron)\b/i;

/** True for a user agent isbot flags or that carries a headless marker; false without a user agent (a backend's event). */
export function isBotUserAgent(userAgent: string | null | undefined): boolean {
  if (typeof userAgent !== 'string' || userAgent === '') return false;
  return HEADLESS.test(userAgent) || isbot(userAgent);
}
