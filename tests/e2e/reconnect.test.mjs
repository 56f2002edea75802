// (c) A server restart behind two open tabs, with Redis: both reconnect by themselves and
// show what was sent meanwhile exactly once.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Server, countMessages, createRoom, desktop, join, launch, live, say, shot } from './harness.mjs';

const redisUrl = process.env.REDIS_URL;
let one;
let two;
let browser;

before(async () => {
  assert.ok(redisUrl, 'REDIS_URL must be set for the reconnect test (scripts/test starts a private Redis)');
  one = await new Server({ REDIS_URL: redisUrl }).start();
  two = await new Server({ REDIS_URL: redisUrl }).start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await one?.dispose();
  await two?.dispose();
});

it('(c) tabs reconnect after a restart and miss nothing, twice nothing', async () => {
  const a = await (await browser.newContext({ viewport: desktop })).newPage();
  const link = await createRoom(a, one.url, 'Alice');
  await live(a);
  const b = await (await browser.newContext({ viewport: desktop })).newPage();
  await join(b, link, 'Bob');
  await live(b);
  await say(a, 'before the restart');
  await b.waitForSelector('#messages >> text=before the restart');

  await one.stop();
  await a.waitForSelector('#status[data-state=reconnecting]', { timeout: 5000 });
  // Meanwhile: Alice types (htmx queues it), and someone on the other instance writes.
  await say(a, 'typed while reconnecting');
  const link2 = link.replace(one.url, two.url);
  const d = await (await browser.newContext({ viewport: desktop })).newPage();
  await join(d, link2, 'Dana');
  await live(d);
  await say(d, 'sent during the restart');
  await d.waitForSelector('#messages >> text=sent during the restart');

  await one.start();
  await live(a);
  await live(b);
  for (const page of [a, b, d]) {
    for (const text of ['before the restart', 'sent during the restart', 'typed while reconnecting']) {
      await page.waitForSelector(`#messages >> text=${text}`, { timeout: 10000 });
      assert.equal(await countMessages(page, text), 1, `${text} once`);
    }
  }
  // And the room is live again both ways.
  await say(b, 'after the restart');
  await a.waitForSelector('#messages >> text=after the restart', { timeout: 5000 });
  await d.waitForSelector('#messages >> text=after the restart', { timeout: 5000 });
  await shot(a, 'after-restart');
});
