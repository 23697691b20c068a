import { ApiFailure, createApiClient, DEFAULT_TIMEOUT_MS, type Answer, type ApiClient, type Citation, type Suggestions, type Turn } from './api.js';
import { strictlyInside } from '../core/types.js';
import { h } from './dom.js';
import { answerActions } from './answerActions.js';
import { conversationStore, type SavedExchange } from './conversationStore.js';
import { renderMarkdown } from './markdown.js';
import { plainText, splitModeNote } from './plainText.js';
import type { Strings } from './strings.js';

export interface ChatOptions {
  /** Where the API is (the Yiju host). */
  apiBase: string;
  /** A publishable API key, when the server requires one. */
  apiKey?: string;
  strings: Strings;
  title?: string;
  greeting?: string;
  placeholder?: string;
  /** Example questions; fetched from the server's suggestions when not given. */
  examples?: string[];
  /** Adds a close button (the widget). */
  onClose?: () => void;
  /** The title's heading level: h1 on a page of its own, h2 inside a host page (the widget). */
  heading?: 'h1' | 'h2';
  /** How long a silent server is waited for before the answer is given up, said in words, with a retry (ms). */
  timeoutMs?: number;
  client?: ApiClient;
}

/**
 * Link to the source viewer, with every span of that document cited in the answer, in the order of the citations,
 * with their numbers (`#c=s-e,s-e&n=1,3&i=k&via=chat`, k: the one clicked).
 */
export function viewerLink(apiBase: string, citation: Citation, all: Citation[]): string {
  // A citation inside another of the same document (the direct answer line is a clause of a quoted sentence)
  // is shown as the sentence that holds it, under the first number that cites it.
  const inside = strictlyInside;
  const same = all.filter((c) => c.docId === citation.docId).sort((a, b) => a.n - b.n);
  const outer = same.filter((c) => !same.some((o) => inside(c, o)));
  const firstNumber = (o: Citation) => Math.min(...same.filter((c) => c === o || inside(c, o)).map((c) => c.n));
  outer.sort((a, b) => firstNumber(a) - firstNumber(b));
  const shown = outer.find((o) => o === citation || inside(citation, o)) ?? citation;
  const spans = outer.map((c) => `${c.start}-${c.end}`).join(',');
  const numbers = outer.map(firstNumber).join(',');
  // via=chat: opened from a conversation, which its ← 返回问答 goes back to.
  return `${apiBase.replace(/\/+$/u, '')}/documents/${encodeURIComponent(citation.docId)}#c=${spans}&n=${numbers}&i=${outer.indexOf(shown)}&via=chat`;
}

/** How long 新对话 can be undone (ms). */
const UNDO_MS = 8000;

/** Space left above the question when the log brings it to its top (px). */
const QUESTION_MARGIN = 8;

/**
 * The chat UI shared by the full page and the widget: question box, streamed
 * answers with citation chips and a sources list, mode and fallback notices,
 * copy and 👍/👎, stop, retry, new conversation. Renders into `root`.
 */
