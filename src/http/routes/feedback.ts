import { createRoute } from '@hono/zod-openapi';
import type { FeedbackRecord } from '../../core/feedback/types.js';
import { errors, jsonContent, routes, type RouteContext } from '../context.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { FeedbackResponseSchema, feedbackBody } from '../schemas.js';

/** POST /api/feedback: 👍/👎 on an answer, stored durably before the response. */
export function feedbackRoutes(ctx: RouteContext) {
  const { options, feedback } = ctx.deps;
  const route = createRoute({
    method: 'post',
    path: '/api/feedback',
    tags: ['Feedback'],
    summary: 'Rate an answer',
    description:
      'Give the `id` of an answer from /api/ask or /api/chat (the server stores the question and answer with the rating while it remembers them), or the question itself.',
    middleware: [jsonBody()] as const,
    request: { body: { required: true, content: { 'application/json': { schema: feedbackBody(options.maxQuestionChars) } } } },
    responses: { 201: jsonContent(FeedbackResponseSchema, 'Stored.'), ...errors.bad, ...errors.auth, ...errors.body },
  });

  return routes().openapi(route, async (c) => {
    const body = c.req.valid('json');
    const known = body.answerId ? ctx.answers.get(body.answerId) : undefined;
    const record: FeedbackRecord = {
      id: ctx.newId('fb'),
      receivedAt: ctx.now().toISOString(),
      rating: body.rating,
      ...(body.answerId ? { answerId: body.answerId } : {}),
      ...((body.question ?? known?.question) ? { question: body.question ?? known?.question } : {}),
      ...(body.comment?.trim() ? { comment: body.comment.trim() } : {}),
      ...(known ? { answer: known.answer } : {}),
    };
    await feedback.append(record);
    c.get('logFields').rating = record.rating;
    return c.json({ id: record.id, stored: true as const }, 201);
  });
}
