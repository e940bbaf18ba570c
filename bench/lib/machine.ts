// What the numbers were measured on: CPU, cores, memory and the versions of every moving part.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './processes.ts';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  java: string;
  postgres: string;
  dbFlavor: string;
  kafka: string;
  autocannon: string;
  loadAverageAtStart: number[];
}

function javaVersion(): string {
  // `java -version` prints to stderr.
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n')[0]?.replace(/"/g, '').trim() || 'unknown';
}

function kafkaVersion(): string {
  try {
    const lib = path.join(process.env.ANALYTICS_CACHE_DIR ?? path.join(ROOT, '.cache'), 'kafka', 'lib');
    const jar = readdirSync(lib).find((f) => /^kafka_2\.13-.+\.jar$/.test(f));
    return jar?.replace(/^kafka_2\.13-(.+)\.jar$/, '$1') ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(postgres: string, dbFlavor: string): Machine {
  const cpus = os.cpus();
  const autocannon = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')) as { version: string };
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    java: javaVersion(),
    postgres,
    dbFlavor,
    kafka: kafkaVersion(),
    autocannon: autocannon.version,
    loadAverageAtStart: os.loadavg(),
  };
}
