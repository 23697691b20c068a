import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks a JSON request body before validation: the media type, strict UTF-8
 * and JSON syntax, each with its own clear error. The parsed body is left in
 * Hono's body cache for the route's validator.
 */
export function jsonBody(): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\b/iu.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'send the body as JSON with "Content-Type: application/json"');
    }
    if (/charset=(?!"?utf-?8"?\s*(?:;|$))/iu.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'the body must be UTF-8 (charset=utf-8)');
    }
    const bytes = await c.req.arrayBuffer();
    let body: string;
    try {
      body = utf8.decode(bytes);
    } catch {
      throw new ApiError(400, 'invalid_utf8', 'the body is not valid UTF-8');
    }
    if (!body.trim()) throw new ApiError(400, 'invalid_json', 'the body is empty; send a JSON object');
    try {
      JSON.parse(body);
    } catch (err) {
      throw new ApiError(400, 'invalid_json', `the body is not valid JSON (${(err as Error).message})`);
    }
    await next();
  };
}
