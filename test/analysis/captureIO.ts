import type { CliIO } from "../../validators/cli/io";

/** A CliIO that keeps what a command writes, for CLI tests. */
export interface CapturedIO extends CliIO {
  out: () => string;
  err: () => string;
}

export function captureIO(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CapturedIO {
  let out = "";
  let err = "";
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
