import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visitorIdOf } from './visitor-fallback.ts';

type Ids = { visitor_id: string | null; user_id: string | null; anonymous_id: string | null; session_id: string | null };
const row: { project_id: string; event_id: string } & Ids = { project_id: '00000000-0000-4000-8000-000000000001', visitor_id: null, user_id: null, anonymous_id: null, session_id: null, event_id: 'e0b6a0f4-52b6-4c8e-9f0a-6d1f3c1f2a10' };

test('a row without a visitor takes the first id it has, in the documented order; empty ids count as absent', () => {
  const cases: [string, Partial<Ids>, string][] = [
    ['collector visitor kept', { visitor_id: 'h:00112233445566778899aabbccddeeff', user_id: 'alice' }, 'h:00112233445566778899aabbccddeeff'],
    ['user id first', { user_id: 'alice', anonymous_id: 'anon', session_id: 's1' }, 'u:alice'],
    ['anonymous id next', { anonymous_id: 'anon', session_id: 's1' }, 'a:anon'],
    ['session next', { session_id: 's1' }, 's:s1'],
    ['else the event itself', {}, `e:${row.event_id}`],
    // Other producers send empty strings: each would otherwise make every such event one visitor.
    ['empty user id is no user', { user_id: '', session_id: 's1' }, 's:s1'],
    ['empty anonymous id and session are none', { anonymous_id: '', session_id: '' }, `e:${row.event_id}`],
  ];
  for (const [name, fields, expected] of cases) assert.equal(visitorIdOf({ ...row, ...fields }), expected, name);
});
