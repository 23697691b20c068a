import type { Embedder } from '../../src/core/ports.js';

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export interface EmbedCall {
  texts: string[];
  kind: 'query' | 'passage';
}

export interface FakeEmbedderOptions {
  dimensions?: number;
  /** Recorded in index manifests; change it to simulate another model. */
  id?: string;
}

/**
 * A deterministic, model-free embedder: hashed character unigrams and bigrams
 * (whitespace ignored), L2-normalised. Texts that share characters are close.
 * Records every call so tests can check what was (re-)embedded.
 */
export class FakeEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly calls: EmbedCall[] = [];

  constructor(options: FakeEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 64;
    this.id = options.id ?? `fake:char-ngrams:${this.dimensions}`;
  }

  /** Every passage text embedded so far, in order. */
  get passageTexts(): string[] {
    return this.calls.filter((c) => c.kind === 'passage').flatMap((c) => c.texts);
  }

  reset(): void {
    this.calls.length = 0;
  }

  vector(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    const chars = [...text.replace(/\s+/gu, '')];
    for (let i = 0; i < chars.length; i++) {
      v[fnv1a(chars[i]!) % this.dimensions]! += 1;
      if (i + 1 < chars.length) v[fnv1a(chars[i]! + chars[i + 1]!) % this.dimensions]! += 1;
    }
    if (chars.length === 0) v[0] = 1;
    return normalise(v);
  }

  async embed(texts: string[], kind: 'query' | 'passage', onProgress?: (done: number) => void): Promise<Float32Array[]> {
    this.calls.push({ texts: [...texts], kind });
    const out = texts.map((t) => this.vector(t));
    onProgress?.(out.length);
    return out;
  }
}

/**
 * A toy "semantic" embedder for retrieval tests. Each concept is one axis; a
 * text's vector counts how often the concept's keywords occur in it, so
 * paraphrases (different words, same concept) are close even when they share
 * no characters, and words the embedder does not know (names, numbers, rare
 * terms) leave no trace. A text with no known concept gets a vector on a private
 * hashed axis, nearly orthogonal to everything else.
 */
export class ConceptEmbedder implements Embedder {
  readonly id = 'fake:concepts';
  readonly dimensions: number;
  readonly calls: EmbedCall[] = [];
  private readonly concepts: [string, readonly string[]][];
  private static readonly SPARE = 64;

  constructor(concepts: Record<string, readonly string[]>) {
    this.concepts = Object.entries(concepts);
    this.dimensions = this.concepts.length + ConceptEmbedder.SPARE;
  }

  vector(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    this.concepts.forEach(([, words], axis) => {
      for (const w of words) v[axis]! += text.split(w).length - 1;
    });
    if (v.every((x) => x === 0)) v[this.concepts.length + (fnv1a(text) % ConceptEmbedder.SPARE)] = 1;
    return normalise(v);
  }

  async embed(texts: string[], kind: 'query' | 'passage'): Promise<Float32Array[]> {
    this.calls.push({ texts: [...texts], kind });
    return texts.map((t) => this.vector(t));
  }
}
