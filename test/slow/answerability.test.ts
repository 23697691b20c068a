/**
 * Answerability on the two blind sets (test/eval/trust-dev.json, tuned on; test/eval/trust.json, held out), with
 * the real model and corpus, as a regression gate: the answers issue's targets that are met today, and today's
 * overall accuracy as a floor. Slow (builds the index with the model): `npm run test:slow` and CI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerResult } from '../../src/core/answer/types.js';
import type { RetrievalResult } from '../../src/core/types.js';
import { loadConfig } from '../../src/node/config.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { locateTrustSet, trustMetrics, type TrustRow } from '../../src/eval/trustSet.js';

let dataDir: string;
let rt: Runtime;
const rows: Record<string, Record<string, TrustRow>> = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'yiju-answerability-'));
  rt = await createRuntime(loadConfig({ ...process.env, YIJU_DATA_DIR: dataDir, YIJU_CORPUS_DIR: 'corpus' }));
  for (const file of ['trust-dev', 'trust']) {
    const questions = locateTrustSet(JSON.parse(readFileSync(`test/eval/${file}.json`, 'utf8')), [...rt.opened.index.documents.values()]);
    const retrievals: RetrievalResult[] = [];
    const answers: AnswerResult[] = [];
    for (const q of questions) {
      retrievals.push(await rt.grounding.retrieve(q.question));
      answers.push(await rt.extractive.answer(q.question));
    }
    rows[file] = trustMetrics(questions, retrievals, answers);
  }
}, 600_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.each(['trust-dev', 'trust'])('answerability on test/eval/%s.json', (file) => {
  it('declines every off-topic question and at least 4 in 5 task requests', () => {
    expect(rows[file]!.off_topic!.answerability).toBe(1);
    expect(rows[file]!.task!.answerability).toBeGreaterThanOrEqual(0.8);
  });

  it('finds the evidence of English questions in the top 5 for at least 3 in 4 (the target)', () => {
    expect(rows[file]!.english!.recallAt5).toBeGreaterThanOrEqual(0.75);
  });

  it('finds the evidence of detail questions first for at least 9 in 10 (the target)', () => {
    expect(rows[file]!.detail!.recallAt1).toBeGreaterThanOrEqual(0.9);
  });

  it("holds today's overall answerability accuracy as a floor", () => {
    expect(rows[file]!.all!.answerability).toBeGreaterThanOrEqual(0.83);
  });

  it("holds today's share of answers whose first line has the key point as a floor (target 0.8)", () => {
    expect(rows[file]!.all!.keyPointFirst).toBeGreaterThanOrEqual(0.63);
  });
});
