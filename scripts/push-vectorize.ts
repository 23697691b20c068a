/**
 * `npm run push:vectorize`: pushes the corpus's vectors to a Cloudflare Vectorize
 * index for the Workers deployment, embedding with Workers AI (default,
 * @cf/baai/bge-m3) or an OpenAI-compatible endpoint. Only new or changed
 * vectors are embedded and upserted; vectors of removed passages are deleted.
 * The state of the last complete push is kept in <YIJU_DATA_DIR>/vectorize/<index>.json.
 *
 * Environment: CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN (permissions "Workers AI: Read"
 * and "Vectorize: Edit"), optional CLOUDFLARE_API_BASE_URL; for --embedder openai:
 * OPENAI_API_KEY, OPENAI_BASE_URL, YIJU_EMBEDDING_MODEL, YIJU_EMBEDDING_DIMENSIONS.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { UserFacingError } from '../src/core/errors.js';
import { progressReporter } from '../src/cli/progress.js';
import { log, runCli } from '../src/cli/run.js';
import {
  DEFAULT_PUSH_BATCH,
  DEFAULT_VECTORIZE_INDEX,
  DEFAULT_WORKERS_AI_MODEL,
  MAX_PUSH_BATCH,
  pushToVectorize,
  type PushProgress,
  type PushSummary,
} from '../src/node/vectorizePush.js';

const positiveInt = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
  return n;
};

const LABELS: Record<PushProgress['phase'], string> = { chunk: 'chunking ', lexical: 'BM25     ', embed: 'embedding', upsert: 'upserting', delete: 'deleting ' };

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

interface Options {
  index: string;
  embedder: 'workers-ai' | 'openai';
  model?: string;
  dimensions?: number;
  batch: number;
  force?: boolean;
  dryRun?: boolean;
}

const program = new Command('push-vectorize')
  .description('push the corpus vectors to a Cloudflare Vectorize index (only what changed since the last push)')
  .option('--index <name>', 'Vectorize index name', DEFAULT_VECTORIZE_INDEX)
  .addOption(new Option('--embedder <kind>', 'embedding service').choices(['workers-ai', 'openai']).default('workers-ai'))
  .option('--model <id>', `embedding model (default ${DEFAULT_WORKERS_AI_MODEL} for workers-ai, YIJU_EMBEDDING_MODEL for openai)`)
  .option('--dimensions <n>', 'embedding size (default: known for Workers AI models, YIJU_EMBEDDING_DIMENSIONS or asked for openai)', positiveInt(4096))
  .option('--batch <n>', `vectors per upsert request (at most ${MAX_PUSH_BATCH})`, positiveInt(MAX_PUSH_BATCH), DEFAULT_PUSH_BATCH)
  .option('--force', 'ignore the push state and re-upsert every vector')
  .option('--dry-run', 'print the plan; embed nothing and write nothing')
  .action((opts: Options) =>
    runCli(async (config) => {
      const accountId = required('CLOUDFLARE_ACCOUNT_ID', 'your account id: dash.cloudflare.com → Workers & Pages → Account details, or `npx wrangler whoami`');
      const apiToken = required('CLOUDFLARE_API_TOKEN', 'create a token at dash.cloudflare.com → My Profile → API Tokens with the permissions "Workers AI: Read" and "Vectorize: Edit"');
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
        if (summary.mutationId) log(`vectorize ${summary.index}: last mutation ${summary.mutationId} (Vectorize applies mutations within seconds to minutes)`);
        process.stdout.write(`${summaryLine(summary)}\n`);
      } finally {
        progress.stop();
      }
    }),
  );

await program.parseAsync(process.argv);
