import { readFileSync } from "node:fs";
import { z } from "zod";
import { BadInputError } from "../core/errors";
import type { TagEdit } from "./tags";

/** The part of the `deployment` stack output (contract/manifest.ts) that says what runs. */
const deployedSchema = z.looseObject({
  services: z.array(z.looseObject({ name: z.string().min(1), imageTag: z.string().min(1) }), { error: "expected a list of services" }),
});

/**
 * The tags a deployment manifest says are running (`pulumi stack output deployment --json`), as
 * edits: the pipeline carries them forward so services it did not build keep what runs.
 */
export function readManifestTags(file: string): TagEdit[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new BadInputError(`--from-manifest is ${JSON.stringify(file)}: cannot read it as JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  const parsed = deployedSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue.path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
        .join("")
        .replace(/^\./, "") || "(document)";
    const seen = issue.input === undefined ? "is missing" : `is ${JSON.stringify(issue.input)}`;
    throw new BadInputError(`${file}: ${where} ${seen}; expected the deployment stack output (services, each with name and imageTag)`);
  }
  return parsed.data.services.map((s) => ({ service: s.name, tag: s.imageTag }));
}
