import { afterEach, describe, expect, it } from "vitest";
import { requireEngine } from "../support/docker";

describe("the Docker tests' engine check", () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it("fails loudly, naming how to start an engine, when none answers (it never skips)", () => {
    process.env.DOCKER_HOST = "unix:///tmp/no-such-docker-engine.sock";
    expect(() => requireEngine()).toThrow(/^A Docker engine is required for this test and none answered .*dockerd --storage-driver=vfs/s);
  });

  it("passes when the engine answers", () => {
    expect(() => requireEngine()).not.toThrow();
  });
});
