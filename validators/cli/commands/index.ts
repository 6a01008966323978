import type { RegisterCommand } from "../context";
import { registerAnalyze } from "./analyze";

/** Every deployctl command, in the order `deployctl --help` lists them. */
export const commands: RegisterCommand[] = [registerAnalyze];
