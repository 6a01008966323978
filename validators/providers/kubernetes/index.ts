export * from "./client";
export * from "./lease";
export * from "./logs";
export * from "./prometheus";
export * from "./releases";
export * from "./rollback";
export * from "./rollout";
