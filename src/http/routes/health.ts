import { createRoute } from '@hono/zod-openapi';
import { jsonContent, routes, type RouteContext } from '../context.js';
import { HealthSchema } from '../schemas.js';

/** GET /api/health: the index is loaded, what it holds, and how answers are made. Needs no key. */
export function healthRoutes(ctx: RouteContext) {
  const { info } = ctx.deps;
  const route = createRoute({
    method: 'get',
    path: '/api/health',
    tags: ['Service'],
    summary: 'Service status',
    security: [],
    responses: { 200: jsonContent(HealthSchema, 'The service is up and its index is loaded.') },
  });
  return routes().openapi(route, (c) => {
    const building = ctx.deps.indexing?.() ?? null;
    return c.json(
      {
        status: 'ok' as const,
        version: info.version,
        answerMode: info.answerMode,
        ...(info.chatModel ? { chatModel: info.chatModel } : {}),
        embedder: info.embedder,
        retrieval: info.retrieval,
        runtime: info.runtime,
        index: {
          loaded: true as const,
          ...info.counts,
          ...(info.indexBuiltAt ? { builtAt: info.indexBuiltAt } : {}),
          skipped: info.skipped ?? [],
          ...(building ? { building } : {}),
        },
      },
      200,
    );
  });
}
