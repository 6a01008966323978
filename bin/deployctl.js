#!/usr/bin/env node
// deployctl runs the compiled build/ when it matches the sources (`npm ci` compiles it: the `prepare`
// script, see bin/compiled.js), else its TypeScript sources through tsx; nothing to run by hand.
/* global setTimeout */
const { freshEntry } = require("./compiled");

const compiled = process.env.DEPLOYCTL_FROM_SOURCE ? undefined : freshEntry();
let main;
// After a --deadline passed, work the command abandoned (a request that never answers) must not keep it alive.
let deadlinePassed = () => false;
if (compiled) {
  ({ main, deadlinePassed } = require(compiled));
} else {
  // Commands load their implementation with import(): tsx's ESM hooks resolve those to the sources.
  require("tsx/cjs");
  main = async (argv) => {
    (await import("tsx/esm/api")).register();
    const entry = require("../validators/cli/main.ts");
    deadlinePassed = entry.deadlinePassed;
    return entry.main(argv);
  };
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    if (typeof deadlinePassed === "function" && deadlinePassed()) setTimeout(() => process.exit(code), 500).unref();
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 4;
  },
);
