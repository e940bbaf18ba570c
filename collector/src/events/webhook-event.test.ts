// The webhook shape mapped onto the server-side event, and its errors named by webhook field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webhookValidator } from './webhook-event.ts';

const design = { eventType: 'page_view', userId: 'user123', timestamp: '2026-11-30T10:00:00Z', metadata: { page: '/home', browser: 'Chrome' }, organizationId: 'org-1' };

test('the design shape maps onto the contract; paths resolve against the project origin', () => {
  const result = webhookValidator('https://shop.example')(design);
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.value, { event_type: 'page_view', user_id: 'user123', timestamp: '2026-11-30T10:00:00Z', page_url: 'https://shop.example/home', user_agent: 'Chrome' });
  const absolute = webhookValidator(undefined)({ ...design, metadata: { page: 'https://other.example/p?q=1', browser: 'Firefox', plan: 'pro', items: [1, 2] } });
  assert.ok(absolute.ok);
  assert.deepEqual(absolute.value, { event_type: 'page_view', user_id: 'user123', timestamp: '2026-11-30T10:00:00Z', page_url: 'https://other.example/p?q=1', user_agent: 'Firefox', metadata: { plan: 'pro', items: [1, 2] } });
  const noPage = webhookValidator('https://shop.example')({ eventType: 'signup' });
  assert.ok(noPage.ok && noPage.value.page_url === 'https://shop.example/');
});

test('errors name the webhook fields', () => {
  const cases: [string, unknown, string, RegExp, string?][] = [
    ['missing eventType', { metadata: { page: 'https://a.example/' } }, '/eventType', /required/],
    ['bad eventType', { ...design, eventType: 'has space' }, '/eventType', /must match/],
    ['userId not a string', { ...design, userId: 42 }, '/userId', /string/i],
    ['path without an origin', design, '/metadata/page', /allowed origin/, 'none'],
    ['no page without an origin', { eventType: 'x' }, '/metadata/page', /required/, 'none'],
    ['page not a URL', { ...design, metadata: { page: 'home' } }, '/metadata/page', /absolute/],
    ['browser too long', { ...design, metadata: { page: '/', browser: 'x'.repeat(501) } }, '/metadata/browser', /too long/],
    ['unknown top-level field', { ...design, sessionId: 's' }, '/sessionId', /not a webhook field/],
    ['bad timestamp', { ...design, timestamp: 'yesterday' }, '/timestamp', /RFC 3339/],
    ['organizationId not a string', { ...design, organizationId: 7 }, '/organizationId', /string/],
    ['not an object', 'text', '/', /JSON object/],
  ];
  for (const [name, value, field, message, origin = 'https://shop.example'] of cases) {
    const result = webhookValidator(origin === 'none' ? undefined : origin)(value);
    assert.ok(!result.ok, name);
    const named = result.errors.find((e) => e.field === field);
    assert.ok(named, `${name}: ${JSON.stringify(result.errors)}`);
    assert.match(named.message, message, name);
  }
  const inBatch = webhookValidator(undefined)({ eventType: 'x y' }, '/3');
  assert.ok(!inBatch.ok && inBatch.errors.some((e) => e.field === '/3/eventType'));
});
