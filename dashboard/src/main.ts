// The analysts' dashboard served by the query API at /: sign in (the access token stays in this
// tab's sessionStorage), pick a project, then the live view or the reports. The project and view
// picked are kept in the address (#project=…&view=…), so a reload or a shared link shows them again.
import 'uplot/dist/uPlot.min.css';
import { isHandled, listProjects, signIn, whenSignedOut, type Session } from './api-client.ts';
import { el, text } from './dom.ts';
import { startLiveView, type LiveView } from './live-view.ts';
import { showFunnels } from './funnels-view.ts';
import { showReports } from './reports-view.ts';

const SESSION_KEY = 'analytics-dashboard-session';
const app = document.getElementById('app')!;
let live: LiveView | undefined;
// Aborted whenever the view shown is left (another tab or project, sign-out, an expired session):
// what it still waits for is aborted, so its late answers never overwrite what replaced it.
let leaving = new AbortController();
const VIEWS = ['live', 'reports', 'funnels'] as const;
type View = (typeof VIEWS)[number];
// Shows what the address names, once signed in (a link followed or the back button in this tab).
let followAddress: (() => void) | undefined;
window.addEventListener('hashchange', () => followAddress?.());

function saved(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION_KEY);
  return raw === null ? undefined : (JSON.parse(raw) as Session);
}

function showSignIn(message = ''): void {
  live?.close();
  live = undefined;
  leaving.abort();
  followAddress = undefined;
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
    // A refusal, or projects that could not be listed (the API unavailable): the form stays, with
    // the reason, for another try.
    const failed = (err: unknown) => {
      if (isHandled(err)) return;
      submit.disabled = false;
      text(error, (err as Error).message);
    };
    signIn(email.value, password.value).then((session) => {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      return showProjects(session);
    }).catch(failed);
  });
  app.replaceChildren(form);
}

// Any call answered 401 (the access token expired or was revoked), from any view or form: back to
// the sign-in form, once, however many calls were waiting.
whenSignedOut(() => {
  if (document.getElementById('sign-in') === null) showSignIn('Your session ended: sign in again.');
});

/** Shows a view's failure in its own pane; a view the analyst has left, or a signed-out one, fails silently. */
const guard = (promise: Promise<unknown>, pane: HTMLElement) =>
  promise.catch((error: unknown) => {
    if (!isHandled(error)) pane.append(el('p', { class: 'error' }, (error as Error).message));
  });

/** The project and view in the address, if any. */
function picked(): { project?: string; view?: View } {
  const params = new URLSearchParams(location.hash.slice(1));
  const view = params.get('view');
  return { project: params.get('project') ?? undefined, view: VIEWS.find((v) => v === view) };
}

async function showProjects(session: Session): Promise<void> {
  const projects = await listProjects(session);
  const picker = el('select', { id: 'project' }, ...projects.map((p) => el('option', { value: p.id }, `${p.org} / ${p.name}`)));
  const liveTab = el('button', { id: 'tab-live', type: 'button', class: 'tab' }, 'Live');
  const reportsTab = el('button', { id: 'tab-reports', type: 'button', class: 'tab' }, 'Reports');
  const funnelsTab = el('button', { id: 'tab-funnels', type: 'button', class: 'tab' }, 'Funnels & retention');
  const signOut = el('button', { id: 'sign-out', type: 'button', class: 'link' }, 'Sign out');
  const view = el('main', { id: 'view' });
  app.replaceChildren(el('header', {}, el('label', {}, 'Project ', picker), liveTab, reportsTab, funnelsTab, el('span', { class: 'who' }, session.email), signOut), view);
  const tabs: Record<View, HTMLButtonElement> = { live: liveTab, reports: reportsTab, funnels: funnelsTab };
  // A project in the address that this analyst may not read is not picked: the first one is.
  const pickAddressed = (): View | undefined => {
    const wanted = picked();
    picker.value = wanted.project !== undefined && projects.some((p) => p.id === wanted.project) ? wanted.project : (projects[0]?.id ?? '');
    return wanted.view;
  };
  let current: View = pickAddressed() ?? 'live';
  // Each view gets a pane of its own and a fresh signal (`leaving`).
  const show = (which: View) => {
    live?.close();
    live = undefined;
    leaving.abort();
    leaving = new AbortController();
    current = which;
    history.replaceState(null, '', `#${new URLSearchParams({ project: picker.value, view: which })}`);
    for (const [name, tab] of Object.entries(tabs)) tab.classList.toggle('active', name === which);
    const pane = el('div', { id: `${which}-view` });
    view.replaceChildren(pane);
    if (picker.value === '') return pane.replaceChildren(el('p', {}, 'No project: ask an admin for access.'));
    if (which === 'live') live = startLiveView(session, picker.value, pane);
    else if (which === 'reports') void guard(showReports(session, picker.value, pane, leaving.signal), pane);
    else void guard(showFunnels(session, picker.value, pane, leaving.signal), pane);
  };
  for (const [name, tab] of Object.entries(tabs)) tab.addEventListener('click', () => show(name as View));
  picker.addEventListener('change', () => show(current));
  signOut.addEventListener('click', () => showSignIn());
  followAddress = () => show(pickAddressed() ?? current);
  show(current);
}

const session = saved();
if (session === undefined) showSignIn();
else void guard(showProjects(session), app);
