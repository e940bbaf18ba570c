// The analysts' dashboard served by the query API at /: sign in (the access token stays in this
// tab's sessionStorage), pick a project, then the live view or the reports.
import 'uplot/dist/uPlot.min.css';
import { isAborted, listProjects, SignedOut, signIn, type Session } from './api-client.ts';
import { el, text } from './dom.ts';
import { startLiveView, type LiveView } from './live-view.ts';
import { showFunnels } from './funnels-view.ts';
import { showReports } from './reports-view.ts';

const SESSION_KEY = 'analytics-dashboard-session';
const app = document.getElementById('app')!;
let live: LiveView | undefined;

function saved(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION_KEY);
  return raw === null ? undefined : (JSON.parse(raw) as Session);
}

function showSignIn(message = ''): void {
  live?.close();
  sessionStorage.removeItem(SESSION_KEY);
  const email = el('input', { id: 'email', type: 'email', autocomplete: 'username', required: '' });
  const password = el('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: '' });
  const error = el('p', { id: 'sign-in-error', class: 'error' }, message);
  const submit = el('button', { type: 'submit' }, 'Sign in');
  const form = el('form', { id: 'sign-in' }, el('h2', {}, 'Sign in'), el('label', {}, 'Email', email), el('label', {}, 'Password', password), submit, error);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // One sign-in at a time: a second press while the first is answered would build the page twice.
    if (submit.disabled) return;
    submit.disabled = true;
    signIn(email.value, password.value).then(
      (session) => {
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
        void guard(showProjects(session), app);
      },
      (err: unknown) => {
        submit.disabled = false;
        text(error, (err as Error).message);
      },
    );
  });
  app.replaceChildren(form);
}

/** Shows a view's failure in its own pane; a view the analyst has left fails silently. */
const guard = (promise: Promise<unknown>, pane: HTMLElement) =>
  promise.catch((error: unknown) => {
    if (isAborted(error)) return;
    if (error instanceof SignedOut) showSignIn('Your session ended: sign in again.');
    else pane.append(el('p', { class: 'error' }, (error as Error).message));
  });

async function showProjects(session: Session): Promise<void> {
  const projects = await listProjects(session).catch((error: unknown) => {
    if (error instanceof SignedOut) showSignIn('Your session ended: sign in again.');
    throw error;
  });
  const picker = el('select', { id: 'project' }, ...projects.map((p) => el('option', { value: p.id }, `${p.org} / ${p.name}`)));
  const liveTab = el('button', { id: 'tab-live', type: 'button', class: 'tab' }, 'Live');
  const reportsTab = el('button', { id: 'tab-reports', type: 'button', class: 'tab' }, 'Reports');
  const funnelsTab = el('button', { id: 'tab-funnels', type: 'button', class: 'tab' }, 'Funnels & retention');
  const signOut = el('button', { id: 'sign-out', type: 'button', class: 'link' }, 'Sign out');
  const view = el('main', { id: 'view' });
  app.replaceChildren(el('header', {}, el('label', {}, 'Project ', picker), liveTab, reportsTab, funnelsTab, el('span', { class: 'who' }, session.email), signOut), view);
  const tabs = { live: liveTab, reports: reportsTab, funnels: funnelsTab };
  let current: keyof typeof tabs = 'live';
  // Each view gets a pane of its own and a signal: showing another view (or project) aborts what
  // the last one still waits for, so its late answers never overwrite the view that replaced it.
  let leaving = new AbortController();
  const show = (which: keyof typeof tabs) => {
    live?.close();
    live = undefined;
    leaving.abort();
    leaving = new AbortController();
    current = which;
    for (const [name, tab] of Object.entries(tabs)) tab.classList.toggle('active', name === which);
    const pane = el('div', { id: `${which}-view` });
    view.replaceChildren(pane);
    if (picker.value === '') return pane.replaceChildren(el('p', {}, 'No project: ask an admin for access.'));
    if (which === 'live') live = startLiveView(session, picker.value, pane);
    else if (which === 'reports') void guard(showReports(session, picker.value, pane, leaving.signal), pane);
    else void guard(showFunnels(session, picker.value, pane, leaving.signal), pane);
  };
  for (const [name, tab] of Object.entries(tabs)) tab.addEventListener('click', () => show(name as keyof typeof tabs));
  picker.addEventListener('change', () => show(current));
  signOut.addEventListener('click', () => {
    leaving.abort();
    showSignIn();
  });
  show('live');
}

const session = saved();
if (session === undefined) showSignIn();
else void guard(showProjects(session), app);
