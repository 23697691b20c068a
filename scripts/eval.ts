/**
 * `npm run eval`: retrieval quality on the project's evaluation sets
 * (test/eval/questions.json, test/eval/holdout.json) for plain BM25, plain
 * dense, plain RRF and Yiju's hybrid retrieval.
 * Also the answerability sets, per category: test/eval/trust-dev.json and trust-dev2.json (used while tuning;
 * --verbose lists their misses) and test/eval/trust.json (held out: never tuned on, its misses are never listed).
 * Options: --json (machine-readable), --verbose (list misses), --save (also write
 * bench/results/eval.json, which the docs' evaluation tables are rendered from).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { RetrievalMode } from '../src/core/retrieve/retriever.js';
import type { RetrievalResult } from '../src/core/types.js';
import type { AnswerResult } from '../src/core/answer/types.js';
import { locateEvalSet } from '../src/eval/evalSet.js';
import { answerMetrics, type AnswerMetrics } from '../src/eval/answerMetrics.js';
import { retrievalMetrics, type RetrievalMetrics } from '../src/eval/retrievalMetrics.js';
import { firstLine, locateTrustSet, TRUST_CATEGORIES, trustMetrics, type TrustRow } from '../src/eval/trustSet.js';
import { log, runCli } from '../src/cli/run.js';
import { createRuntime, type Runtime } from '../src/node/runtime.js';

const args = new Set(process.argv.slice(2));

const SETS = {
  questions: 'development set, used while tuning',
  holdout: 'held-out set, written separately and never tuned on',
};

/** The answerability sets: both written blind, by authors who saw neither the code nor the other sets. */
const TRUST_SETS = {
  'trust-dev': { key: 'trustDev', label: 'answerability development set, written blind, used while tuning' },
  'trust-dev2': { key: 'trustDev2', label: 'second answerability development set (near-domain, constraints, adversarial), written blind, used while tuning' },
  trust: { key: 'trust', label: 'answerability set, written blind, never tuned on' },
};

async function evaluate(rt: Runtime, file: string) {
  const questions = locateEvalSet(JSON.parse(readFileSync(new URL(`../test/eval/${file}.json`, import.meta.url), 'utf8')), [
    ...rt.opened.index.documents.values(),
  ]);
  const rows: Record<string, RetrievalMetrics> = {};
  for (const mode of ['lexical', 'dense', 'rrf', 'hybrid'] as RetrievalMode[]) {
    const retriever = rt.withRetriever({ mode });
    const results = [];
    for (const q of questions) results.push(await retriever.retrieve(q.question, 5));
    rows[mode] = retrievalMetrics(questions, results);
  }
  const answers = [];
  for (const q of questions) answers.push(await rt.extractive.answer(q.question));
  const answersRow = answerMetrics(questions, answers, (id) => rt.opened.index.documents.get(id)?.text);
  return { questions, rows, answers: answersRow };
}

await runCli(async (config) => {
  const rt = await createRuntime(config, { log });
  const all: Record<string, unknown> = {};
  for (const [file, label] of Object.entries(SETS)) {
    const { questions, rows, answers } = await evaluate(rt, file);
    all[file] = { ...rows, answers };
    if (!args.has('--json')) {
      print(`test/eval/${file}.json — ${label}`, questions.length, rows);
      printAnswers(answers);
    }
  }
  for (const [file, { key, label }] of Object.entries(TRUST_SETS)) {
    const { rows, misses } = await evaluateTrust(rt, file);
    all[key] = rows;
    if (!args.has('--json')) {
      printTrust(`test/eval/${file}.json — ${label}`, rows);
      if (args.has('--verbose') && key !== 'trust') process.stdout.write(`\nmisses:\n${misses.join('\n')}\n`);
    }
  }
  if (args.has('--json')) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  if (args.has('--save')) writeFileSync(new URL('../bench/results/eval.json', import.meta.url), `${JSON.stringify(all, null, 2)}\n`);
});

