#!/usr/bin/env node
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import type { Config } from '../node/config.js';
import { UserFacingError } from '../core/errors.js';
import { provisionConfiguredModel } from '../node/embedderFactory.js';
import type { RetrievalMode } from '../core/retrieve/retriever.js';
import type { RetrievalFilter } from '../core/types.js';
import { chatModelFor, createRuntime, warmStart, type Runtime, type RuntimeOptions } from '../node/runtime.js';
import type { IndexingStatus } from '../http/deps.js';
import { startServer } from '../node/server.js';
import { buildProgressReporter } from './progress.js';
import { formatAnswer, formatPassages } from './format.js';
import { log, runCli } from './run.js';
import { buildWorkerCommand, pushVectorizeCommand } from './workerCommands.js';

const MODES: RetrievalMode[] = ['hybrid', 'lexical', 'dense', 'rrf'];

const question = (words: string[]) => {
  const q = words.join(' ').trim();
  if (!q) throw new UserFacingError('The question is empty.', 'ask something, e.g. npm run ask -- "初信初访应该怎么处理？"');
  return q;
};

/** Opens the runtime with a progress bar while the index builds. */
async function open(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const progress = buildProgressReporter();
  try {
    return await createRuntime(config, { log: (l) => (progress.stop(), log(l)), onProgress: (p) => progress.onProgress(p), ...options });
  } finally {
    progress.stop();
  }
}

const describeMode = (config: Config, rt: Runtime | null) => {
  const embeddings = rt?.embedder.id ?? config.embedder;
  return (rt?.info.answerMode ?? (chatModelFor(config) ? 'generative' : 'extractive')) === 'extractive'
    ? `offline extractive answers (embeddings: ${embeddings}${config.embedder === 'local' ? ', no API key needed' : ''})`
    : `generative answers with ${config.openai.chatModel} (embeddings: ${embeddings})`;
};

/** `--doc a,b`: a filter of known document ids. */
function docFilter(rt: Runtime, ids: string | undefined): RetrievalFilter | undefined {
  const docIds = ids
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!docIds?.length) return undefined;
  const unknown = docIds.find((id) => !rt.opened.index.documents.has(id));
  if (unknown)
    throw new UserFacingError(
      `--doc: no document "${unknown}" in the corpus.`,
      `use ids from \`npm run search\` or /api/documents (${[...rt.opened.index.documents.keys()].slice(0, 3).join(', ')} …).`,
    );
  return { docIds };
}

const program = new Command('yiju').description('Yiju (依据): grounded answers from speeches on petition work, with the exact passages cited.');

program
  .command('index')
  .description('build the index, or bring it up to date with the corpus')
  .option('--rebuild', 'ignore the stored index and build from scratch')
  .action((opts: { rebuild?: boolean }) =>
    runCli(async (config) => {
      const { opened } = await open(config, { rebuild: opts.rebuild });
      const { manifest, build, buildMs, reason } = opened;
      const counts = `${manifest.counts.documents} documents, ${manifest.counts.chunks} passages, ${manifest.counts.vectors} vectors`;
      if (!build) log(`index is up to date (${counts}) in ${config.dataDir}`);
      else {
        log(`index built in ${(buildMs / 1000).toFixed(1)} s (${reason}): ${counts}`);
        log(
          `  added ${build.added.length}, changed ${build.changed.length}, removed ${build.removed.length}, unchanged ${build.unchanged.length}; embedded ${build.embedded} texts in ${(build.embedMs / 1000).toFixed(1)} s`,
        );
      }
    }),
  );

program
  .command('search')
  .description('print the passages that best answer a question')
  .argument('<question...>', 'the question')
  .option('-k, --top <n>', 'how many passages (default YIJU_TOP_K, at most YIJU_MAX_TOP_K)', (v) => Number(v))
  .option('--mode <mode>', MODES.join(' | '), 'hybrid')
  .option('--json', 'print JSON')
  .option('--doc <ids>', 'search only these documents (ids from `yiju search` output or /api/documents, comma-separated)')
  .action((words: string[], opts: { top?: number; mode: string; json?: boolean; doc?: string }) =>
    runCli(async (config) => {
      if (!MODES.includes(opts.mode as RetrievalMode)) throw new UserFacingError(`Unknown --mode "${opts.mode}".`, `use one of ${MODES.join(', ')}.`);
      const q = question(words);
      const k = opts.top ?? config.retrieval.topK;
      if (!Number.isInteger(k) || k < 1 || k > config.retrieval.maxTopK)
        throw new UserFacingError(`--top must be a whole number from 1 to ${config.retrieval.maxTopK}.`, 'raise YIJU_MAX_TOP_K to allow more.');
      const rt = await open(config, { retriever: { mode: opts.mode as RetrievalMode } });
      const result = await rt.retriever.retrieve(q, k, docFilter(rt, opts.doc));
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatPassages(result));
    }),
  );

