import { BadInputError } from "../core/errors";
import type { ReleaseCommandDeps } from "./compose";
import type { CliIO } from "./io";

/**
 * Asks before `deploy` or `rollback` changes a stack (they call it unless --yes). True: go on.
 * False: the answer was no, said on stderr (the caller exits 1, nothing changed). Nobody can answer
 * (stdin is not a terminal): bad input naming --yes, so a script never changes a stack unasked.
 */
export async function confirmChange(
  confirm: ReleaseCommandDeps["confirm"],
  io: Pick<CliIO, "stderr">,
  change: { command: "deploy" | "rollback"; stack: string; question: string },
): Promise<boolean> {
  const answer = await confirm(change.question);
  if (answer === undefined)
    throw new BadInputError(
      `${change.command} changes stack ${change.stack}: pass --yes to confirm (stdin is not a terminal, so deployctl cannot ask).`,
    );
  if (!answer) io.stderr(`deployctl: ${change.command} cancelled; nothing changed.\n`);
  return answer;
}
