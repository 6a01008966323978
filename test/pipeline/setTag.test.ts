import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseTagList } from "../../validators/cli/commands/config";
import { BadInputError } from "../../validators/core/errors";
import { main } from "../../validators/cli/main";
import { setImageTags } from "../../validators/stackfile";
import { captureIO } from "../analysis/captureIO";

const FILE = `# dev: the first cloud stack
config:
  aws:region: us-east-1
  delivery:services:
    # The public API; deploys first.
    - name: api
      image:
        repository: delivery/api
        tag: sha-3f9c2a1 # set by the pipeline
      port: 8080
      smokePaths: [/api/version]
    - name: web
      image:
        repository: delivery/web
        tag: "sha-3f9c2a1"
      dependsOn: [api]
`;

describe("setImageTags", () => {
  it("changes only the tag, keeping comments, quotes and flow lists", () => {
    const update = setImageTags("Pulumi.dev.yaml", FILE, "delivery", [{ service: "api", tag: "sha-1a2b3c4" }]);

    expect(update.text).toBe(FILE.replace("tag: sha-3f9c2a1 #", "tag: sha-1a2b3c4 #"));
    expect(update.changes).toEqual([
      { service: "api", path: "delivery:services[0].image.tag", from: "sha-3f9c2a1", to: "sha-1a2b3c4", changed: true },
    ]);
  });

  it("keeps a quoted tag quoted", () => {
    const update = setImageTags("Pulumi.dev.yaml", FILE, "delivery", [{ service: "web", tag: "v1.2.3" }]);

    expect(update.text).toBe(FILE.replace('tag: "sha-3f9c2a1"', 'tag: "v1.2.3"'));
  });

  it.each([["20240101_120000"], ["1.2"], ["true"], ["1e5"]])("quotes %s so YAML reads it as text", (tag) => {
    const update = setImageTags("Pulumi.dev.yaml", FILE, "delivery", [{ service: "api", tag }]);

    expect(update.text).toContain(`tag: "${tag}" # set by the pipeline`);
  });

  it("reports an unchanged tag without editing", () => {
    const update = setImageTags("Pulumi.dev.yaml", FILE, "delivery", [{ service: "web", tag: "sha-3f9c2a1" }]);

    expect(update.changes).toEqual([
      { service: "web", path: "delivery:services[1].image.tag", from: "sha-3f9c2a1", to: "sha-3f9c2a1", changed: false },
    ]);
    expect(update.text).toBe(FILE);
  });

  it("adds image.tag to a service that has none", () => {
    const text = "config:\n  delivery:services:\n    - name: api\n      port: 8080\n";

    const update = setImageTags("Pulumi.dev.yaml", text, "delivery", [{ service: "api", tag: "sha-1" }]);

    expect(update.text).toBe("config:\n  delivery:services:\n    - name: api\n      port: 8080\n      image:\n        tag: sha-1\n");
  });

  it("uses the project's namespace", () => {
    const text = "config:\n  shop:services:\n    - name: api\n      image:\n        tag: a\n";

    expect(setImageTags("Pulumi.dev.yaml", text, "shop", [{ service: "api", tag: "b" }]).text).toContain("tag: b");
  });

  it("lists services the file lacks as skipped when asked", () => {
    const update = setImageTags("Pulumi.dev.yaml", FILE, "delivery", [{ service: "worker", tag: "sha-1" }], { skipUnknown: true });

    expect([update.changes, update.skipped, update.text]).toEqual([[], ["worker"], FILE]);
  });

  it.each([
    [
      "an unknown service",
      FILE,
      [{ service: "worker", tag: "sha-1" }],
      `Pulumi.dev.yaml: config.delivery:services has no service named "worker"; its services are api, web`,
    ],
    [
      "a tag Docker refuses",
      FILE,
      [{ service: "api", tag: "-latest" }],
      `the tag for api is "-latest"; expected an image tag: 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    ],
    [
      "a file without services",
      "config:\n  aws:region: us-east-1\n",
      [{ service: "api", tag: "sha-1" }],
      "Pulumi.dev.yaml: config.delivery:services is missing; the stack file must list its services (name, image.repository, image.tag)",
    ],
    [
      "services that are not a list",
      "config:\n  delivery:services:\n    api: {}\n",
      [{ service: "api", tag: "sha-1" }],
      "Pulumi.dev.yaml: config.delivery:services is not a list; expected a list of services with name and image.tag",
    ],
  ])("rejects %s", (_name, text, edits, message) => {
    expect(() => setImageTags("Pulumi.dev.yaml", text, "delivery", edits)).toThrow(new BadInputError(message));
  });
});

describe("parseTagList", () => {
  it("leaves services with '-' or an empty tag out", () => {
    expect(parseTagList("api=sha-1,web=-,worker=")).toEqual([{ service: "api", tag: "sha-1" }]);
  });

  it("rejects an entry without '='", () => {
    expect(() => parseTagList("api")).toThrow(
      `--tags has "api"; expected service=tag entries separated by commas (e.g. "api=sha-1a2b3c4,web=-")`,
    );
  });
});

describe("deployctl config set-tag", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "deployctl-set-tag-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: delivery\nruntime: nodejs\n");
    writeFileSync(join(dir, "Pulumi.dev.yaml"), FILE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const setTag = (...args: string[]) => {
    const io = captureIO({ cwd: dir });
    return main(["node", "deployctl", "config", "set-tag", ...args], io).then((code) => ({ code, out: io.out(), err: io.err() }));
  };

  it("writes the new tag and says what changed", async () => {
    const result = await setTag("--stack", "dev", "--service", "api", "--tag", "sha-1a2b3c4");

    expect(result).toEqual({ code: 0, out: "Pulumi.dev.yaml: delivery:services[0].image.tag (api) sha-3f9c2a1 -> sha-1a2b3c4\n", err: "" });
    expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(FILE.replace("tag: sha-3f9c2a1 #", "tag: sha-1a2b3c4 #"));
  });

  it("sets the tags a deployment output says run, skipping services the file lacks", async () => {
    writeFileSync(
      join(dir, "deployed.json"),
      JSON.stringify({
        services: [
          { name: "web", imageTag: "sha-0000008" },
          { name: "old", imageTag: "x" },
        ],
      }),
    );

    const result = await setTag("--stack", "dev", "--from-manifest", "deployed.json", "--skip-unknown-services", "--output", "json");

    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      schemaVersion: 1,
      file: join(dir, "Pulumi.dev.yaml"),
      changes: [{ service: "web", path: "delivery:services[1].image.tag", from: "sha-3f9c2a1", to: "sha-0000008", changed: true }],
      skipped: ["old"],
    });
  });

  it.each([
    [["--stack", "dev"], "deployctl: config set-tag needs exactly one of: --service NAME --tag TAG, --tags LIST, --from-manifest FILE\n"],
    [["--stack", "dev", "--service", "api"], "deployctl: --service and --tag go together; --tag is missing\n"],
    [
      ["--stack", "dev", "--tags", "api=sha-1", "--service", "web", "--tag", "x"],
      "deployctl: config set-tag needs exactly one of: --service NAME --tag TAG, --tags LIST, --from-manifest FILE\n",
    ],
    [
      ["--stack", "dev", "--service", "api", "--tag", "has space"],
      `deployctl: --tag is "has space"; expected an image tag: 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'\n`,
    ],
    [
      ["--stack", "../etc", "--service", "api", "--tag", "x"],
      `deployctl: --stack is "../etc"; expected a stack name: letters, digits, '_', '.' or '-'\n`,
    ],
    [["--service", "api", "--tag", "x"], "deployctl: required option '-s, --stack <name>' not specified\n(run with --help for usage)\n"],
  ])("exits 2 on %j", async (args, message) => {
    const result = await setTag(...args);

    expect([result.code, result.err]).toEqual([2, message]);
  });

  it("names the file and folder when the stack file is missing", async () => {
    const result = await setTag("--stack", "prod", "--service", "api", "--tag", "x");

    expect([result.code, result.err]).toEqual([
      2,
      `deployctl: Pulumi.prod.yaml cannot be read in ${dir} (ENOENT); pass --dir with the Pulumi project folder\n`,
    ]);
  });

  it("names the key of a deployment output it cannot use", async () => {
    writeFileSync(join(dir, "deployed.json"), JSON.stringify({ services: [{ name: "web" }] }));

    const result = await setTag("--stack", "dev", "--from-manifest", "deployed.json");

    expect(result.err).toBe(
      `deployctl: ${join(dir, "deployed.json")}: services[0].imageTag is missing; expected the deployment stack output (services, each with name and imageTag)\n`,
    );
  });

  it("leaves the file and no temporary file behind when a service is unknown", async () => {
    const result = await setTag("--stack", "dev", "--tags", "api=sha-1,worker=sha-2");

    expect(result.code).toBe(2);
    expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(FILE);
    expect(readdirSync(dir).sort()).toEqual(["Pulumi.dev.yaml", "Pulumi.yaml"]);
  });

  describe("--dry-run", () => {
    it("prints the change as a diff between dry run lines and leaves the file byte for byte", async () => {
      const result = await setTag("--stack", "dev", "--tags", "api=sha-1a2b3c4,web=sha-3f9c2a1", "--dry-run");

      expect(result).toEqual({
        code: 0,
        out: [
          "dry run: Pulumi.dev.yaml is checked, not written",
          "- delivery:services[0].image.tag: sha-3f9c2a1 (api)",
          "+ delivery:services[0].image.tag: sha-1a2b3c4 (api)",
          "  delivery:services[1].image.tag: sha-3f9c2a1 (web, unchanged)",
          "dry run: 1 tag would change; Pulumi.dev.yaml was not written",
          "",
        ].join("\n"),
        err: "",
      });
      expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(FILE);
      expect(readdirSync(dir).sort()).toEqual(["Pulumi.dev.yaml", "Pulumi.yaml"]);
    });

    it("says dryRun: true in JSON and in the markdown title, writing nothing", async () => {
      const json = await setTag("--stack", "dev", "--service", "api", "--tag", "sha-1a2b3c4", "--dry-run", "-o", "json");
      const markdown = await setTag("--stack", "dev", "--service", "api", "--tag", "sha-1a2b3c4", "--dry-run", "-o", "markdown");

      expect(JSON.parse(json.out)).toEqual({
        schemaVersion: 1,
        dryRun: true,
        file: join(dir, "Pulumi.dev.yaml"),
        changes: [{ service: "api", path: "delivery:services[0].image.tag", from: "sha-3f9c2a1", to: "sha-1a2b3c4", changed: true }],
        skipped: [],
      });
      expect(markdown.out).toContain("deployctl config set-tag dev (dry run)");
      expect(markdown.out).toContain("dry run: 1 tag would change; Pulumi.dev.yaml was not written");
      expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(FILE);
    });

    it("refuses the same bad input as the real run, exit 2", async () => {
      const result = await setTag("--stack", "dev", "--tags", "worker=sha-2", "--dry-run");

      expect(result.code).toBe(2);
      expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(FILE);
    });
  });
});