program
  .command('ask')
  .description('answer a question with citations (generative when YIJU_CHAT_MODEL is set, else offline extractive)')
  .argument('<question...>', 'the question')
  .option('--json', 'print the answer contract as JSON')
  .option('--doc <ids>', 'answer from these documents only (ids, comma-separated)')
  .action((words: string[], opts: { json?: boolean; doc?: string }) =>
    runCli(async (config) => {
      const q = question(words);
      const rt = await open(config);
      const result = await rt.answerer.answer(q, { topK: config.retrieval.topK, filter: docFilter(rt, opts.doc) });
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatAnswer(result));
    }),
  );

program
  .command('start')
  .description('serve the HTTP API (PORT, default 8787) at once, bringing the index up to date in the background')
  .action(() =>
    runCli(async (config) => {
      // Listening does not wait for indexing: the stored index answers (or, on a first start, /api/health says how
      // far the build is and other requests get 503) while the corpus is indexed in the background.
      let indexing: IndexingStatus | null = null;
      let phase: string | null = null;
      const warm = await warmStart(config, {
        log,
        onProgress: (p) => {
          indexing = p;
          if (p.phase !== phase) log(`index: ${(phase = p.phase)} — ${p.total} items, in the background`);
        },
      });
      const server = await startServer(warm.now, { config, indexing: () => indexing });
      const counts = warm.now?.opened.manifest.counts;
      log(
        `Yiju · ${counts ? `${counts.documents} speeches, ${counts.chunks} passages` : 'no index yet: building it'} · mode: ${describeMode(config, warm.now)}`,
      );
      log(`listening on ${server.url} · chat page: ${server.url}/ · API reference: ${server.url}/api/docs · try:`);
      log(`  curl -s ${server.url}/api/ask -H 'Content-Type: application/json' -d '{"question":"初信初访应该怎么处理？"}'`);
      const stop = (why: string, code = 0) => {
        log(`${why}: finishing in-flight requests…`);
        server.close().then(
          () => process.exit(code),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      warm.update().then(
        (rt) => {
          indexing = null;
          // Served from the next request on (also when nothing changed: it knows which corpus files were skipped).
          server.serve(rt);
          const { build, reason, manifest } = rt.opened;
          log(
            build || !warm.now
              ? `index ready${reason ? ` (${reason})` : ''} · ${manifest.counts.documents} speeches, ${manifest.counts.chunks} passages: now serving it`
              : 'index: up to date with the corpus',
          );
          // The dictionary lexicon (English, traditional characters, pinyin, places) is built once per corpus, in the
          // background, so no user's first question waits for it.
          void rt.lexicon().then(
            () => log('dictionary lexicon ready'),
            (err: Error) => log(`dictionary lexicon unavailable (${err.message}); English is searched through the glossary alone`),
          );
        },
        (err: unknown) => {
          indexing = null;
          log(`index: the build failed: ${err instanceof Error ? err.message : String(err)}`);
          // With nothing to answer from, the server has no purpose: it stops with an error.
          if (!warm.now) stop('index build failed', 1);
        },
      );
    }),
  );

program
  .command('chat')
  .description('answer questions in the terminal (one from the arguments, or interactively)')
  .argument('[question...]', 'a question; without one, Yiju asks for questions until an empty line or Ctrl-D')
  .action((words: string[]) =>
    runCli(async (config) => {
      const rt = await open(config);
      const m = rt.opened.manifest;
      log(`Yiju · ${m.counts.documents} speeches, ${m.counts.chunks} passages · mode: ${describeMode(config, rt)}`);
      const history: { role: 'user' | 'assistant'; content: string }[] = [];
      const answer = async (q: string) => {
        const result = await rt.answerer.answer(q, { history, topK: config.retrieval.topK });
        history.push({ role: 'user', content: q }, { role: 'assistant', content: result.answer });
        process.stdout.write(formatAnswer(result));
      };
      if (words.length) {
        await answer(question(words));
        return;
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: !!process.stdin.isTTY });
      rl.setPrompt('问题> ');
      rl.prompt();
      for await (const line of rl) {
        if (!line.trim()) break;
        await answer(line.trim());
        rl.prompt();
      }
      rl.close();
    }),
  );

program
  .command('model')
  .description('make sure the local embedding model is available (fetches and verifies it if needed)')
  .action(() =>
    runCli(async (config) => {
      const model = await provisionConfiguredModel(config, log);
      log(
        model.source === 'hub'
          ? `model: will be downloaded from the hub (${model.hubId}) on first use into ${model.cacheDir}`
          : `model: ${model.dir} (${model.source}, verified)`,
      );
    }),
  );

program.addCommand(buildWorkerCommand());
program.addCommand(pushVectorizeCommand());

program.parseAsync(process.argv);
