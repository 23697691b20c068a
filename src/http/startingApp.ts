import { Hono } from 'hono';
import type { IndexingStatus } from './deps.js';

/** How long a client is asked to wait before trying again while the first index is built. */
const RETRY_AFTER_SECONDS = 5;

/**
 * What the server answers before it has any index to answer from (a first start on a new or large corpus): it is
 * listening, /api/health says the index is being built and how far, and every other request gets 503 with
 * Retry-After and the same progress, in the API's one error shape.
 */
export function createStartingApp(options: { version: string; indexing: () => IndexingStatus | null }) {
  const app = new Hono();
  const progress = () => {
    const s = options.indexing();
    return s
      ? `${s.phase === 'embed' ? 'embedding passages' : s.phase === 'chunk' ? 'reading the documents' : 'building the word index'}: ${s.done} of ${s.total}`
      : 'starting';
  };
  app.get('/api/health', (c) => {
    const building = options.indexing();
    return c.json({
      status: 'starting' as const,
      version: options.version,
      runtime: 'node' as const,
      index: { loaded: false as const, documents: 0, chunks: 0, vectors: 0, skipped: [], ...(building ? { building } : {}) },
    });
  });
  app.all('*', (c) =>
    c.json({ error: { code: 'index_building', message: `The index is being built for the first time (${progress()}); try again shortly.` } }, 503, {
      'Retry-After': String(RETRY_AFTER_SECONDS),
      'Cache-Control': 'no-store',
    }),
  );
  return app;
}
