// Grafana's PostgreSQL macro expansion, reproduced so tests run each panel's SQL exactly as
// Grafana 12 would send it: first the dashboard's template variables ($project), as the browser
// interpolates them for SQL datasources, then the global substitutions ($__interval,
// $__interval_ms, $__unixEpochFrom/To), then every `$name(args)` through the postgres macro
// engine, with and without the datasource's TimescaleDB switch. Pure: the time range, interval
// and variable values are inputs.
import { ok, type Result } from '../lib/result.ts';
import { formatInterval, goFixed3, goFloat, parseInterval, rfc3339Nano } from './go-format.ts';

export interface MacroContext {
  from: Date;
  to: Date;
  /** The query interval Grafana computed for the panel (what $__interval stands for). */
  intervalMs: number;
  /** jsonData.timescaledb of the datasource. */
  timescaledb: boolean;
  /** Wall clock for month/year intervals (`'1M'`); defaults to `to`. */
  now?: Date;
  /** Dashboard template variables by name; none when absent. */
  variables?: Record<string, TemplateVariable>;
}

/** A template variable's current value, and whether it is multi-valued (or has "All"). */
export interface TemplateVariable {
  value: string | string[];
  multi?: boolean;
}

// templateSrv's variable syntaxes: $name, [[name]] and ${name} (a `:format` or `.field` suffix
// is not used by these dashboards and is refused below rather than guessed).
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

const quoteLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * The SQL datasource's interpolateVariable: a single value is pasted with its single quotes
 * doubled and no quotes around it (the query writes `'$var'`); a multi-valued variable's values
 * are each quoted and joined by commas (the query writes `IN ($var)`). Unknown names, such as the
 * `$__` macros, are left for the backend.
 */
export function interpolateVariables(sql: string, variables: Record<string, TemplateVariable> = {}): Result<string> {
  let error: string | undefined;
  const out = sql.replace(VARIABLE, (whole: string, plain?: string, bracket?: string, bracketFormat?: string, braced?: string, field?: string, format?: string) => {
    const name = plain ?? bracket ?? braced!;
    const variable = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (variable === undefined) return whole;
    if (bracketFormat !== undefined || field !== undefined || format !== undefined) {
      error ??= `variable ${name}: formats and fields are not supported here`;
      return whole;
    }
    const values = Array.isArray(variable.value) ? variable.value : [variable.value];
    if (variable.multi || Array.isArray(variable.value)) return values.map(quoteLiteral).join(',');
    return values[0]!.replaceAll("'", "''");
  });
  return error === undefined ? ok(out) : { ok: false, error };
}

type FillMode = { mode: 'null' } | { mode: 'previous' } | { mode: 'value'; value: number };
type Fill = FillMode & { intervalSeconds: number };

/** The SQL Grafana would run, and the gap filling a fill argument asks for. */
export type Expansion = Result<{ sql: string; fill?: Fill }>;

// Grafana's pattern: `$` identifier `(` anything but `)` `)`.
const MACRO = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function unixNanos(date: Date): string {
  return (BigInt(date.getTime()) * 1_000_000n).toString();
}

/** sqleng.Interpolate: substitutions shared by every SQL datasource. */
function interpolateGlobal(sql: string, ctx: MacroContext): string {
  const intervalMs = Math.trunc(ctx.intervalMs);
  return sql
    .replaceAll('$__interval_ms', String(intervalMs))
    .replaceAll('$__interval', formatInterval(intervalMs))
    .replaceAll('$__unixEpochFrom()', String(unixSeconds(ctx.from)))
    .replaceAll('$__unixEpochTo()', String(unixSeconds(ctx.to)));
}

type MacroResult = Result<{ text: string; fill?: Fill }>;

function parseFill(arg: string, intervalSeconds: number): Result<Fill> {
  if (arg === 'NULL') return ok({ mode: 'null', intervalSeconds });
  if (arg === 'previous') return ok({ mode: 'previous', intervalSeconds });
  const value = Number(arg);
  if (arg.trim() === '' || Number.isNaN(value)) return { ok: false, error: `error parsing fill value ${arg}` };
  return ok({ mode: 'value', value, intervalSeconds });
}

