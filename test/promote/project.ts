/**
 * Temporary copies of the Pulumi project files (Pulumi.yaml and the four stack files) for the
 * promote tests: the commands read and write them, never the repository's own.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
export const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.local.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"];

/** A new temporary folder holding a copy of the project files. */
export function copyProject(prefix = "promote-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const f of PROJECT_FILES) copyFileSync(join(ROOT, f), join(dir, f));
  return dir;
}

export function readStack(dir: string, stack: string): string {
  return readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8");
}

export function writeStack(dir: string, stack: string, text: string): void {
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), text);
}

/**
 * Pulumi.prod.yaml as the staging file with the stack's name changed (and the approver prod's
 * pipeline needs): the two stacks differ only by their tier, plus what `edit` changes.
 */
export function tierTwin(dir: string, edit: (text: string) => string = (t) => t): void {
  const staging = readStack(dir, "staging");
  writeStack(dir, "prod", edit(`${staging.replace(/staging/g, "prod")}    approvers:\n      - release-managers@example.com\n`));
}
