// No secret in the repository other than the documented local defaults, and every default a
// service or script has can be overridden from the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TObject, TSchema } from '@sinclair/typebox';
import { CollectorConfigSchema } from '../../collector/src/config.ts';
import { DemoConfigSchema } from '../../demo-site/config.ts';
import { envName, loadConfig } from '../../lib/config.ts';
import { PipelineConfig } from '../../pipeline/src/config.ts';
import { ROOT } from '../support/services.ts';

const SELF = 'test/reliability/secrets-and-config.test.ts';

/** The only credentials allowed in the repository: local development defaults. */
const LOCAL_DEFAULTS = new Set(['analytics', 'admin', 'grafana', 'analytics_api']);

const TOKEN_PATTERNS: [string, RegExp][] = [
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['AWS access key', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['GitHub token', /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['Stripe key', /\b[sr]k_live_[A-Za-z0-9]{16,}/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['JSON web token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
];
// user:password@ in a URL, and KEY=value / key: value where the key names a secret.
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"`]+:([^\s/@'"`]+)@/gi;
const SECRET_ASSIGNMENT = /\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY)[A-Z0-9_]*\s*(?::(?!-)|=)\s*["']?([^\s"'#,;)]+)/g;
// ${GRAFANA_DB_PASSWORD:-grafana}: the default after :- is a committed value too.
const SECRET_DEFAULT = /\$\{[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|KEY)[A-Z0-9_]*:-([^}]*)\}/g;

/** A value is fine when it is a local default or comes from the environment (with a local default). */
function allowed(value: string): boolean {
  if (LOCAL_DEFAULTS.has(value)) return true;
  const fromEnv = /^\$\{?([A-Z0-9_]+)(?::?-([^}]*))?\}?$/.exec(value);
  if (fromEnv) return fromEnv[2] === undefined || fromEnv[2] === '' || LOCAL_DEFAULTS.has(fromEnv[2]);
  if (/^\$[A-Z0-9_]+$/.test(value) || /^\$\{[A-Z0-9_]+\}/.test(value)) return true;
  return false;
}

export function findSecrets(path: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    const at = `${path}:${i + 1}`;
    for (const [name, pattern] of TOKEN_PATTERNS) if (pattern.test(line)) found.push(`${at}: ${name}`);
    for (const m of line.matchAll(URL_CREDENTIALS)) if (!allowed(m[1]!)) found.push(`${at}: credentials in a URL (${m[1]})`);
    for (const m of line.matchAll(SECRET_ASSIGNMENT)) if (!allowed(m[1]!)) found.push(`${at}: secret value (${m[1]})`);
    for (const m of line.matchAll(SECRET_DEFAULT)) if (!allowed(m[1]!.replace(/\\+$/, ''))) found.push(`${at}: secret default (${m[1]})`);
  });
  return found;
}

test('the scanner finds what it must (and passes the local defaults)', () => {
  const cases: [string, boolean][] = [
    ['DATABASE_URL=postgres://analytics:analytics@127.0.0.1:5432/analytics', false],
    ['password: ${GRAFANA_DB_PASSWORD}', false],
    ['POSTGRES_PASSWORD: ${ANALYTICS_DB_PASSWORD:-analytics}', false],
    ['url: postgres://app:$DB_PASSWORD@db/app', false],
    ['DATABASE_URL=postgres://app:Sup3rS3cret@db.example.com/app', true],
    ['GRAFANA_ADMIN_PASSWORD=hunter2', true],
    ['POSTGRES_PASSWORD: ${ANALYTICS_DB_PASSWORD:-s3cr3t}', true],
    ['--set=pw="${GRAFANA_DB_PASSWORD:-letmein}"', true],
    [`key = "AKIA${'A'.repeat(16)}"`, true],
    [`-----BEGIN RSA ${'PRIVATE'} KEY-----`, true],
  ];
  for (const [line, flagged] of cases) assert.equal(findSecrets('x', line).length > 0, flagged, line);
});

test('no secret other than the local defaults is committed', async () => {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  // This file is left out: its fixtures are fake secrets the scanner must flag.
  const files = stdout.split('\0').filter((f) => f !== '' && f !== SELF && !f.endsWith('package-lock.json') && !/\.(png|jpe?g|gif|ico|woff2?|jar)$/i.test(f));
  const sensitiveNames = files.filter((f) => /(^|\/)(\.env(\..*)?|id_rsa|id_ed25519|.*\.pem|.*\.p12|.*\.key)$/i.test(f) && !f.endsWith('.env.example'));
  assert.deepEqual(sensitiveNames, [], 'no key or .env files are tracked');
  const found: string[] = [];
  for (const file of files) {
    const text = await readFile(`${ROOT}${file}`, 'utf8').catch(() => '');
    if (text.includes('\u0000')) continue; // binary
    found.push(...findSecrets(file, text));
  }
  assert.deepEqual(found, []);
  assert.ok(files.length > 50, `scanned ${files.length} files`);
});

/** A valid value different from the schema's default, as an environment variable would carry it. */
function otherValue(schema: TSchema): string {
  const d = schema.default as unknown;
  if (schema.type === 'integer' || schema.type === 'number') {
    const n = Number(d ?? 0) + 1;
    return String(typeof schema.maximum === 'number' && n > schema.maximum ? Number(d) - 1 : n);
  }
  if (schema.type === 'boolean') return String(!d);
  if (Array.isArray(schema.anyOf)) return String((schema.anyOf as TSchema[]).map((s) => s.const).find((c) => c !== d));
  return `${String(d)}-override`;
}

for (const [name, schema] of [['collector', CollectorConfigSchema], ['pipeline', PipelineConfig], ['demo site', DemoConfigSchema]] as [string, TObject][]) {
  test(`every ${name} setting has a default and is read from its environment variable`, () => {
    const defaults = loadConfig(schema, {});
    for (const [key, property] of Object.entries(schema.properties)) {
      assert.notEqual(property.default, undefined, `${key} has a default`);
      const variable = envName(key);
      const value = otherValue(property);
      const loaded = loadConfig(schema, { [variable]: value }) as Record<string, unknown>;
      assert.notDeepEqual(loaded[key], (defaults as Record<string, unknown>)[key], `${variable}=${value} changes ${key}`);
      assert.equal(String(loaded[key]), value, `${variable} sets ${key}`);
    }
  });
}

test('every default in the service scripts is an overridable ${VAR:-default}', async () => {
  const text = await readFile(`${ROOT}scripts/common.sh`, 'utf8');
  const assignments = [...text.matchAll(/^(?:export )?([A-Z_]+)="(.*)"$/gm)];
  assert.ok(assignments.length > 10);
  for (const [, name, value] of assignments) {
    // Either a default the environment can replace, or derived from other (overridable) variables.
    assert.ok(/^\$\{[A-Z_]+:-.*\}$/.test(value!) || value!.startsWith('$'), `${name}="${value}" cannot be overridden`);
  }
});
