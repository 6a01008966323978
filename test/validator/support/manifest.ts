import type { EcsManifest, EcsManifestService } from "../../../contract/manifest";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

/** A manifest service named `name`; every field can be overridden. */
export function testService(name: string, overrides: Partial<EcsManifestService> = {}): EcsManifestService {
  return {
    name,
    ecsService: `${name}-svc`,
    imageTag: "v2",
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${name}:2`,
    targetGroup: `targetgroup/${name}-tg/0123456789abcdef`,
    loadBalancer: "app/delivery-staging/fedcba9876543210",
    logGroup: `/delivery/staging/${name}`,
    url: "",
    healthPath: "/health",
    smokePaths: [],
    dependsOn: [],
    ...overrides,
  };
}

/** A staging manifest with the given services (default: one service `api`). */
export function testManifest(services: EcsManifestService[] = [testService("api")], overrides: Partial<EcsManifest> = {}): EcsManifest {
  return {
    schemaVersion: 1,
    project: "delivery",
    stack: "staging",
    region: REGION,
    cluster: "delivery-staging",
    dashboardUrl: "https://console.aws.amazon.com/cloudwatch/home#dashboards:name=delivery-staging",
    alerts: {
      warningTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:delivery-staging-warning`,
      criticalTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:delivery-staging-critical`,
    },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 100,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      windowSeconds: 600,
    },
    services,
    ...overrides,
  };
}
