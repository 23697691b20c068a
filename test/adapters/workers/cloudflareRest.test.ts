import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudflareApiError, CloudflareRest, restVectorize, restWorkersAi } from '../../../src/adapters/workers/cloudflareRest.js';
import { VectorizeStore, vectorizeId } from '../../../src/adapters/workers/vectorizeStore.js';
import { WorkersAiEmbedder } from '../../../src/adapters/workers/workersAiEmbedder.js';
import { fakeEmbedding, startCloudflareApi, type CloudflareApi } from '../../helpers/cloudflareApi.js';

const MODEL = '@cf/baai/bge-m3';
const texts = (n: number) => Array.from({ length: n }, (_, i) => `第${i}条：信访工作要依法按政策解决群众诉求。`);

const unit = (v: number[]) => {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
};

describe('Cloudflare REST clients (against a local fake of the v4 API)', () => {
  let cf: CloudflareApi;
  let sleeps: number[];
  const opts = () => ({ baseUrl: cf.baseUrl, accountId: cf.accountId, apiToken: cf.token, sleep: async (ms: number) => void sleeps.push(ms) });

  beforeEach(async () => {
    cf = await startCloudflareApi({ indexes: [{ name: 'yiju', dimensions: 8 }], models: { [MODEL]: 8 } });
    sleeps = [];
  });
  afterEach(() => cf.close());

  describe('restWorkersAi', () => {
    it("POSTs {text} to /accounts/{account_id}/ai/run/{model} with the bearer token and returns the envelope's result", async () => {
      const ai = restWorkersAi(opts());
      const result = (await ai.run(MODEL, { text: ['初信初访', '依法逐级走访'] })) as { shape: number[]; data: number[][] };
      expect(result.shape).toEqual([2, 8]);
      expect(result.data).toEqual([fakeEmbedding('初信初访', 8), fakeEmbedding('依法逐级走访', 8)]);
      const [call] = cf.callsTo('ai.run');
      expect(call).toMatchObject({
        method: 'POST',
        path: `/client/v4/accounts/${cf.accountId}/ai/run/@cf/baai/bge-m3`,
        model: MODEL,
        authorization: `Bearer ${cf.token}`,
        status: 200,
        texts: ['初信初访', '依法逐级走访'],
      });
      expect(call!.contentType).toMatch(/^application\/json/u);
    });

    it('drives WorkersAiEmbedder: batches of at most 100, normalised vectors in order', async () => {
      const embedder = new WorkersAiEmbedder(restWorkersAi(opts()), { model: MODEL, dimensions: 8 });
      const input = texts(250);
      const out = await embedder.embed(input, 'passage');
      expect(cf.callsTo('ai.run').map((c) => c.texts!.length)).toEqual([100, 100, 50]);
      expect(out).toHaveLength(250);
      out.forEach((v, i) => unit(fakeEmbedding(input[i]!, 8)).forEach((x, j) => expect(v[j]).toBeCloseTo(x, 5)));
    });

    it("reports Cloudflare's error for more than 100 texts without retrying it (a 400 is not transient)", async () => {
      const ai = restWorkersAi(opts());
      const err = await ai.run(MODEL, { text: texts(101) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudflareApiError);
      expect((err as CloudflareApiError).status).toBe(400);
      expect((err as CloudflareApiError).errors[0]!.code).toBe(5006);
      expect((err as Error).message).toMatch(/Workers AI @cf\/baai\/bge-m3 failed: HTTP 400.*\[5006\].*100 items/u);
      expect(cf.callsTo('ai.run')).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('names the missing permission on 401/403 and never shows the token', async () => {
      const err = (await restWorkersAi({ ...opts(), apiToken: 'wrong-token-secret' })
        .run(MODEL, { text: ['x'] })
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(err).toBeInstanceOf(CloudflareApiError);
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/HTTP 401.*\[10000\] Authentication error/u);
      expect(err.hint).toMatch(/Workers AI: Read/u);
      expect(err.hint).toMatch(/My Profile → API Tokens/u);
      expect(`${err.message} ${err.hint} ${err.stack}`).not.toContain('wrong-token-secret');

      const other = (await restWorkersAi({ ...opts(), accountId: 'ffffffffffffffffffffffffffffffff' })
        .run(MODEL, { text: ['x'] })
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(other.status).toBe(403);
      expect(other.hint).toMatch(/ffffffffffffffffffffffffffffffff/u);
    });

    it('suggests checking the model id for an unknown model', async () => {
      const err = (await restWorkersAi(opts())
        .run('@cf/nope/model', { text: ['x'] })
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(err.message).toMatch(/\[5007\]/u);
      expect(err.hint).toMatch(/@cf\/nope\/model.*workers-ai\/models/u);
    });
  });

  describe('restVectorize', () => {
    it('reads the index configuration', async () => {
      const info = await restVectorize({ ...opts(), index: 'yiju' }).info();
      expect(info).toMatchObject({ name: 'yiju', config: { dimensions: 8, metric: 'cosine' } });
      expect(info.created_on).toBe(cf.index('yiju')!.created_on);
      expect(cf.callsTo('vectorize.info')[0]).toMatchObject({ method: 'GET', path: `/client/v4/accounts/${cf.accountId}/vectorize/v2/indexes/yiju` });
    });

    it('upserts as NDJSON, deletes by ids and queries, with mutation ids', async () => {
      const index = restVectorize({ ...opts(), index: 'yiju' });
      const vectors = ['a', 'b', 'c'].map((id, i) => ({ id, values: Array.from({ length: 8 }, (_, j) => (j === i ? 1 : 0.01)) }));
      const up = await index.upsert(vectors);
      expect(up.mutationId).toMatch(/^[0-9a-f-]{36}$/u);
      const [call] = cf.callsTo('vectorize.upsert');
      expect(call!.contentType).toBe('application/x-ndjson');
      expect(call!.ids).toEqual(['a', 'b', 'c']);
      expect(cf.index('yiju')!.vectors.get('b')).toEqual(vectors[1]!.values);

      const hits = await index.query(vectors[1]!.values, { topK: 2, returnValues: false, returnMetadata: 'none' });
      expect(hits.count).toBe(2);
      expect(hits.matches[0]).toMatchObject({ id: 'b' });
      expect(hits.matches[0]!.score).toBeCloseTo(1, 6);

      const del = await index.deleteByIds(['a', 'c']);
      expect(del.mutationId).not.toBe(up.mutationId);
      expect([...cf.index('yiju')!.vectors.keys()]).toEqual(['b']);
      expect(cf.callsTo('vectorize.delete_by_ids')[0]!.ids).toEqual(['a', 'c']);
      // Empty mutations send nothing.
      await index.upsert([]);
      await index.deleteByIds([]);
      expect(cf.calls.filter((c) => c.op === 'vectorize.upsert' || c.op === 'vectorize.delete_by_ids')).toHaveLength(2);
    });

    it("the fake enforces Vectorize's limits: ids over 64 bytes and vectors of the wrong size are refused (whole request)", async () => {
      const index = restVectorize({ ...opts(), index: 'yiju' });
      const long = `s:${'信访工作会议讲话'.repeat(4)}#3:1`;
      const tooLong = (await index
        .upsert([
          { id: 'ok', values: new Array(8).fill(1) },
          { id: long, values: new Array(8).fill(1) },
        ])
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(tooLong.status).toBe(400);
      expect(tooLong.message).toMatch(/40008/u);
      const wrongSize = (await index.upsert([{ id: 'x', values: [1, 2, 3] }]).catch((e: unknown) => e)) as CloudflareApiError;
      expect(wrongSize.message).toMatch(/40012.*expected 8 dimensions, and got 3/u);
      expect(cf.index('yiju')!.vectors.size).toBe(0);

      // Through VectorizeStore the long id is stored as its hash, and search maps it back.
      const store = new VectorizeStore(index, { batchSize: 2 });
      await store.upsert([
        { id: long, vector: new Array(8).fill(1) },
        { id: 'c:a#0', vector: [1, 0, 0, 0, 0, 0, 0, 0] },
        { id: 'c:a#1', vector: [0, 1, 0, 0, 0, 0, 0, 0] },
      ]);
      expect([...cf.index('yiju')!.vectors.keys()].sort()).toEqual([vectorizeId(long), 'c:a#0', 'c:a#1'].sort());
      expect(
        cf
          .callsTo('vectorize.upsert')
          .filter((c) => c.status === 200)
          .map((c) => c.ids!.length),
      ).toEqual([2, 1]);
      expect((await store.search(new Array(8).fill(1), 1))[0]!.id).toBe(long);
    });

    it('explains a missing index with the wrangler command that creates it', async () => {
      const err = (await restVectorize({ ...opts(), index: 'nope', dimensions: 1024 })
        .info()
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(err.status).toBe(404);
      expect(err.hint).toContain('npx wrangler vectorize create nope --dimensions=1024 --metric=cosine');
      expect(sleeps).toEqual([]);
    });

    it('names the Vectorize permission on 401', async () => {
      const err = (await restVectorize({ ...opts(), apiToken: 'bad-token-value', index: 'yiju' })
        .upsert([{ id: 'a', values: new Array(8).fill(1) }])
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(err.status).toBe(401);
      expect(err.hint).toMatch(/Vectorize: Edit/u);
      expect(`${err.message} ${err.hint}`).not.toContain('bad-token-value');
    });
  });

  describe('retries', () => {
    it('retries 429 with exponential backoff, honouring Retry-After', async () => {
      cf.fail('vectorize.upsert', { status: 429, times: 2 });
      const index = restVectorize({ ...opts(), index: 'yiju' });
      await index.upsert([{ id: 'a', values: new Array(8).fill(1) }]);
      expect(cf.callsTo('vectorize.upsert').map((c) => c.status)).toEqual([429, 429, 200]);
      expect(sleeps).toEqual([1000, 2000]);
      expect(cf.index('yiju')!.vectors.has('a')).toBe(true);

      sleeps.length = 0;
      cf.fail('vectorize.info', { status: 429, retryAfter: '7' });
      await index.info();
      expect(sleeps).toEqual([7000]);
    });

    it('retries 5xx and cut connections, then succeeds', async () => {
      cf.fail('ai.run', { status: 503 });
      cf.fail('ai.run', { status: 0, after: 1 });
      const result = (await restWorkersAi(opts()).run(MODEL, { text: ['再试一次'] })) as { data: number[][] };
      expect(result.data).toEqual([fakeEmbedding('再试一次', 8)]);
      expect(cf.callsTo('ai.run').map((c) => c.status)).toEqual([503, 0, 200]);
      expect(sleeps).toEqual([1000, 2000]);
    });

    it("gives up after the configured retries with the status, attempts and Cloudflare's message", async () => {
      cf.fail('vectorize.upsert', { status: 500, times: 100, errors: [{ code: 40001, message: 'internal error' }] });
      const err = (await restVectorize({ ...opts(), retries: 3, index: 'yiju' })
        .upsert([{ id: 'a', values: new Array(8).fill(1) }])
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(err).toBeInstanceOf(CloudflareApiError);
      expect(err.status).toBe(500);
      expect(err.message).toBe('Vectorize upsert (index yiju) failed: HTTP 500 Internal Server Error after 4 attempts: [40001] internal error');
      expect(err.hint).toMatch(/run the command again/u);
      expect(cf.callsTo('vectorize.upsert')).toHaveLength(4);
      expect(sleeps).toEqual([1000, 2000, 4000]);
    });

    it('caps the backoff', async () => {
      cf.fail('vectorize.info', { status: 502, times: 3, retryAfter: '3600' });
      await restVectorize({ ...opts(), maxDelayMs: 5000, index: 'yiju' }).info();
      expect(sleeps).toEqual([5000, 5000, 5000]);
    });

    it('reports an unreachable API after retrying', async () => {
      const base = cf.baseUrl;
      await cf.close();
      const err = (await restVectorize({ ...opts(), baseUrl: base, retries: 1, index: 'yiju' })
        .info()
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(err.status).toBe(0);
      expect(err.message).toMatch(/could not reach http:\/\/127\.0\.0\.1:\d+\/client\/v4 after 2 attempts/u);
      expect(sleeps).toEqual([1000]);
      cf = await startCloudflareApi();
    });
  });

  describe('envelopes (stubbed fetch)', () => {
    const stub = (status: number, body: string, seen: RequestInit[] = []) =>
      (async (_url: string | URL | Request, init?: RequestInit) => {
        seen.push(init!);
        return new Response(body, { status, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch;

    it('treats success:false in a 200 as an error', async () => {
      const rest = new CloudflareRest({
        accountId: 'acct',
        apiToken: 'tok',
        fetch: stub(200, JSON.stringify({ result: null, success: false, errors: [{ code: 1234, message: 'nope' }], messages: [] })),
        sleep: async () => {},
      });
      const err = (await restVectorize({ rest, index: 'yiju' })
        .info()
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(err.message).toMatch(/HTTP 200, success: false: \[1234\] nope/u);
    });

    it('redacts the token even when an error message echoes it', async () => {
      const token = 'Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY';
      const seen: RequestInit[] = [];
      const rest = new CloudflareRest({
        accountId: 'acct',
        apiToken: token,
        fetch: stub(400, JSON.stringify({ success: false, errors: [{ code: 9106, message: `bad header Bearer ${token}` }] }), seen),
      });
      const err = (await restWorkersAi(rest)
        .run(MODEL, { text: ['x'] })
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect((seen[0]!.headers as Record<string, string>).Authorization).toBe(`Bearer ${token}`);
      expect(err.message).toContain('bad header Bearer ***');
      expect(`${err.message} ${err.hint} ${JSON.stringify(err.errors)} ${err.stack}`).not.toContain(token);
    });

    it("reports non-JSON answers (a proxy's error page) after retrying them", async () => {
      const seen: RequestInit[] = [];
      const rest = new CloudflareRest({
        accountId: 'acct',
        apiToken: 'tok',
        fetch: stub(502, '<html>Bad gateway</html>', seen),
        sleep: async () => {},
        retries: 2,
      });
      const err = (await restVectorize({ rest, index: 'yiju' })
        .info()
        .catch((e: unknown) => e)) as CloudflareApiError;
      expect(seen).toHaveLength(3);
      expect(err.message).toMatch(/HTTP 502 .*non-JSON response: <html>Bad gateway<\/html>/u);
    });

    it('uses the documented default base URL', async () => {
      const urls: string[] = [];
      const fetchStub = (async (url: string | URL | Request) => {
        urls.push(String(url));
        return new Response(
          JSON.stringify({ result: { name: 'yiju', config: { dimensions: 1024, metric: 'cosine' } }, success: true, errors: [], messages: [] }),
          { status: 200 },
        );
      }) as typeof fetch;
      await restVectorize({ accountId: 'acct', apiToken: 'tok', fetch: fetchStub, index: 'yiju' }).info();
      expect(urls).toEqual(['https://api.cloudflare.com/client/v4/accounts/acct/vectorize/v2/indexes/yiju']);
    });
  });
});
