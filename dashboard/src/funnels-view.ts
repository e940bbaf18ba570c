// The funnels and retention view: a funnel built step by step (or loaded from the project's saved
// funnels, and saved under a name), and a retention table of cohorts. Both answer for the last 7
// days in the project's zone, as the reports view does. Every number is the API's (POST /funnels,
// POST /retention; docs/metrics.md § Funnels, § Retention); nothing is computed here but widths.
import type { FunnelStepAnswer as StepAnswer } from '../../api/src/query/funnel-answer.ts';
import { MAX_FUNNEL_STEPS, MIN_FUNNEL_STEPS } from '../../api/src/query/funnel-limits.ts';
import { isHandled, postReport, report, type Session } from './api-client.ts';
import { el, text } from './dom.ts';
import { latestOnly } from './latest-only.ts';

interface FunnelStep {
  event_type: string;
  page?: string;
  button_id?: string;
  label?: string;
}
interface SavedFunnel {
  funnel_id: string;
  name: string;
  definition: { steps: FunnelStep[]; unit?: string; order?: string; window?: string };
}
interface Cohort {
  start: string;
  size: number;
  periods: { index: number; count: number; rate: number | null; complete: boolean }[];
}

const EVENT_TYPES = ['page_view', 'button_click', 'navigation_click', 'page_unload'];
const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const duration = (ms: number | null) => (ms === null ? '–' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

function select(id: string, options: string[], value: string): HTMLSelectElement {
  const s = el('select', { id }, ...options.map((o) => el('option', { value: o }, o)));
  s.value = value;
  return s;
}

/** One editable step row: event type, optional page and button id. */
function stepRow(step: FunnelStep, onRemove: (row: HTMLElement) => void): HTMLElement {
  const type = el('input', { class: 'step-type', list: 'event-types', value: step.event_type, required: '', 'aria-label': 'event type' });
  const page = el('input', { class: 'step-page', placeholder: 'page (any)', value: step.page ?? '', 'aria-label': 'page' });
  const button = el('input', { class: 'step-button', placeholder: 'button id (any)', value: step.button_id ?? '', 'aria-label': 'button id' });
  const remove = el('button', { type: 'button', class: 'link step-remove' }, 'remove');
  const row = el('li', { class: 'step' }, type, page, button, remove);
  remove.addEventListener('click', () => onRemove(row));
  return row;
}

function readSteps(list: HTMLElement): FunnelStep[] {
  return [...list.querySelectorAll('li.step')].map((row) => {
    const value = (cls: string) => (row.querySelector(`.${cls}`) as HTMLInputElement).value.trim();
    const step: FunnelStep = { event_type: value('step-type') };
    if (value('step-page') !== '') step.page = value('step-page');
    if (value('step-button') !== '') step.button_id = value('step-button');
    return step;
  });
}

function funnelTable(steps: StepAnswer[]): HTMLElement {
  const top = Math.max(1, steps[0]?.count ?? 1);
  return el('table', { id: 'funnel-steps' },
    el('thead', {}, el('tr', {}, ...['step', 'units', '', 'conversion', 'from previous', 'dropped', 'in progress', 'median time'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...steps.map((s) => el('tr', { 'data-step': String(s.step) },
      el('td', {}, s.label ?? s.event_type),
      el('td', { class: 'count' }, String(s.count)),
      el('td', { class: 'bar-cell' }, el('div', { class: 'bar', style: `width:${(100 * s.count) / top}%` })),
      el('td', { class: 'conversion' }, percent(s.conversion_rate)),
      el('td', {}, percent(s.step_conversion_rate)),
      el('td', { class: 'drop-off' }, String(s.drop_off)),
      el('td', { class: 'in-progress' }, String(s.in_progress)),
      el('td', {}, duration(s.median_time_to_convert_ms)),
    ))),
  );
}

function retentionTable(cohorts: Cohort[], periods: number): HTMLElement {
  return el('table', { id: 'retention-cohorts' },
    el('thead', {}, el('tr', {}, el('th', {}, 'cohort'), el('th', {}, 'size'), ...Array.from({ length: periods }, (_, i) => el('th', {}, `+${i + 1}`)))),
    el('tbody', {}, ...cohorts.map((c) => el('tr', { 'data-start': c.start },
      el('td', {}, c.start.slice(0, 10)),
      el('td', { class: 'size' }, String(c.size)),
      ...c.periods.map((p) => el('td', {
        class: p.complete ? 'rate' : 'rate incomplete',
        title: `${p.count} of ${c.size}${p.complete ? '' : ' (period still running)'}`,
        style: p.rate === null ? '' : `background: rgba(59,111,216,${(0.1 + 0.8 * p.rate).toFixed(2)})`,
      }, p.rate === null ? '–' : `${percent(p.rate)}${p.complete ? '' : ' …'}`)),
    ))),
  );
}

/**
 * Renders the funnel and retention forms of `project` into `root`, with the project's saved
 * funnels. `signal` aborts when the analyst leaves the view: calls still running are aborted and
 * nothing more is rendered. Running a form again aborts its earlier run, so the table shown is
 * always the answer to the latest run.
 */
export async function showFunnels(session: Session, project: string, root: HTMLElement, signal: AbortSignal): Promise<void> {
  const saved = (await report<{ data: SavedFunnel[] }>(session, project, 'saved-funnels', {}, signal)).data;
  const steps = el('ol', { id: 'funnel-step-list' });
  const add = el('button', { id: 'funnel-add-step', type: 'button', class: 'tab' }, 'Add step');
  // The API takes 2 to 10 steps: at either end the button that would cross it is disabled, saying why.
  const limits = () => {
    add.disabled = steps.children.length >= MAX_FUNNEL_STEPS;
    add.title = add.disabled ? `a funnel has at most ${MAX_FUNNEL_STEPS} steps` : '';
    for (const remove of steps.querySelectorAll<HTMLButtonElement>('.step-remove')) {
      remove.disabled = steps.children.length <= MIN_FUNNEL_STEPS;
      remove.title = remove.disabled ? `a funnel has at least ${MIN_FUNNEL_STEPS} steps` : '';
    }
  };
  const addStep = (s: FunnelStep) => {
    steps.append(stepRow(s, (row) => {
      if (steps.children.length > MIN_FUNNEL_STEPS) row.remove();
      limits();
    }));
    limits();
  };
  const load = (list: FunnelStep[]) => {
    steps.replaceChildren();
    for (const s of list) addStep(s);
  };
  load([{ event_type: 'page_view', page: '/' }, { event_type: 'button_click' }]);
  const savedPicker = el('select', { id: 'saved-funnel' }, el('option', { value: '' }, '— a new funnel —'), ...saved.map((f) => el('option', { value: f.funnel_id }, f.name)));
  const unit = select('funnel-unit', ['visitor', 'visit', 'user'], 'visitor');
  const order = select('funnel-order', ['ordered', 'strict'], 'ordered');
  const window = select('funnel-window', ['PT30M', 'PT1H', 'P1D', 'P7D'], 'P1D');
  savedPicker.addEventListener('change', () => {
    const f = saved.find((x) => x.funnel_id === savedPicker.value);
    if (f === undefined) return;
    load(f.definition.steps);
    unit.value = f.definition.unit ?? 'visitor';
    order.value = f.definition.order ?? 'ordered';
    if (f.definition.window !== undefined) {
      if (![...window.options].some((o) => o.value === f.definition.window)) window.append(el('option', { value: f.definition.window }, f.definition.window));
      window.value = f.definition.window;
    }
  });
  const funnelResult = el('div', { id: 'funnel-result' });
  const funnelError = el('p', { id: 'funnel-error', class: 'error' });
  const name = el('input', { id: 'funnel-name', placeholder: 'name to save as' });
  const body = () => ({ steps: readSteps(steps), unit: unit.value, order: order.value, window: window.value });
  const run = el('button', { id: 'funnel-run', type: 'submit' }, 'Show funnel');
  const save = el('button', { id: 'funnel-save', type: 'button', class: 'tab' }, 'Save');
  add.addEventListener('click', () => steps.children.length < MAX_FUNNEL_STEPS && addStep({ event_type: 'button_click' }));
  const form = el('form', { id: 'funnel-form' }, el('label', {}, 'Saved funnels ', savedPicker), steps, add,
    el('div', { class: 'row' }, el('label', {}, 'Unit ', unit), el('label', {}, 'Order ', order), el('label', {}, 'Window from step 1 ', window), run),
    el('div', { class: 'row' }, name, save), funnelError);
  const funnelRun = latestOnly(signal);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    text(funnelError, '');
    postReport<{ data: { steps: StepAnswer[] } }>(session, project, 'funnels', body(), funnelRun()).then(
      (answer) => funnelResult.replaceChildren(funnelTable(answer.data.steps)),
      (error: unknown) => {
        if (isHandled(error)) return;
        // The table shown was the answer to an earlier run: it goes, the reason stays.
        funnelResult.replaceChildren();
        text(funnelError, (error as Error).message);
      },
    );
  });
  save.addEventListener('click', () => {
    // One save at a time: a second press while the first is answered would be refused as a taken name.
    if (save.disabled) return;
    save.disabled = true;
    text(funnelError, '');
    postReport<{ data: SavedFunnel }>(session, project, 'saved-funnels', { name: name.value, ...body() }, signal)
      .then(
        (answer) => {
          saved.push(answer.data);
          savedPicker.append(el('option', { value: answer.data.funnel_id }, answer.data.name));
          savedPicker.value = answer.data.funnel_id;
        },
        (error: unknown) => isHandled(error) || text(funnelError, (error as Error).message),
      )
      .finally(() => (save.disabled = false));
  });

  const period = select('retention-period', ['day', 'week', 'month'], 'day');
  const periods = el('input', { id: 'retention-periods', type: 'number', min: '1', max: '52', value: '7' });
  const retentionUnit = select('retention-unit', ['visitor', 'user'], 'visitor');
  const criteria = select('retention-criteria', ['on', 'on_or_after'], 'on');
  const retentionResult = el('div', { id: 'retention-result' });
  const retentionError = el('p', { id: 'retention-error', class: 'error' });
  const retentionForm = el('form', { id: 'retention-form' },
    el('div', { class: 'row' }, el('label', {}, 'Period ', period), el('label', {}, 'Periods ', periods), el('label', {}, 'Unit ', retentionUnit), el('label', {}, 'Returned ', criteria),
      el('button', { id: 'retention-run', type: 'submit' }, 'Show retention')), retentionError);
  const retentionRun = latestOnly(signal);
  retentionForm.addEventListener('submit', (e) => {
    e.preventDefault();
    text(retentionError, '');
    const n = Number(periods.value);
    postReport<{ data: { cohorts: Cohort[] } }>(session, project, 'retention', { period: period.value, periods: n, unit: retentionUnit.value, criteria: criteria.value }, retentionRun()).then(
      (answer) => retentionResult.replaceChildren(retentionTable(answer.data.cohorts, n)),
      (error: unknown) => {
        if (isHandled(error)) return;
        retentionResult.replaceChildren();
        text(retentionError, (error as Error).message);
      },
    );
  });

  root.replaceChildren(
    el('datalist', { id: 'event-types' }, ...EVENT_TYPES.map((t) => el('option', { value: t }))),
    el('h3', {}, 'Funnel (last 7 days)'), form, funnelResult,
    el('h3', {}, 'Retention (cohorts of the last 7 days)'), retentionForm, retentionResult,
  );
}
