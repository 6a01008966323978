import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnalysisResult, Decision } from "../../validators/analysis";
import { createRepo, type TempRepo } from "../analysis/gitRepo";
import { runBuildspec } from "./runBuildspec";

const REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const run = (decision: Partial<Decision>): Decision => ({
  rule: "run-everything",
  skip: false,
  runBuild: true,
  runDeploy: true,
  skipSuiteKinds: [],
  reason: "everything runs",
  ...decision,
});
const canned = (decision: Decision, extra: Partial<AnalysisResult> = {}) => ({ decision, suites: [], services: null, ...extra });

describe("build.yml, run with stubbed docker and aws", () => {
  let repo: TempRepo;
  let commit: string;
  beforeEach(() => {
    repo = createRepo();
    repo.commit({ "src/pages/index.tsx": "1\n", Dockerfile: "FROM scratch\n" });
    commit = repo.commit({ "src/pages/index.tsx": "2\n" });
  });
  afterEach(() => repo.remove());

  const env = () => ({
    SERVICE_NAME: "web",
    ECR_REPOSITORY_URI: `${REGISTRY}/delivery/web`,
    AWS_REGION: "us-east-1",
    CODEBUILD_RESOLVED_SOURCE_VERSION: commit,
  });

  it("builds with the real analysis, pushes sha and timestamp tags, and exports the sha tag", () => {
    const result = runBuildspec("build", repo.dir, env());

    const sha = `sha-${commit.slice(0, 7)}`;
    expect(result.status).toBe(0);
    expect(result.exported.IMAGE_TAG).toBe(sha);
    expect(result.exported.IMAGE_BUILT).toBe("true");
    expect(result.exported.IMAGE_URI).toBe(`${REGISTRY}/delivery/web:${sha}`);
    expect(result.exported.TIMESTAMP_TAG).toMatch(/^\d{8}_\d{6}$/);
    expect(result.exported.SEMVER_TAG).toBe("");
    expect(result.calls.filter((c) => c.startsWith("docker"))).toEqual([
      `docker login --username AWS --password-stdin ${REGISTRY}`,
      "docker-login-stdin stub-password",
      `docker build --file ./Dockerfile --tag ${REGISTRY}/delivery/web:${sha} --tag ${REGISTRY}/delivery/web:${result.exported.TIMESTAMP_TAG} --label org.opencontainers.image.revision=${commit} .`,
      `docker push ${REGISTRY}/delivery/web:${sha}`,
      `docker push ${REGISTRY}/delivery/web:${result.exported.TIMESTAMP_TAG}`,
    ]);
    expect(JSON.parse(readFileSync(join(repo.dir, "imageDetail.json"), "utf8"))).toEqual({ ImageURI: `${REGISTRY}/delivery/web:${sha}` });
  });

  it("adds v<semver> when the commit has a semver tag", () => {
    repo.git("tag", "1.4.2");

    const result = runBuildspec("build", repo.dir, env(), { analysisJson: canned(run({})) });

    expect(result.exported.SEMVER_TAG).toBe("v1.4.2");
    expect(result.calls.filter((c) => c.startsWith("docker push")).map((c) => c.split(":").at(-1))).toEqual([
      `sha-${commit.slice(0, 7)}`,
      result.exported.TIMESTAMP_TAG,
      "v1.4.2",
    ]);
  });

  it("builds the service's folder when the analysis names it", () => {
    const services = [{ name: "web", path: "services/web/", build: true, reason: "files under services/web/ changed" }];

    const result = runBuildspec("build", repo.dir, env(), { analysisJson: canned(run({}), { services }) });

    expect(result.calls.find((c) => c.startsWith("docker build"))).toContain("--file services/web//Dockerfile");
    expect(result.calls.find((c) => c.startsWith("docker build"))?.endsWith(" services/web/")).toBe(true);
  });

  it("skips a service the analysis does not build, exporting '-' as its tag", () => {
    const services = [{ name: "web", path: "services/web/", build: false, reason: "no file under services/web/ changed" }];

    const result = runBuildspec("build", repo.dir, env(), { analysisJson: canned(run({}), { services }) });

    expect(result.status).toBe(0);
    expect([result.exported.IMAGE_TAG, result.exported.IMAGE_BUILT]).toEqual(["-", "false"]);
    expect(result.calls.filter((c) => c.startsWith("docker"))).toEqual([]);
    expect(readFileSync(join(repo.dir, "imageDetail.json"), "utf8")).toBe("{}\n");
  });

  it("reuses an image already pushed for this commit (a re-run), since the repository refuses the same tag twice", () => {
    const sha = `sha-${commit.slice(0, 7)}`;

    const result = runBuildspec("build", repo.dir, env(), { analysisJson: canned(run({})), existingImageTags: [sha] });

    expect(result.status).toBe(0);
    expect([result.exported.IMAGE_TAG, result.exported.IMAGE_BUILT, result.exported.IMAGE_URI]).toEqual([
      sha,
      "false",
      `${REGISTRY}/delivery/web:${sha}`,
    ]);
    expect(result.calls).toContain(`aws ecr describe-images --region us-east-1 --repository-name delivery/web --image-ids imageTag=${sha}`);
    expect(result.calls.filter((c) => c.startsWith("docker"))).toEqual([]);
    expect(JSON.parse(readFileSync(join(repo.dir, "imageDetail.json"), "utf8"))).toEqual({ ImageURI: `${REGISTRY}/delivery/web:${sha}` });
  });

  it("fails when docker build fails", () => {
    const result = runBuildspec("build", repo.dir, env(), { analysisJson: canned(run({})), dockerBuildFails: true });

    expect(result.status).not.toBe(0);
    expect(result.output).toContain("docker build or push of web failed");
    expect(result.exported.IMAGE_BUILT).toBe("false");
  });

  it("fails before building when ECR_REPOSITORY_URI is not set", () => {
    const result = runBuildspec("build", repo.dir, { ...env(), ECR_REPOSITORY_URI: "" });

    expect(result.status).toBe(1);
    expect(result.output).toContain("ECR_REPOSITORY_URI is not set");
    expect(result.calls.filter((c) => c.startsWith("docker"))).toEqual([]);
  });
});

