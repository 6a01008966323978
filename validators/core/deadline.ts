import { OperationalError } from "./errors";

/**
 * A whole command's deadline (`--deadline`): one AbortSignal that fires when the time is up, and
 * what the command was doing then. The signal reaches the command's waits (sleep), its Pulumi CLI
 * runs (killed) and the workflow's body (raced), so the stack lock is released and the run record
 * written before the command exits 4 naming the deadline and what was running.
 */
let passed = false;

/** Whether a command's deadline passed in this process: its abandoned work (a request that never answers) must not keep the process alive. */
export function deadlinePassed(): boolean {
  return passed;
}

export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private doing = "starting";

  /** `ms` from now; `label` is how the error names it (`--deadline 30m`). */
  constructor(
    readonly ms: number,
    readonly label: string,
  ) {
    this.timer = setTimeout(() => {
      passed = true;
      this.controller.abort(this.error());
    }, ms);
    this.timer.unref?.();
  }

  /** Aborts when the deadline passes; its reason is the DeadlineExceededError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Notes what the command is doing now (its progress lines), for the error's message. */
  note(activity: string): void {
    if (!this.expired) this.doing = activity;
  }

  /** Stops the timer (the command ended in time). */
  clear(): void {
    clearTimeout(this.timer);
  }

  private error(): DeadlineExceededError {
    return new DeadlineExceededError(`${this.label} passed while ${this.doing}; the command stopped`, this.doing);
  }
}

/** The command's deadline passed (kind `operational`, exit 4). */
export class DeadlineExceededError extends OperationalError {
  constructor(
    message: string,
    readonly activity: string,
  ) {
    super(message, "deadline");
    this.name = "DeadlineExceededError";
  }
}

/** The error a signal was aborted with: its reason when that is an Error, else a generic one. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new OperationalError("the operation was aborted", "abort");
}

/** `promise`, or its rejection with the signal's reason as soon as the signal aborts (the work itself is abandoned). */
export function raceSignal<T>(signal: AbortSignal | undefined, promise: Promise<T>): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** A sleep that ends early, rejecting with the signal's reason, when the signal aborts. */
export function abortableSleep(sleep: (ms: number) => Promise<void>, signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  return signal ? (ms) => raceSignal(signal, sleep(ms)) : sleep;
}
