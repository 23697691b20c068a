/**
 * Worker-thread entry: builds the corpus' dictionary lexicon from CC-CEDICT (the vocabulary with frequencies in
 * `workerData`) and posts its snapshot back. Loading the dictionary blocks for seconds; here it blocks only this
 * thread, never the server's event loop (see buildCorpusLexicon).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lexiconToJSON } from '../core/retrieve/bilingual.js';
import { lexiconFromDictionary } from './lexicon.js';

const frequencies = workerData as [string, number][];
parentPort!.postMessage(lexiconToJSON(await lexiconFromDictionary(frequencies)));
