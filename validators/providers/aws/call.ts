import { OperationalError } from "../../core/errors";

/** What the SDK's errors carry that helps us name a failure. */
interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const ACCESS_DENIED =
  /AccessDenied|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|InvalidSignature|SignatureDoesNotMatch|AuthFailure|NotAuthorized|MissingAuthenticationToken/i;
const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|LimitExceeded|RateExceeded/i;
/** Node's network errno codes, as whole upper-case words: `ServiceNotFoundException` holds "eNotFound" too. */
const NETWORK_ERRNO = /\b(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)\b/;
const UNREACHABLE = /socket hang up|\bTimeoutError\b|RequestTimeout|TimeoutException|getaddrinfo/i;

/** The error's name as the SDK reports it (e.g. `ResourceNotFoundException`), for callers that handle some. */
export function awsErrorName(err: unknown): string {
  const e = err as SdkErrorShape;
  return e?.name ?? e?.code ?? "";
}

/** Classifies an AWS SDK failure: what kind of operational problem it is. */
export function classifyAwsError(err: unknown): "access denied" | "throttled beyond retries" | "AWS unreachable" | "AWS error" {
  const e = err as SdkErrorShape;
  const text = `${e?.name ?? ""} ${e?.code ?? ""} ${e?.message ?? ""}`;
  if (ACCESS_DENIED.test(text) || e?.$metadata?.httpStatusCode === 403) return "access denied";
  if (THROTTLED.test(text) || e?.$metadata?.httpStatusCode === 429) return "throttled beyond retries";
  if (NETWORK_ERRNO.test(text) || UNREACHABLE.test(text)) return "AWS unreachable";
  return "AWS error";
}

/** Turns any failure of an AWS call into an OperationalError (exit 4) naming the operation. */
export function toOperationalError(operation: string, err: unknown): OperationalError {
  if (err instanceof OperationalError) return err;
  const e = err as SdkErrorShape;
  const kind = classifyAwsError(err);
  if (/exceeded the configured \d+ ms requestTimeout/.test(e?.message ?? "")) {
    const attempts = e?.$metadata?.attempts;
    const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : "";
    return new OperationalError(`${operation} timed out${tries} (AWS unreachable): no answer within the request timeout`, operation, {
      cause: err,
    });
  }
  const detail = [e?.name, e?.message].filter((x) => x && x !== "Error").join(": ") || String(err);
  const attempts = e?.$metadata?.attempts;
  const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : "";
  return new OperationalError(`${operation} failed${tries} (${kind}): ${detail}`, operation, { cause: err });
}

/** Runs one AWS call; any failure becomes an OperationalError naming `operation` (e.g. "ECS DescribeServices"). */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toOperationalError(operation, err);
  }
}
