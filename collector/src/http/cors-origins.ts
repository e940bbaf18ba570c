// Which browser origins may post events: the configured list, plus (by default) any local
// development origin, so the demo site works on whatever port it is served from.
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

export function originPolicy(list: string, allowLocalhost: boolean): (origin: string | undefined) => boolean {
  const allowed = new Set(
    list
      .split(',')
      .map((o) => o.trim().replace(/\/$/, '').toLowerCase())
      .filter((o) => o.length > 0),
  );
  const any = allowed.has('*');
  return (origin) => {
    // No Origin header: not a browser cross-origin request (curl, server-side); CORS is moot.
    if (origin === undefined) return true;
    if (any) return true;
    const o = origin.toLowerCase();
    return allowed.has(o) || (allowLocalhost && LOCAL_ORIGIN.test(o));
  };
}

/**
 * The origin a browser request comes from: its Origin header, else the origin of its Referer
 * (older browsers send no Origin on some POSTs); undefined when it has neither, as curl and
 * servers do. A Referer that is no URL counts as the origin "null", which no list allows.
 */
export function requestOrigin(origin: string | undefined, referer: string | undefined): string | undefined {
  if (origin !== undefined) return origin;
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}
