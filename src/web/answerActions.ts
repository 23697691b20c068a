import type { Answer, ApiClient } from './api.js';
import { h } from './dom.js';
import { icon } from './icons.js';
import { plainText, splitModeNote } from './plainText.js';
import type { Strings } from './strings.js';

/**
 * The row under an answer: the mode badge (the offline note as its explanation), 复制 (plain text for a document),
 * MD (the Markdown), and 👍/👎. A vote can be changed (the newer one is sent, and it is the one that counts); 👎 opens
 * a few reasons to pick and a line of text, sent with it.
 */
export function answerActions(answer: Answer, note: string | null, deps: { strings: Strings; client: ApiClient; question: string }): HTMLElement {
  const s = deps.strings;
  const copy = h('button', { type: 'button', class: 'yj-copy', title: s.copyPlain }, s.copy);
  const copyMarkdown = h('button', { type: 'button', class: 'yj-copy-md', 'aria-label': `MD · ${s.copyMarkdown}`, title: s.copyMarkdown }, 'MD');
  const up = h('button', { type: 'button', class: 'yj-up', 'aria-pressed': 'false', 'aria-label': s.up, title: s.up }, icon('up'));
  const down = h('button', { type: 'button', class: 'yj-down', 'aria-pressed': 'false', 'aria-label': s.down, title: s.down }, icon('down'));
  const status = h('span', { class: 'yj-status', role: 'status' });

  // The answer, then each source in its copy-ready form (据《…》（市级会议）) with the exact words quoted.
  const sources = answer.citations.map((c) => `[${c.n}] ${c.cite ?? `《${c.title}》`}：“${c.text}”`).join('\n');
  const [text] = splitModeNote(answer.answer, answer.mode);
  const copied = async (content: string) => {
    try {
      await navigator.clipboard.writeText(content);
      status.textContent = s.copied;
    } catch {
      status.textContent = '';
    }
  };
  copy.addEventListener('click', () => void copied(sources ? `${plainText(text)}\n\n${s.sources}：\n${sources}` : plainText(text)));
  copyMarkdown.addEventListener('click', () => void copied(sources ? `${answer.answer}\n\n${s.sources}\n${sources}` : answer.answer));

  // 👎's reasons: chips to pick (several), a line of text, and 发送; made when 👎 is first pressed.
  let reasons: { box: HTMLElement; chips: HTMLButtonElement[] } | null = null;
  const showReasons = (): { box: HTMLElement; chips: HTMLButtonElement[] } => {
    if (reasons) {
      reasons.box.hidden = false;
      return reasons;
    }
    const chips = s.reasons.map((r) => h('button', { type: 'button', class: 'yj-reason', 'aria-pressed': 'false' }, r));
    for (const chip of chips) chip.addEventListener('click', () => chip.setAttribute('aria-pressed', String(chip.getAttribute('aria-pressed') !== 'true')));
    const detail = h('input', { type: 'text', class: 'yj-reason-text', maxlength: '500', placeholder: s.reasonPlaceholder, 'aria-label': s.reasonPlaceholder });
    const send = h('button', { type: 'button', class: 'yj-reason-send' }, s.send);
    const box = h('div', { class: 'yj-reasons', role: 'group', 'aria-label': s.reasonsLabel }, ...chips, detail, send);
    send.addEventListener('click', () => {
      const picked = chips.filter((c) => c.getAttribute('aria-pressed') === 'true').map((c) => c.textContent ?? '');
      const comment = [...picked.map((p) => `[${p}]`), detail.value.trim()].filter(Boolean).join(' ');
      if (!comment) return;
      void vote('down', comment).then((ok) => {
        if (!ok) return;
        box.hidden = true;
        down.focus();
      });
    });
    wrap.append(box);
    reasons = { box, chips };
    return reasons;
  };

  const vote = async (rating: 'up' | 'down', comment?: string): Promise<boolean> => {
    up.disabled = down.disabled = true;
    try {
      await deps.client.feedback(answer.id, rating, comment, deps.question);
      up.setAttribute('aria-pressed', String(rating === 'up'));
      down.setAttribute('aria-pressed', String(rating === 'down'));
      status.textContent = s.thanks;
      return true;
    } catch {
      status.textContent = s.feedbackFailed;
      return false;
    } finally {
      up.disabled = down.disabled = false;
    }
  };
  up.addEventListener('click', () => {
    if (up.getAttribute('aria-pressed') === 'true') return;
    if (reasons) reasons.box.hidden = true;
    void vote('up');
  });
  down.addEventListener('click', () => {
    if (down.getAttribute('aria-pressed') === 'true') {
      showReasons();
      return;
    }
    void vote('down').then((ok) => {
      if (ok) showReasons().chips[0]?.focus();
    });
  });

  const row = h(
    'div',
    { class: 'yj-actions' },
    h(
      'span',
      { class: 'yj-badge', 'data-mode': answer.mode, ...(note ? { title: note } : {}) },
      answer.mode === 'generative' ? s.modeGenerative : s.modeExtractive,
    ),
    copy,
    copyMarkdown,
    up,
    down,
    status,
  );
  const wrap = h('div', { class: 'yj-actions-wrap' }, row);
  return wrap;
}
