import { createRoute, z } from '@hono/zod-openapi';
import { answerPayload, citationPayload, errors, routes, type RouteContext } from '../context.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { askBody } from '../schemas.js';
import { abortableSSE, SSE_HEARTBEAT_MS, STREAM_FAILED } from '../sse.js';

const EVENTS = `Server-sent events, in order:
- \`citations\` \`{"citations":[Citation…]}\`: the passages, numbered as the answer's markers, before any text;
- \`delta\` \`{"text":"…"}\`: answer text as it is written (several);
- \`done\` \`Answer\`: the final answer, the same object /api/ask returns; its \`answer\` replaces the streamed text (verified citations, or a fallback);
- \`error\` \`{"error":{"code","message"}}\`: the answer failed mid-stream (instead of \`done\`).
Closing the connection stops the work on the server.`;

/** POST /api/chat: the answer streamed as server-sent events. */
export function chatRoutes(ctx: RouteContext) {
  const { options, answerer, logger } = ctx.deps;
  const route = createRoute({
    method: 'post',
    path: '/api/chat',
    tags: ['Answers'],
    summary: 'Answer a question as a stream of server-sent events',
    description: EVENTS,
    middleware: [jsonBody()] as const,
    request: { body: { required: true, content: { 'application/json': { schema: askBody(options) } } } },
    responses: {
      200: { content: { 'text/event-stream': { schema: z.string().openapi({ description: EVENTS }) } }, description: 'The answer as server-sent events.' },
      ...errors.bad,
      ...errors.auth,
      ...errors.body,
    },
  });

  return routes().openapi(route, (c) => {
    const { question, history, topK, filter } = c.req.valid('json');
    const only = ctx.filterOf(filter, 'filter.docIds');
    if (options.logQuestions) c.get('logFields').question = question;
    const started = performance.now();
    return abortableSSE(
      c,
      async (sse, signal) => {
        for await (const event of answerer.stream(question, { history, topK: topK ?? options.topK, filter: only, signal })) {
          if (signal.aborted) break;
          if (event.type === 'citations') await sse.writeSSE({ event: 'citations', data: JSON.stringify({ citations: event.citations.map(citationPayload) }) });
          else if (event.type === 'delta') await sse.writeSSE({ event: 'delta', data: JSON.stringify({ text: event.text }) });
          else {
            const id = ctx.newId('ans');
            ctx.recordAnswer(c, id, question, event.result);
            await sse.writeSSE({ event: 'done', data: JSON.stringify(answerPayload(id, event.result, performance.now() - started)) });
          }
        }
      },
      (sse) => sse.writeSSE({ event: 'error', data: JSON.stringify({ error: { code: 'internal', message: STREAM_FAILED } }) }),
      logger,
      { heartbeatMs: SSE_HEARTBEAT_MS },
    );
  });
}
