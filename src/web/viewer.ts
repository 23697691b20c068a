import { isNumberedHeading } from '../core/chunk/headings.js';
import { h } from './dom.js';
import { CHAT_CSS } from './styles.js';
import { stringsFor } from './strings.js';

/**
 * The source viewer (GET /documents/:id#c=start-end,start-end&n=1,3&i=k): the server renders the speech's canonical
 * text; this marks the cited spans (UTF-16 offsets into that text), starts on the k-th and steps through them in the
 * order of the answer's citations (n: their numbers), copies the current one as a citation, and goes back to the
 * conversation it came from.
 */
const s = stringsFor(document.documentElement.lang === 'en' ? 'en' : 'zh');
const text = document.getElementById('yj-text')!;
const nav = document.getElementById('yj-nav')!;
const copyButton = document.getElementById('yj-copy-cite') as HTMLButtonElement | null;
const copyStatus = document.getElementById('yj-copy-status');
const back = document.getElementById('yj-back') as HTMLAnchorElement | null;
const style = document.createElement('style');
style.textContent = CHAT_CSS;
document.head.append(style);

interface Cited {
  span: [number, number];
  /** The citation's number in the answer, when the link says it. */
  n: number | null;
}

/** The cited spans in the answer's order, each with its number; out-of-range, reversed or malformed ones dropped. */
function citedFromHash(): { cited: Cited[]; index: number } {
  const params = new URLSearchParams(location.hash.slice(1));
  const length = text.textContent?.length ?? 0;
  const raw = (params.get('c') ?? '').split(',').map((p) => p.split('-').map(Number) as [number, number]);
  const numbers = (params.get('n') ?? '').split(',').map(Number);
  const valid = ([a, b]: [number, number]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b > a && b <= length;
  const numbered = numbers.length === raw.length;
  const cited = raw
    .map((span, i) => ({ span, i, n: numbered && Number.isInteger(numbers[i]) && numbers[i]! > 0 ? numbers[i]! : null }))
    .filter((c) => valid(c.span));
  // The k-th of the link, or the last valid one before it when it was dropped.
  const wanted = Number(params.get('i')) || 0;
  const index = cited.reduce((k, c, j) => (c.i <= wanted ? j : k), 0);
  return { cited: cited.map(({ span, n }) => ({ span, n })), index };
}

/** The text as text nodes, its numbered heading lines (一、… （二）…) wrapped in spans (the text itself, and every offset into it, unchanged). */
function withHeadings(plain: string): Node[] {
  const nodes: Node[] = [];
  let from = 0; // the start of the text not yet placed
  let lineStart = 0;
  for (const line of plain.split('\n')) {
    if (isNumberedHeading(line)) {
      if (from < lineStart) nodes.push(document.createTextNode(plain.slice(from, lineStart)));
      // A heading for screen readers too (level 2: the speech's title is the h1), inside the text's flow.
      nodes.push(h('span', { class: 'yj-heading', role: 'heading', 'aria-level': '2' }, line));
      from = lineStart + line.length;
    }
    lineStart += line.length + 1;
  }
  if (from < plain.length) nodes.push(document.createTextNode(plain.slice(from)));
  return nodes;
}

/** The text node and offset within it of a character offset into the whole text. */
function locate(offset: number): [Text, number] {
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  let at = 0;
  let last: Text | null = null;
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
    if (offset <= at + node.data.length) return [node, offset - at];
    at += node.data.length;
    last = node;
  }
  return [last!, last!.data.length];
}

function highlight(): void {
  // Start from the plain text each time (the hash can change).
  const plain = text.textContent ?? '';
  text.replaceChildren(...withHeadings(plain));
  const { cited, index } = citedFromHash();
  // Marks in text order, overlapping spans merged; later spans first, so each split leaves earlier offsets alone.
  const merged = cited
    .map((c) => [...c.span] as [number, number])
    .sort((x, y) => x[0] - y[0])
    .reduce<[number, number][]>((acc, [a, b]) => {
      const last = acc.at(-1);
      if (last && a < last[1]) last[1] = Math.max(last[1], b);
      else acc.push([a, b]);
      return acc;
    }, []);
  const marks: HTMLElement[] = [];
  for (const [a, b] of [...merged].reverse()) {
    const range = document.createRange();
    range.setStart(...locate(a));
    range.setEnd(...locate(b));
    const mark = document.createElement('mark');
    mark.tabIndex = -1;
    // Within one text node (a cited sentence is never a heading), else across the heading's span.
    if (range.startContainer === range.endContainer) range.surroundContents(mark);
    else {
      mark.append(range.extractContents());
      range.insertNode(mark);
    }
    marks.unshift(mark);
  }
  nav.replaceChildren();
  if (copyButton) copyButton.hidden = !marks.length;
  if (!marks.length) return;
  // The places to step through, in the answer's order: one per mark (two citations merged into one mark are one).
  const markOf = (c: Cited) => marks[merged.findIndex(([a, b]) => a <= c.span[0] && c.span[0] < b)]!;
  const stops: { mark: HTMLElement; cited: Cited }[] = [];
  for (const c of cited) if (!stops.some((x) => x.mark === markOf(c))) stops.push({ mark: markOf(c), cited: c });
  const at = stops.findIndex((x) => x.mark === markOf(cited[index]!));
  const status = document.createElement('span');
  status.setAttribute('role', 'status');
  let i = at;
  const go = (k: number) => {
    stops[i]?.mark.removeAttribute('aria-current');
    i = (k + stops.length) % stops.length;
    const { mark, cited: c } = stops[i]!;
    mark.setAttribute('aria-current', 'true');
    mark.scrollIntoView({ block: 'center', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    mark.focus({ preventScroll: true });
    status.textContent = c.n === null ? s.of(i + 1, stops.length) : s.ofCited(c.n, i + 1, stops.length);
    current = c;
  };
  if (stops.length > 1) {
    const prev = Object.assign(document.createElement('button'), { type: 'button', textContent: s.prev });
    const next = Object.assign(document.createElement('button'), { type: 'button', textContent: s.next });
    prev.addEventListener('click', () => go(i - 1));
    next.addEventListener('click', () => go(i + 1));
    nav.append(prev, status, next);
  } else nav.append(status);
  go(i);
}

/** The citation on screen, for 复制引用. */
let current: Cited | null = null;

copyButton?.addEventListener('click', async () => {
  if (!current) return;
  const [a, b] = current.span;
  // The copy-ready reference (据《…》（…）) and the exact words cited.
  const citation = `${text.dataset.cite ?? ''}：“${(text.textContent ?? '').slice(a, b)}”`;
  try {
    await navigator.clipboard.writeText(citation);
    if (copyStatus) copyStatus.textContent = s.copied;
  } catch {
    if (copyStatus) copyStatus.textContent = '';
  }
});

/**
 * Back to the conversation it came from, when a conversation opened it (its links say via=chat; the pages send no
 * referrer): the previous page when it was opened in the same tab; closing the tab when it was opened in a new one
 * (from the chat page or a host site's widget, which are then on screen again). A viewer opened any other way (a
 * bookmark, a typed or shared address) goes to the chat page, as the link says.
 */
back?.addEventListener('click', (e) => {
  // A click that asks for a new tab or window is the browser's to handle.
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  if (new URLSearchParams(location.hash.slice(1)).get('via') !== 'chat') return;
  e.preventDefault();
  if (history.length > 1) history.back();
  else {
    window.close();
    // A tab the browser does not let a script close stays open: go to the chat page instead.
    setTimeout(() => location.assign(back.href), 300);
  }
});

highlight();
addEventListener('hashchange', highlight);
