/** Where a command writes. Injected so tests capture output without touching process streams. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout is a terminal (colours may be used). @default false: a pipe or a file */
  stdoutIsTTY?: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY === true,
};

/** Colours on a terminal only: never when piped, nor with NO_COLOR set (https://no-color.org) or TERM=dumb. */
export function useColour(io: Pick<CliIO, "env" | "stdoutIsTTY">): boolean {
  return io.stdoutIsTTY === true && !io.env.NO_COLOR && io.env.TERM !== "dumb";
}

/** Writes a line (adds the newline). */
export function println(write: (text: string) => void, line = ""): void {
  write(line.endsWith("\n") ? line : `${line}\n`);
}
