import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import { createRouteContext, validationHook } from './context.js';
import type { AppDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { errorJson, toErrorResponse } from './errors.js';
import { apiKeys } from './middleware/auth.js';
import { bodyLimit } from './middleware/bodyLimit.js';
import { identifyClient } from './middleware/client.js';
import { rateLimit } from './middleware/rateLimit.js';
import { requestLog } from './middleware/requestLog.js';
import { askRoutes } from './routes/ask.js';
import { chatRoutes } from './routes/chat.js';
import { documentRoutes } from './routes/documents.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { openaiRoutes } from './routes/openai.js';
import { renderReference } from './routes/reference.js';
import { searchRoutes } from './routes/search.js';
import { webRoutes } from './routes/web.js';

export const OPENAPI_PATH = '/api/openapi.json';
export const REFERENCE_PATH = '/api/docs';
/** Paths that need no API key and are not rate limited: probes and the API's own description. */
const OPEN_PATHS = new Set(['/api/health', OPENAPI_PATH, REFERENCE_PATH]);
/** The longest client-chosen X-Request-Id kept (a UUID is 36 characters). */
const REQUEST_ID_MAX = 64;

/** Runs `middleware` except on the open paths. */
const guarded =
  (middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> =>
  (c, next) =>
    OPEN_PATHS.has(c.req.path) ? next() : middleware(c, next);

/**
 * The Yiju HTTP app: one Hono app for every runtime. It imports no runtime
 * APIs; the Node server and the Worker pass everything in through `deps`.
 */
export function createApp(deps: AppDeps) {
  const { options, logger } = deps;
  const ctx = createRouteContext(deps);
  const crossOrigin = options.corsOrigins.length > 0;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  // A client's own X-Request-Id is kept only if short and plain ([A-Za-z0-9_=-]); otherwise a UUID is used.
  app.use(requestId({ limitLength: REQUEST_ID_MAX }));
  app.use(requestLog(logger));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        c.json({ error: { code: 'method_not_allowed', message: `${c.req.method} is not allowed here; use ${methods.join(' or ')}` } }, 405, {
          Allow: methods.join(', '),
        }),
    }),
  );
  app.use(identifyClient({ apiKeys: options.apiKeys, trustProxy: options.trustProxy, peerAddress: deps.peerAddress }));
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
      crossOriginResourcePolicy: crossOrigin ? 'cross-origin' : 'same-origin',
      // Pages and the widget script set their own policy and resource policy.
      overwrite: false,
    }),
  );
  if (crossOrigin) {
    const origin = options.corsOrigins.includes('*') ? '*' : options.corsOrigins;
    const policy = cors({
      origin,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['Server-Timing', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Request-Id'],
      maxAge: 600,
    });
    app.use('/api/*', policy);
    app.use('/v1/*', policy);
  }
  // Server-Timing is readable cross-origin only by the origins CORS allows.
  const allowed = (origin: string | undefined) => !!origin && (options.corsOrigins.includes('*') || options.corsOrigins.includes(origin));
  app.use(timing({ crossOrigin: crossOrigin ? (c) => (allowed(c.req.header('origin')) ? c.req.header('origin')! : false) : false }));
  // One limiter (one budget per client) and one key check for both API prefixes.
  const limiter = guarded(rateLimit(options.rateLimit, options.rateWindowSeconds));
  const keyCheck = guarded(apiKeys(options.apiKeys));
  for (const prefix of ['/api/*', '/v1/*']) {
    app.use(prefix, limiter);
    app.use(prefix, keyCheck);
    app.use(prefix, bodyLimit(options.maxBodyBytes));
  }

  app.route('/', askRoutes(ctx));
  app.route('/', chatRoutes(ctx));
  app.route('/', searchRoutes(ctx));
  app.route('/', documentRoutes(ctx));
  app.route('/', feedbackRoutes(ctx));
  app.route('/', openaiRoutes(ctx));
  app.route('/', healthRoutes(ctx));
  app.route('/', webRoutes(ctx, deps.assets));

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Needed only when the server sets YIJU_API_KEYS.',
  });
  const document = () =>
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Yiju (依据) API',
        version: deps.info.version,
        description: deps.domain.ui.description.en,
      },
      security: options.apiKeys.length ? [{ apiKey: [] }] : [],
    });
  let cached: ReturnType<typeof document> | undefined;
  app.get(OPENAPI_PATH, (c) => c.json((cached ??= document())));
  app.get(REFERENCE_PATH, (c) => c.html(renderReference((cached ??= document()) as unknown as Record<string, unknown>, OPENAPI_PATH)));

  app.notFound((c) => errorJson(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}; see ${REFERENCE_PATH}`));
  app.onError((err, c) =>
    toErrorResponse(err, c, (e) => logger.log('error', { msg: 'unhandled error', requestId: c.get('requestId'), error: String((e as Error)?.stack ?? e) })),
  );
  return app;
}

export type YijuApp = ReturnType<typeof createApp>;
