import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyzeChanges, analysisRulesSchema, type ServiceDecision } from "../../validators/analysis";
import { createRepo, type TempRepo } from "./gitRepo";

const RULES = analysisRulesSchema.parse({ services: { api: "services/api/", web: "services/web/" } });

const TREE: Record<string, string> = {
  "package.json": "{}\n",
  "services/api/server/main.go": "package main\n",
  "services/api/Dockerfile": "FROM golang\n",
  "services/web/src/pages/index.tsx": "export default 1;\n",
  ".github/workflows/ci.yml": "on: push\n",
};

const build = (name: string, reason: string): ServiceDecision => ({ name, path: `services/${name}/`, build: true, reason });
const skip = (name: string, reason: string): ServiceDecision => ({ name, path: `services/${name}/`, build: false, reason });

describe("services to build in a monorepo", () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = createRepo();
    repo.commit(TREE, "base");
  });
  afterEach(() => repo.remove());

  it.each<{ name: string; change: Record<string, string>; services: ServiceDecision[] }>([
    {
      name: "builds only the service whose folder changed",
      change: { "services/api/server/main.go": "package main // 2\n" },
      services: [
        build("api", "files under services/api/ changed (services/api/server/main.go)"),
        skip("web", "no file under services/web/ changed"),
      ],
    },
    {
      name: "builds both services when both folders changed",
      change: { "services/api/Dockerfile": "FROM golang:1.22\n", "services/web/src/pages/index.tsx": "export default 2;\n" },
      services: [
        build("api", "files under services/api/ changed (services/api/Dockerfile)"),
        build("web", "files under services/web/ changed (services/web/src/pages/index.tsx)"),
      ],
    },
    {
      name: "builds every service when a file outside every service folder changed",
      change: { ".github/workflows/ci.yml": "on: [push]\n" },
      services: [
        build("api", "files outside every service folder changed (.github/workflows/ci.yml): every service builds"),
        build("web", "files outside every service folder changed (.github/workflows/ci.yml): every service builds"),
      ],
    },
    {
      name: "builds every service when shared config changed",
      change: { "package.json": '{"private":true}\n' },
      services: [
        build("api", "shared configuration changed (package.json): everything runs"),
        build("web", "shared configuration changed (package.json): everything runs"),
      ],
    },
    {
      name: "builds nothing when nothing changed",
      change: {},
      services: [
        skip("api", "no files changed between base and head: the run is skipped"),
        skip("web", "no files changed between base and head: the run is skipped"),
      ],
    },
  ])("$name", async ({ change, services }) => {
    repo.commit(change);

    const result = await analyzeChanges({ repo: repo.dir, rules: RULES });

    expect(result.services).toEqual(services);
  });

  it("builds nothing when the deciding rule skips the build", async () => {
    const rules = analysisRulesSchema.parse({
      services: { api: "services/api/", web: "services/web/" },
      decisions: [{ name: "ci-only", when: { only: ["config"] }, runBuild: false, runDeploy: false, reason: "only CI files changed" }],
    });
    repo.commit({ "services/api/Dockerfile": "FROM golang:1.23\n" });

    const result = await analyzeChanges({ repo: repo.dir, rules });

    expect(result.services).toEqual([skip("api", "ci-only: the build is skipped"), skip("web", "ci-only: the build is skipped")]);
  });

  it("reports no services when the rules have no services map", async () => {
    repo.commit({ "services/api/server/main.go": "package main // 3\n" });

    const result = await analyzeChanges({ repo: repo.dir });

    expect(result.services).toBeNull();
  });
});
