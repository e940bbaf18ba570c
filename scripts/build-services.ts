// Bundles the Node services into .cache/build/<name>.mjs so they run under plain `node`: tsx's
// loader thread costs about 40 MB of resident memory per service (bench/HISTORY.md, sections 6, 8).
// npm packages stay external (resolved from node_modules at run time). The services and their
// node flags are the ones scripts/services.sh lists (bin/start and the bench read them here too).
//   node --import tsx scripts/build-services.ts            # every service
//   node --import tsx scripts/build-services.ts collector  # only the named ones
import { build, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BUILD_DIR = path.join(ROOT, '.cache', 'build');

export interface ServiceList {
  /** Service name -> entry file, relative to the checkout's root. */
  entries: Record<string, string>;
  /** Node flags every service runs with (SERVICE_NODE_FLAGS). */
  nodeFlags: string[];
}

/** The services of a checkout, from its scripts/services.sh (sourced by bash, the one list). */
export function readServiceList(root = ROOT): ServiceList {
  const out = execFileSync('bash', ['-c', 'source scripts/services.sh && printf "%s\\n" "${SERVICE_NODE_FLAGS:-}" "${SERVICES[@]}"'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ROOT: root },
  });
  const [flags = '', ...lines] = out.split('\n');
  const entries: Record<string, string> = {};
  for (const line of lines) {
    const [name, file] = line.split('|');
    if (name && file) entries[name] = file;
  }
  return { entries, nodeFlags: flags.split(/\s+/).filter(Boolean) };
}

/**
 * Each module's `import.meta.url` becomes its source file's URL, computed from the bundle's own
 * location, so paths it resolves (db/migrations, demo-site/public, tracker/dist) are the ones the
 * source meant, and a module's "am I the entry point" check stays false inside another bundle.
 */
export function sourceUrlPlugin(outDir: string): Plugin {
  return {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
        const contents = await readFile(file, 'utf8');
        if (!contents.includes('import.meta.url')) return undefined;
        const rel = path.relative(outDir, file).split(path.sep).join('/');
        const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        return { loader: 'ts', contents: contents.replaceAll('import.meta.url', `(${url})`) };
      });
    },
  };
}

/** Bundles `entries` (name -> file relative to `root`) into `<outDir>/<name>.mjs`; returns the bundles' paths by name. */
export async function buildServices(entries: Record<string, string>, root = ROOT, outDir = BUILD_DIR): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = path.join(outDir, `${name}.mjs`);
    await build({
      entryPoints: [path.join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
      plugins: [sourceUrlPlugin(outDir)],
    });
    outputs[name] = outfile;
  }
  return outputs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { entries } = readServiceList();
  const names = process.argv.slice(2);
  for (const name of names) if (!entries[name]) throw new Error(`unknown service ${name}; scripts/services.sh lists: ${Object.keys(entries).join(', ')}`);
  const selected = names.length > 0 ? Object.fromEntries(names.map((n) => [n, entries[n]!])) : entries;
  const outputs = await buildServices(selected);
  for (const file of Object.values(outputs)) console.log(`built ${path.relative(ROOT, file)}`);
}
