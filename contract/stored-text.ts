// Text a stored value cannot hold: NUL (U+0000, which PostgreSQL text refuses) and lone UTF-16
// surrogates (not Unicode: UTF-8 has no encoding for them, so they would be replaced), and keys
// that could reach an object prototype. Events (validate-event.ts) and the query API's bodies and
// query strings refuse the same things, by field. Pure.
import { FORBIDDEN_KEYS } from './limits.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const forbidden = new Set<string>(FORBIDDEN_KEYS);

/** What makes a string unstorable: 'nul', 'lone_surrogate', or undefined when it can be stored as it is. */
export function textFault(value: string): 'nul' | 'lone_surrogate' | undefined {
  if (value.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(value) ? 'lone_surrogate' : undefined;
}

/** What a string with this fault contains, and why it cannot be stored, as refusals name it. */
export function textFaultReason(fault: 'nul' | 'lone_surrogate'): string {
  return fault === 'nul' ? 'a NUL character (U+0000), which no stored value can hold' : 'a lone UTF-16 surrogate, which is not Unicode text and cannot be stored';
}

/** True for `__proto__`, `constructor` and `prototype`. */
export const isForbiddenKey = (key: string): boolean => forbidden.has(key);

export interface UnstorableText {
  /** Where: the keys and indexes from the root to the string, or to the object holding the key. */
  path: string[];
  /** The offending key, when a key (not a value) is at fault. */
  key?: string;
  fault: 'nul' | 'lone_surrogate' | 'forbidden_key';
}

/** The first string or object key at any depth of `value` (parsed JSON) that cannot be stored, or undefined. Iterative: hostile depth cannot overflow the stack. */
export function findUnstorableText(value: unknown): UnstorableText | undefined {
  const stack: [unknown, string[]][] = [[value, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      const fault = textFault(node);
      if (fault !== undefined) return { path, fault };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
    // Reversed onto the stack, so the first fault in document order is found first.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (!Array.isArray(node)) {
        const fault = isForbiddenKey(key) ? 'forbidden_key' : textFault(key);
        if (fault !== undefined) return { path, key, fault };
      }
      stack.push([child, [...path, key]]);
    }
  }
  return undefined;
}
