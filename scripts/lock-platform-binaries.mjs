// Adds lock entries for @node-rs/jieba's platform binaries that this workplace's npm mirror does not
// serve (only linux-x64 exists there). The public registry has them all, and `npm install` against it
// writes these same entries; without them `npm ci` refuses the lock file ("Missing: … from lock file").
// npm ci skips them on other platforms by their os/cpu fields, so nothing is downloaded.
// Run after `npm install` changes package-lock.json: node scripts/lock-platform-binaries.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const parent = lock.packages['node_modules/@node-rs/jieba'];
const platform = (name) => {
  const [os, cpu, abi] = name.replace('@node-rs/jieba-', '').split('-');
  const entry = { os: [os], cpu: [cpu === 'arm' ? 'arm' : cpu] };
  if (abi === 'gnu') entry.libc = ['glibc'];
  if (abi === 'musl') entry.libc = ['musl'];
  return entry;
};
let added = 0;
for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = { version, ...platform(name), license: 'MIT', optional: true, engines: { node: '>= 10' } };
  added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-binaries: added ${added} entries`);
