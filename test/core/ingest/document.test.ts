import { describe, expect, it } from 'vitest';
import { buildDocument, documentId } from '../../../src/core/ingest/document.js';
import { CORPUS_FILES, readCorpusRaw } from '../../helpers/corpus.js';

describe('documentId', () => {
  it('is the file name without extension for the corpus files', () => {
    expect(documentId('000_7cd7c9b623be1726.txt')).toBe('000_7cd7c9b623be1726');
    for (const name of CORPUS_FILES) expect(documentId(name)).toBe(name.replace(/\.txt$/u, ''));
  });

  it('ignores folders and the .txt/.md/.markdown extension (any case)', () => {
    expect(documentId('corpus/sub/002_abc.md')).toBe('002_abc');
    expect(documentId('C:\\speeches\\讲话.TXT')).toBe('讲话');
    expect(documentId('notes.markdown')).toBe('notes');
  });

  it('is URL-safe: other characters become "-", without edge dashes', () => {
    const id = documentId('  县委 书记(2023)讲话!.txt');
    expect(id).toBe('县委-书记-2023-讲话');
    expect(encodeURIComponent(id.replace(/[\p{L}\p{N}]/gu, ''))).toBe(id.replace(/[\p{L}\p{N}]/gu, ''));
  });

  it('is stable and Unicode-normalised (NFC and NFD names give the same id)', () => {
    const nfc = 'café讲话.txt'.normalize('NFC');
    const nfd = 'café讲话.txt'.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect(documentId(nfd)).toBe(documentId(nfc));
    expect(documentId(nfc)).toBe(documentId(nfc));
  });

  it('never returns an empty id', () => {
    expect(documentId('!!!.txt')).not.toBe('');
  });
});

describe('buildDocument', () => {
  it('uses the file name for the id and keeps the canonical text', () => {
    const doc = buildDocument({ name: '000_7cd7c9b623be1726.txt', raw: readCorpusRaw('000_7cd7c9b623be1726.txt') });
    expect(doc.id).toBe('000_7cd7c9b623be1726');
    expect(doc.text.startsWith('同志们：\n刚才县信访局通报了')).toBe(true);
    expect(doc.meta).toEqual({});
  });

  it('honours front matter: title, date, place, speaker, source', () => {
    const raw = [
      '---',
      'title: 在全县信访工作会议上的讲话',
      'date: 2023-05-01',
      'place: 某县会议中心',
      'speaker: 张三',
      'source: 县政府网站',
      'tags: [ignored]',
      '---',
      '同志们：',
      '今天我们召开全市信访工作推进会议。',
    ].join('\n');
    const doc = buildDocument({ name: 'speech.md', raw });
    expect(doc.title).toBe('在全县信访工作会议上的讲话');
    expect(doc.meta).toEqual({ title: '在全县信访工作会议上的讲话', date: '2023-05-01', place: '某县会议中心', speaker: '张三', source: '县政府网站' });
    expect(doc.text).toBe('同志们：\n今天我们召开全市信访工作推进会议。');
    expect(doc.text).not.toContain('---');
  });

  it('turns a YAML date into YYYY-MM-DD and keeps a quoted date as written', () => {
    expect(buildDocument({ name: 'a.md', raw: '---\ndate: 2021-12-31\n---\n正文。' }).meta.date).toBe('2021-12-31');
    expect(buildDocument({ name: 'b.md', raw: '---\ndate: "2021年12月"\n---\n正文。' }).meta.date).toBe('2021年12月');
  });

  it('keeps the calendar date of a YAML timestamp written with a time zone', () => {
    // 02:00 on 1 May in China is still 1 May, although it is 30 April in UTC.
    expect(buildDocument({ name: 'a.md', raw: '---\ndate: 2023-05-01T02:00:00+08:00\n---\n正文。' }).meta.date).toBe('2023-05-01');
  });

  it('accepts numbers as metadata values', () => {
    expect(buildDocument({ name: 'a.md', raw: '---\ntitle: 2023\n---\n正文。' }).meta.title).toBe('2023');
  });

  it('handles a BOM and CRLF line endings around the front matter', () => {
    const doc = buildDocument({ name: 'a.md', raw: '\ufeff---\r\ntitle: 标题\r\nspeaker: 李四\r\n---\r\n同志们：\r\n开会。\r\n' });
    expect(doc.meta).toEqual({ title: '标题', speaker: '李四' });
    expect(doc.text).toBe('同志们：\n开会。');
  });

  it('rejects invalid YAML with a clear error naming the file', () => {
    const raw = '---\ntitle: [unclosed\ndate: 2023-01-01\n---\n正文。';
    expect(() => buildDocument({ name: 'broken.md', raw })).toThrowError(/broken\.md: the front matter is not valid YAML \(.+\)/u);
  });

  it('does not treat a dash line in the middle of the text as front matter', () => {
    const doc = buildDocument({ name: 'a.txt', raw: '同志们：\n---\n开会。' });
    expect(doc.meta).toEqual({});
    expect(doc.text).toBe('同志们：\n---\n开会。');
  });

  it('content hash: stable, ignores whitespace-only differences, changes with text or metadata', () => {
    const raw = '同志们：\n今天开会。';
    const a = buildDocument({ name: 'a.txt', raw });
    expect(buildDocument({ name: 'a.txt', raw }).hash).toBe(a.hash);
    expect(buildDocument({ name: 'a.txt', raw: '同志们：\r\n\r\n  今天开会。  \r\n' }).hash).toBe(a.hash);
    expect(buildDocument({ name: 'a.txt', raw: '同志们：\n今天开会了。' }).hash).not.toBe(a.hash);
    expect(buildDocument({ name: 'a.txt', raw: `---\nspeaker: 王五\n---\n${raw}` }).hash).not.toBe(a.hash);
  });
});
