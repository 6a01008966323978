import { DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { latestDeployment } from "../../validators/providers/aws/ecsDeployments";

describe("latestDeployment", () => {
  it("reads every page of ListServiceDeployments: the newest may be on a later page", async () => {
    const ecs = mockClient(ECSClient);
    const arn = (n: number) => `arn:aws:ecs:us-east-1:123456789012:service-deployment/c/api/${n}`;
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolvesOnce({
        serviceDeployments: [{ serviceDeploymentArn: arn(1), createdAt: new Date("2026-01-01T00:00:00Z") }],
        nextToken: "page-2",
      })
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: arn(2), createdAt: new Date("2026-02-01T00:00:00Z") }] });
    ecs.on(DescribeServiceDeploymentsCommand).callsFake((input: { serviceDeploymentArns: string[] }) => ({
      serviceDeployments: input.serviceDeploymentArns.map((a) => ({ serviceDeploymentArn: a, status: "IN_PROGRESS" })),
    }));

    const newest = await latestDeployment(ecs as unknown as ECSClient, "c", "api");

    expect(newest?.serviceDeploymentArn).toBe(arn(2));
    expect(ecs.commandCalls(ListServiceDeploymentsCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, "page-2"]);
  });
});
