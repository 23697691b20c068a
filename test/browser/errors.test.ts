/**
 * The chat page when things go wrong, in a real Chromium: stopping a streaming
 * answer (generative mode against a local OpenAI-compatible fixture), a model
 * failing mid-stream, the rate limit, and the server or network going away — each
 * said in words, with a retry that works once the problem is gone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../src/adapters/chat/openaiChatModel.js';
import { withDeadline } from '../helpers/async.js';
import { finishedAnswer, focused, nextChat, runtimeLike, serveYiju, useBrowserSuite, type YijuRuntime, type YijuServer } from '../helpers/browser.js';
import { startOpenAIChatServer, type OpenAIChatServer } from '../helpers/openaiChatServer.js';

const suite = useBrowserSuite();
let yiju: YijuRuntime;
let page: Page;

beforeAll(async () => {
  yiju = await suite.yiju('yiju-browser-errors-');
}, 180_000);

async function openPage(url: string): Promise<Page> {
  page = await suite.open(url, { viewport: { width: 1280, height: 800 } });
  return page;
}

async function type(question: string): Promise<void> {
  await page.locator('#yj-q').fill(question);
  await page.locator('#yj-q').press('Enter');
}

/** Polls `check` until it holds (the deadline only stops a hang; nothing is timed). */
async function eventually(check: () => boolean, message: string): Promise<void> {
  await withDeadline(
    (async () => {
      while (!check()) await new Promise((r) => setTimeout(r, 20));
    })(),
    30_000,
    message,
  );
}

