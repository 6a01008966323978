import { describe, expect, it } from "vitest";
import { BadInputError } from "../../validators/core/errors";
import { readStackServices, tagEdits } from "../../validators/rollback";
import { FakeStacks } from "../release/support";

function stacksWith(raw: string | undefined): FakeStacks {
  const stacks = FakeStacks.withTags({});
  stacks.getConfig = async () => raw;
  return stacks;
}

describe("readStackServices", () => {
  it("reads each service's index and image tag from delivery:services", async () => {
    const stacks = FakeStacks.withTags({ api: "sha-1", web: "sha-2" });

    expect(await readStackServices(stacks, "staging")).toEqual([
      { name: "api", index: 0, tag: "sha-1" },
      { name: "web", index: 1, tag: "sha-2" },
    ]);
    expect(stacks.calls).toEqual([{ op: "getConfig", stack: "staging", path: "delivery:services" }]);
  });

  it("marks the services whose config has a migration", async () => {
    const stacks = stacksWith(
      '[{"name":"api","image":{"tag":"sha-1"},"migration":{"command":["npm","run","migrate"]}},{"name":"web","image":{"tag":"sha-2"}}]',
    );

    expect(await readStackServices(stacks, "staging")).toEqual([
      { name: "api", index: 0, tag: "sha-1", migration: true },
      { name: "web", index: 1, tag: "sha-2" },
    ]);
  });

  it.each([
    [undefined, "Pulumi.staging.yaml: delivery:services is not set; deploy and rollback set image tags in it."],
    ["nope", "Pulumi.staging.yaml: delivery:services is not a list (nope); expected a list of services with name and image.tag."],
    [
      '[{"name":"api","image":{}}]',
      "Pulumi.staging.yaml: delivery:services[0].image.tag: Invalid input: expected string, received undefined; every service needs a name and an image.tag.",
    ],
    [
      '{"name":"api"}',
      "Pulumi.staging.yaml: delivery:services: Invalid input: expected array, received object; every service needs a name and an image.tag.",
    ],
  ])("refuses %s with a message naming the key", async (raw, message) => {
    const read = readStackServices(stacksWith(raw), "staging");

    await expect(read).rejects.toBeInstanceOf(BadInputError);
    await expect(read).rejects.toThrow(message);
  });
});

describe("tagEdits", () => {
  const services = [
    { name: "api", index: 0, tag: "a" },
    { name: "web", index: 1, tag: "b" },
  ];

  it("sets delivery:services[<index>].image.tag in the order given", () => {
    expect(
      tagEdits("staging", services, [
        { service: "web", tag: "t1" },
        { service: "api", tag: "t2" },
      ]),
    ).toEqual([
      { path: "delivery:services[1].image.tag", value: "t1" },
      { path: "delivery:services[0].image.tag", value: "t2" },
    ]);
  });

  it("refuses a service the config does not list", () => {
    expect(() => tagEdits("staging", services, [{ service: "db", tag: "t" }])).toThrow(
      'Pulumi.staging.yaml: service "db" is not in delivery:services; it lists api, web.',
    );
  });
});
