import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests load the real embedding model: from YIJU_MODEL_DIR, else ../shared/models when present,
// else test/globalSetup.ts provisions it like `npm run model` does.
const sharedModel = resolve(import.meta.dirname, '../shared/models/bge-small-zh-v1.5');
if (!process.env.YIJU_MODEL_DIR && existsSync(sharedModel)) process.env.YIJU_MODEL_DIR = sharedModel;
// Absolute, so symbolic links made to it from temp folders resolve.
if (process.env.YIJU_MODEL_DIR) process.env.YIJU_MODEL_DIR = resolve(process.env.YIJU_MODEL_DIR);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/slow/**', 'test/browser/**', 'test/workers/workerd.test.ts', 'node_modules/**'],
    globalSetup: ['test/globalSetup.ts'],
    env: { YIJU_ALLOW_REMOTE_MODELS: '0' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
