import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';

export interface ClientOptions {
  apiKeys: readonly string[];
  trustProxy: boolean;
  peerAddress?: (request: Request, env: unknown) => string | undefined;
}

/**
 * Names the client for rate limiting and logs: `key#N` (the N-th configured
 * API key, never the key itself) or `ip:ADDRESS`. The address comes from the
 * connection, or from X-Forwarded-For only when the proxy is trusted.
 */
export function identifyClient(options: ClientOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = /^Bearer\s+(.+)$/iu.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const keyIndex = bearer ? options.apiKeys.indexOf(bearer) : -1;
    if (keyIndex >= 0) c.set('client', `key#${keyIndex + 1}`);
    else {
      const forwarded = options.trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
      c.set('client', `ip:${forwarded || options.peerAddress?.(c.req.raw, c.env) || 'unknown'}`);
    }
    await next();
  };
}
