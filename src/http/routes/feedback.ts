import { createRoute } from '@hono/zod-openapi';
import { FeedbackNotStoredError, type FeedbackRecord } from '../../core/feedback/types.js';
import { ApiError } from '../errors.js';
import { errors, jsonContent, routes, type RouteContext } from '../context.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { FeedbackResponseSchema, feedbackBody } from '../schemas.js';

/** POST /api/feedback: 👍/👎 on an answer, stored durably before the 201 (507 when it cannot be). */
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
    responses: { 201: jsonContent(FeedbackResponseSchema, 'Stored.'), ...errors.bad, ...errors.auth, ...errors.body, ...errors.storage },
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
    try {
      await feedback.append(record);
    } catch (err) {
      // 201 means the whole record is on disk; when it cannot be, say so (507) rather than a bare 500.
      if (err instanceof FeedbackNotStoredError)
        throw new ApiError(507, err.reason === 'disk_full' ? 'insufficient_storage' : 'storage_failed', err.message.replace(/\s*\n\s*/gu, ' '));
      throw err;
    }
    c.get('logFields').rating = record.rating;
    return c.json({ id: record.id, stored: true as const }, 201);
  });
}