export function mountChat(root: HTMLElement | ShadowRoot, options: ChatOptions): { focus(): void; ask(q: string): Promise<void> } {
  const s = options.strings;
  const client = options.client ?? createApiClient(options.apiBase, options.apiKey);
  let history: Turn[] = [];
  let current: AbortController | null = null;
  const base = options.apiBase.replace(/\/+$/u, '');
  // The conversation survives a reload (kept per Yiju server); 新对话 clears it.
  const store = conversationStore(`yiju:conversation:${base}`);
  const exchanges: SavedExchange[] = [];

  // The log is not live (a streamed answer would be read out at every delta); the live region says each answer once.
  const log = h('div', { class: 'yj-log', role: 'log', 'aria-live': 'off', 'aria-label': options.title ?? s.title });
  const announcer = h('div', { class: 'yj-sr', role: 'status', 'aria-live': 'polite' });
  const examples = h('ul', { class: 'yj-examples' });
  const greeting = h('p', {}, options.greeting ?? s.greeting);
  const empty = h('div', { class: 'yj-empty' }, greeting, h('p', {}, s.examples), examples);
  const input = h('textarea', { id: 'yj-q', rows: '1', placeholder: options.placeholder ?? s.placeholder, 'aria-label': s.questionLabel, maxlength: '2000' });
  const send = h('button', { type: 'submit', class: 'yj-send' }, s.send);
  const stop = h('button', { type: 'button', class: 'yj-stop', hidden: true }, s.stop);
  const form = h('form', { class: 'yj-form' }, input, send, stop);
  const fresh = h('button', { type: 'button', class: 'yj-new' }, s.newChat);
  const close = options.onClose ? h('button', { type: 'button', class: 'yj-close', 'aria-label': s.close }, '×') : null;
  const pop = h('div', { class: 'yj-pop', role: 'tooltip', id: 'yj-pop', hidden: true });
  const title = h(options.heading ?? 'h2', { class: 'yj-title' }, options.title ?? s.title);
  const head = h('div', { class: 'yj-head' }, title, fresh, close);
  const shell = h('div', { class: 'yj-root' }, head, log, form, pop, announcer);
  log.append(empty);
  root.append(shell);

  const showExamples = (list: string[]) => {
    examples.replaceChildren(...list.slice(0, 4).map((q) => h('li', {}, h('button', { type: 'button', class: 'yj-example' }, q))));
  };
  /** The corpus' own words (its domain pack), where the page or the host did not set them. */
  const useDomainWords = (all: Suggestions['ui']) => {
    const ui = all?.[s.lang];
    if (!ui) return;
    if (options.title === undefined) {
      title.textContent = ui.title;
      log.setAttribute('aria-label', ui.title);
    }
    if (options.greeting === undefined) greeting.textContent = ui.greeting;
    if (options.placeholder === undefined) input.placeholder = ui.placeholder;
  };
  /** The empty chat says how it answers and from which documents (each opens in the viewer). */
  const showCorpus = (corpus: Suggestions['corpus']) => {
    if (!corpus) return;
    const docs = h(
      'details',
      { class: 'yj-corpus' },
      h('summary', {}, s.corpusDocs(corpus.total)),
      h(
        'ul',
        {},
        ...corpus.documents.map((d) =>
          h(
            'li',
            {},
            h('a', { href: `${base}/documents/${encodeURIComponent(d.id)}`, target: '_blank', rel: 'noopener' }, d.title),
            h('span', { class: 'yj-cite-as' }, d.cite),
          ),
        ),
      ),
    );
    empty.append(h('p', { class: 'yj-mode' }, corpus.mode === 'generative' ? s.emptyGenerative : s.emptyExtractive), docs);
  };
  const suggested = client.suggestions();
  suggested.then(
    (r) => {
      useDomainWords(r.ui);
      showCorpus(r.corpus);
    },
    () => {},
  );
  if (options.examples?.length) showExamples(options.examples);
  else
    suggested.then(
      (r) => showExamples(r.questions),
      () => empty.querySelector('p + p')?.remove(),
    );
  /**
   * A list of question buttons (the examples, the questions a refusal suggests) asks the one clicked. Focus goes to
   * the question box: the examples leave with the empty state, and focus must not fall to the page's <body>.
   */
  const asksClicked = (list: HTMLElement) =>
    list.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest('button');
      if (!b) return;
      input.focus();
      void ask(b.textContent ?? '');
    });
  asksClicked(examples);

  const busy = (on: boolean) => {
    send.hidden = on;
    stop.hidden = !on;
    input.setAttribute('aria-busy', String(on));
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void ask(input.value);
  });
  // The box grows with what is typed, up to its CSS max-height (about five lines), then scrolls.
  const fit = () => {
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight + 2}px`;
  };
  input.addEventListener('input', fit);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void ask(input.value);
    }
  });
  stop.addEventListener('click', () => {
    current?.abort();
    input.focus();
  });
  // 新对话 clears the log, the history and the kept conversation; for a few seconds it can be undone (until a new
  // question is asked, or 新对话 is pressed again).
  let pendingUndo: { bar: HTMLElement; timer: ReturnType<typeof setTimeout> } | null = null;
  const endUndo = () => {
    if (!pendingUndo) return;
    clearTimeout(pendingUndo.timer);
    pendingUndo.bar.remove();
    pendingUndo = null;
  };
  fresh.addEventListener('click', () => {
    current?.abort();
    endUndo();
    const before = { nodes: [...log.childNodes], history, exchanges: [...exchanges] };
    if (!exchanges.length && !before.nodes.some((n) => n !== empty)) return input.focus();
    history = [];
    exchanges.length = 0;
    store.clear();
    const undo = h('button', { type: 'button', class: 'yj-undo' }, s.undo);
    const bar = h('div', { class: 'yj-notice yj-cleared' }, h('span', {}, s.cleared), undo);
    log.replaceChildren(bar, empty);
    announcer.textContent = s.cleared;
    // The bar stays while the reader is on its button.
    const expire = (): ReturnType<typeof setTimeout> =>
      setTimeout(() => {
        if (pendingUndo?.bar === bar && bar.contains((shell.getRootNode() as Document | ShadowRoot).activeElement)) pendingUndo.timer = expire();
        else if (pendingUndo?.bar === bar) endUndo();
      }, UNDO_MS);
    pendingUndo = { bar, timer: expire() };
    undo.addEventListener('click', () => {
      endUndo();
      log.replaceChildren(...before.nodes);
      history = before.history;
      exchanges.push(...before.exchanges);
      store.save(exchanges);
      input.focus();
    });
    input.value = '';
    fit();
    input.focus();
  });
  close?.addEventListener('click', () => options.onClose?.());

  // Citation chips: hover or focus shows the quote; click opens the source viewer. The popover stays while the
  // pointer is on it, and Esc dismisses it (WCAG 1.4.13).
  let hideTimer: ReturnType<typeof setTimeout> | undefined;
  let popOwner: HTMLAnchorElement | null = null;
  const hideSoon = () => {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => (pop.hidden = true), 200);
  };
  pop.addEventListener('mouseenter', () => clearTimeout(hideTimer));
  pop.addEventListener('mouseleave', hideSoon);
  shell.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !pop.hidden) {
      e.stopPropagation();
      pop.hidden = true;
    }
  });
  const citationsOf = new WeakMap<Element, Citation[]>();
  const chip = (n: number, message: HTMLElement) => {
    const c = citationsOf.get(message)?.find((x) => x.n === n);
    if (!c) return null;
    const a = h(
      'a',
      {
        class: 'yj-cite',
        href: viewerLink(options.apiBase, c, citationsOf.get(message)!),
        target: '_blank',
        rel: 'noopener',
        'aria-label': s.citation(n, c.title),
        'aria-describedby': 'yj-pop',
        'data-n': String(n),
      },
      String(n),
    );
    const show = () => {
      clearTimeout(hideTimer);
      popOwner = a;
      // The popover's link is for the pointer; from the keyboard the chip itself opens the source (not a Tab stop).
      pop.replaceChildren(
        h('strong', {}, c.title),
        h('span', {}, `“${c.text}”`),
        h('a', { href: a.href, target: '_blank', rel: 'noopener', tabindex: '-1' }, s.openSource),
      );
      pop.hidden = false;
      const r = a.getBoundingClientRect();
      const top = r.bottom + 6 + pop.offsetHeight > window.innerHeight ? Math.max(8, r.top - pop.offsetHeight - 6) : r.bottom + 6;
      pop.style.top = `${top}px`;
      pop.style.left = `${Math.max(8, Math.min(r.left, window.innerWidth - pop.offsetWidth - 8))}px`;
    };
    a.addEventListener('mouseenter', show);
    a.addEventListener('focus', show);
    a.addEventListener('mouseleave', hideSoon);
    a.addEventListener('blur', hideSoon);
    // On touch screens the first tap shows the passage; the link in it (or a second tap) opens the source.
    // Whether it was showing is read at pointerdown, before the tap's focus event shows it.
    let shownBeforeTap = false;
    a.addEventListener('pointerdown', (e) => {
      if (e.pointerType === 'touch') shownBeforeTap = !pop.hidden && popOwner === a;
    });
    a.addEventListener('click', (e) => {
      if ((e as PointerEvent).pointerType === 'touch' && !shownBeforeTap) {
        e.preventDefault();
        show();
      }
      shownBeforeTap = false;
    });
    return a;
  };

  const render = (message: HTMLElement, body: HTMLElement, markdown: string) => body.replaceChildren(renderMarkdown(markdown, (n) => chip(n, message)));

  /** What a citation's reference says beyond the title: 据《…》（市级会议） → 市级会议. */
  const setting = (c: Citation) =>
    c.cite?.startsWith(`据《${c.title}》`) ? c.cite.slice(`据《${c.title}》`.length).replace(/^（(.*)）$/u, '$1') : (c.cite ?? '');
  /**
   * The sources, once: a compact card per citation (which [n], the document and where it was given, where in it),
   * collapsed, since the quotes themselves are already in the answer (and in each chip's popover).
   */
  const sourcesList = (all: Citation[]) =>
    h(
      'details',
      { class: 'yj-sources' },
      h('summary', {}, `${s.sources} (${all.length})`),
      h(
        'ol',
        {},
        ...all.map((c) =>
          h(
            'li',
            { value: String(c.n) },
            h('a', { href: viewerLink(options.apiBase, c, all), target: '_blank', rel: 'noopener', ...(c.cite ? { title: c.cite } : {}) }, c.title),
            // One line under the title: where it was given (what the reference adds to the title) and where in it.
            h('span', { class: 'yj-where' }, [setting(c), s.where(c.start, c.end)].filter(Boolean).join(' · ')),
          ),
        ),
      ),
    );

  const failureText = (f: ApiFailure) =>
    f.kind === 'rate_limited'
      ? s.rateLimited(f.retryAfter ?? 30)
      : f.kind === 'unauthorized'
        ? s.unauthorized
        : f.kind === 'bad_request'
          ? s.badRequest
          : f.kind === 'network'
            ? s.network
            : f.kind === 'timeout'
              ? s.timeout(Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000))
              : s.server;

  /**
   * Under a refusal, the questions it suggests (“…？” in its text; else the server's examples) as buttons that ask
   * them, before the answer's actions.
   */
  async function offerQuestions(message: HTMLElement, text: string): Promise<void> {
    const quoted = [...text.matchAll(/“([^“”\n]{2,60}?[？?])”/gu)].map((m) => m[1]!);
    const questions = quoted.length
      ? quoted
      : await suggested.then(
          (r) => r.questions.slice(0, 3),
          () => [],
        );
    if (!questions.length || !message.isConnected) return;
    const list = h(
      'ul',
      { class: 'yj-examples yj-suggested', 'aria-label': s.examples },
      ...questions.map((q) => h('li', {}, h('button', { type: 'button', class: 'yj-example' }, q))),
    );
    asksClicked(list);
    const actionsRow = message.querySelector('.yj-actions');
    if (actionsRow) actionsRow.before(list);
    else message.append(list);
  }

  /** The question's bubble (a group named 我) and its answer's frame, added to the log. */
  function exchange(question: string): { asked: HTMLElement; message: HTMLElement; body: HTMLElement } {
    const asked = h('div', { class: 'yj-msg yj-user', role: 'group', 'aria-label': s.you }, question);
    const body = h('div', { class: 'yj-body' }, h('span', { class: 'yj-thinking' }, s.thinking));
    const message = h('article', { class: 'yj-msg yj-bot', 'aria-busy': 'true', 'aria-label': s.bot }, body);
    log.append(asked, message);
    return { asked, message, body };
  }

  /** A finished answer shown in its frame: notices, the answer (once), suggested questions, sources, actions. */
  function finish(message: HTMLElement, body: HTMLElement, question: string, answer: Answer, announce = true): void {
    citationsOf.set(message, answer.citations);
    // The offline note is said once, by the mode badge (its text is the badge's explanation).
    const [shown, note] = splitModeNote(answer.answer, answer.mode);
    render(message, body, shown);
    // Not a plain answer: said in words, never framed like one.
    const notice = answer.fallback
      ? s.fallback
      : answer.reason === 'task_not_supported'
        ? s.taskDeclined
        : answer.reason === 'off_topic'
          ? s.offTopic
          : answer.answerable === 'partial'
            ? s.partial
            : !answer.grounded
              ? s.notCovered
              : null;
    if (notice) message.prepend(h('p', { class: 'yj-notice', role: 'note' }, notice));
    if (answer.answerable === 'no') void offerQuestions(message, shown);
    // Said once, when complete: the notice and the answer as plain text (the sources are left to the reader).
    if (announce) announcer.textContent = `${s.bot}：${notice ? `${notice} ` : ''}${plainText(shown)}`;
    if (answer.citations.length) message.append(sourcesList(answer.citations));
    message.append(answerActions(answer, note, { strings: s, client, question }));
    message.setAttribute('aria-busy', 'false');
  }

  async function ask(raw: string): Promise<void> {
    const question = raw.trim();
    if (!question) return;
    current?.abort();
    const abort = new AbortController();
    current = abort;
    endUndo();
    empty.remove();
    input.value = '';
    fit();
    const { asked, message, body } = exchange(question);
    // The reader sees the question and the start of its answer: the log brings the question to its top (as far as
    // it can scroll) when it is asked and when the answer is complete, never down to the sources at the end.
    const showQuestion = () => {
      log.scrollTop += asked.getBoundingClientRect().top - log.getBoundingClientRect().top - QUESTION_MARGIN;
    };
    showQuestion();
    busy(true);
    let streamed = '';
    try {
      const answer = await client.chat(
        question,
        history.slice(-6),
        {
          onCitations: (c) => citationsOf.set(message, c),
          onDelta: (text) => {
            streamed += text;
            render(message, body, streamed);
          },
        },
        abort.signal,
        options.timeoutMs,
      );
      finish(message, body, question, answer);
      history.push({ role: 'user', content: question }, { role: 'assistant', content: answer.answer });
      exchanges.push({ question, answer });
      store.add({ question, answer });
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure('server', String(err));
      if (!streamed) body.replaceChildren();
      // Stopped or failed, the question can be asked again from here; the retry replaces this exchange.
      const retry = h('button', { type: 'button', class: 'yj-retry' }, s.retry);
      retry.addEventListener('click', () => {
        asked.remove();
        message.remove();
        input.focus();
        void ask(question);
      });
      if (f.kind === 'aborted') {
        message.append(h('div', { class: 'yj-notice yj-stopped' }, h('span', {}, s.stopped), retry));
        announcer.textContent = s.stopped;
      }
      // Said in the UI's language; the server's own words (English, for developers) are the line's tooltip.
      else message.append(h('div', { class: 'yj-error', role: 'alert' }, h('span', { title: f.message }, failureText(f)), retry));
    } finally {
      message.setAttribute('aria-busy', 'false');
      if (current === abort) {
        current = null;
        busy(false);
      }
      showQuestion();
    }
  }

  // A kept conversation comes back as it was (not read out again), scrolled to its end; one that cannot be shown is
  // dropped, never a half-mounted chat.
  try {
    for (const saved of store.load()) {
      empty.remove();
      const { message, body } = exchange(saved.question);
      finish(message, body, saved.question, saved.answer, false);
      history.push({ role: 'user', content: saved.question }, { role: 'assistant', content: saved.answer.answer });
      exchanges.push(saved);
    }
  } catch {
    store.clear();
    history = [];
    exchanges.length = 0;
    log.replaceChildren(empty);
  }
  if (exchanges.length) log.scrollTop = log.scrollHeight;

  return { focus: () => input.focus(), ask };
}
