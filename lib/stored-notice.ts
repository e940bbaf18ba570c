// The loader's "stored" notice: after the transaction that stored a Kafka chunk commits,
// PostgreSQL delivers `NOTIFY analytics_stored` with the topic, the partition and the chunk's last
// offset. Every record of that partition up to that offset is then in the database (stored,
// already stored before, or dead-lettered), so a live client that saw it knows the query API
// includes it. The pipeline sends it (pipeline/src/adapters/postgres-sink.ts), the api listens
// (api/src/live/stored-listener.ts). Pure.

/** The LISTEN/NOTIFY channel. */
export const STORED_CHANNEL = 'analytics_stored';

export interface StoredNotice {
  topic: string;
  partition: number;
  /** The chunk's last Kafka offset (a decimal string, as kafkajs gives offsets). */
  offset: string;
}

export function encodeStoredNotice(notice: StoredNotice): string {
  return JSON.stringify(notice);
}

/** The notice in a NOTIFY payload, or undefined for anything else (another writer's payload). */
export function parseStoredNotice(payload: string | undefined): StoredNotice | undefined {
  if (payload === undefined) return undefined;
  try {
    const value = JSON.parse(payload) as Partial<StoredNotice>;
    if (typeof value.topic !== 'string' || !Number.isInteger(value.partition) || typeof value.offset !== 'string' || !/^\d{1,19}$/.test(value.offset)) return undefined;
    return { topic: value.topic, partition: value.partition!, offset: value.offset };
  } catch {
    return undefined;
  }
}
