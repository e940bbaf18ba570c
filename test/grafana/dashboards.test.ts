// The committed dashboard JSON is exactly what the TypeScript generates, and it is what Grafana
// needs: the provisioned datasource uid, SQL targets, 5 s refresh, last hour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DASHBOARDS, DASHBOARDS_DIR, renderDashboard } from '../../grafana/dashboards.ts';
import { DATASOURCE_UID } from '../../grafana/sql-query.ts';

interface Target { refId: string; rawSql: string; format: string; rawQuery: boolean; editorMode: string; datasource: { type: string; uid: string } }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource: { uid: string }; targets: Target[] }
interface Board { uid: string; title: string; schemaVersion: number; refresh: string; time: { from: string; to: string }; panels: Panel[] }

for (const { file, build } of DASHBOARDS) {
  test(`${file} is up to date with the code (run npm run build:dashboards)`, async () => {
    const committed = await readFile(path.join(DASHBOARDS_DIR, file), 'utf8');
    assert.equal(committed, renderDashboard(build()));
  });

  test(`${file} is a Grafana 12 dashboard wired to the provisioned datasource`, async () => {
    const board = JSON.parse(await readFile(path.join(DASHBOARDS_DIR, file), 'utf8')) as Board;
    assert.equal(board.schemaVersion, 42);
    assert.equal(board.refresh, '5s');
    assert.deepEqual(board.time, { from: 'now-1h', to: 'now' });
    assert.match(board.uid, /^[a-z0-9-]{1,40}$/);
    const ids = board.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const panel of board.panels) {
      assert.equal(panel.datasource.uid, DATASOURCE_UID, panel.title);
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the 24-column grid`);
      assert.ok(panel.targets.length > 0, `${panel.title} has a query`);
      for (const t of panel.targets) {
        assert.deepEqual(t.datasource, { type: 'grafana-postgresql-datasource', uid: DATASOURCE_UID });
        assert.equal(t.rawQuery, true);
        assert.equal(t.editorMode, 'code');
        assert.ok(['table', 'time_series'].includes(t.format));
        if (panel.type === 'timeseries') assert.equal(t.format, 'time_series', `${panel.title} returns a time series`);
      }
    }
  });
}

test('the Analytics Platform Dashboard has the designed panels', async () => {
  const board = JSON.parse(await readFile(path.join(DASHBOARDS_DIR, 'analytics-platform.json'), 'utf8')) as Board;
  assert.equal(board.title, 'Analytics Platform Dashboard');
  const byTitle = new Map(board.panels.map((p) => [p.title, p.type]));
  assert.deepEqual(
    Object.fromEntries([...byTitle].sort()),
    {
      'Bot events excluded': 'stat',
      'Bounce rate': 'stat',
      Devices: 'piechart',
      'Events by type': 'piechart',
      'Events over time by type': 'timeseries',
      'Events per minute': 'stat',
      'Recent events': 'table',
      'Top pages': 'table',
      'Top referrers': 'table',
      'Total events': 'gauge',
      'Unique sessions': 'stat',
      Visits: 'stat',
    },
  );
});

test('the datasource provisioning uses the uid the panels use and reads the password from the environment', async () => {
  const yml = await readFile(path.join(DASHBOARDS_DIR, '../provisioning/datasources/postgres.yml'), 'utf8');
  assert.match(yml, new RegExp(`uid: ${DATASOURCE_UID}\\n`));
  assert.match(yml, /type: grafana-postgresql-datasource/);
  assert.match(yml, /password: \$\{GRAFANA_DB_PASSWORD\}/);
  assert.match(yml, /timescaledb: \$\{ANALYTICS_DB_TIMESCALEDB\}/);
});
