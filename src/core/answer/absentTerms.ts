/**
 * Terms of the field the documents never use. The domain pack lists the field's vocabulary (its `terms`: procedures,
 * instruments, principles); a question about one that no document mentions — 听证 or 复核 when the speeches never
 * say either — is not answered by them, however closely the rest of its wording resembles a passage ("谁主持" finds
 * "主持召开会议"). A term some synonym rewrites (an alias of a term the documents use) is not absent.
 */

/** What a document may put inside a term without changing it: 谁主管、谁负责 says 谁主管谁负责. */
const INSIDE_TERM = /[\s、，,·・．.“”"'‘’「」《》（）()]/gu;

/** The pack terms that no document's title or text contains (punctuation inside a term ignored) and no synonym rewrites. */
export function absentTerms(
  terms: readonly string[],
  documents: Iterable<{ title: string; text: string }>,
  synonyms: readonly (readonly [RegExp, string])[],
): string[] {
  const corpus = [...documents].map((d) => `${d.title}\n${d.text}`.replace(INSIDE_TERM, '')).join('\n');
  return terms.filter((t) => !corpus.includes(t) && !synonyms.some(([match]) => match.test(t)));
}

/** The longest absent term the question uses, or null. */
export function absentTermIn(question: string, absent: readonly string[]): string | null {
  const said = question.replace(INSIDE_TERM, '');
  return absent.filter((t) => said.includes(t)).sort((a, b) => b.length - a.length)[0] ?? null;
}
