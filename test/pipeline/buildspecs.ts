import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** The buildspec files the pipeline's CodeBuild projects run. */
export const BUILDSPECS = ["build", "test", "deploy", "validate"] as const;
export type BuildspecName = (typeof BUILDSPECS)[number];

export interface Buildspec {
  version: number | string;
  env?: { shell?: string; variables?: Record<string, string>; "exported-variables"?: string[] };
  phases: Record<string, { commands: string[]; "on-failure"?: string; "runtime-versions"?: Record<string, unknown> }>;
  artifacts?: { files: string[] };
}

export const buildspecPath = (name: BuildspecName) => join(__dirname, "..", "..", "pipeline", "buildspecs", `${name}.yml`);

export function loadBuildspec(name: BuildspecName): Buildspec {
  return parse(readFileSync(buildspecPath(name), "utf8")) as Buildspec;
}

/** Every command of every phase, in the order CodeBuild runs them. */
export function allCommands(spec: Buildspec): string[] {
  return ["install", "pre_build", "build", "post_build"].flatMap((phase) => spec.phases[phase]?.commands ?? []);
}

/** Each `npx deployctl` call in the commands: the command words and the flags given. */
export interface DeployctlCall {
  words: string[];
  flags: string[];
}

export function deployctlCalls(spec: Buildspec): DeployctlCall[] {
  const calls: DeployctlCall[] = [];
  for (const command of allCommands(spec)) {
    for (const line of command.split("\n")) {
      for (const m of line.matchAll(/npx deployctl((?: [a-z][a-z-]*)+)([^|;&]*)/g)) {
        calls.push({ words: m[1].trim().split(" "), flags: [...m[2].matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((f) => f[1]) });
      }
    }
  }
  return calls;
}
