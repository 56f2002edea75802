// The conversation as two new users meet it (docs/formatting.md): multi-line text and code,
// links, grouping and days, mentions, unread counts in a hidden tab, 30 fast Enter presses,
// a closed tab going offline, notices that survive a reload. Real Chromium, real server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Server, countMessages, createRoom, desktop, join, launch, live, phone, say, shot } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await new Server().start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function pair(nameA = 'Alice', nameB = 'Bob', roomName = '', topic = '') {
  const a = await (await browser.newContext({ viewport: desktop })).newPage();
  const link = await createRoom(a, server.url, nameA, roomName, topic);
  await live(a);
  const b = await (await browser.newContext({ viewport: desktop })).newPage();
  await join(b, link, nameB);
  await live(b);
  await a.waitForSelector(`#members li.member.online >> text=${nameB}`, { timeout: 5000 });
  return { a, b, link };
}

/** Opens a message's actions ("⋯") and clicks the one named `label` (a button's text). */
async function messageAction(page, text, label) {
  const li = page.locator('#messages li.msg', { has: page.locator('.text', { hasText: text }) });
  await li.hover();
  await li.locator('a.acts').click();
  await page.locator('.act-menu button', { hasText: label }).first().click();
}

async function close(...pages) {
  for (const p of pages) await p.context().close();
}

