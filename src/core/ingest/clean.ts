/**
 * Cleaning turns a received file into a document's canonical text.
 *
 * It removes only what is not part of the speech (a truncated preview line
 * that repeats the opening, website watermarks injected into sentences) and
 * normalises whitespace. Wording, punctuation and anonymised placeholders
 * (XX, XXX, *, **) are kept exactly as received.
 */

/** Watermarks seen in documents copied from template websites. Extend through config. */
export const DEFAULT_WATERMARKS: readonly string[] = ['本资料权属文秘资源网放上鼠标按照提示查看文秘资源网'];

export interface CleanOptions {
  /** Literal strings or regular expressions to remove wherever they occur. */
  watermarks?: readonly (string | RegExp)[];
}

export interface CleanReport {
  text: string;
  /** What was removed, for logs and tests. */
  removed: { kind: 'preview-line' | 'watermark'; text: string }[];
}

const ELLIPSIS_END = /(?:\.{3,}|…+|。。。)\s*$/u;
// Horizontal whitespace, including the ideographic space and no-break space.
const HSPACE = /[\t\f\v \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]+/gu;
const ZERO_WIDTH = /[\u200b-\u200d\u2060]/gu;
/** Control characters other than line breaks and tabs (which are whitespace): C0, DEL and C1. They never reach the canonical text. */
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/gu;

const squash = (s: string) => s.replace(HSPACE, '').replace(/\s+/gu, '');

/** Removes every occurrence of each watermark. */
export function stripWatermarks(text: string, watermarks: readonly (string | RegExp)[], removed: CleanReport['removed'] = []): string {
  let out = text;
  for (const mark of watermarks) {
    if (typeof mark === 'string') {
      if (!mark) continue;
      const parts = out.split(mark);
      for (let i = 1; i < parts.length; i++) removed.push({ kind: 'watermark', text: mark });
      out = parts.join('');
    } else {
      out = out.replace(new RegExp(mark.source, mark.flags.includes('g') ? mark.flags : `${mark.flags}g`), (m) => {
        removed.push({ kind: 'watermark', text: m });
        return '';
      });
    }
  }
  return out;
}

/**
 * Drops lines that end in an ellipsis and merely preview the text that follows
 * them (websites put a truncated excerpt above the full speech).
 */
export function dropPreviewLines(lines: string[], removed: CleanReport['removed'] = []): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (ELLIPSIS_END.test(line)) {
      const preview = squash(line.replace(ELLIPSIS_END, ''));
      // Only as much of what follows as the preview could repeat (keeps this linear).
      const rest = squash(
        lines
          .slice(i + 1, i + 1 + 50)
          .join('')
          .slice(0, preview.length * 4 + 200),
      );
      if (preview.length >= 8 && rest.startsWith(preview)) {
        removed.push({ kind: 'preview-line', text: line });
        continue;
      }
    }
    out.push(line);
  }
  return out;
}

/** Normalises whitespace: one paragraph per line, no blank lines, single spaces, no edge spaces, no control characters. */
export function normaliseWhitespace(text: string): string {
  return text
    .replace(/\r\n?/gu, '\n')
    .replace(ZERO_WIDTH, '')
    .replace(CONTROL, '')
    .split('\n')
    .map((line) => line.replace(HSPACE, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** Produces the canonical text of a received document. */
export function cleanText(raw: string, options: CleanOptions = {}): CleanReport {
  const removed: CleanReport['removed'] = [];
  const watermarks = options.watermarks ?? DEFAULT_WATERMARKS;
  const unified = raw.replace(/\r\n?/gu, '\n');
  const withoutMarks = stripWatermarks(unified, watermarks, removed);
  const lines = dropPreviewLines(withoutMarks.split('\n'), removed);
  return { text: normaliseWhitespace(lines.join('\n')), removed };
}
