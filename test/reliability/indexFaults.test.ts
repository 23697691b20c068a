/**
 * Index faults, end to end: what the server serves after its stored index was
 * damaged, and while its corpus is edited under it. test/adapters/storage and
 * test/node/openIndex.test.ts cover IndexStore.load's checks and openIndex's
 * rebuild for a few damages; this file covers the gaps, through createRuntime and
 * the HTTP app (and once through the real `yiju start` CLI):
 *
 * (a) each file of a stored index (manifest.json, documents.json, chunks.json,
 *     bm25.json, vectors.hnsw, vectors.hnsw.labels.json) truncated, emptied,
 *     deleted, or swapped with the same file of another index → at start the index
 *     is rebuilt (or updated) and the log says why; the served documents are the
 *     current corpus, and every answer and search result is what a pristine index
 *     gives, its citations exact slices of the served text. Never the stored index
 *     served as it was.
 * (b) a corpus file edited while the server runs → the running server keeps
 *     serving the text it indexed (every citation a slice of what /api/documents
 *     serves, never a mix), and the next start re-indexes that document only.
 *
 * The matrix uses the deterministic FakeEmbedder (a rebuild takes about a second
 * instead of about forty with the real model); the CLI case uses the local
 * OpenAI-compatible embeddings fake.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/adapters/corpus/fsCorpus.js';
import { IndexStore } from '../../src/adapters/storage/indexStore.js';
import { loadConfig, type Config } from '../../src/node/config.js';
import { DEFAULT_WATERMARKS } from '../../src/core/ingest/clean.js';
import { documentId } from '../../src/core/ingest/document.js';
import { vectorTextsOf } from '../../src/core/retrieve/corpusIndex.js';
import type { RetrieverOptions } from '../../src/core/retrieve/retriever.js';
import { indexDir } from '../../src/node/openIndex.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { startServer } from '../../src/node/server.js';
import { startCliServer } from '../helpers/cliServer.js';
import { CORPUS_DIR, CORPUS_FILES, makeTempDir } from '../helpers/corpus.js';
import { FakeEmbedder } from '../helpers/fakeEmbedder.js';
import { makeApp, memoryLogger, parseSSE, postJson } from '../helpers/http.js';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openaiServer.js';

const FILES = ['manifest.json', 'documents.json', 'chunks.json', 'bm25.json', 'vectors.hnsw', 'vectors.hnsw.labels.json'] as const;
type IndexFile = (typeof FILES)[number];
const QUESTIONS = ['初信初访应该怎么处理？', '乡镇多久排查一次矛盾纠纷？', '谁对信访工作负总责？', '信访工作联席会议多久召开一次？', '对越级上访怎么处理？'];
/** The FakeEmbedder's similarities are lower than the real model's: a lower bar keeps these questions in scope, so answers cite. */
const RETRIEVER: RetrieverOptions = { thresholds: { dense: 0.3 } };

interface Citation {
  n?: number;
  docId: string;
  start: number;
  end: number;
  text: string;
}
interface Answer {
  answer: string;
  mode: string;
  grounded: boolean;
  citations: Citation[];
}
interface SearchResult {
  docId: string;
  start: number;
  end: number;
  text: string;
  score: number;
}

/** `root/name/corpus`, holding copies of the real corpus files, `edit` applied to the raw text of each (by file name). */
function corpusCopy(
  root: string,
  name: string,
  files: readonly string[] = CORPUS_FILES,
  edit: (file: string, raw: string) => string = (_f, raw) => raw,
): string {
  const dir = join(root, name, 'corpus');
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), edit(f, readFileSync(join(CORPUS_DIR, f), 'utf8')));
  return dir;
}

const configFor = (corpusDir: string, dataDir: string): Config =>
  loadConfig({
    ...process.env,
    YIJU_CORPUS_DIR: corpusDir,
    YIJU_DATA_DIR: dataDir,
    YIJU_EMBEDDER: 'local',
    OPENAI_API_KEY: '',
    YIJU_CHAT_MODEL: '',
    PORT: '0',
    YIJU_RATE_LIMIT: '0',
    YIJU_LOG_LEVEL: 'silent',
  });

