// Builds analytics.js: one minified IIFE for browsers from 2020 on, with no runtime dependency.
// Usage: npx tsx tracker/build.ts   (writes tracker/dist/analytics.js and prints its size)
import { build, type Plugin } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ENTRY = fileURLToPath(new URL('./src/index.ts', import.meta.url));
export const BUNDLE_PATH = fileURLToPath(new URL('./dist/analytics.js', import.meta.url));

/**
 * Internal property names, shortened in the bundle. None of them is a browser API the tracker
 * reads (a name like `userAgent` or `title` must never be listed); the browser tests run the
 * mangled bundle.
 */
/**
 * Budget for analytics.js, minified and gzipped (level 9): 2 KiB plus 128 bytes for the fields
 * that identify visitors, referrers and devices (referrer, screen_width, anonymous_id).
 */
export const GZIP_BUDGET_BYTES = 2176;

export const MANGLED_PROPS = ['endpoint', 'siteId', 'debug', 'anonymousId'];

/** tracker/src/limits.ts is evaluated here and replaced by literals, which esbuild inlines. */
const inlineLimits: Plugin = {
  name: 'inline-limits',
  setup(b) {
    b.onLoad({ filter: /tracker[\\/]src[\\/]limits\.ts$/ }, async ({ path }) => {
      const constants = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      return { loader: 'js', contents: Object.entries(constants).map(([k, v]) => `export const ${k} = ${JSON.stringify(v)};`).join('\n') };
    });
  },
};

export interface Bundle {
  code: string;
  bytes: number;
  gzipBytes: number;
}

export async function bundleTracker(entry = ENTRY): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    // Modules are strict already; the directive would only add bytes.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    mangleProps: new RegExp(`^(${MANGLED_PROPS.join('|')})$`),
    plugins: [inlineLimits],
  });
  const code = result.outputFiles[0]!.text;
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length };
}

export async function buildTracker(path = BUNDLE_PATH): Promise<Bundle> {
  const bundle = await bundleTracker();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bundle.code);
  return bundle;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bundle = await buildTracker();
  console.log(`${BUNDLE_PATH}: ${bundle.bytes} bytes minified, ${bundle.gzipBytes} bytes min+gzip`);
}
