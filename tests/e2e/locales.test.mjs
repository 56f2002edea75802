// Languages as translators and readers meet them: a translator adds Japanese for every text
// through /translate alone, and readers on two instances (one Redis, one PostgreSQL) see the
// start, invite, chat (live fragments included) and error pages entirely in Japanese within
// seconds; a right-to-left language added the same way mirrors the layout; the pseudo-locale's
// 40 % longer texts fit every page without sideways scrolling.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  Server, createRoom, desktop, join, launch, live, phone, say, shot,
} from './harness.mjs';

const redisUrl = process.env.REDIS_URL;
const databaseUrl = process.env.DATABASE_URL;
const TOKEN = 'e2e-translator-token-0123456789';

let one;
let two;
let browser;

/** A database of its own on the test PostgreSQL, so the rows added here touch no other test. */
function freshDatabase() {
  const name = `c2c_e2e_locales_${process.pid}_${Date.now()}`;
  execFileSync('psql', [databaseUrl, '-q', '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

before(async () => {
  assert.ok(redisUrl && databaseUrl, 'REDIS_URL and DATABASE_URL must be set (scripts/test starts both)');
  const env = { REDIS_URL: redisUrl, DATABASE_URL: freshDatabase(), C2C_TRANSLATOR_TOKEN: TOKEN };
  one = await new Server(env).start();
  two = await new Server(env).start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await one?.dispose();
  await two?.dispose();
});

/** Signs a translator in on `base`; returns the page. */
async function translator(base) {
  const page = await (await browser.newContext({ viewport: desktop })).newPage();
  await page.goto(`${base}/translate`);
  await page.fill('#editor', 'Mina');
  await page.fill('#token', TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/translate`);
  return page;
}

/** The placeholders of an English text (`{name}`, and the number of plural forms). */
function placeholders(text) {
  // A name right after `{` and before `}` or `,`: plural branches (`{and # more}`) are not names.
  return [...new Set([...text.matchAll(/\{\s*(\w+)\s*[,}]/g)].map((m) => m[1]))];
}

/** Saves a translation of every text of `locale`'s column through the page's own form. */
async function translateAll(page, base, locale, translate) {
  await page.goto(`${base}/translate?add=${locale}`);
  const rows = await page.$$eval('td[id^="cell-"][id$="-en"] .message', (els) => els.map((el) => ({
    code: el.closest('td').id.replace(/^cell-/, '').replace(/-en$/, ''),
    english: el.textContent,
  })));
  assert.ok(rows.length > 200, `every text is listed (${rows.length})`);
  const csrf = await page.inputValue('input[name=csrf]');
  const refused = await page.evaluate(async ({ rows, locale, csrf, texts }) => {
    const failed = [];
    for (const [i, row] of rows.entries()) {
      const body = new URLSearchParams({ csrf, code: row.code, locale, message: texts[i] });
      const res = await fetch('/translate/save', { method: 'POST', body, redirect: 'manual' });
      if (res.type !== 'opaqueredirect' && res.status !== 303) failed.push(`${row.code}: ${res.status}`);
    }
    return failed;
  }, { rows, locale, csrf, texts: rows.map((row) => translate(row)) });
  assert.deepEqual(refused, [], 'every translation is accepted');
  return rows;
}

/** A Japanese stand-in for an English text: its placeholders between Japanese words. */
function japanese({ code, english }) {
  if (code === 'language_name') return '日本語';
  return `和${placeholders(english).map((p) => `{${p}}`).join('と')}訳`;
}

/** Visible words (text and what screen readers read) still written in Latin letters, once the
 * names and messages people typed (`allowed`) are taken out. */
async function latinLeft(page, allowed) {
  const texts = await page.evaluate(() => {
    const out = [document.body.innerText, document.title];
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
      if (el.closest('details:not([open]) > ul') || el.closest('[hidden]')) continue;
      out.push(el.getAttribute('placeholder') || '', el.getAttribute('aria-label') || '', el.getAttribute('title') || '');
    }
    return out;
  });
  const left = [];
  for (let text of texts) {
    for (const word of allowed) text = text.split(word).join(' ');
    for (const line of text.split('\n')) if (/[A-Za-z]/.test(line)) left.push(line.trim());
  }
  return left;
}

describe('languages', () => {
  it('a translator adds Japanese for every text; readers on two instances see only Japanese', async () => {
    const t = await translator(one.url);
    // One text the way a person does it: click, type, save; the counts follow.
    await t.goto(`${one.url}/translate?add=ja`);
    await t.click('#cell-join_button-ja a.cell-link');
    await t.fill('#msg-join_button-ja', '参加する');
    await t.click('#cell-join_button-ja button[type=submit]');
    await t.waitForSelector('#cell-join_button-ja .saved');
    assert.match(await t.textContent('#counts-ja'), /^1 of \d+ translated/);
    await shot(t, 'translate-page');
    const rows = await translateAll(t, one.url, 'ja', japanese);
    const savedAt = Date.now();

    const reader = async () => (await browser.newContext({ viewport: desktop, locale: 'ja-JP' })).newPage();
    const a = await reader();
    // Within 5 s of the last save, on the other instance: all of it (the other instance reloads
    // the catalogue every 2 s, so one reload may land while the texts are still being saved).
    const allowed = ['c2c', 'Aki', 'Ren', 'konnichiwa', 'English'];
    let home = '';
    let left = [];
    while (Date.now() - savedAt < 5000) {
      await a.goto(`${two.url}/`);
      home = await a.textContent('h1');
      left = await latinLeft(a, allowed);
      if (home.startsWith('和') && left.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(home.startsWith('和'), `the start page is Japanese within 5 s (${Date.now() - savedAt} ms): ${home}`);
    assert.equal(await a.getAttribute('html', 'lang'), 'ja');
    assert.deepEqual(left, [], 'start page');

    const link = await createRoom(a, two.url, 'Aki');
    await live(a);
    const b = await reader();
    await b.goto(link.replace(two.url, one.url));
    const room = link.split('/').pop();
    allowed.push(room, link, link.replace(two.url, one.url));
    assert.deepEqual(await latinLeft(b, allowed), [], 'invite page');
    await join(b, link.replace(two.url, one.url), 'Ren');
    await live(b);
    // Live fragments: a join notice, a message, typing, on both instances.
    await a.waitForSelector('#members li.member.online >> text=Ren', { timeout: 5000 });
    await say(b, 'konnichiwa');
    await a.waitForSelector('#messages >> text=konnichiwa', { timeout: 5000 });
    await a.fill('#text', 'k');
    await b.waitForSelector('#typing:not(:empty)', { timeout: 5000 });
    assert.deepEqual(await latinLeft(a, allowed), [], 'chat page (live)');
    assert.deepEqual(await latinLeft(b, allowed), [], 'chat page (other instance, live)');
    await shot(b, 'chat-ja');

    await a.goto(`${two.url}/r/AAAAAAAAAAAAAAAA`);
    const requestId = await a.textContent('.request-id code');
    assert.deepEqual(await latinLeft(a, [...allowed, requestId]), [], 'error page');
    assert.ok(rows.length > 200);
  });

  it('a right-to-left language added the same way mirrors the layout and isolates names', async () => {
    const t = await translator(two.url);
    const arabic = {
      language_name: 'العربية', tagline: 'شارك رابطًا وابدأ الدردشة.', your_name: 'اسمك',
      create_button: 'أنشئ غرفة', share_label: 'ادعُ الناس بهذا الرابط', people: 'الأشخاص',
      send: 'إرسال', message_placeholder: 'اكتب رسالة…', leave: 'غادر الغرفة',
    };
    await t.goto(`${two.url}/translate?add=ar`);
    for (const [code, text] of Object.entries(arabic)) {
      await t.goto(`${two.url}/translate?locale=ar&q=${code}`);
      await t.click(`#cell-${code}-ar a.cell-link`);
      await t.fill(`#msg-${code}-ar`, text);
      await t.click(`#cell-${code}-ar button[type=submit]`);
      await t.waitForSelector(`#cell-${code}-ar .saved`);
    }
    const page = await (await browser.newContext({ viewport: desktop, locale: 'ar' })).newPage();
    await page.goto(`${one.url}/`);
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', null, { timeout: 5000 })
      .catch(async () => { await page.reload(); });
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    await createRoom(page, one.url, 'Layla');
    await live(page);
    await say(page, 'مرحبا Anna!');
    await page.waitForSelector('#messages >> text=مرحبا Anna!');
    const box = async (selector) => page.locator(selector).first().boundingBox();
    const [conversation, sidebar] = [await box('.conversation'), await box('.sidebar')];
    assert.ok(sidebar.x < conversation.x, 'the sidebar sits on the left, mirrored');
    assert.equal(await page.getAttribute('#messages li.msg .text', 'dir'), 'auto', 'messages isolated');
    assert.equal(await page.locator('#messages li.msg bdi.who').count(), 1, 'names isolated');
    await shot(page, 'chat-rtl');
  });

  it('the pseudo-locale\'s longer texts fit every page on a desktop and a phone', async () => {
    for (const viewport of [desktop, phone]) {
      const page = await (await browser.newContext({ viewport, locale: 'en-XA' })).newPage();
      const link = await createRoom(page, one.url, 'Pia');
      await live(page);
      await say(page, 'hello');
      const other = await (await browser.newContext({ viewport, locale: 'en-XA' })).newPage();
      const pages = [`${one.url}/`, link, `${one.url}/r/AAAAAAAAAAAAAAAA`, `${one.url}/translate`];
      for (const url of pages) {
        const p = url === link ? page : other;
        if (url !== link) await p.goto(url);
        else await p.reload();
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${url} at ${viewport.width} px scrolls sideways by ${overflow} px`);
        assert.match(await p.textContent('body'), /⟦/, 'the pseudo-locale is served');
      }
      if (viewport === desktop) await shot(page, 'chat-pseudo');
    }
  });
});
