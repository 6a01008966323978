export * from "./lastGood";
export { recordLastGood } from "./record";
