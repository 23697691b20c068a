import { z } from 'zod';
import type { Document, Span } from '../core/types.js';

export const EvalQuestionSchema = z.object({
  id: z.string(),
  question: z.string().min(1),
  lang: z.enum(['zh', 'en']),
  kind: z.enum(['fact', 'procedure', 'multi', 'english', 'out_of_scope']),
  docId: z.string().optional(),
  evidence: z.array(z.string().min(1)).optional(),
  keyFacts: z.array(z.string().min(1)).optional(),
});
export type EvalQuestion = z.infer<typeof EvalQuestionSchema>;

export interface LocatedQuestion extends EvalQuestion {
  /** Evidence located in the canonical text (empty for out-of-scope questions). */
  spans: Span[];
  inScope: boolean;
}

/** Validates the evaluation set and locates every evidence quote in the canonical documents. */
export function locateEvalSet(raw: unknown, documents: Document[]): LocatedQuestion[] {
  const questions = z.array(EvalQuestionSchema).parse(raw);
  const byId = new Map(documents.map((d) => [d.id, d]));
  return questions.map((q) => {
    if (q.kind === 'out_of_scope') return { ...q, spans: [], inScope: false };
    const doc = byId.get(q.docId ?? '');
    if (!doc) throw new Error(`${q.id}: unknown document ${q.docId}`);
    const spans = (q.evidence ?? []).map((e) => {
      const start = doc.text.indexOf(e);
      if (start < 0) throw new Error(`${q.id}: evidence not found in the canonical text of ${doc.id}: ${e}`);
      return { docId: doc.id, start, end: start + e.length };
    });
    if (!spans.length) throw new Error(`${q.id}: in-scope question without evidence`);
    return { ...q, spans, inScope: true };
  });
}

export const overlaps = (a: Span, b: Span) => a.docId === b.docId && a.start < b.end && b.start < a.end;
