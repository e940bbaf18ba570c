// analytics.js: reads its options from its own script tag, stays silent when the visitor or the
// browser says so, and otherwise starts the tracker. `window.analytics.track` always exists, so
// pages may call it whether or not anything is tracked.
import { readConfig } from './config.ts';
import { OPT_OUT_KEY } from './settings.ts';
import { guard, startTracker, type Api } from './tracker.ts';

const api: Api = ((window as unknown as { analytics: Api }).analytics = { track() {} });

guard(() => {
  const script = document.currentScript!;
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const config = readConfig((name) => script.getAttribute(name), location, localStorage[OPT_OUT_KEY], nav.webdriver, nav.doNotTrack == '1' || nav.globalPrivacyControl);
  if (config) startTracker(config, api);
})();
