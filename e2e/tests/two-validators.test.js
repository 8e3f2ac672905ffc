// A two-validator network (`--chain local`, Alice and Bob): both must author and finalize
// (GRANDPA needs both votes), a batch submitted through Alice's RPC is countersigned through
// Bob's RPC as a bare extrinsic, and both nodes record the certification in a finalized block.
// Then both run the off-chain worker against one ground station (bridge HTTP-only + emulator):
// each batch is certified exactly once and nothing invalid or duplicate reaches a block.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';

import { provision, relayRecord, setGroundStationUrl, startBridge, startEmulator, tempDir } from '../lib/ground.js';
import { failureTracker, peerIdOfNodeKey, startNode, stopNode, waitFor } from '../lib/node.js';
import { buildBatch, satelliteKeyPair, serverKeyPair, ZERO_HASH } from '../lib/notary.js';
import { eventsAt, findEvent, submit, waitFinalized } from '../lib/tx.js';

// Fixed node keys: Alice's gives Bob a bootnode address; Bob's lets him start as a validator
// without generating a key (which the node refuses for authorities outside --dev).
const ALICE_NODE_KEY = '0000000000000000000000000000000000000000000000000000000000000001';
const BOB_NODE_KEY = '0000000000000000000000000000000000000000000000000000000000000002';
const ALICE_PEER_ID = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp';

const hex = (x) => u8aToHex(x);

