import {
  DescribeServiceRevisionsCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { beforeEach, describe, expect, it } from "vitest";
import { compareBaselines } from "../../validators/canary/compare";
import type { EcsManifestService } from "../../contract/manifest";
import { type MockedAws, mockedAws, NOW } from "../validator/support/mocks";
import { testManifest, testService } from "../validator/support/manifest";
import { arrangeDeployment, arrangeMetrics, arrangeTasks, canaryService, inProgress, revisionArn } from "./support";

/**
 * Canary analysis scenarios against mocked AWS: an in-progress ECS deployment of api at 5%, the new
 * revision in the -alt target group, the baseline in the first; metrics over the same 10 minutes.
 */
const api = canaryService("api");
const NEW_TG = "targetgroup/api-tg-alt/fedcba9876543210";
const OLD_TG = "targetgroup/api-tg/0123456789abcdef";

let aws: MockedAws;
beforeEach(() => {
  aws = mockedAws();
  arrangeTasks(aws);
});

async function compare(services: EcsManifestService[] = [api]) {
  return compareBaselines({ manifest: testManifest(services), services, windowSeconds: 600, end: NOW, confidence: 0.99 }, aws.clients);
}

describe("canary analysis against the baseline (aws-sdk-client-mock)", () => {
  it("passes a healthy canary, showing both sides", async () => {
    arrangeDeployment(aws, api, inProgress(api, 5));
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 1_000, errors5xx: 1, p99Seconds: 0.42 }, [OLD_TG]: { requests: 19_000, errors5xx: 19, p99Seconds: 0.4 } },
      new Date("2025-03-01T12:05:00Z"),
    );
    const result = (await compare()).get("api");
    expect(result?.status).toBe("pass");
    expect(result?.observed).toMatchObject({
      sharePercent: 5,
      canary: {
        targetGroup: NEW_TG,
        revision: revisionArn("api-svc", "new"),
        taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:2",
        requests: 1_000,
        errors5xx: 1,
        p99Ms: 420,
      },
      baseline: { targetGroup: OLD_TG, revision: revisionArn("api-svc", "old"), requests: 19_000, errors5xx: 19, p99Ms: 400 },
    });
  });

  it("fails a worse canary: its 5xx rate above 1% and its p99 above twice the baseline's", async () => {
    arrangeDeployment(aws, api, inProgress(api, 5));
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 1_000, errors5xx: 40, p99Seconds: 0.95 }, [OLD_TG]: { requests: 19_000, errors5xx: 19, p99Seconds: 0.4 } },
      new Date("2025-03-01T12:05:00Z"),
    );
    const result = (await compare()).get("api");
    expect([result?.status, result?.observed.criteria]).toEqual(["fail", { errorRate: "fail", latency: "fail", crashes: "pass" }]);
  });

  it("fails a canary whose task crashed, however clean its traffic", async () => {
    arrangeDeployment(aws, api, inProgress(api, 5));
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 1_000, errors5xx: 0, p99Seconds: 0.4 }, [OLD_TG]: { requests: 19_000, errors5xx: 19, p99Seconds: 0.4 } },
      new Date("2025-03-01T12:05:00Z"),
    );
    const crashed = {
      taskArn: "arn:aws:ecs:eu-west-1:123456789012:task/delivery-staging/abc123",
      group: "service:api-svc",
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:2",
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited" as const,
      stoppedReason: "Essential container in task exited",
      stoppedAt: new Date("2025-03-01T12:04:00Z"),
      containers: [{ name: "app", exitCode: 137 }],
    };
    aws.ecs.on(ListTasksCommand).resolves({ taskArns: [crashed.taskArn] });
    aws.ecs.on(DescribeTasksCommand).resolves({ tasks: [crashed] });
    const result = (await compare()).get("api");
    expect([result?.status, result?.observed.criteria, (result?.observed.canary as { crashedTasks: unknown }).crashedTasks]).toEqual([
      "fail",
      { errorRate: "pass", latency: "pass", crashes: "fail" },
      [{ taskId: "abc123", cause: "essential container app exited with exit code 137" }],
    ]);
  });

  it("does not count a new-revision task ECS stopped for a scale-in (SIGTERM, exit 143) as a crash", async () => {
    arrangeDeployment(aws, api, inProgress(api, 5));
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 1_000, errors5xx: 0, p99Seconds: 0.4 }, [OLD_TG]: { requests: 19_000, errors5xx: 19, p99Seconds: 0.4 } },
      new Date("2025-03-01T12:05:00Z"),
    );
    const scaledIn = {
      taskArn: "arn:aws:ecs:eu-west-1:123456789012:task/delivery-staging/def456",
      group: "service:api-svc",
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:2",
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "ServiceSchedulerInitiated" as const,
      stoppedReason: "Scaling activity initiated by (deployment ecs-svc/api2)",
      stoppedAt: new Date("2025-03-01T12:04:00Z"),
      containers: [{ name: "app", exitCode: 143 }],
    };
    aws.ecs.on(ListTasksCommand).resolves({ taskArns: [scaledIn.taskArn] });
    aws.ecs.on(DescribeTasksCommand).resolves({ tasks: [scaledIn] });
    const result = (await compare()).get("api");
    expect([result?.status, result?.observed.criteria]).toEqual(["pass", { errorRate: "pass", latency: "pass", crashes: "pass" }]);
  });

  it("keeps a low-traffic canary inconclusive (extend the step), never pass and never fail", async () => {
    arrangeDeployment(aws, api, inProgress(api, 5));
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 12, errors5xx: 0, p99Seconds: 0.3 }, [OLD_TG]: { requests: 230, errors5xx: 0, p99Seconds: 0.3 } },
      new Date("2025-03-01T12:05:00Z"),
    );
    const result = (await compare()).get("api");
    expect([result?.status, result?.observed.criteria]).toEqual([
      "inconclusive",
      { errorRate: "inconclusive", latency: "pass", crashes: "pass" },
    ]);
    expect(result?.message.split("\n")[2]).toBe(
      "inconclusive: only 12 requests on the new revision, fewer than 100: too little traffic to judge, observe longer; p99 300 ms within 1000 ms and 2x the baseline's 300 ms; no crash.",
    );
  });

  it("measures every service in one GetMetricData request for counts and one for percentiles", async () => {
    const web = canaryService("web");
    arrangeDeployment(aws, api, inProgress(api, 25));
    arrangeDeployment(aws, web, inProgress(web, 50));
    arrangeMetrics(aws, {}, new Date("2025-03-01T12:05:00Z"));
    await compare([api, web]);
    const requests = aws.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries?.length);
    // counts: 2 groups x 2 metrics x 2 services + 1 load balancer; percentiles: 2 groups x 3 x 2 services.
    expect(requests).toEqual([9, 12]);
  });

  it("skips a rolling service and a progressive one with no deployment in progress, saying why", async () => {
    const web = canaryService("web");
    arrangeDeployment(aws, web, inProgress(web, 100, { status: "SUCCESSFUL" }));
    const results = await compare([testService("worker"), web]);
    expect([...results.values()].map((r) => [r.status, r.message])).toEqual([
      ["skipped", "Skipped: worker deploys rolling; no baseline revision serves beside the new one."],
      ["skipped", "Skipped: the newest deployment of web-svc is SUCCESSFUL, not in progress; no baseline serves beside the new revision."],
    ]);
    expect(aws.ecs.commandCalls(ListServiceDeploymentsCommand).map((c) => c.args[0].input.service)).toEqual(["web-svc"]);
  });

  it("takes the other group of the pair for the new revision when ECS names the same group for both", async () => {
    arrangeDeployment(aws, api, inProgress(api, 5));
    aws.ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: ["new", "old"].map((id) => ({
        serviceRevisionArn: revisionArn("api-svc", id),
        loadBalancers: [{ targetGroupArn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:${OLD_TG}` }],
      })),
    });
    arrangeMetrics(aws, {}, new Date("2025-03-01T12:05:00Z"));
    const observed = (await compare()).get("api")?.observed as { canary: { targetGroup: string }; baseline: { targetGroup: string } };
    expect([observed.canary.targetGroup, observed.baseline.targetGroup]).toEqual([NEW_TG, OLD_TG]);
  });
});
