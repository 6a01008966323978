import { isScalar } from "yaml";
import { BadInputError } from "../core/errors";
import { parseStackDocument, serviceEntries, setStringIn, stackDocumentText } from "./document";

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
  const doc = parseStackDocument(file, text);
  const key = `${project}:services`;
  const { names, items } = serviceEntries(file, key, doc);
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
    // Edit the scalar in place: its comment and quoting stay.
    if (from !== edit.tag) setStringIn(item, ["image", "tag"], edit.tag);
    changes.push({ service: edit.service, path: `${key}[${index}].image.tag`, from, to: edit.tag, changed: from !== edit.tag });
  }
  return { text: stackDocumentText(doc), changes, skipped: unknown };
}
