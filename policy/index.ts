import { join } from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

/**
 * The `delivery` policy pack, for `pulumi preview --policy-pack policy --policy-pack-config
 * policy/config/<stack>.json`. The pack is served only when the Pulumi policy host runs this file
 * (`@pulumi/pulumi/cmd/run-policy-pack`); importing it anywhere else does nothing: import the rules
 * from ./policies instead.
 */
export function runByPolicyHost(mainFile: string | undefined = require.main?.filename): boolean {
  return mainFile !== undefined && /[\\/]run-policy-pack[\\/]/.test(mainFile);
}

if (runByPolicyHost()) {
  // @pulumi/policy reads the pack's version from package.json in the working directory, which the
  // host sets to policy/. The pack has no package.json of its own (one package for the repository):
  // read the repository's. The host has already resolved everything else from policy/.
  process.chdir(join(__dirname, ".."));
  new PolicyPack("delivery", {
    policies: [...policies],
    enforcementLevel: "mandatory",
    description:
      "Security and reliability guardrails for delivery environments: mandatory in prod, advisory elsewhere (policy/config/<stack>.json).",
  });
}
