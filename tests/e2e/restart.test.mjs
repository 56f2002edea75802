// (d) The embedded default restarted behind two open tabs, without Redis: stopped (SIGTERM) and,
// in a second round, killed (SIGKILL). Both tabs reconnect by themselves; history and names are
// there; what was typed while the server was down arrives once.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Server, countMessages, createRoom, desktop, join, launch, live, say, shot } from './harness.mjs';

let server;
let browser;

before(async () => {
  // No REDIS_URL: the embedded default, its SQLite file in the server's own directory.
  server = await new Server({ REDIS_URL: '' }).start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

it('(d) the embedded default keeps the conversation through a stop and a crash', async () => {
  const a = await (await browser.newContext({ viewport: desktop })).newPage();
  await createRoom(a, server.url, 'Alice');
  const link = await a.inputValue('#share-link');
  await live(a);
  const b = await (await browser.newContext({ viewport: desktop })).newPage();
  await join(b, link, 'Bob');
  await live(b);
  await say(a, 'before the restart');
  await b.waitForSelector('#messages >> text=before the restart');

  for (const [round, stop] of [['stop', () => server.stop()], ['crash', () => server.kill()]]) {
    await stop();
    await a.waitForSelector('#status[data-state=reconnecting]', { timeout: 5000 });
    const queued = `typed during the ${round}`;
    await say(a, queued);
    await server.start();
    await live(a);
    await live(b);
    for (const page of [a, b]) {
      for (const text of ['before the restart', queued]) {
        await page.waitForSelector(`#messages >> text=${text}`, { timeout: 10000 });
        assert.equal(await countMessages(page, text), 1, `${text} once after the ${round}`);
      }
      assert.equal(await page.locator('#members .member-name', { hasText: 'Bob' }).count(), 1);
    }
  }
  // A reload after all that is still the chat, not a join form.
  await b.reload();
  await b.waitForSelector('#composer');
  await live(b);
  await say(b, 'after the restarts');
  await a.waitForSelector('#messages >> text=after the restarts', { timeout: 5000 });
  await shot(a, 'after-embedded-restart');
});
