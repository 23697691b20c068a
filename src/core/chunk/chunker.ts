import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { Chunk, Document } from '../types.js';
import { isTrailing } from './punctuation.js';
import { splitSentences } from './sentences.js';

/** Paragraph first, then sentence enders, then clause commas, then characters. */
export const CHINESE_SEPARATORS = ['\n\n', '\n', '。', '！', '？', '；', '!', '?', ';', '，', ',', '、', ''];

/**
 * A recursive splitter that keeps each separator at the END of the piece it
 * closes (Chinese punctuation belongs to the sentence before it), so no chunk
 * starts with a dangling 。 or ，.
 */
class TrailingSeparatorSplitter extends RecursiveCharacterTextSplitter {
  override splitOnSeparator(text: string, separator: string): string[] {
    if (!separator) return [...text];
    const escaped = separator.replace(/[/\-\\^$*+?.()|[\]{}]/gu, '\\$&');
    return text.split(new RegExp(`(?<=${escaped})`, 'u')).filter((s) => s !== '');
  }
}

export interface ChunkerOptions {
  /** Maximum chunk length in characters (≈ tokens for Chinese with BGE's tokenizer). */
  chunkSize?: number;
  chunkOverlap?: number;
}

export const DEFAULT_CHUNK_SIZE = 300;

/**
 * Splits documents into chunks with exact offsets: for every chunk,
 * `chunk.text === doc.text.slice(chunk.start, chunk.end)`.
 */
export class Chunker {
  private readonly splitter: TrailingSeparatorSplitter;

  constructor(readonly options: ChunkerOptions = {}) {
    this.splitter = new TrailingSeparatorSplitter({
      chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
      chunkOverlap: options.chunkOverlap ?? 0,
      separators: CHINESE_SEPARATORS,
      keepSeparator: true,
    });
  }

  get chunkSize(): number {
    return this.options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  async split(doc: Document): Promise<Chunk[]> {
    const pieces = await this.splitter.splitText(doc.text);
    const spans: { start: number; end: number }[] = [];
    const overlap = this.options.chunkOverlap ?? 0;
    let cursor = 0;
    for (const piece of pieces) {
      // A piece starts at the previous end, or up to `overlap` characters before it (never at or before the previous start).
      const prev = spans[spans.length - 1];
      const from = prev ? Math.max(prev.start + 1, cursor - overlap) : 0;
      const at = doc.text.indexOf(piece, from);
      if (at < 0) throw new Error(`chunker: piece not found in ${doc.id}`);
      spans.push({ start: at, end: at + piece.length });
      cursor = at + piece.length;
    }
    return fixDanglingPunctuation(doc.text, spans)
      .filter((s) => s.end > s.start)
      .map((s, index) => ({
        id: `${doc.id}#${index}`,
        docId: doc.id,
        index,
        start: s.start,
        end: s.end,
        text: doc.text.slice(s.start, s.end),
        sentences: splitSentences(doc.id, doc.text, s.start, s.end),
      }));
  }
}

/**
 * Moves punctuation (and whitespace) at the start of a chunk to the end of the
 * previous one, so every chunk begins with content.
 */
function fixDanglingPunctuation(text: string, spans: { start: number; end: number }[]) {
  const out = spans.map((s) => ({ ...s }));
  let prev: { start: number; end: number } | undefined; // the last chunk that kept content
  for (const span of out) {
    let start = span.start;
    while (start < span.end && (isTrailing(text[start]) || /\s/u.test(text[start]!))) start++;
    if (start !== span.start) {
      if (prev && prev.end >= span.start && prev.end < start) prev.end = trimEnd(text, prev.start, start);
      span.start = start;
    }
    span.end = trimEnd(text, span.start, span.end);
    if (span.end > span.start) prev = span;
  }
  return out;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/u.test(text[end - 1]!)) end--;
  return end;
}
