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

// The broker's release from its jar's name: in the checkout's cache (scripts/kafka.sh), else on
// the class path of the broker that is running (a worktree or clone measuring a shared broker).
function kafkaVersion(): string {
  const release = (name: string) => /kafka_2\.13-([^/:]+?)\.jar/.exec(name)?.[1];
  try {
    const lib = path.join(process.env.ANALYTICS_CACHE_DIR ?? path.join(ROOT, '.cache'), 'kafka', 'lib');
    const found = readdirSync(lib).map(release).find(Boolean);
    if (found) return found;
  } catch {
    // No cache here: look at the running broker.
  }
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('kafka.Kafka')) return release(cmdline) ?? 'unknown';
    } catch {
      // The process ended meanwhile.
    }
  }
  return 'unknown';
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
