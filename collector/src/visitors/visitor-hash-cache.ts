// The visitor id of rule 3 (docs/metrics.md § Visitor) is an HMAC-SHA256 of project, address and
// user agent under the period's salt: the same for every event of one visitor in one period. A
// visitor sends many events, so the collector remembers recent ids instead of hashing each event
// again (the HMAC was the largest single cost of the request path, bench/HISTORY.md § 20). The
// cache is keyed by the salt object itself: a new period, or a reloaded salt, starts afresh.
import { visitorId, type VisitorInput } from '#enrichment';

/** Remembered ids per salt; at this many the salt's cache starts over (cheaper than an LRU's bookkeeping). */
const MAX_IDS_PER_SALT = 20_000;
/** Salts in use at once: a daily and a monthly one, and the next period's around midnight. */
const MAX_SALTS = 4;

export class VisitorHashCache {
  private readonly bySalt = new Map<Uint8Array, Map<string, string>>();

  /** `visitorId(input, salt)` for an input that needs the salt (`needsSalt`), remembered. */
  idFor(input: VisitorInput & { ip: string }, salt: Uint8Array): string {
    let ids = this.bySalt.get(salt);
    if (ids === undefined) {
      if (this.bySalt.size >= MAX_SALTS) this.bySalt.clear();
      ids = new Map();
      this.bySalt.set(salt, ids);
    }
    // Length-prefixed, so no two different triples share a key.
    const ua = input.userAgent ?? '';
    const key = `${input.projectId.length}:${input.projectId}${input.ip.length}:${input.ip}${ua}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = visitorId(input, salt)!;
      if (ids.size >= MAX_IDS_PER_SALT) ids.clear();
      ids.set(key, id);
    }
    return id;
  }
}
