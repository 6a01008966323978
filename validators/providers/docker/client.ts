import Docker from "dockerode";
import { OperationalError } from "../../core/errors";

/**
 * The Docker Engine API client and its calls: every call runs under an enforced timeout and fails
 * as a DockerProviderError naming the operation. The client is injected into every function here
 * (tests pass one for the real engine; the composition root makes one from the manifest's host).
 */

/** The default time one Engine API call may take. */
export const DEFAULT_DOCKER_TIMEOUT_MS = 10_000;

export type DockerErrorCode = "timeout" | "unreachable" | "not-found" | "image-missing" | "engine";

/** An Engine API call that failed (an operational error, exit 4): which operation, and why (a stable code callers can match). */
export class DockerProviderError extends OperationalError {
  constructor(
    message: string,
    readonly code: DockerErrorCode,
    override readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, operation, options);
    this.name = "DockerProviderError";
  }
}

/** Options every observation function takes. */
export interface CallOptions {
  /** @default 10000 */
  timeoutMs?: number;
}

/**
 * A client for an engine address: unix:///path, tcp://host:port (http), ssh://user@host; undefined
 * means what dockerode reads itself: $DOCKER_HOST, else /var/run/docker.sock.
 */
export function dockerClient(host: string | undefined = process.env.DOCKER_HOST || undefined): Docker {
  if (!host) return new Docker();
  const url = new URL(host);
  switch (url.protocol) {
    case "unix:":
      return new Docker({ socketPath: url.pathname });
    case "tcp:":
    case "http:":
      return new Docker({ protocol: "http", host: url.hostname, port: url.port || 2375 });
    case "https:":
      return new Docker({ protocol: "https", host: url.hostname, port: url.port || 2376 });
    case "ssh:":
      return new Docker({ protocol: "ssh", host: url.hostname, port: url.port || 22, username: url.username || undefined });
    default:
      throw new DockerProviderError(
        `Docker host ${JSON.stringify(host)} is not an engine address; expected unix:///path, tcp://host:port or ssh://user@host.`,
        "engine",
        "connect",
      );
  }
}

interface EngineErrorShape {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string } | null;
}

/** Runs one Engine API call under a timeout (the request is aborted when it passes). */
export async function dockerCall<T>(operation: string, call: (signal: AbortSignal) => Promise<T>, options: CallOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DockerProviderError(`Docker ${operation} timed out after ${timeoutMs} ms.`, "timeout", operation));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), timedOut]);
  } catch (err) {
    if (err instanceof DockerProviderError) throw err;
    const e = err as EngineErrorShape;
    const detail = e?.json?.message ?? e?.message ?? String(err);
    const code: DockerErrorCode =
      e?.statusCode === 404
        ? "not-found"
        : /ECONNREFUSED|ENOENT|EACCES|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|socket hang up/i.test(`${e?.code ?? ""} ${detail}`)
          ? "unreachable"
          : "engine";
    const kind = code === "unreachable" ? " (engine unreachable)" : "";
    throw new DockerProviderError(`Docker ${operation} failed${kind}: ${detail.trim()}`, code, operation, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
