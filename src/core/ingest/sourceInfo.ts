import type { Domain } from '../domain/pack.js';
import type { Document } from '../types.js';
import { findMeeting } from './title.js';

/**
 * What a clerk needs to cite a speech: the meeting, its level, the place or unit, the speaker's role
 * and the date. Each comes from the document's metadata (front matter, or the corpus' sidecar file
 * `yiju.sources.yaml`) or, failing that, from what the text itself says; what neither gives is
 * "未注明" (not stated), never guessed.
 */
export interface SourceInfo {
  meeting: string;
  level: string;
  place: string;
  speaker: string;
  date: string;
  /** A copy-ready reference: 据《在全市安全生产工作会议上的讲话》（市级会议）. */
  cite: string;
}

/** Said for a field neither the metadata nor the text gives. */
export const NOT_STATED = '未注明';

/** How far into a speech its level is read from (the title and the opening say where it was given). */
const OPENING = 1500;

/**
 * The level a speech was given at: of the domain pack's scopes, the one whose cues its title and
 * opening use most ("全县", "我县" → 县级). Null when none is used.
 */
export function levelOf(doc: Pick<Document, 'title' | 'text'>, domain: Pick<Domain, 'scopes'>): string | null {
  const head = `${doc.title}\n${doc.text.slice(0, OPENING)}`;
  let best: { name: string; count: number } | null = null;
  for (const scope of domain.scopes) {
    const count = scope.cues.reduce((n, cue) => n + head.split(cue).length - 1, 0);
    if (count > 0 && (!best || count > best.count)) best = { name: scope.name, count };
  }
  return best?.name ?? null;
}

/** A document's source information, from its metadata first and its text second. */
export function sourceInfo(doc: Document, domain: Pick<Domain, 'scopes'>): SourceInfo {
  const meeting = doc.meta.meeting ?? findMeeting(doc.text) ?? NOT_STATED;
  const level = doc.meta.level ?? levelOf(doc, domain) ?? NOT_STATED;
  const place = doc.meta.place ?? NOT_STATED;
  const speaker = doc.meta.speaker ?? NOT_STATED;
  const date = doc.meta.date ?? NOT_STATED;
  const details = [level === NOT_STATED ? null : /会议$/u.test(level) ? level : `${level}会议`, date === NOT_STATED ? null : date].filter(Boolean);
  const title = doc.title.replace(/^《|》$/gu, '');
  return { meeting, level, place, speaker, date, cite: `据《${title}》${details.length ? `（${details.join('，')}）` : ''}` };
}
