import { ConfigError, parseEnvironmentConfig, type RawStackConfig } from "../../infra/config";

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

/** The lines of the ConfigError the config throws for these `delivery:` values, without the heading. */
export function problemsOf(delivery: Record<string, unknown>, options?: Parameters<typeof rawConfig>[1]): string[] {
  try {
    parseEnvironmentConfig(rawConfig(delivery, options));
  } catch (err) {
    if (err instanceof ConfigError)
      return err.message
        .split("\n")
        .slice(1)
        .map((l) => l.replace(/^ {2}- /, ""));
    throw err;
  }
  throw new Error("expected a ConfigError");
}
