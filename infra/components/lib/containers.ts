import type { ServiceConfig } from "../../config";

/**
 * Task definition pieces as plain data: the container definition, the container health check and
 * the ECR lifecycle policy.
 */

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
