import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { AwsClientOptions } from "../providers/aws/clients";
import { awsConnection } from "../providers/aws/options";
import { BadInputError } from "../core/errors";

/** Flags every AWS-calling deployctl command shares. */
export interface AwsFlags {
  region?: string;
  endpointUrl?: string;
  /** A string when given on the command line; the default is a number. */
  maxAttempts: string | number;
  /** Milliseconds, parsed by the --timeout duration flag (cli/options.ts `duration`). */
  timeout: number;
}

/**
 * Client options from the flags, then `defaultRegion` (the stack file's), then the environment
 * (AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, keys).
 */
export function awsClientOptions(flags: AwsFlags, env: NodeJS.ProcessEnv, defaultRegion?: string): AwsClientOptions {
  const maxAttempts = positiveInt("--max-attempts", String(flags.maxAttempts), 10);
  return awsConnection({ region: flags.region, endpointUrl: flags.endpointUrl, maxAttempts, timeout: flags.timeout }, env, defaultRegion);
}

/**
 * The region the stack file sets (`aws:region` in `<dir>/Pulumi.<stack>.yaml`), as the other
 * commands take it from the stack; undefined when there is no such file or it sets none. A file
 * that is not YAML is bad input naming it.
 */
export function stackRegion(dir: string, stack: string): string | undefined {
  const path = join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(path)) return undefined;
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new BadInputError(
      `Pulumi.${stack}.yaml is not valid YAML (${err instanceof Error ? err.message.split("\n")[0] : String(err)}).`,
      {
        cause: err,
      },
    );
  }
  const config = (doc as { config?: Record<string, unknown> } | null)?.config;
  const region = config?.["aws:region"];
  return typeof region === "string" && region !== "" ? region : undefined;
}

export function positiveInt(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max)
    throw new BadInputError(`${flag} is ${JSON.stringify(value)}; expected a whole number from 1 to ${max}`);
  return n;
}

/** The pipeline's name: `--pipeline`, else `<project>-<stack>`; and where it came from, for messages. */
export function pipelineName(flags: { pipeline?: string; stack?: string; project: string }): { name: string; from: string } {
  if (flags.pipeline !== undefined) {
    if (!/^[A-Za-z0-9.@_-]{1,100}$/.test(flags.pipeline)) {
      throw new BadInputError(
        `--pipeline is ${JSON.stringify(flags.pipeline)}; expected a pipeline name: 1 to 100 letters, digits, '.', '@', '_' or '-'`,
      );
    }
    return { name: flags.pipeline, from: "--pipeline" };
  }
  if (flags.stack === undefined) throw new BadInputError("pipeline status needs --stack <env> (or --pipeline NAME)");
  if (!/^[A-Za-z0-9_.-]+$/.test(flags.stack))
    throw new BadInputError(`--stack is ${JSON.stringify(flags.stack)}; expected a stack name: letters, digits, '_', '.' or '-'`);
  if (!/^[A-Za-z0-9_.-]+$/.test(flags.project))
    throw new BadInputError(`--project is ${JSON.stringify(flags.project)}; expected a project name: letters, digits, '_', '.' or '-'`);
  return { name: `${flags.project}-${flags.stack}`, from: `--stack ${flags.stack}` };
}
