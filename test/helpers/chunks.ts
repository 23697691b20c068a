import type { Chunk, Document } from '../../src/core/types.js';

/**
 * Punctuation that must never begin a chunk: it closes the clause before it.
 * Written out here independently of the implementation's own list.
 */
export const DANGLING = new Set([...'。，、；：！？…”’」』）】》〉,;:!?)']);
/** What may stick out beyond `chunkSize`: closing punctuation moved from the next chunk. */
const OVERFLOW = /^[。，、；：！？…—”’」』）】》〉,;:!?)\s]*$/u;
/** Characters after which a sentence ends (a sentence may only contain them at its very end, with closing quotes/brackets). */
const ENDERS = /[。！？!?；;]/u;
const CLOSERS = /^[”’」』）)】》〉…—。！？!?；;，,、：:]*$/u;

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/u.test(ch);

/**
 * Checks every invariant of a document's chunks and returns human-readable violations
 * (empty when all hold), so a failing assertion shows what went wrong and where.
 *
 * Size bound: a chunk may be longer than `chunkSize` only by closing punctuation
 * (。”、）…) that the chunker moves from the start of the next chunk to the end of
 * this one, so that no chunk starts with it. Everything beyond `chunkSize` must be
 * such punctuation, and never more than `maxOverflow` characters.
 */
export function chunkViolations(doc: Document, chunks: Chunk[], chunkSize: number, options: { overlap?: boolean; maxOverflow?: number } = {}): string[] {
  const out: string[] = [];
  const maxOverflow = options.maxOverflow ?? 8;
  const where = (c: Chunk) => `${c.id} [${c.start}, ${c.end}) ${JSON.stringify(c.text.slice(0, 12))}`;
  if (doc.text.trim() && !chunks.length) out.push('no chunks for a non-empty document');
  chunks.forEach((c, i) => {
    if (c.text !== doc.text.slice(c.start, c.end)) out.push(`${where(c)}: text !== doc.text.slice(start, end)`);
    if (c.docId !== doc.id || c.index !== i || c.id !== `${doc.id}#${i}`) out.push(`${where(c)}: wrong id/index/docId (expected ${doc.id}#${i})`);
    if (c.start < 0 || c.end > doc.text.length || c.end <= c.start) out.push(`${where(c)}: empty or out of range`);
    if (isSpace(c.text[0]) || isSpace(c.text[c.text.length - 1])) out.push(`${where(c)}: not trimmed`);
    if (DANGLING.has(c.text[0]!)) out.push(`${where(c)}: starts with dangling punctuation ${JSON.stringify(c.text[0])}`);
    if (c.text.length > chunkSize && (!OVERFLOW.test(c.text.slice(chunkSize)) || c.text.length > chunkSize + maxOverflow)) {
      out.push(`${where(c)}: ${c.text.length} chars > chunkSize ${chunkSize}, overflow ${JSON.stringify(c.text.slice(chunkSize))}`);
    }
    const prev = chunks[i - 1];
    if (prev) {
      if (c.start <= prev.start) out.push(`${where(c)}: starts before or with the previous chunk ${where(prev)}`);
      if (!options.overlap && c.start < prev.end) out.push(`${where(c)}: overlaps the previous chunk ${where(prev)}`);
    }
    out.push(...sentenceViolations(doc, c));
  });
  const covered = new Uint8Array(doc.text.length);
  for (const c of chunks) covered.fill(1, Math.max(0, c.start), Math.min(doc.text.length, c.end));
  for (let k = 0; k < doc.text.length; k++) {
    if (!covered[k] && !isSpace(doc.text[k])) {
      out.push(`character ${k} ${JSON.stringify(doc.text[k])} (in ${JSON.stringify(doc.text.slice(Math.max(0, k - 8), k + 8))}) is in no chunk`);
      break;
    }
  }
  return out;
}

export function sentenceViolations(doc: Document, c: Chunk): string[] {
  const out: string[] = [];
  const where = (s: { start: number; end: number }) => `${c.id} sentence [${s.start}, ${s.end}) ${JSON.stringify(doc.text.slice(s.start, s.end).slice(0, 12))}`;
  c.sentences.forEach((s, j) => {
    const text = doc.text.slice(s.start, s.end);
    if (s.docId !== doc.id) out.push(`${where(s)}: wrong docId`);
    if (s.start < c.start || s.end > c.end || s.end <= s.start) out.push(`${where(s)}: empty or outside its chunk [${c.start}, ${c.end})`);
    if (isSpace(text[0]) || isSpace(text[text.length - 1])) out.push(`${where(s)}: not trimmed`);
    if (text.includes('\n')) out.push(`${where(s)}: spans a line break`);
    const m = ENDERS.exec(text);
    if (m && !CLOSERS.test(text.slice(m.index))) out.push(`${where(s)}: continues after a sentence ender`);
    const prev = c.sentences[j - 1];
    if (prev && s.start < prev.end) out.push(`${where(s)}: overlaps the previous sentence`);
  });
  // Sentences cover all non-whitespace text of the chunk.
  const inSentences = c.sentences
    .map((s) => doc.text.slice(s.start, s.end))
    .join('')
    .replace(/\s/gu, '');
  if (inSentences !== c.text.replace(/\s/gu, '')) out.push(`${c.id}: sentences do not cover the chunk's text`);
  return out;
}
