import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN_PACK_FILE, domainFromYaml, type Domain } from '../../src/core/domain/pack.js';
import { CORPUS_DIR } from './corpus.js';

let cached: Domain | undefined;

/** The domain pack the repository's corpus carries (petition work), compiled once per test file. */
export function corpusDomain(): Domain {
  cached ??= domainFromYaml(readFileSync(join(CORPUS_DIR, DOMAIN_PACK_FILE), 'utf8'), DOMAIN_PACK_FILE);
  return cached;
}
