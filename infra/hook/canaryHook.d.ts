/** Types of infra/hook/canaryHook.js (plain JavaScript, shipped as the Lambda function's code). */
import type { PublishedValue } from "../../contract/verdict";

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

/**
 * What deployctl publishes to the verdict parameter: the contract's type (contract/verdict.ts), not a
 * copy. test/contract/verdict.test.ts checks that every field canaryHook.js reads is in the schema.
 */
export type { PublishedRestore, PublishedValue, PublishedVerdict } from "../../contract/verdict";

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
  verdict: PublishedValue | undefined;
  rollingBack: boolean;
  nowMs: number;
}): HookDecision;

export function makeHandler(deps: {
  verdict(name: string | undefined): Promise<PublishedValue | undefined>;
  rollingBack(serviceArn: string | undefined): Promise<boolean>;
  now(): number;
  /** Where the decision is logged (one JSON line). @default console.log */
  log?(line: string): void;
}): (event: HookEvent) => Promise<HookResponse>;

export function handler(event: HookEvent): Promise<HookResponse>;
