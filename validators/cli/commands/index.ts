import type { RegisterCommand } from "../context";

/** Every deployctl command, in the order `deployctl --help` lists them. */
export const commands: RegisterCommand[] = [];
