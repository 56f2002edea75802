// Starts c2c servers and Debian's Chromium for the end-to-end tests.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const artifacts = path.join(root, 'artifacts', 'e2e');
mkdirSync(artifacts, { recursive: true });

const binary = process.env.C2C_BIN || path.join(root, 'target', 'debug', 'c2c');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitHealthy(url, child, deadlineMs = 20000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`c2c exited early with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`c2c did not become healthy at ${url}`);
}

/** A c2c process. `env` adds to the environment (REDIS_URL, …). Restartable on the same port. */
export class Server {
  constructor(env = {}) {
    this.env = env;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'c2c-e2e-'));
  }

  async start() {
    this.port ??= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    // The test command's environment names one Redis and the clusters; a server uses one
    // Redis unless its test asks for a cluster.
    const inherited = { ...process.env };
    delete inherited.REDIS_CLUSTER_NODES;
    if (this.env.REDIS_CLUSTER_NODES) delete inherited.REDIS_URL;
    this.child = spawn(binary, [], {
      env: {
        ...inherited,
        C2C_ADDR: `127.0.0.1:${this.port}`,
        DATABASE_URL: `sqlite://${path.join(this.dir, 'c2c.sqlite3')}`,
        RUST_LOG: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitHealthy(this.url, this.child);
    return this;
  }

  /** SIGTERM, as an operator or orchestrator stops it; resolves when it has exited. */
  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }

  /** SIGKILL, as a crash does; resolves when it has exited. */
  async kill() {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export const desktop = { width: 1280, height: 900 };
export const phone = { width: 390, height: 844 };

/** Saves a screenshot under artifacts/e2e. */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

/** Creates a room from the start page (optionally named); returns the share link the page shows. */
export async function createRoom(page, base, name, roomName = '', topic = '') {
  await page.goto(`${base}/`);
  await page.fill('#name', name);
  if (roomName) await page.fill('#room-name', roomName);
  if (topic) await page.fill('#topic', topic);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/r\/[A-Za-z0-9_-]{16}$/);
  return page.inputValue('#share-link');
}

/** Joins from a share link. */
export async function join(page, link, name) {
  await page.goto(link);
  await page.fill('#name', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('#composer');
}

export async function live(page) {
  await page.waitForSelector('#status[data-state=live]', { timeout: 10000 });
}

export async function say(page, text) {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

/** How many messages in the log have exactly this text. */
export async function countMessages(page, text) {
  return page.locator('#messages li.msg .text', { hasText: text }).evaluateAll(
    (els, t) => els.filter((e) => e.textContent === t).length, text);
}
