// Prometheus metrics on the ops port, named like the loader's work: consumed -> inserted or
// skipped as duplicates or dead-lettered.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** `ready` is read at every scrape, from the same readiness /ready answers with. */
export function createMetrics(ready: () => boolean = () => false) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pipeline_' });
  const r = [registry];
  return {
    registry,
    consumed: new Counter({ name: 'pipeline_messages_consumed_total', help: 'Kafka records handled', registers: r }),
    inserted: new Counter({ name: 'pipeline_events_inserted_total', help: 'Rows inserted into analytics_events', registers: r }),
    duplicates: new Counter({ name: 'pipeline_duplicates_skipped_total', help: 'Events already stored (replays, resends)', registers: r }),
    deadLettered: new Counter({ name: 'pipeline_dead_lettered_total', help: 'Records sent to the dead-letter topic', labelNames: ['reason'], registers: r }),
    normalized: new Counter({ name: 'pipeline_events_normalized_total', help: 'Records outside the contract stored after defaults/repairs', registers: r }),
    canonical: new Counter({ name: 'pipeline_records_canonical_total', help: 'Records read on the fast path: marked canonical and proven so (the rest take the full path)', registers: r }),
    dbErrors: new Counter({ name: 'pipeline_db_errors_total', help: 'Failed batch writes (retried)', registers: r }),
    batchSize: new Histogram({ name: 'pipeline_batch_size', help: 'Records per written batch', buckets: [1, 10, 50, 100, 500, 1000, 5000, 20000], registers: r }),
    batchSeconds: new Histogram({
      name: 'pipeline_batch_duration_seconds',
      help: 'Time to process and commit one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    lag: new Gauge({ name: 'pipeline_consumer_lag', help: 'Records behind the partition high watermark', labelNames: ['topic', 'partition'], registers: r }),
    ready: new Gauge({
      name: 'pipeline_ready',
      help: '1 when Kafka and the database are both connected',
      registers: r,
      collect() {
        this.set(ready() ? 1 : 0);
      },
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
