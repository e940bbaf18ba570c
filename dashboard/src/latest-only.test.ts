import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { latestOnly } from './latest-only.ts';

test('latestOnly: a new run aborts the one before it, and only that one', () => {
  const view = new AbortController();
  const next = latestOnly(view.signal);
  const first = next();
  assert.equal(first.aborted, false);
  const second = next();
  assert.deepEqual([first.aborted, second.aborted], [true, false]);
  const third = next();
  assert.deepEqual([second.aborted, third.aborted], [true, false]);
  assert.equal(view.signal.aborted, false, 'a run never aborts its view');
});

test('latestOnly: leaving the view aborts the running one; runs asked for after that start aborted', () => {
  const view = new AbortController();
  const next = latestOnly(view.signal);
  const running = next();
  view.abort();
  assert.equal(running.aborted, true);
  assert.equal(next().aborted, true);
});

test('latestOnly: superseded runs leave no listener on the view behind', () => {
  const view = new AbortController();
  const next = latestOnly(view.signal);
  for (let i = 0; i < 100; i++) next();
  // Only the running one listens to the view; a hundred runs of a form do not pile up listeners.
  assert.equal(getEventListeners(view.signal, 'abort').length, 1);
});
