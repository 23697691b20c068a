/**
 * An answer's Markdown as the chat shows and copies it. The note under an offline answer (its last line, a quote
 * block: "离线摘录模式：以上句子均为…原文…") says what the mode badge already says, so the chat shows it once, as the
 * badge's explanation; and a copy for a document is plain text, not Markdown.
 */

/** An extractive answer's closing note taken off its Markdown: [the answer without it, the note's text or null]. */
export function splitModeNote(markdown: string, mode: string): [string, string | null] {
  if (mode !== 'extractive') return [markdown, null];
  const m = /\n\n> ([^\n]+)\s*$/u.exec(markdown);
  return m ? [markdown.slice(0, m.index), m[1]!.trim()] : [markdown, null];
}

/**
 * Markdown as plain text for a Word document: list items get a bullet, numbered ones keep their number, quote
 * blocks and emphasis lose their marks; the [n] citation markers stay (the sources follow them).
 */
export function plainText(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line
        .replace(/^\s*[-*+]\s+/u, '• ')
        .replace(/^\s*>\s?/u, '')
        .replace(/^#{1,6}\s+/u, '')
        .replace(/(\*\*|__)(.+?)\1/gu, '$2')
        .replace(/`([^`]+)`/gu, '$1'),
    )
    .join('\n')
    .replace(/\n{3,}/gu, '\n\n')
    .trim();
}
