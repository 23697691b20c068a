import { describe, expect, it } from 'vitest';
import { cleanText, DEFAULT_WATERMARKS, dropPreviewLines, normaliseWhitespace, stripWatermarks } from '../../../src/core/ingest/clean.js';
import { CORPUS_FILES, corpusFile, readCorpusRaw } from '../../helpers/corpus.js';

const WATERMARK = '本资料权属文秘资源网放上鼠标按照提示查看文秘资源网';
/** Everything JavaScript considers whitespace, plus zero-width characters. */
const ALL_WHITESPACE = /[\s\u200b-\u200d\u2060\ufeff]/gu;
const squashAll = (s: string) => s.replace(ALL_WHITESPACE, '');
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('cleaning corpus/002 (preview line and watermark)', () => {
  const raw = readCorpusRaw(corpusFile('002'));
  const report = cleanText(raw);
  const rawFirstLine = raw.split('\n')[0]!;

  it('the raw file really starts with a truncated preview that ends in "..."', () => {
    expect(rawFirstLine.trimEnd().endsWith('...')).toBe(true);
    expect(raw).toContain(WATERMARK);
  });

  it('drops the preview line', () => {
    expect(report.removed).toContainEqual({ kind: 'preview-line', text: rawFirstLine });
    expect(report.text.split('\n')[0]).toBe('同志们：');
    expect(report.text).not.toContain('涉及到...');
    expect(report.text).not.toMatch(/\.\.\./u);
    // The opening sentence exists twice in the file (preview + speech) and once in the canonical text.
    const opening = '做好新形势下的信访工作，加强和改进干群关系';
    expect(count(raw, opening)).toBe(2);
    expect(count(report.text, opening)).toBe(1);
  });

  it('removes the watermark and joins the sentence around it', () => {
    expect(report.text).not.toContain('文秘资源网');
    expect(report.text).toContain('明确了各级政府及其部门在处理信访工作中的责任和分工');
    expect(report.removed).toContainEqual({ kind: 'watermark', text: WATERMARK });
    expect(report.removed.filter((r) => r.kind === 'watermark')).toHaveLength(count(raw, WATERMARK));
  });

  it('the default watermark list contains the one seen in the corpus', () => {
    expect(DEFAULT_WATERMARKS).toContain(WATERMARK);
  });
});

describe('cleaning keeps the wording of every corpus file', () => {
  const previewLines = CORPUS_FILES.flatMap((name) =>
    readCorpusRaw(name)
      .split(/\r?\n/u)
      .filter((l) => /\.\.\.\s*$/u.test(l))
      .map((l) => ({ name, l })),
  );

  it('only corpus/002 has a preview line', () => {
    expect(previewLines.map((p) => p.name)).toEqual([corpusFile('002')]);
  });

  it.each(CORPUS_FILES)('%s: canonical text without whitespace = raw text without whitespace, preview line and watermark', (name) => {
    const raw = readCorpusRaw(name);
    const expectedLines = raw.split(/\r?\n/u).filter((l) => !previewLines.some((p) => p.name === name && p.l === l));
    const expected = squashAll(expectedLines.join('\n').split(WATERMARK).join(''));
    const { text } = cleanText(raw);
    expect(squashAll(text)).toBe(expected);
  });

  it.each(CORPUS_FILES)('%s: canonical whitespace is normalised', (name) => {
    const { text } = cleanText(readCorpusRaw(name));
    expect(text).not.toMatch(/\r|\u3000|\t|\u00a0|\ufeff/u);
    for (const line of text.split('\n')) {
      expect(line.length).toBeGreaterThan(0);
      expect(line).toBe(line.trim());
      expect(line).not.toMatch(/ {2}/u);
    }
  });

  it.each(CORPUS_FILES.filter((n) => !n.startsWith('002')))('%s: nothing is removed from a clean file', (name) => {
    expect(cleanText(readCorpusRaw(name)).removed).toEqual([]);
  });

  it('002: the leading space of the first speech line is removed', () => {
    const raw = readCorpusRaw(corpusFile('002'));
    expect(raw.startsWith(' ')).toBe(true);
    expect(cleanText(raw).text.startsWith('同志们')).toBe(true);
  });
});

