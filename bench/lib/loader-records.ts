// Kafka records exactly as the collector writes them (canonical JSON, contract header), for the
// benchmarks that feed the loader's own steps without Kafka: `count` realistic events from a fixed
// seed, ending now, at offsets 0..count-1.
import { toRecord } from '../../collector/src/kafka/to-record.ts';
import type { KafkaRecord } from '../../pipeline/src/load-batch.ts';
import { collectedEvent, prng } from './events.ts';

export function loaderRecords(count: number, seed = 3): KafkaRecord[] {
  const rnd = prng(seed);
  const end = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const r = toRecord(collectedEvent(rnd, i, count, end));
    return { key: Buffer.from(r.key), value: Buffer.from(r.value), offset: String(i), timestamp: r.timestamp, headers: r.headers };
  });
}
