// The analysts' dashboard in Chromium against the real query API (its own process, on a private
// topic and database), with access tokens that expire after TTL_S seconds: an expired session in
// any view or form leads back to the sign-in form; forms send once per press, refuse at the API's
// bounds and never leave an earlier run's table under a refusal; the project and view picked
// survive a reload; a sign-in whose projects cannot be listed can be tried again; the page logs no
// console error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build.ts';
import { MAX_FUNNEL_STEPS, MIN_FUNNEL_STEPS } from '../../api/src/query/funnel-limits.ts';
import { runCli } from '../../tenancy/cli-commands.ts';
import { pipelineBed, type PipelineBed } from '../pipeline/helpers.ts';
import { service, type Service } from '../support/service-kit.ts';
import { hold, launchChromium, openDashboard, signInDashboard, type DashboardTab } from './harness.ts';

const PEPPER = 'dashboard-session-pepper-01';
const ANALYST = { email: 'session@default.example', password: 'correct horse battery staple' };
/** Long enough for sign-in and a view to load on a slow machine, short enough to wait out. */
const TTL_S = 10;
let bed: PipelineBed;
let api: Service<'api'>;
let browser: Browser;

before(async () => {
  bed = await pipelineBed('dashboard-session');
  const out = await runCli('users', ['create', '--email', ANALYST.email, '--password', ANALYST.password, '--org', 'default', '--role', 'viewer'], { db: bed.db.pool, pepper: PEPPER });
  assert.ok(out.ok, JSON.stringify(out));
  const second = await runCli('projects', ['create', 'zz-second', '--org', 'default'], { db: bed.db.pool, pepper: PEPPER });
  assert.ok(second.ok, JSON.stringify(second));
  await buildDashboard();
  api = await service('api', { env: { kafkaTopic: bed.topic, databaseUrl: bed.db.url, apiKeyPepper: PEPPER, accessTokenTtlSeconds: TTL_S } });
  await api.start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await api?.stop();
  await bed?.close();
});

/** The token lasts ACCESS_TOKEN_TTL_SECONDS at most: the setting reached the service. */
function lastsTtl(expiresAt: number): number {
  assert.ok(expiresAt - Date.now() <= TTL_S * 1000, 'the token lasts ACCESS_TOKEN_TTL_SECONDS at most');
  return expiresAt;
}

/** Signs in on the form shown; returns when its token expires (ms since the epoch). */
const signIn = async (dash: Page) => lastsTtl(await signInDashboard(dash, ANALYST));

/** A fresh tab on the dashboard, signed in. */
async function openTab(): Promise<DashboardTab> {
  const tab = await openDashboard(browser, `${api.url}/`, ANALYST);
  lastsTtl(tab.expiresAt);
  return tab;
}

/** Page errors and console errors of a tab. */
const allErrors = (tab: DashboardTab) => [...tab.errors.map((e) => `pageerror: ${e}`), ...tab.consoleErrors.map((e) => `console: ${e}`)];

/** Waits until the tab's access token has expired. */
const expired = (tab: DashboardTab) => sleep(Math.max(0, tab.expiresAt + 500 - Date.now()));

test('an access token that expired: Reports, Live, a funnel run, Save and a retention run each lead back to the sign-in form, which works again', async () => {
  const tab = await openTab();
  const { dash } = tab;
  const backToSignIn = async (what: string) => {
    await dash.waitForSelector('#sign-in-error:has-text("Your session ended")', { timeout: 10_000 }).catch(() => assert.fail(`${what}: no sign-in form`));
    assert.equal(await dash.locator('#view').count(), 0, `${what}: the view is gone`);
    tab.expiresAt = await signIn(dash);
  };
  // On the funnels view: wait for `ready`, do `first`, let the token expire, then press `press`.
  const inFunnels = (ready: string, press: string, first: () => Promise<unknown> = async () => {}) => async () => {
    await dash.click('#tab-funnels');
    await dash.waitForSelector(ready);
    await first();
    await expired(tab);
    await dash.click(press);
  };
  const steps: [string, () => Promise<unknown>][] = [
    ['Reports', async () => {
      await expired(tab);
      await dash.click('#tab-reports');
    }],
    ['Live', async () => {
      await dash.click('#tab-reports');
      await dash.waitForSelector('#stats');
      await expired(tab);
      await dash.click('#tab-live');
    }],
    ['Show funnel', inFunnels('#funnel-form', '#funnel-run')],
    ['Save', inFunnels('#funnel-form', '#funnel-save', () => dash.fill('#funnel-name', 'saved after expiry'))],
    ['Show retention', inFunnels('#retention-form', '#retention-run')],
  ];
  for (const [what, act] of steps) {
    await act();
    await backToSignIn(what);
  }
  // Signed in again, the reports answer.
  await dash.click('#tab-reports');
  await dash.waitForSelector('#stats');
  // The refused calls were answered 401, which Chromium reports as console errors; nothing else.
  assert.deepEqual(allErrors(tab).filter((e) => !/status of 401/.test(e)), []);
  await tab.context.close();
});

