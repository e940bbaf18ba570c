import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID } from '#contract';
import { readProjectId } from './project-id.ts';

const P = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';

test('readProjectId: absent -> default project, a UUID kept (lower case), anything else dead-lettered', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['absent', {}, DEFAULT_PROJECT_ID],
    ['null', { project_id: null }, DEFAULT_PROJECT_ID],
    ['uuid', { project_id: P }, P],
    ['upper-case uuid', { project_id: P.toUpperCase() }, P],
    ['empty string', { project_id: '' }, 'invalid_project_id'],
    ['a name, not an id', { project_id: 'default' }, 'invalid_project_id'],
    ['site key', { project_id: 'pk_abc' }, 'invalid_project_id'],
    ['number', { project_id: 7 }, 'invalid_project_id'],
    ['object', { project_id: { id: P } }, 'invalid_project_id'],
    ['uuid with SQL after it', { project_id: `${P}' OR '1'='1` }, 'invalid_project_id'],
  ];
  for (const [name, record, expected] of cases) {
    const out = readProjectId(record);
    assert.equal(out.ok ? out.value : out.reason, expected, name);
  }
});
