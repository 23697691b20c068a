import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { bearerToken } from './auth.js';

export interface ClientOptions {
  apiKeys: readonly string[];
  trustProxy: boolean;
  peerAddress?: (request: Request, env: unknown) => string | undefined;
}

/**
 * Names the client for rate limiting and logs: `key#N ip:ADDRESS` (the N-th
 * configured API key, never the key itself) or `ip:ADDRESS`. The address comes from the
 * connection, or from X-Forwarded-For only when the proxy is trusted.
 */
export function identifyClient(options: ClientOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = bearerToken(c.req.header('authorization'));
    const keyIndex = bearer ? options.apiKeys.indexOf(bearer) : -1;
    const forwarded = options.trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
    const address = `ip:${forwarded || options.peerAddress?.(c.req.raw, c.env) || 'unknown'}`;
    // A publishable (widget) key is shared by many visitors: each address using it has its own budget.
    c.set('client', keyIndex >= 0 ? `key#${keyIndex + 1} ${address}` : address);
    await next();
  };
}
