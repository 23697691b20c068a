import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { bearerToken } from './auth.js';

export interface ClientOptions {
  apiKeys: readonly string[];
  /** Proxies in front of the server that append to X-Forwarded-For (0: use the connection's address). */
  trustProxy: number;
  peerAddress?: (request: Request, env: unknown) => string | undefined;
}

/** An IPv4 or IPv6 address (with an optional port or brackets removed): what a proxy appends, not free text. */
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]*)$/iu;

/**
 * The client's address as the trusted proxies saw it: each appends the address that connected to it, so with
 * `hops` of them the client is the `hops`-th entry from the right (the leftmost ones are whatever the client sent).
 * Undefined when the header is missing or that entry is not an address.
 */
export function forwardedAddress(header: string | undefined, hops: number): string | undefined {
  if (!header || hops < 1) return undefined;
  const entries = header.split(',').map((s) => s.trim());
  const entry = (entries[Math.max(0, entries.length - hops)] ?? '').replace(/^\[(.*)\](?::\d+)?$/u, '$1').replace(/^(\d+(?:\.\d+){3}):\d+$/u, '$1');
  return ADDRESS.test(entry) ? entry : undefined;
}

/**
 * Names the client for rate limiting and logs: `key#N ip:ADDRESS` (the N-th
 * configured API key, never the key itself) or `ip:ADDRESS`. The address comes from the
 * connection, or, behind trusted proxies, from what they appended to X-Forwarded-For.
 */
export function identifyClient(options: ClientOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = bearerToken(c.req.header('authorization'));
    const keyIndex = bearer ? options.apiKeys.indexOf(bearer) : -1;
    const forwarded = forwardedAddress(c.req.header('x-forwarded-for'), options.trustProxy);
    const address = `ip:${forwarded || options.peerAddress?.(c.req.raw, c.env) || 'unknown'}`;
    // A publishable (widget) key is shared by many visitors: each address using it has its own budget.
    c.set('client', keyIndex >= 0 ? `key#${keyIndex + 1} ${address}` : address);
    await next();
  };
}
