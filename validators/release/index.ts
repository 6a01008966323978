export * from "./lastGood";
