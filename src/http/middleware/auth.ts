import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';

/**
 * Bearer API keys (constant-time comparison by Hono's bearer-auth). With no
 * keys configured the API is open.
 */
export function apiKeys(keys: readonly string[]): MiddlewareHandler {
  if (!keys.length) return async (_c, next) => next();
  return bearerAuth({ token: [...keys] });
}
