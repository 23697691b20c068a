import { readFileSync } from 'node:fs';

/** Yiju's version, from package.json (reported by /api/health and packed into the Worker). */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
