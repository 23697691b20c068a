import { existsSync } from 'node:fs';
import { loadConfig } from '../src/node/config.js';
import { provisionModel } from '../src/adapters/models/provision.js';

/**
 * Tests use the real embedding model. CI and developers point YIJU_MODEL_DIR at
 * ../shared/models (vitest.config.ts does when it exists); elsewhere the model is
 * provisioned once, the way `npm run model` does (npm tarball, sha256-verified, cached).
 */
export default async function setup(): Promise<void> {
  const dir = process.env.YIJU_MODEL_DIR;
  if (dir && existsSync(dir)) return;
  const config = loadConfig({ ...process.env, YIJU_MODEL_DIR: '' });
  const model = await provisionModel({ cacheDir: config.model.cacheDir, allowRemote: false, log: (l) => console.log(l) });
  if (model.source !== 'hub') process.env.YIJU_MODEL_DIR = model.dir;
}
