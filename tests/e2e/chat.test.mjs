// c2c as its users meet it: real Chromium, one browser with JavaScript off, a phone, Korean,
// screen-reader checks with axe-core, and a server restart behind open tabs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  Server, countMessages, createRoom, desktop, join, launch, live, phone, say, shot,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

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

describe('chatting', () => {
  it('(a) two browsers chat live both ways and see each other join', async () => {
    const a = await (await browser.newContext({ viewport: desktop })).newPage();
    const link = await createRoom(a, server.url, 'Alice');
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9_-]{16}$/, 'the share link reads well');
    await live(a);
    const b = await (await browser.newContext({ viewport: desktop })).newPage();
    await join(b, link, 'Bob');
    await live(b);
    await a.waitForSelector('#members li.member.online >> text=Bob', { timeout: 5000 });
    await b.waitForSelector('#members li.member.online >> text=Alice', { timeout: 5000 });

    await say(a, 'Hi Bob, can you see this?');
    await b.waitForSelector('#messages >> text=Hi Bob, can you see this?', { timeout: 5000 });
    await say(b, 'Yes! Live from Bob.');
    await a.waitForSelector('#messages >> text=Yes! Live from Bob.', { timeout: 5000 });
    assert.equal(await a.inputValue('#text'), '', 'the composer clears after sending');
    assert.equal(await countMessages(a, 'Hi Bob, can you see this?'), 1);
    // Nothing of the no-JavaScript fallback leaks into the page.
    assert.doesNotMatch(await a.locator('.conversation').innerText(), /iframe/);
    await shot(a, 'chat-desktop');
    await a.context().close();
    await b.context().close();
  });

  it('(b) a browser without JavaScript joins, sees history and sends; the other sees it live', async () => {
    const a = await (await browser.newContext({ viewport: desktop })).newPage();
    const link = await createRoom(a, server.url, 'Alice');
    await live(a);
    await say(a, 'History before C arrives');
    await a.waitForSelector('#messages >> text=History before C arrives');

    const c = await (await browser.newContext({ viewport: desktop, javaScriptEnabled: false })).newPage();
    await c.goto(link);
    await shot(c, 'join-nojs-desktop');
    await c.fill('#name', 'Carol (no JS)');
    await c.click('button[type=submit]');
    await c.waitForSelector('#composer');
    const log = c.frameLocator('iframe.nojs-log');
    await log.locator('text=History before C arrives').waitFor({ timeout: 5000 });
    assert.ok(!(await c.isVisible('.log:has(> #messages)')), 'the static log gives way to the refreshing one');
    await c.fill('#text', 'Hello from a browser without JavaScript');
    await c.click('#composer button[type=submit]');
    await c.waitForURL(/\/r\//);
    await a.waitForSelector('#messages >> text=Hello from a browser without JavaScript', { timeout: 5000 });
    await a.waitForSelector('#members li.member.online >> text=Carol (no JS)');
    // Carol's refreshing log picks up Alice's answer by itself.
    await say(a, 'Welcome, Carol');
    await log.locator('text=Welcome, Carol').waitFor({ timeout: 12000 });
    await shot(c, 'chat-nojs-desktop');
    await a.context().close();
    await c.context().close();
  });

  it('(g) message text with HTML is shown as text', async () => {
    const a = await (await browser.newContext({ viewport: desktop })).newPage();
    const link = await createRoom(a, server.url, '<b>Mallory</b>');
    await live(a);
    const b = await (await browser.newContext({ viewport: desktop })).newPage();
    await join(b, link, 'Bob');
    await live(b);
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold?</b>';
    await say(a, payload);
    await b.waitForSelector('#messages li.msg .text >> text=bold?', { timeout: 5000 });
    for (const page of [a, b]) {
      assert.equal(await countMessages(page, payload), 1, 'shown literally, once');
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'nothing ran');
      assert.equal(await page.locator('#messages img, #messages script, #messages li.msg .text b').count(), 0);
    }
    assert.equal(await b.locator('#members .member-name', { hasText: '<b>Mallory</b>' }).count(), 1);
    await a.context().close();
    await b.context().close();
  });
});

