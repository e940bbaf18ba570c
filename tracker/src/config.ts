// Configuration comes from data-* attributes of the tracker's own <script> tag, so a site
// needs no code to set it up and the defaults work on the demo site.

export interface Config {
  endpoint: string;
  siteId: string | undefined;
  /** data-debug: logs every batch sent, retried or dropped with console.info. */
  debug: boolean;
}

export interface PrivacySignals {
  /** The visitor's opt-out flag: localStorage `analytics_opt_out` is set. */
  optedOut: unknown;
  /** navigator.webdriver: automation, ignored unless data-allow-automation. */
  automated: unknown;
  /** Do-Not-Track or Global Privacy Control, honoured with data-respect-dnt. */
  dntOrGpc: unknown;
}

/**
 * The tracker's configuration, or undefined when it must stay silent. Options are switched on
 * by the attribute's presence (`data-debug`); their values are ignored.
 */
export function readConfig(
  attr: (name: string) => string | null,
  location: { protocol: string; hostname: string },
  { optedOut, automated, dntOrGpc }: PrivacySignals,
): Config | undefined {
  const on = (name: string) => attr(`data-${name}`) != null;
  if (optedOut || (automated && !on('allow-automation')) || (dntOrGpc && on('respect-dnt'))) return undefined;
  return {
    endpoint: attr('data-endpoint') || `${location.protocol}//${location.hostname}:3001/analytics`,
    siteId: attr('data-site-id') || undefined,
    debug: on('debug'),
  };
}
