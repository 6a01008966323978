// Every benchmark has a quick mode: small sizes, a few seconds, so CI runs each one (.ci/run) and a
// broken benchmark fails the build. People get the full sizes by default.
//   BENCH_QUICK=1 npm run bench:<name>    or    npm run bench:<name> -- --quick
export const QUICK = process.env.BENCH_QUICK === "1" || process.argv.includes("--quick");
