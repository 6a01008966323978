#!/usr/bin/env node
// deployctl runs the compiled build/ when it matches the sources (`npm ci` compiles it: the `prepare`
// script, see bin/compiled.js), else its TypeScript sources through tsx; nothing to run by hand.
/* global setTimeout */
const { freshEntry } = require("./compiled");

// A reader that stops early (`deployctl validate --help | head -1`) closes the pipe: end quietly,
// with the exit code decided so far, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err && err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// The AWS SDK prints a several-line notice on every AWS command under Node 20 (its releases after
// January 2027 need Node 22; the README says so). This switch silences that notice only: the SDK
// reads it for that one warning, and every other warning still reaches stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

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