/** Makes the page believe its tab is hidden (or shown again), as switching tabs does. */
async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { value: h, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

describe('the conversation', () => {
  it('keeps lines and code across browsers and reloads; links are safe', async () => {
    const { a, b } = await pair();
    await a.fill('#text', 'first line\nsecond line');
    await a.press('#text', 'Shift+Enter');
    await a.type('#text', 'third');
    assert.equal(await a.inputValue('#text'), 'first line\nsecond line\nthird', 'Shift+Enter adds a line');
    await a.press('#text', 'Enter');
    await a.fill('#text', 'code:\n```\nfn main() {\n    let x = 1 < 2;\n}\n```');
    await a.press('#text', 'Enter');
    await a.fill('#text', 'see https://example.com/a?b=1 and <javascript:alert(1)> and **bold**');
    await a.press('#text', 'Enter');
    for (const page of [b, a]) {
      await page.waitForSelector('#messages li.msg pre code', { timeout: 5000 });
      await page.waitForSelector('#messages a[href="https://example.com/a?b=1"]', { timeout: 5000 });
    }
    await b.reload();
    await live(b);
    const check = async (page) => {
      const lines = await page.locator('#messages li.msg .text', { hasText: 'first line' }).innerHTML();
      assert.equal(lines, '<p>first line<br>second line<br>third</p>');
      assert.equal(await page.locator('#messages pre code').textContent(), 'fn main() {\n    let x = 1 < 2;\n}');
      const link = page.locator('#messages a[href="https://example.com/a?b=1"]');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow ugc');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await page.locator('#messages a[href^="javascript"]').count(), 0, 'javascript: is never a link');
      assert.equal(await page.locator('#messages strong').textContent(), 'bold');
    };
    await check(b);
    await check(a);
    // Alice's three messages within five minutes are one group under one day separator.
    assert.equal(await b.locator('#messages li.msg.cont').count(), 2);
    assert.equal(await b.locator('#messages li.day').count(), 1);
    await shot(b, 'conversation-formatting');
    await close(a, b);
  });

  it('sends 30 fast Enter presses: all arrive, in order, once', async () => {
    const { a, b } = await pair();
    for (let i = 1; i <= 30; i += 1) {
      await a.fill('#text', `fast ${i}`);
      await a.press('#text', 'Enter');
    }
    // The rate limit (5/s, bursts of 10) holds some back: they wait and go out in order.
    await b.waitForFunction(() => document.querySelectorAll('#messages li.msg').length >= 30, null, { timeout: 20000 });
    await a.waitForFunction(() => document.querySelectorAll('.outbox li').length === 0, null, { timeout: 10000 });
    for (const page of [a, b]) {
      const texts = await page.locator('#messages li.msg .text').allTextContents();
      assert.deepEqual(texts, Array.from({ length: 30 }, (_, i) => `fast ${i + 1}`));
    }
    await b.reload();
    // The live socket's snapshot replaces the list in chunks: read it once it is complete.
    await live(b);
    await b.waitForFunction(() => document.querySelectorAll('#messages li.msg').length >= 30, null, { timeout: 10000 });
    const texts = await b.locator('#messages li.msg .text').allTextContents();
    assert.equal(texts.length, 30, 'stored once each');
    await close(a, b);
  });

  it('highlights a mention only for the one mentioned, and completes names', async () => {
    const { a, b, link } = await pair('Alice', 'Bob');
    const c = await (await browser.newContext({ viewport: desktop })).newPage();
    await join(c, link, 'Carol');
    await live(c);
    await b.waitForSelector('#members li.member >> text=Carol', { timeout: 5000 });
    await b.type('#text', 'hey @Ca');
    await b.waitForSelector('#mention-picker li >> text=@Carol');
    await b.press('#text', 'Tab');
    assert.equal(await b.inputValue('#text'), 'hey @Carol ');
    await b.type('#text', 'look');
    await b.press('#text', 'Enter');
    await c.waitForSelector('#messages li.msg.mentions-me >> text=look', { timeout: 5000 });
    await a.waitForSelector('#messages li.msg >> text=look', { timeout: 5000 });
    assert.equal(await a.locator('#messages li.msg.mentions-me').count(), 0, 'not for Alice');
    assert.equal(await b.locator('#messages li.msg.mentions-me').count(), 0, 'not for Bob');
    await c.reload();
    assert.equal(await c.locator('#messages li.msg.mentions-me').count(), 1, 'after a reload too');
    await close(a, b, c);
  });

  it('counts unread messages in a hidden tab and marks them on return', async () => {
    const { a, b } = await pair();
    const title = await a.title();
    await setHidden(a, true);
    for (const t of ['one', 'two', 'three']) await say(b, `unread ${t}`);
    await a.waitForFunction((t) => document.title === `(3) ${t}`, title, { timeout: 5000 });
    assert.match(await a.getAttribute('link[rel=icon]', 'href'), /^data:image\/png/, 'the icon shows the count');
    await setHidden(a, false);
    assert.equal(await a.title(), title, 'cleared on return');
    assert.equal(await a.locator('#messages li.unread-divider').count(), 1);
    const next = await a.locator('#messages li.unread-divider + li.msg .text').textContent();
    assert.equal(next, 'unread one', 'the divider stands before the first unread message');
    await close(a, b);
  });

  it('shows a closed tab offline within 5 s, a typing member, and notices after a reload', async () => {
    const { a, b } = await pair();
    await b.type('#text', 'thinking');
    await a.waitForSelector('#typing >> text=Bob is typing…', { timeout: 5000 });
    await b.fill('#text', '');
    await b.context().close();
    await a.waitForSelector('#members li.member.offline >> text=Bob', { timeout: 5000 });
    await a.reload();
    await live(a);
    assert.equal(await a.locator('#messages li.notice.joined >> text=Bob').count(), 1);
    assert.equal(await countMessages(a, 'thinking'), 0, 'typing stores nothing');
    await close(a);
  });

  it('looks like a modern chat (the screenshots in the README)', async () => {
    const { a, b, link } = await pair('Mina', 'Jonas', 'Launch plan', 'Docs and deploy for Friday');
    await say(a, 'Hi Jonas! The draft is at https://example.com/draft, can you look today?');
    await say(a, 'Mostly the **intro** and the `deploy` section.');
    await say(b, '@Mina sure, reading it now');
    await b.fill('#text', 'One thing in the deploy steps:\n```\ncargo run --release\n```\n> works without any services?');
    await b.press('#text', 'Enter');
    await a.waitForSelector('#messages >> text=works without any services?', { timeout: 5000 });
    await messageAction(a, 'works without any services?', 'Reply');
    await say(a, 'Yes: SQLite by default, Redis and PostgreSQL when you set them. ~~Docker only~~');
    await a.waitForSelector('#messages >> text=SQLite by default', { timeout: 5000 });
    await b.waitForSelector('#messages >> text=SQLite by default', { timeout: 5000 });
    await messageAction(b, 'Mostly the intro', '👍');
    await messageAction(b, 'SQLite by default', '🎉');
    await messageAction(a, 'SQLite by default', '🎉');
    await b.waitForFunction(() => [...document.querySelectorAll('#messages .chip .n')].map((n) => n.textContent).join() === '1,2');
    await b.type('#text', 'Great, ');
    await a.waitForSelector('#typing >> text=Jonas is typing…', { timeout: 5000 });
    await shot(a, 'readme-chat-desktop');
    const p = await (await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true })).newPage();
    await join(p, link, 'Sam');
    await live(p);
    await p.waitForSelector('#messages >> text=SQLite by default');
    await shot(p, 'readme-chat-phone');
    const n = await (await browser.newContext({ viewport: desktop, javaScriptEnabled: false })).newPage();
    await join(n, link, 'Noor');
    await n.waitForTimeout(300);
    await shot(n, 'readme-chat-nojs');
    const k = await (await browser.newContext({ viewport: desktop, locale: 'ko-KR', extraHTTPHeaders: { 'Accept-Language': 'ko' } })).newPage();
    await join(k, link, '지우');
    await live(k);
    await k.waitForSelector('#messages >> text=SQLite by default');
    await shot(k, 'readme-chat-ko');
    const d = await (await browser.newContext({ viewport: desktop, colorScheme: 'dark' })).newPage();
    await join(d, link, 'Ravi');
    await live(d);
    await d.waitForSelector('#messages >> text=SQLite by default');
    await shot(d, 'readme-chat-dark');
    await close(a, b, p, n, k, d);
  });
});
