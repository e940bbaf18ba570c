// A few elements with just enough of the DOM for click-target.ts: attributes, parents, and
// selector matching for the selector forms the tracker uses (tag, [attr], [attr=value],
// :not([...]), comma lists). The real browser is exercised by test/browser.
import type { ElementLike } from '../src/click-target.ts';

export interface FakeElement extends ElementLike {
  parentElement: FakeElement | null;
}

const COMPOUND = /^([a-z]*)((?:\[[^\]]+\])*)((?::not\(\[[^\]]+\]\))*)$/i;

function hasAttr(el: FakeElement, spec: string): boolean {
  const [name, value] = spec.split('=') as [string, string | undefined];
  const actual = el.getAttribute(name);
  return actual !== null && (value === undefined || actual === value);
}

function matchesOne(el: FakeElement, selector: string): boolean {
  const m = COMPOUND.exec(selector.trim());
  if (!m) throw new Error(`fake DOM cannot match ${selector}`);
  const [, tag, attrs, nots] = m;
  if (tag && tag.toUpperCase() !== el.tagName.toUpperCase()) return false;
  const inner = (s: string) => [...s.matchAll(/\[([^\]]+)\]/g)].map((x) => x[1]!);
  return inner(attrs!).every((a) => hasAttr(el, a)) && inner(nots!).every((a) => !hasAttr(el, a));
}

export function element(tagName: string, attributes: Record<string, string> = {}, text = '', parent: FakeElement | null = null): FakeElement {
  const el: FakeElement = {
    tagName: tagName.toUpperCase(),
    localName: tagName.toLowerCase(),
    id: attributes.id ?? '',
    textContent: text,
    href: attributes.href === undefined ? undefined : new URL(attributes.href, 'http://demo.test/page').href,
    parentElement: parent,
    getAttribute: (name) => attributes[name] ?? null,
    matches: (selector) => selector.split(',').some((s) => matchesOne(el, s)),
    closest: (selector) => {
      for (let node: FakeElement | null = el; node; node = node.parentElement) if (node.matches(selector)) return node;
      return null;
    },
  };
  return el;
}
