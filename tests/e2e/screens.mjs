// Takes the small pictures the translators' page shows beside each section ("where it
// shows"): run `scripts/translate-screens` after changing a page's look. Not a test.
import path from 'node:path';
import { Server, createRoom, join, launch, live, root, say } from './harness.mjs';

const out = (name) => path.join(root, 'assets', 'translate', `${name}.png`);
const server = await new Server({ C2C_TRANSLATOR_TOKEN: 'screens-translator-token-0123' }).start();
const browser = await launch();
try {
  const context = () => browser.newContext({ viewport: { width: 1000, height: 700 }, locale: 'en' });
  const a = await (await context()).newPage();
  await a.goto(`${server.url}/`);
  await a.locator('.card').screenshot({ path: out('home') });
  const link = await createRoom(a, server.url, 'Ann', 'Weekend trip', 'Where do we go?');
  await live(a);
  const b = await (await context()).newPage();
  await b.goto(link);
  await b.locator('.card').screenshot({ path: out('invite') });
  await join(b, link, 'Bo');
  await live(b);
  await say(a, 'The lake or the mountains?');
  await say(b, 'Lake! 🏊');
  await b.waitForSelector('#messages >> text=The lake or the mountains?');
  await a.waitForSelector('#messages >> text=Lake!');
  await a.fill('#text', 'Sounds good');
  await b.waitForSelector('#typing:not(:empty)');
  await b.screenshot({ path: out('chat') });
  await b.locator('.conversation').screenshot({ path: out('messages') });
  await b.locator('#composer').screenshot({ path: out('composer') });
  await a.click('details.settings > summary');
  await a.locator('.sidebar').screenshot({ path: out('owner') });
  await b.goto(`${server.url}/r/AAAAAAAAAAAAAAAA`);
  await b.locator('.card').screenshot({ path: out('errors') });
} finally {
  await browser.close();
  await server.dispose();
}
