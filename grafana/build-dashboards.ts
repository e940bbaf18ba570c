// `npm run build:dashboards`: writes grafana/dashboards/*.json from the TypeScript definitions.
// Commit the output; a test fails when the committed JSON and the code disagree.
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DASHBOARDS, DASHBOARDS_DIR, renderDashboard } from './dashboards.ts';

await mkdir(DASHBOARDS_DIR, { recursive: true });
for (const { file, build } of DASHBOARDS) {
  await writeFile(path.join(DASHBOARDS_DIR, file), renderDashboard(build()));
  console.log(`wrote ${path.relative(process.cwd(), path.join(DASHBOARDS_DIR, file))}`);
}