describe('anonymised placeholders are kept', () => {
  it('in the corpus (XX, X, * and ** stay exactly as received)', () => {
    const t000 = cleanText(readCorpusRaw(corpusFile('000'))).text;
    expect(t000).toContain('XX书记多次接访');
    expect(t000).toContain('网投量全省倒数第X');
    expect(t000).toContain('*月信访工作考核全市挂末');
    const t003 = cleanText(readCorpusRaw(corpusFile('003'))).text;
    expect(t003).toContain('动员部署全省**队伍');
  });

  it('in synthetic text', () => {
    const raw = 'XXX同志在*月**日主持召开XX会议。';
    expect(cleanText(raw).text).toBe(raw);
  });
});

describe('custom watermarks', () => {
  it('removes every occurrence of a literal string, treating regex characters literally', () => {
    const mark = '(来源:www.example.com)';
    const raw = `信访工作${mark}要落实责任。\n群众诉求${mark}要及时回应。来源:wwwXexampleYcom`;
    const report = cleanText(raw, { watermarks: [mark] });
    expect(report.text).toBe('信访工作要落实责任。\n群众诉求要及时回应。来源:wwwXexampleYcom');
    expect(report.removed).toEqual([
      { kind: 'watermark', text: mark },
      { kind: 'watermark', text: mark },
    ]);
  });

  it('removes every match of a RegExp, even without the g flag', () => {
    const raw = '要依法【广告：A1】按政策解决问题，【广告：B22】做到案结事了。';
    const report = cleanText(raw, { watermarks: [/【广告：[A-Z0-9]+】/u] });
    expect(report.text).toBe('要依法按政策解决问题，做到案结事了。');
    expect(report.removed.map((r) => r.text)).toEqual(['【广告：A1】', '【广告：B22】']);
  });

  it('supports several watermarks at once, literal and RegExp', () => {
    const raw = `包案${WATERMARK}领导要到位。下载地址 http://x.y/z 稳控措施要落实。`;
    const { text } = cleanText(raw, { watermarks: [...DEFAULT_WATERMARKS, /下载地址 \S+ /u] });
    expect(text).toBe('包案领导要到位。稳控措施要落实。');
  });

  it('stripWatermarks reports what it removed', () => {
    const removed: { kind: 'preview-line' | 'watermark'; text: string }[] = [];
    expect(stripWatermarks('甲WM乙WM丙', ['WM'], removed)).toBe('甲乙丙');
    expect(removed).toHaveLength(2);
  });
});

describe('whitespace normalisation', () => {
  it('turns CRLF and CR into LF', () => {
    expect(cleanText('第一段。\r\n第二段。\r第三段。').text).toBe('第一段。\n第二段。\n第三段。');
  });

  it('removes blank lines and edge spaces, including ideographic and no-break spaces', () => {
    const raw = '\u3000\u3000同志们：\n\n\n  \u3000\n\u00a0今天我们开会。 \t\n\n';
    expect(cleanText(raw).text).toBe('同志们：\n今天我们开会。');
  });

  it('collapses runs of horizontal whitespace inside a line to one space', () => {
    expect(normaliseWhitespace('GDP \u3000\t 增长  明显')).toBe('GDP 增长 明显');
  });

  it('removes zero-width characters and a BOM', () => {
    expect(normaliseWhitespace('\ufeff信\u200b访\u200d工作')).toBe('信访工作');
  });

  it('is idempotent', () => {
    const once = cleanText(readCorpusRaw(corpusFile('002'))).text;
    expect(cleanText(once).text).toBe(once);
  });
});

describe('preview line detection', () => {
  it('drops a preview whose spacing differs from the text it previews', () => {
    const lines = [' 同志们： 今天召开全县信访工作会议，主要任务是...', '同志们：', '今天召开全县信访工作会议，主要任务是部署工作。'];
    expect(dropPreviewLines(lines)).toEqual(lines.slice(1));
  });

  it('recognises the Chinese ellipsis too', () => {
    const lines = ['今天召开全县信访工作会议，主要任务……', '今天召开全县信访工作会议，主要任务是部署工作。'];
    expect(dropPreviewLines(lines)).toEqual(lines.slice(1));
  });

  it('keeps a line ending in an ellipsis that does not repeat the following text', () => {
    const lines = ['信访工作要做到以下几点……', '一是要落实责任。', '二是要化解矛盾。'];
    expect(dropPreviewLines(lines)).toEqual(lines);
    expect(cleanText(lines.join('\n')).removed).toEqual([]);
  });

  it('keeps a very short line ending in "..." even if the text continues with it', () => {
    const lines = ['同志们...', '同志们：今天开会。'];
    expect(dropPreviewLines(lines)).toEqual(lines);
  });
});
