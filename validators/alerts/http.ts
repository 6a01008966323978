import { displayLine, redactText } from "../core/redact";
import { ChannelError } from "./types";

export type FetchFn = typeof fetch;

/** Characters of an error answer shown (after redaction). */
const ANSWER_SHOWN = 200;

/** How long a webhook call may take. @default 10 s */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs JSON to a webhook. Any failure becomes a ChannelError whose message names the channel,
 * the HTTP status and the start of the answer, never the URL (it is a secret for Slack) nor the
 * secrets passed in `secrets`.
 */
export async function postJson(
  channel: string,
  fetchFn: FetchFn,
  url: string,
  body: unknown,
  secrets: readonly string[],
  timeoutMs = WEBHOOK_TIMEOUT_MS,
): Promise<number> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new ChannelError(channel, `${channel} unreachable: ${redactText(reason, [url, ...secrets])}`, { cause: err });
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) {
    // Redacted before it is cut: a secret straddling the cut would otherwise show its head.
    const answer = displayLine(text, ANSWER_SHOWN, [url, ...secrets]);
    throw new ChannelError(channel, `${channel} answered HTTP ${res.status}${answer ? `: ${answer}` : ""}`);
  }
  return res.status;
}
