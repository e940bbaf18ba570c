// untilInterrupted: a stop asked in the middle of a line is carried out at that line's end, so the
// collector never receives part of a line; asked between lines, at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { untilInterrupted } from './interrupt.ts';

async function collect(chunks: string[], stopAfter: number): Promise<{ sent: string; cut: boolean }> {
  const interrupt = { requested: false };
  async function* source() {
    for (let i = 0; i < chunks.length; i++) {
      if (i === stopAfter) interrupt.requested = true;
      yield Buffer.from(chunks[i]!);
    }
  }
  const stream = untilInterrupted(source(), interrupt);
  let sent = '';
  for await (const chunk of stream) sent += chunk.toString();
  return { sent, cut: stream.cut() };
}

test('asked mid-line: the line is finished, nothing after it is sent', async () => {
  assert.deepEqual(await collect(['{"a":1}\n{"b"', ':2}\n{"c":3}\n', '{"d":4}\n'], 1), { sent: '{"a":1}\n{"b":2}\n', cut: true });
});

test('asked between lines: nothing more is sent', async () => {
  assert.deepEqual(await collect(['{"a":1}\n', '{"b":2}\n'], 1), { sent: '{"a":1}\n', cut: true });
});

test('never asked: everything, not cut', async () => {
  assert.deepEqual(await collect(['{"a":1}\n{"b"', ':2}'], 99), { sent: '{"a":1}\n{"b":2}', cut: false });
});
