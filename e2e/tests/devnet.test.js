// scripts/devnet as a newcomer runs it (bounded): batches from its demo servers certified
// through the bridge and the UHF satellite within a few passes; stopped by a signal, it stops
// every process it started and keeps its data dir; started again, it resumes the same chain.
// A receipt made for a demo transaction verifies once every devnet process is stopped.
// It uses the devnet's fixed ports (RPC 9944, link 7700, bridge 9955, metrics 9615/9616; with
// --satellites 2 --stations 2 also links 7701, 7710, 7711, bridge 9956 and metrics 9617).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, describe, test } from 'node:test';

import { ApiPromise, WsProvider } from '@polkadot/api';

import { accepts as listening, tempDir } from '../lib/ground.js';
import { failureTracker, spawnLogged, waitFor, withDeadline, workspaceBinary } from '../lib/node.js';

const DEVNET = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'devnet');
const PORTS = [9944, 7700, 9955, 9615, 9616];

async function certifiedCount(api) {
  const entries = await api.query.spaceNotary.batches.entries();
  return entries.filter(([, record]) => record.unwrap().status.isCertified).length;
}

describe('scripts/devnet', () => {
  const track = failureTracker();
  const data = tempDir('devnet');
  let devnet;
  let api;

  afterEach(track.hook);
  after(async () => {
    if (api) await api.disconnect().catch(() => {});
    if (devnet) {
      if (track.failed()) devnet.printTail('a test failed', 80);
      await devnet.stop();
    }
    data.cleanup();
  });

  /** Starts the devnet and connects to its node. */
  async function start(args) {
    for (const port of PORTS) assert.equal(await listening(port), false, `port ${port} is free before the devnet starts`);
    devnet = spawnLogged({ name: 'devnet', bin: DEVNET, args: [...args, '--data-dir', data.dir, '--interval', '2'] });
    // The build is the test command's, warm by now.
    await waitFor(
      async () => {
        if (!devnet.running) throw new Error(`the devnet exited (${JSON.stringify(devnet.exitStatus)})`);
        return listening(9944);
      },
      { ms: 300_000, interval: 1_000, what: "the devnet's node RPC on 9944" },
    );
    api = await withDeadline(ApiPromise.create({ provider: new WsProvider('ws://127.0.0.1:9944'), noInitWarn: true }), 60_000, "the devnet's node API");
  }

  /** Stops the devnet as Ctrl-C does; checks it exits 0 within 30 s and leaves no port open. */
  async function stop() {
    await api.disconnect();
    api = undefined;
    devnet.child.kill('SIGINT');
    const status = await withDeadline(devnet.exited, 30_000, 'the devnet to stop after SIGINT');
    assert.equal(status.code, 0, `exit status ${JSON.stringify(status)}`);
    await waitFor(async () => !(await Promise.all(PORTS.map(listening))).some(Boolean), {
      ms: 15_000,
      what: 'every devnet process to release its port',
    });
  }

  test('batches certified through the UHF satellite; Ctrl-C stops all; a restart resumes', async () => {
    await start(['--fresh']);
    const genesis = api.genesisHash.toHex();
    // A pass about every minute: two of them at most for the first certifications.
    await waitFor(async () => (await certifiedCount(api)) >= 2, {
      ms: 240_000,
      interval: 3_000,
      what: "two of the demo servers' batches certified on the devnet",
    });
    const before = await certifiedCount(api);

    // A receipt for a demo transaction, made while the devnet runs…
    const entries = await api.query.spaceNotary.batches.entries();
    const [key] = entries.find(([, record]) => record.unwrap().status.isCertified);
    const batchId = key.args[0].toHex();
    const receipt = path.join(data.dir, 'demo.receipt');
    const bridge = (args) => spawnSync(workspaceBinary('satellite-bridge'), args, { encoding: 'utf8', timeout: 120_000 });
    await waitFor(() => bridge(['receipt', 'make', '--batch', batchId, '--index', '0', '--out', receipt]).status === 0, {
      ms: 180_000,
      interval: 3_000,
      what: `a receipt for transaction 0 of the certified demo batch ${batchId}`,
    });
    await stop();
    // …verifies with every devnet process stopped, from the chain spec the devnet keeps.
    const verified = bridge(['receipt', 'verify', receipt, '--chain-spec', path.join(data.dir, 'chain-spec-raw.json')]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, new RegExp(`chain \\(genesis hash\\)\\s+${genesis}`));
    assert.match(verified.stdout, new RegExp(`^valid: transaction 0 .* in batch ${batchId} `, 'm'));

    await start([]);
    assert.equal(api.genesisHash.toHex(), genesis, 'the same chain, resumed from the data dir');
    await waitFor(async () => (await certifiedCount(api)) > before, {
      ms: 240_000,
      interval: 3_000,
      what: 'a batch certified after the restart',
    });
    await stop();
  });

  test('--validators 2: two validators author and finalize, batches certified, Ctrl-C stops both', async () => {
    for (const port of [9945, 30333, 30334]) assert.equal(await listening(port), false, `port ${port} is free before the devnet starts`);
    await start(['--fresh', '--validators', '2']);
    const second = await withDeadline(
      ApiPromise.create({ provider: new WsProvider('ws://127.0.0.1:9945'), noInitWarn: true }),
      60_000,
      "the second validator's API",
    );
    try {
      assert.equal(second.genesisHash.toHex(), api.genesisHash.toHex(), 'one chain');
      assert.equal((await api.query.aura.authorities()).length, 2, 'two Aura authorities');
      await waitFor(async () => (await certifiedCount(api)) >= 1, {
        ms: 240_000,
        interval: 3_000,
        what: "a demo batch certified on the two-validator devnet",
      });
      // Both author (Aura alternates slots between them) and both finalize (GRANDPA needs both).
      const authors = new Set();
      const head = (await api.rpc.chain.getHeader()).number.toNumber();
      for (let n = Math.max(1, head - 5); n <= head; n++) {
        const header = await api.rpc.chain.getHeader(await api.rpc.chain.getBlockHash(n));
        const digest = header.digest.logs.find((log) => log.isPreRuntime && log.asPreRuntime[0].isAura);
        authors.add(api.registry.createType('u64', digest.asPreRuntime[1]).toNumber() % 2);
      }
      assert.equal(authors.size, 2, 'blocks of both validators among the last six');
      const finalized = async (a) => (await a.rpc.chain.getHeader(await a.rpc.chain.getFinalizedHead())).number.toNumber();
      const from = await finalized(second);
      await waitFor(async () => (await finalized(second)) > from, { ms: 60_000, what: 'finality to advance on the second validator' });
    } finally {
      await second.disconnect();
    }
    await stop();
    for (const port of [9945, 30333, 30334]) assert.equal(await listening(port), false, `port ${port} released`);
  });

  test('--satellites 2 --stations 2: each station links to both satellites, both satellites certify demo batches with their own clocks, the stations race; Ctrl-C stops all', async () => {
    const extra = [7701, 7710, 7711, 9617, 9956];
    for (const port of extra) assert.equal(await listening(port), false, `port ${port} is free before the devnet starts`);
    await start(['--fresh', '--satellites', '2', '--stations', '2']);
    // The devnet registers its servers, then adds the second satellite, once its node is up.
    const server = async (id) => api.call.spaceNotaryApi.server(id);
    await waitFor(async () => (await server(1)).isSome && (await server(1)).unwrap().satellites.length === 2, {
      ms: 120_000,
      interval: 2_000,
      what: 'both demo servers registered with both satellites',
    });
    const servers = await Promise.all([0, 1].map(async (id) => (await server(id)).unwrap()));
    for (const info of servers) {
      assert.deepEqual(info.satellites.map((s) => s.id.toNumber()), [0, 1], 'each demo server is served by both satellites');
      assert.equal(info.quorum.toNumber(), 1, 'either one certifies');
    }
    // Which satellite certified each batch, and when it signed, as the chain records it.
    const bySatellite = async () => {
      const counts = new Map();
      for (const [, record] of await api.query.spaceNotary.batches.entries()) {
        const { cert, status } = record.unwrap();
        if (!status.isCertified) continue;
        for (const a of status.asCertified.attestations) {
          assert.ok(a.signedAtMs.isSome, 'a v2 countersignature, with the satellite clock');
          assert.ok(a.signedAtMs.unwrap().toBigInt() >= cert.issuedAtMs.toBigInt(), 'signed after the certificate was issued');
          counts.set(a.satelliteId.toNumber(), (counts.get(a.satelliteId.toNumber()) ?? 0) + 1);
        }
      }
      return counts;
    };
    let counts;
    await waitFor(async () => (counts = await bySatellite()).size === 2, {
      ms: 360_000,
      interval: 3_000,
      what: 'demo batches certified by satellite 0 and by satellite 1',
    });
    console.log(`certified by satellite: ${JSON.stringify(Object.fromEntries(counts))}`);
    // Each station holds a link to each satellite, and says which satellite each link reaches.
    for (const port of [9955, 9956]) {
      const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
      assert.deepEqual(status.links.map((l) => l.address), [0, 1].map((k) => `127.0.0.1:${7700 + 10 * (port - 9955) + k}`), `station ${port - 9955}'s links`);
    }
    // The stations raced for the same batches: each certified once.
    for (const [, record] of await api.query.spaceNotary.batches.entries()) {
      const { status } = record.unwrap();
      if (status.isCertified) assert.ok(status.asCertified.attestations.length === 1, 'one countersignature under a quorum of one');
    }
    await stop();
    for (const port of extra) assert.equal(await listening(port), false, `port ${port} released`);
  });
});
