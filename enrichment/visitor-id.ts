// Who an event is from (docs/metrics.md § Visitor): the first rule that applies gives the id.
// Deterministic: the salt comes in as an argument, so the collector (which knows the IP address)
// and the pipeline (which never does) derive ids the same way.
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { VisitorIdMode } from '#contract';

export interface VisitorInput {
  /** The event's project: part of the hash, so one person is a different visitor in each project. */
  projectId: string;
  /** The project's `visitor_id_mode`. */
  mode: VisitorIdMode;
  userId?: string | undefined;
  anonymousId?: string | undefined;
  /** The visitor's IPv4 or IPv6 address; hashed, never returned. */
  ip?: string | undefined;
  userAgent?: string | undefined;
  sessionId?: string | undefined;
  eventId: string;
}

/** True when the id is the salted hash (rule 3): the caller must supply the salt of the period. */
export function needsSalt(input: VisitorInput): boolean {
  return input.userId === undefined && !(input.mode === 'anonymous_id' && input.anonymousId !== undefined) && input.ip !== undefined;
}

/**
 * The visitor id: `u:<user_id>`, `a:<anonymous_id>`, `h:<32 hex>`, `s:<session_id>` or
 * `e:<event_id>`. Undefined only when the hash applies (`needsSalt`) and no salt was given.
 */
export function visitorId(input: VisitorInput, salt?: Uint8Array): string | undefined {
  if (input.userId !== undefined) return `u:${input.userId}`;
  if (input.mode === 'anonymous_id' && input.anonymousId !== undefined) return `a:${input.anonymousId}`;
  if (input.ip !== undefined) return salt === undefined ? undefined : `h:${visitorHash(salt, input.projectId, input.ip, input.userAgent ?? '')}`;
  if (input.anonymousId !== undefined) return `a:${input.anonymousId}`;
  if (input.sessionId !== undefined) return `s:${input.sessionId}`;
  return `e:${input.eventId}`;
}

/**
 * The first 128 bits of HMAC-SHA256(salt, project, IP, user agent) as 32 hex digits. Each field is
 * preceded by its UTF-8 length, so no two different triples hash the same bytes (a user agent
 * cannot borrow characters from the address).
 */
export function visitorHash(salt: Uint8Array, projectId: string, ip: string, userAgent: string): string {
  const hmac = createHmac('sha256', salt);
  for (const field of [projectId, normalizeIp(ip), userAgent]) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length);
    hmac.update(length).update(bytes);
  }
  return hmac.digest('hex').slice(0, 32);
}

const MAPPED_V4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * One text per address, so one person is one visitor however the address was written: IPv6 in
 * its canonical form (RFC 5952: lower case, zeros compressed; a zone id dropped), and an
 * IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack socket reports) as plain IPv4.
 * Text that is no address is used as given (the contract validates addresses before this).
 */
export function normalizeIp(ip: string): string {
  const address = ip.trim();
  if (isIPv4(address)) return address;
  const unzoned = address.replace(/%.*$/, '');
  if (!isIPv6(unzoned)) return address;
  // The WHATWG URL parser serializes IPv6 hosts canonically (and mapped IPv4 as ::ffff:102:304).
  const canonical = new URL(`http://[${unzoned}]/`).hostname.slice(1, -1);
  const mapped = MAPPED_V4.exec(canonical);
  if (mapped === null) return canonical;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
