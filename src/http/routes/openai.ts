import { createRoute, z } from '@hono/zod-openapi';
import { HISTORY_LIMITS, type AnswerResult, type ChatTurn } from '../../core/answer/types.js';
import { answerPayload, errors, jsonContent, routes, type RouteContext } from '../context.js';
import { ApiError, describeZodError } from '../errors.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { abortableSSE, STREAM_FAILED } from '../sse.js';
import { ChatCompletionSchema, ModelListSchema, TurnSchema, chatCompletionBody, question as questionSchema } from '../schemas.js';

/** The one "model" Yiju offers to OpenAI clients. */
export const MODEL_ID = 'yiju';

type Message = z.infer<ReturnType<typeof chatCompletionBody>>['messages'][number];

const textOf = (m: Message): string =>
  typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? m.content.map((p) => (p.type === 'text' && p.text ? p.text : '')).join('') : '';

const STREAM_DOC = `With \`"stream": true\`: \`chat.completion.chunk\` events as OpenAI sends them, then \`[DONE]\`.
The last chunk (\`finish_reason: "stop"\`) also carries the non-standard \`citations\` and \`yiju\` fields; standard clients ignore them.
System messages are ignored: Yiju's own grounding rules apply. Any \`model\` name is accepted and answered by Yiju.`;

/** POST /v1/chat/completions and GET /v1/models: Yiju as a "model" for OpenAI clients and chat apps. */
export function openaiRoutes(ctx: RouteContext) {
  const { options, answerer, logger } = ctx.deps;
  const ask = questionSchema(options.maxQuestionChars);

  const models = createRoute({
    method: 'get',
    path: '/v1/models',
    tags: ['OpenAI-compatible'],
    summary: 'The models Yiju answers as',
    responses: { 200: jsonContent(ModelListSchema, 'One model, "yiju".'), ...errors.auth },
  });
  const completions = createRoute({
    method: 'post',
    path: '/v1/chat/completions',
    tags: ['OpenAI-compatible'],
    summary: 'Answer the last user message, OpenAI-style (streamed or not)',
    description: STREAM_DOC,
    middleware: [jsonBody()] as const,
    request: { body: { required: true, content: { 'application/json': { schema: chatCompletionBody() } } } },
    responses: {
      200: {
        content: {
          'application/json': { schema: ChatCompletionSchema },
          'text/event-stream': { schema: z.string().openapi({ description: STREAM_DOC }) },
        },
        description: 'A chat completion with the non-standard `citations` and `yiju` fields.',
      },
      ...errors.bad,
      ...errors.auth,
      ...errors.body,
    },
  });

  /** The last message is the question; earlier user and assistant messages are the history. */
  const conversation = (messages: Message[]): { question: string; history: ChatTurn[] } => {
    const last = messages.at(-1)!;
    if (last.role !== 'user') throw new ApiError(400, 'invalid_request', 'messages: the last message must be from the user');
    const parsed = ask.safeParse(textOf(last));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', `messages: ${describeZodError(parsed.error)}`);
    const history = messages
      .slice(0, -1)
      .filter((m) => m.role === 'user' || m.role === 'assistant')
      .map((m) => ({ role: m.role as ChatTurn['role'], content: textOf(m).slice(0, HISTORY_LIMITS.charsPerTurn) }))
      .filter((t) => t.content.trim())
      .slice(-HISTORY_LIMITS.turns);
    // The same rules as /api/ask's history (no control characters, no broken ones); long turns are cut, as chat clients send whole conversations.
    for (const turn of history) {
      const checked = TurnSchema.safeParse(turn);
      if (!checked.success) throw new ApiError(400, 'invalid_request', `messages: ${describeZodError(checked.error)}`);
    }
    return { question: parsed.data, history };
  };

  /** The non-standard fields: the citations, and the rest of the API's answer as `yiju` (its id as `answerId`). */
  const extra = (answerId: string, r: AnswerResult) => {
    const { id, citations, timings: _timings, ...yiju } = answerPayload(answerId, r, 0);
    return { citations, yiju: { ...yiju, answerId: id } };
  };

  return routes()
    .openapi(models, (c) => c.json({ object: 'list' as const, data: [{ id: MODEL_ID, object: 'model' as const, created: 0, owned_by: 'yiju' }] }, 200))
    .openapi(completions, async (c) => {
      const body = c.req.valid('json');
      const { question, history } = conversation(body.messages);
      if (options.logQuestions) c.get('logFields').question = question;
      const completionId = ctx.newId('chatcmpl');
      const created = Math.floor(ctx.now().getTime() / 1000);
      const answerId = ctx.newId('ans');
      const note = (r: AnswerResult) => ctx.recordAnswer(c, answerId, question, r);

      if (!body.stream) {
        const result = await answerer.answer(question, { history, topK: options.topK, signal: c.req.raw.signal });
        note(result);
        return c.json(
          {
            id: completionId,
            object: 'chat.completion' as const,
            created,
            model: MODEL_ID,
            choices: [
              { index: 0, message: { role: 'assistant' as const, content: result.answer, refusal: null }, finish_reason: 'stop' as const, logprobs: null },
            ],
            ...extra(answerId, result),
          },
          200,
        );
      }

      const chunk = (delta: Record<string, unknown>, finish: 'stop' | null = null, more: Record<string, unknown> = {}) =>
        JSON.stringify({
          id: completionId,
          object: 'chat.completion.chunk',
          created,
          model: MODEL_ID,
          choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
          ...more,
        });

      return abortableSSE(
        c,
        async (sse, signal) => {
          let streamed = '';
          await sse.writeSSE({ data: chunk({ role: 'assistant', content: '' }) });
          for await (const event of answerer.stream(question, { history, topK: options.topK, signal })) {
            if (signal.aborted) break;
            if (event.type === 'delta') {
              streamed += event.text;
              await sse.writeSSE({ data: chunk({ content: event.text }) });
            } else if (event.type === 'done') {
              const r = event.result;
              note(r);
              // A fallback replaces a broken model answer: the client has only the streamed text, so append the replacement.
              if (r.answer.trim() && !streamed.trim()) await sse.writeSSE({ data: chunk({ content: r.answer }) });
              else if (r.fallback && r.answer !== streamed) await sse.writeSSE({ data: chunk({ content: `\n\n---\n${r.answer}` }) });
              await sse.writeSSE({ data: chunk({}, 'stop', extra(answerId, r)) });
              await sse.writeSSE({ data: '[DONE]' });
            }
          }
        },
        // OpenAI clients raise an error chunk as an API error.
        (sse) => sse.writeSSE({ data: JSON.stringify({ error: { code: 'internal', type: 'server_error', message: STREAM_FAILED } }) }),
        logger,
      );
    });
}
