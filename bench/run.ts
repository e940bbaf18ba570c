// `npm run bench [-- --quick | --smoke] [--only=collector,loader,e2e,tracker,streaming,live]`: starts (or reuses)
// Kafka and PostgreSQL with the project's scripts, runs every benchmark with its baseline,
// prints the table and writes bench/results/latest.json and latest.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { portOpen, script } from '../test/support/services.ts';
import { KAFKA_BROKERS } from './lib/kafka.ts';
import { parseArgs } from './lib/modes.ts';
import { ROOT } from './lib/processes.ts';
import { renderMarkdown } from './lib/report.ts';
import { runSuite } from './suite.ts';

const { settings, outDir } = parseArgs(process.argv.slice(2));
const out = outDir ?? path.join(ROOT, 'bench', 'results');
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

// Start what is not running; stop only that at the end.
const started: string[] = [];
const [kafkaHost, kafkaPort] = KAFKA_BROKERS.split(',')[0]!.split(':');
if (!(await portOpen(kafkaHost!, Number(kafkaPort)))) {
  log('starting Kafka (scripts/kafka.sh start)');
  await script('kafka.sh', ['start']);
  started.push('kafka.sh');
}
if (!(await portOpen('127.0.0.1', 5432))) {
  log('starting PostgreSQL (scripts/postgres.sh start)');
  await script('postgres.sh', ['start']);
  started.push('postgres.sh');
}

try {
  log(`mode ${settings.mode}: ${settings.cases.join(', ')}`);
  const report = await runSuite(settings, log);
  const md = renderMarkdown(report);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(out, 'latest.md'), md);
  process.stdout.write(`\n${md}\nwritten: ${path.relative(ROOT, path.join(out, 'latest.json'))}, ${path.relative(ROOT, path.join(out, 'latest.md'))}\n`);
} finally {
  for (const s of started.reverse()) await script(s, ['stop']).catch((e: unknown) => log(`could not stop ${s}: ${String(e)}`));
}
