import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/node/config.js';
import { UserFacingError } from '../../src/core/errors.js';
import { vectorizeId } from '../../src/adapters/workers/vectorizeStore.js';
import { openCorpusBundle } from '../../src/core/indexing/corpusBundle.js';
import type { VectorPushState } from '../../src/core/indexing/vectorSync.js';
import { parseVectorId, vectorTextsOf } from '../../src/core/retrieve/corpusIndex.js';
import { bundleCorpus } from '../../src/node/corpusBundle.js';
import { pushStatePath, pushToVectorize, type PushToVectorizeOptions } from '../../src/node/vectorizePush.js';
import { fakeEmbedding, startCloudflareApi, type CloudflareApi } from '../helpers/cloudflareApi.js';
import { copyCorpus, makeTempDir, REPO_ROOT } from '../helpers/corpus.js';
import { embeddingsRoute, startOpenAIServer } from '../helpers/openaiServer.js';

/**
 * `npm run push:vectorize` end to end: a temporary corpus (one speech of the real
 * corpus and one short one whose long Chinese name makes vector ids exceed
 * Vectorize's 64 bytes), pushed through the REST clients to a local fake of
 * Cloudflare's API (Workers AI embeddings included, so no model is needed).
 */

// A long document name: its sentence vector ids (s:<doc>#<i>:<j>) are longer than 64 bytes.
const LONG_NAME = '关于进一步加强和改进新时代信访工作的讲话稿全文.txt';
const LONG_DOC = documentIdOf(LONG_NAME);
const SHORT_SPEECH = [
  '同志们：',
  '今天召开全县信访工作会议，主要任务是总结工作，部署任务。',
  '第一，要压实信访工作责任。各级党委和政府要把信访工作摆上重要议事日程，主要负责同志要亲自研究、亲自部署。',
  '第二，要把初信初访作为源头治理的关口，做到件件有着落、事事有回音，防止小事拖大、大事拖炸。',
  '第三，要依法按政策解决群众合理诉求，对于诉求合理的，坚决解决到位；对于诉求无理的，耐心做好解释疏导工作。',
  '第四，要加强基层基础建设，健全矛盾纠纷排查化解机制，把问题解决在基层、化解在萌芽状态。',
].join('\n');

function documentIdOf(name: string): string {
  return name.replace(/\.txt$/u, '');
}

interface Env {
  dir: string;
  corpusDir: string;
  config: Config;
  cleanup: () => void;
}

function makeEnv(): Env {
  const { dir, cleanup } = makeTempDir('yiju-vectorize-');
  const corpusDir = copyCorpus(dir, ['002']);
  writeFileSync(join(corpusDir, LONG_NAME), SHORT_SPEECH);
  const config = loadConfig({ YIJU_CORPUS_DIR: corpusDir, YIJU_DATA_DIR: join(dir, 'data') }, dir);
  return { dir, corpusDir, config, cleanup };
}

/** Every vector the corpus should have, as pushToVectorize must compute them. */
async function expectedVectors(config: Config): Promise<Map<string, string>> {
  const opened = openCorpusBundle(await bundleCorpus(config));
  const titles = new Map(opened.documents.map((d) => [d.id, d.title]));
  return new Map(opened.chunks.flatMap((c) => vectorTextsOf(c, config.embedTitle ? `${titles.get(c.docId)}\n` : '')).map((v) => [v.id, v.text]));
}

