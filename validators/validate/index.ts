/**
 * The post-deploy validator: `validate` answers "is this release healthy?" with a report;
 * `loadManifest` resolves the deployment manifest for any command (validate, gate, deploy, rollback).
 */
export { validate } from "./run";
export type { ValidateDeps, ValidateOptions, ValidateTuning } from "./types";
export { loadManifest, parseManifest, type ManifestSource } from "./loadManifest";
export { DEFAULT_LOG_PATTERNS, type LogPatterns } from "../checks/logs";
