/** `deployctl gate`: may a deploy start? (the image exists, no alert firing, no rollout in progress, a last good release). */
export { gate } from "./run";
export { type GateDeps, type GateOptions, lastGoodParameterName } from "./types";
