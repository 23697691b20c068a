/**
 * `npm run build:worker`: the Cloudflare Worker with the corpus packed in
 * (dist/worker/index.js). wrangler runs it before `wrangler dev` and
 * `wrangler deploy` (wrangler.toml [build]). Prints the script's size against
 * Cloudflare's limits.
 */
import { join } from 'node:path';
import { buildProgressReporter } from '../src/cli/progress.js';
import { log, runCli } from '../src/cli/run.js';
import { UserFacingError } from '../src/core/errors.js';
import { buildWorker, WORKER_LIMITS } from '../src/node/workerBuild.js';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

await runCli(async (config) => {
  const progress = buildProgressReporter();
  const out = join(process.cwd(), 'dist', 'worker');
  const started = performance.now();
  const r = await buildWorker(config, out, { log: (l) => (progress.stop(), log(l)), onProgress: (p) => progress.onProgress(p) }).finally(() => progress.stop());
  log(`worker: ${r.counts.documents} documents, ${r.counts.chunks} passages, ${r.counts.terms} terms (corpus ${r.corpusHash.slice(0, 12)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  log(`worker: ${r.file}: ${kib(r.bytes)}, gzip ${kib(r.gzipBytes)} (corpus ${kib(r.corpusBytes)}); Cloudflare's limits: ${kib(WORKER_LIMITS.free)} gzip on Free, ${kib(WORKER_LIMITS.paid)} on Paid`);
  if (r.gzipBytes > WORKER_LIMITS.paid) throw new UserFacingError(`The Worker is ${kib(r.gzipBytes)} compressed, over Cloudflare's ${kib(WORKER_LIMITS.paid)} limit.`, 'deploy a smaller corpus in the bundle, or serve this corpus from Node.');
  // Vectorize mode needs the vectors of exactly these passages; the Worker refuses others (see vectorsMismatch).
  if (r.vectors && r.vectors.corpusHash !== r.corpusHash) log(`worker: the Vectorize index "${r.vectors.index}" was pushed from another corpus (${r.vectors.corpusHash.slice(0, 12)}); run npm run push:vectorize before deploying with the AI and VECTORIZE bindings`);
  else if (r.vectors) log(`worker: Vectorize index "${r.vectors.index}": ${r.vectors.count} vectors by ${r.vectors.embedder.id}, pushed ${r.vectors.pushedAt}`);
  if (r.gzipBytes > WORKER_LIMITS.free) log(`worker: over the Free plan's ${kib(WORKER_LIMITS.free)}: deploying needs the Workers Paid plan`);
});