const docOf = (vectorId: string) => parseVectorId(vectorId).chunkId.replace(/#\d+$/u, '');
const unit = (v: number[]) => {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
};
const readState = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as VectorPushState;

describe('pushToVectorize', () => {
  let env: Env;
  let cf: CloudflareApi;
  let logs: string[];

  const push = (over: Partial<PushToVectorizeOptions> = {}) =>
    pushToVectorize({
      config: env.config,
      accountId: cf.accountId,
      apiToken: cf.token,
      baseUrl: cf.baseUrl,
      sleep: async () => {},
      log: (l) => void logs.push(l),
      ...over,
    });

  beforeEach(async () => {
    env = makeEnv();
    cf = await startCloudflareApi({ indexes: [{ name: 'yiju', dimensions: 1024 }], models: { '@cf/baai/bge-m3': 1024, '@cf/baai/bge-large-en-v1.5': 1024 } });
    logs = [];
  });
  afterEach(async () => {
    await cf.close();
    env.cleanup();
  });

  it('first push embeds and upserts every vector; the index holds them all under ids of at most 64 bytes', async () => {
    const expected = await expectedVectors(env.config);
    const progress: string[] = [];
    const summary = await push({ onProgress: (p) => progress.push(`${p.phase}:${p.done}/${p.total}`) });

    expect(summary).toMatchObject({
      index: 'yiju',
      vectors: expected.size,
      upserted: expected.size,
      embedded: expected.size,
      deleted: 0,
      unchanged: 0,
      skipped: false,
      dryRun: false,
    });
    expect(summary.reason).toMatch(/first push/u);
    expect(summary.mutationId).toMatch(/^[0-9a-f-]{36}$/u);
    const index = cf.index('yiju')!;
    expect(index.vectors.size).toBe(expected.size);
    expect(new Set(index.vectors.keys())).toEqual(new Set([...expected.keys()].map(vectorizeId)));
    for (const id of index.vectors.keys()) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
    // The long document's ids really needed hashing, the way the Worker will look them up.
    const hashed = [...expected.keys()].filter((id) => Buffer.byteLength(id) > 64);
    expect(hashed.length).toBeGreaterThan(0);
    expect(hashed.every((id) => docOf(id) === LONG_DOC)).toBe(true);
    // Each stored vector is the normalised Workers AI embedding of exactly its text.
    for (const id of [[...expected.keys()][0]!, hashed[0]!]) {
      const stored = index.vectors.get(vectorizeId(id))!;
      unit(fakeEmbedding(expected.get(id)!, 1024)).forEach((x, i) => expect(stored[i]).toBeCloseTo(x, 6));
    }
    // Workers AI got at most 100 texts per call, Vectorize at most 500 vectors per upsert.
    expect(cf.callsTo('ai.run').every((c) => c.texts!.length <= 100 && c.model === '@cf/baai/bge-m3')).toBe(true);
    expect(cf.callsTo('ai.run').reduce((n, c) => n + c.texts!.length, 0)).toBe(expected.size);
    expect(cf.callsTo('vectorize.upsert').map((c) => c.ids!.length)).toEqual(chunksOf(expected.size, 500));
    expect(cf.callsTo('vectorize.delete_by_ids')).toEqual([]);

    const state = readState(pushStatePath(env.config, 'yiju'));
    expect(state).toMatchObject({ embedder: { id: 'workers-ai:@cf/baai/bge-m3', dimensions: 1024 }, corpusHash: summary.corpusHash });
    expect(Object.keys(state.vectors).sort()).toEqual([...expected.keys()].sort());
    expect(progress).toContain(`upsert:${expected.size}/${expected.size}`);
    expect(existsSync(`${pushStatePath(env.config, 'yiju')}.${process.pid}.tmp`)).toBe(false);
  });

  it('a second push does nothing: no embedding, no writes, state untouched', async () => {
    const first = await push();
    const statePath = pushStatePath(env.config, 'yiju');
    const before = readFileSync(statePath, 'utf8');
    const calls = cf.calls.length;
    const second = await push();
    expect(second).toMatchObject({ upserted: 0, deleted: 0, embedded: 0, unchanged: first.vectors, skipped: true });
    expect(second.reason).toMatch(/^up to date/u);
    expect(cf.calls.slice(calls).map((c) => c.op)).toEqual(['vectorize.info']);
    expect(readFileSync(statePath, 'utf8')).toBe(before);
  });

  it('after editing one document, only its vectors are upserted and its removed ones deleted', async () => {
    await push();
    const index = cf.index('yiju')!;
    const before = new Map(index.vectors);
    const old = await expectedVectors(env.config);

    // Rewrite the third point and drop the fourth.
    const edited = SHORT_SPEECH.replace(/第三，[^\n]+/u, '第三，要畅通和规范群众诉求表达渠道，让群众反映问题更方便。').replace(/\n第四，[^\n]+/u, '');
    writeFileSync(join(env.corpusDir, LONG_NAME), edited);
    const expected = await expectedVectors(env.config);
    const changed = [...expected].filter(([id, text]) => old.get(id) !== text).map(([id]) => id);
    const removed = [...old.keys()].filter((id) => !expected.has(id));
    expect(changed.length).toBeGreaterThan(0);
    expect(removed.length).toBeGreaterThan(0);

    const from = cf.calls.length;
    const summary = await push();
    const upsertedIds = cf.calls
      .slice(from)
      .filter((c) => c.op === 'vectorize.upsert')
      .flatMap((c) => c.ids!);
    const deletedIds = cf.calls
      .slice(from)
      .filter((c) => c.op === 'vectorize.delete_by_ids')
      .flatMap((c) => c.ids!);

    expect(summary).toMatchObject({ upserted: changed.length, embedded: changed.length, deleted: removed.length, unchanged: expected.size - changed.length });
    expect(summary.reason).toMatch(/corpus changed/u);
    // Exactly the new or changed texts were embedded and upserted, and the vanished ids deleted…
    expect(
      cf.calls
        .slice(from)
        .filter((c) => c.op === 'ai.run')
        .flatMap((c) => c.texts!)
        .sort(),
    ).toEqual(changed.map((id) => expected.get(id)!).sort());
    expect(upsertedIds.sort()).toEqual(changed.map(vectorizeId).sort());
    expect(deletedIds.sort()).toEqual(removed.map(vectorizeId).sort());
    // …all of them the edited document's,
    expect([...changed, ...removed].every((id) => docOf(id) === LONG_DOC)).toBe(true);
    // …the other speech's vectors are the very same objects as before the push,
    for (const id of expected.keys()) if (docOf(id) !== LONG_DOC) expect(index.vectors.get(vectorizeId(id))).toBe(before.get(vectorizeId(id)));
    // …and the index now holds exactly the corpus's vectors.
    expect(new Set(index.vectors.keys())).toEqual(new Set([...expected.keys()].map(vectorizeId)));
    expect(Object.keys(readState(pushStatePath(env.config, 'yiju')).vectors).sort()).toEqual([...expected.keys()].sort());
  });

  it('--force re-embeds and re-upserts every vector', async () => {
    const first = await push();
    const from = cf.calls.length;
    const forced = await push({ force: true, batchSize: 200 });
    expect(forced).toMatchObject({ upserted: first.vectors, embedded: first.vectors, unchanged: 0, deleted: 0, skipped: false });
    expect(forced.reason).toMatch(/forced/u);
    const calls = cf.calls.slice(from);
    expect(calls.filter((c) => c.op === 'ai.run').reduce((n, c) => n + c.texts!.length, 0)).toBe(first.vectors);
    expect(calls.filter((c) => c.op === 'vectorize.upsert').map((c) => c.ids!.length)).toEqual(chunksOf(first.vectors, 200));
  });

  it('refuses an index of another size before embedding or writing anything', async () => {
    cf.createIndex('small', 768);
    const err = await push({ index: 'small' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toMatch(/index small holds 768-dimensional vectors, but workers-ai:@cf\/baai\/bge-m3 produces 1024/u);
    expect((err as Error).message).toMatch(/npx wrangler vectorize create <name> --dimensions=1024 --metric=cosine/u);
    expect(cf.calls.map((c) => c.op)).toEqual(['vectorize.info']);
    expect(existsSync(pushStatePath(env.config, 'small'))).toBe(false);
  });

  it('refuses a Euclidean index', async () => {
    cf.createIndex('euclid', 1024, 'euclidean');
    await expect(push({ index: 'euclid' })).rejects.toThrow(/euclidean metric/u);
    expect(cf.callsTo('vectorize.upsert')).toEqual([]);
  });

  it('explains a missing index and bad credentials as sentences with a fix', async () => {
    const missing = await push({ index: 'nope' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserFacingError);
    expect((missing as Error).message).toMatch(/HTTP 404[\s\S]*Fix: .*npx wrangler vectorize create nope --dimensions=1024 --metric=cosine/u);
    const denied = await push({ apiToken: 'not-the-token' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(UserFacingError);
    expect((denied as Error).message).toMatch(/HTTP 401[\s\S]*Vectorize: Edit/u);
    expect((denied as Error).message).not.toContain('not-the-token');
  });

  it('fails cleanly half way (2nd upsert batch keeps failing): state unchanged, and a rerun completes', async () => {
    await push();
    const statePath = pushStatePath(env.config, 'yiju');
    const stateBefore = readFileSync(statePath, 'utf8');
    writeFileSync(join(env.corpusDir, LONG_NAME), SHORT_SPEECH.replace(/\n第四，[^\n]+/u, '').replaceAll('要', '必须'));
    const expected = await expectedVectors(env.config);

    cf.fail('vectorize.upsert', { status: 500, after: 1, times: 1000 });
    const sleeps: number[] = [];
    const err = await push({ batchSize: 3, sleep: async (ms) => void sleeps.push(ms) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toMatch(/Vectorize upsert \(index yiju\) failed: HTTP 500 Internal Server Error after 5 attempts/u);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
    const upserts = cf.callsTo('vectorize.upsert').slice(-6);
    expect(upserts.map((c) => c.status)).toEqual([200, 500, 500, 500, 500, 500]);
    expect(cf.callsTo('vectorize.delete_by_ids')).toEqual([]);
    expect(readFileSync(statePath, 'utf8')).toBe(stateBefore);

    cf.clearFailures();
    const rerun = await push({ batchSize: 3 });
    expect(rerun.upserted).toBeGreaterThan(3);
    expect(rerun.deleted).toBeGreaterThan(0);
    expect(new Set(cf.index('yiju')!.vectors.keys())).toEqual(new Set([...expected.keys()].map(vectorizeId)));
    expect(Object.keys(readState(statePath).vectors).sort()).toEqual([...expected.keys()].sort());
    expect((await push()).skipped).toBe(true);
  });

  it('a failed first push leaves no state behind', async () => {
    cf.fail('ai.run', { status: 500, after: 1, times: 1000 });
    await expect(push()).rejects.toThrow(/Workers AI @cf\/baai\/bge-m3 failed: HTTP 500/u);
    expect(existsSync(pushStatePath(env.config, 'yiju'))).toBe(false);
  });

  it('--dry-run reports the plan and writes nothing (no embedding, no mutation, no state)', async () => {
    const expected = await expectedVectors(env.config);
    const summary = await push({ dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, upserted: 0, deleted: 0, embedded: 0, planned: { upsert: expected.size, delete: 0 } });
    expect(cf.calls.map((c) => c.op)).toEqual(['vectorize.info']);
    expect(existsSync(join(env.config.dataDir, 'vectorize'))).toBe(false);
    expect(logs.some((l) => /dry run: would embed and upsert \d+, delete 0/u.test(l))).toBe(true);
  });

  it('re-upserts everything after an embedder change, and after the index was recreated', async () => {
    const first = await push();
    const model = await push({ embedding: { kind: 'workers-ai', model: '@cf/baai/bge-large-en-v1.5' } });
    expect(model).toMatchObject({ upserted: first.vectors, unchanged: 0 });
    expect(model.reason).toMatch(/embedder changed/u);

    cf.deleteIndex('yiju');
    cf.createIndex('yiju', 1024);
    const recreated = await push({ embedding: { kind: 'workers-ai', model: '@cf/baai/bge-large-en-v1.5' } });
    expect(recreated).toMatchObject({ upserted: first.vectors, deleted: 0 });
    expect(recreated.reason).toMatch(/target changed/u);
    expect(cf.index('yiju')!.vectors.size).toBe(first.vectors);
  });

  it('embeds through an OpenAI-compatible endpoint (size learnt from it) with --embedder openai', async () => {
    const oa = await startOpenAIServer({ 'POST /v1/embeddings': embeddingsRoute({ dimensions: 32 }) });
    try {
      cf.createIndex('oa', 32);
      const config = loadConfig(
        {
          YIJU_CORPUS_DIR: env.corpusDir,
          YIJU_DATA_DIR: env.config.dataDir,
          OPENAI_API_KEY: 'sk-test',
          OPENAI_BASE_URL: oa.baseURL,
          YIJU_EMBEDDING_MODEL: 'test-embed',
        },
        env.dir,
      );
      const expected = await expectedVectors(config);
      const summary = await push({ config, index: 'oa', embedding: { kind: 'openai' } });
      expect(summary).toMatchObject({ upserted: expected.size, embedder: { id: `openai:${oa.baseURL}:test-embed`, dimensions: 32 } });
      expect(cf.index('oa')!.vectors.size).toBe(expected.size);
      expect(cf.callsTo('ai.run')).toEqual([]);
      expect(oa.requestsTo('POST /v1/embeddings').every((r) => (r.body as { model: string }).model === 'test-embed')).toBe(true);
      expect((await push({ config, index: 'oa', embedding: { kind: 'openai' } })).skipped).toBe(true);

      // The endpoint's own errors are sentences with a fix too, and leave no state.
      cf.createIndex('oa2', 32);
      oa.failNext(401, 1, 'Incorrect API key provided');
      const err = await push({ config, index: 'oa2', embedding: { kind: 'openai', dimensions: 32 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserFacingError);
      expect((err as Error).message).toMatch(/The embedding endpoint failed \(openai:.*test-embed\): 401[\s\S]*Fix: check OPENAI_BASE_URL, OPENAI_API_KEY/u);
      expect(existsSync(pushStatePath(config, 'oa2'))).toBe(false);
    } finally {
      await oa.close();
    }
  });

  it('--embedder openai without OPENAI_API_KEY is a user-facing error', async () => {
    await expect(push({ embedding: { kind: 'openai' } })).rejects.toThrow(/--embedder openai needs OPENAI_API_KEY/u);
    expect(cf.calls).toEqual([]);
  });
});

function chunksOf(n: number, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i += size) out.push(Math.min(size, n - i));
  return out;
}

describe.concurrent('yiju push-vectorize (src/cli/main.ts, child process)', () => {
  const run = promisify(execFile);

  /** A temporary corpus and its own fake Cloudflare API, so the child processes can run side by side. */
  async function setup(onTestFinished: (fn: () => Promise<void>) => void) {
    const env = makeEnv();
    const cf = await startCloudflareApi({ indexes: [{ name: 'yiju', dimensions: 1024 }] });
    const cli = async (args: string[], extra: Record<string, string | undefined> = {}) => {
      const base = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('CLOUDFLARE_') && !k.startsWith('OPENAI_') && k !== 'YIJU_EMBEDDER'),
      );
      const childEnv: Record<string, string | undefined> = {
        ...base,
        YIJU_CORPUS_DIR: env.corpusDir,
        YIJU_DATA_DIR: env.config.dataDir,
        CLOUDFLARE_ACCOUNT_ID: cf.accountId,
        CLOUDFLARE_API_TOKEN: cf.token,
        CLOUDFLARE_API_BASE_URL: cf.baseUrl,
        ...extra,
      };
      for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
      try {
        const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/main.ts', 'push-vectorize', ...args], {
          cwd: REPO_ROOT,
          env: childEnv as NodeJS.ProcessEnv,
          timeout: 60_000,
        });
        return { code: 0, stdout, stderr: withoutNpmNoise(stderr) };
      } catch (err) {
        const e = err as { code?: number; stdout: string; stderr: string };
        return { code: e.code ?? -1, stdout: e.stdout, stderr: withoutNpmNoise(e.stderr) };
      }
    };
    onTestFinished(async () => {
      await cf.close();
      env.cleanup();
    });
    return { env, cf, cli };
  }

  it('--dry-run writes nothing; then it pushes, prints the summary line and exits 0; a second run is up to date', async ({ expect, onTestFinished }) => {
    const t = await setup(onTestFinished);
    const expected = await expectedVectors(t.env.config);
    const dry = await t.cli(['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`^vectorize yiju: dry run, would upsert ${expected.size}, delete 0, unchanged 0 \\(corpus [0-9a-f]{8}…\\)\\n$`, 'u'));
    expect(t.cf.calls.map((c) => c.op)).toEqual(['vectorize.info']);
    expect(existsSync(join(t.env.config.dataDir, 'vectorize'))).toBe(false);

    const first = await t.cli(['--batch', '100']);
    expect(first.stderr).not.toMatch(/Unexpected error/u);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^vectorize yiju: upserted ${expected.size}, deleted 0, unchanged 0 \\(corpus [0-9a-f]{8}…\\)\\n$`, 'u'));
    expect(first.stderr).toMatch(/first push/u);
    expect(first.stderr).toMatch(/^upserting: \d+ items$/mu);
    expect(t.cf.index('yiju')!.vectors.size).toBe(expected.size);
    expect(t.cf.callsTo('vectorize.upsert').map((c) => c.ids!.length)).toEqual(chunksOf(expected.size, 100));

    const second = await t.cli([]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`^vectorize yiju: up to date, upserted 0, deleted 0, unchanged ${expected.size} \\(corpus [0-9a-f]{8}…\\)\\n$`, 'u'),
    );
  });

  it('without CLOUDFLARE_API_TOKEN: exit 1, a short message naming the variable, no stack trace', async ({ expect, onTestFinished }) => {
    const t = await setup(onTestFinished);
    const res = await t.cli([], { CLOUDFLARE_API_TOKEN: undefined });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /^CLOUDFLARE_API_TOKEN is not set\.\n {2}Fix: export CLOUDFLARE_API_TOKEN=… \(create a token at dash\.cloudflare\.com → My Profile → API Tokens[^\n]*\)\.\n$/u,
    );
    expect(res.stderr).not.toMatch(/^\s+at /mu);
    expect(t.cf.calls).toEqual([]);
  });
});

/** npx may warn about the user's npm configuration; that is not the script's output. */
function withoutNpmNoise(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !/^npm (warn|notice)/u.test(l))
    .join('\n');
}
