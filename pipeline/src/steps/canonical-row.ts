// Step 1-3, fast: a record the collector marked canonical (header CONTRACT_VERSION_HEADER with
// this CONTRACT_VERSION) -> its row, with no second full validation. contract/canonical-read.ts
// proves the record is canonical collector output within the contract; what it cannot prove
// (a forged or damaged mark, an older version, a hand-made record) goes to the full path, so it
// is stored, repaired or dead-lettered exactly as an unmarked record would be.
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, readCanonicalRecord } from '#contract';
import { enrichRow } from './enrich-row.ts';
import { rowFromContract, type EventRow } from './normalize-event.ts';

/** Kafka record headers as kafkajs hands them over. */
export type RecordHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const VERSION = Buffer.from(CONTRACT_VERSION);

/** True when the record claims the contract version this loader reads canonically. */
export function markedCanonical(headers: RecordHeaders | undefined): boolean {
  const mark = headers?.[CONTRACT_VERSION_HEADER];
  if (mark === undefined) return false;
  if (typeof mark === 'string') return mark === CONTRACT_VERSION;
  return Buffer.isBuffer(mark) && mark.equals(VERSION);
}

// Fatal: invalid UTF-8 is never turned into U+FFFD (the full path dead-letters it).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The row of a canonical record, or undefined when the full path must judge it. Never throws. */
export function canonicalRow(value: Buffer | null): EventRow | undefined {
  if (value === null || value.length === 0) return undefined;
  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(value);
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const event = readCanonicalRecord(text, parsed, value.length);
  return event === undefined ? undefined : enrichRow(rowFromContract(event));
}
