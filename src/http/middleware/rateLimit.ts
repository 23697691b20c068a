import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { AppEnv } from '../env.js';

/**
 * Fixed-window rate limit per client (API key fingerprint or address), with
 * RateLimit-* headers on every response and Retry-After on 429.
 */
export function rateLimit(limit: number, windowSeconds: number): MiddlewareHandler<AppEnv> {
  if (limit === 0) return async (_c, next) => next();
  return rateLimiter<AppEnv>({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => c.get('client'),
    handler: (c) => {
      const reset = c.get('rateLimit')?.resetTime;
      const retryAfter = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : windowSeconds;
      c.header('Retry-After', String(retryAfter));
      return c.json(
        { error: { code: 'rate_limited', message: `too many requests: at most ${limit} per ${windowSeconds} s; retry after ${retryAfter} s` } },
        429,
      );
    },
  });
}
