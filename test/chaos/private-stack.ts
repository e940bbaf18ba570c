// A whole PRIVATE stack for chaos runs: its own Kafka broker and PostgreSQL cluster (started by
// the project's scripts on free ports, in their own run directory), and the collector and the
// pipeline as child processes configured for them. The shared Kafka (9092) and PostgreSQL (5432)
// are never touched: every port here is checked to be a different one.
import path from 'node:path';
import pg from 'pg';
import { ROOT } from '../support/services.ts';
import { freePorts } from '../support/services.ts';
import { PrivateKafka, PrivatePostgres, privateRunDir, refuseShared, removeRunDir } from './private-services.ts';
import { ServiceProcess } from './service-process.ts';

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
  collector!: ServiceProcess;
  pipeline!: ServiceProcess;
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

    const common = { KAFKA_BROKERS: this.broker, LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn' };
    this.collector = new ServiceProcess('collector', ROOT, 'collector/src/server.ts', {
      ...common,
      COLLECTOR_PORT: String(this.ports.collector),
      COLLECTOR_HOST: '127.0.0.1',
      RATE_LIMIT_MAX: '0',
      RETRY_AFTER_SECONDS: '1',
      KAFKA_CHECK_INTERVAL_MS: '500',
    }, path.join(this.runDir, 'logs', 'collector.log'));
    this.pipeline = new ServiceProcess('pipeline', ROOT, 'pipeline/src/main.ts', {
      ...common,
      DATABASE_URL: this.databaseUrl,
      PIPELINE_OPS_PORT: String(this.ports.pipelineOps),
      PIPELINE_OPS_HOST: '127.0.0.1',
      // The shortest session the pipeline allows: a SIGKILLed member is noticed after 6 s.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      PIPELINE_RETRY_MAX_MS: '1000',
    }, path.join(this.runDir, 'logs', 'pipeline.log'));
    this.pipeline.start();
    this.collector.start();
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
    return (await probe(`http://127.0.0.1:${this.ports.collector}/health`)) === 200;
  }

  async pipelineReady(): Promise<boolean> {
    return (await probe(`http://127.0.0.1:${this.ports.pipelineOps}/ready`)) === 200;
  }

  async rowCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM analytics_events');
    return Number(rows[0]!.n);
  }

  async logTails(): Promise<string> {
    const parts: string[] = [];
    for (const p of [this.collector, this.pipeline]) if (p) parts.push(`--- ${p.name} log (${p.logFile}) ---\n${await p.tail()}`);
    return parts.join('\n');
  }

  /** Stops everything this stack started and removes its cluster and run directory. */
  async close(options: { keepRunDir?: boolean } = {}): Promise<void> {
    await Promise.allSettled([this.collector?.close(), this.pipeline?.close()]);
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
