import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { z } from "zod";
import { OperationalError } from "../core/errors";

/**
 * The last good release of a service: what `deployctl` rolls back to. Stored as JSON in SSM
 * Parameter Store at `/delivery/<stack>/<service>/last-good`; each validated release is a new
 * version of the parameter, so GetParameterHistory is the release history. Path and fields are a
 * contract (imageTag, taskDefinitionArn, validatedAt, runId at least).
 */
export const lastGoodReleaseSchema = z.object({
  stack: z.string().min(1),
  service: z.string().min(1),
  imageTag: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  validatedAt: z.iso.datetime(),
  runId: z.string().min(1),
  who: z.string().optional(),
});

export type LastGoodRelease = z.infer<typeof lastGoodReleaseSchema>;

/** One version of the parameter: a release, or why its value could not be read. */
export interface ReleaseVersion {
  version: number;
  modifiedAt?: string;
  release?: LastGoodRelease;
  problem?: string;
}

/** Where last good releases are kept; SsmReleaseRegistry is the real one. */
export interface ReleaseRegistry {
  get(stack: string, service: string): Promise<LastGoodRelease | undefined>;
  put(release: LastGoodRelease): Promise<number>;
  /** Every recorded release of the service, newest first. */
  history(stack: string, service: string): Promise<ReleaseVersion[]>;
}

export function lastGoodParameterName(stack: string, service: string): string {
  return `/delivery/${stack}/${service}/last-good`;
}

/** SSM could not be read or written, or holds a value that is not a release (exit 4). */
export class ReleaseRegistryError extends OperationalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "release-registry", options);
    this.name = "ReleaseRegistryError";
  }
}

export class SsmReleaseRegistry implements ReleaseRegistry {
  constructor(private readonly ssm: SSMClient) {}

  async get(stack: string, service: string): Promise<LastGoodRelease | undefined> {
    const name = lastGoodParameterName(stack, service);
    let value: string | undefined;
    try {
      value = (await this.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new ReleaseRegistryError(`cannot read SSM parameter ${name}: ${describe(err)}`, { cause: err });
    }
    const parsed = parseRelease(value);
    if (!parsed.release) throw new ReleaseRegistryError(`SSM parameter ${name} does not hold a release: ${parsed.problem}`);
    return parsed.release;
  }

  async put(release: LastGoodRelease): Promise<number> {
    const name = lastGoodParameterName(release.stack, release.service);
    const value = lastGoodReleaseSchema.parse(release);
    try {
      const out = await this.ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: JSON.stringify(value),
          Type: "String",
          Overwrite: true,
          Description: `Last good release of ${release.service} in stack ${release.stack} (written by deployctl)`,
        }),
      );
      return out.Version ?? 0;
    } catch (err) {
      throw new ReleaseRegistryError(`cannot write SSM parameter ${name}: ${describe(err)}`, { cause: err });
    }
  }

  async history(stack: string, service: string): Promise<ReleaseVersion[]> {
    const name = lastGoodParameterName(stack, service);
    const versions: ReleaseVersion[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken: token }));
        for (const p of page.Parameters ?? []) {
          versions.push({ version: p.Version ?? 0, modifiedAt: p.LastModifiedDate?.toISOString(), ...parseRelease(p.Value) });
        }
        token = page.NextToken;
      } while (token);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw new ReleaseRegistryError(`cannot read the history of SSM parameter ${name}: ${describe(err)}`, { cause: err });
    }
    return versions.sort((a, b) => b.version - a.version);
  }
}

function parseRelease(value: string | undefined): { release?: LastGoodRelease; problem?: string } {
  let json: unknown;
  try {
    json = JSON.parse(value ?? "");
  } catch {
    return { problem: "not JSON" };
  }
  const result = lastGoodReleaseSchema.safeParse(json);
  if (result.success) return { release: result.data };
  return { problem: result.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ") };
}

function isNotFound(err: unknown): boolean {
  return err instanceof ParameterNotFound || (err as { name?: string }).name === "ParameterNotFound";
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
