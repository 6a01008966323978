import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Option } from "commander";
import { ConfigError } from "../../../infra/config";
import { listStacks, type SynthDocument, synthStack, writeSynthDocument } from "../../../infra/synth/synth";
import { formatSummary } from "../../../infra/synth/summary";
import type { RegisterCommand } from "../context";
import { BadInputError } from "../errors";
import { ExitCode } from "../exitCodes";
import { println } from "../io";

interface SynthFlags {
  stack?: string[];
  dir: string;
  out: string;
  output: "text" | "json";
}

export const registerSynth: RegisterCommand = (program, ctx) => {
  program
    .command("synth")
    .description(
      "Render stacks offline through Pulumi's mock runtime (no cloud account, no Pulumi CLI): print a summary per stack and write out/synth/<stack>.json with every resource (secrets masked).",
    )
    .option("-s, --stack <name...>", "stack(s) to render (default: every Pulumi.<stack>.yaml)")
    .option("--dir <dir>", "the Pulumi project directory", ".")
    .option("--out <dir>", "where to write <stack>.json", "out/synth")
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (flags: SynthFlags) => {
      const dir = resolve(ctx.io.cwd, flags.dir);
      if (!existsSync(join(dir, "Pulumi.yaml"))) {
        throw new BadInputError(`--dir is "${flags.dir}"; it has no Pulumi.yaml (expected the project directory).`);
      }
      const available = listStacks(dir);
      const stacks = flags.stack ?? available;
      for (const s of stacks) {
        if (!available.includes(s)) {
          throw new BadInputError(`--stack is "${s}"; there is no Pulumi.${s}.yaml in ${dir} (stacks: ${available.join(", ")}).`);
        }
      }
      const docs: SynthDocument[] = [];
      let invalid = 0;
      for (const stack of stacks) {
        try {
          const doc = await synthStack(dir, stack);
          const file = writeSynthDocument(resolve(ctx.io.cwd, flags.out), doc);
          docs.push(doc);
          if (flags.output === "text") ctx.io.stdout(formatSummary(doc.summary, file));
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          invalid++;
          println(ctx.io.stderr, err.message);
        }
      }
      if (flags.output === "json") println(ctx.io.stdout, JSON.stringify(docs.map((d) => d.summary), null, 2));
      ctx.setExitCode(invalid > 0 ? ExitCode.BadInput : ExitCode.Ok);
    });
};
