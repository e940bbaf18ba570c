// Quick collector throughput check (benchmarks 0-2 only): the real collector on a private topic
// next to a bare Fastify handler and the generator's ceiling, same run, printed as a table.
// Usage: node --import tsx bench/collector-quick.ts [seconds=10] [rounds=3] [connections=50]
import { parseArgs } from './lib/modes.ts';
import { renderTable } from './lib/report.ts';
import { runSuite } from './suite.ts';

const [seconds = 10, rounds = 3, connections = 50] = process.argv.slice(2).map(Number);
const { settings } = parseArgs(['--quick', '--only=collector']);
settings.http = { ...settings.http, seconds, rounds, connections };
const report = await runSuite(settings, (m) => process.stderr.write(`[bench] ${m}\n`));
process.stdout.write(`\nmedians of ${rounds} rounds, ${seconds} s each, ${connections} connections\n${renderTable(report.results)}\n`);
