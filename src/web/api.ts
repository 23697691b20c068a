import { createParser } from 'eventsource-parser';
import type { AnswerResult, ChatTurn, Citation } from '../core/answer/types.js';

export type { Citation };
export type Turn = ChatTurn;
/** The `done` event and /api/ask's body: the answer contract with its id (timings left out here). */
export type Answer = Omit<AnswerResult, 'timings'> & { id: string };

export type FailureKind = 'network' | 'timeout' | 'rate_limited' | 'unauthorized' | 'bad_request' | 'server' | 'aborted';

/** A chat gives up when this long passes with no byte from the server (the page's default; the widget's data-timeout). */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Why a request failed, in terms the UI can put into words. */
export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export interface ApiClient {
  /** Streams an answer; a server silent for `timeoutMs` (no response, then no byte) is a `timeout` failure. */
  chat(
    question: string,
    history: Turn[],
    handlers: { onCitations(c: Citation[]): void; onDelta(text: string): void },
    signal: AbortSignal,
    timeoutMs?: number,
  ): Promise<Answer>;
  /** A vote on an answer; the question is sent too, for a server that no longer remembers the answer (restarted). */
  feedback(answerId: string, rating: 'up' | 'down', comment?: string, question?: string): Promise<void>;
  /** Example questions and the corpus' own words for the chat (title, greeting, placeholder). */
  suggestions(): Promise<Suggestions>;
}

async function failureOf(res: Response): Promise<ApiFailure> {
  let message = res.statusText;
  try {
    message = ((await res.json()) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // not JSON
  }
  if (res.status === 429) return new ApiFailure('rate_limited', message, Number(res.headers.get('Retry-After')) || 30);
  if (res.status === 401) return new ApiFailure('unauthorized', message);
  if (res.status >= 400 && res.status < 500) return new ApiFailure('bad_request', message);
  return new ApiFailure('server', message);
}

/** What /api/suggestions says: example questions and the chat's words in the corpus' domain. */
export interface Suggestions {
  questions: string[];
  /** Per UI language. */
  ui?: Record<'zh' | 'en', { title: string; greeting: string; placeholder: string }>;
  /** What the chat answers from: the answer mode and (the first of) the documents, with how many there are. */
  corpus?: { mode: 'extractive' | 'generative'; documents: { id: string; title: string; cite: string }[]; total: number };
}

/** The Yiju HTTP API as the chat UI uses it: /api/chat (SSE), /api/feedback, /api/suggestions. */
export function createApiClient(base: string, apiKey?: string): ApiClient {
  const root = base.replace(/\/+$/u, '');
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'Content-Type': 'application/json' } : {}),
    ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
  });
  const request = async (path: string, init: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, init);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw new ApiFailure('aborted', 'aborted');
      throw new ApiFailure('network', String((err as Error).message ?? err));
    }
    if (!res.ok) throw await failureOf(res);
    return res;
  };

  return {
    async chat(question, history, handlers, signal, timeoutMs = DEFAULT_TIMEOUT_MS) {
      // The request is aborted by the reader's Stop (signal) or by silence: no response, then no byte, for timeoutMs.
      // (One controller for both, not AbortSignal.any, which older office browsers lack.)
      const controller = new AbortController();
      const both = controller.signal;
      const onStop = () => controller.abort();
      if (signal.aborted) onStop();
      else signal.addEventListener('abort', onStop, { once: true });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const wait = () => {
        clearTimeout(timer);
        timer = setTimeout(onStop, timeoutMs);
      };
      const stopped = () => new ApiFailure(signal.aborted ? 'aborted' : 'timeout', signal.aborted ? 'aborted' : `no reply for ${timeoutMs} ms`);
      wait();
      try {
        let res: Response;
        try {
          res = await request('/api/chat', { method: 'POST', headers: headers(true), body: JSON.stringify({ question, history }), signal: both });
        } catch (err) {
          throw err instanceof ApiFailure && err.kind === 'aborted' ? stopped() : err;
        }
        let done: Answer | null = null;
        let failed: ApiFailure | null = null;
        const parser = createParser({
          onEvent(e) {
            const data = JSON.parse(e.data) as Record<string, unknown>;
            if (e.event === 'citations') handlers.onCitations(data.citations as Citation[]);
            else if (e.event === 'delta') handlers.onDelta(data.text as string);
            else if (e.event === 'done') done = data as unknown as Answer;
            else if (e.event === 'error') failed = new ApiFailure('server', (data.error as { message: string }).message);
          },
        });
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        try {
          for (;;) {
            wait();
            const { value, done: end } = await reader.read();
            if (end) break;
            parser.feed(value);
          }
        } catch (err) {
          if (both.aborted) throw stopped();
          throw new ApiFailure('network', String((err as Error).message ?? err));
        }
        if (failed) throw failed;
        if (!done) throw both.aborted ? stopped() : new ApiFailure('network', 'the answer stream ended early');
        return done;
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onStop);
      }
    },
    async feedback(answerId, rating, comment, question) {
      const body = { answerId, rating, ...(comment ? { comment } : {}), ...(question ? { question } : {}) };
      await request('/api/feedback', { method: 'POST', headers: headers(true), body: JSON.stringify(body) });
    },
    async suggestions() {
      const res = await request('/api/suggestions', { headers: headers(false) });
      return (await res.json()) as Suggestions;
    },
  };
}
