#!/usr/bin/env node
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { provisionModel } from '../adapters/models/provision.js';
import type { RetrievalMode } from '../core/retrieve/retriever.js';
import { createRuntime } from '../node/runtime.js';
import { buildProgressReporter } from './progress.js';
import { formatAnswer, formatPassages } from './format.js';
import { log, runCli } from './run.js';

const positiveInt = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
  return n;
};

const program = new Command('yiju').description('Yiju (依据): grounded answers from speeches on petition work, with the exact passages cited.');

program
  .command('index')
  .description('build the index, or bring it up to date with the corpus')
  .option('--rebuild', 'ignore the stored index and build from scratch')
  .action((opts: { rebuild?: boolean }) =>
    runCli(async (config) => {
      const progress = buildProgressReporter();
      const rt = await createRuntime(config, { rebuild: opts.rebuild, log, onProgress: (p) => progress.onProgress(p) });
      progress.stop();
      const { manifest, build, buildMs, reason } = rt.opened;
      const counts = `${manifest.counts.documents} documents, ${manifest.counts.chunks} passages, ${manifest.counts.vectors} vectors`;
      if (!build) log(`index is up to date (${counts}) in ${config.dataDir}`);
      else {
        log(`index built in ${(buildMs / 1000).toFixed(1)} s (${reason}): ${counts}`);
        log(`  added ${build.added.length}, changed ${build.changed.length}, removed ${build.removed.length}, unchanged ${build.unchanged.length}; embedded ${build.embedded} texts in ${(build.embedMs / 1000).toFixed(1)} s`);
      }
    }),
  );

program
  .command('search')
  .description('print the passages that best answer a question')
  .argument('<question...>', 'the question')
  .option('-k, --top <n>', 'how many passages', positiveInt(50), 5)
  .option('--mode <mode>', 'hybrid | lexical | dense', 'hybrid')
  .option('--json', 'print JSON')
  .action((words: string[], opts: { top: number; mode: string; json?: boolean }) =>
    runCli(async (config) => {
      if (!['hybrid', 'lexical', 'dense'].includes(opts.mode)) throw new InvalidArgumentError('--mode must be hybrid, lexical or dense');
      const question = words.join(' ').trim();
      const progress = buildProgressReporter();
      const rt = await createRuntime(config, { log, onProgress: (p) => progress.onProgress(p), retriever: { mode: opts.mode as RetrievalMode } });
      progress.stop();
      const result = await rt.retriever.retrieve(question, opts.top);
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatPassages(result));
    }),
  );

program
  .command('start')
  .description('build the index if needed, then answer questions (one from the arguments, or interactively)')
  .argument('[question...]', 'a question; without one, Yiju asks for questions until an empty line or Ctrl-D')
  .option('-k, --top <n>', 'how many passages', positiveInt(50), 3)
  .action((words: string[], opts: { top: number }) =>
    runCli(async (config) => {
      const progress = buildProgressReporter();
      const rt = await createRuntime(config, { log, onProgress: (p) => progress.onProgress(p) });
      progress.stop();
      const m = rt.opened.manifest;
      log(`Yiju · ${m.counts.documents} speeches, ${m.counts.chunks} passages · mode: offline retrieval (${rt.embedder.id} + BM25), no API key needed`);
      const answer = async (q: string) => process.stdout.write(formatPassages(await rt.retriever.retrieve(q, opts.top)));
      if (words.length) {
        await answer(words.join(' '));
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
  .command('ask')
  .description('answer a question with citations (generative when YIJU_CHAT_MODEL is set, else offline extractive)')
  .argument('<question...>', 'the question')
  .option('--json', 'print the answer contract as JSON')
  .action((words: string[], opts: { json?: boolean }) =>
    runCli(async (config) => {
      const progress = buildProgressReporter();
      const rt = await createRuntime(config, { log, onProgress: (p) => progress.onProgress(p) });
      progress.stop();
      const result = await rt.answerer.answer(words.join(' ').trim());
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatAnswer(result));
    }),
  );

program
  .command('model')
  .description('make sure the local embedding model is available (fetches and verifies it if needed)')
  .action(() =>
    runCli(async (config) => {
      const model = await provisionModel({ modelDir: config.model.dir, cacheDir: config.model.cacheDir, allowRemote: config.model.allowRemote, log });
      log(model.source === 'hub' ? `model: will be downloaded from the hub (${model.hubId}) on first use into ${model.cacheDir}` : `model: ${model.dir} (${model.source}, verified)`);
    }),
  );

program.parseAsync(process.argv);
