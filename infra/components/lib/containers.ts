import type { ServiceConfig, Tier } from "../../config";

/**
 * Task definition pieces as plain data: the container definition, the container health check and
 * the ECR lifecycle policy; plus the per-tier settings the components read (one table, no tier
 * checks scattered through the code).
 */

export interface TierSettings {
  /** NAT gateways when the stack creates its VPC: one per AZ in prod, one shared below. */
  natGateways: 1 | 2;
  /** ECR: images kept (rollbacks need old images), and days before untagged images expire. */
  keepImages: number;
  untaggedImageDays: number;
  /** ECR repositories and buckets can be deleted with content (never in prod). */
  forceDelete: boolean;
  /** Log groups encrypted with the environment key. */
  encryptLogs: boolean;
  /** The stack keeps run records in S3 and its lock in DynamoDB (else a local directory and lock file). */
  cloudHistory: boolean;
  /** DynamoDB point-in-time recovery on the lock table. */
  pointInTimeRecovery: boolean;
  /** Days before non-current record versions and access logs expire. */
  recordVersionDays: number;
  accessLogDays: number;
  /** KMS key deletion window. */
  keyDeletionDays: number;
  deregistrationDelaySeconds: number;
}

export const TIER_SETTINGS: Record<Tier, TierSettings> = {
  local: {
    natGateways: 1, keepImages: 10, untaggedImageDays: 1, forceDelete: true, encryptLogs: false, cloudHistory: false,
    pointInTimeRecovery: false, recordVersionDays: 7, accessLogDays: 7, keyDeletionDays: 7, deregistrationDelaySeconds: 5,
  },
  dev: {
    natGateways: 1, keepImages: 30, untaggedImageDays: 7, forceDelete: true, encryptLogs: false, cloudHistory: true,
    pointInTimeRecovery: false, recordVersionDays: 30, accessLogDays: 30, keyDeletionDays: 7, deregistrationDelaySeconds: 30,
  },
  staging: {
    natGateways: 1, keepImages: 50, untaggedImageDays: 7, forceDelete: true, encryptLogs: false, cloudHistory: true,
    pointInTimeRecovery: false, recordVersionDays: 90, accessLogDays: 90, keyDeletionDays: 14, deregistrationDelaySeconds: 30,
  },
  prod: {
    natGateways: 2, keepImages: 100, untaggedImageDays: 14, forceDelete: false, encryptLogs: true, cloudHistory: true,
    pointInTimeRecovery: true, recordVersionDays: 365, accessLogDays: 365, keyDeletionDays: 30, deregistrationDelaySeconds: 60,
  },
};

/** Quotes a word for `sh -c`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The container's own health check: curl, else wget, on healthCheckPath (images carry one or the other). */
export function containerHealthCheck(port: number, path: string) {
  const url = shellQuote(`http://localhost:${port}${path}`);
  return {
    command: ["CMD-SHELL", `curl -fsS -o /dev/null ${url} || wget -q -O /dev/null ${url} || exit 1`],
    interval: 15,
    timeout: 5,
    retries: 3,
    startPeriod: 30,
  };
}

export interface ContainerDefinitionInput {
  service: Pick<ServiceConfig, "name" | "port" | "healthCheckPath" | "environment" | "readonlyRootFilesystem">;
  /** `<repositoryUrl>:<tag>`. */
  image: string;
  logGroup: string;
  region: string;
  /** Variable name -> ECS valueFrom (an SSM parameter or Secrets Manager ARN). */
  secrets: Record<string, string>;
}

/** The service's one container, as ECS's containerDefinitions JSON expects it. Sorted for stable diffs. */
export function containerDefinition(input: ContainerDefinitionInput) {
  const { service } = input;
  return {
    name: service.name,
    image: input.image,
    essential: true,
    portMappings: [{ containerPort: service.port, hostPort: service.port, protocol: "tcp" }],
    environment: Object.keys(service.environment)
      .sort()
      .map((name) => ({ name, value: service.environment[name] })),
    secrets: Object.keys(input.secrets)
      .sort()
      .map((name) => ({ name, valueFrom: input.secrets[name] })),
    healthCheck: containerHealthCheck(service.port, service.healthCheckPath),
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": input.logGroup,
        "awslogs-region": input.region,
        "awslogs-stream-prefix": service.name,
      },
    },
    readonlyRootFilesystem: service.readonlyRootFilesystem,
  };
}

/** Expire untagged images after `untaggedDays`; keep the newest `keep` images of any tag. */
export function ecrLifecyclePolicy(keep: number, untaggedDays: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedDays} day(s)`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
        action: { type: "expire" },
      },
      {
        // A rule on tagStatus "any" must come last.
        rulePriority: 2,
        description: `Keep the newest ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  };
}
