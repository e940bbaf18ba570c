// Keyset cursors of the list routes (/events, /visits, the journeys): the position after the
// last row of a page, as the exact microsecond timestamp and id of that row, so the next page
// starts strictly after it with an index range scan, never an OFFSET. Opaque to callers:
// base64url of `timestamp|id|mac`, the mac (HMAC-SHA256, 128 bits) over the list's scope (route,
// project, path id) and the position, so a cursor altered or taken from another project's or
// route's list is refused (400 naming `cursor`) instead of silently paging somewhere else. The
// same key seals the breakdown's cursors (seal/unseal). Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ParameterError } from '../http/problems.ts';

/** A row's place in its list: its timestamp (ISO 8601 UTC with exactly 6 fraction digits, as isoUtc writes it) and id (a lower-case UUID). */
export interface Position {
  at: string;
  id: string;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAC = /^[A-Za-z0-9_-]{22}$/;
/** Longest cursor this module writes: 27 + 36 + 22 + 2 characters, base64url. */
export const CURSOR_MAX_LENGTH = 120;

export class CursorCodec {
  private readonly key: Buffer;

  /** `secret`: a server secret shared by every instance (a cursor must outlive the instance that wrote it). */
  constructor(secret: string) {
    // A key of its own, derived, so a cursor's mac can never stand for anything else signed with the secret.
    this.key = createHmac('sha256', secret).update('report-cursor/v1').digest();
  }

  private mac(scope: string, at: string, id: string): Buffer {
    return createHmac('sha256', this.key).update(`${scope}\n${at}\n${id}`).digest().subarray(0, 16);
  }

  /** The cursor of `position` in the list named by `scope` (e.g. `events:<project>`). */
  encode(scope: string, position: Position): string {
    return Buffer.from(`${position.at}|${position.id}|${this.mac(scope, position.at, position.id).toString('base64url')}`).toString('base64url');
  }

  /** The position a cursor of list `scope` names; a ParameterError('cursor') for anything else. */
  decode(scope: string, cursor: string): Position {
    const refuse = (why: string) => new ParameterError('cursor', `${why}; request the first page again without cursor`);
    if (cursor.length > CURSOR_MAX_LENGTH || !BASE64URL.test(cursor)) throw refuse('not a cursor of this API');
    const text = Buffer.from(cursor, 'base64url').toString('latin1');
    // Only the canonical spelling: base64url ignores stray bits, so an edited last letter could decode alike.
    if (Buffer.from(text, 'latin1').toString('base64url') !== cursor) throw refuse('not a cursor of this API');
    const [at, id, mac, ...rest] = text.split('|');
    if (rest.length > 0 || at === undefined || id === undefined || mac === undefined || !AT.test(at) || !ID.test(id) || !MAC.test(mac)) throw refuse('not a cursor of this API');
    // Compared as text: its last letter carries 4 bits no byte holds, which a decode would ignore.
    const given = Buffer.from(mac);
    const expected = Buffer.from(this.mac(scope, at, id).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse('not a cursor of this list (it was altered, or comes from another project or route)');
    return { at, id };
  }

  /**
   * `payload` sealed for the report named by `scope`: base64url of the payload, a dot, and the mac
   * over scope and payload. For cursors that carry more than a position (the breakdown's pinned
   * range), so none of it can be edited.
   */
  seal(scope: string, payload: string): string {
    return `${Buffer.from(payload, 'utf8').toString('base64url')}.${this.sealMac(scope, payload)}`;
  }

  /** The payload `token` seals for `scope`; undefined for anything this codec did not seal so. */
  unseal(scope: string, token: string): string | undefined {
    if (token.length > SEALED_MAX_LENGTH) return undefined;
    const [body, mac, ...rest] = token.split('.');
    if (rest.length > 0 || body === undefined || mac === undefined || !BASE64URL.test(body) || !MAC.test(mac)) return undefined;
    const payload = Buffer.from(body, 'base64url').toString('utf8');
    // Only the canonical spelling (see decode): an appended or edited letter is refused.
    if (Buffer.from(payload, 'utf8').toString('base64url') !== body) return undefined;
    const given = Buffer.from(mac);
    const expected = Buffer.from(this.sealMac(scope, payload));
    return given.length === expected.length && timingSafeEqual(given, expected) ? payload : undefined;
  }

  private sealMac(scope: string, payload: string): string {
    return createHmac('sha256', this.key).update(`sealed\n${scope}\n${payload}`).digest().subarray(0, 16).toString('base64url');
  }
}

/** Longest sealed token unseal reads: a breakdown cursor with a value of 500 characters of 4 UTF-8 bytes each fits. */
const SEALED_MAX_LENGTH = 4096;
