export * from "./client";
export * from "./containers";
export * from "./logs";
export * from "./recreate";
export * from "./restart";
export * from "./dockerRuntime";
export * from "./requestCounts";
