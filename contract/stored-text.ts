// Text a stored value cannot hold: NUL (U+0000, which PostgreSQL text refuses) and lone UTF-16
// surrogates (not Unicode: UTF-8 has no encoding for them, so they would be replaced), keys that
// could reach an object prototype, and (where a caller bounds them) nesting and keys per object.
// One walk judges every JSON value of this kind: events (validate-event.ts), the loader's proof of
// canonical records (canonical-read.ts) and the query API's bodies (api/src/http/json-body.ts), so
// each fault is found the same way and worded once. Pure.
import { FORBIDDEN_KEYS } from './limits.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const forbidden = new Set<string>(FORBIDDEN_KEYS);

/** What makes a string unstorable: 'nul', 'lone_surrogate', or undefined when it can be stored as it is. */
export function textFault(value: string): 'nul' | 'lone_surrogate' | undefined {
  if (value.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(value) ? 'lone_surrogate' : undefined;
}

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** `value` with each lone surrogate written as its JSON escape (`\\ud800`, six characters), for wire formats that must carry it as text. */
export function escapeLoneSurrogates(value: string): string {
  return value.replace(LONE_SURROGATES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What a string with this fault contains, and why it cannot be stored, as refusals name it. */
export function textFaultReason(fault: 'nul' | 'lone_surrogate'): string {
  return fault === 'nul' ? 'a NUL character (U+0000), which no stored value can hold' : 'a lone UTF-16 surrogate, which is not Unicode text and cannot be stored';
}

export type StoredTextFault = 'nul' | 'lone_surrogate' | 'forbidden_key' | 'too_deep' | 'too_many_keys';

export interface StoredTextProblem {
  fault: StoredTextFault;
  /**
   * JSON Pointer ('' for the root) of the string, or of the object or array too deep or with too
   * many keys; for a fault in a key, of the object holding the key.
   */
  at: string;
  /** The key at fault, when a key (not a value) is: 'nul', 'lone_surrogate' or 'forbidden_key'. */
  key?: string;
}

export interface StoredTextRules {
  /** Stop after this many problems (1: the first one in document order). */
  maxProblems: number;
  /** The root's depth: 0 for an event (its own fields are at depth 1), 1 for a metadata object. Default 0. */
  rootDepth?: number;
  /** An object or array at a greater depth is a 'too_deep' problem, not walked. Default: no limit. */
  maxDepth?: number;
  /** An object at depth 1 or more with more keys is a 'too_many_keys' problem, not walked. Default: no limit. */
  maxKeys?: number;
  /** False: strings and keys are not checked for NUL and lone surrogates (the caller checked the text). Default true. */
  text?: boolean;
}

/**
 * The refusal of one problem, without the field (callers name it their way):
 * "contains a NUL character (U+0000), …", "a key contains a lone UTF-16 surrogate, …",
 * 'key "__proto__" is not allowed (…)', "must not nest deeper than 5 levels",
 * "must have at most 100 keys". `rules` gives the limits named by the last two.
 */
export function storedTextMessage(problem: StoredTextProblem, rules: StoredTextRules): string {
  switch (problem.fault) {
    case 'forbidden_key':
      return `key "${problem.key!}" is not allowed (it could reach an object prototype; no stored value can hold it)`;
    case 'too_deep':
      return `must not nest deeper than ${rules.maxDepth!} levels`;
    case 'too_many_keys':
      return `must have at most ${rules.maxKeys!} keys`;
    default:
      return `${problem.key !== undefined ? 'a key contains' : 'contains'} ${textFaultReason(problem.fault)}`;
  }
}

/** A key as one JSON Pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`). */
export const escapeKey = (key: string) => (key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key);

/**
 * The JSON Pointer every service names a problem by: the string's, or the object's or array's
 * over a limit; for a fault in a key, the key's own pointer (`/metadata/a~1b`), so a caller learns
 * which key to fix. A NUL or a lone surrogate in it is written as a JSON escape by every JSON
 * answer (`"\u0000"`, `"\ud800"`), so the answer stays printable.
 */
export function storedTextField(problem: StoredTextProblem): string {
  return problem.key === undefined ? problem.at : `${problem.at}/${escapeKey(problem.key)}`;
}

// The walk is iterative (hostile depth cannot overflow the stack) over frames kept in arrays
// reused from call to call, so a value without problems costs no allocation but each object's key
// list: this runs for every event the collector accepts (bench/HISTORY.md § 27). A frame is one
// object or array being walked: its keys (null for an array) and the position of the child being
// visited. Pointers are written only for problems, from the frames.
interface Frames {
  nodes: object[];
  keys: (string[] | null)[];
  next: number[];
  busy: boolean;
}

const newFrames = (): Frames => ({ nodes: [], keys: [], next: [], busy: false });
const shared = newFrames();
const EMPTY = {};

/** The pointer of the value at frame `depth` (the current children of frames 0..depth-1): '' for the root. */
function pointer(frames: Frames, depth: number): string {
  let at = '';
  for (let f = 0; f < depth; f++) {
    const list = frames.keys[f] as string[] | null;
    at += `/${list === null ? String(frames.next[f]! - 1) : escapeKey(list[frames.next[f]! - 1]!)}`;
  }
  return at;
}

function add(problems: StoredTextProblem[] | undefined, problem: StoredTextProblem): StoredTextProblem[] {
  if (problems === undefined) return [problem];
  problems.push(problem);
  return problems;
}

/**
 * Problems of `value` (parsed JSON, or an object of plain data) in document order, at most
 * `rules.maxProblems`; undefined when it has none. A key at fault is reported and its value not
 * walked; so is an object or array over a limit.
 */
export function storedTextProblems(value: unknown, rules: StoredTextRules): StoredTextProblem[] | undefined {
  const text = rules.text !== false;
  if (typeof value === 'string') {
    const fault = text ? textFault(value) : undefined;
    return fault === undefined ? undefined : [{ fault, at: '' }];
  }
  if (value === null || typeof value !== 'object') return undefined;
  // A walk inside a walk (a getter validating, say) gets frames of its own.
  const frames = shared.busy ? newFrames() : shared;
  frames.busy = true;
  const { nodes, keys, next } = frames;
  const rootDepth = rules.rootDepth ?? 0;
  const maxDepth = rules.maxDepth ?? Infinity;
  const maxKeys = rules.maxKeys ?? Infinity;
  let problems: StoredTextProblem[] | undefined;
  // Frames 0..top are live; `node` (at frame top + 1) is entered below unless over a limit.
  let top = -1;
  let node: object | undefined = value;
  try {
    for (;;) {
      if (node !== undefined) {
        const depth = rootDepth + top + 1;
        const list = depth > maxDepth || Array.isArray(node) ? null : Object.keys(node);
        if (depth > maxDepth) problems = add(problems, { fault: 'too_deep', at: pointer(frames, top + 1) });
        else if (list !== null && depth >= 1 && list.length > maxKeys) problems = add(problems, { fault: 'too_many_keys', at: pointer(frames, top + 1) });
        else {
          top++;
          nodes[top] = node;
          keys[top] = list;
          next[top] = 0;
        }
        node = undefined;
      }
      if (top < 0 || (problems !== undefined && problems.length >= rules.maxProblems)) break;
      const list = keys[top] as string[] | null;
      const i = next[top]!;
      const parent = nodes[top]!;
      if (i >= (list === null ? (parent as unknown[]).length : list.length)) {
        nodes[top] = EMPTY;
        keys[top] = null;
        top--;
        continue;
      }
      next[top] = i + 1;
      let child: unknown;
      if (list === null) child = (parent as unknown[])[i];
      else {
        const key = list[i]!;
        const fault = forbidden.has(key) ? 'forbidden_key' : text ? textFault(key) : undefined;
        if (fault !== undefined) {
          problems = add(problems, { fault, at: pointer(frames, top), key });
          continue;
        }
        child = (parent as Record<string, unknown>)[key];
      }
      if (typeof child === 'string') {
        const fault = text ? textFault(child) : undefined;
        if (fault !== undefined) problems = add(problems, { fault, at: pointer(frames, top + 1) });
      } else if (child !== null && typeof child === 'object') node = child;
    }
  } finally {
    // The frames must not keep a request's values alive; after a deep walk they are given up.
    if (nodes.length > 64) {
      nodes.length = 0;
      keys.length = 0;
      next.length = 0;
    } else {
      for (let f = 0; f <= top; f++) {
        nodes[f] = EMPTY;
        keys[f] = null;
      }
    }
    frames.busy = false;
  }
  return problems;
}
