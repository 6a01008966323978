export * from "./environment";
export * from "./service";
export * from "./settings";
