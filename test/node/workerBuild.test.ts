/**
 * `npm run build:worker`: one ES module holding the app, the corpus bundle and
 * the browser bundles, within Cloudflare's size limits. The module is loaded
 * here as workerd would load it (a default export with fetch), with no bindings.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/node/config.js';
import { buildWorker, WORKER_LIMITS, type WorkerBuildResult } from '../../src/node/workerBuild.js';
import { CORPUS_DIR, makeTempDir } from '../helpers/corpus.js';

let tmp: ReturnType<typeof makeTempDir>;
let result: WorkerBuildResult;

beforeAll(async () => {
  tmp = makeTempDir('yiju-worker-build-');
  result = await buildWorker(loadConfig({ YIJU_CORPUS_DIR: CORPUS_DIR, YIJU_DATA_DIR: join(tmp.dir, 'data') }), join(tmp.dir, 'out'));
}, 120_000);

afterAll(() => tmp?.cleanup());

describe('buildWorker', () => {
  it('writes one ES module within the Free plan limit, and records its size', () => {
    expect(result.file).toBe(join(tmp.dir, 'out', 'index.js'));
    expect(result.gzipBytes).toBeLessThan(WORKER_LIMITS.free);
    expect(result.gzipBytes).toBeLessThan(result.bytes);
    expect(result.counts).toMatchObject({ documents: 5 });
    expect(result.counts.chunks).toBeGreaterThan(50);
    const recorded = JSON.parse(readFileSync(join(tmp.dir, 'out', 'build.json'), 'utf8')) as Record<string, unknown>;
    expect(recorded).toMatchObject({ file: 'index.js', bytes: result.bytes, gzipBytes: result.gzipBytes, corpusHash: result.corpusHash });
  });

  it('imports nothing at run time: everything is bundled (workerd has no node_modules)', () => {
    expect(result.imports).toEqual([]);
  });

  it('serves the app from its default export with no bindings (bundled mode)', async () => {
    const worker = (await import(pathToFileURL(result.file).href)) as { default: { fetch: (r: Request, env: object, ctx: unknown) => Promise<Response> } };
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} };
    const env = {};
    const health = await worker.default.fetch(new Request('http://worker/api/health'), env, ctx);
    expect(await health.json()).toMatchObject({ runtime: 'workers', retrieval: 'lexical', index: { documents: 5, chunks: result.counts.chunks } });
    const ask = await worker.default.fetch(
      new Request('http://worker/api/ask', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: '初信初访应该怎么处理？' }),
      }),
      env,
      ctx,
    );
    expect(await ask.json()).toMatchObject({ grounded: true, mode: 'extractive' });
    const page = await worker.default.fetch(new Request('http://worker/'), env, ctx);
    expect(await page.text()).toContain('/assets/app.js');
    expect((await worker.default.fetch(new Request('http://worker/assets/app.js'), env, ctx)).status).toBe(200);
  });

  it('answers a misconfigured Worker with a JSON error naming the variable, not a stack', async () => {
    const worker = (await import(pathToFileURL(result.file).href)) as { default: { fetch: (r: Request, env: object, ctx: unknown) => Promise<Response> } };
    const res = await worker.default.fetch(new Request('http://worker/api/health'), { YIJU_RATE_LIMIT: 'lots' }, {});
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('misconfigured');
    expect(body.error.message).toContain('YIJU_RATE_LIMIT');
    expect(body.error.message).not.toMatch(/\n\s+at /u);
  });
});

describe('buildWorker with a Vectorize push on record', () => {
  it('packs the record of the last push (embedder, dimensions, corpus, count) for the Worker to check', async () => {
    const dir = makeTempDir('yiju-worker-build-pushed-');
    try {
      const config = loadConfig({ YIJU_CORPUS_DIR: CORPUS_DIR, YIJU_DATA_DIR: join(dir.dir, 'data') });
      const state = {
        schema: 1,
        target: 'acct/yiju@t',
        embedder: { id: 'workers-ai:@cf/baai/bge-m3', dimensions: 1024 },
        corpusHash: result.corpusHash,
        vectors: { 'c:a#0': 'h1', 's:a#0:0': 'h2' },
        pushedAt: '2026-11-23T00:00:00.000Z',
      };
      mkdirSync(join(dir.dir, 'data', 'vectorize'), { recursive: true });
      writeFileSync(join(dir.dir, 'data', 'vectorize', 'yiju.json'), JSON.stringify(state));
      const built = await buildWorker(config, join(dir.dir, 'out'));
      expect(built.vectors).toEqual({ index: 'yiju', embedder: state.embedder, corpusHash: result.corpusHash, count: 2, pushedAt: state.pushedAt });
      expect(result.vectors).toBeUndefined();
    } finally {
      dir.cleanup();
    }
  }, 120_000);
});
