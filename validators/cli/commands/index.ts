import type { RegisterCommand } from "../context";
import { registerSynth } from "./synth";
import { registerAnalyze } from "./analyze";
import { registerConfig } from "./config";
import { registerDeploy } from "./deploy";
import { registerGate } from "./gate";
import { registerHistory } from "./history";
import { registerRollback } from "./rollback";
import { registerPipeline } from "./pipeline";
import { registerPromote } from "./promote";
import { registerValidate } from "./validate";
import { registerCompletion } from "./completion";

/** Every deployctl command, in the order `deployctl --help` lists them. */
export const commands: RegisterCommand[] = [
  registerSynth,
  registerAnalyze,
  registerConfig,
  registerPipeline,
  registerValidate,
  registerGate,
  registerDeploy,
  registerRollback,
  registerHistory,
  registerPromote,
  registerCompletion,
];
