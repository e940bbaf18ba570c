// referrer_domain (docs/metrics.md § Per event): where a visitor came from, when it was elsewhere.
import { LIMITS } from '#contract';

// An Android package name (`com.google.android.gm`): what Android apps send as the referrer's host.
const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+$/;

/**
 * The referrer's host name, lower case, without port, one leading `www.` and a trailing dot, when
 * it differs from the page's host (compared the same way): undefined for a missing or internal
 * referrer, one that is not an http(s) URL (`javascript:`, `data:`, `about:blank`, text), and a
 * host longer than LIMITS.referrerDomain (no DNS name is). International names stay in the ASCII
 * (punycode, `xn--…`) form the URL parser gives: one spelling per host, and no look-alike letters.
 * IPv6 hosts keep their brackets. For `android-app://<package>` it is the package name as sent.
 * Never throws.
 */
export function referrerDomain(referrer: string | null | undefined, page: URL | undefined): string | undefined {
  if (typeof referrer !== 'string' || referrer === '') return undefined;
  let url: URL;
  try {
    url = new URL(referrer);
  } catch {
    return undefined;
  }
  if (url.protocol === 'android-app:') {
    return PACKAGE_NAME.test(url.hostname) && url.hostname.length <= LIMITS.referrerDomain ? url.hostname : undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const host = siteHost(url.hostname);
  if (host === '' || host.length > LIMITS.referrerDomain) return undefined;
  if (page !== undefined && siteHost(page.hostname) === host) return undefined;
  return host;
}

/** A host name as reports group it: `www.Example.com.` and `example.com` are one site. */
function siteHost(hostname: string): string {
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return host.startsWith('www.') ? host.slice(4) : host;
}
