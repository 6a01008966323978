/** Types of infra/hook/canaryHook.js (plain JavaScript, shipped as the Lambda function's code). */

/** What ECS sends at a lifecycle stage (the fields the hook reads). */
export interface HookEvent {
  serviceArn?: string;
  targetServiceRevisionArn?: string;
  /** Service revision ARN -> percent of production traffic. */
  productionTrafficWeights?: Record<string, number>;
  testTrafficWeights?: Record<string, number>;
  /** The service's configured hookDetails, plus what the hook returned with IN_PROGRESS. */
  hookDetails?: Record<string, unknown> | string;
}

/** What deployctl publishes to the verdict parameter (validators/canary/verdictStore.ts writes it). */
export interface PublishedVerdict {
  revision?: string;
  baselineRevision?: string;
  percent?: number;
  verdict?: "pass" | "fail" | "inconclusive";
  observedMinutes?: number;
  reason?: string;
  at?: string;
  restore?: { imageTag?: string; validUntil: string };
}

export interface HookDecision {
  hookStatus: "SUCCEEDED" | "FAILED" | "IN_PROGRESS";
  reason: string;
  callBackDelay?: number;
  hookDetails?: Record<string, unknown>;
}

export interface HookResponse {
  hookStatus: HookDecision["hookStatus"];
  callBackDelay?: number;
  hookDetails?: Record<string, unknown>;
}

export function decide(input: {
  event: HookEvent;
  details: Record<string, unknown>;
  verdict: PublishedVerdict | undefined;
  rollingBack: boolean;
  nowMs: number;
}): HookDecision;

export function makeHandler(deps: {
  verdict(name: string | undefined): Promise<PublishedVerdict | undefined>;
  rollingBack(serviceArn: string | undefined): Promise<boolean>;
  now(): number;
  /** Where the decision is logged (one JSON line). @default console.log */
  log?(line: string): void;
}): (event: HookEvent) => Promise<HookResponse>;

export function handler(event: HookEvent): Promise<HookResponse>;
