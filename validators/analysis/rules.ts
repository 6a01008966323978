/** The change-analysis rules schema is a contract shared with the program (infra/config/pipeline.ts): it lives in contract/. */
export * from "../../contract/analysisRules";
