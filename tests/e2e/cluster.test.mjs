// Two browsers chatting through two c2c instances on a Redis Cluster while the master of their
// room's slot is killed (`kill -9`): its replica takes over, a message typed during the
// failover waits and goes out by itself, and both browsers end with every message once. Runs on
// the test command's second cluster (REDIS_CLUSTER_FAULT_NODES), the one failure tests break.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Server, countMessages, createRoom, desktop, join, launch, live, say, shot } from './harness.mjs';

const nodes = process.env.REDIS_CLUSTER_FAULT_NODES;
let one;
let two;
let browser;

/** Runs redis-cli against one node (`host:port`) and returns its output. */
function cli(node, ...args) {
  const [host, port] = node.split(':');
  return execFileSync('redis-cli', ['-h', host, '-p', port, ...args], { encoding: 'utf8' });
}

/** The healthy master serving `slot`, as `host:port`. */
function masterOf(slot) {
  for (const seed of nodes.split(',')) {
    let view;
    try { view = cli(seed, 'cluster', 'nodes'); } catch { continue; }
    for (const line of view.trim().split('\n')) {
      const f = line.split(' ');
      if (!f[2].includes('master') || f[2].includes('fail')) continue;
      const serves = f.slice(8).some((range) => {
        const [low, high = low] = range.split('-').map(Number);
        return slot >= low && slot <= high;
      });
      if (serves) return f[1].split('@')[0];
    }
  }
  return null;
}

before(async () => {
  assert.ok(nodes, 'REDIS_CLUSTER_FAULT_NODES must list a Redis Cluster (scripts/test starts one)');
  const env = { REDIS_CLUSTER_NODES: nodes, C2C_WORKER_THREADS: '1' };
  one = await new Server(env).start();
  two = await new Server(env).start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await one?.dispose();
  await two?.dispose();
});

it('(k) a chat keeps working through a master kill on a Redis Cluster', async () => {
  const a = await (await browser.newContext({ viewport: desktop })).newPage();
  const link = await createRoom(a, one.url, 'Alice');
  await live(a);
  const b = await (await browser.newContext({ viewport: desktop })).newPage();
  await join(b, link.replace(one.url, two.url), 'Bob');
  await live(b);
  await say(a, 'before the failover');
  await b.waitForSelector('#messages >> text=before the failover');

  const room = link.split('/').pop();
  const slot = Number(cli(nodes.split(',')[0], 'cluster', 'keyslot', `room:{${room}}:info`).trim());
  const master = masterOf(slot);
  assert.ok(master, 'a master serves the room');
  const info = cli(master, 'info', 'server');
  const field = (name) => info.split('\n').find((l) => l.startsWith(`${name}:`)).split(':')[1].trim();
  const config = field('config_file');
  execFileSync('kill', ['-9', field('process_id')]);

  // Typed while the shard has no master: it waits in the outbox and goes out by itself.
  await say(a, 'during the failover');
  await say(b, 'also during it');
  await a.waitForTimeout(300);
  await shot(a, 'cluster-failover-during');
  const during = await a.locator('#status').getAttribute('data-state');
  assert.ok(['live', 'reconnecting', 'connecting'].includes(during), `status ${during}`);

  for (const page of [a, b]) {
    for (const text of ['before the failover', 'during the failover', 'also during it']) {
      await page.waitForSelector(`#messages li.msg >> text=${text}`, { timeout: 20000 });
    }
  }
  await live(a);
  await live(b);
  assert.notEqual(masterOf(slot), master, 'a replica took over the slot');
  await say(b, 'after the failover');
  for (const page of [a, b]) {
    await page.waitForSelector('#messages li.msg >> text=after the failover', { timeout: 10000 });
    for (const text of ['before the failover', 'during the failover', 'also during it', 'after the failover']) {
      assert.equal(await countMessages(page, text), 1, `${text} exactly once`);
    }
    assert.equal(await page.locator('ol.outbox li').count(), 0, 'nothing left unsent');
  }
  await shot(a, 'cluster-failover-after');

  // The old master comes back as a replica, leaving the cluster as it was.
  execFileSync('redis-server', [config]);
  for (let i = 0; i < 200; i++) {
    let replication = '';
    try { replication = cli(master, 'info', 'replication'); } catch { /* starting */ }
    if (replication.includes('role:slave') && replication.includes('master_link_status:up')) break;
    await a.waitForTimeout(100);
  }
});
