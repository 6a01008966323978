import { resolve } from "node:path";
import { Option } from "commander";
import { addDeadlineOptions, type DeadlineFlags, underDeadline } from "../deadline";
import type { AwsFlags } from "../../pipeline";
import type { CliContext, RegisterCommand } from "../context";
import { ExitCode } from "../exitCodes";
import { addAwsConnectionOptions, outputOption } from "../options";
import type { OutputFormat } from "../../render/format";

interface StatusFlags extends AwsFlags, DeadlineFlags {
  stack?: string;
  pipeline?: string;
  project: string;
  dir?: string;
  executions: string | number;
  output: OutputFormat;
}

/** `deployctl pipeline status`: the latest executions of a stack's pipeline, stage by stage. */
export const registerPipeline: RegisterCommand = (program, ctx) => {
  const pipeline = program.command("pipeline").description("Look at a stack's delivery pipeline (AWS CodePipeline).");
  const status = addAwsConnectionOptions(
    pipeline
      .command("status")
      .description("Show the pipeline's latest execution: each stage and action with its status, time and failure message.")
      .option("-s, --stack <env>", "the stack whose pipeline to read (dev, staging, prod, local)")
      .option("--pipeline <name>", "the pipeline's name (default: <project>-<stack>)")
      .option("--project <name>", "the project prefix of the pipeline's name", "delivery")
      .addOption(new Option("--executions <n>", "how many executions to list, newest first (1 to 100)").default(1))
      .option("--dir <dir>", "the Pulumi project folder with Pulumi.<stack>.yaml (default: the current directory)"),
    "aws:region in Pulumi.<stack>.yaml",
  )
    .addOption(outputOption())
    .addHelpText(
      "after",
      `
Example:
  deployctl pipeline status --stack staging --executions 5

Exit codes:
  0  the latest execution succeeded, is in progress, was superseded, or there is none yet
  1  the latest execution Failed, was Stopped or Cancelled, or is Stopping (its change will not
     reach a validated release)
  2  bad input (flags, or no such pipeline)
  4  AWS could not be asked (access denied, unreachable, throttled), or --deadline passed`,
    );
  addDeadlineOptions(status, "pipeline status", { pulumi: false }).action(async (flags: StatusFlags) => {
    ctx.setExitCode(await underDeadline(flags, ctx, (c) => runStatus(flags, c)));
  });
};

async function runStatus(flags: StatusFlags, ctx: CliContext): Promise<number> {
  const { createAwsClients } = await import("../../providers/aws/clients.js");
  const { awsClientOptions, pipelineName, positiveInt, readPipelineStatus, renderPipelineStatusText, stackRegion } = await import(
    "../../pipeline/index.js"
  );
  const { name, from } = pipelineName(flags);
  const executions = positiveInt("--executions", String(flags.executions), 100);
  const dir = resolve(ctx.io.cwd, flags.dir ?? ".");
  const options = awsClientOptions(flags, ctx.io.env, flags.stack === undefined ? undefined : stackRegion(dir, flags.stack));
  const clients = createAwsClients(options);
  const result = await readPipelineStatus(clients, { pipeline: name, region: options.region, executions, from });
  const { markdownOfText } = await import("../../render/document.js");
  ctx.io.stdout(
    flags.output === "json"
      ? `${JSON.stringify(result, null, 2)}\n`
      : flags.output === "markdown"
        ? markdownOfText(`deployctl pipeline status ${name}`, renderPipelineStatusText(result))
        : renderPipelineStatusText(result),
  );
  return result.failed ? ExitCode.Fail : ExitCode.Ok;
}
