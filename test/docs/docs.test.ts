/**
 * The documentation cannot drift from the measurements: every generated region of README.md and docs/*.md
 * equals what scripts/docs/sections.ts renders from bench/results/*.json (fix: `npm run docs`), and every
 * relative link in them points at a file that exists (and, with a #fragment, at a heading of that file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docFiles, renderRegions } from '../../scripts/docs/regions.js';
import { REPO_ROOT } from '../../scripts/docs/results.js';
import { sections } from '../../scripts/docs/sections.js';

const files = docFiles(REPO_ROOT);
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

describe('generated regions', () => {
  it.each(files)('%s is up to date (npm run docs)', (file) => {
    const { regions } = renderRegions(read(file), sections);
    expect(regions.filter((r) => r.stale).map((r) => r.name)).toEqual([]);
  });

  it('every renderer has a region somewhere in the docs', () => {
    const used = new Set(files.flatMap((f) => renderRegions(read(f), sections).regions.map((r) => r.name)));
    expect(Object.keys(sections).filter((name) => !used.has(name))).toEqual([]);
  });

  it('regions without a renderer are kept as they are', () => {
    const text = 'a\n<!-- generated:nobody:start -->\nhand-written\n<!-- generated:nobody:end -->\nb\n';
    expect(renderRegions(text, sections)).toEqual({ text, regions: [{ name: 'nobody', rendered: false, stale: false }] });
  });

  it('rewrites a stale region and reports it', () => {
    const text = '<!-- generated:soak:start -->\nold\n<!-- generated:soak:end -->\n';
    const { text: out, regions } = renderRegions(text, sections);
    expect(regions).toEqual([{ name: 'soak', rendered: true, stale: true }]);
    expect(out).toBe(`<!-- generated:soak:start -->\n${sections.soak!().trim()}\n<!-- generated:soak:end -->\n`);
  });

  it('refuses a region with no end marker', () => {
    expect(() => renderRegions('<!-- generated:soak:start -->\nx\n', sections)).toThrow(/end marker/u);
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/gu, '-');

const headings = (file: string) =>
  new Set(
    [
      ...read(file)
        .replace(/```[\s\S]*?```/gu, '')
        .matchAll(/^#{1,6} (.+)$/gmu),
    ].map((m) => anchor(m[1]!)),
  );

describe('relative links', () => {
  it.each(files)('%s links only to files and headings that exist', (file) => {
    const text = read(file).replace(/```[\s\S]*?```/gu, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/gu)) {
      if (/^[a-z]+:/iu.test(target!)) continue; // http:, https:, mailto:
      const [path, fragment] = target!.split('#') as [string, string | undefined];
      const resolved = path === '' ? join(REPO_ROOT, file) : join(REPO_ROOT, dirname(file), path);
      if (!existsSync(resolved)) broken.push(target!);
      else if (fragment && resolved.endsWith('.md') && !headings(relative(REPO_ROOT, resolved)).has(fragment)) broken.push(target!);
    }
    expect(broken).toEqual([]);
  });
});
