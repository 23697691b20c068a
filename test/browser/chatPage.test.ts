/**
 * The full-page chat (GET /) in a real Chromium against an in-process server
 * over the real corpus (offline extractive answers).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FeedbackRecord } from '../../src/core/feedback/types.js';
import { feedbackPath } from '../../src/node/server.js';
import {
  finishedAnswer,
  focused,
  nextChat,
  PNG_SIGNATURE,
  pressUntil,
  screenshot,
  useBrowserSuite,
  viewerTarget,
  waitQuestionInView,
  type Citation,
  type Exchange,
  type YijuRuntime,
  type YijuServer,
} from '../helpers/browser.js';

// Functions given to page.evaluate() and friends run in Chromium. The project's tsconfig has no DOM
// library (and must not get one: it checks the Node code), so the browser globals they use are declared
// here, loosely, for this file only.
declare const document: any, navigator: any, getComputedStyle: any;
type HTMLElement = any;

const suite = useBrowserSuite();
let yiju: YijuRuntime;
let server: YijuServer;
let page: Page;

beforeAll(async () => {
  yiju = await suite.yiju('yiju-browser-page-');
  server = await suite.serve(yiju.rt);
}, 180_000);

async function openPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  page = await suite.open(`${server.url}/`, { viewport });
  return page;
}

beforeEach(async () => {
  await openPage();
});

const markers = (answer: string) => [...answer.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1]));

/** Types `question` into the box and presses Enter; resolves with the finished exchange and its message. */
async function ask(question: string): Promise<{ exchange: Exchange; message: ReturnType<Page['locator']> }> {
  const before = await page.locator('article.yj-bot').count();
  const chat = nextChat(page);
  await page.locator('#yj-q').fill(question);
  await page.locator('#yj-q').press('Enter');
  const exchange = await chat();
  const message = await finishedAnswer(page, before);
  return { exchange, message };
}

