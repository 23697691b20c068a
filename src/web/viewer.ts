import { CHAT_CSS } from './styles.js';
import { stringsFor } from './strings.js';

/**
 * The source viewer (GET /documents/:id#c=start-end,start-end&i=k): the
 * server renders the speech's canonical text; this highlights the cited spans
 * (UTF-16 offsets into that text), scrolls to one, and steps through them.
 */
const s = stringsFor(document.documentElement.lang === 'en' ? 'en' : 'zh');
const text = document.getElementById('yj-text')!;
const nav = document.getElementById('yj-nav')!;
const style = document.createElement('style');
style.textContent = CHAT_CSS;
document.head.append(style);

function spansFromHash(): { spans: [number, number][]; index: number } {
  const params = new URLSearchParams(location.hash.slice(1));
  const length = text.textContent?.length ?? 0;
  const spans = (params.get('c') ?? '')
    .split(',')
    .map((p) => p.split('-').map(Number) as [number, number])
    .filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b > a && b <= length)
    .sort((x, y) => x[0] - y[0]);
  const index = Math.min(Math.max(Number(params.get('i')) || 0, 0), Math.max(spans.length - 1, 0));
  return { spans, index };
}

function highlight(): void {
  // Start from the plain text each time (the hash can change).
  const plain = text.textContent ?? '';
  text.replaceChildren(document.createTextNode(plain));
  const { spans, index } = spansFromHash();
  const marks: HTMLElement[] = [];
  // Later spans first: each split leaves the offsets before it unchanged. Overlapping spans are merged.
  const merged = spans.reduce<[number, number][]>((acc, [a, b]) => {
    const last = acc.at(-1);
    if (last && a < last[1]) last[1] = Math.max(last[1], b);
    else acc.push([a, b]);
    return acc;
  }, []);
  for (const [a, b] of [...merged].reverse()) {
    const node = text.firstChild as Text;
    const range = document.createRange();
    range.setStart(node, a);
    range.setEnd(node, b);
    const mark = document.createElement('mark');
    mark.tabIndex = -1;
    range.surroundContents(mark);
    marks.unshift(mark);
  }
  nav.replaceChildren();
  if (!marks.length) return;
  // The i-th cited span, in the marks after merging overlaps.
  const wanted = spans[index];
  let i = wanted
    ? Math.max(
        0,
        merged.findIndex(([a, b]) => a <= wanted[0] && wanted[0] < b),
      )
    : 0;
  const status = document.createElement('span');
  status.setAttribute('role', 'status');
  const go = (k: number) => {
    marks[i]?.removeAttribute('aria-current');
    i = (k + marks.length) % marks.length;
    const m = marks[i]!;
    m.setAttribute('aria-current', 'true');
    m.scrollIntoView({ block: 'center', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    m.focus({ preventScroll: true });
    status.textContent = s.of(i + 1, marks.length);
  };
  if (marks.length > 1) {
    const prev = Object.assign(document.createElement('button'), { type: 'button', textContent: s.prev });
    const next = Object.assign(document.createElement('button'), { type: 'button', textContent: s.next });
    prev.addEventListener('click', () => go(i - 1));
    next.addEventListener('click', () => go(i + 1));
    nav.append(prev, status, next);
  } else nav.append(status);
  go(i);
}

highlight();
addEventListener('hashchange', highlight);
