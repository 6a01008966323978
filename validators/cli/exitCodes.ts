/** Exit codes shared by every deployctl command (documented in `deployctl --help` and the README). */
export const ExitCode = {
  /** The release is healthy (warnings allowed), or the command did what was asked. */
  Ok: 0,
  /** The verdict is fail, or the command refused (a promotion with no verified release, say). */
  Fail: 1,
  /** Bad input: usage, an unreadable or invalid manifest or config. The message names the field. */
  BadInput: 2,
  /** Too little data to judge: the verdict is inconclusive. */
  Inconclusive: 3,
  /** An operational error: AWS or an endpoint unreachable, access denied, throttled beyond retries. */
  Operational: 4,
  /** The stack is locked by another run. */
  Locked: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  pass (warnings allowed) / done
  1  fail (verdict fail, or the command refused)
  2  bad input (usage, unreadable or invalid manifest or config)
  3  inconclusive (too little data to judge)
  4  operational error (AWS or an endpoint unreachable, access denied, throttled)
  5  the stack is locked by another run`;
