import { createRoute } from '@hono/zod-openapi';
import { setMetric } from 'hono/timing';
import type { Context } from 'hono';
import type { RetrievalFilter } from '../../core/types.js';
import { errors, jsonContent, routes, type RouteContext } from '../context.js';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { SearchResponseSchema, searchBody, searchQuery } from '../schemas.js';

/** GET /api/search?q=… and POST /api/search {q, k, filter}: retrieval only, best passages first. */
export function searchRoutes(ctx: RouteContext) {
  const { options, search } = ctx.deps;
  const route = createRoute({
    method: 'get',
    path: '/api/search',
    tags: ['Retrieval'],
    summary: 'The passages that best answer a query (no answer is written)',
    request: { query: searchQuery(options.maxQuestionChars, options.maxTopK, options.topK) },
    responses: { 200: jsonContent(SearchResponseSchema, 'Passages, best first.'), ...errors.bad, ...errors.auth },
  });

  const post = createRoute({
    method: 'post',
    path: '/api/search',
    tags: ['Retrieval'],
    summary: 'The same search with a JSON body (for queries up to the full question length, which a URL cannot carry)',
    middleware: [jsonBody()] as const,
    request: { body: { required: true, content: { 'application/json': { schema: searchBody(options.maxQuestionChars, options.maxTopK) } } } },
    responses: { 200: jsonContent(SearchResponseSchema, 'Passages, best first.'), ...errors.bad, ...errors.auth, ...errors.body },
  });

  const respond = async (c: Context<AppEnv>, q: string, k: number, filter: RetrievalFilter | undefined) => {
    const result = await search(q, k, filter);
    setMetric(c, 'embed', result.timings.embedMs);
    setMetric(c, 'retrieval', result.timings.retrieveMs);
    if (options.logQuestions) c.get('logFields').question = q;
    return {
      results: result.passages.map(({ docId, title, start, end, text, score }) => ({ docId, title, start, end, text, score })),
      inScope: result.relevance.inScope,
      timings: result.timings,
    };
  };

  return routes()
    .openapi(route, async (c) => {
      const { q, k, docIds } = c.req.valid('query');
      return c.json(await respond(c, q, k, ctx.filterOf({ docIds }, 'docIds')), 200);
    })
    .openapi(post, async (c) => {
      const { q, k, filter } = c.req.valid('json');
      return c.json(await respond(c, q, k ?? options.topK, ctx.filterOf(filter, 'filter.docIds')), 200);
    });
}
