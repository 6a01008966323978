import { describe, expect, it } from "vitest";
import {
  type Alert,
  type AlertChannel,
  AlertDispatcher,
  type AlertStateStore,
  ChannelError,
  type ResolveNotice,
} from "../../validators/alerts";
import { SecretRegistry } from "../../validators/records";
import { clock } from "../release/support";

class MemoryState implements AlertStateStore {
  value: unknown;
  async readState(): Promise<unknown> {
    return this.value === undefined ? undefined : JSON.parse(JSON.stringify(this.value));
  }
  async writeState(_name: string, value: unknown): Promise<void> {
    this.value = JSON.parse(JSON.stringify(value));
  }
}

class RecordingChannel implements AlertChannel {
  readonly sent: Alert[] = [];
  readonly resolved: ResolveNotice[] = [];
  constructor(
    readonly name: string,
    private readonly fail = false,
  ) {}
  async send(alert: Alert) {
    if (this.fail) throw new ChannelError(this.name, `${this.name} answered HTTP 500`);
    this.sent.push(alert);
    return { status: "ok" as const, message: `sent to ${this.name}` };
  }
  async resolve(notice: ResolveNotice) {
    this.resolved.push(notice);
    return { status: "ok" as const, message: `resolved on ${this.name}` };
  }
}

const alert = (overrides: Partial<Alert> = {}): Alert => ({
  stack: "staging",
  service: "api",
  verdict: "fail",
  severity: "warning",
  checks: [{ name: "errorRate", status: "fail", message: "", observed: {}, threshold: {} }],
  action: "rolled back",
  dashboardUrl: "",
  runId: "run",
  ...overrides,
});

function setup(channels: AlertChannel[] = [new RecordingChannel("sns")]) {
  const t = clock();
  const state = new MemoryState();
  const dispatcher = new AlertDispatcher(channels, state, { dedupWindowSeconds: 1800, escalateAfter: 3 }, t.now);
  return { t, state, dispatcher, channels };
}

