import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import type { Config } from './config.js';
import type { BuildProgress } from '../core/indexing/buildIndex.js';
import type { CorpusBundle } from '../core/indexing/corpusBundle.js';
import type { WorkerPayload } from '../workers/runtime.js';
import { bundleCorpus } from './corpusBundle.js';
import { DEFAULT_VECTORIZE_INDEX, pushStatePath, readPushState } from './vectorizePush.js';
import { buildWebAssets } from './webAssets.js';
import { VERSION } from './version.js';

const ENTRY = fileURLToPath(new URL('../workers/index.ts', import.meta.url));

/** Cloudflare's limits on a Worker's compressed size: 3 MiB on the Free plan, 10 MiB on Paid. */
export const WORKER_LIMITS = { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 };

export interface WorkerBuildResult {
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Share of the script that is the packed corpus (documents, chunks, BM25). */
  corpusBytes: number;
  counts: { documents: number; chunks: number; terms: number };
  /** Modules the script still imports at run time (workerd has none to offer: must be empty). */
  imports: string[];
  corpusHash: string;
  /** The push to Vectorize recorded in the bundle, if any (Vectorize mode checks it). */
  vectors?: CorpusBundle['vectors'];
}

/** Resolves `yiju:worker-payload` to the packed corpus and browser bundles. */
const payloadPlugin = (payload: WorkerPayload): Plugin => ({
  name: 'yiju-worker-payload',
  setup(b) {
    b.onResolve({ filter: /^yiju:worker-payload$/ }, (args) => ({ path: args.path, namespace: 'yiju' }));
    b.onLoad({ filter: /.*/, namespace: 'yiju' }, () => ({ contents: JSON.stringify(payload), loader: 'json' }));
  },
});

/**
 * `npm run build:worker`: packs the corpus (cleaned, chunked, segmented with
 * jieba into a BM25 index) and the browser bundles into one ES module for
 * workerd, at `outDir/index.js`.
 */
export async function buildWorker(
  config: Config,
  outDir: string,
  options: { log?: (line: string) => void; onProgress?: (p: BuildProgress) => void; vectorizeIndex?: string } = {},
): Promise<WorkerBuildResult> {
  const bundle = await bundleCorpus(config, options);
  // The record of the last push to the Worker's Vectorize index goes in too: the Worker checks it before querying.
  const index = options.vectorizeIndex ?? DEFAULT_VECTORIZE_INDEX;
  const pushed = await readPushState(pushStatePath(config, index), options.log);
  if (pushed)
    bundle.vectors = { index, embedder: pushed.embedder, corpusHash: pushed.corpusHash, count: Object.keys(pushed.vectors).length, pushedAt: pushed.pushedAt };
  const web = await buildWebAssets();
  const assets: Record<string, string> = {};
  for (const name of ['app.js', 'widget.js', 'widget-panel.js', 'viewer.js'] as const) assets[name] = web.get(name)!;
  const payload: WorkerPayload = { bundle, assets, version: VERSION };

  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'index.js');
  const built = await build({
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    minify: true,
    // Class names stay: SDKs read them at run time (the openai SDK's User-Agent is built from one).
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [payloadPlugin(payload)],
    metafile: true,
  });
  const imports = Object.values(built.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const code = readFileSync(file);
  const result: WorkerBuildResult = {
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    corpusBytes: Buffer.byteLength(JSON.stringify(bundle)),
    counts: { documents: bundle.documents.length, chunks: bundle.chunks.length, terms: Object.keys(bundle.bm25.postings).length },
    corpusHash: bundle.corpusHash,
    vectors: bundle.vectors,
    imports,
  };
  writeFileSync(join(outDir, 'build.json'), `${JSON.stringify({ ...result, file: 'index.js', builtAt: bundle.builtAt }, null, 2)}\n`);
  return result;
}
