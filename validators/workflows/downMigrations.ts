import { errorMessage } from "../core/errors";
import { type DeploymentManifest, type EcsMigration, runtimeOf } from "../../contract/manifest";
import type { AlertDispatcher } from "../alerts/dispatcher";
import type { Progress } from "../core/progress";
import type { MigrationRunner } from "../providers/migration";
import type { RunFinish, RunRecorder } from "../records/recorder";
import { operationalAlert } from "../rollback/alerts";
import { describeMigration, migrationAlert } from "./deploy/migration";

/**
 * `deployctl rollback --with-migrations`: before the services roll back, each one's `migration.down`
 * runs, in reverse dependsOn order (the last deployed first), with the release being undone (the
 * migration task definition the stack registered). Services without a down command are recorded as
 * skipped. The first failure stops the rollback before any service changes (`failed`, exit 1).
 * Without the flag, no down-migration ever runs: services that have one are named, so people know.
 */
export async function runDownMigrations(
  request: { manifest: DeploymentManifest; services: readonly string[]; withMigrations: boolean; runId: string },
  deps: { migrations?: MigrationRunner; progress: Progress; alerts: Pick<AlertDispatcher, "notify"> },
  recorder: RunRecorder,
): Promise<RunFinish | undefined> {
  const { manifest } = request;
  const downs: { name: string; migration?: EcsMigration }[] = [...request.services].reverse().map((name) => ({
    name,
    migration:
      runtimeOf(manifest) === "ecs"
        ? (manifest.services.find((s) => s.name === name) as { migration?: EcsMigration } | undefined)?.migration
        : undefined,
  }));
  if (!request.withMigrations) {
    const withDown = downs.filter((d) => d.migration?.down).map((d) => d.name);
    if (withDown.length > 0)
      deps.progress.info(`not running the down-migrations of ${withDown.join(", ")}: a rollback runs them only with --with-migrations`);
    return undefined;
  }
  const ctx = { manifest: { stack: manifest.stack, dashboardUrl: manifest.dashboardUrl ?? "" }, runId: request.runId };
  for (const { name, migration } of downs) {
    if (!migration?.down) {
      recorder.action({ kind: "down-migration", target: name, status: "skipped", message: `${name}: no migration.down command` });
      continue;
    }
    const down = migration.down;
    const runner = deps.migrations;
    if (!runner || runtimeOf(manifest) !== "ecs")
      return { outcome: "error", verdict: "inconclusive", error: `${name}: no migration runner for this stack` };
    let run;
    try {
      run = await deps.progress.stage(
        `down-migrate ${name} (${down.join(" ")})`,
        () =>
          runner.run({
            stack: manifest.stack,
            cluster: "cluster" in manifest ? manifest.cluster : "",
            service: name,
            migration,
            command: down,
            startedBy: `deployctl/${request.runId}`,
            onProgress: (m) => deps.progress.info(`  ${m}`),
          }),
        (r) => ({ state: r.status === "succeeded" ? "ok" : "failed", detail: describeMigration(name, r) }),
      );
    } catch (err) {
      const error = `${name}: the down-migration could not be run: ${errorMessage(err)}`;
      recorder.action({ kind: "down-migration", target: name, status: "failed", message: error });
      recorder.addActions(await deps.alerts.notify([operationalAlert(ctx, [name], error)]));
      return { outcome: "error", verdict: "inconclusive", error };
    }
    const message = describeMigration(name, run).replace("the migration", "the down-migration");
    recorder.action({
      kind: "down-migration",
      target: name,
      status: run.status === "succeeded" ? "ok" : "failed",
      message,
      details: {
        command: down,
        taskDefinitionArn: run.taskDefinitionArn,
        ...(run.taskArn ? { taskArn: run.taskArn } : {}),
        ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
        ...(run.stoppedReason ? { stoppedReason: run.stoppedReason } : {}),
        status: run.status,
        logTail: run.logTail,
      },
    });
    if (run.status !== "succeeded") {
      recorder.addActions(await deps.alerts.notify([migrationAlert(ctx, name, run)]));
      return { outcome: "failed", verdict: "fail", error: `${message}; nothing was rolled back` };
    }
  }
  return undefined;
}
