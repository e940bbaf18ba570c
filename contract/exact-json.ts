// What JSON.parse would not keep as the text says it: a number no double holds exactly
// (9007199254740993, 1e400, 0.1000000000000000000001) and a key given twice in one object (the
// last silently wins). Either would be stored altered, so the collector refuses the body and
// names the field instead. Runs over text JSON.parse has already accepted.

// One token at a time; strings as the unrolled loop, so long strings never backtrack.
const LEXEME = /\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([{}[\]:,])|true|false|null)/y;
const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The decimal value of a JSON number as digits and exponent, so 1.50, 15e-1 and 1.5 compare equal. */
function canonical(token: string): string {
  const m = NUMBER.exec(token)!;
  const fraction = m[3] ?? '';
  const digits = (m[2]! + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  const trimmed = digits.replace(/0+$/, '');
  return `${m[1]}${trimmed}e${Number(m[4] ?? 0) - fraction.length + digits.length - trimmed.length}`;
}

const NEGATIVE_ZERO = /^-0(?:\.0+)?(?:[eE][+-]?\d+)?$/;

/**
 * True when the double JSON.parse makes of `token` is the same decimal number and the database
 * can keep it: -0 is a double, but PostgreSQL's jsonb/numeric has no negative zero (it would be
 * stored as 0), so it is not exact.
 */
export function exactNumber(token: string): boolean {
  if (token.charCodeAt(1) === 0x30 && NEGATIVE_ZERO.test(token)) return false;
  // Up to 15 significant digits, every decimal survives a double round trip.
  if (token.length <= 15 && !/[eE]/.test(token)) return true;
  const n = Number(token);
  return Number.isFinite(n) && canonical(token) === canonical(String(n));
}

interface Frame {
  object: boolean;
  /** Keys seen so far (objects). */
  keys?: Set<string>;
  key: string;
  index: number;
  expectKey: boolean;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = (stack: Frame[]) => stack.map((f) => `/${f.object ? escape(f.key) : f.index}`).join('') || '/';

export interface InexactValue {
  /** JSON Pointer of the value, e.g. /metadata/price or /3/metadata/list/0. */
  field: string;
  message: string;
}

// Cheap proof that a text holds neither: no number token with an exponent or 16+ characters
// (a shorter decimal always survives a double), no negative zero, and as many keys in the text as JSON.parse kept.
// A key ends at an unescaped quote followed by a colon (a quote inside a string is escaped, and a
// value string is never followed by a colon), so counting those counts the text's keys.
const SUSPECT_NUMBER = /[:,[]\s*(?:-?(?:\d[\d.]*[eE]|[\d.]{16})|-0(?:\.0*)?(?![\d.]))/;
const KEY_END = /(?<!\\)(?:\\\\)*"\s*:/g;

function parsedKeys(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const child of node) stack.push(child);
    } else {
      for (const key in node) {
        n++;
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return n;
}

/**
 * The first value of `text` that JSON.parse did not keep exactly, or undefined. `parsed` is what
 * JSON.parse made of it; with it, texts that cannot hold such a value (nearly all) are cleared
 * without the full scan.
 */
export function findInexact(text: string, parsed?: unknown): InexactValue | undefined {
  if (parsed !== undefined && !SUSPECT_NUMBER.test(text)) {
    KEY_END.lastIndex = 0;
    let keys = 0;
    // test(), not exec(): a global regex advances the same way, without a match array per key.
    while (KEY_END.test(text)) keys++;
    if (keys === parsedKeys(parsed)) return undefined;
  }
  return scan(text);
}

/** A value inside an event's metadata (`/metadata/…`, or `/3/metadata/…` in a batch). */
const FREE_FORM = /^(\/\d+)?\/metadata\//;

function scan(text: string): InexactValue | undefined {
  const stack: Frame[] = [];
  LEXEME.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = LEXEME.exec(text)) !== null) {
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) {
      if (top?.object && top.expectKey) {
        const key = m[1].includes('\\') ? (JSON.parse(`"${m[1]}"`) as string) : m[1];
        top.key = key;
        if (top.keys!.has(key)) return { field: pointer(stack), message: 'is given twice in one object; only one value could be stored' };
        top.keys!.add(key);
      }
    } else if (m[2] !== undefined) {
      if (!exactNumber(m[2])) {
        const why = NEGATIVE_ZERO.test(m[2]) ? 'PostgreSQL jsonb has no negative zero; it would be stored as 0' : 'a JSON number is kept as a 64-bit double';
        const field = pointer(stack);
        // Metadata is free-form, so text is a way to keep the value; a typed field (screen_width) takes no text.
        const advice = FREE_FORM.test(field) ? '; send it as a string' : '';
        return { field, message: `number ${m[2].slice(0, 40)} cannot be stored exactly (${why})${advice}` };
      }
    } else if (m[3] !== undefined) {
      switch (m[3]) {
        case '{':
          stack.push({ object: true, keys: new Set(), key: '', index: 0, expectKey: true });
          break;
        case '[':
          stack.push({ object: false, key: '', index: 0, expectKey: false });
          break;
        case '}':
        case ']':
          stack.pop();
          break;
        case ':':
          top!.expectKey = false;
          break;
        case ',':
          if (top!.object) top!.expectKey = true;
          else top!.index++;
          break;
      }
    }
    if (LEXEME.lastIndex >= text.length) break;
  }
  return undefined;
}
