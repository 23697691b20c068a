/**
 * Generated regions in Markdown files:
 *
 *   <!-- generated:NAME:start -->
 *   …rendered by sections[NAME]…
 *   <!-- generated:NAME:end -->
 *
 * renderRegions rewrites each region that has a renderer and reports which ones
 * changed; regions without a renderer are left exactly as they are.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SectionRenderer } from './sections.js';

const REGION = /<!-- generated:([a-z0-9-]+):start -->\n([\s\S]*?)<!-- generated:([a-z0-9-]+):end -->/gu;

export interface RegionReport {
  name: string;
  /** false when no renderer is registered under this name (the region is kept as is). */
  rendered: boolean;
  stale: boolean;
}

export function renderRegions(text: string, sections: Record<string, SectionRenderer>): { text: string; regions: RegionReport[] } {
  const regions: RegionReport[] = [];
  const out = text.replace(REGION, (whole, name: string, body: string, endName: string) => {
    if (name !== endName) throw new Error(`generated region "${name}" ends with the marker of "${endName}"`);
    const render = sections[name];
    if (!render) {
      regions.push({ name, rendered: false, stale: false });
      return whole;
    }
    const fresh = `${render().trim()}\n`;
    regions.push({ name, rendered: true, stale: fresh !== body });
    return `<!-- generated:${name}:start -->\n${fresh}<!-- generated:${name}:end -->`;
  });
  const starts = [...text.matchAll(/<!-- generated:([a-z0-9-]+):start -->/gu)].length;
  if (starts !== regions.length) throw new Error(`${starts - regions.length} generated region(s) without a matching end marker`);
  return { text: out, regions };
}

/** The Markdown files that may hold generated regions: README.md and docs/*.md, relative to the repository. */
export function docFiles(root: string): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
}
