import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { BadInputError } from "../core/errors";

/** The stack file of `stack` in the Pulumi project folder `dir`. */
export function stackFilePath(dir: string, stack: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new BadInputError(`--stack is ${JSON.stringify(stack)}; expected a stack name: letters, digits, '_', '.' or '-'`);
  }
  return join(dir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new BadInputError(
      `${basename(path)} cannot be read in ${dirname(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass --dir with the Pulumi project folder`,
      {
        cause: err,
      },
    );
  }
}

/** The project name in `dir`/Pulumi.yaml, or `fallback` when there is none. */
export function projectName(dir: string, fallback = "delivery"): string {
  try {
    const name = parseDocument(readFileSync(join(dir, "Pulumi.yaml"), "utf8")).get("name");
    return typeof name === "string" && name !== "" ? name : fallback;
  } catch {
    return fallback;
  }
}
