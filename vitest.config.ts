import { defineConfig } from 'vitest/config';

// Two projects, run one after the other by `npm test`:
// - core: unit tests and integration tests whose assertions do not depend on how fast the machine
//   runs Python in parallel; files run side by side.
// - measure: end-to-end tests that assert verdicts (slower, flip, regression exit codes). Their
//   verdicts need the machine's cores, so they run alone, one file at a time, after everything else.
const MEASURE = ['test/gate-e2e.test.ts', 'test/action-e2e.test.ts', 'test/shard-e2e.test.ts', 'test/sides-e2e.test.ts'];
// test/setup/global.ts provisions the interpreters and Chromium (scripts/provision.sh) and rebuilds
// dist/ when it is older than the sources, before either project runs.
const shared = { testTimeout: 300_000, hookTimeout: 600_000, globalSetup: ['test/setup/global.ts'] };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'core', include: ['test/**/*.test.ts'], exclude: MEASURE, fileParallelism: true, maxWorkers: 2 } },
      { test: { ...shared, name: 'measure', include: MEASURE, fileParallelism: false, maxWorkers: 1 } },
    ],
  },
});
