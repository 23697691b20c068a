import type { z } from 'zod';
import { declaredSettings, type DeclaredSetting } from './settings.js';

/** How a default reads in the docs. */
function shownDefault(s: DeclaredSetting): string {
  const v = s.defaultValue;
  if (v === undefined) return '—';
  if (Array.isArray(v)) return v.length ? `\`${v.join(',')}\`` : '(empty)';
  if (typeof v === 'boolean') return v ? '`yes`' : '`no`';
  return `\`${String(v)}\``;
}

/**
 * The settings table of docs/configuration.md, from the declarations: every
 * variable once, with the runtimes that read it. `schemas` maps a runtime's
 * name to its schema, e.g. `{ node: NodeConfigSchema, workers: WorkerConfigSchema }`.
 */
export function settingsTable(schemas: Record<string, z.ZodObject>): string {
  const rows = new Map<string, { s: DeclaredSetting; runtimes: string[] }>();
  for (const [runtime, schema] of Object.entries(schemas)) {
    for (const s of declaredSettings(schema)) {
      const row = rows.get(s.env);
      if (row) row.runtimes.push(runtime);
      else rows.set(s.env, { s, runtimes: [runtime] });
    }
  }
  const all = Object.keys(schemas).length;
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = ['| variable | type | default | where | what it does |', '|---|---|---|---|---|'];
  for (const { s, runtimes } of rows.values()) {
    const names = [s.env, ...(s.aliases ?? [])].map((n) => `\`${n}\``).join(' (or ') + (s.aliases?.length ? ')' : '');
    const where = runtimes.length === all ? 'all' : runtimes.join(', ');
    lines.push(`| ${names} | ${cell(s.type)} | ${s.secret ? '(secret)' : cell(shownDefault(s))} | ${where} | ${cell(s.description)} |`);
  }
  return lines.join('\n');
}
