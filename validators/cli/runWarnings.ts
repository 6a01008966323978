import type { RunRecord } from "../records/types";
import { METRICS_ACTION } from "../workflows/runMetrics";
import type { CliIO } from "./io";

/**
 * Says on stderr what the run could not do that does not change its exit code: the run record not
 * written, the delivery metrics not published. `record` is the redacted one; `mask` masks
 * what the store's redaction could not know (validate passes its registry's mask).
 */
export function warnAfterRun(io: CliIO, result: { record: RunRecord; error?: string }, mask: (text: string) => string = (t) => t): void {
  if (result.error) io.stderr(`deployctl: the run record could not be written: ${mask(result.error)}\n`);
  for (const a of result.record.actions) {
    if (a.kind === METRICS_ACTION && a.status !== "ok") io.stderr(`deployctl: warning: ${mask(a.message)}\n`);
  }
}
