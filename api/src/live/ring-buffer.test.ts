import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RingBuffer } from './ring-buffer.ts';

test('after(id): the items added after it while it is held; undefined once forgotten or never added', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 70 }), (capacity, added, probe) => {
      const ring = new RingBuffer<{ id: string }>(capacity);
      for (let i = 0; i < added; i++) ring.push({ id: `i${i}` });
      // The reference: the whole history, of which the last `capacity` are held.
      const history = Array.from({ length: added }, (_, i) => `i${i}`);
      const held = history.slice(Math.max(0, added - capacity));
      assert.deepEqual(ring.all().map((x) => x.id), held);
      const answer = ring.after(`i${probe}`)?.map((x) => x.id);
      const at = held.indexOf(`i${probe}`);
      assert.deepEqual(answer, at < 0 ? undefined : held.slice(at + 1));
    }),
  );
});
