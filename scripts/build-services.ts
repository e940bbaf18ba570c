// Bundles the Node services of lib/service-manifest.ts into .cache/build/<name>.mjs so they run
// under plain `node` everywhere (bin/start, the tests, the bench, the Docker image): tsx's loader
// thread costs about 40 MB of resident memory per service (bench/HISTORY.md, sections 6, 8).
// npm packages stay external (resolved from node_modules at run time).
//   node --import tsx scripts/build-services.ts            # every service
//   node --import tsx scripts/build-services.ts collector  # only the named ones
import { build, type Plugin } from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, ROOT, SERVICE_NAMES, serviceSpec } from '../lib/service-manifest.ts';

/**
 * Each module's `import.meta.url` becomes its source file's URL, computed from the bundle's own
 * location, so paths it resolves (db/migrations, demo-site/public, tracker/dist) are the ones the
 * source meant, and a module's "am I the entry point" check stays false inside another bundle.
 */
function sourceUrlPlugin(outDir: string): Plugin {
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

/**
 * Bundles the named services of the manifest (every one by default) from the checkout at `root`
 * into `<root>/.cache/build/<name>.mjs`; returns the bundles' paths by name. Each file is written
 * whole and renamed into place, so a process starting meanwhile never reads half a bundle.
 */
export async function buildServices(names: readonly string[] = SERVICE_NAMES, root = ROOT): Promise<Record<string, string>> {
  const outDir = path.join(root, BUILD_DIR);
  await mkdir(outDir, { recursive: true });
  const outputs: Record<string, string> = {};
  await Promise.all(
    names.map(async (name) => {
      const outfile = path.join(outDir, `${name}.mjs`);
      const result = await build({
        entryPoints: [path.join(root, serviceSpec(name).entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: true,
        logLevel: 'warning',
        write: false,
        plugins: [sourceUrlPlugin(outDir)],
      });
      for (const file of result.outputFiles) {
        const tmp = `${file.path}.${process.pid}.tmp`;
        await writeFile(tmp, file.contents);
        await rename(tmp, file.path);
      }
      outputs[name] = outfile;
    }),
  );
  return outputs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2);
  for (const name of names) serviceSpec(name); // throws, naming the known services
  const outputs = await buildServices(names.length > 0 ? names : SERVICE_NAMES);
  for (const file of Object.values(outputs)) console.log(`built ${path.relative(ROOT, file)}`);
}
