/** What the logs check looks for; plain substrings, case-sensitive. */
export interface LogPatterns {
  /** A line containing any of these fails the check. @default ["ERROR", "Exception"] */
  error: string[];
  /** Lines containing any of these count as warnings; more than `maxWarnings` fail. @default ["WARN"] */
  warn: string[];
  /** Warning lines allowed in the judged lines; one more fails. @default 2 */
  maxWarnings: number;
  /** Only the last this many lines of each log stream (task) since the deployment began are judged for errors and warnings. @default 100 */
  tailLines: number;
  /** When set, a line containing this must appear since the deployment began (the service started), anywhere in the window. */
  startupMarker?: string;
}

/** A plain constant module (no AWS SDK), so `deployctl validate --help` can show the defaults cheaply. */
export const DEFAULT_LOG_PATTERNS: LogPatterns = { error: ["ERROR", "Exception"], warn: ["WARN"], maxWarnings: 2, tailLines: 100 };
