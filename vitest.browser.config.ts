import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Real-browser suites: the system Chromium (/usr/bin/chromium, driven by playwright-core) against
// in-process servers over the real corpus. `npm run test:browser`; they fail (not skip) without Chromium.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/browser/**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
