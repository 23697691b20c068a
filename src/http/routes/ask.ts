import { createRoute } from '@hono/zod-openapi';
import { setMetric } from 'hono/timing';
import { answerPayload, errors, jsonContent, routes, type RouteContext } from '../context.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { AnswerSchema, askBody } from '../schemas.js';

/** POST /api/ask: one answer with its citations, as JSON. */
export function askRoutes(ctx: RouteContext) {
  const { options, answerer } = ctx.deps;
  const body = askBody(options);
  const route = createRoute({
    method: 'post',
    path: '/api/ask',
    tags: ['Answers'],
    summary: 'Answer a question, citing the passages used',
    middleware: [jsonBody()] as const,
    request: { body: { required: true, content: { 'application/json': { schema: body } } } },
    responses: {
      200: jsonContent(AnswerSchema, 'The answer. `grounded: false` (with no citations) when the speeches do not answer the question.'),
      ...errors.bad,
      ...errors.auth,
      ...errors.body,
    },
  });

  return routes().openapi(route, async (c) => {
    const { question, history, topK, filter } = c.req.valid('json');
    const started = performance.now();
    const result = await answerer.answer(question, {
      history,
      topK: topK ?? options.topK,
      filter: ctx.filterOf(filter, 'filter.docIds'),
      signal: c.req.raw.signal,
    });
    const totalMs = performance.now() - started;
    const id = ctx.newId('ans');
    ctx.recordAnswer(c, id, question, result);
    setMetric(c, 'retrieval', result.timings?.retrievalMs ?? 0);
    setMetric(c, 'generation', result.timings?.generationMs ?? 0);
    if (options.logQuestions) c.get('logFields').question = question;
    return c.json(answerPayload(id, result, totalMs), 200);
  });
}
