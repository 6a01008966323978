import type { EcsMigration } from "../../contract/manifest";

/** One migration run to make: which service's migration, which command (up or down) and image tag. */
export interface MigrationRequest {
  stack: string;
  cluster: string;
  service: string;
  migration: EcsMigration;
  /** The command to run: the migration's `command`, or its `down` for a rollback. */
  command: string[];
  /**
   * Run the service's repository at this tag (deploy: the tag about to roll out). Absent: the task
   * definition as the stack registered it (rollback's down-migration: the release being undone).
   */
  imageTag?: string;
  /** Tags the task with who started it (`deployctl/<run id>`), at most 36 characters. */
  startedBy: string;
  /** Called while the run is waited for. */
  onProgress?: (message: string) => void;
}

/**
 * How a migration run ended. `succeeded`: its container exited 0. `failed`: it stopped otherwise
 * (a non-zero exit, no container, a task that never started). `timed-out`: still running at the
 * timeout, and stopped. Facts for the record: the task, exit code, ECS's stopped reason and the last
 * lines of its log (`logNote` says why there are none).
 */
export interface MigrationRun {
  status: "succeeded" | "failed" | "timed-out";
  taskArn?: string;
  taskDefinitionArn: string;
  exitCode?: number;
  stoppedReason?: string;
  /** Why it failed, in one line (absent when it succeeded). */
  reason?: string;
  logTail: string[];
  logNote?: string;
  seconds: number;
}

/**
 * Runs one migration to its end and reports it; never judges it. An AWS failure (unreachable,
 * denied) is thrown as an OperationalError. Implemented on ECS by providers/aws/migrationRunner.ts.
 */
export interface MigrationRunner {
  run(request: MigrationRequest): Promise<MigrationRun>;
}
