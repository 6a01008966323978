import { ConfigError } from "../../infra/config/errors";
import { parseEnvironmentConfig } from "../../infra/config/resolve";
import { stackConfigFromText } from "../../infra/config/stackFile";
import { stackFileName } from "../../contract/stackFiles";
import { writeFileAtomicSync } from "../core/atomicWrite";
import { BadInputError, errorMessage, OperationalError } from "../core/errors";
import { projectName, readStackText, stackFilePath } from "../stackfile/file";
import { type EnvChange, type EnvEdit, setEnvValues } from "../stackfile/env";

/**
 * `deployctl config set-env`: set values of one service's environment in Pulumi.<stack>.yaml. The
 * edit (stackfile/env.ts) refuses undeclared and secret keys; the edited text must then pass the
 * program's own config check (infra/config) before anything is written, and it is written atomically:
 * the file is either the old one or the whole new one. A dry run does everything but the write.
 */

export interface SetEnvRequest {
  /** The Pulumi project folder (absolute). */
  dir: string;
  stack: string;
  service: string;
  edits: readonly EnvEdit[];
  /** The config namespace. @default the name in Pulumi.yaml, else delivery */
  project?: string;
  /** Check and show the change, write nothing. @default false */
  dryRun: boolean;
}

export interface SetEnvResult {
  /** The stack file's path. */
  path: string;
  /** Its name, `Pulumi.<stack>.yaml`. */
  file: string;
  service: string;
  environmentPath: string;
  changes: EnvChange[];
  dryRun: boolean;
  /** Whether the file was replaced (false on a dry run or when every value was already set). */
  written: boolean;
}

export interface SetEnvDeps {
  /** Replaces the file with the text atomically. @default writeFileAtomicSync */
  write(path: string, text: string): void;
}

export function setEnv(request: SetEnvRequest, deps: SetEnvDeps = { write: writeFileAtomicSync }): SetEnvResult {
  const path = stackFilePath(request.dir, request.stack);
  const file = stackFileName(request.stack);
  const project = request.project ?? projectName(request.dir);
  const update = setEnvValues(file, readStackText(path), project, request.service, request.edits);
  try {
    parseEnvironmentConfig(stackConfigFromText(update.text, { project, stack: request.stack }));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new BadInputError(`the edited ${file} would not pass the config check, so nothing was written:\n${err.message}`, { cause: err });
  }
  const changed = update.changes.some((c) => c.changed);
  const write = changed && !request.dryRun;
  if (write) {
    try {
      deps.write(path, update.text);
    } catch (err) {
      throw new OperationalError(`cannot write ${path}: ${errorMessage(err)}; the file is unchanged`, "write stack file", { cause: err });
    }
  }
  return {
    path,
    file,
    service: update.service,
    environmentPath: update.environmentPath,
    changes: update.changes,
    dryRun: request.dryRun,
    written: write,
  };
}
