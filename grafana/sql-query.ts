// The PostgreSQL datasource's query model. The foundation SDK has no SQL query builder, so this is
// the small subset Grafana's postgres plugin reads: raw SQL in code mode, as table or time series.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';

/** Fixed uid: provisioning (provisioning/datasources/postgres.yml) and every panel agree on it. */
export const DATASOURCE_UID = 'analytics-postgres';
export const DATASOURCE: common.DataSourceRef = { type: 'grafana-postgresql-datasource', uid: DATASOURCE_UID };

type SqlFormat = 'table' | 'time_series';

interface SqlQuery extends cog.Dataquery {
  refId: string;
  rawSql: string;
  format: SqlFormat;
  rawQuery: true;
  editorMode: 'code';
  datasource: common.DataSourceRef;
}

class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly query: SqlQuery;

  constructor(refId: string, rawSql: string, format: SqlFormat) {
    // A plain object (no prototype methods) so the JSON holds exactly these keys.
    this.query = { refId, rawSql, format, rawQuery: true, editorMode: 'code', datasource: DATASOURCE } as SqlQuery;
  }

  build(): cog.Dataquery {
    return this.query;
  }
}

/** Trims the indentation of a template literal so the JSON shows readable SQL; `${…}` pieces are pasted in verbatim. */
export function sql(strings: TemplateStringsArray, ...pieces: string[]): string {
  const text = String.raw({ raw: strings.raw }, ...pieces).replace(/^\n/, '').replace(/\s+$/, '');
  const indent = Math.min(...text.split('\n').filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

export const table = (rawSql: string, refId = 'A') => new SqlQueryBuilder(refId, rawSql, 'table');
export const timeSeries = (rawSql: string, refId = 'A') => new SqlQueryBuilder(refId, rawSql, 'time_series');
