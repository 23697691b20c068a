import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import { ApiError } from '../errors.js';

const MISSING = 'a valid API key is required: send "Authorization: Bearer <key>"';

/** The token of an `Authorization: Bearer <token>` header, if that is what was sent. */
export const bearerToken = (header: string | undefined): string | undefined => /^Bearer[ ]+(\S+)[ ]*$/iu.exec(header ?? '')?.[1];

/**
 * Bearer API keys, compared in constant time. Anything but a matching
 * `Authorization: Bearer <key>` is a 401 that says how to authenticate.
 * With no keys configured the API is open.
 */
export function apiKeys(keys: readonly string[]): MiddlewareHandler {
  if (!keys.length) return async (_c, next) => next();
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError(401, 'unauthorized', MISSING, { 'WWW-Authenticate': 'Bearer realm="yiju"' });
    let valid = false;
    for (const key of keys) if (await timingSafeEqual(key, token)) valid = true;
    if (!valid) throw new ApiError(401, 'unauthorized', 'the API key is not valid', { 'WWW-Authenticate': 'Bearer realm="yiju", error="invalid_token"' });
    await next();
  };
}
