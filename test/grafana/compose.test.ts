// No Docker engine runs here, so the compose file is checked the way CI can: Compose itself
// validates it, and the runbook's container commands find the names, tools and ports they need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/services.ts';
import { SERVICE_NAMES, serviceSpec } from '../../lib/service-manifest.ts';
import { envName } from '../../lib/config.ts';

const run = promisify(execFile);
const compose = (...args: string[]) => run('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });

test('docker-compose validates the file', async () => {
  const { stderr } = await compose('config', '-q');
  assert.equal(stderr.trim(), '');
});

test('the stack has every service, with the runbook container names', async () => {
  const { stdout } = await compose('config', '--services');
  assert.deepEqual(stdout.trim().split('\n').sort(), ['api', 'collector', 'demo-site', 'grafana', 'kafka', 'kafka-init', 'pipeline', 'postgres']);
  const config = (await compose('config')).stdout;
  for (const name of ['kafka', 'postgres', 'grafana', 'collector', 'pipeline', 'api', 'demo-site']) assert.match(config, new RegExp(`container_name: ${name}\\n`));
});

test('images are pinned: TimescaleDB on PG16, Grafana 12 matching the dashboard schema, Kafka KRaft', async () => {
  const text = await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  const images = [...text.matchAll(/image: (\S+)/g)].map((m) => m[1]!);
  for (const image of images) assert.doesNotMatch(image, /:latest$|^[^:]+$/, `${image} is pinned`);
  assert.ok(images.includes('apache/kafka:4.1.1'));
  assert.ok(images.some((i) => /^timescale\/timescaledb:2\.\d+\.\d+-pg16$/.test(i)));
  assert.ok(images.some((i) => /^grafana\/grafana-oss:12\.\d+\.\d+$/.test(i)));
  assert.match(text, /KAFKA_PROCESS_ROLES: broker,controller/);
});

test('start-up order waits on health, and every service has a health check', async () => {
  const config = (await compose('config')).stdout;
  const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  for (const target of ['collector', 'pipeline', 'demo-site']) {
    const stage = dockerfile.split(/^FROM /m).find((s) => s.includes(` AS ${target}\n`));
    assert.ok(stage, `Dockerfile has a ${target} stage`);
    assert.match(stage, /HEALTHCHECK /, `${target} has a health check`);
  }
  assert.match(dockerfile, /^USER node$/m, 'the services run as a non-root user');
  for (const s of ['kafka', 'postgres', 'grafana']) {
    const block = config.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${s}:`));
    assert.match(block ?? '', /healthcheck:/, `${s} has a health check`);
  }
  assert.match(config, /condition: service_healthy/);
  assert.match(config, /condition: service_completed_successfully/);
});

test('runbook: curl http://localhost:3000/api/health reaches Grafana; psql -U analytics -d analytics works in postgres', async () => {
  const config = (await compose('config')).stdout;
  assert.match(config, /published: 3000\n\s+target: 3000/);
  assert.match(config, /POSTGRES_USER: analytics\n/);
  assert.match(config, /POSTGRES_DB: analytics\n/);
});

test('the database init script is valid shell and gives grafana the password from the environment', async () => {
  const script = path.join(ROOT, 'docker/postgres/10-grafana-role.sh');
  await run('sh', ['-n', script]);
  const text = await readFile(script, 'utf8');
  assert.match(text, /--set=pw="\$\{GRAFANA_DB_PASSWORD:-grafana\}"/);
  assert.match(text, /ALTER ROLE grafana LOGIN PASSWORD %L', :'pw'/);
  const config = (await compose('config')).stdout;
  assert.match(config, /10-grafana-role\.sh:\/docker-entrypoint-initdb\.d\/010_grafana_role\.sh:ro/);
});

test('the kafka tool wrapper runs the official <name>.sh script with the arguments given', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'kafka-home-'));
  await mkdir(path.join(home, 'bin'));
  const fake = path.join(home, 'bin', 'kafka-console-consumer.sh');
  await writeFile(fake, '#!/bin/sh\necho "consumer:$*"\n');
  await chmod(fake, 0o755);
  const wrapper = path.join(home, 'kafka-console-consumer');
  await symlink(path.join(ROOT, 'docker/kafka/kafka-tool.sh'), wrapper);
  const { stdout } = await run(wrapper, ['--bootstrap-server', 'localhost:9092', '--topic', 'analytics-events'], { env: { PATH: process.env.PATH, KAFKA_HOME: home } });
  assert.equal(stdout, 'consumer:--bootstrap-server localhost:9092 --topic analytics-events\n');
  const config = (await compose('config')).stdout;
  assert.match(config, /kafka-tool\.sh:\/usr\/local\/bin\/kafka-console-consumer:ro/);
});

test('every service whose configuration reads the database gets DATABASE_URL pointing at the postgres container', async () => {
  const config = (await compose('config')).stdout;
  const blocks = config.split(/\n {2}(?=\S)/);
  const needing = SERVICE_NAMES.filter((name) => Object.keys(serviceSpec(name).config.properties).map(envName).includes('DATABASE_URL'));
  assert.ok(needing.includes('collector') && needing.includes('pipeline'), `the manifest says ${needing.join(', ')} read the database`);
  for (const name of needing) {
    const block = blocks.find((b) => b.startsWith(`${name}:`)) ?? '';
    assert.match(block, /DATABASE_URL: postgres:\/\/analytics:analytics@postgres:5432\/analytics\n/, `${name} gets DATABASE_URL`);
  }
});
