import { describe, expect, it } from "vitest";
import { diffStack, diffValues } from "../../infra/synth/diff";
import { COMMENT_LIMIT, commentMarkdown, diffMarkdown } from "../../infra/synth/diffMarkdown";
import { redact } from "../../contract/redact";
import { SECRET_PLACEHOLDER } from "../../infra/config";
import type { SynthDocument } from "../../infra/synth/synth";

function doc(resources: SynthDocument["resources"]): SynthDocument {
  return {
    schemaVersion: 1,
    project: "delivery",
    stack: "staging",
    tier: "staging",
    region: "us-east-1",
    summary: { stack: "staging", tier: "staging", region: "us-east-1", resourceCount: resources.length, resourcesByType: {}, services: [] },
    resources,
    outputs: {},
    policy: { violations: [] },
  };
}

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";
const TOPIC = "aws:sns/topic:Topic";
const taskDef = (image: string) => ({
  type: TASK,
  name: "api-task",
  inputs: { family: "api", containerDefinitions: JSON.stringify([{ name: "api", image, essential: true }]) },
});

describe("diffStack", () => {
  it("finds nothing between identical renders", () => {
    const d = diffStack("staging", doc([taskDef("repo:1")]), doc([taskDef("repo:1")]));
    expect(d.changes).toEqual([]);
    expect(d.counts).toEqual({ add: 0, remove: 0, update: 0, replace: 0 });
  });

  it("reports added and removed resources", () => {
    const d = diffStack("staging", doc([{ type: TOPIC, name: "old", inputs: {} }]), doc([{ type: TOPIC, name: "new", inputs: {} }]));
    expect(d.changes.map((c) => [c.kind, c.name])).toEqual([
      ["remove", "old"],
      ["add", "new"],
    ]);
  });

  it("sees a new image as a replaced task definition, down to the JSON path inside containerDefinitions", () => {
    const d = diffStack("staging", doc([taskDef("repo:1")]), doc([taskDef("repo:2")]));
    expect(d.changes).toEqual([
      {
        kind: "replace",
        type: TASK,
        name: "api-task",
        replacesRunning: true,
        inputs: [{ path: "containerDefinitions[0].image", before: "repo:1", after: "repo:2" }],
      },
    ]);
  });

  it("updates a service in place when its desired count changes, and replaces it when its cluster does", () => {
    const service = (desiredCount: number, cluster: string) => ({ type: SERVICE, name: "api", inputs: { desiredCount, cluster } });
    expect(diffStack("s", doc([service(2, "c1")]), doc([service(3, "c1")])).changes[0]).toMatchObject({
      kind: "update",
      replacesRunning: false,
    });
    expect(diffStack("s", doc([service(2, "c1")]), doc([service(2, "c2")])).changes[0]).toMatchObject({
      kind: "replace",
      replacesRunning: true,
    });
  });

  it("treats a stack missing on one side as all added", () => {
    const d = diffStack("prod", undefined, doc([taskDef("repo:1")]));
    expect(d.counts.add).toBe(1);
  });
});

describe("diffValues", () => {
  it("names added, removed and changed keys", () => {
    expect(diffValues({ a: 1, b: [1, 2], c: "x" }, { a: 2, b: [1], d: true })).toEqual([
      { path: "a", before: 1, after: 2 },
      { path: "b[1]", before: 2, after: undefined },
      { path: "c", before: "x", after: undefined },
      { path: "d", before: undefined, after: true },
    ]);
  });
});

describe("diff markdown", () => {
  it("never shows a secret: rendered documents carry masked values", () => {
    const secret = "https://hooks.slack.com/services/T000/B000/XXXX";
    const before = doc([
      {
        type: "aws:ssm/parameter:Parameter",
        name: "slack",
        inputs: redact({ value: "old" }, [], { mask: SECRET_PLACEHOLDER, byName: false }),
      },
    ]);
    const after = doc([
      {
        type: "aws:ssm/parameter:Parameter",
        name: "slack",
        inputs: redact({ value: secret }, [secret], { mask: SECRET_PLACEHOLDER, byName: false }),
      },
    ]);
    const md = diffMarkdown([diffStack("staging", before, after)]);
    expect(md).not.toContain("hooks.slack.com");
    expect(md).toContain('`value`: `"old"` → `"[secret]"`');
  });

  it("heads each stack with its counts and flags changes that replace running resources", () => {
    const md = diffMarkdown([diffStack("staging", doc([taskDef("repo:1")]), doc([taskDef("repo:2")]))]);
    expect(md).toContain("### staging: 0 to add, 0 to update, 1 to replace, 0 to remove");
    expect(md).toContain("**1 change replace running resources**");
    expect(md).toContain("| +- replace (running) | `aws:ecs/taskDefinition:TaskDefinition` | `api-task` | 1 |");
  });

  it("keeps a comment under the limit and points to the whole diff when it is longer", () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ type: TOPIC, name: `topic-${i}`, inputs: { displayName: `x${i}` } }));
    const full = diffMarkdown([diffStack("staging", doc([]), doc(many))]);
    expect(full.length).toBeGreaterThan(COMMENT_LIMIT);
    const comment = commentMarkdown(full, "out/synth/diff.md");
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment).toContain("The whole diff is in `out/synth/diff.md`");
    expect(commentMarkdown("short\n", "x")).toBe("short\n");
  });
});