describe("AlertDispatcher", () => {
  it("sends an alert through every channel and reports each as an action", async () => {
    const { dispatcher } = setup([new RecordingChannel("sns"), new RecordingChannel("slack")]);

    const actions = await dispatcher.notify([alert()]);

    expect(actions.map((a) => [a.kind, a.target, a.status, a.message])).toEqual([
      ["alert", "sns", "ok", "sent to sns"],
      ["alert", "slack", "ok", "sent to slack"],
    ]);
  });

  it("does not stop at a failing channel: the others still send and the failure is reported", async () => {
    const sns = new RecordingChannel("sns");
    const { dispatcher } = setup([new RecordingChannel("slack", true), sns]);

    const actions = await dispatcher.notify([alert()]);

    expect(sns.sent).toHaveLength(1);
    expect(actions.map((a) => [a.target, a.status, a.message])).toEqual([
      ["slack", "failed", "slack answered HTTP 500"],
      ["sns", "ok", "sent to sns"],
    ]);
  });

  it("suppresses the same stack + service + check within the window", async () => {
    const { t, dispatcher, channels } = setup();
    await dispatcher.notify([alert()]);
    t.advance(10 * 60_000);

    const actions = await dispatcher.notify([alert()]);

    expect((channels[0] as RecordingChannel).sent).toHaveLength(1);
    expect(actions.map((a) => [a.target, a.status, a.message])).toEqual([
      [
        "all",
        "skipped",
        "warning alert for staging/api not sent again: errorRate already alerted at 2024-05-01T10:00:00.000Z (within the 1800 s window)",
      ],
    ]);
  });

  it("sends again once the window has passed", async () => {
    const { t, dispatcher, channels } = setup();
    await dispatcher.notify([alert()]);
    t.advance(31 * 60_000);

    await dispatcher.notify([alert()]);

    expect((channels[0] as RecordingChannel).sent).toHaveLength(2);
  });

  it("sends when a new check fails for the same service within the window", async () => {
    const { dispatcher, channels } = setup();
    await dispatcher.notify([alert()]);

    await dispatcher.notify([
      alert({ checks: [...alert().checks, { name: "latency", status: "fail", message: "", observed: {}, threshold: {} }] }),
    ]);

    expect((channels[0] as RecordingChannel).sent).toHaveLength(2);
  });

  it("does not deduplicate escalations (dedup false)", async () => {
    const { dispatcher, channels } = setup();
    await dispatcher.notify([alert({ severity: "critical" })]);

    await dispatcher.notify([alert({ severity: "critical", dedup: false })]);

    expect((channels[0] as RecordingChannel).sent).toHaveLength(2);
  });

  it("escalates the third consecutive failure to critical, saying why", async () => {
    const { t, dispatcher, channels } = setup();
    for (let i = 0; i < 3; i += 1) {
      await dispatcher.notify([alert()]);
      t.advance(31 * 60_000);
    }

    const sent = (channels[0] as RecordingChannel).sent;
    expect(sent.map((a) => a.severity)).toEqual(["warning", "warning", "critical"]);
    expect(sent[2]?.details).toEqual(["escalated to critical: 3 consecutive failed runs (threshold 3)"]);
  });

  it("lets an escalation through the window even though the check was alerted as a warning", async () => {
    const { dispatcher, channels } = setup();
    for (let i = 0; i < 3; i += 1) await dispatcher.notify([alert()]);

    expect((channels[0] as RecordingChannel).sent.map((a) => a.severity)).toEqual(["warning", "critical"]);
  });

  it("does not count inconclusive runs as failures", async () => {
    const { t, dispatcher, channels } = setup();
    for (const verdict of ["fail", "inconclusive", "fail", "inconclusive"] as const) {
      await dispatcher.notify([alert({ verdict })]);
      t.advance(31 * 60_000);
    }

    expect((channels[0] as RecordingChannel).sent.map((a) => a.severity)).toEqual(["warning", "warning", "warning", "warning"]);
  });

  it("ends the failure streak and resolves the open incident when the service validates again", async () => {
    const pd = new RecordingChannel("pagerduty");
    const { t, dispatcher } = setup([pd]);
    await dispatcher.notify([alert({ severity: "critical" })]);
    await dispatcher.notify([alert()]);
    t.advance(60_000);

    const actions = await dispatcher.recovered([{ stack: "staging", service: "api", runId: "run-2" }]);
    await dispatcher.notify([alert()]);

    expect(pd.resolved).toEqual([{ stack: "staging", service: "api", runId: "run-2" }]);
    expect(actions.map((a) => [a.kind, a.target, a.status])).toEqual([["resolve", "pagerduty", "ok"]]);
    expect(pd.sent.map((a) => a.severity)).toEqual(["critical", "warning"]);
  });

  it("resolves nothing for a service without an open incident", async () => {
    const pd = new RecordingChannel("pagerduty");
    const { dispatcher } = setup([pd]);

    expect(await dispatcher.recovered([{ stack: "staging", service: "api", runId: "r" }])).toEqual([]);
    expect(pd.resolved).toEqual([]);
  });

  it("keeps its memory in the state store between dispatchers", async () => {
    const { t, state, channels } = setup();
    await new AlertDispatcher(channels, state, undefined, t.now).notify([alert()]);

    await new AlertDispatcher(channels, state, undefined, t.now).notify([alert()]);

    expect((channels[0] as RecordingChannel).sent).toHaveLength(1);
    expect(state.value).toEqual({
      sent: { "staging/api/errorRate": { at: "2024-05-01T10:00:00.000Z", severity: "warning" } },
      failures: { "staging/api": 2 },
      openIncidents: {},
    });
  });

  it("masks known secrets in what it sends", async () => {
    const channel = new RecordingChannel("sns");
    const secrets = new SecretRegistry();
    secrets.add("https://hooks.example.test/T1/B1/SECRET");

    await new AlertDispatcher([channel], new MemoryState(), undefined, clock().now, secrets).notify([
      alert({ details: ["slack failed: POST https://hooks.example.test/T1/B1/SECRET"] }),
    ]);

    expect(channel.sent[0]?.details).toEqual(["slack failed: POST ***"]);
  });

  it("still alerts, and reports it, when the state cannot be read", async () => {
    const channel = new RecordingChannel("sns");
    const broken: AlertStateStore = { readState: async () => Promise.reject(new Error("AccessDenied")), writeState: async () => undefined };

    const actions = await new AlertDispatcher([channel], broken, undefined, clock().now).notify([alert()]);

    expect(channel.sent).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      kind: "alert-state",
      status: "failed",
      message: "cannot read the alert state (deduplication off for this run): AccessDenied",
    });
  });
});
