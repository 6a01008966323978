import type { EnvTemplate } from "../../contract/envTemplate";
import type { RuntimeName } from "../../contract/manifest";
import type { ConfigProblem } from "./errors";
import { secretsMap } from "./services";
import type { RawService } from "./schema";

export { envTemplateSchema, resolveEnvTemplate, type EnvTemplate } from "../../contract/envTemplate";

const ROOT = "delivery:services";

/** What the template check needs besides the raw service entries. */
export interface EnvTemplateContext {
  runtime: RuntimeName;
  /** Whether the value at a config path was given as a `secure:` value. */
  isSecret(path: string): boolean;
  /** `delivery:kubernetes.secrets` as written (service -> variable -> secure value); Kubernetes only. */
  kubernetesSecrets?: unknown;
}

/**
 * Checks every service entry (as written, so a service with other problems is still checked) against
 * `delivery:envTemplate`:
 * - each `required` key must reach the container: from `environment`, or as a secret (on ECS a
 *   `secrets` reference, on Kubernetes `delivery:kubernetes.secrets.<service>`; Docker has environment only);
 * - each `secrets` key given in `environment` (the service's or its migration's) must be a `secure:`
 *   value, never plain text.
 * Pushes one problem per missing key per service and per plain-text secret. Values are never shown.
 */
export function checkEnvTemplate(
  template: EnvTemplate,
  services: readonly unknown[],
  ctx: EnvTemplateContext,
  problems: ConfigProblem[],
): void {
  const secretKeys = new Set(template.secrets);
  services.forEach((entry, index) => {
    if (!isRecord(entry) || typeof entry.name !== "string") return; // resolveServices reports it
    const name = entry.name;
    const at = `${ROOT}[${index}]`;
    const environment = isRecord(entry.environment) ? entry.environment : {};
    const fromSecrets = secretSources(entry, ctx);
    for (const key of template.required) {
      if (key in environment || fromSecrets.has(key)) continue;
      problems.push({
        code: "missing-env-key",
        path: `${at}.environment`,
        message: `(${name}) is missing required key ${key} (delivery:envTemplate.required); ${whereToSet(ctx.runtime, name, key, secretKeys.has(key), at)}.`,
      });
    }
    const plainSecret = (path: string, key: string) =>
      problems.push({
        code: "plaintext-secret",
        path,
        message: `(${name}) is a plaintext value, but ${key} is a secret key (delivery:envTemplate.secrets); ${secretAdvice(ctx.runtime, name, key, path)}.`,
      });
    for (const key of Object.keys(environment)) {
      const path = `${at}.environment.${key}`;
      if (secretKeys.has(key) && !ctx.isSecret(path)) plainSecret(path, key);
    }
    const migration = isRecord(entry.migration) && isRecord(entry.migration.environment) ? entry.migration.environment : {};
    for (const key of Object.keys(migration)) {
      const path = `${at}.migration.environment.${key}`;
      if (secretKeys.has(key) && !ctx.isSecret(path)) plainSecret(path, key);
    }
  });
}

/** The variables a service gets as secrets on its runtime (never from `environment`). */
function secretSources(entry: Record<string, unknown>, ctx: EnvTemplateContext): Set<string> {
  if (ctx.runtime === "ecs") {
    const secrets = entry.secrets;
    const valid = isRecord(secrets) || (Array.isArray(secrets) && secrets.every((s) => typeof s === "string"));
    return new Set(valid ? Object.keys(secretsMap(secrets as RawService["secrets"])) : []);
  }
  if (ctx.runtime === "kubernetes" && isRecord(ctx.kubernetesSecrets)) {
    const own = ctx.kubernetesSecrets[entry.name as string];
    return new Set(isRecord(own) ? Object.keys(own) : []);
  }
  return new Set();
}

function whereToSet(runtime: RuntimeName, service: string, key: string, secret: boolean, at: string): string {
  if (runtime === "ecs")
    return secret
      ? `add it to secrets as an SSM parameter or Secrets Manager reference (${key}: /path/to/parameter)`
      : `set it in environment (deployctl config set-env --service ${service} ${key}=...) or in secrets as an SSM parameter or Secrets Manager reference`;
  if (runtime === "kubernetes")
    return secret
      ? `set it as a secure value in delivery:kubernetes.secrets.${service}.${key} (pulumi config set --secret --path)`
      : `set it in environment (deployctl config set-env --service ${service} ${key}=...) or as a secure value in delivery:kubernetes.secrets.${service}.${key}`;
  return secret
    ? `set it as a secure value: pulumi config set --secret --path '${at}.environment.${key}' <value>`
    : `set it in environment (deployctl config set-env --service ${service} ${key}=...)`;
}

function secretAdvice(runtime: RuntimeName, service: string, key: string, path: string): string {
  const secure = `pulumi config set --secret --path '${path}' <value>`;
  if (runtime === "ecs") return `move it to secrets as an SSM parameter or Secrets Manager reference, or set it with: ${secure}`;
  if (runtime === "kubernetes") return `move it to delivery:kubernetes.secrets.${service}.${key}, or set it with: ${secure}`;
  return `set it with: ${secure}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
