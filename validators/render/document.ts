import type { ErrorKind } from "../../contract/outcome";

/**
 * The schema version of the JSON documents that carry no version of their own (synth, synth --diff,
 * history, config set-tag, the error document). Every document deployctl prints with `--output json`
 * has a `schemaVersion`; their JSON Schemas are published in contract/outputs/ (`npm run schema`).
 */
export const OUTPUT_SCHEMA_VERSION = 1;

/** One JSON document: `schemaVersion` first, then the body's fields. */
export function jsonDocument(body: object): string {
  return `${JSON.stringify({ schemaVersion: OUTPUT_SCHEMA_VERSION, ...body }, null, 2)}\n`;
}

/** What `--output json` prints on stdout when a command ends with exit 2 or 4 (bad input, operational error). */
export interface ErrorDocument {
  schemaVersion: typeof OUTPUT_SCHEMA_VERSION;
  error: { exitCode: number; kind: ErrorKind; message: string };
}

export function errorDocument(exitCode: number, kind: ErrorKind, message: string): string {
  const doc: ErrorDocument = { schemaVersion: OUTPUT_SCHEMA_VERSION, error: { exitCode, kind, message } };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Markdown of a command whose text output is already a table for people (synth, analyze, history,
 * pipeline status, config set-tag): a heading and the text in a fenced block, so a pull request body
 * or $GITHUB_STEP_SUMMARY shows it with its columns aligned.
 */
export function markdownOfText(title: string, text: string): string {
  const body = text.endsWith("\n") ? text : `${text}\n`;
  return `### ${title}\n\n\`\`\`text\n${body}\`\`\`\n`;
}
