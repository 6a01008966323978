import { describe, expect, it } from "vitest";
import { parseEnvironmentConfig } from "../../infra/config";
import { problemsOf, rawConfig, service } from "./helpers";

const PD_URL = "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue";
const SLACK = { workspaceId: "T07EA123LEP", channelId: "C07EZ1ABC23" };

const dev = (notifications: Record<string, unknown>) => ({ tier: "dev", services: [service()], notifications });
const secret = { secretPaths: ["delivery:notifications"] };

describe("delivery:notifications.slack and pagerDutyIntegrationUrl: what is accepted", () => {
  it("keeps the Slack channel as given and the PagerDuty URL as a secret", () => {
    const config = parseEnvironmentConfig(rawConfig(dev({ slack: SLACK, pagerDutyIntegrationUrl: PD_URL }), secret));
    expect(config.notifications).toEqual({ emails: [], slack: SLACK, pagerDutyIntegrationUrl: { secret: true, value: PD_URL } });
  });

  it("accepts a private channel (G...) and a secure value not decrypted (read from the stack file)", () => {
    const config = parseEnvironmentConfig(
      rawConfig(dev({ slack: { workspaceId: "T0ABC", channelId: "G01PRIVATE9" }, pagerDutyIntegrationUrl: "[secret]" }), secret),
    );
    expect([config.notifications.slack?.channelId, config.notifications.pagerDutyIntegrationUrl]).toEqual([
      "G01PRIVATE9",
      { secret: true, value: "[secret]" },
    ]);
  });

  it("leaves both out when not configured", () => {
    const config = parseEnvironmentConfig(rawConfig(dev({ emails: ["a@example.com"] })));
    expect(config.notifications).toEqual({ emails: ["a@example.com"] });
  });
});

describe("delivery:notifications.slack and pagerDutyIntegrationUrl: what is refused, with the exact message", () => {
  const cases: { name: string; delivery: Record<string, unknown>; options?: Parameters<typeof rawConfig>[1]; expected: string[] }[] = [
    {
      name: "a plaintext PagerDuty integration URL, without echoing it",
      delivery: dev({ pagerDutyIntegrationUrl: PD_URL }),
      expected: [
        "Pulumi.dev.yaml: delivery:notifications.pagerDutyIntegrationUrl is a plaintext value; it must be a Pulumi secret. Set it with: pulumi config set --secret --path 'delivery:notifications.pagerDutyIntegrationUrl' <value>.",
      ],
    },
    {
      name: "a secret PagerDuty URL over plain http, masked",
      delivery: dev({ pagerDutyIntegrationUrl: "http://events.pagerduty.com/integration/abc/enqueue" }),
      options: secret,
      expected: [
        "Pulumi.dev.yaml: delivery:notifications.pagerDutyIntegrationUrl is [secret]; expected an https URL (as a Pulumi secret), e.g. https://events.pagerduty.com/integration/<key>/enqueue.",
      ],
    },
    {
      name: "a secret PagerDuty value that is no URL, masked",
      delivery: dev({ pagerDutyIntegrationUrl: "R0UT1NGKEY" }),
      options: secret,
      expected: [
        "Pulumi.dev.yaml: delivery:notifications.pagerDutyIntegrationUrl is [secret]; expected an https URL (as a Pulumi secret), e.g. https://events.pagerduty.com/integration/<key>/enqueue.",
      ],
    },
    {
      name: "a Slack workspace that is not a T... ID",
      delivery: dev({ slack: { workspaceId: "my-team", channelId: "C07EZ1ABC23" } }),
      expected: [
        'Pulumi.dev.yaml: delivery:notifications.slack.workspaceId is "my-team"; expected a Slack workspace (team) ID: T followed by uppercase letters and digits, e.g. T07EA123LEP.',
      ],
    },
    {
      name: "a Slack channel given by name",
      delivery: dev({ slack: { workspaceId: "T07EA123LEP", channelId: "#alerts" } }),
      expected: [
        'Pulumi.dev.yaml: delivery:notifications.slack.channelId is "#alerts"; expected a Slack channel ID: C (public) or G (private) followed by uppercase letters and digits, e.g. C07EZ1ABC23.',
      ],
    },
    {
      name: "a direct-message ID (D...) as channel",
      delivery: dev({ slack: { workspaceId: "T07EA123LEP", channelId: "D07EZ1ABC23" } }),
      expected: [
        'Pulumi.dev.yaml: delivery:notifications.slack.channelId is "D07EZ1ABC23"; expected a Slack channel ID: C (public) or G (private) followed by uppercase letters and digits, e.g. C07EZ1ABC23.',
      ],
    },
    {
      name: "a Slack channel without its workspace, and a misspelt key",
      delivery: dev({ slack: { channelId: "C07EZ1ABC23", workspace: "T07EA123LEP" } }),
      expected: [
        "Pulumi.dev.yaml: delivery:notifications.slack.workspaceId is missing; it is required (expected a Slack workspace (team) ID: T followed by uppercase letters and digits, e.g. T07EA123LEP).",
        "Pulumi.dev.yaml: delivery:notifications.slack.workspace is not a known key; did you mean 'workspaceId'? Known keys: workspaceId, channelId.",
      ],
    },
    {
      name: "Slack and PagerDuty on a Kubernetes stack (no SNS topics there)",
      delivery: {
        tier: "dev",
        runtime: "kubernetes",
        kubernetes: { prometheusUrl: "http://p:9090" },
        services: [service()],
        notifications: { slack: SLACK, pagerDutyIntegrationUrl: PD_URL },
      },
      options: secret,
      expected: [
        "Pulumi.dev.yaml: delivery:notifications.slack is set, but this stack's runtime is kubernetes; it subscribes to the SNS alert topics, which only an ECS stack creates. Remove it (deployctl's own alerts use slackWebhookUrl and pagerDutyRoutingKey).",
        "Pulumi.dev.yaml: delivery:notifications.pagerDutyIntegrationUrl is set, but this stack's runtime is kubernetes; it subscribes to the SNS alert topics, which only an ECS stack creates. Remove it (deployctl's own alerts use slackWebhookUrl and pagerDutyRoutingKey).",
      ],
    },
  ];

  it.each(cases)("$name", ({ delivery, options, expected }) => {
    const problems = problemsOf(delivery, options);
    expect(problems).toEqual(expected);
    expect(problems.join("\n")).not.toContain("0123456789abcdef");
  });
});
