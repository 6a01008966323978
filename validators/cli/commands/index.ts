import type { RegisterCommand } from "../context";
import { registerAnalyze } from "./analyze";
import { registerConfig } from "./config";
import { registerGate } from "./gate";
import { registerPipeline } from "./pipeline";
import { registerValidate } from "./validate";

/** Every deployctl command, in the order `deployctl --help` lists them. */
export const commands: RegisterCommand[] = [registerAnalyze, registerConfig, registerPipeline, registerValidate, registerGate];
