// A whole PRIVATE stack for chaos runs: its own Kafka broker and PostgreSQL cluster (started by
// the project's scripts on free ports, in their own run directory), and the collector and the
// pipeline as child processes configured for them. The shared Kafka (9092) and PostgreSQL (5432)
// are never touched: every port here is checked to be a different one.
import path from 'node:path';
import pg from 'pg';
import { freePorts, service, type Service } from '../support/service-kit.ts';
import { PrivateKafka, PrivatePostgres, privateRunDir, refuseShared, removeRunDir } from './private-services.ts';

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  postgres: number;
  collector: number;
  pipelineOps: number;
}

export class PrivateStack {
  runDir = '';
  ports!: StackPorts;
  databaseUrl!: string;
  collector!: Service<'collector'>;
  pipeline!: Service<'pipeline'>;
  pool!: pg.Pool;
  private kafka!: PrivateKafka;
  private postgres!: PrivatePostgres;

  get broker(): string {
    return this.kafka.broker;
  }

  async start(): Promise<void> {
    const [kafka, kafkaController, postgres, collector, pipelineOps] = await freePorts(5);
    this.ports = { kafka: kafka!, kafkaController: kafkaController!, postgres: postgres!, collector: collector!, pipelineOps: pipelineOps! };
    refuseShared(...Object.values(this.ports));
    this.runDir = await privateRunDir('analytics-chaos');
    this.kafka = new PrivateKafka(this.ports.kafka, this.ports.kafkaController, this.runDir);
    this.postgres = new PrivatePostgres(this.ports.postgres, this.runDir);
    this.databaseUrl = this.postgres.url;
    await Promise.all([this.startKafka(), this.startPostgres()]);
    this.pool = new pg.Pool({ connectionString: this.databaseUrl, max: 2 });
    // The harness restarts this server on purpose; idle clients then fail and are replaced.
    this.pool.on('error', () => undefined);

    const logLevel = (process.env.CHAOS_LOG_LEVEL ?? 'warn') as 'warn';
    const logs = path.join(this.runDir, 'logs');
    this.collector = await service('collector', {
      env: { kafkaBrokers: this.broker, logLevel, collectorPort: this.ports.collector, rateLimitMax: 0, retryAfterSeconds: 1, kafkaCheckIntervalMs: 500 },
      logFile: path.join(logs, 'collector.log'),
    });
    this.pipeline = await service('pipeline', {
      env: {
        kafkaBrokers: this.broker,
        logLevel,
        databaseUrl: this.databaseUrl,
        pipelineOpsPort: this.ports.pipelineOps,
        // The shortest session the pipeline allows: a SIGKILLed member is noticed after 6 s.
        kafkaSessionTimeoutMs: 6000,
        pipelineRetryMaxMs: 1000,
      },
      logFile: path.join(logs, 'pipeline.log'),
    });
    this.pipeline.spawn();
    this.collector.spawn();
  }

  startKafka(): Promise<string> {
    return this.kafka.start();
  }

  stopKafka(): Promise<string> {
    return this.kafka.stop();
  }

  startPostgres(): Promise<string> {
    return this.postgres.start();
  }

  /** Stops the server but keeps the cluster (the outage is what is being tested). */
  stopPostgres(): Promise<string> {
    return this.postgres.stopServer();
  }

  async collectorHealthy(): Promise<boolean> {
    return (await probe(this.collector.readyUrl!)) === 200;
  }

  async pipelineReady(): Promise<boolean> {
    return (await probe(this.pipeline.readyUrl!)) === 200;
  }

  async rowCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM analytics_events');
    return Number(rows[0]!.n);
  }

  async logTails(): Promise<string> {
    const parts: string[] = [];
    for (const p of [this.collector, this.pipeline]) if (p) parts.push(`--- ${p.name} log (${p.logFile}) ---\n${p.tail()}`);
    return parts.join('\n');
  }

  /** Stops everything this stack started and removes its cluster and run directory. */
  async close(options: { keepRunDir?: boolean } = {}): Promise<void> {
    await Promise.allSettled([this.collector?.stop('SIGTERM', 10_000), this.pipeline?.stop('SIGTERM', 10_000)]);
    await this.pool?.end().catch(() => undefined);
    await this.kafka?.stop().catch(() => undefined);
    await this.postgres?.remove();
    if (!options.keepRunDir && this.runDir) await removeRunDir(this.runDir);
  }
}

async function probe(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
