import { expect } from 'vitest';
import type { AnswerEvent, AnswerResult, Citation } from '../../src/core/answer/types.js';
import type { Document } from '../../src/core/types.js';

/** The marker numbers in an answer, in order of appearance ([1], [2] …). */
export const markerNumbers = (answer: string): number[] => [...answer.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1]));

/**
 * The answer contract: every citation is the exact span it claims, every marker in
 * the answer has exactly one citation, and no citation is unused.
 */
export function expectContract(result: AnswerResult, documents: Map<string, Document>): void {
  for (const c of result.citations) {
    const doc = documents.get(c.docId);
    expect(doc, `citation [${c.n}] names an unknown document ${c.docId}`).toBeDefined();
    expect(c.text, `citation [${c.n}] is not document.text.slice(start, end)`).toBe(doc!.text.slice(c.start, c.end));
    expect(c.end).toBeGreaterThan(c.start);
    expect(c.title).toBe(doc!.title);
  }
  const used = new Set(markerNumbers(result.answer));
  for (const n of used)
    expect(
      result.citations.filter((c) => c.n === n),
      `marker [${n}] must have exactly one citation`,
    ).toHaveLength(1);
  for (const c of result.citations) expect(used.has(c.n), `citation [${c.n}] is not used in the answer`).toBe(true);
  // Only single-number markers: "[1,2]" would be a marker no citation answers to.
  expect(result.answer).not.toMatch(/\[\s*\d+\s*[,，、-]\s*\d/u);
  if (result.grounded) expect(result.citations.length).toBeGreaterThan(0);
  else expect(result.citations).toEqual([]);
  // Answerability: grounded is false exactly when answerable is "no"; a reason exactly when not "yes".
  expect(['yes', 'partial', 'no']).toContain(result.answerable);
  expect(result.grounded, 'grounded must be false exactly when answerable is "no"').toBe(result.answerable !== 'no');
  expect(result.reason === undefined, 'a reason exactly when answerable is not "yes"').toBe(result.answerable === 'yes');
}

/** Collects a stream's events. */
export async function collectEvents(stream: AsyncIterable<AnswerEvent>): Promise<AnswerEvent[]> {
  const events: AnswerEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

/** Checks the event order (citations, delta…, done) and returns the parts. */
export function splitEvents(events: AnswerEvent[]): { citations: Citation[]; deltas: string[]; result: AnswerResult } {
  expect(events.length).toBeGreaterThanOrEqual(2);
  expect(events[0]!.type).toBe('citations');
  expect(events.at(-1)!.type).toBe('done');
  const middle = events.slice(1, -1);
  for (const e of middle) expect(e.type).toBe('delta');
  expect(events.filter((e) => e.type === 'citations')).toHaveLength(1);
  expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
  const first = events[0] as Extract<AnswerEvent, { type: 'citations' }>;
  const last = events.at(-1) as Extract<AnswerEvent, { type: 'done' }>;
  return { citations: first.citations, deltas: middle.map((e) => (e as Extract<AnswerEvent, { type: 'delta' }>).text), result: last.result };
}

/** The sentences of a quoted extractive answer body (framing lines and the note left out), without markers. */
export function quotedLines(answer: string, framing: readonly string[]): string[] {
  return answer
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('>') && !framing.includes(l))
    .map((l) =>
      l
        .replace(/^-\s*/u, '')
        // A part of a multi-part answer: "1. the part —— " before its quote.
        .replace(/^\d+\. .+? —— /u, '')
        // The direct answer line: a clause, its marker, then a full stop the answer adds.
        .replace(/\[\d+\]。$/u, '')
        .replace(/\[\d+\]/gu, '')
        .trim(),
    );
}