describe('two validators (--chain local, Alice and Bob)', () => {
  const track = failureTracker();
  let aliceNode;
  let bobNode;
  let aliceApi;
  let bobApi;
  const ground = { procs: [], dirs: [] };

  before(async () => {
    const peerId = peerIdOfNodeKey(ALICE_NODE_KEY);
    assert.equal(peerId, ALICE_PEER_ID, 'the node derives the well-known peer id of key 0x…01');
    console.log(`Alice's peer id: ${peerId}`);
    // Without peers Aura does not author, so Alice is ready when her RPC answers; Bob is ready
    // when the two of them have made block #1.
    ({ node: aliceNode, api: aliceApi } = await startNode({
      name: 'alice',
      waitForBlock: false,
      args: ['--chain', 'local', '--alice', '--node-key', ALICE_NODE_KEY, '--no-mdns'],
    }));
    ({ node: bobNode, api: bobApi } = await startNode({
      name: 'bob',
      args: [
        '--chain',
        'local',
        '--bob',
        '--node-key',
        BOB_NODE_KEY,
        '--no-mdns',
        '--bootnodes',
        `/ip4/127.0.0.1/tcp/${aliceNode.p2pPort}/p2p/${peerId}`,
      ],
    }));
  });
  afterEach(track.hook);
  after(async () => {
    for (const p of ground.procs) {
      if (track.failed()) p.printTail('a test failed');
      await p.stop();
    }
    await Promise.all([stopNode(aliceNode, track.failed), stopNode(bobNode, track.failed)]);
    for (const d of ground.dirs) d.cleanup();
  });

  test('both nodes see each other and finality advance', async () => {
    assert.equal(aliceApi.genesisHash.toHex(), bobApi.genesisHash.toHex(), 'same chain');
    for (const [name, api] of [
      ['Alice', aliceApi],
      ['Bob', bobApi],
    ]) {
      await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 1, {
        ms: 60_000,
        what: `${name} to have a peer`,
      });
    }
    // Two authorities, 6 s slots: #2 is finalized only if both author and both vote.
    const [a, b] = await Promise.all([
      waitFinalized(aliceApi, 2, { ms: 90_000, what: 'Alice to finalize block #2' }),
      waitFinalized(bobApi, 2, { ms: 90_000, what: 'Bob to finalize block #2' }),
    ]);
    console.log(`finalized: Alice #${a}, Bob #${b}`);
    const authors = await aliceApi.query.aura.authorities();
    assert.equal(authors.length, 2, 'two Aura authorities');
  });

  test('submit through Alice, countersign through Bob, certified on both', async () => {
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const operator = keyring.addFromUri('//Ferdie');
    const server = serverKeyPair('sr25519', '0x' + '41'.repeat(32));
    const satellite = satelliteKeyPair('0x' + '51'.repeat(32));

    // Registration needs sudo: Alice is sudo in the local chain spec too.
    const call = aliceApi.tx.spaceNotary.registerServer(operator.address, server.serverKeyJson, 0, satellite.publicKey);
    const registered = await submit(aliceApi, aliceApi.tx.sudo.sudo(call), {
      signer: alice,
      what: 'sudo registerServer through Alice',
      ms: 90_000,
    });
    assert.ok(findEvent(registered.events, 'sudo', 'Sudid').data.sudoResult.isOk, 'registerServer under sudo');
    const serverId = findEvent(registered.events, 'spaceNotary', 'ServerRegistered').data.serverId.toNumber();

    const batch = buildBatch({
      server,
      genesisHash: aliceApi.genesisHash.toU8a(),
      serverId,
      sequence: 1,
      txs: ['across', 'two', 'validators'],
    });
    const submitted = await submit(
      aliceApi,
      aliceApi.tx.spaceNotary.submitBatch(batch.scale, batch.serverSignature, batch.txs.map(hex)),
      { signer: operator, what: 'submitBatch through Alice', ms: 90_000 },
    );
    assert.equal(findEvent(submitted.events, 'spaceNotary', 'BatchSubmitted').data.batchId.toHex(), hex(batch.id));

    // Bob's pool validates against Bob's best block: wait until Bob has the pending batch.
    await waitFor(
      async () => {
        const status = await bobApi.call.spaceNotaryApi.batchStatus(batch.id);
        return status.isSome && status.unwrap().status.isPending;
      },
      { ms: 60_000, what: 'Bob to import the block with the batch' },
    );

    const signature = satellite.countersign(batch.id, batch.serverSignature);
    const relayed = await submit(bobApi, bobApi.tx.spaceNotary.submitCountersignature(batch.id, signature), {
      what: 'bare submitCountersignature through Bob',
      finalized: true,
      ms: 120_000,
    });
    const certifiedOnBob = findEvent(relayed.events, 'spaceNotary', 'BatchCertified');
    assert.equal(certifiedOnBob.data.batchId.toHex(), hex(batch.id));
    assert.ok(certifiedOnBob.data.relayer.isNone);

    // Alice must have finalized the same block, with the same event.
    await waitFinalized(aliceApi, relayed.blockNumber, {
      ms: 90_000,
      what: `Alice to finalize #${relayed.blockNumber}`,
    });
    const aliceHash = await aliceApi.rpc.chain.getBlockHash(relayed.blockNumber);
    assert.equal(aliceHash.toHex(), relayed.blockHash.toHex(), 'Alice finalized the same block');
    const aliceEvents = await eventsAt(aliceApi, aliceHash);
    const certifiedOnAlice = findEvent(aliceEvents, 'spaceNotary', 'BatchCertified');
    assert.equal(certifiedOnAlice.data.batchId.toHex(), hex(batch.id));
    assert.equal(certifiedOnAlice.data.serverId.toNumber(), serverId);
    assert.ok(certifiedOnAlice.data.relayer.isNone);

    for (const [name, api] of [
      ['Alice', aliceApi],
      ['Bob', bobApi],
    ]) {
      const record = (await api.call.spaceNotaryApi.batchStatus(batch.id)).unwrap();
      assert.ok(record.status.isCertified, `${name}: certified`);
      assert.equal(record.status.asCertified.attestations[0].signature.toHex(), hex(signature), `${name}: signature`);
    }
  });

  test('both validators relay through one ground station: each batch certified exactly once', async () => {
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const operator = keyring.addFromUri('//Ferdie');
    const genesisHash = aliceApi.genesisHash.toHex();
    const server = serverKeyPair('ed25519', '0x' + '42'.repeat(32));
    const serverId = (await aliceApi.query.spaceNotary.nextServerId()).toNumber();

    const state = tempDir('emulator');
    const data = tempDir('bridge');
    ground.dirs.push(state, data);
    const satelliteKey = provision(state.dir, serverId, server);
    const emulator = await startEmulator({ stateDir: state.dir, genesisHash });
    ground.procs.push(emulator.proc);
    const bridge = await startBridge({ satellite: emulator.url, genesisHash, dataDir: data.dir });
    ground.procs.push(bridge.proc);
    // Both workers, through the RPC (the nodes run without --ground-station-url).
    await Promise.all([setGroundStationUrl(aliceApi, bridge.url), setGroundStationUrl(bobApi, bridge.url)]);

    const call = aliceApi.tx.spaceNotary.registerServer(operator.address, server.serverKeyJson, 0, satelliteKey);
    const registered = await submit(aliceApi, aliceApi.tx.sudo.sudo(call), { signer: alice, what: 'sudo registerServer', ms: 90_000 });
    assert.equal(findEvent(registered.events, 'spaceNotary', 'ServerRegistered').data.serverId.toNumber(), serverId);

    // Four batches at once (explicit nonces), through both nodes' RPCs in turn.
    const firstNonce = (await aliceApi.rpc.system.accountNextIndex(operator.address)).toNumber();
    const ids = [];
    const included = [];
    let prevBatch = ZERO_HASH;
    for (let sequence = 1; sequence <= 4; sequence++) {
      const api = sequence % 2 ? aliceApi : bobApi;
      const batch = buildBatch({ server, genesisHash: aliceApi.genesisHash.toU8a(), serverId, sequence, prevBatch, txs: [`batch ${sequence}`] });
      prevBatch = batch.id;
      ids.push(hex(batch.id));
      const tx = api.tx.spaceNotary.submitBatch(hex(batch.scale), hex(batch.serverSignature), batch.txs.map(hex));
      included.push(submit(api, tx, { signer: operator, nonce: firstNonce + sequence - 1, what: `submitBatch ${sequence}`, ms: 90_000 }));
    }
    const from = Math.min(...(await Promise.all(included)).map((r) => r.blockNumber));

    await waitFor(
      async () => {
        const records = await aliceApi.query.spaceNotary.batches.multi(ids);
        return records.every((r) => r.isSome && r.unwrap().status.isCertified);
      },
      { ms: 240_000, interval: 2_000, what: 'four batches certified by the two workers' },
    );
    // Read what is final on both, a few blocks on so that late duplicates would show.
    const head = (await aliceApi.rpc.chain.getHeader()).number.toNumber() + 3;
    await waitFinalized(aliceApi, head, { ms: 120_000, what: `Alice to finalize #${head}` });
    await waitFinalized(bobApi, head, { ms: 120_000, what: `Bob to finalize #${head}` });
    for (const [name, api] of [
      ['Alice', aliceApi],
      ['Bob', bobApi],
    ]) {
      const { certified, failed, relays } = await relayRecord(api, from, head);
      for (const id of ids) assert.equal(certified.get(id), 1, `${name}: ${id} certified exactly once`);
      assert.equal(failed, 0, `${name}: no failed extrinsic`);
      assert.equal(relays.reduce((sum, r) => sum + r.entries, 0), ids.length, `${name}: no duplicate in a block`);
      assert.ok(relays.every((r) => !r.signed && r.version === 4), `${name}: bare v4 relays only`);
    }
  });
});
