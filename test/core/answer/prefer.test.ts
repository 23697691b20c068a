/**
 * The pack's `prefer`: asked what to do, the answer's first line is a sentence that says what is to be done, not one
 * that describes the problem in the question's words.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/node/runtime.js';
import { corpusDomain } from '../../helpers/domain.js';
import { buildRuntime } from '../../helpers/http.js';

describe("the pack's prefer", () => {
  it('compiles: a way to act is asked by 怎么办 and shown by 要', () => {
    const act = corpusDomain().prefer.find((p) => p.asks.test('群众反映问题找不到人怎么办？'))!;
    expect(act).toBeDefined();
    expect(act.shownBy.test('要畅通信访渠道')).toBe(true);
    expect(act.shownBy.test('目前，有部分上访群众反映问题时抱着“大闹大解决”的心理')).toBe(false);
  });

  describe('in answers', () => {
    let rt: Runtime;
    beforeAll(async () => {
      rt = await buildRuntime();
    }, 180_000);

    it('asked what to do, the quoted sentence behind the first line says what is to be done', async () => {
      const r = await rt.answerer.answer('群众反映问题找不到人怎么办？');
      expect(r.answerable).toBe('yes');
      const first = r.citations[0]!;
      // The first line is a clause of the lead sentence (or the sentence itself): the sentence holding it prescribes.
      const lead = r.citations.find((c) => c.docId === first.docId && c.start <= first.start && first.end <= c.end && c !== first) ?? first;
      expect(lead.text).toMatch(/要|必须|应当|应该|坚持|确保|做到/u);
      expect(lead.text).not.toContain('大闹大解决');
    });
  });
});
