import type { DeploymentManifest } from "../../../contract/manifest";
import type { CheckStatus, Verdict } from "../../../contract/report";

/** What deploy asks of the gate (issue 4's `deployctl gate`), with its deps already bound. */
export interface GateRequest {
  /** The stack being deployed (any runtime: the composed gate says which it has checks for). */
  manifest: DeploymentManifest;
  services: string[];
  /** The image tag about to be deployed. */
  tag: string;
}

/** The gate's answer: the validation report's shape with the gate's checks (GateReport fits). */
export interface GateOutcome {
  verdict: Verdict;
  services: { name: string; verdict: Verdict; checks: { name: string; status: CheckStatus; message: string }[] }[];
}

export type GateFn = (request: GateRequest) => Promise<GateOutcome>;

/** Why the gate refused (or hesitated): `api: image failed (no image sha-x in delivery/api)`. */
export function gateReasons(outcome: GateOutcome, statuses: readonly CheckStatus[] = ["fail"]): string[] {
  return outcome.services.flatMap((s) =>
    s.checks
      .filter((c) => statuses.includes(c.status))
      .map((c) => `${s.name}: ${c.name} ${c.status === "fail" ? "failed" : c.status} (${c.message})`),
  );
}
