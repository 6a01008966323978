/**
 * Names the Pulumi program creates and deployctl reads or writes: SSM parameters, the lock table's
 * key, where run records live, ECR repositories. Both sides import them from here; changing one
 * changes a deployed stack's contract (test/contract/names.test.ts pins every value).
 */

/** Root of every SSM parameter of the project: `/delivery/<stack>/...`, whatever the project's name. */
export const PARAMETER_ROOT = "/delivery";

/** The path every parameter of `stack` lives under, with its trailing slash: `/delivery/<stack>/`. */
export function stackParameterPath(stack: string): string {
  return `${PARAMETER_ROOT}/${stack}/`;
}

/**
 * The ARN of every parameter of `stack` (`.../parameter/delivery/<stack>/<suffix>`): what the IAM
 * policies grant. `suffix` defaults to `*`, every parameter of the stack.
 */
export function stackParameterArn(args: { partition: string; region: string; accountId: string; stack: string; suffix?: string }): string {
  return `arn:${args.partition}:ssm:${args.region}:${args.accountId}:parameter${stackParameterPath(args.stack)}${args.suffix ?? "*"}`;
}

/** The String parameter holding a service's last good release (`contract/lastGood.ts` is its value). */
export function lastGoodParameterName(stack: string, service: string): string {
  return `${stackParameterPath(stack)}${service}/last-good`;
}

/** The leaf of the canary verdict parameter; the hook's policy grants `.../*\/canary-verdict`. */
export const CANARY_VERDICT_LEAF = "canary-verdict";

/** Where deployctl publishes its verdict on each traffic step (`contract/verdict.ts`); the lifecycle hook reads it. */
export function canaryVerdictParameterName(stack: string, service: string): string {
  return `${stackParameterPath(stack)}${service}/${CANARY_VERDICT_LEAF}`;
}

/** The notification secrets the program stores as SecureString parameters. */
export const ALERT_SECRET_KEYS = ["slack-webhook-url", "pagerduty-routing-key"] as const;
export type AlertSecretKey = (typeof ALERT_SECRET_KEYS)[number];

/**
 * SSM SecureString parameter holding a notification secret (the manifest names it, never its value).
 * Under `/delivery/<stack>/`, like the release history: the validate step's role may read exactly that path.
 */
export function alertParameterName(stack: string, key: AlertSecretKey): string {
  return `${stackParameterPath(stack)}alerts/${key}`;
}

/** The lock table's partition key: the stack name (validators/lock/dynamoLock.ts writes it, infra creates the table). */
export const LOCK_TABLE_KEY = "lockId";
/** The lock item's lease end, epoch seconds: the table's TTL attribute. */
export const LOCK_TTL_ATTRIBUTE = "expiresEpoch";

/** The key prefix of a stack's run records in the record bucket (`manifest.history.prefix`); deployctl writes `<prefix>/runs/<runId>.json`. */
export function recordPrefix(stack: string): string {
  return `${stack}/`;
}

/** Per environment ECR repository: `<stack>/<repository from config>`, so stacks in one account never collide. */
export function repositoryName(stack: string, repository: string): string {
  return `${stack}/${repository}`;
}

/** Longest name that becomes a path segment or a resource-name part (stack, service, run id). */
export const SAFE_NAME_MAX = 63;

/**
 * A name that may become a path segment: letters, digits, `-`, `_`, `.`, not starting with `.`,
 * at most SAFE_NAME_MAX characters. `../x`, `a/b`, `.hidden` and names with control characters fail.
 */
export const SAFE_NAME = new RegExp(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,${SAFE_NAME_MAX - 1}}$`);

/** Whether `name` is a SAFE_NAME. */
export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name);
}
