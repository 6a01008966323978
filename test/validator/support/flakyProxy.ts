export * from "../../../fixtures/flakyProxy";
