import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../validators/cli/main";
import { captureIO } from "../analysis/captureIO";
import { allCommands, BUILDSPECS, deployctlCalls, loadBuildspec } from "./buildspecs";

/** Flags a buildspec passes that another engineer's command does not have yet (their owner adds them). */
const PENDING_FLAGS: Record<string, string[]> = { validate: ["--rollback"] };

const joined = (name: (typeof BUILDSPECS)[number]) => allCommands(loadBuildspec(name)).join("\n");

function findCommand(program: Command, words: readonly string[]): { command: Command | undefined; rest: string[] } {
  let command: Command | undefined = program;
  let i = 0;
  for (; i < words.length; i++) {
    const sub: Command | undefined = command.commands.find((c) => c.name() === words[i]);
    if (!sub) break;
    command = sub;
  }
  return { command: command === program ? undefined : command, rest: words.slice(i) };
}

describe.each(BUILDSPECS)("pipeline/buildspecs/%s.yml", (name) => {
  const spec = loadBuildspec(name);

  it("is a CodeBuild buildspec v0.2 on bash with Node 20", () => {
    expect(String(spec.version)).toBe("0.2");
    expect(spec.env?.shell).toBe("bash");
    expect(spec.phases.install["runtime-versions"]).toEqual({ nodejs: 20 });
  });

  it("installs the project before anything else, with its Pulumi CLI on PATH where Pulumi runs", () => {
    const path = 'export PATH="$(pwd)/node_modules/.bin:$PATH"';

    expect(spec.phases.install.commands).toEqual(
      name === "deploy" || name === "validate" ? ["npm ci --no-audit --no-fund", path] : ["npm ci --no-audit --no-fund"],
    );
  });

  it("stops after a failed install or pre_build", () => {
    expect([spec.phases.install["on-failure"], spec.phases.pre_build["on-failure"]]).toEqual(["ABORT", "ABORT"]);
  });

  it("asks the change analysis what to do, with the pipeline's rules", () => {
    const commands = joined(name);

    expect(commands).toContain('npx deployctl analyze --base "$ANALYSIS_BASE" --head HEAD "${RULES_FLAG[@]}"');
    expect(commands).toContain(`printf '%s' "$ANALYSIS_RULES" > analysis-rules.json`);
    expect(spec.env?.variables?.ANALYSIS_BASE).toBe("HEAD~1");
  });

  it("finds the deployctl calls it checks", () => {
    const expected: Record<string, string[][]> = {
      build: [["analyze"], ["analyze"]],
      test: [["analyze"]],
      deploy: [["analyze"], ["config", "set-tag"], ["config", "set-tag"], ["deploy"]],
      validate: [["analyze"], ["validate"]],
    };

    expect(deployctlCalls(spec).map((c) => c.words)).toEqual(expected[name]);
  });

  it("calls only deployctl commands the CLI has, with flags they accept", () => {
    const program = buildProgram(captureIO(), () => undefined);
    const problems: string[] = [];

    for (const call of deployctlCalls(spec)) {
      const { command, rest } = findCommand(program, call.words);
      if (!command) {
        problems.push(`deployctl ${call.words.join(" ")}: no such command`);
        continue;
      }
      if (rest.length > 0) problems.push(`deployctl ${call.words.join(" ")}: ${command.name()} has no subcommand ${rest[0]}`);
      const known = command.options.map((o) => o.long);
      const pending = PENDING_FLAGS[command.name()] ?? [];
      for (const flag of call.flags)
        if (!known.includes(flag) && !pending.includes(flag)) problems.push(`deployctl ${call.words.join(" ")}: no flag ${flag}`);
    }

    expect(problems).toEqual([]);
  });

  it("reads the Pulumi token's value nowhere but in the check that it is set", () => {
    const uses = [...joined(name).matchAll(/\$\{?PULUMI_ACCESS_TOKEN[^}\s"]*\}?/g)].map((m) => m[0]);

    expect(uses).toEqual(name === "deploy" ? ["${PULUMI_ACCESS_TOKEN:-}"] : []);
  });
});

describe("build.yml", () => {
  const spec = loadBuildspec("build");
  const commands = joined("build");

  it("exports the chosen tag and the other tags as pipeline variables", () => {
    expect(spec.env?.["exported-variables"]).toEqual(["IMAGE_TAG", "IMAGE_BUILT", "IMAGE_URI", "SEMVER_TAG", "TIMESTAMP_TAG"]);
  });

  it("tags sha-<short commit> from CODEBUILD_RESOLVED_SOURCE_VERSION, a semver git tag and a UTC timestamp", () => {
    expect(commands).toContain('COMMIT="${CODEBUILD_RESOLVED_SOURCE_VERSION:-$(git rev-parse HEAD)}"');
    expect(commands).toContain('SHA_TAG="sha-${COMMIT:0:7}"');
    expect(commands).toContain("git describe --tags --exact-match HEAD");
    expect(commands).toContain('TIMESTAMP_TAG="$(date -u +%Y%m%d_%H%M%S)"');
  });

  it("logs in to the service's ECR registry with a password from stdin, then builds and pushes", () => {
    expect(commands).toContain(
      'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${ECR_REPOSITORY_URI%%/*}"',
    );
    expect(commands).toContain('docker build --file "$DOCKERFILE" "${TAG_FLAGS[@]}"');
    expect(commands).toContain('docker push "$ECR_REPOSITORY_URI:$t"');
  });

  it("writes imageDetail.json and the analysis as the artifact", () => {
    expect(spec.artifacts?.files).toEqual(["imageDetail.json", "analysis.json"]);
    expect(commands).toContain(`printf '{"ImageURI":"%s"}\\n' "$IMAGE_URI" > imageDetail.json`);
  });
});

describe("test.yml", () => {
  const spec = loadBuildspec("test");
  const commands = joined("test");

  it("exports the suite's result", () => {
    expect(spec.env?.["exported-variables"]).toEqual(["SUITE_RESULT"]);
    expect(spec.env?.variables?.SUITE_CRITICAL).toBe("true");
  });

  it("asks the analysis about its own suite and kind", () => {
    expect(commands).toContain('--suites "$SUITE_NAME:$SUITE_KIND"');
  });

  it("runs the suite's commands with bash -eo pipefail and fails only when the suite is critical", () => {
    expect(commands).toContain("bash -eo pipefail suite-commands.sh");
    expect(commands).toContain('elif [ "$SUITE_CRITICAL" = false ]; then');
    expect(spec.phases.build.commands.at(-1)).toBe(
      `[ "$SUITE_RESULT" != failed ] || { echo "critical suite $SUITE_NAME failed: the pipeline stops"; exit 1; }`,
    );
  });
});

describe("deploy.yml", () => {
  const commands = joined("deploy");

  it("requires the Pulumi token from the environment (CodeBuild resolves the secret)", () => {
    expect(commands).toContain('[ -n "${PULUMI_ACCESS_TOKEN:-}" ]');
  });

  it("carries the deployed tags forward, sets the built ones, then deploys them through deployctl deploy", () => {
    const build = loadBuildspec("deploy").phases.build.commands.join("\n");

    expect(build.indexOf("--from-manifest deployed.json --skip-unknown-services")).toBeGreaterThan(-1);
    expect(build.indexOf('config set-tag --stack "$STACK" --tags "$IMAGE_TAGS"')).toBeGreaterThan(build.indexOf("--from-manifest"));
    expect(build.indexOf('npx deployctl deploy --stack "$STACK" --yes')).toBeGreaterThan(build.indexOf("--tags"));
    expect(build).not.toContain("pulumi up");
  });

  it("retries a failed health check twice before the rollback (--retries 2)", () => {
    const build = loadBuildspec("deploy").phases.build.commands.join("\n");

    expect(build).toContain('npx deployctl deploy --stack "$STACK" --yes --wait "$DEPLOY_WAIT_SECONDS" --retries 2 --output markdown');
  });
});

describe("validate.yml", () => {
  const spec = loadBuildspec("validate");
  const commands = joined("validate");

  it("runs deployctl validate with --rollback and a markdown report", () => {
    expect(commands).toContain(
      'npx deployctl validate --stack "$STACK" --rollback --retries 2 --wait "$VALIDATE_WAIT_SECONDS" --output markdown | tee validation-report.md',
    );
  });

  it("retries a failed health check twice before the rollback (--retries 2)", () => {
    const [call] = deployctlCalls(spec).filter((c) => c.words[0] === "validate");

    expect(call?.flags).toContain("--retries");
    expect(commands).toMatch(/npx deployctl validate [^|]* --retries 2 /);
  });

  it("fails the action on a fail verdict and on the validator's own errors, not on inconclusive by default", () => {
    expect(commands).toContain("1) VERDICT=fail ;;");
    expect(commands).toContain("3) VERDICT=inconclusive ;;");
    expect(spec.env?.variables?.FAIL_ON_INCONCLUSIVE).toBe("false");
    expect(spec.env?.["exported-variables"]).toEqual(["VERDICT"]);
  });
});
