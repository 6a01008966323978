/** What the logs check looks for; plain substrings, case-sensitive. */
export interface LogPatterns {
  /** A line containing any of these fails the check. @default ["ERROR", "Exception"] */
  error: string[];
  /** Lines containing any of these warn when there are `warnThreshold` or more. @default ["WARN"] */
  warn: string[];
  /** @default 3 */
  warnThreshold: number;
  /** When set, a line containing this must appear since the deployment began (the service started). */
  startupMarker?: string;
}

/** A plain constant module (no AWS SDK), so `deployctl validate --help` can show the defaults cheaply. */
export const DEFAULT_LOG_PATTERNS: LogPatterns = { error: ["ERROR", "Exception"], warn: ["WARN"], warnThreshold: 3 };
