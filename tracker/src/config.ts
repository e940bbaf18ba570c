// Configuration comes from data-* attributes of the tracker's own <script> tag, so a site
// needs no code to set it up and the defaults work on the demo site.

export interface Config {
  endpoint: string;
  siteId: string | undefined;
  /** data-debug: logs every batch sent, retried or dropped with console.info. */
  debug: boolean;
  /** data-anonymous-id: send a persistent anonymous id kept in localStorage. */
  anonymousId: boolean;
}

/**
 * The tracker's configuration, or undefined when it must stay silent. Options are switched on
 * by the attribute's presence (`data-debug`); their values are ignored. The privacy signals are
 * positional (no property names to ship): the visitor's opt-out flag (localStorage
 * `analytics_opt_out` is set), navigator.webdriver (automation, ignored unless
 * data-allow-automation), and Do-Not-Track or Global Privacy Control (honoured with
 * data-respect-dnt).
 */
export function readConfig(
  attr: (name: string) => string | null,
  location: { protocol: string; hostname: string },
  optedOut: unknown,
  automated: unknown,
  dntOrGpc: unknown,
): Config | undefined {
  const on = (name: string) => attr(`data-${name}`) != null;
  if (optedOut || (automated && !on('allow-automation')) || (dntOrGpc && on('respect-dnt'))) return undefined;
  return {
    endpoint: attr('data-endpoint') || `${location.protocol}//${location.hostname}:3001/analytics`,
    siteId: attr('data-site-id') || undefined,
    debug: on('debug'),
    anonymousId: on('anonymous-id'),
  };
}
