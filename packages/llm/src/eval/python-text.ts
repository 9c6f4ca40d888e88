/**
 * Python's string semantics where lm-evaluation-harness's results depend on them: what `str.strip`
 * counts as whitespace, what `str.capitalize` does, and that `len` counts code points (JavaScript's
 * `length` counts UTF-16 units, so an emoji would lengthen a choice twice over in acc_norm).
 */

/** The characters Python's `str.isspace()` accepts (`str.strip()` with no argument removes them). */
const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`, 'u');
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`, 'u');

/** Python's `s.rstrip()`. */
export function pyRstrip(s: string): string {
  return s.replace(TRAILING_SPACE, '');
}

/** Python's `s.strip()`. */
export function pyStrip(s: string): string {
  return pyRstrip(s).replace(LEADING_SPACE, '');
}

/** Python's `len(s)`: code points. */
export function pyLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python's `s.capitalize()`: the first character upper-cased, every other one lower-cased. */
export function pyCapitalize(s: string): string {
  const [first = '', ...rest] = Array.from(s);
  return first.toUpperCase() + rest.join('').toLowerCase();
}
