/** Yiju's configuration, declared once (runtime-neutral; the runtimes add their own settings). */
export * from './settings.js';
export * from './common.js';