describe("test.yml, run with a suite of shell commands", () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = createRepo();
    repo.commit({ "src/pages/index.tsx": "1\n" });
    repo.commit({ "src/pages/index.tsx": "2\n" });
  });
  afterEach(() => repo.remove());

  const suite = (commands: string[], extra: Record<string, string> = {}) => ({
    SUITE_NAME: "unit",
    SUITE_COMMANDS: JSON.stringify(commands),
    ...extra,
  });
  const runs = canned(run({}), { suites: [{ name: "unit", kind: "unit", run: true, reason: "kind unit is not skipped" }] });

  it.each([
    ["a passing suite", ["echo ran > ran.txt"], {}, 0, "passed"],
    ["a failing critical suite", ["exit 3"], {}, 1, "failed"],
    ["a failing non-critical suite", ["exit 3"], { SUITE_CRITICAL: "false" }, 0, "warning"],
    ["a suite whose piped command fails", ["false | cat"], {}, 1, "failed"],
  ])("records %s", (_name, commands, extra, status, result) => {
    const out = runBuildspec("test", repo.dir, suite(commands, extra), { analysisJson: runs });

    expect(out.status).toBe(status);
    expect(out.exported.SUITE_RESULT).toBe(result);
  });

  it("prints a warning for a failing non-critical suite", () => {
    const out = runBuildspec("test", repo.dir, suite(["exit 3"], { SUITE_CRITICAL: "false" }), { analysisJson: runs });

    expect(out.output).toContain("WARNING: suite unit failed (exit 3); it is not critical, so the pipeline goes on");
  });

  it("skips a backend suite on a frontend-only change with the real analysis", () => {
    const out = runBuildspec("test", repo.dir, suite(["echo ran > ran.txt"], { SUITE_NAME: "api", SUITE_KIND: "backend" }));

    expect(out.status).toBe(0);
    expect(out.exported.SUITE_RESULT).toBe("skipped");
    expect(() => readFileSync(join(repo.dir, "ran.txt"))).toThrow();
  });

  it("fails on SUITE_COMMANDS that are not a JSON list of strings", () => {
    const out = runBuildspec("test", repo.dir, { SUITE_NAME: "unit", SUITE_COMMANDS: '"npm test"' }, { analysisJson: runs });

    expect(out.status).toBe(1);
    expect(out.output).toContain("SUITE_COMMANDS must be a JSON list of command strings");
  });
});

