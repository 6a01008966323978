import { describe, expect, it } from "vitest";
import { checkServiceNames, dependsOnOrder } from "../../validators/rollback";

const services = [
  { name: "web", dependsOn: ["api"] },
  { name: "api", dependsOn: ["db", "cache"] },
  { name: "worker", dependsOn: [] },
  { name: "db", dependsOn: [] },
  { name: "cache", dependsOn: [] },
];

describe("dependsOnOrder", () => {
  it.each([
    { selected: ["web", "api", "worker", "db", "cache"], expected: ["db", "cache", "api", "web", "worker"] },
    { selected: ["web", "api"], expected: ["api", "web"] },
    { selected: ["web", "db"], expected: ["db", "web"] },
    { selected: ["web", "cache", "worker"], expected: ["cache", "web", "worker"] },
    { selected: ["worker"], expected: ["worker"] },
    { selected: [], expected: [] },
  ])("orders $selected as $expected", ({ selected, expected }) => {
    expect(dependsOnOrder(services, selected)).toEqual(expected);
  });

  it("refuses a cycle, naming it", () => {
    const cyclic = [
      { name: "a", dependsOn: ["b"] },
      { name: "b", dependsOn: ["c"] },
      { name: "c", dependsOn: ["a"] },
    ];

    expect(() => dependsOnOrder(cyclic, ["a", "b", "c"])).toThrow(
      "services depend on each other in a cycle (a -> b -> c -> a); dependsOn must not loop.",
    );
  });
});

describe("checkServiceNames", () => {
  it("accepts names of the manifest", () => {
    expect(() => checkServiceNames("--service", ["api"], services, "staging")).not.toThrow();
  });

  it("names the unknown services and lists the known ones", () => {
    expect(() => checkServiceNames("--service", ["ap", "wbe"], services, "staging")).toThrow(
      "--service ap, wbe: no such service in stack staging; it has web, api, worker, db, cache.",
    );
  });
});
