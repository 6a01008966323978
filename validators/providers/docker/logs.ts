import type Docker from "dockerode";
import { type CallOptions, dockerCall } from "./client";

/** One log line of a container. */
export interface LogLine {
  stream: "stdout" | "stderr";
  /** ISO time the engine recorded it. */
  time?: string;
  text: string;
}

export interface LogOptions extends CallOptions {
  /** The last N lines. @default 100 */
  tail?: number;
  /** Only lines since then (a Date, or seconds since the epoch). @default all */
  since?: Date | number;
}

/**
 * Splits the Engine API's multiplexed log stream (containers without a TTY): frames of an 8-byte
 * header (stream type, 3 zero bytes, big-endian length) and the payload. A buffer that is not
 * multiplexed (a TTY container) is read as stdout.
 */
export function demultiplex(buffer: Buffer): { stream: "stdout" | "stderr"; text: string }[] {
  const chunks: { stream: "stdout" | "stderr"; text: string }[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if (type > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0 || offset + 8 + size > buffer.length) {
      if (offset === 0) return [{ stream: "stdout", text: buffer.toString("utf8") }];
      break;
    }
    chunks.push({ stream: type === 2 ? "stderr" : "stdout", text: buffer.subarray(offset + 8, offset + 8 + size).toString("utf8") });
    offset += 8 + size;
  }
  return chunks;
}

/** Chunks to lines (a line may span frames), each line's timestamp prefix parsed off. */
export function toLines(chunks: { stream: "stdout" | "stderr"; text: string }[]): LogLine[] {
  const lines: LogLine[] = [];
  const pending: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  const push = (stream: "stdout" | "stderr", raw: string) => {
    const m = /^(\d{4}-\d{2}-\d{2}T\S+Z) (.*)$/s.exec(raw);
    lines.push(m ? { stream, time: m[1], text: m[2] } : { stream, text: raw });
  };
  for (const c of chunks) {
    const parts = (pending[c.stream] + c.text).split("\n");
    pending[c.stream] = parts.pop() ?? "";
    for (const p of parts) push(c.stream, p.replace(/\r$/, ""));
  }
  for (const stream of ["stdout", "stderr"] as const) if (pending[stream] !== "") push(stream, pending[stream]);
  return lines;
}

/** The last `tail` lines of a container's stdout and stderr since `since`, demultiplexed, oldest first. */
export async function readContainerLogs(client: Docker, id: string, options: LogOptions = {}): Promise<LogLine[]> {
  const since = options.since instanceof Date ? Math.floor(options.since.getTime() / 1000) : options.since;
  const buffer = await dockerCall(
    `read logs of container ${id.slice(0, 12)}`,
    (abortSignal) =>
      client.getContainer(id).logs({
        stdout: true,
        stderr: true,
        follow: false,
        timestamps: true,
        tail: options.tail ?? 100,
        ...(since !== undefined ? { since } : {}),
        abortSignal,
      }),
    options,
  );
  const lines = toLines(demultiplex(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer))));
  // The engine takes `since` in whole seconds: drop the lines of that second written before the moment asked for.
  if (!(options.since instanceof Date)) return lines;
  const from = options.since.getTime();
  return lines.filter((l) => l.time === undefined || Date.parse(l.time) >= from);
}
