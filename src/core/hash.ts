import type { Document } from './types.js';

/**
 * A fast, dependency-free, runtime-neutral content hash (53-bit cyrb53 run twice
 * with different seeds, 26 hex digits). Used for change detection, not security.
 */
function cyrb53(str: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

export function contentHash(...parts: string[]): string {
  const joined = parts.join('\u0000');
  return cyrb53(joined, 0) + cyrb53(joined, 0x9e3779b9);
}

/** A document's content hash: its canonical text, metadata and title. */
export const documentHash = (d: Pick<Document, 'text' | 'meta' | 'title'>) => contentHash(d.text, JSON.stringify(d.meta), d.title);
