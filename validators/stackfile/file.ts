import { join } from "node:path";
import {
  readProjectName,
  readStackFileText,
  STACK_NAME_PATTERN,
  StackFileLimitError,
  StackFileReadError,
  stackFileName,
} from "../../contract/stackFiles";
import { BadInputError } from "../core/errors";

/** The stack file of `stack` in the Pulumi project folder `dir`. */
export function stackFilePath(dir: string, stack: string): string {
  if (!STACK_NAME_PATTERN.test(stack)) {
    throw new BadInputError(`--stack is ${JSON.stringify(stack)}; expected a stack name: letters, digits, '_', '.' or '-'`);
  }
  return join(dir, stackFileName(stack));
}

/**
 * The stack file's text, for editing it (config set-image, promote): the one reader
 * (contract/stackFiles.ts), its failure as bad input naming --dir.
 */
export function readStackText(path: string): string {
  try {
    return readStackFileText(path);
  } catch (err) {
    if (err instanceof StackFileLimitError) throw new BadInputError(err.message);
    if (!(err instanceof StackFileReadError)) throw err;
    throw new BadInputError(`${err.message}; pass --dir with the Pulumi project folder`, { cause: err.cause });
  }
}

/** The project name in `dir`/Pulumi.yaml, or `fallback` when there is none (contract/stackFiles.ts reads it). */
export function projectName(dir: string, fallback = "delivery"): string {
  return readProjectName(dir, { fallback, ifUnreadable: fallback });
}
