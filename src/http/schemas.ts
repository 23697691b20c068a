import { z } from '@hono/zod-openapi';
import { ANSWERABILITY, ANSWERABILITY_REASONS, HISTORY_LIMITS } from '../core/answer/types.js';
import type { HttpOptions } from './options.js';

/**
 * The API's request and response shapes. Route definitions use them to
 * validate requests and to generate /api/openapi.json, so the document and
 * the code cannot drift apart.
 */

/** C0 controls other than tab, newline and carriage return; DEL; C1 controls. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
/** Bidirectional embeddings, overrides and isolates: they reorder how the text around them is shown. */
const BIDI_OVERRIDE = /[\u202A-\u202E\u2066-\u2069]/u;
/** A UTF-16 surrogate not part of a pair (JSON can carry one; it is not text). */
const LONE_SURROGATE = /\p{Cs}/u;
/** What shows nothing: spaces, format characters (zero-width, joiners, marks), fillers and blank patterns. */
const INVISIBLE = /[\p{Z}\p{Cf}\s\u115F\u1160\u3164\uFFA0\u2800]/gu;

/** A string field, named in its errors as the client knows it. */
const field = (name: string) => z.string({ error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a string`) });

/** Text a user typed: no control characters, no broken characters. */
const typed = (s: z.ZodString, name: string) =>
  s
    .refine((v) => !CONTROL.test(v), `${name} contains control characters`)
    .refine((v) => !BIDI_OVERRIDE.test(v), `${name} contains bidirectional override characters`)
    .refine((v) => !LONE_SURROGATE.test(v), `${name} contains an invalid character (a lone UTF-16 surrogate)`);

export const text = (name: string, max: number) => typed(field(name).max(max, `${name} is longer than ${max} characters`), name);

/** A question: surrounding whitespace trimmed first, then 1–max characters. `name` is the field as the client knows it. */
export const question = (max: number, name = 'question') =>
  typed(field(name).trim().min(1, `${name} is empty`).max(max, `${name} is longer than ${max} characters`), name)
    .refine((v) => !v || v.replace(INVISIBLE, '').length > 0, `${name} has no visible characters`)
    .openapi({
      description: `The question, in any language (1–${max} characters after trimming).`,
      example: '这项工作应该怎么做？',
    });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({ example: 'question is empty' }),
    }),
  })
  .openapi('Error');

export const TurnSchema = z.object({ role: z.enum(['user', 'assistant']), content: text('history content', HISTORY_LIMITS.charsPerTurn) }).openapi('Turn');

/** Search only some documents: ids from /api/documents. */
export const FilterSchema = z
  .object({ docIds: z.array(z.string().min(1).max(200)).min(1, 'filter.docIds is empty').max(100, 'filter.docIds has more than 100 ids') })
  .openapi('Filter', { description: 'Answer from these documents only (ids from /api/documents).' });

/** `topK` means one thing on every route: passages per answer, YIJU_TOP_K by default, at most YIJU_MAX_TOP_K. */
export const askBody = (options: Pick<HttpOptions, 'maxQuestionChars' | 'maxTopK'>, maxK = options.maxTopK) =>
  z
    .object({
      question: question(options.maxQuestionChars),
      history: z
        .array(TurnSchema)
        .max(HISTORY_LIMITS.turns, `history has more than ${HISTORY_LIMITS.turns} turns`)
        .optional()
        .openapi({ description: 'Earlier turns of the conversation, oldest first (for follow-up questions).' }),
      filter: FilterSchema.optional(),
      topK: z
        .number()
        .int('topK must be a whole number')
        .min(1, 'topK must be at least 1')
        .max(maxK, `topK must be at most ${maxK}`)
        .optional()
        .openapi({ description: `Passages to retrieve (1–${maxK}; default YIJU_TOP_K).` }),
    })
    .openapi('AskRequest');

export const CitationSchema = z
  .object({
    n: z.number().int().openapi({ description: 'The marker [n] in the answer.' }),
    docId: z.string(),
    title: z.string(),
    start: z.number().int().openapi({ description: 'UTF-16 offset into the document text.' }),
    end: z.number().int(),
    text: z.string().openapi({ description: 'Exactly document.text.slice(start, end).' }),
    score: z.number(),
    cite: z.string().openapi({
      description: 'A copy-ready reference to the document, from its source metadata: 据《…》（市级会议）.',
    }),
  })
  .openapi('Citation');

export const TimingsSchema = z
  .object({
    retrievalMs: z.number(),
    generationMs: z.number(),
    totalMs: z.number(),
  })
  .openapi('Timings');

export const AnswerableSchema = z
  .enum(ANSWERABILITY)
  .openapi({ description: 'Whether the documents answer the question: "yes", "partial" (what they say, and what they do not) or "no".' });
export const ReasonSchema = z.enum(ANSWERABILITY_REASONS).openapi({
  description:
    "Why not fully: off_topic (not about the documents' subject), not_in_corpus, detail_not_given, constraint_mismatch (year, level, place or speech), task_not_supported (a request to write, translate, role-play or get round the process).",
});

export const AnswerSchema = z
  .object({
    id: z.string().openapi({ description: 'Answer id, for /api/feedback.' }),
    answer: z.string().openapi({ description: 'Markdown with inline markers [1], [2] …' }),
    mode: z.enum(['extractive', 'generative']),
    grounded: z.boolean().openapi({ description: 'false when the documents do not answer the question (exactly when answerable is "no").' }),
    answerable: AnswerableSchema,
    reason: ReasonSchema.optional(),
    citations: z.array(CitationSchema),
    unsupported: z.array(z.string()).optional().openapi({ description: 'Generated sentences no passage supports.' }),
    fallback: z.string().optional().openapi({ description: 'Why the generative mode answered extractively.' }),
    standaloneQuestion: z.string().openapi({ description: 'The question retrieval used (follow-ups rewritten).' }),
    timings: TimingsSchema,
  })
  .openapi('Answer');

export const SearchResultSchema = z
  .object({ docId: z.string(), title: z.string(), start: z.number().int(), end: z.number().int(), text: z.string(), score: z.number() })
  .openapi('SearchResult');

export const searchQuery = (maxQuestion: number, maxK: number, defaultK: number) =>
  z.object({
    q: question(maxQuestion, 'q').openapi({ param: { name: 'q', in: 'query' }, description: 'The query or question.' }),
    k: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') return defaultK;
        const n = Number(v);
        if (!/^\d+$/u.test(v) || n < 1 || n > maxK) {
          ctx.addIssue({ code: 'custom', message: `k must be a whole number from 1 to ${maxK}` });
          return z.NEVER;
        }
        return n;
      })
      .openapi({ param: { name: 'k', in: 'query' }, description: `Results to return (1–${maxK}, default ${defaultK}).`, type: 'integer' }),
    docIds: z
      .string()
      .max(20_000)
      .optional()
      .transform((v) =>
        v
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
      )
      .openapi({
        param: { name: 'docIds', in: 'query' },
        description: 'Search only these documents: ids from /api/documents, comma-separated.',
        type: 'string',
      }),
  });

/** POST /api/search's body: the same query as GET, for queries longer than a URL carries (a 2,000-character question is 18 KB percent-encoded). */
export const searchBody = (maxQuestion: number, maxK: number) =>
  z
    .object({
      q: question(maxQuestion, 'q'),
      k: z
        .number({ error: 'k must be a number' })
        .int('k must be a whole number')
        .min(1, `k must be a whole number from 1 to ${maxK}`)
        .max(maxK, `k must be a whole number from 1 to ${maxK}`)
        .optional()
        .openapi({ description: `Results to return (1–${maxK}; default YIJU_TOP_K).` }),
      filter: FilterSchema.optional(),
    })
    .openapi('SearchRequest');

export const SearchResponseSchema = z
  .object({
    results: z.array(SearchResultSchema),
    inScope: z.boolean().openapi({ description: 'Whether the speeches seem to answer the query at all.' }),
    timings: z.object({ embedMs: z.number(), retrieveMs: z.number() }),
  })
  .openapi('SearchResponse');

export const DocumentSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    chars: z.number().int().openapi({ description: 'Length of the canonical text in UTF-16 code units.' }),
    origin: z
      .object({
        meeting: z.string(),
        level: z.string(),
        place: z.string(),
        speaker: z.string(),
        date: z.string(),
        cite: z.string().openapi({ description: 'A copy-ready reference: 据《…》（市级会议）.' }),
      })
      .openapi({ description: 'Where the speech was given, from its metadata or its own text; 未注明 where neither says.' }),
    date: z.string().optional(),
    place: z.string().optional(),
    speaker: z.string().optional(),
    source: z.string().optional(),
  })
  .openapi('DocumentSummary');

export const DocumentSchema = DocumentSummarySchema.extend({
  text: z.string().openapi({ description: 'The canonical text every citation offset refers to.' }),
}).openapi('Document');

export const feedbackBody = (maxQuestion: number) =>
  z
    .object({
      answerId: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[\w-]+$/, 'answerId must be an id from an answer')
        .optional(),
      question: question(maxQuestion).optional(),
      rating: z.enum(['up', 'down'], { error: 'rating must be "up" or "down"' }),
      comment: text('comment', 2000).optional(),
    })
    .refine((b) => b.answerId || b.question, { message: 'give answerId or question', path: ['answerId'] })
    .openapi('FeedbackRequest');

export const FeedbackResponseSchema = z.object({ id: z.string(), stored: z.literal(true) }).openapi('FeedbackResponse');

export const SkippedFileSchema = z
  .object({ file: z.string(), reason: z.string() })
  .openapi('SkippedFile', { description: 'A corpus file that was not indexed (not text, bad front matter, a duplicate id), and why.' });

export const IndexingSchema = z
  .object({ phase: z.enum(['chunk', 'embed', 'lexical']), done: z.number().int(), total: z.number().int() })
  .openapi('Indexing', { description: 'A background index build: its phase and how far it is (passages).' });

export const HealthSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    answerMode: z.enum(['extractive', 'generative']),
    chatModel: z.string().optional(),
    embedder: z.string(),
    /** hybrid: BM25 fused with embeddings; lexical: BM25 alone (a Worker's bundled index). */
    retrieval: z.enum(['hybrid', 'lexical']).optional(),
    runtime: z.enum(['node', 'workers']).optional(),
    index: z.object({
      loaded: z.literal(true),
      documents: z.number().int(),
      chunks: z.number().int(),
      vectors: z.number().int(),
      builtAt: z.string().optional(),
      skipped: z.array(SkippedFileSchema).openapi({ description: 'Corpus files not indexed, and why (the rest are served).' }),
      building: IndexingSchema.optional().openapi({
        description: 'Present while the index is brought up to date in the background; answers come from the index as it was until it is done.',
      }),
    }),
  })
  .openapi('Health');

// OpenAI-compatible shapes: the subset Yiju reads and writes. Unknown request fields are accepted and ignored.
const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
export const OpenAIMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

export const chatCompletionBody = () =>
  z
    .looseObject({
      model: z.string({ error: (i) => (i.input === undefined ? 'model is required' : 'model must be a string') }).max(200),
      messages: z.array(OpenAIMessageSchema).min(1, 'messages is empty').max(100, 'messages has more than 100 entries'),
      stream: z.boolean().optional(),
    })
    .openapi('ChatCompletionRequest');

export const YijuExtraSchema = z
  .object({
    mode: z.enum(['extractive', 'generative']),
    grounded: z.boolean(),
    answerable: AnswerableSchema,
    reason: ReasonSchema.optional(),
    answer: z.string().openapi({ description: 'The final, verified answer (the streamed text may differ in generative mode).' }),
    unsupported: z.array(z.string()).optional(),
    fallback: z.string().optional(),
    standaloneQuestion: z.string(),
    answerId: z.string(),
  })
  .openapi('YijuExtra');

export const ChatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
        finish_reason: z.literal('stop'),
        logprobs: z.null(),
      }),
    ),
    citations: z.array(CitationSchema).openapi({ description: 'Non-standard: the passages the answer cites.' }),
    yiju: YijuExtraSchema,
  })
  .openapi('ChatCompletion');

export const ModelListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
  })
  .openapi('ModelList');
