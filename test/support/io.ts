import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIO } from "../../validators/cli/io";

/** A CliIO that records what a command writes. */
export interface CapturedIO extends CliIO {
  out: () => string;
  err: () => string;
}

/** `cwd` defaults to a fresh temporary directory: run records and lock files of the local tier land there. */
export function captureIO(env: NodeJS.ProcessEnv = {}, cwd = mkdtempSync(join(tmpdir(), "deployctl-cwd-"))): CapturedIO {
  let out = "";
  let err = "";
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env,
    cwd,
    out: () => out,
    err: () => err,
  };
}
