import type { Alert } from "../../alerts/types";
import { errorKindOf, errorMessage } from "../../core/errors";
import type { EcsManifest } from "../../../contract/manifest";
import type { MigrationRun } from "../../providers/migration";
import type { RunFinish, RunRecorder } from "../../records/recorder";
import { operationalAlert } from "../../rollback/alerts";
import type { DeployDeps } from "./deploy";
import type { PlannedService } from "./plan";
import { end } from "./release";

/** Whether a service may go on to its update after its migration step. */
export type MigrationStep = { kind: "go-on" } | { kind: "ended"; end: RunFinish };

/** One line about a migration run, for the progress, the record and the alert. */
export function describeMigration(service: string, run: MigrationRun): string {
  const what = run.status === "succeeded" ? "succeeded" : run.status === "timed-out" ? "timed out" : "failed";
  const facts = [
    run.taskArn ? `task ${run.taskArn}` : undefined,
    run.exitCode !== undefined ? `exit code ${run.exitCode}` : undefined,
    run.stoppedReason ? `stopped reason "${run.stoppedReason}"` : undefined,
    `${run.seconds}s`,
  ].filter(Boolean);
  return `${service}: the migration ${what}${run.reason && run.status !== "succeeded" ? ` (${run.reason})` : ""}; ${facts.join(", ")}`;
}

/** A failed or timed-out migration: critical, the service left on its running release. */
export function migrationAlert(
  ctx: { manifest: Pick<EcsManifest, "stack" | "dashboardUrl">; runId: string },
  service: string,
  run: MigrationRun,
): Alert {
  return {
    stack: ctx.manifest.stack,
    service,
    verdict: "fail",
    severity: "critical",
    checks: [],
    action: `none: the deploy stopped before updating ${service}, which still runs its previous release; the database may be half migrated: look at the migration's log, fix, deploy again`,
    dashboardUrl: ctx.manifest.dashboardUrl,
    runId: ctx.runId,
    details: [
      describeMigration(service, run),
      ...(run.logTail.length > 0 ? ["log tail:", ...run.logTail.slice(-20)] : run.logNote ? [run.logNote] : []),
    ],
  };
}

/**
 * The migration step of one service (issue 15), before its stack update: run the service's
 * migration as a one-off task with the image about to roll out and go on only when it exited 0.
 * A failed or timed-out run stops the deploy (`failed`, exit 1) with the service untouched and a
 * critical alert; a run that could not be made at all (AWS unreachable) is an `error` (exit 4).
 * `--skip-migrations` records that it was skipped. Services without a migration go straight on.
 */
export async function runMigration(
  step: { manifest: EcsManifest; service: PlannedService },
  options: { skip: boolean },
  deps: Pick<DeployDeps, "migrations" | "progress" | "alerts" | "runId">,
  recorder: RunRecorder,
): Promise<MigrationStep> {
  const { name, to } = step.service;
  const migration = step.manifest.services.find((s) => s.name === name)?.migration;
  if (!migration) return { kind: "go-on" };
  const ctx = { manifest: step.manifest, runId: deps.runId };
  if (options.skip) {
    const message = `${name}: migration not run (--skip-migrations): ${migration.command.join(" ")}`;
    deps.progress.info(message);
    recorder.action({ kind: "migration", target: name, status: "skipped", message, details: { command: migration.command } });
    return { kind: "go-on" };
  }
  const runner = deps.migrations;
  if (!runner) {
    const error = `${name}: has a migration but deployctl has no migration runner for this stack`;
    recorder.action({ kind: "migration", target: name, status: "failed", message: error });
    return { kind: "ended", end: end("error", error) };
  }
  let run: MigrationRun;
  try {
    run = await deps.progress.stage(
      `migrate ${name} with ${to} (${migration.command.join(" ")})`,
      () =>
        runner.run({
          stack: step.manifest.stack,
          cluster: step.manifest.cluster,
          service: name,
          migration,
          command: migration.command,
          imageTag: to,
          startedBy: `deployctl/${deps.runId}`,
          onProgress: (m) => deps.progress.info(`  ${m}`),
        }),
      (r) => ({ state: r.status === "succeeded" ? "ok" : "failed", detail: describeMigration(name, r) }),
    );
  } catch (err) {
    const error = `${name}: the migration could not be run: ${errorMessage(err)}`;
    recorder.action({ kind: "migration", target: name, status: "failed", message: error });
    recorder.addActions(await deps.alerts.notify([operationalAlert(ctx, [name], error)]));
    return { kind: "ended", end: end("error", error, errorKindOf(err)) };
  }
  const message = describeMigration(name, run);
  recorder.action({
    kind: "migration",
    target: name,
    status: run.status === "succeeded" ? "ok" : "failed",
    message,
    details: {
      command: migration.command,
      taskDefinitionArn: run.taskDefinitionArn,
      ...(run.taskArn ? { taskArn: run.taskArn } : {}),
      ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
      ...(run.stoppedReason ? { stoppedReason: run.stoppedReason } : {}),
      status: run.status,
      seconds: run.seconds,
      logTail: run.logTail,
      ...(run.logNote ? { logNote: run.logNote } : {}),
    },
  });
  if (run.status === "succeeded") return { kind: "go-on" };
  for (const line of run.logTail.slice(-20)) deps.progress.info(`  | ${line}`);
  recorder.addActions(await deps.alerts.notify([migrationAlert(ctx, name, run)]));
  return { kind: "ended", end: end("failed", `${message}; ${name} was not updated`) };
}
