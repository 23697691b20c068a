import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/node/config.js';
import type { Embedder } from '../../src/core/ports.js';
import { createRuntime } from '../../src/node/runtime.js';
import { CORPUS_DIR, makeTempDir } from './corpus.js';

/**
 * The environment of an end-to-end server over the real corpus: local embedder,
 * no chat model (offline extractive answers), an ephemeral port, no rate limit.
 */
export const e2eEnv = (dataDir: string, extra: Record<string, string> = {}): Record<string, string | undefined> => ({
  ...process.env,
  YIJU_DATA_DIR: dataDir,
  YIJU_CORPUS_DIR: CORPUS_DIR,
  YIJU_EMBEDDER: 'local',
  OPENAI_API_KEY: '',
  YIJU_CHAT_MODEL: '',
  PORT: '0',
  YIJU_RATE_LIMIT: '0',
  ...extra,
});

const CACHE_PREFIX = 'yiju-e2e-index-';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A fresh temporary data folder that already holds the index of the real corpus,
 * so the e2e files (run one after another on small machines) do not each spend
 * seconds rebuilding it. The index is built once per test run — vitest's worker
 * processes share the parent process — in a folder under the OS temp dir (the
 * index's own build lock keeps files running in parallel from building it twice),
 * then copied. Folders left by earlier runs are removed. Returns the embedder
 * that built it, for tests that open a runtime in-process.
 */
export async function dataDirWithIndex(prefix: string): Promise<{ dir: string; cleanup: () => void; embedder: Embedder }> {
  const root = tmpdir();
  for (const name of readdirSync(root)) {
    const pid = Number(name.slice(CACHE_PREFIX.length));
    if (name.startsWith(CACHE_PREFIX) && Number.isInteger(pid) && pid !== process.ppid && !alive(pid))
      rmSync(join(root, name), { recursive: true, force: true });
  }
  const cache = join(root, `${CACHE_PREFIX}${process.ppid}`);
  mkdirSync(cache, { recursive: true });
  // Opens the cached index, building it first if no file of this run has yet.
  const rt = await createRuntime(loadConfig(e2eEnv(cache)));
  if (!existsSync(join(cache, 'index', 'manifest.json'))) throw new Error(`no index was built in ${cache}`);
  const tmp = makeTempDir(prefix);
  cpSync(join(cache, 'index'), join(tmp.dir, 'index'), { recursive: true, filter: (src) => !src.endsWith('.lock') });
  return { ...tmp, embedder: rt.embedder };
}
