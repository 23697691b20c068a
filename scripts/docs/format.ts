/** Number formatting shared by the section renderers, so every doc writes figures alike. */

/** Two significant digits below 100 ms, whole milliseconds below 1 s, then seconds and minutes. */
export function duration(ms: number): string {
  if (ms < 100) return `${ms.toPrecision(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 600) return `${Math.round(s)} s`;
  return `${(s / 60).toFixed(1)} min`;
}

/** One decimal, in milliseconds (latency tables of small numbers); whole milliseconds from 100 ms. */
export const ms1 = (ms: number) => (ms < 100 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`);

/** Seconds with one decimal. */
export const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const sig2 = (x: number) => Number(x.toPrecision(2)).toString();

export const fixed3 = (x: number) => x.toFixed(3);

export const pct0 = (x: number) => `${Math.round(100 * x)} %`;
export const pct1 = (x: number) => `${(100 * x).toFixed(1)} %`;

/** 15000 → "15 000" (thin grouping as the docs write it). */
export const grouped = (n: number) =>
  Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/gu, ' ');

/** Bytes in kB of 1024, one decimal (what build:web prints). */
export const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
export const KiB = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

/** Bytes in binary MB / GB, as the scale section writes disk sizes. */
export const mbOrGb = (bytes: number) => (bytes < 1024 ** 3 ? `${Math.round(bytes / 1024 ** 2)} MB` : `${(bytes / 1024 ** 3).toFixed(2)} GB`);

/** Hours or minutes for an estimate: "≈ 12 min", "≈ 2 h", "≈ 20 h". */
export function estimate(seconds: number): string {
  if (seconds < 3600) return `≈ ${Math.round(seconds / 60)} min`;
  return `≈ ${sig2(seconds / 3600)} h`;
}

export const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export const machineLine = (m: { cpus: number; cpu: string; memoryGiB: number; node: string }, date: string) =>
  `Measured ${date.slice(0, 10)} on ${m.cpus} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node.replace(/^v/u, '')}.`;
