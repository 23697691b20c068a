/**
 * The Cloudflare Workers entry: the same Hono app as the Node server, with
 * the corpus bundle and the browser bundles packed in by `npm run build:worker`.
 */
import type { ExecutionContext } from 'hono';
import payload from 'yiju:worker-payload';
import type { YijuApp } from '../http/app.js';
import type { WorkerBindings } from './bindings.js';
import { loadWorkerConfig } from './config.js';
import { createWorkerApp } from './runtime.js';

// One app per isolate and set of bindings, built on the first request (the global scope may not start timers).
const apps = new WeakMap<object, YijuApp>();

function misconfigured(err: unknown): Response {
  const message = err instanceof Error ? err.message : String(err);
  console.error(JSON.stringify({ level: 'error', msg: 'worker failed to start', error: message }));
  return Response.json({ error: { code: 'misconfigured', message } }, { status: 500 });
}

export default {
  fetch(request: Request, env: WorkerBindings, ctx: ExecutionContext): Response | Promise<Response> {
    let app = apps.get(env);
    if (!app) {
      try {
        app = createWorkerApp(loadWorkerConfig(env), env, payload);
      } catch (err) {
        return misconfigured(err);
      }
      apps.set(env, app);
    }
    return app.fetch(request, env, ctx);
  },
};
