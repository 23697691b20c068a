import { createRoute } from '@hono/zod-openapi';
import { setMetric } from 'hono/timing';
import { errors, jsonContent, routes, type RouteContext } from '../context.js';
import { SearchResponseSchema, searchQuery } from '../schemas.js';

/** GET /api/search: retrieval only, best passages first. */
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

  return routes().openapi(route, async (c) => {
    const { q, k, docIds } = c.req.valid('query');
    const result = await search(q, k, ctx.filterOf({ docIds }, 'docIds'));
    setMetric(c, 'embed', result.timings.embedMs);
    setMetric(c, 'retrieval', result.timings.retrieveMs);
    if (options.logQuestions) c.get('logFields').question = q;
    return c.json(
      {
        results: result.passages.map(({ docId, title, start, end, text, score }) => ({ docId, title, start, end, text, score })),
        inScope: result.relevance.inScope,
        timings: result.timings,
      },
      200,
    );
  });
}
