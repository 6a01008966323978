export { gatherHistory, type HistoryView, renderHistory, type RunSummary } from "./history";
export * from "./lastGood";
export { recordLastGood } from "./record";
