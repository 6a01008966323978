/* global require, process */
// A --require preload that writes, at exit, every module the process loaded (require.cache, which
// also holds the modules deployctl loads with import()) to the JSON file $DEPLOYCTL_MODULES_OUT.
// Used by `npm run bench:startup` and test/startup: `node --require ./scripts/record-modules.cjs ...`.
"use strict";
const out = process.env.DEPLOYCTL_MODULES_OUT;
if (out) {
  process.on("exit", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("node:fs").writeFileSync(out, JSON.stringify(Object.keys(require.cache)));
  });
}
