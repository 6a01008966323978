export { gatherHistory, type HistoryView, renderHistory, type RunSummary } from "./history";
export * from "./lastGood";
export { ConfigMapReleaseRegistry } from "./configMapRegistry";
export { recordLastGood, releaseHandle } from "./record";
