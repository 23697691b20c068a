import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';

/** Per-request values the middleware share with routes. */
export type AppEnv = {
  Variables: RequestIdVariables &
    TimingVariables & {
      /** The API key's short fingerprint or the client address: who is rate limited. */
      client: string;
      /** Extra fields for this request's log line (mode, grounded, question at debug). */
      logFields: Record<string, unknown>;
      /** Set by streaming routes: resolves when the stream has ended, so the log line has the full duration. */
      streamDone?: Promise<void>;
      /** Set by the rate limiter. */
      rateLimit?: { limit: number; remaining: number; resetTime?: Date };
    };
};
