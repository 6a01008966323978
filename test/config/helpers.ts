import type { RawStackConfig } from "../../infra/config";

/** A minimal valid service entry, overridable per test. */
export function service(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: "api", image: { repository: "delivery/api", tag: "sha-abc1234" }, port: 8080, ...overrides };
}

/** A raw stack config for `stack` with the given `delivery:` values (keys without the namespace). */
export function rawConfig(
  delivery: Record<string, unknown>,
  options: { stack?: string; secretPaths?: string[]; extra?: Record<string, unknown> } = {},
): RawStackConfig {
  const stack = options.stack ?? "dev";
  const values: Record<string, unknown> = { "aws:region": "us-east-1", ...options.extra };
  // Cloud tiers need a pipeline; tests of other keys leave it off unless they set one.
  for (const [k, v] of Object.entries({ pipeline: { enabled: false }, ...delivery })) {
    if (v !== undefined) values[`delivery:${k}`] = v;
  }
  const secrets = options.secretPaths ?? [];
  return {
    project: "delivery",
    stack,
    file: `Pulumi.${stack}.yaml`,
    values,
    isSecret: (path) => secrets.some((p) => path === p || path.startsWith(`${p}.`)),
  };
}
