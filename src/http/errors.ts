import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

/** An error the client caused or can act on: sent as `{"error":{"code","message"}}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const errorJson = (c: Context, status: ContentfulStatusCode, code: string, message: string) => c.json({ error: { code, message } }, status);

/** "question: question is empty; topK: …" — each zod issue once, with its field. */
export function describeZodError(error: ZodError): string {
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const path = issue.path.join('.');
    const message = issue.message.startsWith(String(issue.path[0] ?? '\0')) || !path ? issue.message : `${path}: ${issue.message}`;
    seen.add(message);
  }
  return [...seen].join('; ');
}

/** The status logged for a request whose client disconnected before it was answered (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

const isClientAbort = (err: unknown, c: Context) => {
  const e = err as { message?: string; code?: string; name?: string } | undefined;
  return c.req.raw.signal?.aborted === true || e?.message === 'aborted' || e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE';
};

const CODES: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/**
 * The app's onError: known errors keep their status and headers (WWW-Authenticate,
 * Retry-After); a 4xx from Hono's own middleware keeps its status in our shape;
 * anything else is logged and answered with a plain 500 — never a stack.
 */
export function toErrorResponse(err: unknown, c: Context, report: (err: unknown) => void): Response {
  // The client went away while its body was being read: nobody to answer, nothing went wrong here.
  if (isClientAbort(err, c)) return new Response(null, { status: CLIENT_CLOSED_REQUEST });
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return errorJson(c, err.status, err.code, err.message);
  }
  if (err instanceof HTTPException && err.status < 500) {
    return errorJson(c, err.status as ContentfulStatusCode, CODES[err.status] ?? 'bad_request', err.message || err.getResponse().statusText || 'bad request');
  }
  report(err);
  return errorJson(c, 500, 'internal', 'Something went wrong on the server; the error was logged.');
}
