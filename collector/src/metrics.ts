// Prometheus metrics of one collector instance, on its own registry so each app built in a
// test has clean counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CollectorMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  eventsAccepted: Counter;
  eventsRejected: Counter<'reason'>;
  produceSeconds: Histogram<'outcome'>;
  batchRecords: Histogram;
  kafkaReady: Gauge;
  /** Streams answered (NDJSON, gRPC), by how they ended: complete, invalid, unavailable, too_many_events, line_too_long, idle, aborted, … */
  streams: Counter<'transport' | 'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): CollectorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'collector_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    eventsAccepted: new Counter({ name: 'collector_events_accepted_total', help: 'Events acknowledged by Kafka', registers: [registry] }),
    eventsRejected: new Counter({
      name: 'collector_events_rejected_total',
      help: 'Events not accepted, by reason (validation_failed, kafka_unavailable, ...)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'collector_kafka_produce_seconds',
      help: 'Duration of one produce call (one micro-batch) until the broker ack',
      labelNames: ['outcome'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batchRecords: new Histogram({
      name: 'collector_kafka_batch_records',
      help: 'Records per produce call',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      registers: [registry],
    }),
    kafkaReady: new Gauge({ name: 'collector_kafka_ready', help: '1 when the producer can reach Kafka', registers: [registry] }),
    streams: new Counter({
      name: 'collector_streams_total',
      help: 'Ingestion streams answered, by transport (ndjson, grpc) and outcome',
      labelNames: ['transport', 'outcome'],
      registers: [registry],
    }),
  };
}

/** A stream's answered chunks counted as they are answered (ingestStream's onAnswered), not when the stream ends. */
export function countAnswered(metrics: Pick<CollectorMetrics, 'eventsAccepted' | 'eventsRejected'>): (accepted: number, rejected: number) => void {
  return (accepted, rejected) => {
    if (accepted > 0) metrics.eventsAccepted.inc(accepted);
    if (rejected > 0) metrics.eventsRejected.inc({ reason: 'validation_failed' }, rejected);
  };
}
