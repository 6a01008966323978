import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A tiny local HTTP server standing in for Slack and PagerDuty: records every request (JSON body
 * parsed) and answers with the status set per path (default 200 for Slack-like paths, 202 for
 * /v2/enqueue), so a test can make a channel fail on purpose.
 */
export class HttpStub {
  readonly requests: StubRequest[] = [];
  private readonly statuses = new Map<string, number>();
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk: Buffer) => {
        raw += chunk.toString();
      });
      req.on("end", () => {
        const path = req.url ?? "/";
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // keep the raw text
        }
        this.requests.push({ method: req.method ?? "", path, headers: req.headers, body });
        const status = this.statuses.get(path) ?? (path.startsWith("/v2/enqueue") ? 202 : 200);
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(status < 300 ? "ok" : `failure on purpose (${status})`);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Makes `path` answer `status` from now on. */
  failOn(path: string, status = 500): void {
    this.statuses.set(path, status);
  }

  /** Requests to `path`, bodies only. */
  bodies(path: string): unknown[] {
    return this.requests.filter((r) => r.path === path).map((r) => r.body);
  }

  reset(): void {
    this.requests.length = 0;
    this.statuses.clear();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
