// Decides what a click means: the nearest link or button-like element around the clicked node
// wins, so a click on an icon inside a button counts for the button. Password and hidden inputs
// never report, and no input's value is ever read.
import { BUTTON_ID_MAX } from './limits.ts';
import { cut, type Metadata } from './event.ts';

/** The part of a DOM Element the tracker reads; unit tests pass plain objects. */
export interface ElementLike {
  tagName: string;
  /** The tag name in lower case, for HTML elements. */
  localName: string;
  id: string;
  textContent: string | null;
  /** Resolved URL on HTML links; SVG links hold an object with the attribute as baseVal. */
  href?: string | { baseVal: string };
  getAttribute(name: string): string | null;
  closest(selector: string): ElementLike | null;
  matches(selector: string): boolean;
}

/** event_type, metadata and, for buttons, button_id: the tracker's add() arguments. */
export type Click = [type: 'button_click' | 'navigation_click', metadata: Metadata, buttonId?: string];

export const CLICKABLE = 'a[href],button,[type=button],[type=submit],[role=button],[data-track]';
const LINK = '[href]:not([role=button])';
const PRIVATE = '[type=password],[type=hidden]';
/** Regions a button's page_section is named after: data-section, else a landmark's id or tag. */
export const SECTION = '[data-section],section,main,header,footer,nav,aside';

const attr = (el: ElementLike, name: string) => el.getAttribute(name);
const text = (el: ElementLike) => cut((el.textContent || '').replace(/\s+/g, ' ').trim(), BUTTON_ID_MAX);

export function describeClick(target: ElementLike): Click | undefined {
  const el = target.closest(CLICKABLE);
  const region = target.closest(SECTION);
  // A private input never reports, even inside something tracked.
  if (!el || target.matches(PRIVATE)) return undefined;
  return el.matches(LINK)
    ? ['navigation_click', { destination: (el.href as { baseVal?: string }).baseVal || el.href, link_text: text(el) }]
    : [
        'button_click',
        { page_section: region ? attr(region, 'data-section') || region.id || region.localName : 'body' },
        // id, else data-track, else the accessible name or text; inputs have none: name or type.
        el.id || attr(el, 'data-track') || attr(el, 'aria-label') || text(el) || attr(el, 'name') || attr(el, 'type') || el.tagName,
      ];
}