const STACK_FILE = `config:
  delivery:tier: dev
  delivery:services:
    # the API
    - name: api
      image:
        repository: delivery/api
        tag: sha-0000001
    - name: web
      image:
        repository: delivery/web
        tag: sha-0000001
`;

describe("deploy.yml, run with a stubbed pulumi and deployctl deploy", () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = createRepo();
    repo.commit({ "Pulumi.yaml": "name: delivery\n", "Pulumi.dev.yaml": STACK_FILE, "server/main.go": "1\n" });
    repo.commit({ "server/main.go": "2\n" });
  });
  afterEach(() => repo.remove());

  const env = { STACK: "dev", PULUMI_ACCESS_TOKEN: "pul-secret-value", IMAGE_TAGS: "api=sha-1111111,web=-" };
  const deployment = {
    services: [
      { name: "api", imageTag: "sha-0000009" },
      { name: "web", imageTag: "sha-0000008" },
      { name: "gone", imageTag: "x" },
    ],
  };

  it("keeps the running tag of an unbuilt service, sets the built one, then deploys through deployctl deploy, never a bare pulumi up", () => {
    const result = runBuildspec("deploy", repo.dir, env, { deployment });

    expect(result.status).toBe(0);
    expect(readFileSync(join(repo.dir, "Pulumi.dev.yaml"), "utf8")).toBe(
      STACK_FILE.replace("sha-0000001", "sha-1111111").replace("sha-0000001", "sha-0000008"),
    );
    expect(result.calls.filter((c) => c.startsWith("npx pulumi"))).toEqual(["npx pulumi stack output deployment --stack dev --json"]);
    expect(result.calls.filter((c) => c.startsWith("npx deployctl deploy"))).toEqual([
      "npx deployctl deploy --stack dev --yes --wait 600 --retries 2 --output markdown",
    ]);
    expect(result.output).toContain("# Deploy report");
    expect(result.output).toContain("deployctl deploy exited 0");
    expect(result.output).not.toContain("pul-secret-value");
  });

  it.each([
    [1, "refused by the gate, or failed and rolled back"],
    [3, "inconclusive"],
    [4, "deployctl could not work"],
    [5, "the stack is locked"],
  ])("fails the action when deployctl deploy exits %s (%s)", (code) => {
    const result = runBuildspec("deploy", repo.dir, env, { deployment, deployExit: code });

    expect(result.status).toBe(1);
    expect(result.output).toContain(`deployctl deploy exited ${code}`);
    expect(result.output).toContain(`the deploy did not release (exit ${code})`);
  });

  it("passes DEPLOY_WAIT_SECONDS to each service's validation", () => {
    const result = runBuildspec("deploy", repo.dir, { ...env, DEPLOY_WAIT_SECONDS: "900" }, { deployment });

    expect(result.calls.filter((c) => c.startsWith("npx deployctl deploy"))).toEqual([
      "npx deployctl deploy --stack dev --yes --wait 900 --retries 2 --output markdown",
    ]);
  });

  it("keeps the file's tags when the stack has no deployment output yet", () => {
    const result = runBuildspec("deploy", repo.dir, env, { analysisJson: canned(run({})) });

    expect(result.status).toBe(0);
    expect(result.output).toContain("no deployment output yet for dev (first deploy?)");
    expect(readFileSync(join(repo.dir, "Pulumi.dev.yaml"), "utf8")).toBe(STACK_FILE.replace("sha-0000001", "sha-1111111"));
  });

  it("stops before pulumi when the token is empty", () => {
    const result = runBuildspec("deploy", repo.dir, { ...env, PULUMI_ACCESS_TOKEN: "" }, { analysisJson: canned(run({})) });

    expect(result.status).toBe(1);
    expect(result.output).toContain("PULUMI_ACCESS_TOKEN is empty");
    expect(result.calls.filter((c) => c.startsWith("npx pulumi") || c.startsWith("npx deployctl deploy"))).toEqual([]);
  });

  it("deploys nothing when the analysis skipped the run", () => {
    const skip = run({ rule: "no-change", skip: true, runBuild: false, runDeploy: false, reason: "no files changed" });

    const result = runBuildspec("deploy", repo.dir, env, { analysisJson: canned(skip), deployment });

    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.startsWith("npx pulumi") || c.startsWith("npx deployctl deploy"))).toEqual([]);
    expect(readFileSync(join(repo.dir, "Pulumi.dev.yaml"), "utf8")).toBe(STACK_FILE);
  });
});