describe('generative mode: stop, and a model failing mid-answer', () => {
  let fixture: OpenAIChatServer;
  let gen: YijuServer;

  beforeAll(async () => {
    fixture = await startOpenAIChatServer({ reply: '乡镇坚持每半月一排查制度[1]。' });
    const chat = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: fixture.baseURL, model: 'test-chat', timeoutMs: 30_000, maxRetries: 0 });
    gen = await serveYiju(await runtimeLike(yiju, chat));
  }, 120_000);

  afterAll(async () => {
    await gen?.close();
    await fixture?.close();
  });

  it('the stop button ends a streaming answer: "已停止。", the streamed text stays, send is back, the model stream is closed', async () => {
    await openPage(`${gen.url}/`);
    // A long answer, one 2-character chunk every 250 ms: about a minute unless stopped.
    fixture.next({ kind: 'trickle', intervalMs: 250, content: '乡镇坚持每半月一排查制度[1]，'.repeat(30) });
    await type('乡镇多久排查一次矛盾纠纷？');
    const message = page.locator('article.yj-bot').first();
    const stop = page.locator('button.yj-stop');
    await stop.waitFor({ state: 'visible' });
    expect(await page.locator('button.yj-send').isVisible()).toBe(false);
    expect(await page.locator('#yj-q').getAttribute('aria-busy')).toBe('true');
    // Text is streaming in.
    await message.locator('.yj-body', { hasText: '乡镇' }).waitFor();
    expect(await message.getAttribute('aria-busy')).toBe('true');
    expect(fixture.connections()).toBe(1);

    await stop.click();
    await message.locator('.yj-notice', { hasText: '已停止。' }).waitFor();
    expect(await message.getAttribute('aria-busy')).toBe('false');
    expect(await stop.isVisible()).toBe(false);
    expect(await page.locator('button.yj-send').isVisible()).toBe(true);
    expect(await page.locator('#yj-q').getAttribute('aria-busy')).toBe('false');
    expect((await focused(page))?.id).toBe('yj-q');
    expect(await message.locator('.yj-body').textContent()).toContain('乡镇');
    expect(await message.locator('.yj-error').count()).toBe(0);
    expect(await message.locator('.yj-actions').count()).toBe(0);
    // The server stopped asking the model.
    await eventually(() => fixture.connections() === 0, 'the upstream model stream was not closed after stop');

    // The next question is answered by the model, its citations checked.
    fixture.next({ kind: 'reply', content: '乡镇坚持每半月一排查制度[1]。' });
    const chat = nextChat(page);
    await type('乡镇多久排查一次矛盾纠纷？');
    const { done, body } = await chat();
    // A stopped answer is not part of the history.
    expect(body.history).toEqual([]);
    const second = await finishedAnswer(page, 1);
    await second.locator('.yj-actions').waitFor();
    expect(done.mode).toBe('generative');
    expect(done.grounded).toBe(true);
    expect(await second.locator('.yj-badge').textContent()).toBe('大模型回答 · 引用已核对');
    expect(await second.locator('.yj-body').textContent()).toContain('乡镇坚持每半月一排查制度');
    expect(await second.locator('a.yj-cite').count()).toBe(1);
    expect(fixture.pending()).toEqual({ replies: 0, behaviours: 0 });
  });

  it('after Stop, a retry asks the same question again in place of the stopped exchange', async () => {
    await openPage(`${gen.url}/`);
    fixture.next({ kind: 'trickle', intervalMs: 250, content: '乡镇坚持每半月一排查制度[1]，'.repeat(30) });
    await type('乡镇多久排查一次矛盾纠纷？');
    await page.locator('article.yj-bot .yj-body', { hasText: '乡镇' }).waitFor();
    await page.locator('button.yj-stop').click();
    const stopped = page.locator('article.yj-bot .yj-stopped');
    await stopped.waitFor();
    expect(await stopped.textContent()).toContain('已停止。');
    await eventually(() => fixture.connections() === 0, 'the upstream model stream was not closed after stop');

    fixture.next({ kind: 'reply', content: '乡镇坚持每半月一排查制度[1]。' });
    const chat = nextChat(page);
    await stopped.locator('button.yj-retry').click();
    const { done, body } = await chat();
    expect(body.question).toBe('乡镇多久排查一次矛盾纠纷？');
    expect(done.grounded).toBe(true);
    const answer = await finishedAnswer(page, 0);
    await answer.locator('.yj-actions').waitFor();
    // The retry replaced the stopped exchange: one question, one answer.
    expect(await page.locator('.yj-user').count()).toBe(1);
    expect(await page.locator('article.yj-bot').count()).toBe(1);
    expect(await page.locator('.yj-stopped').count()).toBe(0);
    expect((await focused(page))?.id).toBe('yj-q');
  });

  it('a model stream cut mid-answer ends with the fallback notice and the quoted passages', async () => {
    await openPage(`${gen.url}/`);
    fixture.next({ kind: 'cut', afterChunks: 3, content: '乡镇坚持每半月一排查制度[1]，'.repeat(5) });
    const chat = nextChat(page);
    await type('乡镇多久排查一次矛盾纠纷？');
    const { done } = await chat();
    const message = await finishedAnswer(page, 0);
    await message.locator('.yj-actions').waitFor();
    expect(done.fallback).toBeTruthy();
    expect(done.mode).toBe('extractive');
    expect(await message.locator('.yj-notice').textContent()).toBe('大模型回答失败，以下为讲话原文摘录。');
    expect(await message.locator('.yj-badge').textContent()).toBe('离线摘录模式');
    // The final answer replaced the partial model text.
    expect(await message.locator('.yj-body').textContent()).toContain('根据讲话原文');
    expect(await message.locator('.yj-sources li').count()).toBe(done.citations.length);
    expect(await message.locator('.yj-error').count()).toBe(0);
    expect(fixture.pending()).toEqual({ replies: 0, behaviours: 0 });
  });
});

