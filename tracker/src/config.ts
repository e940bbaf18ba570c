// Configuration comes from data-* attributes of the tracker's own <script> tag, so a site
// needs no code to set it up and the defaults work on the demo site.

export interface Config {
  endpoint: string;
  siteId: string | null;
  /** data-debug: logs every batch sent, retried or dropped with console.info. */
  debug: boolean;
  /** data-allow-automation: track browsers driven by automation (navigator.webdriver). */
  automation: boolean;
  /** data-respect-dnt: stay silent under Do-Not-Track or Global Privacy Control. */
  respectDnt: boolean;
}

/** Options are switched on by the attribute's presence (`data-debug`); values are ignored. */
export function readConfig(attr: (name: string) => string | null, location: { protocol: string; hostname: string }): Config {
  const on = (name: string) => attr(`data-${name}`) != null;
  return {
    endpoint: attr('data-endpoint') || `${location.protocol}//${location.hostname}:3001/analytics`,
    siteId: attr('data-site-id'),
    debug: on('debug'),
    automation: on('allow-automation'),
    respectDnt: on('respect-dnt'),
  };
}

export interface PrivacySignals {
  /** The visitor's opt-out flag: localStorage `analytics_opt_out` is set. */
  optedOut: unknown;
  /** navigator.webdriver */
  automated: unknown;
  /** navigator.doNotTrack === '1' or navigator.globalPrivacyControl */
  dntOrGpc: unknown;
}

/** Whether the tracker must stay silent on this page. */
export const blocked = (config: Config, signals: PrivacySignals): boolean =>
  !!(signals.optedOut || (signals.automated && !config.automation) || (config.respectDnt && signals.dntOrGpc));
