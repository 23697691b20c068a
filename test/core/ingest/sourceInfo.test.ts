import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../../src/core/ingest/document.js';
import { levelOf, NOT_STATED, sourceInfo } from '../../../src/core/ingest/sourceInfo.js';
import { parseSourcesFile, SourcesFileError } from '../../../src/core/ingest/sourcesFile.js';
import { NEUTRAL_DOMAIN } from '../../../src/core/domain/pack.js';
import { corpusDocument, corpusDocuments, CORPUS_FILES, CORPUS_SOURCES } from '../../helpers/corpus.js';
import { corpusDomain } from '../../helpers/domain.js';

describe('source information of the corpus speeches', () => {
  it('every speech has sidecar metadata, and its canonical text is the same with or without it', () => {
    for (const name of CORPUS_FILES) expect(CORPUS_SOURCES[name]?.meeting).toBeTruthy();
    for (const p of ['000', '001', '002', '003', '004']) expect(corpusDocument(p).text).toBe(corpusDocument(p, { sidecar: false }).text);
  });

  it('the copy-ready form names the speech and the level of its meeting', () => {
    expect(sourceInfo(corpusDocument('001'), corpusDomain()).cite).toBe('据《在全市维护稳定暨信访工作会议上的讲话》（市级会议）');
    expect(sourceInfo(corpusDocument('003'), corpusDomain()).cite).toBe('据《在全省**队伍信访工作会议上的讲话》（省级会议）');
  });

  it('what no one states is 未注明, never guessed', () => {
    for (const doc of corpusDocuments()) expect(sourceInfo(doc, corpusDomain()).date).toBe(NOT_STATED);
  });

  it("without a sidecar, the level is read from the speech's own title and opening through the pack's scopes", () => {
    const levels = ['000', '001', '002', '003', '004'].map((p) => levelOf(corpusDocument(p, { sidecar: false }), corpusDomain()));
    expect(levels).toEqual(['县级', '市级', '县级', '省级', '县级']);
    const info = sourceInfo(corpusDocument('001', { sidecar: false }), corpusDomain());
    expect(info).toMatchObject({ meeting: '全市维护稳定暨信访工作会议', level: '市级', speaker: NOT_STATED, place: NOT_STATED });
  });

  it('with the neutral domain (no scopes) a document without metadata states only its title', () => {
    const doc = buildDocument({ name: 'a.txt', raw: '一份没有会议名称的文件。内容。' });
    expect(sourceInfo(doc, NEUTRAL_DOMAIN)).toMatchObject({ level: NOT_STATED, meeting: NOT_STATED, cite: `据《${doc.title}》` });
  });

  it("front matter wins over the sidecar's entry, and the date joins the copy-ready form", () => {
    const doc = buildDocument({ name: 'a.md', raw: '---\nlevel: 市级\ndate: 2021-05-01\n---\n正文。' }, {}, { level: '县级', meeting: '某某会议' });
    expect(doc.meta).toMatchObject({ level: '市级', meeting: '某某会议', date: '2021-05-01' });
    expect(doc.title).toBe('在某某会议上的讲话');
    expect(sourceInfo(doc, NEUTRAL_DOMAIN).cite).toBe('据《在某某会议上的讲话》（市级会议，2021-05-01）');
  });
});

describe('parseSourcesFile', () => {
  it('reads file names to metadata, keeping numbers as written', () => {
    expect(parseSourcesFile('a.txt:\n  level: 县级\n  date: 2021\nb.txt:\n')).toEqual({ 'a.txt': { level: '县级', date: '2021' }, 'b.txt': {} });
  });

  it('names the file, the key and the problem for bad input', () => {
    expect(() => parseSourcesFile('a.txt: [1, 2', 'x/yiju.sources.yaml')).toThrow(/x\/yiju\.sources\.yaml is not valid YAML/u);
    expect(() => parseSourcesFile('a.txt:\n  levle: 县级')).toThrow(SourcesFileError);
    expect(() => parseSourcesFile('a.txt:\n  levle: 县级')).toThrow(/a\.txt/u);
  });
});
