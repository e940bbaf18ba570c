import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNENRICHED } from './normalize-event.ts';
import { copyField, toCopyRow } from './to-copy-row.ts';

test('copyField escapes what COPY text format treats specially', () => {
  const cases: [string | null, string][] = [
    [null, '\\N'],
    ['', ''],
    ['plain', 'plain'],
    ['a\tb', 'a\\tb'],
    ['a\nb', 'a\\nb'],
    ['a\rb', 'a\\rb'],
    ['back\\slash', 'back\\\\slash'],
    ['\\.', '\\\\.'],
    ['\\N', '\\\\N'],
    ['😀 é', '😀 é'],
  ];
  for (const [input, expected] of cases) assert.equal(copyField(input), expected, JSON.stringify(input));
});

test('toCopyRow writes one tab-separated line in column order', () => {
  const line = toCopyRow({
    project_id: 'p',
    event_id: 'id',
    timestamp: 't',
    event_type: 'page_view',
    page_url: 'u',
    page_title: null,
    button_id: 'b\tc',
    session_id: 's',
    user_agent: null,
    site_id: null,
    metadata: '{"a":"x\\ny"}',
    received_at: 'r',
    client_timestamp: 'c',
    timestamp_adjustment: null,
    user_id: 'u\\1',
    anonymous_id: null,
    referrer: 'https://ref.example/\n',
    screen_width: 390,
    ...UNENRICHED,
    page_path: '/a\tb',
    is_bot: true,
    engaged_ms: 0,
  });
  const enriched = ['https://ref.example/\\n', '390', '\\N', '\\N', '/a\\tb', ...Array(9).fill('\\N'), 't', '0'].join('\t');
  assert.equal(line, `p\tid\tt\tpage_view\tu\t\\N\tb\\tc\ts\t\\N\t\\N\t{"a":"x\\\\ny"}\tr\tc\t\\N\tu\\\\1\t\\N\t${enriched}\n`);
  assert.equal(line.split('\n').length, 2);
});
