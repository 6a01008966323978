import { beforeEach } from "vitest";
import { MotoWorld } from "../../../fixtures/motoWorld";
import { type MotoServer, useMoto } from "../../support/moto";

// The world itself (no vitest) lives in fixtures/, shared with bench/; this file adds the test hooks.
export { CLUSTER, MotoWorld } from "../../../fixtures/motoWorld";

/**
 * The hooks every validator test on moto registers: one moto_server for the file (services report
 * `running` running tasks, so rollouts of that many complete), reset before each test, task states
 * frozen unless told otherwise, and a fresh world with its cluster. `use` receives them each time.
 */
export function useMotoWorld(
  use: (moto: MotoServer, world: MotoWorld) => void,
  options: { running?: number; freezeTasks?: boolean } = {},
): void {
  const moto = useMoto({ MOTO_ECS_SERVICE_RUNNING: String(options.running ?? 3) }, { freezeEcsTasks: options.freezeTasks ?? true });
  beforeEach(async () => {
    const world = new MotoWorld(moto.endpoint);
    await world.cluster();
    use(moto.server, world);
  });
}
