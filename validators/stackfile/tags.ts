import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type YAMLMap } from "yaml";
import { BadInputError } from "../core/errors";

/**
 * Sets services' image tags in a Pulumi stack file's text with the `yaml` Document API, so comments,
 * key order and quoting survive. Pure: text in, text out; the caller writes the file.
 */

/** An image tag as Docker and ECR accept it. */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface TagEdit {
  service: string;
  tag: string;
}

export interface TagChange {
  service: string;
  /** The config path `pulumi config get --path` takes, e.g. `delivery:services[1].image.tag`. */
  path: string;
  from: string | null;
  to: string;
  changed: boolean;
}

export interface TagUpdate {
  text: string;
  changes: TagChange[];
  /** Services named in the edits that the stack file does not have (only with skipUnknown). */
  skipped: string[];
}

/** Whether YAML would read `tag` as something else than a string (a number, a date-like value, a boolean). */
function needsQuotes(tag: string): boolean {
  return /^[-+]?[0-9][0-9_.:]*([eE][-+]?[0-9]+)?$/.test(tag) || /^(y|yes|n|no|true|false|on|off|null)$/i.test(tag);
}

function serviceNames(file: string, key: string, doc: Document): { names: string[]; items: YAMLMap[] } {
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

export function setImageTags(
  file: string,
  text: string,
  project: string,
  edits: readonly TagEdit[],
  options: { skipUnknown?: boolean } = {},
): TagUpdate {
  const bad = edits.filter((e) => !IMAGE_TAG_PATTERN.test(e.tag));
  if (bad.length > 0) {
    throw new BadInputError(
      bad
        .map(
          (e) =>
            `the tag for ${e.service} is ${JSON.stringify(e.tag)}; expected an image tag: 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
        )
        .join("\n"),
    );
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new BadInputError(`${file}: is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  const key = `${project}:services`;
  const { names, items } = serviceNames(file, key, doc);
  const unknown = edits.filter((e) => !names.includes(e.service)).map((e) => e.service);
  if (unknown.length > 0 && !options.skipUnknown) {
    throw new BadInputError(
      `${file}: config.${key} has no service named ${unknown.map((u) => JSON.stringify(u)).join(", ")}; its services are ${names.join(", ")}`,
    );
  }
  const changes: TagChange[] = [];
  for (const edit of edits) {
    const index = names.indexOf(edit.service);
    if (index < 0) continue;
    const item = items[index];
    const current = item.getIn(["image", "tag"], true);
    const from = isScalar(current) ? String(current.value) : null;
    if (from !== edit.tag) {
      // Edit the scalar in place: its comment and quoting stay. A value YAML would read as a number
      // or a boolean is double-quoted.
      const scalar = isScalar(current) ? current : new Scalar(edit.tag);
      scalar.value = edit.tag;
      if (needsQuotes(edit.tag) && (scalar.type === undefined || scalar.type === Scalar.PLAIN)) scalar.type = Scalar.QUOTE_DOUBLE;
      if (!isScalar(current)) item.setIn(["image", "tag"], scalar);
    }
    changes.push({ service: edit.service, path: `${key}[${index}].image.tag`, from, to: edit.tag, changed: from !== edit.tag });
  }
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), changes, skipped: unknown };
}
