import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** What the test server answers to the n-th request (1-based) for a path. */
export type Answer = { status: number; body?: string; delayMs?: number; headers?: Record<string, string> };
export type Responder = (path: string, n: number) => Answer;

export interface TestServer {
  url: string;
  /** Requests seen, in order, by path. */
  requests: string[];
  close(): Promise<void>;
}

/** A tiny local HTTP server standing in for a service behind its load balancer. */
export async function startTestServer(respond: Responder): Promise<TestServer> {
  const requests: string[] = [];
  const counts = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    requests.push(path);
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const answer = respond(path, n);
    const send = () => {
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body ?? "");
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
