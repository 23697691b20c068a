/**
 * Derives a human-readable title for a speech that has none in front matter.
 *
 * 1. A title line: a short first line without closing punctuation that is not a salutation.
 * 2. The meeting the speech was given at, found in its opening ("召开……会议").
 * 3. The opening sentence of the body, shortened.
 */

const SALUTATION = /^(?:各位)?(?:同志们|同事们|各位领导|各位代表|大家好)[：:，,！!]?$/u;
const SENTENCE_END = /[。！？!?；;：:，,、…]$/u;
const MEETING_NAME = '([\\p{Script=Han}A-Za-z0-9（）()·]{2,24}?会议)';
/** Most specific first: "召开……会议", then "这次/本次……会议", then "今天……会议". */
const MEETING_PATTERNS = [`召开了?(?:一次|这次|本次)?${MEETING_NAME}`, `(?:这次|本次)${MEETING_NAME}`, `今天(?:的)?${MEETING_NAME}`].map(
  (p) => new RegExp(p, 'u'),
);
const MAX_TITLE = 40;

/** How far into a speech its opening runs: where it says which meeting it was given at. */
const OPENING = 1500;

/** The meeting a speech was given at, as its opening names it ("召开全市安全生产工作会议"), or null. */
export function findMeeting(text: string): string | null {
  const opening = text.slice(0, OPENING);
  for (const re of MEETING_PATTERNS) {
    const name = re.exec(opening)?.[1];
    if (name) return name;
  }
  return null;
}

export function deriveTitle(text: string, fallbackId: string): string {
  const lines = text.split('\n');
  const first = lines[0]?.trim() ?? '';
  if (first && first.length <= MAX_TITLE && !SALUTATION.test(first) && !SENTENCE_END.test(first)) {
    return first;
  }
  const meeting = findMeeting(text);
  if (meeting) return `在${meeting}上的讲话`;

  const body = lines.find((l) => !SALUTATION.test(l.trim()))?.trim() ?? '';
  const sentence = body.split(/[。！？!?]/u)[0] ?? '';
  if (sentence) return sentence.length > 24 ? `${sentence.slice(0, 24)}…` : sentence;
  return fallbackId;
}