/** An answerability set: per category, retrieval, answerability against the labels, refusals, key point first. */
async function evaluateTrust(rt: Runtime, file: string): Promise<{ rows: Record<string, TrustRow>; misses: string[] }> {
  const questions = locateTrustSet(JSON.parse(readFileSync(new URL(`../test/eval/${file}.json`, import.meta.url), 'utf8')), [
    ...rt.opened.index.documents.values(),
  ]);
  const retrievals: RetrievalResult[] = [];
  const answers: AnswerResult[] = [];
  for (const q of questions) {
    retrievals.push(await rt.grounding.retrieve(q.question));
    answers.push(await rt.extractive.answer(q.question));
  }
  const misses = questions.flatMap((q, i) => {
    const a = answers[i]!;
    const got = `${a.answerable}${a.reason ? `/${a.reason}` : ''}`;
    const want = `${q.answerable}${q.reason ? `/${q.reason}` : ''}`;
    const top = retrievals[i]!.passages[0];
    const line = firstLine(a.answer).slice(0, 60);
    const wrongDoc = q.doc && top?.docId !== q.doc;
    const noKey = q.answerable === 'yes' && q.keyPoint && !firstLine(a.answer).includes(q.keyPoint);
    return got !== want || wrongDoc || noKey
      ? [
          `${q.id} [${q.category}] ${q.question}\n    want ${want}${q.keyPoint ? ` «${q.keyPoint}»` : ''} in ${q.doc ?? '-'}; got ${got} top ${top?.docId ?? '-'}: ${line}`,
        ]
      : [];
  });
  return { rows: trustMetrics(questions, retrievals, answers), misses };
}

function printTrust(heading: string, rows: Record<string, TrustRow>) {
  const f = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(3));
  const pct = (x: number, n: number) => (n ? `${(100 * x).toFixed(0)} % of ${n}` : '—');
  process.stdout.write(
    `\n${heading}: ${rows.all!.questions} questions\n\n| category | questions | recall@1 | recall@5 | answerability accuracy | answerable refused | key point in the first line |\n|---|---|---|---|---|---|---|\n`,
  );
  for (const [name, r] of Object.entries(rows).sort(([a], [b]) =>
    a === 'all' ? 1 : b === 'all' ? -1 : TRUST_CATEGORIES.indexOf(a as never) - TRUST_CATEGORIES.indexOf(b as never),
  )) {
    process.stdout.write(
      `| ${name} | ${r.questions} | ${f(r.recallAt1)} | ${f(r.recallAt5)} | ${f(r.answerability)} | ${r.answerableRefused} | ${pct(r.keyPointFirst, r.keyPointTotal)} |\n`,
    );
  }
}

function print(heading: string, total: number, rows: Record<string, RetrievalMetrics>) {
  const names: Record<string, string> = {
    lexical: 'BM25 + jieba',
    dense: 'dense (bge-small-zh, passages)',
    rrf: 'RRF of BM25 and dense',
    hybrid: 'Yiju hybrid',
  };
  const pct = (x: number) => x.toFixed(3);
  const inScope = rows.hybrid!.questions;
  process.stdout.write(`\n${heading}: ${total} questions (${inScope} answerable, ${total - inScope} out of scope)\n\n`);
  process.stdout.write('| method | recall@1 | recall@5 | MRR | out-of-scope detected | in-scope rejected |\n|---|---|---|---|---|---|\n');
  for (const [mode, m] of Object.entries(rows)) {
    process.stdout.write(
      `| ${names[mode]} | ${pct(m.recallAt1)} | ${pct(m.recallAt5)} | ${pct(m.mrr)} | ${m.outOfScopeDetected}/${m.outOfScopeTotal} | ${m.inScopeRejected} |\n`,
    );
  }
  if (args.has('--verbose')) {
    for (const [mode, m] of Object.entries(rows)) process.stdout.write(`\n${mode} misses: ${m.misses.map((x) => `${x.id}@${x.rank ?? '-'}`).join(' ')}\n`);
  }
}

function printAnswers(m: AnswerMetrics) {
  process.stdout.write(
    `\nExtractive answers: key facts present ${(100 * m.keyFactRecall).toFixed(1)} % of ${m.keyFactsTotal} (a key fact in the first line: ${(100 * m.keyFactFirstLine).toFixed(0)} %); out of scope not presented as answered ${m.refusedOutOfScope}/${m.outOfScopeTotal}; answerable refused ${m.refusedInScope}, answered in part ${m.partialInScope}; citations not matching their span: ${m.badCitations}\n`,
  );
  if (args.has('--verbose')) process.stdout.write(`missing key facts: ${m.missingFacts.map((x) => `${x.id}(${x.facts.join('、')})`).join(' ')}\n`);
}
