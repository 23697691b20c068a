import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AnswerResult, Citation } from '../core/answer/types.js';
import type { RetrievalFilter } from '../core/types.js';
import type { AppDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { ApiError, describeZodError } from './errors.js';
import { RecentAnswers } from './recentAnswers.js';
import { ErrorSchema } from './schemas.js';

/** What every route module is given. */
export interface RouteContext {
  deps: AppDeps;
  answers: RecentAnswers;
  newId: (prefix: string) => string;
  now: () => Date;
  /** Keeps an answer for feedback under its id and adds its mode (and any fallback) to the request's log line. */
  recordAnswer(c: Context<AppEnv>, id: string, question: string, result: AnswerResult): void;
  /** A request's document filter, checked against the corpus: an unknown id is a 400 naming it. */
  filterOf(filter: RetrievalFilter | undefined, field: string): RetrievalFilter | undefined;
}

export function createRouteContext(deps: AppDeps): RouteContext {
  const id = deps.newId ?? (() => crypto.randomUUID().replaceAll('-', ''));
  const answers = new RecentAnswers();
  return {
    deps,
    answers,
    newId: (prefix) => `${prefix}_${id()}`,
    now: deps.now ?? (() => new Date()),
    recordAnswer(c, answerId, question, result) {
      answers.remember(answerId, question, result);
      Object.assign(c.get('logFields'), {
        mode: result.mode,
        grounded: result.grounded,
        answerable: result.answerable,
        ...(result.fallback ? { fallback: result.fallback } : {}),
      });
    },
    filterOf(filter, field) {
      const unknown = filter?.docIds?.find((id) => !deps.documents.has(id));
      if (unknown !== undefined) throw new ApiError(400, 'invalid_request', `${field}: unknown document "${unknown.slice(0, 200)}"; see /api/documents`);
      return filter?.docIds?.length ? filter : undefined;
    },
  };
}

/** Validation failures become `400 {"error":{"code":"invalid_request",…}}`. */
export const validationHook: Hook<unknown, AppEnv, string, void> = (result) => {
  if (!result.success) throw new ApiError(400, 'invalid_request', describeZodError(result.error));
};

/** A sub-app with the shared validation hook. */
export const routes = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** A citation's client-facing fields. */
export const citationPayload = ({ n, docId, title, start, end, text, score, cite }: Citation) => ({ n, docId, title, start, end, text, score, cite });

/** The API's answer shape: the core contract plus its id and timings (client-facing fields only). */
export function answerPayload(id: string, result: AnswerResult, totalMs: number) {
  return {
    id,
    answer: result.answer,
    mode: result.mode,
    grounded: result.grounded,
    answerable: result.answerable,
    ...(result.reason ? { reason: result.reason } : {}),
    citations: result.citations.map(citationPayload),
    ...(result.unsupported ? { unsupported: result.unsupported } : {}),
    ...(result.fallback ? { fallback: result.fallback } : {}),
    standaloneQuestion: result.standaloneQuestion,
    timings: {
      retrievalMs: result.timings?.retrievalMs ?? 0,
      generationMs: result.timings?.generationMs ?? 0,
      totalMs: Math.round(totalMs * 100) / 100,
    },
  };
}

export const jsonContent = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const error = (description: string) => jsonContent(ErrorSchema, description);

/** The error responses routes declare (all share one shape). */
export const errors = {
  bad: { 400: error('Invalid input: the message names the field and the problem.') },
  auth: { 401: error('Missing or wrong API key (only when keys are configured).'), 429: error('Rate limited; see Retry-After.') },
  body: { 413: error('The body is larger than the limit.'), 415: error('The body is not JSON.') },
  notFound: { 404: error('No such item.') },
  storage: {
    507: error('Not stored: the disk is full (`insufficient_storage`) or the file cannot be written (`storage_failed`). Nothing of the record was kept.'),
  },
} as const;
