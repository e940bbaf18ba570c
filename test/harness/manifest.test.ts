// The service manifest is the one list: the Docker image and compose file (which cannot import it)
// are checked against it here, and the files the image copies are shown to be all its bundles
// need, by running each service from a copy of just those files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { envName } from '../../lib/config.ts';
import { BUILD_DIR, nodeFlags, ROOT, SERVICE_NAMES, serviceSpec, servicePorts } from '../../lib/service-manifest.ts';
import { buildTracker } from '../../tracker/build.ts';
import { createTestDatabase } from '../support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { ensureBundles, service, type Service } from '../support/service-kit.ts';

const run = promisify(execFile);
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
const stage = (name: string) => dockerfile.split(/^FROM /m).find((s) => s.startsWith(`runtime AS ${name}\n`));

test('the Dockerfile has a stage per manifest service: its port, readiness path and bundle under plain node', () => {
  for (const name of SERVICE_NAMES) {
    const spec = serviceSpec(name);
    const text = stage(name);
    assert.ok(text, `Dockerfile stage "FROM runtime AS ${name}"`);
    const readiness = spec.readiness;
    const portKey = spec.ports[readiness.port]!;
    const port = servicePorts(name, {})[readiness.port];
    assert.match(text, new RegExp(`^ENV ${envName(portKey)}=${port}$`, 'm'));
    assert.match(text, new RegExp(`^EXPOSE ${port}$`, 'm'));
    assert.ok(text.includes(`process.env.${envName(portKey)} + '${readiness.path}'`), `${name}'s health check asks ${readiness.path}`);
    const cmd = JSON.stringify(['node', ...nodeFlags({}, name), `${BUILD_DIR}/${name}.mjs`]).replaceAll(',', ', ');
    assert.ok(text.includes(`CMD ${cmd}`), `${name} runs ${cmd}`);
  }
  assert.doesNotMatch(dockerfile, /--import", "tsx"/, 'no service runs through tsx in the image');
});

test('docker-compose.yml builds each manifest service from its stage and publishes its port', async () => {
  const compose = await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  for (const name of SERVICE_NAMES) {
    const block = compose.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${name}:`)) ?? '';
    assert.match(block, new RegExp(`target: ${name}\\n`), `compose service ${name} builds target ${name}`);
    const port = servicePorts(name, {})[serviceSpec(name).readiness.port];
    assert.match(block, new RegExp(`:${port}"\\n`), `compose service ${name} publishes ${port}`);
  }
});

test('bin/start reads the manifest: one line a service, in its order', async () => {
  const { stdout } = await run('bash', ['-c', 'source scripts/common.sh && source scripts/services.sh && printf "%s\\n" "${SERVICES[@]}"'], { cwd: ROOT });
  assert.deepEqual(stdout.trim().split('\n').map((l) => l.split('|')[0]), SERVICE_NAMES);
});

test('every service runs from the files the image copies, and nothing else', async () => {
  await Promise.all([ensureBundles(), buildTracker()]);
  const root = await mkdtemp(path.join(tmpdir(), 'image-files-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const copied = [...dockerfile.matchAll(/^COPY --from=build \/app\/(\S+) \.\/(\S+)$/gm)].filter((m) => !m[1]!.startsWith('node_modules'));
  assert.ok(copied.some((m) => m[1] === BUILD_DIR), 'the image copies the bundles');
  for (const [, from, to] of copied) await cp(path.join(ROOT, from!), path.join(root, to!), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));

  const kafka = await testKafka('image-files');
  const topic = await createTopic(kafka, 'test-image-files');
  const dlqTopic = await createTopic(kafka, 'test-image-files-dlq', 1);
  cleanups.push(() => deleteTopics(kafka, [topic, dlqTopic]));
  const db = await createTestDatabase('analytics_test_image', { migrate: false });
  cleanups.push(() => db.drop());
  const env = {
    pipeline: { kafkaTopic: topic, kafkaDlqTopic: dlqTopic, kafkaGroupId: `${topic}-group`, databaseUrl: db.url },
    collector: { kafkaTopic: topic },
    api: { databaseUrl: db.url },
    'demo-site': {},
  };
  const started: Service[] = [];
  cleanups.push(() => Promise.all(started.map((s) => s.stop())));
  for (const name of SERVICE_NAMES) {
    const svc = await service(name, { root, prebuilt: true, env: env[name] });
    started.push(svc);
    await svc.start();
  }
  // The pipeline applied db/migrations from the copy.
  assert.equal((await db.pool.query("SELECT to_regclass('analytics_events') IS NOT NULL AS ok")).rows[0].ok, true);
});
