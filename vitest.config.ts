import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests load the real embedding model from ../shared/models (see README: "Tests and CI").
const sharedModel = resolve(import.meta.dirname, '../shared/models/bge-small-zh-v1.5');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/slow/**', 'node_modules/**'],
    env: { YIJU_MODEL_DIR: process.env.YIJU_MODEL_DIR ?? sharedModel, YIJU_ALLOW_REMOTE_MODELS: '0' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
