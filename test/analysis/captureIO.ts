import { type CapturedIO, captureIO as capture } from "../support/io";

export type { CapturedIO };

/** The shared capturing CliIO, with the options this folder's tests pass. */
export function captureIO(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CapturedIO {
  return capture(options.env ?? {}, options.cwd ?? process.cwd());
}
