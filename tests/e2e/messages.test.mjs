// Messages you can edit, delete, answer and react to (docs/messages.md), as two people and a
// program meet them: on the embedded default, and on two instances sharing Redis (one person
// on each). What one browser does shows in the other live, after a reload, after a
// reconnect (the other's server restarted), and to a program resuming with `since`: once, in
// its final state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Server, createRoom, desktop, join, launch, live, say, shot } from './harness.mjs';

const redisUrl = process.env.REDIS_URL;
let browser;

before(async () => {
  assert.ok(redisUrl, 'REDIS_URL must be set (scripts/test starts a private Redis)');
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The message of `page` whose text starts with `text`. */
function message(page, text) {
  return page.locator('#messages li.msg', { has: page.locator('.text', { hasText: text }) });
}

/** Opens a message's actions ("⋯") in `page`. */
async function actions(page, text) {
  const li = message(page, text);
  await li.hover();
  await li.locator('a.acts').click();
  await page.waitForSelector('.act-menu');
  return page.locator('.act-menu');
}

/** What Bob's page shows of the conversation: each message's text, quote, reactions and marks. */
async function shown(page) {
  return page.locator('#messages li.msg').evaluateAll((els) => els.map((li) => ({
    text: li.querySelector('.text').textContent.trim(),
    quote: li.querySelector('.quote .q')?.textContent ?? null,
    reactions: [...li.querySelectorAll('.rx .chip')].map((c) => c.textContent.replace(/\s+/g, ' ').trim()),
    deleted: li.classList.contains('deleted'),
  })));
}

const finalState = [
  { text: 'hello team (edited)', quote: null, reactions: ['🎉 1'], deleted: false },
  { text: 'This message was deleted.', quote: null, reactions: [], deleted: true },
  { text: 'what time?', quote: null, reactions: ['👍 1', '❤️ 1'], deleted: false },
  { text: 'noon', quote: 'what time?', reactions: [], deleted: false },
];

/** A program resuming after `since` on `base`: every frame it gets until the stream is quiet. */
async function resume(page, base, roomId, token, since) {
  await page.goto(base);
  return page.evaluate(({ roomId, token, since }) => new Promise((resolve, reject) => {
    const bot = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`);
    const frames = [];
    let quiet = 0;
    bot.onopen = () => bot.send(JSON.stringify({ t: 'join', roomId, token, since }));
    bot.onmessage = (e) => {
      const frame = JSON.parse(e.data);
      if (frame.t === 'error') reject(new Error(frame.code));
      frames.push(frame);
      clearTimeout(quiet);
      quiet = setTimeout(() => { bot.close(); resolve(frames); }, 700);
    };
  }), { roomId, token, since });
}

/** The conversation a program's frames make, applied in order (messages by id). */
function applyFrames(frames) {
  const byId = new Map();
  const seen = new Map();
  const take = (m) => {
    seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
    byId.set(m.id, { text: m.text, deleted: !!m.deleted, edited: !!m.editedAt, quote: m.replyTo?.quote ?? null, reactions: m.reactions ?? [] });
  };
  for (const f of frames) {
    if (f.t === 'joined') f.messages.forEach(take);
    if (f.t === 'msg') take(f);
    const m = byId.get(f.target);
    if (f.t === 'edit' && m) Object.assign(m, { text: f.text, edited: true });
    if (f.t === 'delete' && m) Object.assign(m, { text: '', deleted: true, reactions: [] });
    if (f.t === 'react' && m) m.reactions = f.reactions;
  }
  return { byId, seen };
}

for (const mode of ['embedded', 'redis']) {
  describe(`message actions (${mode})`, () => {
    let one;
    let two;

    before(async () => {
      const env = mode === 'redis' ? { REDIS_URL: redisUrl } : {};
      one = await new Server(env).start();
      two = mode === 'redis' ? await new Server(env).start() : one;
    });

    after(async () => {
      await one?.dispose();
      if (two !== one) await two?.dispose();
    });

    it('an edit, a delete, a reply and reactions reach the other browser and a program, once, final', async () => {
      const a = await (await browser.newContext({ viewport: desktop })).newPage();
      a.on('dialog', (d) => d.accept());
      const link = await createRoom(a, one.url, 'Alice', 'Team lunch');
      await live(a);
      const roomId = link.split('/r/')[1];
      const b = await (await browser.newContext({ viewport: desktop })).newPage();
      await join(b, `${two.url}/r/${roomId}`, 'Bob');
      await live(b);
      await say(a, 'helo team');
      await say(a, 'to be deleted');
      await message(b, 'to be deleted').waitFor();
      await say(b, 'what time?');
      await message(a, 'what time?').waitFor();
      // A program in the room, to resume later from where it stands now.
      const bot = await (await fetch(`${two.url}/api/rooms/${roomId}/members`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bot' }),
      })).json();
      const botPage = await (await browser.newContext({ viewport: desktop })).newPage();
      const start = await resume(botPage, two.url, roomId, bot.data.token, undefined);
      const since = Math.max(0, ...start.filter((f) => f.t === 'msg').map((f) => f.id),
        ...start.filter((f) => f.t === 'joined').flatMap((f) => f.messages.map((m) => m.id)));


      // Alice fixes her typo, deletes a message, answers Bob and reacts twice.
      await (await actions(a, 'helo team')).locator('button', { hasText: 'Edit' }).click();
      await a.waitForSelector('form.editor textarea');
      await a.fill('form.editor textarea', 'hello team');
      await a.press('form.editor textarea', 'Enter');
      await message(b, 'hello team').locator('.edited').waitFor();
      await (await actions(a, 'to be deleted')).locator('button', { hasText: 'Delete' }).click();
      await b.waitForSelector('#messages li.msg .tombstone');
      await (await actions(a, 'what time?')).locator('button', { hasText: 'Reply' }).click();
      await a.waitForSelector('#replying:not([hidden])');
      await say(a, 'noon');
      await (await actions(a, 'what time?')).locator('.palette button', { hasText: '👍' }).click();
      await (await actions(a, 'hello team')).locator('.palette button', { hasText: '🎉' }).click();
      // Bob adds his own heart to his question, with the chip Alice's click made… and a new one.
      await message(b, 'what time?').locator('.rx .chip').waitFor();
      const menu = await actions(b, 'what time?');
      if (mode === 'embedded') await shot(b, 'message-menu');
      await menu.locator('.palette button', { hasText: '❤️' }).click();
      await b.waitForFunction(() => document.querySelectorAll('#messages .rx .chip').length === 3);
      await message(b, 'noon').waitFor();
      // The chip Bob made is marked as his; Alice's is not.
      assert.equal(await message(b, 'what time?').locator('.chip.mine').textContent(), '❤️ 1');
      assert.deepEqual(await shown(b), finalState, 'live');
      await shot(b, 'message-actions');

      await b.reload();
      await live(b);
      assert.deepEqual(await shown(b), finalState, 'after a reload');

      await two.stop();
      await two.start();
      await b.waitForSelector('#status[data-state=live]', { timeout: 15000 });
      await b.waitForFunction(() => document.querySelectorAll('#messages li.msg').length === 4);
      assert.deepEqual(await shown(b), finalState, 'after a reconnect');

      assert.ok(since > 0);
      const frames = await resume(botPage, two.url, roomId, bot.data.token, since);
      const { byId, seen } = applyFrames(start.concat(frames));
      assert.ok([...seen.values()].every((n) => n === 1), `each message once: ${JSON.stringify([...seen])}`);
      const program = [...byId.values()].map((m) => ({
        text: m.text, deleted: m.deleted, edited: m.edited, quote: m.quote,
        reactions: m.reactions.map((r) => `${r.emoji} ${r.names.length}`),
      }));
      assert.deepEqual(program, [
        { text: 'hello team', deleted: false, edited: true, quote: null, reactions: ['🎉 1'] },
        { text: '', deleted: true, edited: false, quote: null, reactions: [] },
        { text: 'what time?', deleted: false, edited: false, quote: null, reactions: ['👍 1', '❤️ 1'] },
        { text: 'noon', deleted: false, edited: false, quote: 'what time?', reactions: [] },
      ], 'a program resuming with since');

      // The transcript keeps the edited text and not the deleted one.
      const transcript = await b.evaluate(async (room) => (await fetch(`/r/${room}/transcript.txt`)).text(), roomId);
      assert.match(transcript, /hello team/);
      assert.doesNotMatch(transcript, /to be deleted|helo team/);
      await a.context().close();
      await b.context().close();
      await botPage.context().close();
    });
  });
}

describe('message actions without JavaScript', () => {
  let server;
  before(async () => { server = await new Server().start(); });
  after(async () => { await server?.dispose(); });

  it('a message page offers every action through plain forms', async () => {
    const a = await (await browser.newContext({ viewport: desktop, javaScriptEnabled: false })).newPage();
    await createRoom(a, server.url, 'Alice');
    await a.fill('#text', 'first try');
    await a.click('#composer button[type=submit]');
    const log = a.frameLocator('iframe.nojs-log');
    await log.locator('li.msg a.acts').click();
    await a.waitForURL(/\/m\/\d+$/);
    await shot(a, 'message-page');
    await a.fill('#edit-text', 'second try');
    await a.click('form[action$="/edit"] button');
    await a.waitForURL(/\/r\/[A-Za-z0-9_-]{16}#msg-\d+$/);
    assert.match(await log.locator('li.msg .text').textContent(), /second try/);
    await log.locator('li.msg a.acts').click();
    await a.click('form.palette button[value="🎉"]');
    assert.equal((await log.locator('.rx .chip').textContent()).replace(/\s+/g, ' ').trim(), '🎉 1');
    await log.locator('li.msg a.acts').click();
    await a.fill('#reply-text', 'an answer');
    await a.click('form[action$="/messages"] button');
    assert.equal(await log.locator('li.msg .quote .q').textContent(), 'second try');
    await log.locator('li.msg a.acts').first().click();
    await a.click('form[action$="/delete"] button');
    await log.locator('.tombstone').waitFor();
    await a.context().close();
  });
});
