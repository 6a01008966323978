import type { CliIO } from "../../../validators/cli/io";

/** A CliIO that records what a command writes. */
export interface CapturedIO extends CliIO {
  out: () => string;
  err: () => string;
}

export function captureIO(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): CapturedIO {
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
