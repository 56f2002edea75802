// Graceful shutdown behind a load balancer: two c2c instances on one Redis behind nginx (the
// compose file's shape). SIGTERM one instance during a chat: its browsers reconnect through
// nginx to the other instance and no message is lost or doubled.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Server, countMessages, createRoom, desktop, freePort, join, launch, live, say } from './harness.mjs';

const redisUrl = process.env.REDIS_URL;
let one;
let two;
let nginx;
let dir;
let browser;
let lb;

before(async () => {
  assert.ok(redisUrl, 'REDIS_URL must be set (scripts/test starts a private Redis)');
  // Two instances as on a two-core host: one thread each (single-threaded runtime).
  one = await new Server({ REDIS_URL: redisUrl, C2C_WORKER_THREADS: '1' }).start();
  two = await new Server({ REDIS_URL: redisUrl, C2C_WORKER_THREADS: '1' }).start();
  const port = await freePort();
  dir = mkdtempSync(path.join(os.tmpdir(), 'c2c-nginx-'));
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, `
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream c2c {
    server 127.0.0.1:${one.port} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${two.port} max_fails=1 fail_timeout=10s;
  }
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://c2c;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}`);
  nginx = spawn(process.env.NGINX || '/usr/sbin/nginx', ['-c', conf, '-p', dir], { stdio: 'inherit' });
  lb = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${lb}/healthz`)).ok) break; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  nginx?.kill('SIGTERM');
  await one?.dispose();
  await two?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('(h) SIGTERM one instance mid-chat: its browsers move to the other and lose nothing', async () => {
  const a = await (await browser.newContext({ viewport: desktop })).newPage();
  const link = await createRoom(a, lb, 'Alice');
  await live(a);
  const b = await (await browser.newContext({ viewport: desktop })).newPage();
  await join(b, link, 'Bob');
  await live(b);
  // Round robin put the two sockets (and page loads) on both instances.
  await say(a, 'one');
  await b.waitForSelector('#messages >> text=one');

  for (const page of [a, b]) {
    await page.evaluate(() => {
      window.__closes = 0;
      document.body.addEventListener('htmx:wsClose', () => { window.__closes += 1; });
    });
  }
  const stopping = one.stop();
  await say(b, 'two, while an instance stops');
  await stopping;
  await live(a);
  await live(b);
  const moved = (await a.evaluate(() => window.__closes)) + (await b.evaluate(() => window.__closes));
  assert.ok(moved >= 1, 'at least one browser was on the stopped instance and moved');
  await say(a, 'three, after');
  for (const page of [a, b]) {
    for (const text of ['one', 'two, while an instance stops', 'three, after']) {
      await page.waitForSelector(`#messages >> text=${text}`, { timeout: 15000 });
      assert.equal(await countMessages(page, text), 1, `${text} exactly once`);
    }
  }
});
