import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../src/core/hash.js';
import { planVectorSync, VECTOR_PUSH_STATE_SCHEMA, VectorSyncError, type VectorSyncInput, type VectorText } from '../../../src/core/indexing/vectorSync.js';

const EMBEDDER = { id: 'workers-ai:@cf/baai/bge-m3', dimensions: 1024 };
const TARGET = 'acct/yiju@2026-01-01T00:00:01.000Z';
const NOW = new Date('2026-02-03T04:05:06.000Z');

const items: VectorText[] = [
  { id: 'c:a#0', text: '信访工作是群众工作。' },
  { id: 's:a#0:0', text: '信访工作是群众工作' },
  { id: 'c:b#0', text: '初信初访要及时就地解决。' },
  { id: 's:b#0:0', text: '初信初访要及时就地解决' },
];

const input = (over: Partial<VectorSyncInput> = {}): VectorSyncInput => ({
  previous: null,
  items,
  embedder: EMBEDDER,
  corpusHash: 'corpus-1',
  target: TARGET,
  now: NOW,
  ...over,
});

/** The state a complete push of `input` leaves behind. */
const pushed = (over: Partial<VectorSyncInput> = {}) => planVectorSync(input(over)).next;

describe('planVectorSync', () => {
  it('upserts every vector on the first push and records a content hash per id', () => {
    const plan = planVectorSync(input());
    expect(plan.full).toBe(true);
    expect(plan.upToDate).toBe(false);
    expect(plan.upsert).toEqual(items);
    expect(plan.delete).toEqual([]);
    expect(plan.unchanged).toBe(0);
    expect(plan.reason).toMatch(/first push/u);
    expect(plan.next).toEqual({
      schema: VECTOR_PUSH_STATE_SCHEMA,
      target: TARGET,
      embedder: EMBEDDER,
      corpusHash: 'corpus-1',
      vectors: Object.fromEntries(items.map((i) => [i.id, contentHash(i.text)])),
      pushedAt: NOW.toISOString(),
    });
    expect(plan.stateChanged).toBe(true);
  });

  it('has nothing to do when corpus, embedder, target and vector texts are the same', () => {
    const plan = planVectorSync(input({ previous: pushed() }));
    expect(plan).toMatchObject({ upsert: [], delete: [], unchanged: items.length, upToDate: true, full: false, stateChanged: false });
    expect(plan.reason).toMatch(/^up to date/u);
  });

  it('upserts new and changed texts, deletes ids that are gone, and leaves the rest', () => {
    const now: VectorText[] = [
      items[0]!,
      { id: 's:a#0:0', text: '信访工作是党的群众工作' }, // changed
      { id: 'c:c#0', text: '新的讲话。' }, // new
    ];
    const plan = planVectorSync(input({ previous: pushed(), items: now, corpusHash: 'corpus-2' }));
    expect(plan.full).toBe(false);
    expect(plan.upsert.map((i) => i.id)).toEqual(['s:a#0:0', 'c:c#0']);
    expect(plan.delete.sort()).toEqual(['c:b#0', 's:b#0:0']);
    expect(plan.unchanged).toBe(1);
    expect(plan.reason).toMatch(/corpus changed .*1 new, 1 changed, 2 removed, 1 unchanged/u);
    expect(Object.keys(plan.next.vectors).sort()).toEqual(['c:a#0', 'c:c#0', 's:a#0:0']);
    expect(plan.next.vectors['s:a#0:0']).toBe(contentHash('信访工作是党的群众工作'));
  });

  it('re-upserts everything when the embedder or its size changes, and says so; stale ids are still deleted', () => {
    const previous = pushed({ items: [...items, { id: 'c:old#0', text: '旧' }] });
    const model = planVectorSync(input({ previous, embedder: { id: 'workers-ai:@cf/baai/bge-large-en-v1.5', dimensions: 1024 } }));
    expect(model.full).toBe(true);
    expect(model.upsert).toEqual(items);
    expect(model.unchanged).toBe(0);
    expect(model.delete).toEqual(['c:old#0']);
    expect(model.reason).toMatch(/embedder changed \(workers-ai:@cf\/baai\/bge-m3 → workers-ai:@cf\/baai\/bge-large-en-v1\.5\)/u);

    const size = planVectorSync(input({ previous, embedder: { id: EMBEDDER.id, dimensions: 768 } }));
    expect(size.full).toBe(true);
    expect(size.upsert).toHaveLength(items.length);
    expect(size.reason).toMatch(/embedding size changed \(1024 → 768\)/u);
  });

  it('starts over on another target (other account, index, or a recreated index) without deleting there', () => {
    const plan = planVectorSync(
      input({ previous: pushed({ items: [...items, { id: 'c:old#0', text: '旧' }] }), target: 'acct/yiju@2026-05-01T00:00:00.000Z' }),
    );
    expect(plan.full).toBe(true);
    expect(plan.upsert).toHaveLength(items.length);
    expect(plan.delete).toEqual([]);
    expect(plan.reason).toMatch(/target changed/u);
  });

  it('--force re-upserts every vector even when up to date', () => {
    const plan = planVectorSync(input({ previous: pushed(), force: true }));
    expect(plan).toMatchObject({ full: true, upToDate: false, unchanged: 0, delete: [] });
    expect(plan.upsert).toEqual(items);
    expect(plan.reason).toMatch(/forced/u);
  });

  it('treats a state of another format as no state', () => {
    const plan = planVectorSync(input({ previous: { ...pushed(), schema: VECTOR_PUSH_STATE_SCHEMA + 1 } }));
    expect(plan.full).toBe(true);
    expect(plan.delete).toEqual([]);
    expect(plan.reason).toMatch(/format/u);
  });

  it('a new corpus hash with the same vector texts writes nothing to the index but updates the state', () => {
    const plan = planVectorSync(input({ previous: pushed(), corpusHash: 'corpus-2' }));
    expect(plan).toMatchObject({ upToDate: true, upsert: [], delete: [], stateChanged: true });
    expect(plan.next.corpusHash).toBe('corpus-2');
  });

  it('notices changed texts under the same corpus hash (e.g. titles now prefixed to passages)', () => {
    const titled = items.map((i) => (i.id.startsWith('c:') ? { ...i, text: `标题\n${i.text}` } : i));
    const plan = planVectorSync(input({ previous: pushed(), items: titled }));
    expect(plan.upToDate).toBe(false);
    expect(plan.upsert.map((i) => i.id)).toEqual(['c:a#0', 'c:b#0']);
    expect(plan.reason).toMatch(/same corpus/u);
  });

  it('refuses duplicate vector ids', () => {
    expect(() => planVectorSync(input({ items: [...items, items[0]!] }))).toThrow(VectorSyncError);
  });

  it('changes neither the previous state nor the items', () => {
    const previous = pushed();
    const frozenPrev = structuredClone(previous);
    const list = items.map((i) => ({ ...i }));
    planVectorSync(input({ previous, items: list, corpusHash: 'corpus-2', force: true }));
    expect(previous).toEqual(frozenPrev);
    expect(list).toEqual(items);
  });
});
