import type { ActionRecord } from "../../contract/report";

/** How a stage ended: its state word and an optional detail for people. */
export interface StageEnd {
  state: "ok" | "failed" | "skipped" | "inconclusive";
  detail?: string;
}

/** A stage as it ended, with its elapsed time (for the run record and `--output json`). */
export interface StageRecord {
  name: string;
  state: StageEnd["state"] | "error";
  elapsedSeconds: number;
  detail?: string;
}

/**
 * Progress lines per stage (gate, update, validate, record / rollback), each with its state and
 * elapsed time:
 *   → update api
 *   ✓ update api: ok (12.3s) 2 updated
 *   ✗ validate api: failed (301.0s) errorRate failed
 */
export class Progress {
  readonly stages: StageRecord[] = [];

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A free line of progress (streamed engine output, waiting messages). */
  info(line: string): void {
    this.write(line);
  }

  /** Streamed engine output, one indented `| line` per line. */
  stream(text: string): void {
    for (const line of text.split("\n")) if (line.trim()) this.write(`  | ${line.trimEnd()}`);
  }

  /** Runs `fn` as a stage; `end` turns its result into a state. A throw is printed as `error` and rethrown. */
  async stage<T>(name: string, fn: () => Promise<T>, end: (result: T) => StageEnd = () => ({ state: "ok" })): Promise<T> {
    const started = this.now().getTime();
    this.write(`→ ${name}`);
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      this.finish(name, started, { state: "error", detail: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    this.finish(name, started, end(result));
    return result;
  }

  /** Stages as actions, for the run record. */
  actions(): ActionRecord[] {
    return this.stages.map((s) => ({
      kind: "stage",
      target: s.name,
      status: s.state === "ok" ? "ok" : s.state === "skipped" ? "skipped" : "failed",
      message: `${s.name}: ${s.state} in ${s.elapsedSeconds.toFixed(1)}s${s.detail ? ` (${s.detail})` : ""}`,
      at: this.now().toISOString(),
      details: { state: s.state, elapsedSeconds: s.elapsedSeconds },
    }));
  }

  private finish(name: string, started: number, end: { state: StageRecord["state"]; detail?: string }): void {
    const elapsedSeconds = Math.round((this.now().getTime() - started) / 100) / 10;
    this.stages.push({ name, state: end.state, elapsedSeconds, ...(end.detail ? { detail: end.detail } : {}) });
    const mark = end.state === "ok" ? "✓" : end.state === "skipped" ? "-" : end.state === "inconclusive" ? "?" : "✗";
    this.write(`${mark} ${name}: ${end.state} (${elapsedSeconds.toFixed(1)}s)${end.detail ? ` ${end.detail}` : ""}`);
  }
}
