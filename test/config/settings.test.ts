/**
 * The settings declarations (src/config): one reader for both runtimes, one list syntax, one meaning and
 * maximum for topK, and a reference generated from the same declarations.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, declaredSettings, group, int, list, readSettings, setting } from '../../src/config/settings.js';
import { settingsTable } from '../../src/config/reference.js';
import { NodeConfigSchema, loadConfig } from '../../src/node/config.js';
import { WorkerConfigSchema, loadWorkerConfig } from '../../src/workers/config.js';

describe('declared settings', () => {
  const node = declaredSettings(NodeConfigSchema);
  const workers = declaredSettings(WorkerConfigSchema);

  it('every setting has a variable and a description, and each variable is declared once per runtime', () => {
    for (const s of [...node, ...workers]) {
      expect(s.env, s.path).toMatch(/^[A-Z][A-Z0-9_]*$/u);
      expect(s.description.length, s.env).toBeGreaterThan(10);
    }
    for (const all of [node, workers]) expect(new Set(all.map((s) => s.env)).size).toBe(all.length);
  });

  it('the runtimes share the common settings and add only their own', () => {
    const shared = node.filter((s) => workers.some((w) => w.env === s.env)).map((s) => s.env);
    expect(shared).toEqual(
      expect.arrayContaining(['YIJU_TOP_K', 'YIJU_MAX_TOP_K', 'YIJU_API_KEYS', 'YIJU_RATE_LIMIT', 'OPENAI_API_KEY', 'YIJU_CHAT_MODEL', 'YIJU_CHAT']),
    );
    expect(node.map((s) => s.env)).not.toContain('YIJU_RETRIEVAL');
    expect(workers.map((s) => s.env)).not.toContain('YIJU_CORPUS_DIR');
  });

  it('the reference table lists every variable once, hides secrets, and says where it applies', () => {
    const table = settingsTable({ node: NodeConfigSchema, workers: WorkerConfigSchema });
    const rows = table.split('\n').slice(2);
    expect(rows).toHaveLength(new Set([...node, ...workers].map((s) => s.env)).size);
    expect(table).toMatch(/\| `YIJU_API_KEYS` \| list \| \(secret\) \| all \|/u);
    expect(table).toMatch(/\| `YIJU_TOP_K` \| integer 1–50 \| `5` \| all \|/u);
    expect(table).toMatch(/\| `YIJU_RETRIEVAL` \| one of auto, bundled, vectorize \| `auto` \| workers \|/u);
    expect(table).toMatch(/\| `YIJU_CORPUS_DIR` \| text \| `corpus` \| node \|/u);
  });
});

describe('readSettings', () => {
  const schema = z.object({
    a: setting('T_A', int(1, 9).default(3), 'a number for the test'),
    g: group({
      names: setting('T_NAMES', list.default([]), 'a list for the test'),
      alias: setting('T_NEW', z.string().optional(), 'read under two names', { aliases: ['T_OLD'] }),
    }),
  });

  it("reads strings only (a Worker's other bindings are ignored), treats empty as unset, applies defaults", () => {
    expect(readSettings(schema, { T_A: '', T_NAMES: {} as unknown as string })).toEqual({ a: 3, g: { names: [] } });
  });

  it('one list syntax: commas, "|" or whitespace', () => {
    expect(readSettings(schema, { T_NAMES: 'a, b|c d\ne,,' }).g.names).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reads an alias when the main name is unset', () => {
    expect(readSettings(schema, { T_OLD: 'x' }).g.alias).toBe('x');
    expect(readSettings(schema, { T_OLD: 'x', T_NEW: 'y' }).g.alias).toBe('y');
  });

  it('names the variable in errors, for every bad one at once', () => {
    const err = (() => {
      try {
        readSettings(schema, { T_A: '10', T_NAMES: 'ok' }, 'test configuration');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/^Invalid test configuration:\n {2}T_A: /u);
  });
});

describe('topK means one thing everywhere', () => {
  it('YIJU_TOP_K is the default and YIJU_MAX_TOP_K the maximum, in both runtimes', () => {
    expect(loadConfig({ YIJU_TOP_K: '7', YIJU_MAX_TOP_K: '30' }).retrieval).toMatchObject({ topK: 7, maxTopK: 30 });
    expect(loadWorkerConfig({ YIJU_TOP_K: '7', YIJU_MAX_TOP_K: '30' }).retrieval).toEqual({ topK: 7, maxTopK: 30 });
  });

  it('a default larger than the maximum is refused, naming both', () => {
    expect(() => loadConfig({ YIJU_TOP_K: '20', YIJU_MAX_TOP_K: '10' })).toThrow(/YIJU_TOP_K \(20\) is larger than YIJU_MAX_TOP_K \(10\)/u);
    expect(() => loadWorkerConfig({ YIJU_TOP_K: '20', YIJU_MAX_TOP_K: '10' })).toThrow(ConfigError);
  });
});

describe('YIJU_CHAT', () => {
  it('none keeps the offline mode even with a model configured; workers-ai is refused on Node', () => {
    expect(loadConfig({ YIJU_CHAT: 'none', OPENAI_API_KEY: 'k', YIJU_CHAT_MODEL: 'm' }).chat).toBe('none');
    expect(() => loadConfig({ YIJU_CHAT: 'workers-ai' })).toThrow(/runs only on Cloudflare Workers/u);
    expect(() => loadConfig({ YIJU_CHAT: 'openai' })).toThrow(/YIJU_CHAT=openai needs OPENAI_API_KEY and YIJU_CHAT_MODEL/u);
  });
});
