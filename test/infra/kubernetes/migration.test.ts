import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { RenderedStack } from "../../../infra/synth/render";
import type { KubernetesManifest } from "../../../contract/manifest";
import { migrationJobName } from "../../../infra/kubernetes/migrationJob";
import { serviceEntry } from "../../support/pulumi";
import { at, K, kubeConfig, object, renderKube } from "./support";

const JOB = "kubernetes:batch/v1:Job";

const hash = (tag: string) => createHash("sha256").update(tag).digest("hex").slice(0, 8);

describe("migrationJobName", () => {
  it.each([
    ["a DNS-safe tag as it is", "sha-3f9c2a1", "api-migrate-sha-3f9c2a1"],
    ["a tag with capitals and '_' made safe, with its hash", "V1.2_rc", `api-migrate-v1-2-rc-${hash("V1.2_rc")}`],
    ["a long tag shortened to 52 characters, with its hash", "a".repeat(60), `api-migrate-${"a".repeat(31)}-${hash("a".repeat(60))}`],
  ])("keeps %s", (_what, tag, expected) => {
    expect(migrationJobName("api", tag)).toBe(expected);
    expect(expected.length).toBeLessThanOrEqual(52);
  });
});

describe("a Kubernetes service with a migration", () => {
  let rendered: RenderedStack<KubernetesManifest>;
  beforeAll(async () => {
    rendered = await renderKube(
      kubeConfig(
        "staging",
        {},
        {
          services: [
            serviceEntry("api", {
              path: "/api/*",
              migration: { command: ["npm", "run", "migrate"], timeoutSeconds: 600, environment: { MIGRATION_LOCK: "1" } },
            }),
            serviceEntry("worker", { port: 9000 }),
          ],
        },
      ),
    );
  });

  it("runs as a Job of the service's image at the release's tag, with its ServiceAccount, config and secret", () => {
    const job = object(rendered, JOB, "api-migrate-sha-abc1234");
    expect([at(job, "spec.backoffLimit"), at(job, "spec.activeDeadlineSeconds"), at(job, "metadata.namespace")]).toEqual([
      0,
      600,
      "delivery-staging",
    ]);
    const pod = at<Record<string, unknown>>(job, "spec.template.spec");
    expect([pod.restartPolicy, pod.serviceAccountName, pod.automountServiceAccountToken, pod.securityContext]).toEqual([
      "Never",
      "api",
      false,
      { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
    ]);
    const [container] = pod.containers as Record<string, unknown>[];
    expect(container).toEqual({
      name: "migration",
      image: "delivery/api:sha-abc1234",
      command: ["npm", "run", "migrate"],
      envFrom: [{ configMapRef: { name: "api-config" } }, { secretRef: { name: "api-secret" } }],
      env: [{ name: "MIGRATION_LOCK", value: "1" }],
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
      securityContext: {
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    });
    expect(at(job, "spec.template.metadata.labels")).toEqual({
      "app.kubernetes.io/name": "api-migration",
      "app.kubernetes.io/instance": "staging",
      "app.kubernetes.io/component": "migration",
      "app.kubernetes.io/part-of": "api",
      "app.kubernetes.io/version": "sha-abc1234",
      "app.kubernetes.io/managed-by": "pulumi",
    });
  });

  it("is what the service's Deployment depends on (pulumi up runs it first); the other service has none", () => {
    const job = object(rendered, JOB, "api-migrate-sha-abc1234");
    expect(object(rendered, K.deployment, "api").dependencies).toContain(job.urn);
    expect(rendered.resources.filter((r) => r.type === JOB)).toHaveLength(1);
  });
});
