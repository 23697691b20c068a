import type { Domain } from './pack.js';

/** The levels (the pack's scopes) a text names, with the word that names each. */
export function namedScopes(text: string, domain: Pick<Domain, 'scopes'>): { name: string; cue: string }[] {
  const out: { name: string; cue: string }[] = [];
  for (const scope of domain.scopes) {
    const cue = scope.cues.find((c) => text.includes(c));
    if (cue) out.push({ name: scope.name, cue });
  }
  return out;
}
