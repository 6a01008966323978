/** One HTTP GET as the smoke check and the watchdog make it: status, time, and a short body. */
export interface ProbeResult {
  url: string;
  /** The HTTP status; undefined when no answer came (refused, reset, timed out). */
  status?: number;
  /** Time to the full response (or to the error), in milliseconds. */
  ms: number;
  /** The first 64 KiB of the body. */
  body?: string;
  /** Why no answer came. */
  error?: string;
}

export interface ProbeDeps {
  fetch: typeof fetch;
  now: () => Date;
}

const MAX_BODY = 64 * 1024;

/** GETs `url` with a timeout; never throws (an unreachable endpoint is a result, not an exception). */
export async function probe(url: string, timeoutMs: number, deps: ProbeDeps): Promise<ProbeResult> {
  const started = deps.now().getTime();
  try {
    const response = await deps.fetch(url, {
      method: "GET",
      redirect: "follow",
      headers: { accept: "application/json, text/plain, */*", "user-agent": "deployctl-smoke" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.text()).slice(0, MAX_BODY);
    return { url, status: response.status, ms: deps.now().getTime() - started, body };
  } catch (err) {
    return { url, ms: deps.now().getTime() - started, error: describeFetchError(err, timeoutMs) };
  }
}

/** `https://x/` + `/health` -> `https://x/health`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}`;
}

/**
 * The health body rule: when the body is a JSON object with a `status`, it must be "UP"
 * (Spring Boot, MicroProfile and most health endpoints use that word). Returns the problem or undefined.
 */
export function healthBodyProblem(body: string | undefined): string | undefined {
  if (!body) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || !("status" in parsed)) return undefined;
  const status = (parsed as { status: unknown }).status;
  return status === "UP" ? undefined : `health status is ${JSON.stringify(status)}, expected "UP"`;
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutMs} ms`;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: string }).code;
      return code ? `${code} (${cause.message})` : cause.message;
    }
    return err.message;
  }
  return String(err);
}