describe('languages, phones and accessibility', () => {
  it('(d) a Korean browser gets the Korean not-found page', async () => {
    const ctx = await browser.newContext({ viewport: desktop, locale: 'ko-KR' });
    const page = await ctx.newPage();
    const res = await page.goto(`${server.url}/r/AAAAAAAAAAAAAAAA`);
    assert.equal(res.status(), 404);
    assert.equal((await page.textContent('.lead')).trim(), '채팅방이 없거나 만료되었습니다.');
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    await shot(page, 'not-found-ko');
    await ctx.close();
  });

  it('(e) on a phone the composer and messages are usable without horizontal scrolling', async () => {
    const ctx = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/`);
    await shot(page, 'create-phone');
    const link = await createRoom(page, server.url, 'Pat on a phone');
    await live(page);
    // Eight: within the burst allowance, so the rate limit does not refuse any.
    for (let i = 1; i <= 8; i++) await say(page, `Message number ${i} with some words to wrap on a narrow screen`);
    await page.waitForSelector('#messages >> text=Message number 8 with some words');
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: window.innerWidth,
      composer: document.querySelector('#composer').getBoundingClientRect().toJSON(),
      last: document.querySelector('#messages li.msg:last-of-type').getBoundingClientRect().toJSON(),
    }));
    assert.ok(layout.scrollWidth <= layout.width, `no horizontal scroll: ${layout.scrollWidth} > ${layout.width}`);
    assert.ok(layout.composer.bottom <= 844 && layout.composer.top > 300, 'composer at the bottom, on screen');
    assert.ok(layout.last.bottom <= layout.composer.top + 1, 'the newest message is visible above the composer');
    await shot(page, 'chat-phone');
    const other = await (await browser.newContext({ viewport: phone, isMobile: true })).newPage();
    await other.goto(link);
    await shot(other, 'join-phone');
    await other.context().close();
    await ctx.close();
  });

  it('(f) create, join and chat pages have no serious or critical axe violations', async () => {
    // axe is injected as a script, which the pages' CSP (rightly) forbids: bypass it for the audit.
    const ctx = await browser.newContext({ viewport: desktop, bypassCSP: true });
    const page = await ctx.newPage();
    const audit = async (label) => {
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), [], label);
    };
    await page.goto(`${server.url}/`);
    await audit('create page');
    const link = await createRoom(page, server.url, 'Ada');
    await live(page);
    await say(page, 'Accessible hello');
    await page.waitForSelector('#messages >> text=Accessible hello');
    await page.fill('#text', '**Formatted** `code` https://example.com @Ada\n```\nblock\n```\n> quote');
    await page.press('#text', 'Enter');
    await page.waitForSelector('#messages pre');
    assert.equal(await page.getAttribute('.log:has(> #messages)', 'role'), 'log');
    assert.equal(await page.getAttribute('.log:has(> #messages)', 'aria-live'), 'polite');
    await audit('chat page');
    // With a reaction, a reply and a message's actions open.
    const firstId = await page.locator('#messages li.msg', { hasText: 'Accessible hello' }).getAttribute('id');
    const first = page.locator(`#${firstId}`);
    await first.hover();
    await first.locator('a.acts').click();
    await page.locator('.act-menu .palette button').first().click();
    await first.locator('.rx .chip').waitFor();
    await first.hover();
    await first.locator('a.acts').click();
    await page.locator('.act-menu button', { hasText: 'Reply' }).click();
    await say(page, 'An answer');
    await page.waitForSelector('#messages .quote');
    await first.hover();
    await first.locator('a.acts').click();
    await audit('chat page with message actions');
    await page.keyboard.press('Escape');
    const seq = (await first.getAttribute('id')).replace('msg-', '');
    await page.goto(`${link}/m/${seq}`);
    await audit('message page');
    await page.goto(link);
    await live(page);
    const guest = await (await browser.newContext({ viewport: desktop, bypassCSP: true })).newPage();
    await guest.goto(link);
    await guest.addScriptTag({ content: axeSource });
    const result = await guest.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => v.id), [], 'join page');
    await shot(guest, 'join-desktop');
    await page.goto(`${server.url}/`);
    await shot(page, 'create-desktop');
    await guest.context().close();
    await ctx.close();
  });
});

describe('a long history', () => {
  it('(i) a tab opening a room with a long history gets it in small frames: all of it, in order, once', async () => {
    const busy = await new Server({ C2C_RATE_PER_SEC: '100', C2C_RATE_BURST: '100' }).start();
    try {
      const a = await (await browser.newContext({ viewport: desktop })).newPage();
      await createRoom(a, busy.url, 'Alice');
      await live(a);
      const lines = Array.from({ length: 40 }, (_, i) => `Line ${String(i).padStart(2, '0')} of a long history`);
      for (const line of lines) await say(a, line);
      await a.waitForSelector(`#messages >> text=${lines[39]}`);

      // Reload and watch the live socket: the snapshot ends with the frame that clears the
      // composer's error; by then every chunk has been swapped in.
      const frames = [];
      const snapshotDone = new Promise((resolve) => {
        a.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
          frames.push(String(payload));
          if (String(payload).includes('id="composer-error"')) resolve();
        }));
      });
      await a.reload();
      await live(a);
      await snapshotDone;
      assert.ok(frames.length > 3, `the snapshot came in several frames (${frames.length})`);
      const shown = await a.locator('#messages li.msg .text').allTextContents();
      assert.deepEqual(shown, lines, 'every message once, in order');
      assert.equal(await a.locator('#messages li.notice.empty').isVisible(), false, 'no "empty room" hint');
      await shot(a, 'chat-long-history');
      await a.context().close();
    } finally {
      await busy.dispose();
    }
  });
});
