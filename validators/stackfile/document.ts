import { isMap, isSeq, parseDocument, Scalar, type Document, type YAMLMap } from "yaml";
import { hasControlCharacter } from "../../contract/envKeys";
import { BadInputError } from "../core/errors";

/**
 * The stack file edits' shared parts (config set-tag, config set-env): parse the text with the `yaml`
 * Document API so comments, key order and quoting survive, find the services, set a scalar in place,
 * and print the document back.
 */

/** The stack file's text as a YAML document; bad input naming the file when it is not valid YAML. */
export function parseStackDocument(file: string, text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new BadInputError(`${file}: is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  return doc;
}

/** The document as text again, without re-wrapping long lines or padding flow lists. */
export function stackDocumentText(doc: Document): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The service entries of `config.<key>` (e.g. `delivery:services`) and their names ("" for an entry without one). */
export function serviceEntries(file: string, key: string, doc: Document): { names: string[]; items: YAMLMap[] } {
  const services = doc.getIn(["config", key], true);
  if (services === undefined) {
    throw new BadInputError(`${file}: config.${key} is missing; the stack file must list its services (name, image.repository, image.tag)`);
  }
  if (!isSeq(services))
    throw new BadInputError(`${file}: config.${key} is not a list; expected a list of services with name and image.tag`);
  const items: YAMLMap[] = [];
  const names: string[] = [];
  services.items.forEach((item, i) => {
    if (!isMap(item)) throw new BadInputError(`${file}: config.${key}[${i}] is not a map; expected a service with name and image.tag`);
    const name = item.get("name");
    names.push(typeof name === "string" ? name : "");
    items.push(item);
  });
  return { names, items };
}

/** Whether YAML would read `text` as something else than a string (a number, a date-like value, a boolean, null). */
export function needsQuotes(text: string): boolean {
  return /^[-+]?[0-9][0-9_.:]*([eE][-+]?[0-9]+)?$/.test(text) || /^(y|yes|n|no|true|false|on|off|null|~)$/i.test(text) || text === "";
}

/**
 * Sets the string at `path` under `map`: an existing scalar is edited in place (its comment and
 * quoting stay), a missing one is added. A value YAML would read as a number, a boolean or null is
 * double-quoted when it would otherwise be written plain.
 */
export function setStringIn(map: YAMLMap, path: readonly string[], value: string): void {
  const current = map.getIn(path, true);
  const scalar = current instanceof Scalar ? current : new Scalar(value);
  scalar.value = value;
  if (needsQuotes(value) && (scalar.type === undefined || scalar.type === Scalar.PLAIN)) scalar.type = Scalar.QUOTE_DOUBLE;
  if (!(current instanceof Scalar)) map.setIn(path, scalar);
}

/** A value written plain only when it is unmistakably a string in block and flow context alike. */
const SAFE_PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./@+-]*$/;

/** How a one-line string is written where a scalar of `type` stood: its quoting kept, plain only when safe. */
export function renderScalar(value: string, type: Scalar["type"]): string {
  if (type === Scalar.QUOTE_SINGLE && !hasControlCharacter(value)) return `'${value.replace(/'/g, "''")}'`;
  if (type === Scalar.QUOTE_DOUBLE || !SAFE_PLAIN.test(value) || needsQuotes(value)) return JSON.stringify(value);
  return value;
}

/** Whether a scalar's source text can be replaced in place (it has a source range and is not a block scalar). */
export function spliceable(node: unknown): node is Scalar & { range: [number, number, number] } {
  return (
    node instanceof Scalar &&
    node.range !== undefined &&
    node.range !== null &&
    node.type !== Scalar.BLOCK_LITERAL &&
    node.type !== Scalar.BLOCK_FOLDED
  );
}

/**
 * The source text with each scalar's value replaced in place: every other byte (comments, spacing,
 * flow collections' padding) stays as it was, which re-printing the whole document cannot promise.
 */
export function spliceScalars(
  text: string,
  edits: readonly { node: Scalar & { range: [number, number, number] }; value: string }[],
): string {
  let out = text;
  for (const { node, value } of [...edits].sort((a, b) => b.node.range[0] - a.node.range[0])) {
    // An empty value (`KEY:`) starts right after the colon: it gets a space before it.
    const empty = node.range[1] === node.range[0];
    out = `${out.slice(0, node.range[0])}${empty ? " " : ""}${renderScalar(value, node.type)}${out.slice(node.range[1])}`;
  }
  return out;
}
