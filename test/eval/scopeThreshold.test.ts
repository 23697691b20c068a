import { describe, expect, it } from 'vitest';
import { chooseScopeThreshold } from '../../src/eval/scopeThreshold.js';

const s = (score: number, inScope: boolean) => ({ score, inScope });

describe('chooseScopeThreshold', () => {
  it('cuts halfway between the classes when they separate cleanly', () => {
    expect(chooseScopeThreshold([s(0.1, false), s(0.2, false), s(0.6, true), s(0.9, true)])).toEqual({ threshold: 0.4, caught: 2, rejected: 0 });
  });

  it('trades caught against rejected, preferring the lower cut on ties', () => {
    // Cutting above 0.5 catches one more out-of-scope question but rejects one answerable one: no gain, so stay lower.
    const r = chooseScopeThreshold([s(0.1, false), s(0.3, true), s(0.5, false), s(0.7, true)]);
    expect(r).toEqual({ threshold: 0.2, caught: 1, rejected: 0 });
  });

  it('catches nothing when every question is answerable', () => {
    expect(chooseScopeThreshold([s(0.2, true), s(0.8, true)])).toEqual({ threshold: 0, caught: 0, rejected: 0 });
  });
});
