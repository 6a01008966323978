import { Argument, type Command } from "commander";
import type { RegisterCommand } from "../context";
import { BadInputError } from "../../core/errors";
import { ExitCode } from "../exitCodes";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** A command as completion sees it: its words, its options, its subcommands. */
interface CommandTree {
  name: string;
  description: string;
  options: { flag: string; description: string }[];
  /** The values its arguments accept (completion's shells). */
  values: string[];
  subcommands: CommandTree[];
}

function treeOf(cmd: Command): CommandTree {
  return {
    name: cmd.name(),
    description: cmd.description().split("\n")[0],
    options: cmd.options.flatMap((o) => (o.long ? [{ flag: o.long, description: o.description }] : [])),
    values: cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
    subcommands: cmd.commands.filter((c) => c.name() !== "help").map(treeOf),
  };
}

/** Every command path (`["config", "set-tag"]`) with what may follow it, longest path first. */
function paths(tree: CommandTree, prefix: string[] = []): { path: string[]; node: CommandTree }[] {
  const below = tree.subcommands.flatMap((c) => paths(c, [...prefix, c.name]));
  return [...below, { path: prefix, node: tree }];
}

function nextWords(node: CommandTree): string[] {
  return [...node.subcommands.map((c) => c.name), ...node.values, ...node.options.map((o) => o.flag), "--help"];
}

/**
 * bash: the words typed so far that are not flags make a path (`config set-tag`); an option's
 * value also lands there, hence the trailing `*` on a leaf's pattern. Longest paths come first.
 */
export function bashCompletion(program: Command): string {
  const cases = paths(treeOf(program)).map(({ path, node }) => {
    const pattern = path.length === 0 ? `""` : `"${path.join(" ")}"${node.subcommands.length === 0 ? "*" : ""}`;
    return `    ${pattern}) words="${nextWords(node).join(" ")}" ;;`;
  });
  return `# deployctl completion for bash. Load it with: source <(deployctl completion bash)
_deployctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) path="\${path:+$path }\${COMP_WORDS[i]}" ;;
    esac
  done
  case "$path" in
${cases.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _deployctl deployctl
`;
}

/** zsh runs the bash completion through its bashcompinit. */
export function zshCompletion(program: Command): string {
  return `#compdef deployctl
# deployctl completion for zsh. Load it with: source <(deployctl completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split("\n").slice(1).join("\n")}`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** fish: one `complete` line per command and option, shown with its description. */
export function fishCompletion(program: Command): string {
  const lines = ["# deployctl completion for fish. Load it with: deployctl completion fish | source", "complete -c deployctl -f"];
  const walk = (node: CommandTree, path: string[]) => {
    const seen = path.map((p) => `__fish_seen_subcommand_from ${p}`);
    const unseen = node.subcommands.map((c) => c.name);
    const here =
      path.length === 0
        ? "__fish_use_subcommand"
        : [...seen, ...(unseen.length > 0 ? [`not __fish_seen_subcommand_from ${unseen.join(" ")}`] : [])].join("; and ");
    for (const sub of node.subcommands)
      lines.push(`complete -c deployctl -n ${fishQuote(here)} -a ${sub.name} -d ${fishQuote(sub.description)}`);
    if (path.length > 0) {
      for (const o of node.options) {
        lines.push(`complete -c deployctl -n ${fishQuote(here)} -l ${o.flag.replace(/^--/, "")} -d ${fishQuote(o.description)}`);
      }
    }
    for (const value of node.values) lines.push(`complete -c deployctl -n ${fishQuote(here)} -a ${value}`);
    for (const sub of node.subcommands) walk(sub, [...path, sub.name]);
  };
  walk(treeOf(program), []);
  return `${lines.join("\n")}\n`;
}

export function completionScript(program: Command, shell: string): string {
  switch (shell) {
    case "bash":
      return bashCompletion(program);
    case "zsh":
      return zshCompletion(program);
    case "fish":
      return fishCompletion(program);
    default:
      throw new BadInputError(`completion: the shell is "${shell}"; deployctl completes in ${SHELLS.join(", ")}.`);
  }
}

/** `deployctl completion bash|zsh|fish`: print the shell's completion script for every command. */
export const registerCompletion: RegisterCommand = (program, ctx) => {
  program
    .command("completion")
    .description("Print a completion script for bash, zsh or fish (every command, subcommand and flag).")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .addHelpText(
      "after",
      `
Examples:
  source <(deployctl completion bash)                         # this bash session; add it to ~/.bashrc to keep it
  deployctl completion zsh > "\${fpath[1]}/_deployctl"
  deployctl completion fish > ~/.config/fish/completions/deployctl.fish

Exit codes:
  0  printed
  2  bad input (a shell other than bash, zsh or fish)`,
    )
    .action((shell: string) => {
      ctx.io.stdout(completionScript(program, shell));
      ctx.setExitCode(ExitCode.Ok);
    });
};
