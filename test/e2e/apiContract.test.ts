/**
 * The API contract (test/helpers/apiContract.ts) against the Node server: the
 * real runtime (real corpus, real embedding model, hybrid retrieval) served by
 * startServer on an ephemeral port, plus the same runtime served with API keys.
 * test/workers/workerd.test.ts runs the same checks against the Worker in workerd.
 */
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/node/config.js';
import { createRuntime } from '../../src/node/runtime.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { describeApiContract } from '../helpers/apiContract.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';
import { memoryLogger } from '../helpers/http.js';

const KEY = 'yiju-contract-key';

let tmp: { dir: string; cleanup: () => void } | undefined;
let server: RunningServer | undefined;
let keyed: RunningServer | undefined;

beforeAll(async () => {
  // A temp data folder holding a copy of this run's index of the real corpus (built once per run).
  const prepared = await dataDirWithIndex('yiju-e2e-contract-');
  tmp = prepared;
  const config = loadConfig(e2eEnv(prepared.dir));
  const rt = await createRuntime(config, { embedder: prepared.embedder });
  server = await startServer(rt, { logger: memoryLogger() });
  // The same runtime, served with API keys configured (as YIJU_API_KEYS would).
  keyed = await startServer({ ...rt, config: { ...config, http: { ...config.http, apiKeys: [KEY] } } }, { logger: memoryLogger() });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await keyed?.close();
  tmp?.cleanup();
});

describeApiContract('node server', () => ({ url: server!.url }), { runtime: 'node', keyed: () => ({ url: keyed!.url, key: KEY }) });
