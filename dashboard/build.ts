// Builds the dashboard the query API serves at /: one minified script (with uPlot) and its
// stylesheet, by esbuild, as the tracker is built.
// Usage: npx tsx dashboard/build.ts   (writes dashboard/dist/ and prints the sizes)
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = fileURLToPath(new URL('./src/main.ts', import.meta.url));
const HTML = fileURLToPath(new URL('./index.html', import.meta.url));
export const DIST = fileURLToPath(new URL('./dist/', import.meta.url));

/** The files the api serves: name → content type and bytes. */
export type DashboardFiles = Map<string, { type: string; body: Buffer }>;

/** Bundles the dashboard in memory. */
export async function bundleDashboard(): Promise<DashboardFiles> {
  const result = await build({ entryPoints: [ENTRY], bundle: true, minify: true, format: 'iife', target: 'es2020', write: false, outdir: 'out', legalComments: 'none' });
  const files: DashboardFiles = new Map([['index.html', { type: 'text/html; charset=utf-8', body: await readFile(HTML) }]]);
  for (const f of result.outputFiles) {
    if (f.path.endsWith('.js')) files.set('dashboard.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(f.contents) });
    if (f.path.endsWith('.css')) files.set('dashboard.css', { type: 'text/css; charset=utf-8', body: Buffer.from(f.contents) });
  }
  return files;
}

/** Writes the bundle to dashboard/dist/ (what the api serves when it exists). */
export async function buildDashboard(): Promise<DashboardFiles> {
  const files = await bundleDashboard();
  await mkdir(DIST, { recursive: true });
  for (const [name, f] of files) await writeFile(`${DIST}${name}`, f.body);
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = await buildDashboard();
  for (const [name, f] of files) console.log(`${name}: ${f.body.length} bytes`);
}
