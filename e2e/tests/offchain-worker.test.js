// The pallet's off-chain worker as the only relay: a dev node started with
// `--ground-station-url`, satellite-bridge in HTTP-only mode (it follows no chain; the first one
// with `--uplink-txs`, so the worker also hands over transactions from the off-chain index) and
// the satellite emulator, all the real binaries. Batches get certified through the worker alone;
// the URL changed at run time through `offchain_localStorageSet` takes effect.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';

import { bridgeView, provision, relayRecord, setGroundStationUrl, startBridge, startEmulator, tempDir } from '../lib/ground.js';
import { failureTracker, freePorts, startNode, stopNode, waitFor } from '../lib/node.js';
import { buildBatch, serverKeyPair, ZERO_HASH } from '../lib/notary.js';
import { findEvent, submit } from '../lib/tx.js';

const hex = (x) => u8aToHex(x);

describe('off-chain worker (--dev --ground-station-url, bridge HTTP-only, emulator)', () => {
  const track = failureTracker();
  const dirs = [];
  const procs = [];
  let node;
  let api;
  let firstUrl;
  let emulator;
  let alice;
  let bob;
  const servers = [];

  before(async () => {
    const [httpPort] = await freePorts(1);
    firstUrl = `http://127.0.0.1:${httpPort}`;
    ({ node, api } = await startNode({ name: 'ocw', args: ['--dev', '--ground-station-url', firstUrl] }));
    const genesisHash = api.genesisHash.toHex();
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');

    // Two servers, provisioned on the satellite under the ids the chain will give them.
    const state = tempDir('emulator');
    dirs.push(state);
    const firstId = (await api.query.spaceNotary.nextServerId()).toNumber();
    for (const [i, scheme] of ['sr25519', 'ed25519'].entries()) {
      const key = serverKeyPair(scheme, '0x' + (0x61 + i).toString(16).repeat(32));
      servers.push({ id: firstId + i, key, satelliteKey: provision(state.dir, firstId + i, key), sequence: 0, last: ZERO_HASH });
    }
    emulator = await startEmulator({ stateDir: state.dir, genesisHash });
    procs.push(emulator.proc);
    const data = tempDir('bridge');
    dirs.push(data);
    // Full mode: the bridge asks the worker for each batch's transactions (from the node's
    // off-chain index) and the satellite checks the root over them.
    const bridge = await startBridge({ satellite: emulator.url, genesisHash, dataDir: data.dir, httpPort, extra: ['--uplink-txs'] });
    procs.push(bridge.proc);
    for (const s of servers) {
      const call = api.tx.spaceNotary.registerServer(bob.address, s.key.serverKeyJson, 0, s.satelliteKey);
      const { events } = await submit(api, api.tx.sudo.sudo(call), { signer: alice, what: 'sudo registerServer' });
      assert.equal(findEvent(events, 'spaceNotary', 'ServerRegistered').data.serverId.toNumber(), s.id);
    }
  });
  afterEach(track.hook);
  after(async () => {
    for (const p of procs) {
      if (track.failed()) p.printTail('a test failed');
      await p.stop();
    }
    await stopNode(node, track.failed);
    for (const d of dirs) d.cleanup();
  });

  /**
   * Submits each `[server, txs]` as that server's next batch, all at once (Bob operates both;
   * explicit nonces); resolves when all are in blocks with their ids (hex) and the first block.
   */
  async function submitAll(items) {
    const first = (await api.rpc.system.accountNextIndex(bob.address)).toNumber();
    const sent = items.map(([s, txs], i) => {
      s.sequence += 1;
      const batch = buildBatch({ server: s.key, genesisHash: api.genesisHash.toU8a(), serverId: s.id, sequence: s.sequence, prevBatch: s.last, txs });
      s.last = batch.id;
      const tx = api.tx.spaceNotary.submitBatch(hex(batch.scale), hex(batch.serverSignature), batch.txs.map(hex));
      return { id: hex(batch.id), included: submit(api, tx, { signer: bob, nonce: first + i, what: `submitBatch ${s.id}/${s.sequence}` }) };
    });
    const blocks = (await Promise.all(sent.map((b) => b.included))).map((r) => r.blockNumber);
    return { ids: sent.map((b) => b.id), from: Math.min(...blocks) };
  }

  async function waitCertified(ids, what) {
    await waitFor(
      async () => {
        const records = await api.query.spaceNotary.batches.multi(ids);
        return records.every((r) => r.isSome && r.unwrap().status.isCertified);
      },
      { ms: 180_000, interval: 1_000, what },
    );
  }

  test('batches are certified through the off-chain worker alone, as bare v4 extrinsics', async () => {
    const { ids, from } = await submitAll([
      [servers[0], ['first', 'of server one']],
      [servers[1], ['first of server two']],
      [servers[0], ['second', 'of', 'server one']],
    ]);
    await waitCertified(ids, `${ids.length} batches certified through the off-chain worker`);

    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const { certified, failed, relays } = await relayRecord(api, from, head);
    for (const id of ids) assert.equal(certified.get(id), 1, `${id} certified once`);
    assert.equal(failed, 0, 'no failed extrinsic');
    assert.ok(relays.length > 0);
    for (const r of relays) {
      assert.equal(r.signed, false, `block #${r.block}: bare`);
      assert.equal(r.version, 4, `block #${r.block}: extrinsic format v4`);
    }
    assert.equal(relays.reduce((sum, r) => sum + r.entries, 0), ids.length, 'no duplicate reached a block');
    // The bridge follows no chain: what it knows came from the worker's posts.
    for (const id of ids) {
      const view = await bridgeView(firstUrl, id);
      assert.ok(view, `the bridge holds ${id}`);
      assert.ok(view.countersignature, `the bridge countersigned ${id}`);
    }
  });

  test('the ground-station URL changed through offchain_localStorageSet takes effect', async () => {
    const data = tempDir('bridge-2');
    dirs.push(data);
    const second = await startBridge({ satellite: emulator.url, genesisHash: api.genesisHash.toHex(), dataDir: data.dir });
    procs.push(second.proc);
    await setGroundStationUrl(api, `${second.url}/`);

    const {
      ids: [id],
    } = await submitAll([[servers[1], ['after the switch']]]);
    await waitCertified([id], 'a batch certified through the second ground station');
    assert.ok(await bridgeView(second.url, id), 'posted to the new URL');
    assert.equal(await bridgeView(firstUrl, id), null, 'not to the old one');
  });
});