/** The chips, sources and badge of a finished answer match what the server sent. */
async function expectRenderedAnswer(message: ReturnType<Page['locator']>, citations: Citation[], answer: string) {
  await message.locator('.yj-actions').waitFor();
  const chipNumbers = (await message.locator('a.yj-cite').evaluateAll((as) => as.map((a) => Number(a.getAttribute('data-n'))))) as number[];
  expect(chipNumbers.length).toBeGreaterThan(0);
  expect(chipNumbers).toEqual(markers(answer));
  expect(await message.locator('a.yj-cite').allTextContents()).toEqual(chipNumbers.map(String));
  // The sources: one compact card per citation (which [n], the document, where in it), collapsed by default.
  expect(await message.locator('.yj-sources').evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
  const items = message.locator('.yj-sources li');
  expect(await items.count()).toBe(citations.length);
  for (const [i, c] of citations.entries()) {
    const li = items.nth(i);
    expect(await li.getAttribute('value')).toBe(String(c.n));
    expect(await li.locator('a').textContent()).toBe(c.title);
    expect(await li.locator('.yj-where').textContent()).toMatch(new RegExp(`(^|· )原文第 ${c.start + 1}–${c.end} 字$`, 'u'));
    expect(await li.locator('q').count()).toBe(0);
  }
  // Each quote is shown once: a quoted sentence (not a clause of another quote) appears once in the whole answer.
  const whole = (await message.textContent())!;
  for (const c of citations.filter((c) => !citations.some((o) => o !== c && o.text.includes(c.text)))) expect(whole.split(c.text).length - 1, c.text).toBe(1);
  const badge = message.locator('.yj-badge');
  expect(await badge.textContent()).toBe('离线摘录模式');
  expect(await badge.getAttribute('data-mode')).toBe('extractive');
  // The offline note is said once: by the badge (its explanation), not again under the answer.
  const note = /\n\n> (离线摘录模式：[^\n]+)$/u.exec(answer)?.[1];
  expect(note).toBeTruthy();
  expect(await badge.getAttribute('title')).toBe(note);
  expect(whole.split('离线摘录模式').length - 1).toBe(1);
  expect(await message.locator('.yj-body blockquote').count()).toBe(0);
}

describe('the chat page (GET /)', () => {
  it('shows the example questions from /api/suggestions in the empty chat', async () => {
    const { questions } = (await (await fetch(`${server.url}/api/suggestions`)).json()) as { questions: string[] };
    expect(questions.length).toBeGreaterThan(0);
    const examples = page.locator('.yj-empty button.yj-example');
    await examples.first().waitFor();
    expect(await examples.allTextContents()).toEqual(questions.slice(0, 4));
    expect(await page.locator('.yj-empty').textContent()).toContain('可以这样问：');
    // The page puts the cursor in the question box.
    expect((await focused(page))?.id).toBe('yj-q');
    // It says how it answers and from which documents, each opening in the viewer.
    await page.locator('.yj-empty .yj-mode').waitFor();
    expect(await page.locator('.yj-empty .yj-mode').textContent()).toContain('离线摘录模式');
    const { corpus } = (await (await fetch(`${server.url}/api/suggestions`)).json()) as {
      corpus: { documents: { id: string; title: string; cite: string }[]; total: number };
    };
    expect(await page.locator('.yj-corpus summary').textContent()).toBe(`依据的文档（${corpus.total} 篇）`);
    await page.locator('.yj-corpus summary').click();
    const links = page.locator('.yj-corpus li a');
    expect(await links.allTextContents()).toEqual(corpus.documents.map((d) => d.title));
    expect(await page.locator('.yj-corpus li .yj-cite-as').allTextContents()).toEqual(corpus.documents.map((d) => d.cite));
    expect(new URL((await links.first().getAttribute('href'))!).pathname).toBe(`/documents/${corpus.documents[0]!.id}`);
    await page.locator('.yj-corpus summary').click();
  });

  it('Enter sends; the streamed answer has citation chips, a sources list and the offline badge; a chip shows its quote on hover', async () => {
    const question = '乡镇多久排查一次矛盾纠纷？';
    const { exchange, message } = await ask(question);
    expect(exchange.response.headers()['content-type']).toMatch(/^text\/event-stream/u);
    expect(exchange.events.filter((e) => e.event === 'delta').length).toBeGreaterThan(0);
    expect(exchange.body).toEqual({ question, history: [] });
    const { done } = exchange;
    expect(done.grounded).toBe(true);
    expect(done.answer).toContain('每半月');

    expect(await page.locator('.yj-msg.yj-user').textContent()).toBe(question);
    expect(await message.locator('.yj-body').textContent()).toContain('乡镇坚持每半月一排查制度');
    await expectRenderedAnswer(message, done.citations, done.answer);
    // The box is empty and ready for the next question.
    expect(await page.locator('#yj-q').inputValue()).toBe('');
    expect(await page.locator('.yj-send').isVisible()).toBe(true);
    expect(await page.locator('.yj-stop').isVisible()).toBe(false);

    // Hovering a chip shows the popover with the title and the exact cited text.
    const pop = page.locator('.yj-pop');
    expect(await pop.isVisible()).toBe(false);
    for (const c of done.citations.slice(0, 2).reverse()) {
      await message.locator(`a.yj-cite[data-n="${c.n}"]`).first().hover();
      await pop.waitFor({ state: 'visible' });
      expect(await pop.locator('strong').textContent()).toBe(c.title);
      expect(await pop.locator('span').textContent()).toBe(`“${c.text}”`);
      const box = (await pop.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(1280);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(800);
    }
    const png = await screenshot(page, 'chat-page.png');
    expect(readFileSync(png).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    await page.locator('.yj-title').hover();
    await pop.waitFor({ state: 'hidden' });

    // Each chip links to the viewer with its document's cited spans.
    for (const c of done.citations) {
      const t = viewerTarget(new URL((await message.locator(`a.yj-cite[data-n="${c.n}"]`).first().getAttribute('href'))!, server.url).href);
      expect(t.docId).toBe(c.docId);
      // The viewer starts on the chip's own span, or on the quoted sentence that holds it (the direct answer line
      // is a clause of the sentence cited after it).
      const holder = done.citations.find((o) => o !== c && o.docId === c.docId && o.start <= c.start && c.end <= o.end);
      expect(t.spans[t.index]).toEqual(holder ? [holder.start, holder.end] : [c.start, c.end]);
    }
  });

  it('clicking an example question asks it; focus goes to the question box, not to the page', async () => {
    const example = page.locator('button.yj-example').nth(1);
    await example.waitFor();
    const text = (await example.textContent())!;
    const chat = nextChat(page);
    await example.click();
    expect((await focused(page))?.id).toBe('yj-q');
    const { body, done } = await chat();
    expect(body.question).toBe(text);
    const message = await finishedAnswer(page, 0);
    expect(await page.locator('.yj-msg.yj-user').textContent()).toBe(text);
    expect(await page.locator('.yj-empty').count()).toBe(0);
    expect(done.grounded).toBe(true);
    await expectRenderedAnswer(message, done.citations, done.answer);
  });

  it('a follow-up is sent with the history and answered (每半月); 新对话 clears the log and the history', async () => {
    const first = await ask('市县两级多久排查一次矛盾纠纷？');
    expect(first.exchange.done.grounded).toBe(true);
    const second = await ask('那乡镇呢？');
    expect(second.exchange.body.history).toEqual([
      { role: 'user', content: '市县两级多久排查一次矛盾纠纷？' },
      { role: 'assistant', content: first.exchange.done.answer },
    ]);
    expect(second.exchange.done.standaloneQuestion).toContain('乡镇');
    expect(second.exchange.done.grounded).toBe(true);
    expect(await second.message.locator('.yj-body').textContent()).toContain('每半月');
    expect(await page.locator('.yj-msg').count()).toBe(4);
    // The log overflows; it comes to rest on the newest question and the start of its answer, not on the sources.
    expect(await page.locator('.yj-log').evaluate((log) => log.scrollHeight > log.clientHeight)).toBe(true);
    await waitQuestionInView(page, page.locator('.yj-log'));

    await page.locator('button.yj-new').click();
    expect(await page.locator('.yj-msg').count()).toBe(0);
    await page.locator('.yj-empty button.yj-example').first().waitFor();
    expect(await page.locator('.yj-empty button.yj-example').count()).toBeGreaterThan(0);
    expect((await focused(page))?.id).toBe('yj-q');

    // The history went with the log: the same follow-up is now asked on its own.
    const fresh = await ask('那乡镇呢？');
    expect(fresh.exchange.body.history).toEqual([]);
    expect(await page.locator('.yj-msg').count()).toBe(2);
  });

  it('an out-of-scope question shows the notice for its reason (off the subject) and no sources', async () => {
    const { exchange, message } = await ask('今天北京天气怎么样？');
    expect(exchange.done.grounded).toBe(false);
    expect(exchange.done).toMatchObject({ answerable: 'no', reason: 'off_topic' });
    expect(await message.locator('.yj-notice').textContent()).toBe('这个问题不在这些讲话的范围内。');
    expect(await message.locator('.yj-sources').count()).toBe(0);
    expect(await message.locator('a.yj-cite').count()).toBe(0);
    expect((await message.locator('.yj-body').textContent())!.length).toBeGreaterThan(0);
    await message.locator('.yj-actions').waitFor();
    // The questions the refusal suggests are buttons that ask them.
    const suggested = message.locator('.yj-suggested button.yj-example');
    await suggested.first().waitFor();
    const offered = await suggested.allTextContents();
    for (const q of offered) expect(exchange.done.answer).toContain(`“${q}”`);
    const chat = nextChat(page);
    await suggested.first().click();
    expect((await focused(page))?.id).toBe('yj-q');
    const { body, done } = await chat();
    expect(body.question).toBe(offered[0]);
    expect(done.grounded).toBe(true);
  });

  it('a detail the speeches do not give: the partial notice in words, the plain statement first (not 根据讲话原文 as an answer), then the quotes', async () => {
    const { exchange, message } = await ask('徐局长的全名叫什么？');
    expect(exchange.done).toMatchObject({ answerable: 'partial', reason: 'detail_not_given', grounded: true });
    expect(await message.locator('.yj-notice').textContent()).toBe('讲话只回答了这个问题的一部分，见下文说明。');
    const first = await message.locator('.yj-body > :first-child').textContent();
    expect(first).toContain('没有给出具体姓名');
    expect(first).not.toContain('根据讲话原文');
    expect(await message.locator('.yj-sources li').count()).toBe(exchange.done.citations.length);
  });

  it('👍 marks the button pressed, thanks the user and lands in the feedback JSONL file with the question', async () => {
    const question = '谁对信访工作负总责？';
    const { exchange, message } = await ask(question);
    const up = message.locator('button.yj-up');
    expect(await up.getAttribute('aria-pressed')).toBe('false');
    await up.click();
    await message.locator('.yj-status', { hasText: '感谢反馈！' }).waitFor();
    expect(await up.getAttribute('aria-pressed')).toBe('true');
    expect(await message.locator('button.yj-down').getAttribute('aria-pressed')).toBe('false');

    // The server writes the line before it answers 201, and the page thanks only after the 201.
    const file = feedbackPath(yiju.config.dataDir);
    expect(existsSync(file)).toBe(true);
    const records = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FeedbackRecord);
    const mine = records.filter((r) => r.answerId === exchange.done.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ rating: 'up', question, answerId: exchange.done.id });
    expect(mine[0]!.answer?.text).toBe(exchange.done.answer);
  });

  it('a vote can be changed; 👎 offers reasons (chips and a line of text), sent with it', async () => {
    const { exchange, message } = await ask('初信初访应该怎么处理？');
    const up = message.locator('button.yj-up');
    const down = message.locator('button.yj-down');
    // The vote carries the question too: a restarted server no longer knows the answer's id.
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/feedback'));
    await up.click();
    expect((await posted).postDataJSON()).toEqual({ answerId: exchange.done.id, rating: 'up', question: '初信初访应该怎么处理？' });
    await message.locator('.yj-status', { hasText: '感谢反馈！' }).waitFor();
    await message.locator('.yj-status').evaluate((e) => (e.textContent = ''));
    // Changed to 👎: the reasons open, focus on the first.
    await down.click();
    const reasons = message.locator('.yj-reasons');
    await reasons.waitFor({ state: 'visible' });
    expect(await down.getAttribute('aria-pressed')).toBe('true');
    expect(await up.getAttribute('aria-pressed')).toBe('false');
    expect((await focused(page))?.cls).toBe('yj-reason');
    await reasons.locator('button.yj-reason', { hasText: '回答不完整' }).click();
    expect(await reasons.locator('button.yj-reason', { hasText: '回答不完整' }).getAttribute('aria-pressed')).toBe('true');
    await reasons.locator('input.yj-reason-text').fill('没有说首办责任');
    await message.locator('.yj-status').evaluate((e) => (e.textContent = ''));
    await reasons.locator('button.yj-reason-send').click();
    await message.locator('.yj-status', { hasText: '感谢反馈！' }).waitFor();
    await reasons.waitFor({ state: 'hidden' });

    const records = readFileSync(feedbackPath(yiju.config.dataDir), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FeedbackRecord)
      .filter((r) => r.answerId === exchange.done.id);
    // Every vote is kept; the last one is the reader's.
    expect(records.map((r) => [r.rating, r.comment ?? null])).toEqual([
      ['up', null],
      ['down', null],
      ['down', '[回答不完整] 没有说首办责任'],
    ]);
  });

  it('the conversation survives a reload; 新对话 clears it and can be undone for a few seconds', async () => {
    const first = await ask('谁对信访工作负总责？');
    const second = await ask('初信初访应该怎么处理？');
    const bodies = [await first.message.locator('.yj-body').innerHTML(), await second.message.locator('.yj-body').innerHTML()];
    await page.reload();
    await page.locator('article.yj-bot .yj-actions').nth(1).waitFor();
    expect(await page.locator('.yj-msg.yj-user').allTextContents()).toEqual(['谁对信访工作负总责？', '初信初访应该怎么处理？']);
    expect(await page.locator('article.yj-bot .yj-body').evaluateAll((els) => els.map((e) => e.innerHTML))).toEqual(bodies);
    expect(await page.locator('.yj-empty').count()).toBe(0);
    // The restored conversation is the history of the next question.
    const chat = nextChat(page);
    await page.locator('#yj-q').fill('那乡镇呢？');
    await page.locator('#yj-q').press('Enter');
    const { body } = await chat();
    expect(body.history.map((t) => t.content).filter((c, i) => i % 2 === 0)).toEqual(['谁对信访工作负总责？', '初信初访应该怎么处理？']);
    await (await finishedAnswer(page, 2)).locator('.yj-actions').waitFor();

    // 新对话: empty, with an undo that brings all three back.
    await page.locator('button.yj-new').click();
    await page.locator('.yj-empty').waitFor();
    expect(await page.locator('article.yj-bot').count()).toBe(0);
    await page.locator('.yj-cleared button.yj-undo').click();
    expect(await page.locator('article.yj-bot').count()).toBe(3);
    await page.reload();
    await page.locator('article.yj-bot .yj-actions').nth(2).waitFor();
    // Cleared and not undone: a reload shows the empty chat.
    await page.locator('button.yj-new').click();
    await page.reload();
    await page.locator('.yj-empty button.yj-example').first().waitFor();
    expect(await page.locator('article.yj-bot').count()).toBe(0);
  });

  it('asking after 新对话 ends its undo; two chat tabs keep both their conversations', async () => {
    await ask('谁对信访工作负总责？');
    await page.locator('button.yj-new').click();
    await page.locator('.yj-cleared').waitFor();
    await ask('初信初访应该怎么处理？');
    expect(await page.locator('.yj-cleared').count()).toBe(0);
    expect(await page.locator('.yj-msg.yj-user').allTextContents()).toEqual(['初信初访应该怎么处理？']);

    // A second tab of the same chat asks too; neither tab's question is lost.
    const other = await suite.context.newPage();
    await other.goto(`${server.url}/`);
    await other.locator('article.yj-bot .yj-actions').first().waitFor();
    const chat = nextChat(other);
    await other.locator('#yj-q').fill('乡镇多久排查一次矛盾纠纷？');
    await other.locator('#yj-q').press('Enter');
    await chat();
    await (await finishedAnswer(other, 1)).locator('.yj-actions').waitFor();
    await other.close();
    await page.reload();
    await page.locator('article.yj-bot .yj-actions').nth(1).waitFor();
    expect(await page.locator('.yj-msg.yj-user').allTextContents()).toEqual(['初信初访应该怎么处理？', '乡镇多久排查一次矛盾纠纷？']);
  });

  it('复制 copies plain text for a document (the answer, then each source 据《…》：“…”), and MD the Markdown', async () => {
    await suite.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const { exchange, message } = await ask('谁对信访工作负总责？');
    const { done } = exchange;
    const sources = done.citations.map((c) => `[${c.n}] ${c.cite}：“${c.text}”`).join('\n');
    await message.locator('button.yj-copy').click();
    await message.locator('.yj-status', { hasText: '已复制' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.endsWith(`\n\n出处：\n${sources}`)).toBe(true);
    const text = copied.slice(0, copied.length - `\n\n出处：\n${sources}`.length);
    // Plain text: no Markdown marks, no mode note; the quotes as bullets, the [n] markers kept.
    expect(text).not.toMatch(/^\s*[-*>] |\*\*|离线摘录模式/mu);
    expect(text).toContain(`• ${done.citations[1]!.text}[2]`);
    expect(text.startsWith(done.answer.split('\n')[0]!)).toBe(true);
    await message.locator('.yj-status').evaluate((e) => (e.textContent = ''));
    await message.locator('button.yj-copy-md').click();
    await message.locator('.yj-status', { hasText: '已复制' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${done.answer}\n\n出处\n${sources}`);
    // Each source in a form a clerk can paste into a document: 据《…》（…级会议）.
    for (const c of done.citations) expect(c.cite).toMatch(/^据《[^》]+》（[^）]+会议）$/u);
    // The source card: the title (its full reference as the link's tooltip), then where it was given and where in it.
    const first = message.locator('.yj-sources li').first();
    expect(await first.locator('a').getAttribute('title')).toBe(done.citations[0]!.cite);
    const setting = done.citations[0]!.cite!.match(/（([^）]+)）$/u)![1];
    expect(await first.locator('.yj-where').textContent()).toBe(`${setting} · 原文第 ${done.citations[0]!.start + 1}–${done.citations[0]!.end} 字`);
  });

  it('keyboard only: Tab reaches the box, Enter sends, Tab walks the chips in order (each showing its quote) to 👍, Enter rates', async () => {
    await page.locator('button.yj-example').first().waitFor();
    // From the top of the page, Tab goes through the header and the examples to the box.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const toBox = await pressUntil(page, 'Tab', (f) => f?.id === 'yj-q');
    const exampleTexts = await page.locator('button.yj-example').allTextContents();
    expect(toBox.filter((f) => f?.cls === 'yj-example').map((f) => f!.text)).toEqual(exampleTexts);

    const question = '初信初访应该怎么处理？';
    const chat = nextChat(page);
    await page.keyboard.type(question);
    await page.keyboard.press('Enter');
    const { done, body } = await chat();
    expect(body.question).toBe(question);
    const message = await finishedAnswer(page, 0);
    await message.locator('.yj-actions').waitFor();
    expect((await focused(page))?.id).toBe('yj-q');

    // Back to the header, then forward through the answer.
    await pressUntil(page, 'Shift+Tab', (f) => f?.cls === 'yj-new');
    const pop = page.locator('.yj-pop');
    const order: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f?.cls === 'yj-cite') {
        order.push(`chip ${f.n}`);
        // Focus shows the same quote as hover.
        await pop.waitFor({ state: 'visible' });
        const c = done.citations.find((x) => String(x.n) === f.n)!;
        expect(await pop.locator('span').textContent()).toBe(`“${c.text}”`);
      } else if (f?.cls === 'yj-up') {
        order.push('up');
        break;
      } else if (f) order.push(f.cls || f.tag);
    }
    const chipsInDom = (await message.locator('a.yj-cite').evaluateAll((as) => as.map((a) => `chip ${a.getAttribute('data-n')}`))) as string[];
    expect(chipsInDom.length).toBeGreaterThan(0);
    expect(order.filter((o) => o.startsWith('chip '))).toEqual(chipsInDom);
    expect(order.at(-1)).toBe('up');
    expect(order.indexOf('up')).toBeGreaterThan(order.lastIndexOf(chipsInDom.at(-1)!));
    expect(order).toContain('yj-copy');

    await page.keyboard.press('Enter');
    await message.locator('.yj-status', { hasText: '感谢反馈！' }).waitFor();
    expect(await message.locator('button.yj-up').getAttribute('aria-pressed')).toBe('true');
  });
});

describe('the chat page on a narrow screen (390×760)', () => {
  it('answers with chips and sources without overflowing sideways', async () => {
    await openPage({ width: 390, height: 760 });
    const { exchange, message } = await ask('初信初访应该怎么处理？');
    await expectRenderedAnswer(message, exchange.done.citations, exchange.done.answer);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    for (const sel of ['#yj-q', '.yj-send', '.yj-new']) {
      const box = (await page.locator(sel).boundingBox())!;
      expect(box.x, sel).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, sel).toBeLessThanOrEqual(390);
      expect(box.y + box.height, sel).toBeLessThanOrEqual(760);
    }
  });
});

describe('citation popovers (WCAG 1.4.13)', () => {
  it('stay open while the pointer moves onto them, link to the source, and close with Esc', async () => {
    const { message } = await ask('乡镇多久排查一次矛盾纠纷？');
    const chip = message.locator('a.yj-cite').first();
    const pop = page.locator('.yj-pop');
    await chip.hover();
    await pop.waitFor({ state: 'visible' });
    // Moving onto the popover keeps it: its link can be clicked and opens the same viewer as the chip.
    const opened = suite.context.waitForEvent('page');
    await pop.locator('a').click();
    const viewer = await opened;
    expect(viewer.url()).toBe(new URL((await chip.getAttribute('href'))!, server.url).href);
    await viewer.close();
    // Keyboard: focus shows it, Esc dismisses it without moving focus.
    await page.locator('.yj-title').hover();
    await chip.focus();
    await pop.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await pop.waitFor({ state: 'hidden' });
    expect(await chip.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('on a touch screen the first tap shows the passage instead of leaving the page', async () => {
    page = await suite.open(`${server.url}/`, { viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true });
    const { message } = await ask('乡镇多久排查一次矛盾纠纷？');
    const pages = suite.context.pages().length;
    const chip = message.locator('a.yj-cite').first();
    await chip.tap();
    const pop = page.locator('.yj-pop');
    await pop.waitFor({ state: 'visible' });
    expect(await pop.locator('span').textContent()).toMatch(/^“.+”$/u);
    expect(suite.context.pages()).toHaveLength(pages);
    // A second tap on the same chip opens the source.
    const opened = suite.context.waitForEvent('page');
    await chip.tap();
    expect((await opened).url()).toBe(new URL((await chip.getAttribute('href'))!, server.url).href);
  });

  it('on a phone: the placeholder fits, the box grows to about five lines, focus is not a red ring, a long answer rests on its question, 👍/👎 are drawn icons', async () => {
    page = await suite.open(`${server.url}/`, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const box = page.locator('textarea');
    await page.locator('button.yj-example').first().waitFor();
    // The placeholder's width in the box's own font, against the box's text width.
    const fit = await box.evaluate((el) => {
      const t = el as any;
      const cs = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
      const inner = t.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      return { text: ctx.measureText(t.placeholder).width, inner };
    });
    expect(fit.text).toBeLessThanOrEqual(fit.inner);
    // Growing: one line, then taller with more lines, up to its maximum.
    await box.focus();
    const oneLine = (await box.boundingBox())!.height;
    await box.fill('第一行\n第二行\n第三行');
    await box.dispatchEvent('input');
    const threeLines = (await box.boundingBox())!.height;
    expect(threeLines).toBeGreaterThan(oneLine * 1.8);
    await box.fill(Array.from({ length: 12 }, (_, i) => `第${i}行`).join('\n'));
    await box.dispatchEvent('input');
    const many = (await box.boundingBox())!.height;
    const lineHeight = await box.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(many).toBeLessThanOrEqual(lineHeight * 6 + 20);
    // The focused box: no outline in the brand red (it read as a validation error).
    const focusStyle = await box.evaluate((el) => {
      const cs = getComputedStyle(el);
      return { outline: cs.outlineStyle, ring: cs.boxShadow };
    });
    expect(focusStyle.outline).toBe('none');
    expect(focusStyle.ring).not.toContain('180, 35, 42');
    // Rating buttons draw their icons (no emoji font needed): an SVG with a size, no text.
    await box.fill('乡镇多久排查一次矛盾纠纷？');
    const { message } = await ask('群众反映问题找不到人怎么办？');
    await message.locator('.yj-actions').waitFor();
    // An answer taller than the phone's log: the log rests on the question and the answer's first line, not the end.
    const logHeight = (await page.locator('.yj-log').boundingBox())!.height;
    expect((await message.boundingBox())!.height).toBeGreaterThan(logHeight);
    await waitQuestionInView(page, page.locator('.yj-log'));
    for (const cls of ['yj-up', 'yj-down']) {
      const button = message.locator(`button.${cls}`);
      expect((await button.textContent())!.trim()).toBe('');
      const icon = (await button.locator('svg').boundingBox())!;
      expect(icon.width).toBeGreaterThanOrEqual(16);
      const hit = (await button.boundingBox())!;
      expect(Math.min(hit.width, hit.height)).toBeGreaterThanOrEqual(24);
    }
  });
});
