// `npx tsx bench/query-dataset.ts [--events=N]`: builds (or finds complete) the query benchmark's
// dataset, default 10,000,000 events over 30 days, 3 % as many visitors (300,000), in
// analytics_bench_query_<size>; prints its description as JSON. bench/README.md § Query API.
import { defaultParams, openQueryDataset } from './query/dataset.ts';

const arg = process.argv.find((a) => a.startsWith('--events='));
const events = arg === undefined ? undefined : Number(arg.slice('--events='.length));
if (events !== undefined && !(Number.isInteger(events) && events >= 1_000)) {
  process.stderr.write('usage: npx tsx bench/query-dataset.ts [--events=N]   (N ≥ 1000, default 10000000)\n');
  process.exit(2);
}
const dataset = await openQueryDataset(defaultParams(events));
process.stdout.write(`${JSON.stringify(dataset)}\n`);
