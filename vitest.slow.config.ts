import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Slow suites: real model + real corpus end to end. `npm run test:slow`; CI runs them too.
export default defineConfig({
  test: { ...base.test, include: ['test/slow/**/*.test.ts'], exclude: ['node_modules/**'], testTimeout: 300_000, hookTimeout: 300_000 },
});
