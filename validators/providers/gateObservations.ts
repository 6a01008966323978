/**
 * What a runtime tells the gate (`deployctl gate`, deploy's pre-deploy gate) before a deploy starts:
 * whether the new image exists, which alerts of the stack are firing, and whether a rollout is
 * still in progress. Runtime-neutral facts, no verdict: `validators/gate/` judges them, together
 * with the domain's ReleaseRegistry for the last good release.
 *
 * One implementation per runtime: providers/aws/ecsGate.ts (ECR, CloudWatch alarms, ECS
 * deployments), providers/kubernetes/gate.ts (the image's registry over the OCI distribution API,
 * Prometheus' ALERTS, the Deployment's status) and providers/docker/gate.ts (the engine's images,
 * no alarms, the containers' states). The composition root (cli/compose.ts) picks it from the
 * manifest's `runtime`.
 */

import type { RolloutState, RuntimeName } from "./runtime";

/** Whether a service's image with the new tag exists where the runtime pulls it from. */
export type ImageObservation =
  /** `repository` names where it was found, as people recognise it (`<registry>/<repo>`). */
  | {
      state: "exists";
      repository: string;
      /** The manifest's digest, when the registry says it (`Docker-Content-Digest`). */ digest?: string;
    }
  /** `why` says how the absence was established (`no image has that tag`, `the registry answered 404 ...`). */
  | { state: "missing"; repository: string; why: string }
  /**
   * The runtime could not find out (credentials refused, registry unreachable, not a registry it
   * can ask). `reason` is a sentence naming why, without the ending; `image` what was looked for.
   * Never a pass: the gate warns.
   */
  | { state: "unknown"; image: string; reason: string; details?: Record<string, unknown> };

/** An alert (alarm) of the stack that is firing. */
export interface FiringAlert {
  name: string;
  /** The runtime's words for why (CloudWatch's StateReason, the alert's labels). */
  reason: string;
  /** ISO time it started firing, when known. */
  since: string | null;
}

/** The stack's firing alerts, or why the runtime has none to ask. */
export type AlertsObservation =
  | {
      kind: "alerts";
      words: {
        /** One alert: `alarm` (CloudWatch), `alert` (Prometheus). */
        alert: string;
        /** The firing state: `in ALARM`, `firing`. */
        state: string;
        /** Which alerts were asked for: `named delivery-staging-*`, `of namespace delivery-staging in Prometheus`. */
        scope: string;
      };
      /** What was asked, shown in the report (`{ prefix }`, `{ namespace, query }`). */
      asked: Record<string, string>;
      firing: FiringAlert[];
    }
  /** The runtime has no alerts (Docker): the check is skipped with this reason. */
  | { kind: "none"; reason: string };

/** Whether a service has a rollout in progress. */
export interface GateRolloutObservation {
  /** How messages name the service: `api-svc` (the ECS service), `Deployment api`, `service api`. */
  name: string;
  /** The full name for "does not exist yet": `ECS service api-svc`, `Deployment api in namespace x`. */
  fullName: string;
  found: boolean;
  /** The newest revision's state; absent when not found. */
  state?: RolloutState;
  /** The word for one revision: `Deployment` (ECS), `Revision` (Kubernetes), `Release` (Docker). */
  revisionWord: string;
  revision: string | null;
  stateReason: string | null;
  /** What it runs, as people recognise it (`staging-api:7`, `registry/api:v2`). */
  runs: string;
  running: number;
  desired: number;
  /** The runtime's facts as the report shows them (`observed`). */
  facts: Record<string, unknown>;
}

/** A runtime's answers to the gate, bound to one manifest; services are named by their manifest name. */
export interface GateObserver {
  readonly name: RuntimeName;
  /** Per service: does its image with `tag` exist? */
  images(services: readonly string[], tag: string): Promise<Map<string, ImageObservation>>;
  /** The stack's firing alerts. */
  alerts(): Promise<AlertsObservation>;
  /** Per service: its rollout state. */
  rollouts(services: readonly string[]): Promise<Map<string, GateRolloutObservation>>;
}
