import { afterEach, describe, expect, it } from "vitest";
import { prometheusBinary, startPrometheus } from "../../support/prometheus";

const saved = process.env.PROMETHEUS_BIN;

afterEach(() => {
  if (saved === undefined) delete process.env.PROMETHEUS_BIN;
  else process.env.PROMETHEUS_BIN = saved;
});

describe("the real-Prometheus test helper", () => {
  it("finds Debian's prometheus and promtool on the PATH", () => {
    expect([prometheusBinary("prometheus"), prometheusBinary("promtool")]).toEqual(["prometheus", "promtool"]);
  });

  it("fails loudly, naming the install, when the binary is missing (never skips)", async () => {
    process.env.PROMETHEUS_BIN = "/nonexistent/prometheus";

    await expect(startPrometheus("# EOF\n")).rejects.toThrow(
      'prometheus is not installed (looked for "/nonexistent/prometheus"): the Prometheus tests need a real one. Install it: apt-get install -y -qq --no-install-recommends prometheus (as .ci/run does)',
    );
  });
});
