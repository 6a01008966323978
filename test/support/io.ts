export * from "../../fixtures/io";
