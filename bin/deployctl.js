#!/usr/bin/env node
// deployctl runs its TypeScript sources directly through tsx: no build step after `npm ci`.
require("tsx/cjs");
const { main } = require("../validators/cli/main.ts");

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 4;
  },
);
