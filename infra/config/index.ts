export * from "./deployment";
export * from "./errors";
export * from "./fargate";
export * from "./pipeline";
export * from "./resolve";
export { deployOrder, secretsMap } from "./services";
export * from "./sources";
export * from "../../contract/tiers";
export * from "./types";