describe('rate limit', () => {
  let limited: YijuServer;

  beforeAll(async () => {
    // Two requests per hour per client: the page's /api/suggestions and one question.
    limited = await serveYiju(yiju.rt, { rateLimit: 2, rateWindowSeconds: 3600 });
  }, 60_000);

  afterAll(async () => {
    await limited?.close();
  });

  it('over the limit, the answer says "请求太频繁" with the wait and a retry button — never a blank box', async () => {
    await openPage(`${limited.url}/`);
    await page.locator('button.yj-example').first().waitFor();
    const first = nextChat(page);
    await type('谁对信访工作负总责？');
    expect((await first()).done.grounded).toBe(true);
    await (await finishedAnswer(page, 0)).locator('.yj-actions').waitFor();

    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/chat' && r.request().method() === 'POST');
    await type('初信初访应该怎么处理？');
    const res = await refused;
    expect(res.status()).toBe(429);
    const wait = Number(res.headers()['retry-after']);
    expect(wait).toBeGreaterThan(0);
    const message = await finishedAnswer(page, 1);
    const error = message.locator('.yj-error');
    await error.waitFor();
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await error.locator('span').textContent()).toBe(`请求太频繁，请 ${wait} 秒后再试。`);
    expect(await error.locator('button.yj-retry').textContent()).toBe('重试');
    expect((await message.textContent())!).toContain('请求太频繁');
    expect(await message.locator('.yj-thinking').count()).toBe(0);
    expect(await page.locator('button.yj-send').isVisible()).toBe(true);
    // The first answer is untouched.
    expect(await page.locator('article.yj-bot').first().locator('.yj-actions').count()).toBe(1);
  });
});

