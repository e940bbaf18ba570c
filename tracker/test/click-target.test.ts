import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeClick } from '../src/click-target.ts';
import { element } from './fake-dom.ts';

const body = element('body');
const hero = element('section', { id: 'hero', 'data-section': 'hero-area' }, '', body);
const nav = element('nav', {}, '', body);
const aside = element('aside', { id: 'signup' }, '', body);
const form = element('form', { id: 'signup-form' }, '', aside);

test('describeClick: what each click means', () => {
  const button = element('button', { id: 'btn-action-1' }, 'Go', hero);
  const iconButton = element('button', { id: 'btn-star' }, ' Star ', hero);
  const icon = element('path', {}, '', element('svg', {}, '', iconButton));
  const link = element('a', { id: 'l', href: '/page2.html' }, '  Page\n 2 ', nav);
  const linkButton = element('a', { href: '#', role: 'button', id: 'fake' }, 'Fake', nav);
  const password = element('input', { type: 'password', 'data-track': 'pw', name: 'pw' }, '', form);
  const hidden = element('input', { type: 'hidden', 'data-track': 'h' }, '', form);
  const submit = element('input', { type: 'submit', name: 'go', value: 'secret' }, '', form);
  const text = element('input', { type: 'text', name: 'email' }, '', form);
  const paragraph = element('p', {}, 'just text', hero);
  const tracked = element('div', { 'data-track': 'card-cta' }, 'Card', body);
  const roleButton = element('div', { role: 'button' }, '  Menu  ', body);
  const spanInButton = element('span', {}, 'Untitled', element('button', {}, 'Untitled', hero));

  const cases: [string, ReturnType<typeof element>, unknown][] = [
    ['button by id', button, ['button_click', { page_section: 'hero-area' }, 'btn-action-1']],
    ['icon inside a button counts for the button', icon, ['button_click', { page_section: 'hero-area' }, 'btn-star']],
    ['link: destination resolved, text trimmed', link, ['navigation_click', { destination: 'http://demo.test/page2.html', link_text: 'Page 2' }]],
    ['link styled as a button is a button', linkButton, ['button_click', { page_section: 'nav' }, 'fake']],
    ['password input never reports', password, undefined],
    ['hidden input never reports', hidden, undefined],
    ['submit input: name, never its value', submit, ['button_click', { page_section: 'signup' }, 'go']],
    ['text input is not a button', text, undefined],
    ['plain text is not tracked', paragraph, undefined],
    ['data-track element', tracked, ['button_click', { page_section: 'body' }, 'card-cta']],
    ['role=button uses its text', roleButton, ['button_click', { page_section: 'body' }, 'Menu']],
    ['button without id uses its text', spanInButton, ['button_click', { page_section: 'hero-area' }, 'Untitled']],
  ];
  for (const [name, target, expected] of cases) assert.deepEqual(describeClick(target), expected, name);
});

const idOf = (el: ReturnType<typeof element>) => describeClick(el)?.[2];
const sectionOf = (el: ReturnType<typeof element>) => describeClick(el)?.[1].page_section;

test('button_id: id, tracking attribute, accessible name, text, name, type, tag; at most 100 chars', () => {
  assert.equal(idOf(element('button', { id: 'x', 'data-track': 't' }, 'Text')), 'x');
  assert.equal(idOf(element('button', { 'data-track': 't', 'aria-label': 'Label' }, 'Text')), 't');
  assert.equal(idOf(element('button', { 'aria-label': 'Close dialog' }, '×')), 'Close dialog');
  assert.equal(idOf(element('input', { type: 'button' })), 'button');
  assert.equal(idOf(element('button', {}, 'a'.repeat(300)))!.length, 100);
  assert.equal(idOf(element('button', {}, '')), 'BUTTON');
});

test('page_section: data-section, else landmark id or tag, else body', () => {
  assert.equal(sectionOf(element('button', {}, '', hero)), 'hero-area');
  assert.equal(sectionOf(element('button', {}, '', form)), 'signup');
  assert.equal(sectionOf(element('button', {}, '', nav)), 'nav');
  assert.equal(sectionOf(element('button', {}, '', body)), 'body');
});

test('SVG links report their href attribute', () => {
  const svgLink = { ...element('a', { href: '/diagram' }), href: { baseVal: '/diagram' } };
  svgLink.closest = (s: string) => (svgLink.matches(s) ? svgLink : null);
  assert.deepEqual(describeClick(svgLink), ['navigation_click', { destination: '/diagram', link_text: '' }]);
});