describe("validate.yml, run with a stubbed deployctl validate", () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = createRepo();
    repo.commit({ "a.txt": "1\n" });
  });
  afterEach(() => repo.remove());

  it.each([
    [0, {}, 0, "pass"],
    [1, {}, 1, "fail"],
    [3, {}, 0, "inconclusive"],
    [3, { FAIL_ON_INCONCLUSIVE: "true" }, 1, "inconclusive"],
    [4, {}, 1, "error"],
    [5, {}, 1, "error"],
  ])("maps deployctl validate exit %i (%j) to action status %i and verdict %s", (exit, extra, status, verdict) => {
    const result = runBuildspec("validate", repo.dir, { STACK: "dev", ...extra }, { analysisJson: canned(run({})), validateExit: exit });

    expect(result.status).toBe(status);
    expect(result.exported.VERDICT).toBe(verdict);
    expect(readFileSync(join(repo.dir, "validation-report.md"), "utf8")).toBe("# Validation report\n");
  });

  it("runs deployctl validate with --rollback and --retries 2 (a failed health check is retried twice before the rollback)", () => {
    const result = runBuildspec("validate", repo.dir, { STACK: "dev" }, { analysisJson: canned(run({})), validateExit: 0 });

    expect(result.calls.filter((c) => c.startsWith("npx deployctl validate"))).toEqual([
      "npx deployctl validate --stack dev --rollback --retries 2 --wait 600 --output markdown",
    ]);
  });

  it("validates nothing when the analysis skipped the deploy", () => {
    const skip = run({ rule: "no-change", skip: true, runBuild: false, runDeploy: false, reason: "no files changed" });

    const result = runBuildspec("validate", repo.dir, { STACK: "dev" }, { analysisJson: canned(skip), validateExit: 1 });

    expect(result.status).toBe(0);
    expect(result.exported.VERDICT).toBe("skipped");
  });

  it("writes the deploy role as an AWS profile for the rollback's stack update", () => {
    const result = runBuildspec(
      "validate",
      repo.dir,
      { STACK: "dev", DEPLOY_ROLE_ARN: "arn:aws:iam::123456789012:role/deploy" },
      { analysisJson: canned(run({})) },
    );

    expect(result.calls.filter((c) => c.startsWith("aws"))).toEqual([
      "aws configure set profile.delivery-deploy.role_arn arn:aws:iam::123456789012:role/deploy",
      "aws configure set profile.delivery-deploy.credential_source EcsContainer",
    ]);
  });
});