describe('the server or the network going away', () => {
  it('with the server stopped the answer says "网络中断" with a retry; after a restart, retry answers', async () => {
    let server = await serveYiju(yiju.rt);
    try {
      const port = Number(new URL(server.url).port);
      await openPage(`${server.url}/`);
      const first = nextChat(page);
      await type('谁对信访工作负总责？');
      await first();
      await (await finishedAnswer(page, 0)).locator('.yj-actions').waitFor();

      await server.close();
      await type('初信初访应该怎么处理？');
      const message = await finishedAnswer(page, 1);
      const error = message.locator('.yj-error');
      await error.waitFor();
      expect(await error.locator('span').textContent()).toBe('网络中断，回答没有完成。');
      expect(await error.getAttribute('role')).toBe('alert');
      const retry = error.locator('button.yj-retry');
      expect(await retry.isVisible()).toBe(true);

      // Back on the same port: retry asks the same question again, with the history of the first answer.
      server = await serveYiju(yiju.rt, {}, port);
      const again = nextChat(page);
      await retry.click();
      const { body, done } = await again();
      expect(body.question).toBe('初信初访应该怎么处理？');
      expect(body.history.map((t) => t.content)[0]).toBe('谁对信访工作负总责？');
      expect(done.grounded).toBe(true);
      const answered = await finishedAnswer(page, 1);
      await answered.locator('.yj-actions').waitFor();
      expect(await page.locator('.yj-error').count()).toBe(0);
      expect(await page.locator('.yj-msg.yj-user').allTextContents()).toEqual(['谁对信访工作负总责？', '初信初访应该怎么处理？']);
      expect(await page.locator('article.yj-bot').count()).toBe(2);
      expect(await answered.locator('a.yj-cite').count()).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('a request the network drops says "网络中断" with a retry; once the network is back, retry answers', async () => {
    const server = await serveYiju(yiju.rt);
    try {
      await openPage(`${server.url}/`);
      await page.route('**/api/chat', (route) => route.abort('connectionreset'));
      await type('乡镇多久排查一次矛盾纠纷？');
      const message = await finishedAnswer(page, 0);
      await message.locator('.yj-error').waitFor();
      expect(await message.locator('.yj-error span').textContent()).toBe('网络中断，回答没有完成。');
      expect(await message.locator('.yj-body').textContent()).toBe('');

      await page.unroute('**/api/chat');
      const chat = nextChat(page);
      await message.locator('button.yj-retry').click();
      const { done } = await chat();
      expect(done.answer).toContain('每半月');
      const answered = await finishedAnswer(page, 0);
      await answered.locator('.yj-actions').waitFor();
      expect(await answered.locator('.yj-body').textContent()).toContain('每半月');
      expect(await page.locator('.yj-error').count()).toBe(0);
      expect(await page.locator('.yj-msg.yj-user').count()).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('server failures, in the words of the page', () => {
  let server: YijuServer;

  beforeAll(async () => {
    server = await serveYiju(yiju.rt);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('a 500 from /api/chat says "服务器出错了" with a retry that answers once the server is well', async () => {
    await openPage(`${server.url}/`);
    await page.route('**/api/chat', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'boom' } }) }),
    );
    await type('谁对信访工作负总责？');
    const message = await finishedAnswer(page, 0);
    await message.locator('.yj-error').waitFor();
    expect(await message.locator('.yj-error span').textContent()).toBe('服务器出错了，请稍后再试。');
    await page.unroute('**/api/chat');
    const chat = nextChat(page);
    await message.locator('button.yj-retry').click();
    expect((await chat()).done.grounded).toBe(true);
    await (await finishedAnswer(page, 0)).locator('.yj-actions').waitFor();
    expect(await page.locator('.yj-error').count()).toBe(0);
  });

  it('an error event after some text keeps the text and says the server failed', async () => {
    await openPage(`${server.url}/`);
    const sse = [
      ['citations', { citations: [] }],
      ['delta', { text: '根据讲话原文：' }],
      ['error', { error: { code: 'internal', message: 'The answer failed on the server; the error was logged. Please try again.' } }],
    ]
      .map(([event, data]) => `event: ${event as string}\ndata: ${JSON.stringify(data)}\n\n`)
      .join('');
    await page.route('**/api/chat', (route) => route.fulfill({ status: 200, contentType: 'text/event-stream', body: sse }));
    await type('谁对信访工作负总责？');
    const message = await finishedAnswer(page, 0);
    await message.locator('.yj-error').waitFor();
    expect((await message.locator('.yj-body').textContent())!.trim()).toBe('根据讲话原文：');
    expect(await message.locator('.yj-error span').textContent()).toBe('服务器出错了，请稍后再试。');
    expect(await message.locator('.yj-actions').count()).toBe(0);
    expect(await page.locator('button.yj-send').isVisible()).toBe(true);
  });

  it('feedback that cannot be sent says so and can be sent again', async () => {
    await openPage(`${server.url}/`);
    const chat = nextChat(page);
    await type('谁对信访工作负总责？');
    await chat();
    const message = await finishedAnswer(page, 0);
    await message.locator('.yj-actions').waitFor();
    await page.route('**/api/feedback', (route) => route.abort('connectionreset'));
    const down = message.locator('button.yj-down');
    await down.click();
    await message.locator('.yj-status', { hasText: '反馈没有发送成功。' }).waitFor();
    expect(await down.getAttribute('aria-pressed')).toBe('false');
    expect(await down.isEnabled()).toBe(true);
    expect(await message.locator('button.yj-up').isEnabled()).toBe(true);
    await page.unroute('**/api/feedback');
    await down.click();
    await message.locator('.yj-status', { hasText: '感谢反馈！' }).waitFor();
    expect(await down.getAttribute('aria-pressed')).toBe('true');
  });
});

describe('messages follow the UI language', () => {
  let plain: YijuServer;

  beforeAll(async () => {
    plain = await serveYiju(yiju.rt);
  }, 60_000);

  afterAll(async () => {
    await plain?.close();
  });

  it("a question the server refuses is said in Chinese (the server's English words only as the tooltip); a one-letter question is answered in Chinese", async () => {
    await openPage(`${plain.url}/`);
    await type('初信初访\u202e怎么处理');
    const error = page.locator('article.yj-bot .yj-error');
    await error.waitFor();
    const line = error.locator('span').first();
    expect(await line.textContent()).toBe('问题无法提交：请检查问题的内容（例如其中的特殊字符）后再试。');
    expect(await line.getAttribute('title')).toMatch(/[a-z]{3,}/u);

    const chat = nextChat(page);
    await type('a');
    const { done } = await chat();
    expect(done.answerable).toBe('no');
    const message = await finishedAnswer(page, 1);
    await message.locator('.yj-actions').waitFor();
    expect(await message.locator('.yj-body').textContent()).toMatch(/[\u4e00-\u9fff]/u);
    expect(await message.locator('.yj-body').textContent()).not.toMatch(/do not answer/u);
  });
});
