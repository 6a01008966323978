/** Where a command writes. Injected so tests capture output without touching process streams. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

/** Writes a line (adds the newline). */
export function println(write: (text: string) => void, line = ""): void {
  write(line.endsWith("\n") ? line : `${line}\n`);
}
