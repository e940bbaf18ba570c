import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listMigrations } from './migrate.ts';

test('listMigrations orders by number and picks the flavor variant', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  for (const f of ['010_later.sql', '002_parts.timescale.sql', '002_parts.plain.sql', '001_base.sql', '003_only_ts.timescale.sql', 'README.md']) {
    await writeFile(path.join(dir, f), '-- x');
  }
  const names = async (flavor: 'timescale' | 'plain') => (await listMigrations(flavor, dir)).map((m) => path.basename(m.file));
  assert.deepEqual(await names('timescale'), ['001_base.sql', '002_parts.timescale.sql', '003_only_ts.timescale.sql', '010_later.sql']);
  assert.deepEqual(await names('plain'), ['001_base.sql', '002_parts.plain.sql', '010_later.sql']);
});

test('listMigrations refuses two different migrations of one number instead of skipping one', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  for (const f of ['001_base.sql', '009_tenancy.sql', '009_other.plain.sql']) await writeFile(path.join(dir, f), '-- x');
  await assert.rejects(listMigrations('timescale', dir), /009/);
  await assert.rejects(listMigrations('plain', dir), /other and tenancy share the number 009/);
});
