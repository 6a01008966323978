import { type AnyReport, OUTPUT_FORMATS, type OutputFormat } from "./format";
import { renderMarkdown } from "./markdown";
import { renderText } from "./text";
import { type Paint, PLAIN } from "./colour";

export { OUTPUT_FORMATS, type OutputFormat, type AnyReport } from "./format";
export { renderMarkdown } from "./markdown";
export { renderText } from "./text";
export { ANSI, PLAIN, type Paint } from "./colour";
export { reportJsonSchema } from "./schema";

/** Exactly one JSON document (what `--output json` prints on stdout). */
export function renderJson(report: AnyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Renders a report (validate's or gate's) in the chosen format; `title` names the command; `paint` colours text. */
export function renderReport(report: AnyReport, format: OutputFormat, title = "validate", paint: Paint = PLAIN): string {
  switch (format) {
    case "json":
      return renderJson(report);
    case "markdown":
      return renderMarkdown(report, title);
    case "text":
      return renderText(report, title, paint);
  }
}

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}
