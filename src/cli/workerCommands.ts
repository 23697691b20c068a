/**
 * The Cloudflare Workers deployment's subcommands of the CLI (src/cli/main.ts). They
 * only parse options and report; the work is in src/node/workerBuild.ts and
 * src/node/vectorizePush.ts.
 *
 * `yiju build-worker` (`npm run build:worker`): the Cloudflare Worker with the corpus
 * packed in (dist/worker/index.js under the current directory). wrangler runs it
 * before `wrangler dev` and `wrangler deploy` (wrangler.toml [build]). Prints the
 * script's size against Cloudflare's limits.
 *
 * `yiju push-vectorize` (`npm run push:vectorize`): pushes the corpus's vectors to a
 * Cloudflare Vectorize index for the Workers deployment, embedding with Workers AI
 * (default, @cf/baai/bge-m3) or an OpenAI-compatible endpoint. Only new or changed
 * vectors are embedded and upserted; vectors of removed passages are deleted. The
 * state of the last complete push is kept in <YIJU_DATA_DIR>/vectorize/<index>.json.
 *
 * Environment: CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN (permissions "Workers AI: Read"
 * and "Vectorize: Edit"), optional CLOUDFLARE_API_BASE_URL; for --embedder openai:
 * OPENAI_API_KEY, OPENAI_BASE_URL, YIJU_EMBEDDING_MODEL, YIJU_EMBEDDING_DIMENSIONS.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UserFacingError } from '../core/errors.js';
import {
  DEFAULT_PUSH_BATCH,
  DEFAULT_VECTORIZE_INDEX,
  DEFAULT_WORKERS_AI_MODEL,
  MAX_PUSH_BATCH,
  pushToVectorize,
  type PushProgress,
  type PushSummary,
} from '../node/vectorizePush.js';
import { buildWorker, WORKER_LIMITS } from '../node/workerBuild.js';
import { buildProgressReporter, progressReporter } from './progress.js';
import { log, runCli } from './run.js';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function buildWorkerCommand(): Command {
  return new Command('build-worker')
    .summary('pack the Cloudflare Worker with the corpus into dist/worker/index.js')
    .description(
      "pack the Cloudflare Worker (app, corpus, BM25 index, browser bundles) into dist/worker/index.js under the current directory and print its size against Cloudflare's limits (wrangler.toml [build] runs it before wrangler dev and deploy)",
    )
    .action(() =>
      runCli(async (config) => {
        const progress = buildProgressReporter();
        const out = join(process.cwd(), 'dist', 'worker');
        const started = performance.now();
        const r = await buildWorker(config, out, { log: (l) => (progress.stop(), log(l)), onProgress: (p) => progress.onProgress(p) }).finally(() =>
          progress.stop(),
        );
        log(
          `worker: ${r.counts.documents} documents, ${r.counts.chunks} passages, ${r.counts.terms} terms (corpus ${r.corpusHash.slice(0, 12)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        log(
          `worker: ${r.file}: ${kib(r.bytes)}, gzip ${kib(r.gzipBytes)} (corpus ${kib(r.corpusBytes)}); Cloudflare's limits: ${kib(WORKER_LIMITS.free)} gzip on Free, ${kib(WORKER_LIMITS.paid)} on Paid`,
        );
        if (r.gzipBytes > WORKER_LIMITS.paid)
          throw new UserFacingError(
            `The Worker is ${kib(r.gzipBytes)} compressed, over Cloudflare's ${kib(WORKER_LIMITS.paid)} limit.`,
            'deploy a smaller corpus in the bundle, or serve this corpus from Node.',
          );
        // Vectorize mode needs the vectors of exactly these passages; the Worker refuses others (see vectorsMismatch).
        if (r.vectors && r.vectors.corpusHash !== r.corpusHash)
          log(
            `worker: the Vectorize index "${r.vectors.index}" was pushed from another corpus (${r.vectors.corpusHash.slice(0, 12)}); run npm run push:vectorize before deploying with the AI and VECTORIZE bindings`,
          );
        else if (r.vectors)
          log(`worker: Vectorize index "${r.vectors.index}": ${r.vectors.count} vectors by ${r.vectors.embedder.id}, pushed ${r.vectors.pushedAt}`);
        if (r.gzipBytes > WORKER_LIMITS.free) log(`worker: over the Free plan's ${kib(WORKER_LIMITS.free)}: deploying needs the Workers Paid plan`);
      }),
    );
}

const positiveInt = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
  return n;
};

const LABELS: Record<PushProgress['phase'], string> = {
  chunk: 'chunking ',
  lexical: 'BM25     ',
  embed: 'embedding',
  upsert: 'upserting',
  delete: 'deleting ',
};

function required(name: string, what: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new UserFacingError(`${name} is not set.`, `export ${name}=… (${what}).`);
  return value;
}

const short = (hash: string) => `${hash.slice(0, 8)}…`;

function summaryLine(s: PushSummary): string {
  const counts = s.dryRun
    ? `dry run, would upsert ${s.planned.upsert}, delete ${s.planned.delete}, unchanged ${s.unchanged}`
    : `${s.skipped ? 'up to date, ' : ''}upserted ${s.upserted}, deleted ${s.deleted}, unchanged ${s.unchanged}`;
  return `vectorize ${s.index}: ${counts} (corpus ${short(s.corpusHash)})`;
}

interface PushOptions {
  index: string;
  embedder: 'workers-ai' | 'openai';
  model?: string;
  dimensions?: number;
  batch: number;
  force?: boolean;
  dryRun?: boolean;
}

export function pushVectorizeCommand(): Command {
  return new Command('push-vectorize')
    .description('push the corpus vectors to a Cloudflare Vectorize index (only what changed since the last push)')
    .option('--index <name>', 'Vectorize index name', DEFAULT_VECTORIZE_INDEX)
    .addOption(new Option('--embedder <kind>', 'embedding service').choices(['workers-ai', 'openai']).default('workers-ai'))
    .option('--model <id>', `embedding model (default ${DEFAULT_WORKERS_AI_MODEL} for workers-ai, YIJU_EMBEDDING_MODEL for openai)`)
    .option('--dimensions <n>', 'embedding size (default: known for Workers AI models, YIJU_EMBEDDING_DIMENSIONS or asked for openai)', positiveInt(4096))
    .option('--batch <n>', `vectors per upsert request (at most ${MAX_PUSH_BATCH})`, positiveInt(MAX_PUSH_BATCH), DEFAULT_PUSH_BATCH)
    .option('--force', 'ignore the push state and re-upsert every vector')
    .option('--dry-run', 'print the plan; embed nothing and write nothing')
    .addHelpText(
      'after',
      '\nEnvironment: CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN (permissions "Workers AI: Read" and "Vectorize: Edit"),\noptional CLOUDFLARE_API_BASE_URL; for --embedder openai: OPENAI_API_KEY, OPENAI_BASE_URL, YIJU_EMBEDDING_MODEL,\nYIJU_EMBEDDING_DIMENSIONS. The state of the last complete push is kept in <YIJU_DATA_DIR>/vectorize/<index>.json.',
    )
    .action((opts: PushOptions) =>
      runCli(async (config) => {
        const accountId = required(
          'CLOUDFLARE_ACCOUNT_ID',
          'your account id: dash.cloudflare.com → Workers & Pages → Account details, or `npx wrangler whoami`',
        );
        const apiToken = required(
          'CLOUDFLARE_API_TOKEN',
          'create a token at dash.cloudflare.com → My Profile → API Tokens with the permissions "Workers AI: Read" and "Vectorize: Edit"',
        );
        const progress = progressReporter(LABELS);
        try {
          const summary = await pushToVectorize({
            config,
            index: opts.index,
            accountId,
            apiToken,
            baseUrl: process.env.CLOUDFLARE_API_BASE_URL?.trim() || undefined,
            embedding: { kind: opts.embedder, model: opts.model, dimensions: opts.dimensions },
            batchSize: opts.batch,
            force: opts.force,
            dryRun: opts.dryRun,
            log: (line) => (progress.stop(), log(line)),
            onProgress: (p) => progress.onProgress(p),
          });
          progress.stop();
          if (summary.mutationId)
            log(`vectorize ${summary.index}: last mutation ${summary.mutationId} (Vectorize applies mutations within seconds to minutes)`);
          process.stdout.write(`${summaryLine(summary)}\n`);
        } finally {
          progress.stop();
        }
      }),
    );
}
