import { BadInputError, OperationalError } from "../core/errors";

export interface CallTarget {
  pipeline: string;
  region: string;
  /** Where the name came from, for messages (`--stack dev`, `--pipeline`). */
  from: string;
}

/**
 * Calls CodePipeline and turns its failures into CLI errors: a pipeline that does not exist is bad
 * input (exit 2, naming where the name came from, with `hint` when given); anything else (access
 * denied, unreachable, throttled beyond retries) is operational (exit 4, naming the operation).
 */
export async function callCodePipeline<T>(
  operation: string,
  target: CallTarget,
  call: () => Promise<T>,
  hint?: () => Promise<string>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    const message = err instanceof Error ? err.message : String(err);
    if (name === "PipelineNotFoundException") {
      const extra = hint ? await hint().catch(() => "") : "";
      throw new BadInputError(
        `pipeline ${JSON.stringify(target.pipeline)} (${target.from}) does not exist in ${target.region}; check --stack, --pipeline and --region${extra}`,
        { cause: err },
      );
    }
    throw new OperationalError(
      `CodePipeline ${operation} failed for pipeline ${JSON.stringify(target.pipeline)} in ${target.region}: ${name}: ${firstLine(message)}`,
      operation,
      {
        cause: err,
      },
    );
  }
}

function firstLine(text: string): string {
  return (text.trim().split("\n")[0] ?? "").slice(0, 300);
}
