/**
 * The server listens whatever the corpus (issue 14.5): `yiju start` listens before the index is built, says how far
 * the background build is in /api/health, answers from the stored index while a new file is indexed (or, on a first
 * start, 503 with Retry-After), and serves the new index when it is done. The embeddings come from the local
 * OpenAI-compatible fake, held back by a gate the test opens: no timing is assumed.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDeadline } from '../helpers/async.js';
import { startCliServer } from '../helpers/cliServer.js';
import { CORPUS_DIR, CORPUS_FILES, makeTempDir } from '../helpers/corpus.js';
import { embeddingsRoute, startOpenAIServer, type OpenAIServer } from '../helpers/openaiServer.js';

interface Health {
  status: string;
  index: { loaded: boolean; documents: number; building?: { phase: string; done: number; total: number } };
}

let embeddings: OpenAIServer;
let dir: { dir: string; cleanup: () => void };
const children: ChildProcess[] = [];
/** The build's embedding requests wait while the gate is closed. */
let gate: { open: () => void; opened: Promise<void> };
const closeGate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  gate = { open, opened };
};

beforeAll(async () => {
  closeGate();
  const real = embeddingsRoute();
  embeddings = await startOpenAIServer({
    'POST /v1/embeddings': async (req) => {
      // The embedder's start-up probe (one input) passes; the build's batches wait for the gate.
      const input = (req.body as { input?: unknown }).input;
      if (Array.isArray(input) && input.length > 1) await gate.opened;
      return real(req);
    },
  });
  dir = makeTempDir('yiju-warm-');
  mkdirSync(join(dir.dir, 'corpus'));
  for (const f of CORPUS_FILES.slice(0, 2)) cpSync(join(CORPUS_DIR, f), join(dir.dir, 'corpus', f));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  gate?.open();
  await embeddings?.close();
  dir?.cleanup();
});

async function start() {
  const { url, stop, stderr } = await startCliServer({
    corpusDir: join(dir.dir, 'corpus'),
    dataDir: join(dir.dir, 'data'),
    embeddingsURL: embeddings.baseURL,
    children,
  });
  const exited = () => children.at(-1)!.exitCode !== null;
  const health = async () => (await (await fetch(`${url}/api/health`)).json()) as Health;
  const ask = (question: string) =>
    fetch(`${url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) });
  const until = async (check: (h: Health) => boolean, what: string) => {
    for (;;) {
      const h = await health();
      if (check(h)) return h;
      if (exited()) throw new Error(`exited while waiting for ${what}:\n${stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { url, health, ask, until, stop, stderr };
}

describe('yiju start does not wait for indexing', () => {
  it('first start: listens with no embedding done; health shows the build; answers are 503 with Retry-After until the index is ready', async () => {
    const s = await start();
    try {
      // The gate is closed: nothing has been embedded, and the server already answers.
      const building = await s.until((h) => h.index.building !== undefined, 'the build');
      expect(building).toMatchObject({ status: 'starting', index: { loaded: false, documents: 0 } });
      expect(building.index.building!.total).toBeGreaterThan(0);
      const early = await s.ask('初信初访应该怎么处理？');
      expect(early.status).toBe(503);
      expect(early.headers.get('retry-after')).toMatch(/^\d+$/u);
      expect(((await early.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'index_building',
        message: expect.stringMatching(/being built for the first time \(.+: \d+ of \d+\)/u),
      });

      gate.open();
      const ready = await withDeadline(
        s.until((h) => h.status === 'ok' && !h.index.building, 'the index'),
        120_000,
        'the index was never served',
      );
      expect(ready.index).toMatchObject({ loaded: true, documents: 2 });
      const answer = await s.ask('初信初访应该怎么处理？');
      expect(answer.status).toBe(200);
      expect(s.stderr()).toMatch(/index ready \(no index yet\)/u);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 180_000);

  it('a new file in the corpus: the stored index answers at once while the new file is indexed; then the new index is served', async () => {
    closeGate();
    cpSync(join(CORPUS_DIR, CORPUS_FILES[2]!), join(dir.dir, 'corpus', CORPUS_FILES[2]!));
    writeFileSync(join(dir.dir, 'corpus', 'notes.txt'), '新增的一份讲话，讲的是垃圾分类的要求。');
    const s = await start();
    try {
      const building = await s.until((h) => h.index.building !== undefined, 'the build');
      expect(building).toMatchObject({ status: 'ok', index: { loaded: true, documents: 2 } });
      const meanwhile = await s.ask('初信初访应该怎么处理？');
      expect(meanwhile.status).toBe(200);
      expect(((await meanwhile.json()) as { grounded: boolean }).grounded).toBe(true);

      gate.open();
      const ready = await withDeadline(
        s.until((h) => !h.index.building && h.index.documents === 4, 'the new index'),
        120_000,
        'the new index was never served',
      );
      expect(ready.status).toBe('ok');
      expect(s.stderr()).toMatch(/index ready \(corpus changed\)/u);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 180_000);

  it('a first start whose corpus has no readable document: it says why and exits 1 (nothing to answer from)', async () => {
    const bad = makeTempDir('yiju-warm-bad-');
    try {
      mkdirSync(join(bad.dir, 'corpus'));
      writeFileSync(join(bad.dir, 'corpus', 'gbk.txt'), Buffer.from([0xd0, 0xc5, 0xb7, 0xc3]));
      const s = await startCliServer({ corpusDir: join(bad.dir, 'corpus'), dataDir: join(bad.dir, 'data'), embeddingsURL: embeddings.baseURL, children });
      const code = await new Promise<number | null>((r) => (s.child.exitCode !== null ? r(s.child.exitCode) : s.child.once('exit', (c) => r(c))));
      expect(code).toBe(1);
      expect(s.stderr()).toMatch(/index: the build failed: The corpus folder .* holds no readable .txt or .md documents \(skipped: gbk\.txt: not UTF-8/u);
    } finally {
      bad.cleanup();
    }
  }, 120_000);
});
