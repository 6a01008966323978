/** How the dispatcher deduplicates and escalates; a plain constant module, so `--help` can show the defaults cheaply. */
export interface AlertPolicy {
  /** An alert for the same stack + service + check within this window is not sent again. @default 1800 */
  dedupWindowSeconds: number;
  /** This many consecutive failed runs of a service make its alert critical. @default 3 */
  escalateAfter: number;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = { dedupWindowSeconds: 1800, escalateAfter: 3 };
