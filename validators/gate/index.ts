/** `deployctl gate`: may a deploy start? (image in ECR, no alarm firing, no rollout in progress, a last good release). */
export { gate } from "./run";
export { type GateDeps, type GateOptions, lastGoodParameterName } from "./types";
export { parseEcrImage, type EcrImage } from "./image";
