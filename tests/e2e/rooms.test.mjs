// Rooms with a name, a topic and an owner (docs/rooms.md), as new users meet them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Server, createRoom, desktop, join, launch, live, shot } from './harness.mjs';

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

describe('rooms', () => {
  it('a named room: invite page and titles show it; the owner renames it live', async () => {
    const a = await (await browser.newContext({ viewport: desktop })).newPage();
    const link = await createRoom(a, server.url, 'Alice', 'Team lunch', 'Fridays at noon');
    await live(a);
    assert.equal(await a.title(), 'Team lunch — c2c');
    assert.equal(await a.textContent('#room-title'), 'Team lunch');
    assert.equal(await a.textContent('#room-topic'), 'Fridays at noon');

    const b = await (await browser.newContext({ viewport: desktop, locale: 'ko-KR', extraHTTPHeaders: { 'Accept-Language': 'ko' } })).newPage();
    await b.goto(link);
    assert.equal(await b.title(), 'Team lunch — c2c');
    assert.equal(await b.getAttribute('meta[property="og:title"]', 'content'), 'Team lunch');
    assert.match(await b.textContent('.hero'), /Alice 님이 만든 채팅방/);
    assert.match(await b.textContent('.hero'), /지금 접속 중: Alice/);
    await shot(b, 'invite-named-ko');
    await b.fill('#name', '보라');
    await b.click('button[type=submit]');
    await b.waitForSelector('#composer');
    await live(b);
    assert.equal(await b.locator('details.settings').count(), 0, 'only the owner gets the settings');

    await a.click('details.settings summary');
    await a.fill('#room-name', 'Book club');
    await a.fill('#room-topic-field', '');
    await a.click('details.settings button[type=submit]');
    await b.waitForFunction(() => document.title === 'Book club — c2c', null, { timeout: 5000 });
    assert.equal(await b.textContent('#room-title'), 'Book club');
    assert.equal(await b.locator('#room-topic').isVisible(), false, 'the topic was removed');
    await b.waitForSelector('#messages li.notice.renamed');
    await shot(a, 'chat-named');
    await a.context().close();
    await b.context().close();
  });

  it('the owner locks the room, removes a member (whose tabs lose it at once) and ends it', async () => {
    const a = await (await browser.newContext({ viewport: desktop })).newPage();
    const link = await createRoom(a, server.url, 'Alice', 'Quiet room');
    await live(a);
    const bctx = await browser.newContext({ viewport: desktop });
    const b = await bctx.newPage();
    await join(b, link, 'Bob');
    await live(b);
    const b2 = await bctx.newPage();
    await b2.goto(link);
    await live(b2);
    // Lock: a newcomer is refused, in English and in Korean.
    await a.reload();
    await live(a);
    await a.click('details.settings summary');
    await a.click('form[action$="/lock"] button');
    await a.waitForSelector('.locked-note');
    for (const [lang, words] of [['en', 'This room is locked'], ['ko', '잠긴 채팅방입니다']]) {
      const n = await (await browser.newContext({ viewport: desktop, extraHTTPHeaders: { 'Accept-Language': lang } })).newPage();
      await n.goto(link);
      assert.match(await n.textContent('.hero'), new RegExp(words));
      assert.equal(await n.locator('form[action$="/join"]').count(), 0);
      await n.context().close();
    }
    // Remove Bob: both of his tabs lose the room at once, and his browser cannot come back.
    await a.click('details.settings summary');
    await a.selectOption('#remove-user', { label: 'Bob' });
    await a.click('form[action$="/remove"] button');
    for (const tab of [b, b2]) {
      await tab.waitForSelector('#composer.ended >> text=removed you from this room', { timeout: 5000 });
    }
    await b.goto(link);
    assert.match(await b.textContent('.hero'), /removed you from this room/);
    await a.waitForSelector('#messages li.notice.removed');
    // End: Alice's room is gone.
    await a.click('details.settings summary');
    await a.click('details.danger summary');
    await a.click('form[action$="/end"] button');
    await a.waitForURL(`${server.url}/`);
    const gone = await a.goto(link);
    assert.equal(gone.status(), 404);
    await a.context().close();
    await bctx.close();
  });

  it('1 000 messages scroll back page by page', { timeout: 120000 }, async () => {
    const busy = await new Server({ C2C_RATE_PER_SEC: '1000', C2C_RATE_BURST: '1000', C2C_HISTORY_LIMIT: '1100' }).start();
    try {
      const created = await (await fetch(`${busy.url}/api/rooms`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ creatorName: 'Bot' }),
      })).json();
      const { roomId, token } = created.data;
      // A program posts them, from a page of the same site (Node 20 has no WebSocket).
      const botPage = await (await browser.newContext({ viewport: desktop })).newPage();
      await botPage.goto(busy.url);
      await botPage.evaluate(({ roomId, token }) => new Promise((resolve, reject) => {
        const bot = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`);
        // Each message once, whether it comes as a frame of its own or inside a resync's
        // `joined` (a socket that fell behind its room gets one, docs/api.md).
        const stored = new Set();
        const seen = (m) => {
          if (m.text.startsWith('line ')) stored.add(m.id);
          if (stored.size === 1000) { bot.close(); resolve(); }
        };
        bot.onopen = () => {
          bot.send(JSON.stringify({ t: 'join', roomId, token }));
          for (let i = 1; i <= 1000; i += 1) {
            bot.send(JSON.stringify({ t: 'msg', roomId, text: `line ${String(i).padStart(4, '0')}` }));
          }
        };
        bot.onmessage = (e) => {
          const frame = JSON.parse(e.data);
          if (frame.t === 'error') reject(new Error(frame.code));
          if (frame.t === 'msg') seen(frame);
          if (frame.t === 'joined') frame.messages.filter((m) => m.t === 'msg').forEach(seen);
        };
      }), { roomId, token });
      await botPage.context().close();
      const a = await (await browser.newContext({ viewport: desktop })).newPage();
      await join(a, `${busy.url}/r/${roomId}`, 'Alice');
      await live(a);
      const count = () => a.locator('#messages li.msg').count();
      const firstPage = await count();
      assert.ok(firstPage <= 50, `only the newest page (50 entries) at first, not ${firstPage}`);
      // Scrolling to the top loads the page before, 50 at a time, until the first message.
      let pages = 1;
      while (await a.locator('#messages li.earlier').count() > 0 && pages < 30) {
        const before = await count();
        await a.hover('.chat-shell .log');
        await a.mouse.wheel(0, -100000);
        await a.waitForFunction((n) => document.querySelectorAll('#messages li.msg').length > n, before, { timeout: 5000 });
        pages += 1;
      }
      assert.ok(pages >= 20, `page by page: ${pages} pages`);
      const texts = await a.locator('#messages li.msg .text').allTextContents();
      assert.deepEqual(texts, Array.from({ length: 1000 }, (_, i) => `line ${String(i + 1).padStart(4, '0')}`));
      await a.context().close();
    } finally {
      await busy.dispose();
    }
  });
});
