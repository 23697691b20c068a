import { z } from 'zod';
import { UserFacingError } from '../core/errors.js';

/**
 * How Yiju's settings are declared: each one once, as a zod schema carrying
 * its environment variable and a description. The Node server and the Worker
 * read their environment through `readSettings` with the common settings
 * (src/config/common.ts) plus their own; docs/configuration.md is generated
 * from the same declarations. Runtime-neutral: no `node:` imports.
 */

export interface SettingMeta {
  /** The environment variable (or Worker variable / secret) behind it. */
  env: string;
  description: string;
  /** Secrets are never printed or documented with a value. */
  secret?: boolean;
  /** Other names read when `env` is unset (older or alternative spellings). */
  aliases?: string[];
}

const META = Symbol.for('yiju.setting');
type Declared = z.ZodType & { [META]?: SettingMeta };

/** Declares one setting: its schema (with any default), its variable and what it does. */
export function setting<T extends z.ZodType>(env: string, schema: T, description: string, options: { secret?: boolean; aliases?: string[] } = {}): T {
  const declared = schema.meta({ description }) as T & Declared;
  declared[META] = { env, description, ...options };
  return declared;
}

/** A group of settings (a nested object), present even when none of its variables is set. */
export const group = <S extends z.ZodRawShape>(shape: S) => z.object(shape).prefault({} as never);

/** Yes/no: 1, true, yes or 0, false, no. */
export const bool = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

/** The most proxies YIJU_TRUST_PROXY may name. */
const MAX_PROXY_HOPS = 10;

/**
 * How many proxies in front of the server append to X-Forwarded-For: a number of hops, or yes (1) / no (0).
 */
export const proxyHops = z
  .union([z.boolean(), z.enum(['true', 'false', 'yes', 'no']), z.coerce.number().int().min(0).max(MAX_PROXY_HOPS)])
  .transform((v) => (typeof v === 'number' ? v : v === true || v === 'true' || v === 'yes' ? 1 : 0));

/**
 * The one list syntax: items separated by commas, "|" or whitespace, empty items dropped. (Keys,
 * origins and segmentation terms never contain spaces; a watermark that does is given in parts.)
 */
export const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,|]+/u)).map((s) => s.trim()).filter(Boolean));

/** A whole number from the environment, within bounds. */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A setting that cannot be used; the message names the variable and the fix. */
export class ConfigError extends UserFacingError {
  override name = 'ConfigError';
}

export interface DeclaredSetting extends SettingMeta {
  /** Where it lands in the configuration object, e.g. `http.rateLimit`. */
  path: string;
  /** The default as written in the docs, or undefined when unset by default. */
  defaultValue: unknown;
  /** Its type, for the docs (`integer 1–50`, `one of auto, none`, `list`, …). */
  type: string;
}

const unwrap = (s: z.ZodType): z.ZodType => {
  const def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  if ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional' || def.type === 'nullable') && def.innerType) return unwrap(def.innerType);
  if (def.type === 'pipe' && def.in) return unwrap(def.in);
  return s;
};

function describeType(s: z.ZodType): string {
  const inner = unwrap(s);
  const def = (inner as unknown as { _zod: { def: { type: string; entries?: Record<string, string>; options?: z.ZodType[] } } })._zod.def;
  if (inner === unwrap(proxyHops as unknown as z.ZodType)) return `yes/no or hops 0–${MAX_PROXY_HOPS}`;
  if (s === (bool as unknown) || (def.type === 'union' && def.options?.some((o) => unwrap(o)._zod.def.type === 'boolean'))) return 'yes/no';
  if (def.type === 'union') return 'list';
  if (def.type === 'enum') return `one of ${Object.values(def.entries ?? {}).join(', ')}`;
  if (def.type === 'number') {
    const n = inner as z.ZodNumber;
    return n.maxValue === null || n.maxValue > Number.MAX_SAFE_INTEGER / 2 ? 'positive integer' : `integer ${n.minValue ?? ''}–${n.maxValue}`;
  }
  return 'text';
}

function defaultOf(s: z.ZodType): unknown {
  const parsed = s.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/** Every declared setting of a schema, in declaration order. */
export function declaredSettings(schema: z.ZodObject, prefix = ''): DeclaredSetting[] {
  const out: DeclaredSetting[] = [];
  for (const [key, field] of Object.entries(schema.shape as Record<string, Declared>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const meta = field[META];
    if (meta) {
      out.push({ ...meta, path, defaultValue: defaultOf(field), type: describeType(field) });
      continue;
    }
    const inner = unwrap(field);
    if (inner instanceof z.ZodObject) out.push(...declaredSettings(inner, path));
  }
  return out;
}

type Env = Record<string, unknown>;

/**
 * Reads the declared settings from an environment (Node's environment, or a Worker's
 * bindings: only string values count; empty ones are unset) and validates
 * them. Errors name the variables, never echo a secret's value.
 */
export function readSettings<S extends z.ZodObject>(schema: S, env: Env, context = 'configuration'): z.infer<S> {
  const declared = declaredSettings(schema);
  const raw: Record<string, unknown> = {};
  for (const { path, env: name, aliases = [] } of declared) {
    const value = [name, ...aliases].map((n) => env[n]).find((v) => typeof v === 'string' && v !== '');
    if (typeof value !== 'string' || value === '') continue;
    const keys = path.split('.');
    let node = raw;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const byPath = new Map(declared.map((d) => [d.path, d.env]));
    const lines = parsed.error.issues.map((i) => `  ${byPath.get(i.path.join('.')) ?? i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid ${context}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