function groupSeconds(name: string, args: string[], ctx: MacroContext): Result<{ seconds: number; fill?: Fill }> {
  if (args.length < 2) return { ok: false, error: `macro ${name} needs time column and interval and optional fill value` };
  const parsed = parseInterval(args[1]!.replace(/^'+|'+$/g, ''), ctx.now ?? ctx.to);
  if (!parsed.ok) return { ok: false, error: `error parsing interval ${args[1]}` };
  const seconds = parsed.value / 1e9;
  if (args.length === 3) {
    const fill = parseFill(args[2]!, seconds);
    return fill.ok ? ok({ seconds, fill: fill.value }) : fill;
  }
  return ok({ seconds });
}

function evaluate(name: string, args: string[], ctx: MacroContext): MacroResult {
  const col = args[0];
  const missing = (): MacroResult => ({ ok: false, error: `missing time column argument for macro ${name}` });
  const from = rfc3339Nano(ctx.from);
  const to = rfc3339Nano(ctx.to);
  switch (name) {
    case '__time':
      return col === undefined ? missing() : ok({ text: `${col} AS "time"` });
    case '__timeEpoch':
      return col === undefined ? missing() : ok({ text: `extract(epoch from ${col}) as "time"` });
    case '__timeFilter':
      return col === undefined ? missing() : ok({ text: `${col} BETWEEN '${from}' AND '${to}'` });
    case '__timeFrom':
      return ok({ text: `'${from}'` });
    case '__timeTo':
      return ok({ text: `'${to}'` });
    case '__timeGroup': {
      const g = groupSeconds(name, args, ctx);
      if (!g.ok) return g;
      const { seconds, fill } = g.value;
      const text = ctx.timescaledb
        ? `time_bucket('${goFixed3(seconds)}s',${col})`
        : `floor(extract(epoch from ${col})/${goFloat(seconds)})*${goFloat(seconds)}`;
      return ok(fill ? { text, fill } : { text });
    }
    case '__timeGroupAlias': {
      const r = evaluate('__timeGroup', args, ctx);
      return r.ok ? ok({ ...r.value, text: `${r.value.text} AS "time"` }) : r;
    }
    case '__unixEpochFilter':
      return col === undefined ? missing() : ok({ text: `${col} >= ${unixSeconds(ctx.from)} AND ${col} <= ${unixSeconds(ctx.to)}` });
    case '__unixEpochNanoFilter':
      return col === undefined ? missing() : ok({ text: `${col} >= ${unixNanos(ctx.from)} AND ${col} <= ${unixNanos(ctx.to)}` });
    case '__unixEpochNanoFrom':
      return ok({ text: unixNanos(ctx.from) });
    case '__unixEpochNanoTo':
      return ok({ text: unixNanos(ctx.to) });
    case '__unixEpochGroup': {
      const g = groupSeconds(name, args, ctx);
      if (!g.ok) return g;
      const { seconds, fill } = g.value;
      const text = `floor((${col})/${goFloat(seconds)})*${goFloat(seconds)}`;
      return ok(fill ? { text, fill } : { text });
    }
    case '__unixEpochGroupAlias': {
      const r = evaluate('__unixEpochGroup', args, ctx);
      return r.ok ? ok({ ...r.value, text: `${r.value.text} AS "time"` }) : r;
    }
    default:
      return { ok: false, error: `unknown macro "${name}"` };
  }
}

/** The postgres macro engine alone (after the global substitutions). */
export function interpolateMacros(sql: string, ctx: MacroContext): Expansion {
  let error: string | undefined;
  let fill: Fill | undefined;
  const out = sql.replace(MACRO, (whole: string, rawName: string, rawArgs: string) => {
    let name = rawName;
    // Grafana's pre-5.3 compatibility: `$__timeGroup(...)` directly followed by a comma (at its
    // first occurrence) is read as $__timeGroupAlias.
    if (name === '__timeGroup') {
      const at = sql.indexOf(whole);
      if (at >= 0 && sql[at + whole.length] === ',') name = '__timeGroupAlias';
    }
    const args = rawArgs.split(',').map((a) => a.replace(/^ +| +$/g, ''));
    const r = evaluate(name, args, ctx);
    if (!r.ok) {
      error ??= r.error;
      return 'macro_error()';
    }
    if (r.value.fill) fill = r.value.fill;
    return r.value.text;
  });
  if (error !== undefined) return { ok: false, error };
  return ok(fill ? { sql: out, fill } : { sql: out });
}

/** What Grafana's PostgreSQL datasource executes for a panel query's rawSql. */
export function expandMacros(sql: string, ctx: MacroContext): Expansion {
  const withVariables = interpolateVariables(sql, ctx.variables);
  if (!withVariables.ok) return withVariables;
  return interpolateMacros(interpolateGlobal(withVariables.value, ctx), ctx);
}
