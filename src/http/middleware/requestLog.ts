import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import type { Logger } from '../log.js';

/**
 * One structured line per request, written when the response (or its stream)
 * has ended: method, path, status, duration, client, request id, plus fields
 * the route added (answer mode, grounded). Query strings are left out: they
 * may hold questions, which are logged only at debug level when configured.
 */
export function requestLog(logger: Logger, now: () => number = () => performance.now()): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = now();
    c.set('logFields', {});
    await next();
    const write = (extra: Record<string, unknown> = {}) => {
      const status = c.res.status;
      logger.log(status >= 500 ? 'error' : 'info', {
        msg: 'request',
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round((now() - started) * 10) / 10,
        client: c.get('client'),
        ...c.get('logFields'),
        ...extra,
      });
    };
    const streamDone = c.get('streamDone');
    if (streamDone)
      streamDone.then(
        () => write({ stream: true }),
        (err) => write({ stream: true, streamError: String(err) }),
      );
    else write();
  };
}
