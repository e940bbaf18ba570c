// Rules for names a user chooses and the project keeps unique (saved funnels): uniqueness itself is
// PostgreSQL's, over normalize(name, NFC) (migration 028).

// White_Space characters (JS \s: spaces, tabs, line breaks, U+00A0, U+3000, BOM) and the
// zero-width ones that render as nothing (U+200B–U+200D, U+2060).
const BLANK = /^[\s\u200B-\u200D\u2060]*$/u;

/** True when `name` is empty or shows nothing: two such names could not be told apart. */
export function isBlankName(name: string): boolean {
  return BLANK.test(name);
}
