import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { type LastGoodRelease, lastGoodReleaseSchema, parseLastGoodRelease } from "../../contract/lastGood";
import { lastGoodParameterName } from "../../contract/names";
import { OperationalError } from "../core/errors";
import { toOperationalError } from "../providers/aws/call";

export { type LastGoodRelease, lastGoodReleaseSchema, parseLastGoodRelease } from "../../contract/lastGood";
export { lastGoodParameterName } from "../../contract/names";

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
  /** Writes the release; returns its version, or `dry-run` when nothing was written (`validate --dry-run`). */
  put(release: LastGoodRelease): Promise<number | "dry-run">;
  /** Every recorded release of the service, newest first. */
  history(stack: string, service: string): Promise<ReleaseVersion[]>;
  /** Where the service's last good release is kept, for messages (`/delivery/<stack>/<service>/last-good`). */
  location?(stack: string, service: string): string;
  /** The same place as a sentence names it (`SSM parameter /delivery/<stack>/<service>/last-good`). */
  describe?(stack: string, service: string): string;
}

/** SSM could not be read or written, or holds a value that is not a release (exit 4). */
export class ReleaseRegistryError extends OperationalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "release-registry", options);
    this.name = "ReleaseRegistryError";
  }
}

/** The registry holds a value for the service that is not a release (a rollback could not use it). */
export class MalformedReleaseError extends ReleaseRegistryError {
  constructor(
    message: string,
    /** Where the value is (`ReleaseRegistry.location`). */
    readonly location: string,
    /** What is wrong with it (`not JSON`, `imageTag: ...`). */
    readonly problem: string,
  ) {
    super(message);
    this.name = "MalformedReleaseError";
  }
}

export class SsmReleaseRegistry implements ReleaseRegistry {
  constructor(private readonly ssm: SSMClient) {}

  location(stack: string, service: string): string {
    return lastGoodParameterName(stack, service);
  }

  describe(stack: string, service: string): string {
    return `SSM parameter ${lastGoodParameterName(stack, service)}`;
  }

  async get(stack: string, service: string): Promise<LastGoodRelease | undefined> {
    const name = lastGoodParameterName(stack, service);
    let value: string | undefined;
    try {
      value = (await this.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new ReleaseRegistryError(`cannot read SSM parameter ${name}: ${describe("SSM GetParameter", err)}`, { cause: err });
    }
    const parsed = parseLastGoodRelease(value, name);
    if (!parsed.release)
      throw new MalformedReleaseError(`SSM parameter ${name} does not hold a release: ${parsed.problem}`, name, parsed.problem ?? "?");
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
      throw new ReleaseRegistryError(`cannot write SSM parameter ${name}: ${describe("SSM PutParameter", err)}`, { cause: err });
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
          versions.push({ version: p.Version ?? 0, modifiedAt: p.LastModifiedDate?.toISOString(), ...parseLastGoodRelease(p.Value, name) });
        }
        token = page.NextToken;
      } while (token);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw new ReleaseRegistryError(`cannot read the history of SSM parameter ${name}: ${describe("SSM GetParameterHistory", err)}`, {
        cause: err,
      });
    }
    return versions.sort((a, b) => b.version - a.version);
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof ParameterNotFound || (err as { name?: string }).name === "ParameterNotFound";
}

/** The failure as every AWS call names it (`SSM GetParameter timed out after 2 attempts (AWS unreachable): ...`). */
function describe(operation: string, err: unknown): string {
  return toOperationalError(operation, err).message;
}
