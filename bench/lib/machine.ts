// What the numbers were measured on: CPU, cores, memory and the versions of every moving part.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerPid } from './broker.ts';
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

// The broker's release from its jar's name: in the checkout's cache (scripts/kafka.sh), else in
// the class path of the broker that is running (a worktree or clone measuring a shared broker).
// scripts/kafka.sh passes the class path as `<lib>/*`, so the jar is found in that directory.
function kafkaVersion(): string {
  const releaseIn = (lib: string) => {
    try {
      return readdirSync(lib)
        .map((name) => /^kafka_2\.13-(.+)\.jar$/.exec(name)?.[1])
        .find(Boolean);
    } catch {
      return undefined;
    }
  };
  const cached = releaseIn(path.join(process.env.ANALYTICS_CACHE_DIR ?? path.join(ROOT, '.cache'), 'kafka', 'lib'));
  if (cached) return cached;
  const pid = brokerPid();
  if (pid === undefined) return 'unknown';
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = argv.indexOf('-cp');
    const classPath = at < 0 ? '' : (argv[at + 1] ?? '');
    return classPath.split(':').map((entry) => releaseIn(entry.replace(/\/\*$/, ''))).find(Boolean) ?? 'unknown';
  } catch {
    // The broker ended meanwhile.
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
