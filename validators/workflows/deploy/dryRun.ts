import { type DeploymentManifest, runtimeOf, type RuntimeName } from "../../../contract/manifest";
import { checkServiceNames, dependsOnOrder } from "../../rollback/order";
import { readStackServices, type StackService, tagEdits } from "../../rollback/stackConfig";
import type { DeployDeps, DeployOptions } from "./deploy";
import { type GateOutcome, gateReasons } from "./gate";
import { describeTags, planDeploy, runGates } from "./plan";

/** One service of a deploy plan, in the order it would be released. */
export interface DeployPlanService {
  service: string;
  /** The tag the stack last deployed (its manifest). */
  from: string;
  to: string;
  /** The stack config key the deploy would set to `to`. */
  configPath: string;
  /** What happens about its migration before (ECS) or with (Kubernetes) its update. */
  migration: string;
  /** Its progressive strategy and traffic steps (ECS); absent: a rolling update. */
  traffic?: string;
  /** The stages it would go through, in order. */
  steps: string[];
}

/** What `deploy` would do, computed as the real run computes it and stopping before the first change. */
export interface DeployPlan {
  stack: string;
  runtime: RuntimeName;
  /** `--tag`; absent: the tags already in the stack config (a promotion). */
  tag?: string;
  /** would-deploy (exit 0); would-refuse: the gate fails (exit 1); nothing-to-do: every service runs its config's tag (exit 0). */
  outcome: "would-deploy" | "would-refuse" | "nothing-to-do";
  reason?: string;
  /** The gate's verdict and checks, per distinct tag merged (absent when there is nothing to deploy). */
  gate?: GateOutcome;
  services: DeployPlanService[];
  /** Without --tag: the later services set back to their deployed tag first, so they go one at a time. */
  holdBack: { service: string; path: string; tag: string }[];
  skipMigrations: boolean;
  /** After every service passed, or when one fails. */
  then: { pass: string; fail: string };
}

/**
 * `deploy --dry-run`: the same selection, plan and gate as the real deploy (the gate only reads), then
 * each service's stages as they would run; no lock, config edit, migration, stack update, validation,
 * record or alert. A gate that fails is the refusal the real deploy would make (`would-refuse`);
 * one that cannot be asked throws, as the real deploy's error would end it.
 */
export async function planDeployRun<M extends DeploymentManifest>(
  manifest: M,
  options: Pick<DeployOptions, "tag" | "services" | "waitSeconds" | "retries" | "skipMigrations">,
  deps: Pick<DeployDeps<M>, "stacks" | "gate" | "progress" | "migrations">,
): Promise<DeployPlan> {
  const selected = options.services?.length ? [...new Set(options.services)] : manifest.services.map((s) => s.name);
  checkServiceNames("--service", selected, manifest.services, manifest.stack);
  const order = dependsOnOrder(manifest.services, selected);
  const runtime = runtimeOf(manifest);
  const stackServices = await readStackServices(deps.stacks, manifest.stack);
  const planned = planDeploy(manifest.stack, order, manifest, stackServices, options.tag);
  const skipMigrations = options.skipMigrations ?? false;
  const plan: DeployPlan = {
    stack: manifest.stack,
    runtime,
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    outcome: "would-deploy",
    services: [],
    holdBack: [],
    skipMigrations,
    then: {
      pass: `record ${planned.services.map((s) => s.name).join(", ") || "them"} as last good`,
      fail: "roll the failing service and those deployed before it back to their last good release, in reverse order, and alert",
    },
  };
  if (planned.services.length === 0) {
    return { ...plan, outcome: "nothing-to-do", reason: `${order.join(", ")} already run the tags in the stack config` };
  }
  plan.gate = await deps.progress.stage(
    `gate ${describeTags(planned.services)} for ${planned.services.map((s) => s.name).join(", ")}`,
    () => runGates(deps.gate, manifest, planned.services),
    (g) => ({
      state: g.verdict === "pass" ? "ok" : g.verdict === "fail" ? "failed" : "inconclusive",
      detail: gateReasons(g, ["fail", "inconclusive"]).join("; ") || undefined,
    }),
  );
  if (plan.gate.verdict === "fail") {
    plan.outcome = "would-refuse";
    plan.reason = `the gate refuses: ${gateReasons(plan.gate).join("; ")}`;
  }
  const holdBackEdits = tagEdits(manifest.stack, stackServices, planned.holdBack);
  plan.holdBack = planned.holdBack.map((h, i) => ({ ...h, path: holdBackEdits[i]?.path ?? "" }));
  for (const service of planned.services) {
    const [edit] = tagEdits(manifest.stack, stackServices, [{ service: service.name, tag: service.to }]);
    const entry = manifest.services.find((s) => s.name === service.name);
    const config = stackServices.find((s) => s.name === service.name);
    const migration = describePlannedMigration(runtime, entry, config, skipMigrations, deps.migrations !== undefined);
    const traffic = entry && "deployment" in entry && typeof entry.deployment === "object" ? entry.deployment : undefined;
    const steps = [
      ...(migration.step ? [migration.step] : []),
      `set ${edit?.path ?? ""} = ${service.to}, then a stack update`,
      ...(traffic ? [`watch each traffic step (${traffic.steps.join("%, ")}%) against the baseline`] : []),
      `validate (wait up to ${options.waitSeconds ?? 600}s for the rollout${options.retries ? `; up to ${options.retries} restart(s) on a failed health check` : ""})`,
    ];
    plan.services.push({
      service: service.name,
      from: service.from,
      to: service.to,
      configPath: edit?.path ?? "",
      migration: migration.text,
      ...(traffic ? { traffic: `${traffic.strategy}: ${traffic.steps.join("%, ")}%, ${traffic.stepMinutes} min each` } : {}),
      steps,
    });
  }
  return plan;
}

/** A service's migration in the plan: what the text says, and the stage it adds before the update. */
function describePlannedMigration(
  runtime: RuntimeName,
  entry: DeploymentManifest["services"][number] | undefined,
  config: StackService | undefined,
  skip: boolean,
  hasRunner: boolean,
): { text: string; step?: string } {
  if (runtime === "ecs") {
    const migration = entry && "migration" in entry ? entry.migration : undefined;
    if (!migration) return { text: "none" };
    const command = migration.command.join(" ");
    if (skip) return { text: `not run (--skip-migrations): ${command}` };
    if (!hasRunner) return { text: `${command}: no migration runner for this stack, so the deploy would stop here` };
    return {
      text: command,
      step: `migrate: a one-off task of ${migration.taskDefinitionFamily} with the new image runs ${command}; it must exit 0 within ${migration.timeoutSeconds}s`,
    };
  }
  if (runtime === "kubernetes" && config?.migration)
    return {
      text: "a Job in the stack update (the Deployment waits for it)",
      step: "migrate: the stack update runs the migration Job first",
    };
  return { text: "none" };
}
