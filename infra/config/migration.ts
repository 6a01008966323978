import { z } from "zod";

/**
 * A service's database migration (`delivery:services[i].migration`, issue 15): a one-off run of the
 * service's image before its new revision rolls out. On ECS, `deployctl deploy` runs it as an ECS
 * task; on Kubernetes, `pulumi up` runs it as a Job the Deployment depends on. A Docker stack does
 * not support it yet (a config error, see resolveServices).
 */
export const MIGRATION_TIMEOUT_SECONDS = { min: 30, max: 3600, default: 900 } as const;

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" });

/** A command as an argv list: 1 to 32 arguments, each 1 to 1024 characters. */
const command = (what: string) =>
  z
    .array(
      z
        .string({ error: "expected a string argument" })
        .min(1, { error: "must not be empty" })
        .max(1024, { error: "must be at most 1024 characters" }),
      { error: `expected the ${what} as a list of arguments, e.g. ["npm", "run", "migrate"]` },
    )
    .min(1, { error: `must list at least the ${what}'s executable` })
    .max(32, { error: "must have at most 32 arguments" });

export const migrationSchema = z.strictObject({
  /** The migration's command (the container's command is overridden with it). */
  command: command("migration command"),
  /**
   * A full image reference to run instead of the service's image, e.g. `registry/app-migrate:v3`.
   * @default the service's repository at the tag being deployed
   */
  image: z
    .string({ error: "expected an image reference" })
    .regex(/^[a-z0-9][a-z0-9._\-/:@]{0,254}$/, { error: "expected an image reference such as registry/repository:tag" })
    .optional(),
  /** The run is stopped and counted as failed after this long. @default 900 */
  timeoutSeconds: z
    .number({ error: "expected a whole number of seconds" })
    .int({ error: "expected a whole number of seconds" })
    .min(MIGRATION_TIMEOUT_SECONDS.min, {
      error: `must be from ${MIGRATION_TIMEOUT_SECONDS.min} to ${MIGRATION_TIMEOUT_SECONDS.max} seconds`,
    })
    .max(MIGRATION_TIMEOUT_SECONDS.max, {
      error: `must be from ${MIGRATION_TIMEOUT_SECONDS.min} to ${MIGRATION_TIMEOUT_SECONDS.max} seconds`,
    })
    .optional(),
  /** Variables added to the service's environment for the migration only. @default {} */
  environment: z.record(envVarName, z.string({ error: "expected a string value (quote numbers)" })).optional(),
  /** The down-migration: run only by `deployctl rollback --with-migrations`. @default none */
  down: command("down-migration command").optional(),
});

export type RawMigration = z.infer<typeof migrationSchema>;

/** A service's migration with its defaults applied. */
export interface MigrationConfig {
  command: string[];
  /** A full image reference; absent: the service's repository at the tag being deployed. */
  image?: string;
  timeoutSeconds: number;
  environment: Record<string, string>;
  down?: string[];
}

export function resolveMigration(raw: RawMigration | undefined): MigrationConfig | undefined {
  if (!raw) return undefined;
  return {
    command: [...raw.command],
    ...(raw.image ? { image: raw.image } : {}),
    timeoutSeconds: raw.timeoutSeconds ?? MIGRATION_TIMEOUT_SECONDS.default,
    environment: { ...(raw.environment ?? {}) },
    ...(raw.down ? { down: [...raw.down] } : {}),
  };
}
