import { afterEach, describe, expect, it } from "vitest";
import { type SmokeOptions, runSmoke } from "../../validators/checks/smoke";
import { type Responder, type TestServer, closedPort, startTestServer } from "./support/httpServer";

let server: TestServer | undefined;
let slept: number[] = [];
const deps = { fetch: globalThis.fetch, now: () => new Date(), sleep: async (ms: number) => void slept.push(ms) };
const options = (over: Partial<SmokeOptions> = {}): SmokeOptions => ({ slowMs: 1000, watchSeconds: 0, ...over });
const up = JSON.stringify({ status: "UP" });
const serve = async (respond: Responder) => {
  server = await startTestServer(respond);
  return server.url;
};

afterEach(async () => {
  await server?.close();
  server = undefined;
  slept = [];
});

describe("smoke check", () => {
  it("passes a healthy service: health UP and every smoke path 200", async () => {
    const url = await serve(() => ({ status: 200, body: up }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: ["/api/items", "/"] }, options(), deps);

    expect(result.status).toBe("pass");
    expect(server?.requests).toEqual(["/health", "/api/items", "/"]);
    expect(result.observed.endpoints).toMatchObject([
      { path: "/health", status: 200, attempts: 1, ok: true },
      { path: "/api/items", status: 200, attempts: 1, ok: true },
      { path: "/", status: 200, attempts: 1, ok: true },
    ]);
  });

  it("fails a health endpoint answering 500 after three attempts ten seconds apart", async () => {
    const url = await serve(() => ({ status: 500, body: "boom" }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: ["/api"] }, options(), deps);

    expect(result).toMatchObject({ status: "fail", message: "GET /health failed after 3 attempts: HTTP 500, expected 200." });
    expect(slept).toEqual([10_000, 10_000]);
    expect(server?.requests).toEqual(["/health", "/health", "/health"]);
  });

  it("passes when a retry succeeds", async () => {
    const url = await serve((_path, n) => (n === 1 ? { status: 503 } : { status: 200, body: up }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options(), deps);

    expect(result.status).toBe("pass");
    expect(result.observed.endpoints).toMatchObject([{ path: "/health", attempts: 2, ok: true }]);
  });

  it('fails a health body whose status is not "UP"', async () => {
    const url = await serve(() => ({ status: 200, body: JSON.stringify({ status: "DOWN", db: "unreachable" }) }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options({ attempts: 1 }), deps);

    expect(result.message).toBe('GET /health failed after 1 attempt: health status is "DOWN", expected "UP".');
  });

  it("fails a smoke path that does not answer 2xx", async () => {
    const url = await serve((path) => (path === "/api" ? { status: 404 } : { status: 200, body: "ok" }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: ["/api"] }, options({ attempts: 2 }), deps);

    expect(result.message).toBe("GET /api failed after 2 attempts: HTTP 404, expected 2xx.");
  });

  it("fails when every attempt answers slower than the threshold", async () => {
    const url = await serve(() => ({ status: 200, body: up, delayMs: 150 }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options({ slowMs: 50, attempts: 2 }), deps);

    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/^GET \/health failed after 2 attempts: answered in \d+(\.\d)? ms, slower than 50 ms\.$/);
  });

  it("warns when a slow answer is retried and the retry answers in time", async () => {
    let calls = 0;
    const url = await serve(() => ({ status: 200, body: up, delayMs: ++calls === 1 ? 150 : 0 }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options({ slowMs: 50, attempts: 2 }), deps);

    expect(result.status).toBe("warn");
    expect(result.message).toMatch(
      /^1 endpoint\(s\) answered \(health in \d+(\.\d)? ms\); slower than 50 ms before a retry answered in time: \/health \(1 slow attempt\)\.$/,
    );
  });

  it("fails an unreachable endpoint with the connection error", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options({ attempts: 1 }), deps);

    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/^GET \/health failed after 1 attempt: no answer \(ECONNREFUSED/);
  });
});

describe("watchdog", () => {
  it("polls every 5 s for the watch duration and passes a steady service", async () => {
    const url = await serve(() => ({ status: 200, body: up }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options({ watchSeconds: 30 }), deps);

    expect(result.status).toBe("pass");
    expect(slept).toEqual([5000, 5000, 5000, 5000, 5000, 5000]);
    expect(server?.requests).toHaveLength(7);
    expect(result.observed.watch).toMatchObject({ polls: 6, statuses: [200, 200, 200, 200, 200, 200] });
  });

  it("fails at the first 5xx of a flapping service", async () => {
    const url = await serve((_path, n) => (n === 3 ? { status: 502 } : { status: 200, body: up }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options({ watchSeconds: 30 }), deps);

    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/; watchdog: poll 2\/6 \(\+10 s\) answered HTTP 502\.$/);
    expect(result.observed.watch).toMatchObject({ polls: 2, statuses: [200, 502] });
  });

  it("fails when an answer takes over twice the first measurement", async () => {
    const url = await serve((_path, n) => (n >= 3 ? { status: 200, body: up, delayMs: 400 } : { status: 200, body: up }));

    const result = await runSmoke(
      { url, healthPath: "/health", smokePaths: [] },
      options({ watchSeconds: 20, watchMinBaselineMs: 100 }),
      deps,
    );

    expect(result.status).toBe("fail");
    expect(result.message).toMatch(
      /watchdog: poll 2\/4 \(\+10 s\) took \d+(\.\d)? ms, over twice the first measurement \(limit 200 ms\)\.$/,
    );
  });

  it("does not run when the smoke requests failed", async () => {
    const url = await serve(() => ({ status: 500 }));

    const result = await runSmoke({ url, healthPath: "/health", smokePaths: [] }, options({ attempts: 1, watchSeconds: 30 }), deps);

    expect(result.observed.watch).toBeUndefined();
    expect(server?.requests).toHaveLength(1);
  });
});
