/** How a status word is shown: its tone picks the colour on a terminal. */
export type Tone = "pass" | "warn" | "fail" | "inconclusive" | "skipped";

/** Paints a status word; PLAIN leaves it alone (a pipe, a file, NO_COLOR). */
export type Paint = (text: string, tone: Tone) => string;

export const PLAIN: Paint = (text) => text;

const SGR: Record<Tone, string> = { pass: "32", warn: "33", fail: "31", inconclusive: "35", skipped: "2" };

/** ANSI colours: green pass, yellow warn, red fail, magenta inconclusive, dim skipped. */
export const ANSI: Paint = (text, tone) => `\u001b[${SGR[tone]}m${text}\u001b[0m`;

/** The tone of a check status or verdict ("PASS" as well as "pass"); anything else is not painted. */
export function toneOf(status: string): Tone | undefined {
  const s = status.toLowerCase();
  return s === "pass" || s === "warn" || s === "fail" || s === "inconclusive" || s === "skipped" ? s : undefined;
}

/** Paints `text` in the tone of `status` (`text` may be padded: the padding stays outside the colour). */
export function paintStatus(paint: Paint, text: string, status: string = text): string {
  const tone = toneOf(status.trim());
  if (!tone || paint === PLAIN) return text;
  const word = text.trimEnd();
  return `${paint(word, tone)}${text.slice(word.length)}`;
}