test('Save pressed three times while the first is answered: one funnel saved, no error', async () => {
  const tab = await openTab();
  const { dash } = tab;
  await dash.click('#tab-funnels');
  await dash.waitForSelector('#funnel-form');
  let saves = 0;
  dash.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/saved-funnels') && saves++);
  await hold(dash, /\/saved-funnels$/, 500);
  await dash.fill('#funnel-name', 'pressed three times');
  for (let i = 0; i < 3; i++) await dash.click('#funnel-save', { force: true });
  await dash.waitForSelector('#saved-funnel option:text-is("pressed three times")', { state: 'attached' });
  await dash.waitForFunction(() => !(document.querySelector('#funnel-save') as HTMLButtonElement).disabled);
  assert.equal(saves, 1);
  assert.equal(await dash.textContent('#funnel-error'), '');
  assert.equal(await dash.locator('#saved-funnel option:text-is("pressed three times")').count(), 1);
  assert.deepEqual(allErrors(tab), []);
  await tab.context.close();
});

test('funnel steps: the editor stops at the API\'s bounds saying why; a refused run leaves no earlier table', async () => {
  const tab = await openTab();
  const { dash } = tab;
  await dash.click('#tab-funnels');
  await dash.waitForSelector('#funnel-form');
  const removes = () => dash.$$eval('#funnel-step-list .step-remove', (b) => b.map((x) => [(x as HTMLButtonElement).disabled, x.getAttribute('title')]));
  assert.deepEqual(await removes(), Array(MIN_FUNNEL_STEPS).fill([true, `a funnel has at least ${MIN_FUNNEL_STEPS} steps`]));
  for (let i = MIN_FUNNEL_STEPS; i < MAX_FUNNEL_STEPS; i++) await dash.click('#funnel-add-step');
  assert.equal(await dash.locator('#funnel-step-list li').count(), MAX_FUNNEL_STEPS);
  assert.deepEqual([await dash.isDisabled('#funnel-add-step'), await dash.getAttribute('#funnel-add-step', 'title')], [true, `a funnel has at most ${MAX_FUNNEL_STEPS} steps`]);
  assert.ok((await removes()).every(([disabled]) => disabled === false));
  await dash.click('#funnel-step-list li:nth-child(3) .step-remove');
  assert.equal(await dash.isDisabled('#funnel-add-step'), false);
  // A run the API answers, then one it refuses (a type no event can have): only the reason stays.
  await dash.click('#funnel-run');
  await dash.waitForSelector('#funnel-steps');
  await dash.fill('#funnel-step-list li:nth-child(2) .step-type', 'page view');
  await dash.click('#funnel-run');
  await dash.waitForSelector('#funnel-error:not(:empty)');
  assert.match(await dash.textContent('#funnel-error') ?? '', /event_type/);
  assert.equal(await dash.locator('#funnel-steps').count(), 0, 'the earlier run\'s table is gone');
  assert.deepEqual(allErrors(tab).filter((e) => !/status of 400/.test(e)), []);
  await tab.context.close();
});

test('the project and view picked are in the address: a reload shows them again; a project not readable falls back to the first', async () => {
  const tab = await openTab();
  const { dash } = tab;
  const [first, second] = await dash.$$eval('#project option', (o) => o.map((x) => (x as HTMLOptionElement).value));
  await dash.selectOption('#project', second!);
  await dash.click('#tab-reports');
  await dash.waitForSelector('#stats');
  await dash.reload();
  await dash.waitForSelector('#stats');
  assert.equal(await dash.inputValue('#project'), second);
  assert.equal(await dash.getAttribute('#tab-reports', 'class'), 'tab active');
  // Another address in the same tab (a link, the back button) shows what it names.
  await dash.goto(`${api.url}/#project=${first}&view=funnels`);
  await dash.waitForSelector('#funnel-form');
  assert.equal(await dash.inputValue('#project'), first);
  // A link to a project this analyst may not read (here: none by that id) opens the first one.
  await dash.selectOption('#project', second!);
  await dash.goto(`${api.url}/#project=00000000-0000-4000-8000-00000000dead&view=reports`);
  await dash.reload();
  await dash.waitForSelector('#stats');
  assert.equal(await dash.inputValue('#project'), first);
  assert.deepEqual(allErrors(tab), [], 'no console error, not even a missing favicon');
  await tab.context.close();
});

test('the projects cannot be listed after sign-in (the connection drops): the form stays with the reason; the next press signs in', async () => {
  const context = await browser.newContext();
  const dash = await context.newPage();
  // The first GET /api/v1/projects loses its connection; the next ones reach the API.
  let dropped = 0;
  await dash.route(/\/api\/v1\/projects$/, (route) => (dropped++ === 0 ? route.abort('connectionreset') : route.continue()));
  await dash.goto(`${api.url}/`);
  await dash.fill('#email', ANALYST.email);
  await dash.fill('#password', ANALYST.password);
  await dash.click('#sign-in button[type=submit]');
  await dash.waitForSelector('#sign-in-error:not(:empty)');
  assert.equal(await dash.isDisabled('#sign-in button[type=submit]'), false, 'Sign in can be pressed again');
  await signIn(dash);
  assert.equal(dropped, 2);
  await context.close();
});