const open = (config: Config, log: string[] = [], embedder = new FakeEmbedder()) =>
  createRuntime(config, { embedder, retriever: RETRIEVER, log: (l) => log.push(l) });

/** The canonical documents of a corpus folder as the indexer sees them (id → text). */
async function canonical(corpusDir: string): Promise<Map<string, string>> {
  return new Map((await loadCorpus(corpusDir, { watermarks: DEFAULT_WATERMARKS })).documents.map((d) => [d.id, d.text]));
}

/** Reads every stored file of an index folder. */
const snapshot = (dir: string) => new Map(FILES.map((f) => [f, readFileSync(join(dir, f))] as const));

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** What a server serves: every document, and for each question the /api/ask answer and /api/search results. */
async function servedBy(fetchFn: Fetch) {
  const list = (await (await fetchFn('/api/documents')).json()) as { documents: { id: string }[] };
  const documents = new Map<string, string>();
  for (const { id } of list.documents) {
    const res = await fetchFn(`/api/documents/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    documents.set(id, ((await res.json()) as { text: string }).text);
  }
  const answers: Answer[] = [];
  const searches: SearchResult[][] = [];
  for (const question of QUESTIONS) {
    const res = await fetchFn('/api/ask', postJson({ question }));
    expect(res.status).toBe(200);
    const a = (await res.json()) as Answer;
    answers.push({
      answer: a.answer,
      mode: a.mode,
      grounded: a.grounded,
      citations: a.citations.map(({ n, docId, start, end, text }) => ({ n, docId, start, end, text })),
    });
    const s = await fetchFn(`/api/search?q=${encodeURIComponent(question)}&k=8`);
    expect(s.status).toBe(200);
    searches.push(((await s.json()) as { results: SearchResult[] }).results.map(({ docId, start, end, text, score }) => ({ docId, start, end, text, score })));
  }
  return { documents, answers, searches };
}

/** Every citation and search result is the exact slice of the text served for its document. */
function expectSlicesOf(documents: Map<string, string>, served: { answers: Answer[]; searches: SearchResult[][] }, info: string) {
  for (const a of served.answers)
    for (const c of a.citations) expect(c.text, `${info}: a citation is not its document's text`).toBe(documents.get(c.docId)?.slice(c.start, c.end));
  for (const r of served.searches.flat())
    expect(r.text, `${info}: a search result is not its document's text`).toBe(documents.get(r.docId)?.slice(r.start, r.end));
}

/** Inside the index: every chunk is the slice of its document it claims to be. */
function expectChunksConsistent(rt: Runtime, info: string) {
  const wrong = [...rt.opened.index.chunks.values()]
    .filter((c) => c.text !== rt.opened.index.documents.get(c.docId)?.text.slice(c.start, c.end))
    .map((c) => c.id);
  expect.soft(wrong, `${info}: chunks that are not their document's text`).toEqual([]);
}

// ---------------------------------------------------------------------------
// (a) a damaged stored index

describe('a damaged stored index is rebuilt at start, never served', () => {
  let root: { dir: string; cleanup: () => void };
  let corpus: string;
  let data: string;
  let config: Config;
  let pristine: Map<IndexFile, Buffer>;
  let expected: Awaited<ReturnType<typeof servedBy>>;
  let currentText: Map<string, string>;
  /** The same files from other indexes: of the corpus with one character of one speech changed (files of the same size), and of three of the five speeches. */
  let twin: Map<IndexFile, Buffer>;
  let other: Map<IndexFile, Buffer>;

  beforeAll(async () => {
    root = makeTempDir('yiju-index-faults-');
    corpus = corpusCopy(root.dir, 'a');
    data = join(root.dir, 'a', 'data');
    config = configFor(corpus, data);
    const rt = await open(config);
    pristine = snapshot(indexDir(config));
    expected = await servedBy((path, init) => Promise.resolve(makeApp(rt).app.request(path, init)));
    currentText = await canonical(corpus);
    expect(
      expected.answers.every((a) => a.citations.length > 0),
      'every question should be answered with citations',
    ).toBe(true);

    // One Han character for another (3 bytes each in UTF-8), in the middle of one speech.
    const target = CORPUS_FILES[2]!;
    const twinCorpus = corpusCopy(root.dir, 'twin', CORPUS_FILES, (f, raw) => {
      if (f !== target) return raw;
      const at = raw.indexOf('信访', raw.length >> 1);
      return `${raw.slice(0, at)}信坊${raw.slice(at + 2)}`;
    });
    const twinConfig = configFor(twinCorpus, join(root.dir, 'twin', 'data'));
    await open(twinConfig);
    twin = snapshot(indexDir(twinConfig));
    const otherConfig = configFor(corpusCopy(root.dir, 'other', CORPUS_FILES.slice(0, 3)), join(root.dir, 'other', 'data'));
    await open(otherConfig);
    other = snapshot(indexDir(otherConfig));
  }, 120_000);

  afterAll(() => root?.cleanup());

  /** Puts the pristine index back (and nothing else: no lock, no temporary files). */
  function restore() {
    const dir = indexDir(config);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [f, bytes] of pristine) writeFileSync(join(dir, f), bytes);
  }

  const damages: [string, (path: string, file: IndexFile) => void][] = [
    ['truncated to a third', (path) => truncateSync(path, Math.floor(readFileSync(path).length / 3))],
    ['emptied', (path) => writeFileSync(path, '')],
    ['deleted', (path) => rmSync(path)],
    ['swapped with the file of an index of three of the speeches', (path, file) => writeFileSync(path, other.get(file)!)],
    ['swapped with the file of an index whose corpus differs by one character (same size)', (path, file) => writeFileSync(path, twin.get(file)!)],
    [
      'replaced by a folder',
      (path) => {
        rmSync(path);
        mkdirSync(path);
        writeFileSync(join(path, 'stray'), 'x');
      },
    ],
  ];
  const cases = FILES.flatMap((file) => damages.map(([how, damage]) => [file, how, damage] as const));

  it.each(cases)('%s %s → rebuilt or updated (the log says why), the current corpus served, answers as from a pristine index', async (file, how, damage) => {
    restore();
    const path = join(indexDir(config), file);
    const before = readFileSync(path);
    damage(path, file);
    const info = `${file} ${how}`;
    if (existsSync(path) && statSync(path).isFile() && readFileSync(path).equals(before)) {
      // Both indexes hold the very same bytes in this file (e.g. the labels of the vectors): there is nothing wrong to detect.
      const rt = await open(config);
      expect(rt.opened.build, `${info}: an identical file needs no rebuild`).toBeNull();
      return;
    }

    const log: string[] = [];
    const rt = await open(config, log);
    const { build, reason } = rt.opened;
    // Soft: when the damage goes unnoticed, the failure also shows what was served because of it.
    expect.soft(build, `${info}: the stored index was served as it was (no rebuild, no reason); the log: ${JSON.stringify(log)}`).not.toBeNull();
    expect.soft(reason ?? '(no reason: nothing was rebuilt)', info).toMatch(/damaged|no index yet|corpus changed/u);
    if (/damaged/u.test(reason ?? ''))
      expect.soft(log.join('\n'), `${info}: the log does not say why`).toMatch(/index: stored index damaged \(.+\); rebuilding/u);

    const served = await servedBy((p, init) => Promise.resolve(makeApp(rt).app.request(p, init)));
    expect.soft(served.documents, `${info}: the served documents are not the current corpus`).toEqual(currentText);
    expectSlicesOf(served.documents, served, info);
    expectChunksConsistent(rt, info);
    expect.soft(served.answers, `${info}: answers differ from a pristine index's`).toEqual(expected.answers);
    expect.soft(served.searches, `${info}: search results differ from a pristine index's`).toEqual(expected.searches);
    // What was written back is a sound index.
    expect(() => new IndexStore(indexDir(config)).load(), info).not.toThrow();
  });
});

// ---------------------------------------------------------------------------
// (a) through the CLI: `yiju start` says why it rebuilds, then serves the current corpus

describe('yiju start (the CLI) with a damaged index', () => {
  let embeddings: OpenAIServer;
  let dir: { dir: string; cleanup: () => void };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    embeddings = await startOpenAIServer();
    dir = makeTempDir('yiju-index-cli-');
    mkdirSync(join(dir.dir, 'corpus'));
    for (const f of CORPUS_FILES) cpSync(join(CORPUS_DIR, f), join(dir.dir, 'corpus', f));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await embeddings?.close();
    dir?.cleanup();
  });

  /** `yiju start` once the index it brings up to date in the background is served (listening comes first). */
  const start = () =>
    startCliServer({
      corpusDir: join(dir.dir, 'corpus'),
      dataDir: join(dir.dir, 'data'),
      embeddingsURL: embeddings.baseURL,
      ready: /listening on (http:\/\/\S+)[^]*curl -s[^]*(?:index ready|index: up to date)/u,
      children,
    });

  it('a truncated documents.json: the log names the damage, the index is rebuilt, the served text is the corpus and results are slices of it', async () => {
    const first = await start();
    expect(await first.stop()).toBe(0);
    const documents = join(dir.dir, 'data', 'index', 'documents.json');
    truncateSync(documents, Math.floor(readFileSync(documents).length / 2));

    const second = await start();
    try {
      expect(second.stderr()).toMatch(/index: stored index damaged \(.*documents\.json has \d+ bytes, \d+ were written.*\); rebuilding/u);
      const fetchFn: Fetch = (p, init) => fetch(`${second.url}${p}`, init);
      const served = await servedBy(fetchFn);
      expect(served.documents).toEqual(await canonical(join(dir.dir, 'corpus')));
      expectSlicesOf(served.documents, served, 'yiju start');
      expect(served.searches.flat().length).toBeGreaterThan(0);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(() => new IndexStore(join(dir.dir, 'data', 'index')).load()).not.toThrow();
  }, 180_000);
});

