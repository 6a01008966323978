/**
 * How a value read from input is echoed in a message: bounded and inert. A 50 MB field becomes 80
 * characters and "…"; control characters and bidirectional marks (U+202E and friends) are shown
 * escaped (`\u0000`, `\u202e`) so a name cannot hide or reorder what the terminal prints.
 */

/** The longest echoed value, in characters, before it is cut with "…". */
export const ECHO_MAX = 80;

// C0 and C1 controls, DEL, and the bidirectional formatting marks (LRM, RLM, ALM, LRE..RLO, LRI..PDI).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character and bidi mark written as `\uXXXX`. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Whether `text` holds a control character or a bidirectional mark. */
export function hasControl(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/** `text` cut to `max` characters (the last one "…") and escaped. */
export function echo(text: string, max = ECHO_MAX): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  const escaped = escapeControl(cut);
  return escaped.length > max * 6 ? `${escaped.slice(0, max * 6 - 1)}…` : escaped;
}

/** A value as JSON, cut and escaped: `"staging"`, `42`, `{"a":1}`. */
export function echoValue(value: unknown, max = ECHO_MAX): string {
  const text =
    typeof value === "string" && value.length > max * 4
      ? JSON.stringify(value.slice(0, max * 4))
      : (JSON.stringify(value) ?? String(value));
  return echo(text, max);
}
