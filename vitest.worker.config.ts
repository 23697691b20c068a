import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The Worker in workerd: `wrangler dev` (the repo's wrangler.toml and build) started as child processes,
// offline, on free loopback ports, checked over real HTTP. `npm run test:worker`. It needs no embedding model.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/workers/workerd.test.ts'],
    exclude: ['node_modules/**'],
    globalSetup: [],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
