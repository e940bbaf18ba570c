// Quick collector throughput check (benchmarks 0-2 only, with 1b-1d): the real collector on a private topic
// next to a bare Fastify handler and the generator's ceiling, same run, printed as a table.
// Usage: node --import tsx bench/collector-quick.ts [seconds=10] [rounds=3] [connections=50]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from './lib/modes.ts';
import { RUN_DIR } from './lib/processes.ts';
import { renderTable } from './lib/report.ts';
import { runSuite } from './suite.ts';

const [seconds = 10, rounds = 3, connections = 50] = process.argv.slice(2).map(Number);
const { settings } = parseArgs(['--quick', '--only=collector']);
settings.http = { ...settings.http, seconds, rounds, connections };
const report = await runSuite(settings, (m) => process.stderr.write(`[bench] ${m}\n`));
mkdirSync(RUN_DIR, { recursive: true });
writeFileSync(path.join(RUN_DIR, 'collector-quick.json'), JSON.stringify(report, null, 2));
for (const r of report.results) if (r.details.kafkaFlushes) process.stdout.write(`${r.id} Kafka produce calls: ${JSON.stringify(r.details.kafkaFlushes)}\n`);
process.stdout.write(`\nmedians of ${rounds} rounds, ${seconds} s each, ${connections} connections\n${renderTable(report.results)}\n`);