// ---------------------------------------------------------------------------
// (b) the corpus edited while the server runs

describe('a corpus file edited while the server runs', () => {
  it('the running server keeps serving the text it indexed (never a mix); the next start re-indexes that document only', async () => {
    const root = makeTempDir('yiju-index-edit-');
    const corpus = corpusCopy(root.dir, 'live');
    const config = configFor(corpus, join(root.dir, 'live', 'data'));
    try {
      const rt = await open(config);
      const logger = memoryLogger();
      const server = await startServer(rt, { logger });
      const fetchFn: Fetch = (p, init) => fetch(`${server.url}${p}`, init);
      const before = await servedBy(fetchFn);
      expect(before.documents).toEqual(await canonical(corpus));

      // The speech to edit: the one the first answer cites; the sentence: one it quotes that occurs once in the file.
      const cited = before.answers[0]!.citations[0]!;
      const file = CORPUS_FILES.find((f) => documentId(f) === cited.docId)!;
      const path = join(corpus, file);
      const raw = readFileSync(path, 'utf8');
      const sentence = cited.text.split(/(?<=。)/u).find((s) => s.length > 8 && raw.split(s).length === 2);
      expect(sentence, 'no sentence of the citation occurs exactly once in its file').toBeTruthy();
      const edited = raw.replace(sentence!, `${sentence!.replace(/。$/u, '')}（本句已修订）。`);

      // Load while the file changes under the server: rewritten in place, cut short, written back in two halves, finally edited.
      let editing = true;
      const editor = (async () => {
        const half = Math.floor(edited.length / 2);
        for (let round = 0; round < 6; round++) {
          writeFileSync(path, edited.slice(0, half));
          await new Promise((r) => setTimeout(r, 40));
          writeFileSync(path, edited.slice(0, half) + edited.slice(half));
          await new Promise((r) => setTimeout(r, 40));
          writeFileSync(path, '');
          await new Promise((r) => setTimeout(r, 20));
          writeFileSync(path, round % 2 ? raw : edited);
          await new Promise((r) => setTimeout(r, 60));
        }
        writeFileSync(path, edited);
        editing = false;
      })();
      const answers: Answer[] = [];
      const searches: SearchResult[][] = [];
      const docs: Map<string, string>[] = [];
      const load = async (worker: number) => {
        for (let i = worker; editing; i += 4) {
          const question = QUESTIONS[i % QUESTIONS.length]!;
          if (i % 3 === 0) {
            const events = parseSSE(await (await fetchFn('/api/chat', postJson({ question }))).text());
            expect(events.at(-1)!.event).toBe('done');
            answers.push(JSON.parse(events.at(-1)!.data) as Answer);
          } else if (i % 3 === 1) answers.push((await (await fetchFn('/api/ask', postJson({ question }))).json()) as Answer);
          else searches.push(((await (await fetchFn(`/api/search?q=${encodeURIComponent(question)}`)).json()) as { results: SearchResult[] }).results);
          const d = (await (await fetchFn(`/api/documents/${cited.docId}`)).json()) as { text: string };
          docs.push(new Map([[cited.docId, d.text]]));
        }
      };
      await Promise.all([editor, load(0), load(1), load(2), load(3)]);

      expect(answers.length + searches.length).toBeGreaterThan(10);
      for (const d of docs) expect(d.get(cited.docId), 'the served text changed while the server ran').toBe(before.documents.get(cited.docId));
      expectSlicesOf(before.documents, { answers, searches }, 'while the corpus was edited');
      expect(
        answers.every((a) => a.citations.every((c) => !c.text.includes('本句已修订'))),
        'an answer quoted text the server never indexed',
      ).toBe(true);
      expect(logger.records.filter((r) => r.level === 'error')).toEqual([]);
      await server.close();

      // The next start: only that document is re-indexed; the served text is the edited file's.
      const embedder = new FakeEmbedder();
      const next = await open(config, [], embedder);
      const { build, reason } = next.opened;
      expect(reason).toBe('corpus changed');
      expect(build).toMatchObject({ added: [], removed: [], changed: [cited.docId] });
      expect(build!.unchanged).toHaveLength(CORPUS_FILES.length - 1);
      const reembedded = [...next.opened.index.chunks.values()].filter((c) => c.docId === cited.docId).flatMap((c) => vectorTextsOf(c));
      expect(embedder.passageTexts, 'texts of other documents were embedded again').toHaveLength(reembedded.length);
      const stored = new IndexStore(indexDir(config)).readManifest()!;
      expect(stored.documents.find((d) => d.id === cited.docId)!.hash).not.toBe(rt.opened.manifest.documents.find((d) => d.id === cited.docId)!.hash);

      const again = await startServer(next, { logger: memoryLogger() });
      try {
        const after = await servedBy((p, init) => fetch(`${again.url}${p}`, init));
        expect(after.documents).toEqual(await canonical(corpus));
        expect(after.documents.get(cited.docId)).toContain('本句已修订');
        for (const [id, text] of before.documents) if (id !== cited.docId) expect(after.documents.get(id)).toBe(text);
        expectSlicesOf(after.documents, after, 'after the restart');
        expectChunksConsistent(next, 'after the restart');
        // The same as a full rebuild of the edited corpus.
        const fresh = await createRuntime(configFor(corpus, join(root.dir, 'fresh', 'data')), { embedder: new FakeEmbedder(), retriever: RETRIEVER });
        const rebuilt = await servedBy((p, init) => Promise.resolve(makeApp(fresh).app.request(p, init)));
        expect(after.answers).toEqual(rebuilt.answers);
        expect(after.searches.map((r) => r.map(({ docId, start, end, text }) => ({ docId, start, end, text })))).toEqual(
          rebuilt.searches.map((r) => r.map(({ docId, start, end, text }) => ({ docId, start, end, text }))),
        );
      } finally {
        await again.close();
      }
    } finally {
      root.cleanup();
    }
  }, 120_000);
});
