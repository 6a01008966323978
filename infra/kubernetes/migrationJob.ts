import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MigrationConfig } from "../config/migration";
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT, volumeName } from "./settings";

/** Longest Job name: its pods are named `<job>-<5 characters>`, within a 63-character label. */
const MAX_JOB_NAME = 52;

/**
 * The migration Job's name: `<service>-migrate-<tag>`, so each release makes a new Job (a Job's pod
 * template cannot change). A tag that is not DNS-safe or too long is shortened and suffixed with a
 * hash of it, so two tags never share a name.
 */
export function migrationJobName(service: string, tag: string): string {
  const slug = tag
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const base = `${service}-migrate-`;
  if (slug === tag && base.length + slug.length <= MAX_JOB_NAME) return `${base}${slug}`;
  const hash = createHash("sha256").update(tag).digest("hex").slice(0, 8);
  const room = Math.max(0, MAX_JOB_NAME - base.length - hash.length - 1);
  const kept = slug.slice(0, room).replace(/-+$/, "");
  return `${base}${kept ? `${kept}-` : ""}${hash}`.slice(0, MAX_JOB_NAME);
}

/** Labels of the migration's pods: apart from the service's, so its Service and the validator never select them. */
export function migrationLabels(service: string, stack: string, version: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": `${service}-migration`,
    "app.kubernetes.io/instance": stack,
    "app.kubernetes.io/component": "migration",
    "app.kubernetes.io/part-of": service,
    "app.kubernetes.io/version": version,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

export interface MigrationJobArgs {
  namespace: pulumi.Input<string>;
  service: string;
  stack: string;
  /** The service's image without tag; the migration runs it at `imageTag` unless migration.image says otherwise. */
  image: pulumi.Input<string>;
  imageTag: string;
  migration: MigrationConfig;
  /** The service's ServiceAccount, ConfigMap and Secret: the migration sees what the service sees. */
  serviceAccountName: pulumi.Input<string>;
  configMapName: pulumi.Input<string>;
  secretName: pulumi.Input<string>;
  resources: { cpu: pulumi.Input<string>; memory: pulumi.Input<string> };
  /** Writable directories (emptyDir) under the read-only root. @default ["/tmp"] */
  writablePaths?: string[];
}

/**
 * A service's database migration on Kubernetes (issue 15): a Job of the service's image with its
 * ServiceAccount, config and secret, the restricted security context, no retry (`backoffLimit` 0)
 * and `activeDeadlineSeconds` = timeoutSeconds. The Deployment depends on it, so `pulumi up` waits
 * for it to complete before rolling the new revision out, and a failed Job fails the update with the
 * Deployment untouched.
 */
export class MigrationJob extends pulumi.ComponentResource {
  public readonly job: k8s.batch.v1.Job;
  public readonly jobName: string;

  constructor(name: string, args: MigrationJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:kubernetes:MigrationJob", name, {}, opts);
    const labels = migrationLabels(args.service, args.stack, args.imageTag);
    const writable = args.writablePaths ?? ["/tmp"];
    this.jobName = migrationJobName(args.service, args.imageTag);
    const environment = args.migration.environment;
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: this.jobName, namespace: args.namespace, labels },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: args.migration.timeoutSeconds,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "Never",
              serviceAccountName: args.serviceAccountName,
              automountServiceAccountToken: false,
              securityContext: { ...POD_SECURITY_CONTEXT },
              containers: [
                {
                  name: "migration",
                  image: args.migration.image ?? pulumi.interpolate`${args.image}:${args.imageTag}`,
                  command: [...args.migration.command],
                  envFrom: [{ configMapRef: { name: args.configMapName } }, { secretRef: { name: args.secretName } }],
                  env: Object.keys(environment)
                    .sort()
                    .map((key) => ({ name: key, value: environment[key] })),
                  resources: { requests: args.resources, limits: args.resources },
                  securityContext: { ...CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } },
                  volumeMounts: writable.map((path) => ({ name: volumeName(path), mountPath: path })),
                },
              ],
              volumes: writable.map((path) => ({ name: volumeName(path), emptyDir: {} })),
            },
          },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ jobName: this.jobName });
  }
}
