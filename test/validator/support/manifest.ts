export * from "../../../fixtures/manifest";
