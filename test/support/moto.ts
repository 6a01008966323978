import { afterAll, beforeAll, beforeEach } from "vitest";
import { type MotoServer, startMoto } from "../../fixtures/moto";

// moto itself (no vitest) lives in fixtures/, shared with bench/; this file adds the test hooks.
export { MOTO_CREDENTIALS, type MotoServer, motoExecutable, startMoto } from "../../fixtures/moto";

/** A test file's moto server, started once for the file by `useMoto`. */
export interface MotoHandle {
  /** The running server (throws when it did not start: see the beforeAll error). */
  readonly server: MotoServer;
  readonly endpoint: string;
}

/**
 * Registers the hooks a test file on moto needs: start one server for the file (with `env`, e.g.
 * MOTO_ECS_SERVICE_RUNNING), stop it at the end, reset it before each test (and freeze ECS task
 * states when asked). Hooks registered after this call run after the reset.
 */
export function useMoto(env: Record<string, string> = {}, options: { freezeEcsTasks?: boolean } = {}): MotoHandle {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto(env);
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    const started = handle.server;
    await started.reset();
    if (options.freezeEcsTasks) await started.freezeEcsTasks();
  });
  const handle: MotoHandle = {
    get server() {
      if (!server) throw new Error("moto_server did not start (see the beforeAll error)");
      return server;
    },
    get endpoint() {
      return this.server.endpoint;
    },
  };
  return handle;
}
