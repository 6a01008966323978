/* global require, exports, console */
"use strict";

/**
 * The lifecycle hook of progressive deployments: ECS invokes it at every production traffic shift
 * step (stage PRODUCTION_TRAFFIC_SHIFT) and it answers whether traffic may move on.
 *
 * It holds no verdict logic of its own. `deployctl deploy` judges each step (validators/canary,
 * the one implementation of the canary analysis) and publishes its verdict to the SSM parameter
 * named in hookDetails.verdictParameter; this function only reads that verdict:
 *   - a rollback is in progress, traffic returns to the baseline revision, or a validated release
 *     is being restored: SUCCEEDED (never hold traffic on its way back);
 *   - the verdict on the new revision is fail: FAILED (ECS rolls back);
 *   - the traffic share is between the policy's steps: SUCCEEDED (pass through);
 *   - at a step, a pass verdict on this revision at this share covering stepMinutes: SUCCEEDED;
 *   - otherwise (no verdict yet, inconclusive, unreadable): IN_PROGRESS, asked again after
 *     callBackDelaySeconds, for at most stepMinutes + maxExtensionMinutes + graceMinutes at this
 *     step (deployctl abandons the step at stepMinutes + maxExtensionMinutes; the grace makes the
 *     hook the backstop, for a deploy nobody watches); then FAILED: a release nobody could judge
 *     is not promoted.
 *
 * Plain JavaScript with no dependency but the AWS SDK of the Lambda runtime: no build step. The
 * component (infra/components/progressiveDelivery.ts) ships this file as the function's code.
 */

/** Percent of production traffic the target revision has, from the event. */
function targetShare(event) {
  const weights = event.productionTrafficWeights || {};
  const weight = Number(weights[event.targetServiceRevisionArn]);
  return Number.isFinite(weight) ? weight : 0;
}

/** hookDetails may arrive as an object or as its JSON text. */
function parseDetails(value) {
  if (typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      return {};
    }
  }
  return value && typeof value === "object" ? value : {};
}

/**
 * The decision, without AWS: input { event, details, verdict (the parsed parameter or undefined),
 * rollingBack, nowMs }. Returns { hookStatus, reason, callBackDelay?, hookDetails? }.
 */
function decide(input) {
  const { event, details, verdict, rollingBack, nowMs } = input;
  const target = event.targetServiceRevisionArn;
  const share = targetShare(event);
  const checkpoints = Array.isArray(details.checkpoints) ? details.checkpoints.map(Number) : [];
  const stepMinutes = Number(details.stepMinutes) || 0;
  const limitMinutes = stepMinutes + (Number(details.maxExtensionMinutes) || 0) + (Number(details.graceMinutes) || 0);
  const done = (hookStatus, reason) => ({ hookStatus, reason });

  if (rollingBack) return done("SUCCEEDED", "a rollback is in progress: traffic is never held on its way back");
  if (verdict && verdict.restore && Date.parse(verdict.restore.validUntil) > nowMs) {
    return done("SUCCEEDED", `restoring the validated release ${verdict.restore.imageTag || ""}`.trim());
  }
  if (verdict && verdict.baselineRevision === target) return done("SUCCEEDED", "traffic returns to the baseline revision");
  const ours = Boolean(verdict && verdict.revision === target);
  if (ours && verdict.verdict === "fail")
    return done("FAILED", `the validator failed the new revision at ${verdict.percent}%: ${verdict.reason || "see deployctl"}`);
  if (!checkpoints.includes(share)) return done("SUCCEEDED", `${share}% is between the release policy's steps (${checkpoints.join(", ")})`);
  if (ours && verdict.verdict === "pass" && Number(verdict.percent) === share && Number(verdict.observedMinutes) >= stepMinutes) {
    return done("SUCCEEDED", `the validator passed ${share}% after ${verdict.observedMinutes} minutes`);
  }

  const heldSinceMs = details.heldPercent === share && Number.isFinite(details.heldSinceMs) ? details.heldSinceMs : nowMs;
  const heldMinutes = (nowMs - heldSinceMs) / 60000;
  const last = ours ? `last verdict ${verdict.verdict} at ${verdict.percent}%` : "no verdict on this revision yet";
  if (heldMinutes >= limitMinutes) {
    return done("FAILED", `no pass verdict at ${share}% within ${limitMinutes} minutes (${last}): not promoted`);
  }
  return {
    hookStatus: "IN_PROGRESS",
    reason: `holding at ${share}% for ${Math.round(heldMinutes * 10) / 10} of at most ${limitMinutes} minutes (${last})`,
    callBackDelay: Number(details.callBackDelaySeconds) || 30,
    hookDetails: { ...details, heldPercent: share, heldSinceMs },
  };
}

/** The verdict deployctl published, or undefined when there is none or it cannot be read (logged). */
async function readVerdict(ssm, GetParameterCommand, name) {
  if (!name) return undefined;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return JSON.parse(out.Parameter.Value);
  } catch (err) {
    if (!(err && err.name === "ParameterNotFound")) console.log(JSON.stringify({ warning: `cannot read ${name}: ${err && err.message}` }));
    return undefined;
  }
}

/** Whether a deployment of the service is rolling back (then the hook must not hold traffic). */
async function rollbackInProgress(ecs, ListServiceDeploymentsCommand, serviceArn) {
  const cluster = String(serviceArn || "").split("/")[1];
  if (!cluster) return false;
  try {
    const out = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: serviceArn, status: ["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"] }),
    );
    return (out.serviceDeployments || []).length > 0;
  } catch (err) {
    console.log(JSON.stringify({ warning: `cannot list deployments of ${serviceArn}: ${err && err.message}` }));
    return false;
  }
}

/** The handler with its AWS calls injected: deps { verdict(name), rollingBack(serviceArn), now(), log? }. */
function makeHandler(deps) {
  const log = deps.log || ((line) => console.log(line));
  return async (event) => {
    const details = parseDetails(event.hookDetails);
    const [verdict, rollingBack] = await Promise.all([deps.verdict(details.verdictParameter), deps.rollingBack(event.serviceArn)]);
    const decision = decide({ event, details, verdict, rollingBack, nowMs: deps.now() });
    log(JSON.stringify({ service: details.service, target: event.targetServiceRevisionArn, share: targetShare(event), ...decision }));
    const response = { hookStatus: decision.hookStatus };
    if (decision.callBackDelay !== undefined) response.callBackDelay = decision.callBackDelay;
    if (decision.hookDetails !== undefined) response.hookDetails = decision.hookDetails;
    return response;
  };
}

let defaultHandler;

/** The Lambda entry point: the runtime's AWS SDK, created on first use. */
async function handler(event) {
  if (!defaultHandler) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SSMClient, GetParameterCommand } = require("@aws-sdk/client-ssm");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ECSClient, ListServiceDeploymentsCommand } = require("@aws-sdk/client-ecs");
    const ssm = new SSMClient({});
    const ecs = new ECSClient({});
    defaultHandler = makeHandler({
      verdict: (name) => readVerdict(ssm, GetParameterCommand, name),
      rollingBack: (serviceArn) => rollbackInProgress(ecs, ListServiceDeploymentsCommand, serviceArn),
      now: () => Date.now(),
    });
  }
  return defaultHandler(event);
}

exports.decide = decide;
exports.makeHandler = makeHandler;
exports.handler = handler;
