import { createRoute, z } from '@hono/zod-openapi';
import type { Document } from '../../core/types.js';
import type { Domain } from '../../core/domain/pack.js';
import { sourceInfo } from '../../core/ingest/sourceInfo.js';
import { errors, jsonContent, routes, type RouteContext } from '../context.js';
import { ApiError } from '../errors.js';
import { DocumentSchema, DocumentSummarySchema, SkippedFileSchema } from '../schemas.js';

/** GET /api/documents and /api/documents/{id}: the speeches, with the canonical text citations point into. */
export function documentRoutes(ctx: RouteContext) {
  const { documents, domain, info } = ctx.deps;
  const describe = (d: Document) => describeDocument(d, domain);
  const list = createRoute({
    method: 'get',
    path: '/api/documents',
    tags: ['Documents'],
    summary: 'List the documents in the corpus',
    responses: {
      200: jsonContent(
        z.object({ documents: z.array(DocumentSummarySchema), skipped: z.array(SkippedFileSchema) }),
        'The documents, by id, and the corpus files not indexed.',
      ),
      ...errors.auth,
    },
  });
  const one = createRoute({
    method: 'get',
    path: '/api/documents/{id}',
    tags: ['Documents'],
    summary: 'One document with its canonical text',
    request: {
      params: z.object({
        id: z
          .string()
          .min(1)
          .max(200)
          .openapi({ param: { name: 'id', in: 'path' }, example: '001_6c5e0d6a1f3b2c47' }),
      }),
    },
    responses: {
      200: jsonContent(DocumentSchema, 'The document. Every citation `start`/`end` is an offset into `text`.'),
      ...errors.bad,
      ...errors.notFound,
      ...errors.auth,
    },
  });

  return routes()
    .openapi(list, (c) =>
      c.json({ documents: [...documents.values()].sort((a, b) => a.id.localeCompare(b.id)).map(describe), skipped: info.skipped ?? [] }, 200),
    )
    .openapi(one, (c) => {
      const { id } = c.req.valid('param');
      const doc = documents.get(id);
      if (!doc) throw new ApiError(404, 'not_found', `no document with id "${id}"; GET /api/documents lists them`);
      return c.json({ ...describe(doc), text: doc.text }, 200);
    });
}

/** A document's id, title, size, metadata as given (front matter or yiju.sources.yaml) and where it was given, with 未注明 where unknown. */
function describeDocument(d: Document, domain: Domain) {
  const { date, place, speaker, source } = d.meta;
  return {
    id: d.id,
    title: d.title,
    chars: d.text.length,
    origin: sourceInfo(d, domain),
    ...(date ? { date } : {}),
    ...(place ? { place } : {}),
    ...(speaker ? { speaker } : {}),
    ...(source ? { source } : {}),
  };
}
