// The macro expander against the outputs Grafana's own postgres macro engine produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandMacros, interpolateMacros, interpolateVariables, type MacroContext } from '../../grafana/macros.ts';
import { formatInterval, goFloat, parseGoDuration, parseInterval, rfc3339Nano } from '../../grafana/go-format.ts';

const from = new Date(Date.UTC(2018, 3, 12, 18, 0, 0));
const to = new Date(from.getTime() + 5 * 60_000);
const plain: MacroContext = { from, to, intervalMs: 10 * 60_000, timescaledb: false };
const ts: MacroContext = { ...plain, timescaledb: true };

function expand(sql: string, ctx: MacroContext = plain): string {
  const r = expandMacros(sql, ctx);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value.sql;
}

const cases: [string, string, MacroContext?][] = [
  ['select $__time(time_column)', 'select time_column AS "time"'],
  ['select min($__time(time_column))', 'select min(time_column AS "time")'],
  ['select $__timeEpoch(t)', 'select extract(epoch from t) as "time"'],
  ['WHERE $__timeFilter(time_column)', "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'"],
  ['select $__timeFrom()', "select '2018-04-12T18:00:00Z'"],
  ['select $__timeTo()', "select '2018-04-12T18:05:00Z'"],
  ["SELECT $__timeGroup(time_column,'5m'), value", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value'],
  ["SELECT $__timeGroup(time_column,'5m') as time, value", 'SELECT floor(extract(epoch from time_column)/300)*300 as time, value'],
  ["SELECT $__timeGroup(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300'],
  ["SELECT $__timeGroupAlias(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"'],
  ["$__timeGroup(time_column , '5m')", 'floor(extract(epoch from time_column)/300)*300'],
  ["GROUP BY $__timeGroup(time_column,'5m')", "GROUP BY time_bucket('300.000s',time_column)", ts],
  ["GROUP BY $__timeGroup(time_column , '5m')", "GROUP BY time_bucket('300.000s',time_column)", ts],
  ["GROUP BY $__timeGroup(time_column , '12d')", "GROUP BY time_bucket('1036800.000s',time_column)", ts],
  ["GROUP BY $__timeGroup(time_column , '20ms')", "GROUP BY time_bucket('0.020s',time_column)", ts],
  // Go prints floats of a million or more in exponent form; PostgreSQL reads it fine.
  ["GROUP BY $__timeGroup(t, '12d')", 'GROUP BY floor(extract(epoch from t)/1.0368e+06)*1.0368e+06'],
  ["GROUP BY $__timeGroup(t, '20ms')", 'GROUP BY floor(extract(epoch from t)/0.02)*0.02'],
  ['select $__unixEpochFilter(time)', `select time >= ${from.getTime() / 1000} AND time <= ${to.getTime() / 1000}`],
  ['select $__unixEpochNanoFilter(time)', `select time >= ${from.getTime()}000000 AND time <= ${to.getTime()}000000`],
  ['select $__unixEpochNanoFrom()', `select ${from.getTime()}000000`],
  ['select $__unixEpochNanoTo()', `select ${to.getTime()}000000`],
  ["SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')", 'SELECT floor((time_column+time_adjustment)/300)*300'],
  ["SELECT $__unixEpochGroupAlias(time_column+time_adjustment,'5m')", 'SELECT floor((time_column+time_adjustment)/300)*300 AS "time"'],
  // Global substitutions run first, so $__interval can feed $__timeGroup.
  ['SELECT $__interval, $__interval_ms', 'SELECT 10m, 600000'],
  ['SELECT $__timeGroupAlias(t, $__interval)', 'SELECT floor(extract(epoch from t)/600)*600 AS "time"'],
  ['SELECT $__timeGroupAlias(t, $__interval)', `SELECT time_bucket('600.000s',t) AS "time"`, ts],
  ['SELECT $__unixEpochFrom(), $__unixEpochTo()', `SELECT ${from.getTime() / 1000}, ${to.getTime() / 1000}`],
  ['SELECT 1', 'SELECT 1'],
];

for (const [input, want, ctx] of cases) {
  test(`${ctx?.timescaledb ? 'timescaledb' : 'plain'}: ${input}`, () => {
    assert.equal(expand(input, ctx), want);
  });
}

test('fractional seconds keep Go RFC3339Nano form', () => {
  const c = { ...plain, from: new Date(Date.UTC(1960, 1, 1, 7, 0, 0, 500)), to: new Date(Date.UTC(1980, 1, 3, 8, 0, 0, 500)) };
  assert.equal(expand('WHERE $__timeFilter(t)', c), "WHERE t BETWEEN '1960-02-01T07:00:00.5Z' AND '1980-02-03T08:00:00.5Z'");
  assert.equal(expand('select $__unixEpochFilter(t)', c), `select t >= ${Math.floor(c.from.getTime() / 1000)} AND t <= ${Math.floor(c.to.getTime() / 1000)}`);
});

test('errors are values, and the first one wins', () => {
  assert.deepEqual(interpolateMacros('SELECT $__nope(x), $__timeGroup(t)', plain), { ok: false, error: 'unknown macro "__nope"' });
  assert.deepEqual(interpolateMacros('SELECT $__timeGroup(t)', plain), { ok: false, error: 'macro __timeGroup needs time column and interval and optional fill value' });
  assert.deepEqual(interpolateMacros("SELECT $__timeGroup(t, 'fast')", plain), { ok: false, error: "error parsing interval 'fast'" });
  assert.deepEqual(interpolateMacros("SELECT $__timeGroup(t, '1m', lots)", plain), { ok: false, error: 'error parsing fill value lots' });
});

test('a fill argument is reported for Grafana to fill gaps', () => {
  assert.deepEqual(interpolateMacros("SELECT $__timeGroup(t, '1m', 0) AS time", plain), {
    ok: true,
    value: { sql: 'SELECT floor(extract(epoch from t)/60)*60 AS time', fill: { mode: 'value', value: 0, intervalSeconds: 60 } },
  });
  const prev = interpolateMacros("SELECT $__timeGroup(t, '1m', previous)", plain);
  assert.ok(prev.ok && prev.value.fill?.mode === 'previous');
});

test('Go number and time formatting', () => {
  assert.deepEqual([1, 0.5, 300, 123456.5, 1e6, 1.5e6, 0.0001, 0.00001].map(goFloat), ['1', '0.5', '300', '123456.5', '1e+06', '1.5e+06', '0.0001', '1e-05']);
  assert.equal(rfc3339Nano(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 120))), '2020-01-02T03:04:05.12Z');
  assert.deepEqual(parseGoDuration('1h30m'), { ok: true, value: 5400e9 });
  assert.deepEqual(parseGoDuration('1.5s'), { ok: true, value: 1.5e9 });
  assert.equal(parseGoDuration('5x').ok, false);
  assert.equal(parseGoDuration('').ok, false);
  const jan31 = new Date(Date.UTC(2021, 0, 31));
  // Go's AddDate normalises Feb 31 to Mar 3, so "1M" from Jan 31 is 31 days.
  assert.deepEqual(parseInterval('1M', jan31), { ok: true, value: 31 * 86_400e9 });
  assert.deepEqual(parseInterval('2w', jan31), { ok: true, value: 14 * 86_400e9 });
  assert.deepEqual([500, 1000, 90_000, 3_600_000, 2 * 86_400_000, 400 * 86_400_000, 0].map(formatInterval), ['500ms', '1s', '1m', '1h', '2d', '1y', '1ms']);
});

test('template variables as Grafana interpolates them for SQL datasources', () => {
  const P = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';
  const vars = { project: { value: P }, name: { value: "o'brien" }, many: { value: ['a', "b'c"], multi: true }, one: { value: 'x', multi: true } };
  const cases: [string, string][] = [
    ["WHERE project_id = '$project'", `WHERE project_id = '${P}'`],
    ["WHERE project_id = '${project}' AND p = '[[project]]'", `WHERE project_id = '${P}' AND p = '${P}'`],
    // A single value keeps its quotes doubled and gets none around it: it cannot leave '…'.
    ["WHERE n = '$name'", "WHERE n = 'o''brien'"],
    // Multi-valued: each value quoted, joined by commas; one selected value still quoted.
    ['WHERE m IN ($many) AND o IN ($one)', "WHERE m IN ('a','b''c') AND o IN ('x')"],
    // Unknown names (macros, globals) are the backend's.
    ["WHERE $__timeFilter(t) AND x = '$unknown' GROUP BY $__interval", "WHERE $__timeFilter(t) AND x = '$unknown' GROUP BY $__interval"],
    // A name is a whole word: $projects is another variable.
    ["'$projects'", "'$projects'"],
  ];
  for (const [input, want] of cases) assert.deepEqual(interpolateVariables(input, vars), { ok: true, value: want }, input);
  assert.equal(interpolateVariables("'${project:csv}'", vars).ok, false, 'formats are refused, not guessed');
  // Variables first, then macros: the whole panel query.
  assert.equal(
    expand("SELECT 1 WHERE project_id = '$project' AND $__timeFilter(t)", { ...plain, variables: vars }),
    `SELECT 1 WHERE project_id = '${P}' AND t BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'`,
  );
});
