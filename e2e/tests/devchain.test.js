// The whole flow on a real dev chain (one node, `--dev`), with certificates, signatures and
// proofs made in JS: register (sudo) → submit (operator) → countersign (relayed signed, with
// the fee waived, or bare) → runtime API reads. Tests run in order and share the chain.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { randomAsU8a } from '@polkadot/util-crypto';

import { failureTracker, startNode, stopNode, waitFor } from '../lib/node.js';
import {
  ZERO_HASH,
  buildBatch,
  merkleProof,
  satelliteKeyPair,
  satellitePayload,
  satellitePayloadV2,
  serverKeyPair,
  verifyMerkleProof,
} from '../lib/notary.js';
import { eventsAt, expectPoolRejection, findEvent, submit, waitFinalized } from '../lib/tx.js';
import { priceCalls } from '../tools/fees.js';

// Fixed seeds, so a failure can be replayed; distinct per server (the chain refuses shared keys).
const SEEDS = {
  sr25519Server: '0x' + '21'.repeat(32),
  sr25519Satellite: '0x' + '31'.repeat(32),
  ecdsaServer: '0x' + '22'.repeat(32),
  ecdsaSatellite: '0x' + '32'.repeat(32),
  quorumServer: '0x' + '23'.repeat(32),
  quorumSatellites: ['0x' + '33'.repeat(32), '0x' + '34'.repeat(32)],
};
const ROUND_TRIP_LIMIT_MS = 30_000;
const APPS_HELPER = fileURLToPath(new URL('../tools/apps-helper.js', import.meta.url));

/** Runs tools/apps-helper.js: `{ code, out (parsed JSON or null), stderr }`. */
function appsHelper(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [APPS_HELPER, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (error.code ?? 'killed') : 0;
      resolve({ code, out: code === 0 ? JSON.parse(stdout) : null, stderr });
    });
  });
}

const hex = (x) => u8aToHex(x);

describe('dev chain', () => {
  const track = failureTracker();
  let node;
  let api;
  let alice;
  let bob;
  let charlie;
  let dave;
  let eve;

  before(async () => {
    ({ node, api } = await startNode({ name: 'dev', args: ['--dev', '--no-mdns'] }));
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    charlie = keyring.addFromUri('//Charlie');
    dave = keyring.addFromUri('//Dave');
    eve = keyring.addFromUri('//Eve');
  });
  afterEach(track.hook);
  after(() => stopNode(node, track.failed));

  /** Registers a server through sudo (Alice) with `operator`; returns its id. */
  async function registerServer(server, satellite, operator) {
    const call = api.tx.spaceNotary.registerServer(
      operator.address,
      server.serverKeyJson,
      0,
      satellite.publicKey,
    );
    const { events } = await submit(api, api.tx.sudo.sudo(call), { signer: alice, what: 'sudo registerServer' });
    const sudid = findEvent(events, 'sudo', 'Sudid');
    assert.ok(
      sudid.data.sudoResult.isOk,
      `registerServer failed under sudo: ${JSON.stringify(sudid.data.sudoResult.toHuman())}`,
    );
    const registered = findEvent(events, 'spaceNotary', 'ServerRegistered');
    assert.equal(registered.data.operator.toString(), operator.address);
    // One deposit per server, held from its operator until deregistration.
    const held = findEvent(events, 'balances', 'Held');
    assert.deepEqual(held.data.reason.toJSON(), { spaceNotary: 'ServerDeposit' });
    assert.equal(held.data.who.toString(), operator.address);
    assert.equal(held.data.amount.toBigInt(), api.consts.spaceNotary.serverDeposit.toBigInt());
    return registered.data.serverId.toNumber();
  }

  // Bytes arguments go as hex: polkadot.js reads a Uint8Array given for `Bytes` as already
  // length-prefixed SCALE.

  /** Submits a JS-built batch as `operator` and checks the event and storage. */
  async function submitBatch(batch, operator) {
    const tx = api.tx.spaceNotary.submitBatch(batch.scale, batch.serverSignature, batch.txs.map(hex));
    // The chain's own encoding of the call's certificate must be our bytes.
    assert.equal(hex(tx.method.args[0].toU8a()), hex(batch.scale), 'the chain type encodes the certificate as we do');
    const included = await submit(api, tx, { signer: operator, what: `submitBatch seq ${batch.fields.sequence}` });
    const submitted = findEvent(included.events, 'spaceNotary', 'BatchSubmitted');
    assert.equal(submitted.data.serverId.toNumber(), batch.fields.serverId);
    assert.equal(submitted.data.sequence.toBigInt(), BigInt(batch.fields.sequence));
    assert.equal(submitted.data.batchId.toHex(), hex(batch.id), 'batch id = blake2_256(SCALE(cert))');
    assert.equal(submitted.data.txCount.toNumber(), batch.txs.length);
    const ttl = api.consts.spaceNotary.batchTtl.toNumber();
    assert.equal(submitted.data.expiresAt.toNumber(), included.blockNumber + ttl);

    const stored = await (await api.at(included.blockHash)).query.spaceNotary.batches(batch.id);
    assert.ok(stored.isSome, 'batch stored');
    const record = stored.unwrap();
    assert.equal(hex(record.cert.toU8a()), hex(batch.scale));
    assert.equal(hex(record.serverSignature.toU8a()), hex(batch.serverSignature));
    assert.equal(record.submittedAt.toNumber(), included.blockNumber);
    assert.ok(record.status.isPending, `status ${record.status.type}`);
    return included;
  }

  /** The batch's BatchCertified event among `events`, checked against `batch`. */
  function certifiedEvent(events, batch) {
    const certified = findEvent(events, 'spaceNotary', 'BatchCertified');
    assert.equal(certified.data.batchId.toHex(), hex(batch.id));
    assert.equal(certified.data.serverId.toNumber(), batch.fields.serverId);
    assert.equal(certified.data.sequence.toBigInt(), BigInt(batch.fields.sequence));
    return certified;
  }

  /**
   * `SpaceNotaryApi.satellite_payload` through `api.call`: the bytes, or null for an unknown
   * batch. The answer is a `Result<Vec<u8>, PayloadError>`; it is checked against the raw
   * `state_call` answer decoded independently, so a decoding quirk in either path shows.
   */
  async function satellitePayloadOf(id) {
    const answer = await api.call.spaceNotaryApi.satellitePayload(id);
    const raw = await api.rpc.state.call('SpaceNotaryApi_satellite_payload', hex(id));
    assert.equal(answer.toHex(), raw.toHex(), 'api.call decodes the raw answer whole');
    if (answer.isErr) {
      assert.equal(answer.asErr.toString(), 'UnknownBatch');
      return null;
    }
    return answer.asOk.toU8a(true);
  }

  const state = {};

  test('sr25519 server: register → submit → countersign relayed by Charlie (signed, fee waived)', async () => {
    const server = serverKeyPair('sr25519', SEEDS.sr25519Server);
    const satellite = satelliteKeyPair(SEEDS.sr25519Satellite);
    const genesisHash = api.genesisHash.toU8a();
    assert.equal(hex(genesisHash), (await api.rpc.chain.getBlockHash(0)).toHex());

    const started = Date.now();
    const serverId = await registerServer(server, satellite, bob);
    const registeredMs = Date.now() - started;

    const txs = ['first transaction', 'second', 'third, a little longer than the others'];
    const batch = buildBatch({ server, genesisHash, serverId, sequence: 1, prevBatch: ZERO_HASH, txs });
    await submitBatch(batch, bob);
    const submittedMs = Date.now() - started;

    const stored = (await api.query.spaceNotary.servers(serverId)).unwrap();
    assert.equal(stored.lastSequence.toNumber(), 1);
    assert.equal(stored.lastBatch.toHex(), hex(batch.id));
    assert.deepEqual(stored.pending.map((id) => id.toHex()), [hex(batch.id)]);

    // Countersign in JS and relay it as Charlie, an account with nothing to do with the server.
    const signature = satellite.countersign(batch.id, batch.serverSignature);
    const accountBefore = await api.query.system.account(charlie.address);
    const relayed = await submit(api, api.tx.spaceNotary.submitCountersignature(batch.id, signature), {
      signer: charlie,
      what: 'submitCountersignature signed by Charlie',
    });
    const roundTripMs = Date.now() - started;
    console.log(
      `round trip register → submit → countersign: ${(roundTripMs / 1000).toFixed(1)} s ` +
        `(registered ${(registeredMs / 1000).toFixed(1)} s, submitted ${(submittedMs / 1000).toFixed(1)} s)`,
    );

    const certified = certifiedEvent(relayed.events, batch);
    assert.ok(certified.data.relayer.isSome, 'relayer recorded');
    assert.equal(certified.data.relayer.unwrap().toString(), charlie.address);

    // The fee is taken before dispatch and refunded in full: Charlie's balance is unchanged,
    // and the nonce moved (the transaction really was Charlie's).
    const at = await api.at(relayed.blockHash);
    const accountAfter = await at.query.system.account(charlie.address);
    assert.equal(accountAfter.data.free.toBigInt(), accountBefore.data.free.toBigInt(), 'free balance unchanged');
    assert.equal(accountAfter.data.reserved.toBigInt(), accountBefore.data.reserved.toBigInt(), 'reserved unchanged');
    assert.equal(accountAfter.nonce.toNumber(), accountBefore.nonce.toNumber() + 1, 'nonce advanced');
    const feePaid = relayed.events.find(
      ({ event }) => event.section === 'transactionPayment' && event.method === 'TransactionFeePaid',
    );
    if (feePaid) assert.equal(feePaid.event.data.actualFee.toBigInt(), 0n, 'actual fee is zero');

    const record = (await at.query.spaceNotary.batches(batch.id)).unwrap();
    assert.ok(record.status.isCertified, `status ${record.status.type}`);
    // One v1 attestation: satellite 0, its key, no satellite time, the signature relayed.
    const [attestation, ...others] = record.status.asCertified.attestations;
    assert.equal(others.length, 0, 'a quorum of one');
    assert.equal(attestation.satelliteId.toNumber(), 0);
    assert.ok(attestation.signedAtMs.isNone, 'v1 carries no satellite time');
    assert.equal(attestation.signature.toHex(), hex(signature));
    assert.equal(attestation.satelliteKey.toHex(), hex(satellite.publicKey));
    assert.equal(record.status.asCertified.certifiedAt.toNumber(), relayed.blockNumber);

    assert.ok(roundTripMs < ROUND_TRIP_LIMIT_MS, `round trip ${roundTripMs} ms, limit ${ROUND_TRIP_LIMIT_MS} ms`);
    Object.assign(state, { server, satellite, serverId, first: batch, genesisHash });
  });

  test('second batch: invalid countersignatures die in the pool, a bare valid one certifies it', async () => {
    assert.ok(state.first, 'needs the first batch');
    const { server, satellite, serverId, genesisHash } = state;
    const txs = ['fourth', 'fifth'];
    const batch = buildBatch({ server, genesisHash, serverId, sequence: 2, prevBatch: state.first.id, txs });
    const submitted = await submitBatch(batch, bob);

    const pending = await api.call.spaceNotaryApi.pendingBatches(serverId);
    assert.deepEqual(pending.map(([id]) => id.toHex()), [hex(batch.id)], 'runtime API lists the pending batch');
    assert.equal(hex(pending[0][1].cert.toU8a()), hex(batch.scale));

    const errorIndex = (name) => api.errors.spaceNotary[name].meta.index.toNumber();
    // How the pool refuses (the pallet's `pool_refusal`): what can never turn valid is Invalid
    // (1010; the pool bans the hash for a while), with the pallet error's index as custom code,
    // or `Stale` for an already certified batch; what can (an unknown batch, a suspended server)
    // is Unknown (1011, never banned), which polkadot.js prints as "Custom, N".
    const refusals = {
      BadSatelliteSignature: [1010, `Custom error: ${errorIndex('BadSatelliteSignature')}\\b`],
      AlreadyCertified: [1010, 'Transaction is outdated'],
      UnknownBatch: [1011, `Custom, ${errorIndex('UnknownBatch')}\\b`],
    };
    const refuse = async (what, batchId, signature, errorName) => {
      const error = await expectPoolRejection(api, api.tx.spaceNotary.submitCountersignature(batchId, signature), {
        what,
      });
      const [rpcCode, reason] = refusals[errorName];
      assert.match(String(error?.message), new RegExp(`^${rpcCode}\\b`), `${what}: RPC error ${rpcCode}, got ${error?.message}`);
      assert.match(String(error.message), new RegExp(reason), `${what}: refused as ${errorName}, got ${error.message}`);
    };
    const stranger = satelliteKeyPair(randomAsU8a(32));
    await refuse('a signature by another key', batch.id, stranger.countersign(batch.id, batch.serverSignature), 'BadSatelliteSignature');
    const corrupted = satellite.countersign(batch.id, batch.serverSignature);
    corrupted[10] ^= 0x40;
    await refuse('a corrupted signature', batch.id, corrupted, 'BadSatelliteSignature');
    await refuse(
      "the first batch's signature",
      batch.id,
      satellite.countersign(state.first.id, state.first.serverSignature),
      'BadSatelliteSignature',
    );
    await refuse('an unknown batch', randomAsU8a(32), satellite.countersign(batch.id, batch.serverSignature), 'UnknownBatch');
    await refuse(
      'a repeat for the certified first batch',
      state.first.id,
      satellite.countersign(state.first.id, state.first.serverSignature),
      'AlreadyCertified',
    );

    // None of them landed: two more blocks, and the batch is still pending with no certification.
    const afterRefusals = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() >= afterRefusals + 2, {
      ms: 60_000,
      what: 'two blocks after the refused countersignatures',
    });
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let n = submitted.blockNumber; n <= best; n++) {
      const events = await eventsAt(api, await api.rpc.chain.getBlockHash(n));
      const certified = events.filter(({ event }) => event.section === 'spaceNotary' && event.method === 'BatchCertified');
      assert.equal(certified.length, 0, `no BatchCertified in block #${n}`);
    }
    assert.equal((await api.rpc.author.pendingExtrinsics()).length, 0, 'nothing left in the pool');
    const stillPending = await api.call.spaceNotaryApi.batchStatus(batch.id);
    assert.ok(stillPending.unwrap().status.isPending, 'still pending');

    // The satellite payload the runtime reports is the one computed here.
    const payload = await satellitePayloadOf(batch.id);
    assert.ok(payload, 'runtime API knows the batch');
    assert.equal(hex(payload), hex(satellitePayload(batch.id, batch.serverSignature)));

    // A valid countersignature as a bare extrinsic: no account at all.
    const signature = satellite.countersign(batch.id, batch.serverSignature);
    const relayed = await submit(api, api.tx.spaceNotary.submitCountersignature(batch.id, signature), {
      what: 'bare submitCountersignature',
    });
    const certified = certifiedEvent(relayed.events, batch);
    assert.ok(certified.data.relayer.isNone, 'relayer is None for a bare extrinsic');

    // The same countersignature again, once the certifying block is final (before that, the
    // fork-aware pool may still validate it against the parent block's view, where the batch is
    // pending): the batch is certified, the pool refuses it.
    await waitFinalized(api, relayed.blockNumber, { what: `finality of the certifying block #${relayed.blockNumber}` });
    await refuse('a duplicate after certification', batch.id, signature, 'AlreadyCertified');
    state.second = { batch, signature };
  });

  test('runtime API: server, batchStatus, pendingBatches, satellitePayload, verifyInclusion', async () => {
    assert.ok(state.second, 'needs the second batch');
    const { serverId, server, satellite, first } = state;
    const { batch, signature } = state.second;

    const info = await api.call.spaceNotaryApi.server(serverId);
    assert.ok(info.isSome, 'server known');
    const s = info.unwrap();
    assert.equal(s.operator.toString(), bob.address);
    assert.equal(hex(s.serverKey.toU8a()), hex(server.serverKey));
    assert.deepEqual(
      s.satellites.map((sat) => [sat.id.toNumber(), sat.key.toHex()]),
      [[0, hex(satellite.publicKey)]],
    );
    assert.equal(s.quorum.toNumber(), 1);
    assert.ok(s.status.isActive);
    assert.equal(s.lastSequence.toNumber(), 2);
    assert.equal(s.lastBatch.toHex(), hex(batch.id));
    assert.equal(s.pending.length, 0);
    assert.ok((await api.call.spaceNotaryApi.server(serverId + 1000)).isNone, 'unknown server is None');

    const status = await api.call.spaceNotaryApi.batchStatus(batch.id);
    assert.ok(status.isSome);
    const record = status.unwrap();
    assert.equal(hex(record.cert.toU8a()), hex(batch.scale));
    assert.ok(record.status.isCertified);
    assert.equal(record.status.asCertified.attestations[0].signature.toHex(), hex(signature));
    assert.ok((await api.call.spaceNotaryApi.batchStatus(new Uint8Array(32))).isNone, 'unknown batch is None');
    assert.equal((await api.call.spaceNotaryApi.pendingBatches(serverId)).length, 0, 'nothing pending');

    for (const b of [first, batch]) {
      const payload = await satellitePayloadOf(b.id);
      assert.equal(hex(payload), hex(satellitePayload(b.id, b.serverSignature)));
    }
    assert.equal(await satellitePayloadOf(new Uint8Array(32)), null, 'unknown batch: Err(UnknownBatch)');

    // Inclusion proofs made in JS, for every transaction of the three-transaction batch.
    for (let i = 0; i < first.txs.length; i++) {
      const proof = merkleProof(first.txs, i);
      assert.ok(verifyMerkleProof(first.fields.batchRoot, first.txs[i], proof), 'JS verifies its own proof');
      const result = await api.call.spaceNotaryApi.verifyInclusion(first.id, hex(first.txs[i]), proof);
      assert.ok(result.isOk, `tx ${i}: ${JSON.stringify(result.toHuman())}`);
    }
    // And refusals: another transaction, a wrong leaf count, a pending or unknown batch.
    const proof0 = merkleProof(first.txs, 0);
    const errorOf = async (id, tx, proof) => {
      const result = await api.call.spaceNotaryApi.verifyInclusion(id, hex(tx), proof);
      assert.ok(result.isErr, `expected an error, got ${JSON.stringify(result.toHuman())}`);
      return result.asErr.type;
    };
    assert.equal(await errorOf(first.id, first.txs[1], proof0), 'BadProof');
    assert.equal(await errorOf(first.id, first.txs[0], { ...proof0, numberOfLeaves: 4 }), 'LeafCountMismatch');
    assert.equal(await errorOf(new Uint8Array(32), first.txs[0], proof0), 'UnknownBatch');
  });

  test('signed copies: refused in the pool like bare ones, one slot for all copies, nobody pays', async () => {
    assert.ok(state.second, 'needs the second batch');
    const { server, satellite, serverId, genesisHash } = state;
    const batch = buildBatch({
      server,
      genesisHash,
      serverId,
      sequence: 3,
      prevBatch: state.second.batch.id,
      txs: ['sixth', 'seventh'],
    });
    await submitBatch(batch, bob);
    const errorIndex = (name) => api.errors.spaceNotary[name].meta.index.toNumber();
    const account = async (who) => {
      const { nonce, data } = await api.query.system.account(who.address);
      return { nonce: nonce.toNumber(), free: data.free.toBigInt() };
    };
    const charlieBefore = await account(charlie);

    // Signed by Charlie, invalid or a duplicate: the pool refuses them as it refuses bare ones.
    const forged = satelliteKeyPair(randomAsU8a(32)).countersign(batch.id, batch.serverSignature);
    const cases = [
      ['a signature by another key', batch.id, forged, `^1010\\b.*Custom error: ${errorIndex('BadSatelliteSignature')}\\b`],
      ['a duplicate for the certified second batch', state.second.batch.id, state.second.signature, '^1010\\b.*outdated'],
    ];
    for (const [what, batchId, signature, expected] of cases) {
      const error = await expectPoolRejection(api, api.tx.spaceNotary.submitCountersignature(batchId, signature), {
        signer: charlie,
        what: `signed: ${what}`,
      });
      assert.match(String(error?.message), new RegExp(expected), `signed: ${what}: ${error?.message}`);
    }
    assert.deepEqual(await account(charlie), charlieBefore, 'refused signed copies cost Charlie nothing');

    // The valid countersignature signed by Charlie and the same one bare, at once: one slot
    // (the batch id) for both. The pool either refuses the second copy outright (priority too
    // low) or takes it and drops it once the first is in a block (stale): exactly one lands.
    const signature = satellite.countersign(batch.id, batch.serverSignature);
    const [bySigned, byBare] = await Promise.allSettled([
      submit(api, api.tx.spaceNotary.submitCountersignature(batch.id, signature), {
        signer: charlie,
        what: 'submitCountersignature signed by Charlie',
      }),
      submit(api, api.tx.spaceNotary.submitCountersignature(batch.id, signature), {
        what: 'a bare copy of the same countersignature',
      }),
    ]);
    const landed = [bySigned, byBare].filter((r) => r.status === 'fulfilled');
    assert.equal(landed.length, 1, `exactly one copy lands: ${[bySigned, byBare].map((r) => r.reason?.message ?? 'in a block').join('; ')}`);
    const relayed = landed[0].value;
    const certified = certifiedEvent(relayed.events, batch);
    const charlieLanded = bySigned.status === 'fulfilled';
    if (charlieLanded) assert.equal(certified.data.relayer.unwrap().toString(), charlie.address);
    else assert.ok(certified.data.relayer.isNone, 'the bare copy landed');
    const charlieAfter = await account(charlie);
    assert.equal(charlieAfter.free, charlieBefore.free, 'Charlie paid nothing, whichever copy landed');
    assert.equal(charlieAfter.nonce, charlieBefore.nonce + (charlieLanded ? 1 : 0), "Charlie's nonce moved only if his copy landed");

    // Exactly one certification of the batch in every block since.
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    let seen = 0;
    for (let n = relayed.blockNumber - 1; n <= best; n++) {
      const events = await eventsAt(api, await api.rpc.chain.getBlockHash(n));
      seen += events.filter(
        ({ event }) =>
          event.section === 'spaceNotary' && event.method === 'BatchCertified' && event.data.batchId.toHex() === hex(batch.id),
      ).length;
    }
    assert.equal(seen, 1, 'certified once');
    state.third = { batch, signature };
  });

  test('fees: a batch pays for its length and weight; a 3.7 MiB batch is refused in the pool and costs nothing', async () => {
    assert.ok(state.third, 'needs the third batch');
    const { rows } = await priceCalls(api);
    const row = (name) => rows.find((r) => r.call.startsWith(name));
    const smallest = row('submit_batch (smallest)');
    const largest = row('submit_batch (largest)');
    console.log(rows.map((r) => `${r.call}: ${r.fee} planck (length ${r.lengthBytes} B)`).join('\n'));
    assert.ok(smallest.fee > 0n, 'a batch is not free');
    assert.ok(largest.fee > 100n * smallest.fee, 'a megabyte costs far more than a byte');
    // The length is priced: a megabyte costs more than its bytes at a micro-unit each.
    assert.ok(largest.fee > BigInt(largest.lengthBytes) * 1_000_000n, 'the length is priced');

    // Over MaxBatchBytes: the pool refuses it by name (the notary's extension), before any fee.
    const { server, serverId, genesisHash } = state;
    const txs = Array.from({ length: 237 }, (_, i) => new Uint8Array(16 * 1024).fill(i));
    const batch = buildBatch({ server, genesisHash, serverId, sequence: 4, prevBatch: state.third.batch.id, txs });
    const bobBefore = await api.query.system.account(bob.address);
    const error = await expectPoolRejection(
      api,
      api.tx.spaceNotary.submitBatch(hex(batch.scale), hex(batch.serverSignature), batch.txs.map(hex)),
      { signer: bob, what: 'a 3.7 MiB submitBatch', ms: 60_000 },
    );
    const tooLarge = api.errors.spaceNotary.BatchTooLarge.meta.index.toNumber();
    assert.match(String(error?.message), new RegExp(`^1010\\b.*Custom error: ${tooLarge}\\b`), String(error?.message));
    const bobAfter = await api.query.system.account(bob.address);
    assert.equal(bobAfter.data.free.toBigInt(), bobBefore.data.free.toBigInt(), 'the refused call cost Bob nothing');
    assert.equal(bobAfter.nonce.toNumber(), bobBefore.nonce.toNumber());
  });

  test('bundles: two overlapping bundles never both land; a signed bundle is free', async () => {
    assert.ok(state.third, 'needs the third batch');
    const { server, satellite, serverId, genesisHash } = state;
    let prevBatch = state.third.batch.id;
    const batches = [];
    for (const sequence of [4, 5, 6, 7]) {
      const batch = buildBatch({ server, genesisHash, serverId, sequence, prevBatch, txs: [`bundle tx ${sequence}`] });
      await submitBatch(batch, bob);
      batches.push(batch);
      prevBatch = batch.id;
    }
    const entry = (b) => [hex(b.id), hex(satellite.countersign(b.id, b.serverSignature))];
    const [b4, b5, b6, b7] = batches;

    // Two relays' bare bundles overlapping on batch 5, sent at once: they share batch 5's slot in
    // the pool, so one is refused (priority too low) or dropped as stale once the other is in a
    // block. Exactly one lands.
    const outcomes = await Promise.allSettled([
      submit(api, api.tx.spaceNotary.submitCountersignatures([entry(b4), entry(b5)]), { what: 'a bare bundle of batches 4 and 5' }),
      submit(api, api.tx.spaceNotary.submitCountersignatures([entry(b5), entry(b6)]), { what: 'a bare bundle of batches 5 and 6' }),
    ]);
    const landedBundles = outcomes.filter((r) => r.status === 'fulfilled');
    assert.equal(landedBundles.length, 1, `exactly one bundle lands: ${outcomes.map((r) => r.reason?.message ?? 'in a block').join('; ')}`);
    const firstLanded = outcomes[0].status === 'fulfilled';
    const certifiedIds = landedBundles[0].value.events
      .filter(({ event }) => event.section === 'spaceNotary' && event.method === 'BatchCertified')
      .map(({ event }) => event.data.batchId.toHex());
    const expectedIds = firstLanded ? [b4, b5] : [b5, b6];
    assert.deepEqual(certifiedIds.sort(), expectedIds.map((b) => hex(b.id)).sort(), 'the bundle that landed certified its two batches');
    const left = firstLanded ? [b6, b7] : [b4, b7];

    // The losing relay sends what is left, with batch 7, signed by Charlie: free.
    const charlieBefore = (await api.query.system.account(charlie.address)).data.free.toBigInt();
    const rest = await submit(api, api.tx.spaceNotary.submitCountersignatures(left.map(entry)), {
      signer: charlie,
      what: 'a signed bundle of what was left',
    });
    const restIds = rest.events
      .filter(({ event }) => event.section === 'spaceNotary' && event.method === 'BatchCertified')
      .map(({ event }) => event.data.batchId.toHex());
    assert.deepEqual(restIds.sort(), left.map((b) => hex(b.id)).sort());
    const at = await api.at(rest.blockHash);
    assert.equal((await at.query.system.account(charlie.address)).data.free.toBigInt(), charlieBefore, 'a valid bundle is free');
    for (const b of batches) {
      const record = (await at.query.spaceNotary.batches(b.id)).unwrap();
      assert.ok(record.status.isCertified, `batch ${b.fields.sequence} certified`);
    }
  });

  test('ecdsa server: register, submit, bare countersignature, inclusion', async () => {
    const server = serverKeyPair('ecdsa', SEEDS.ecdsaServer);
    const satellite = satelliteKeyPair(SEEDS.ecdsaSatellite);
    assert.equal(server.serverKey.length, 34, 'variant byte + 33-byte compressed key');
    const serverId = await registerServer(server, satellite, dave);

    const txs = Array.from({ length: 7 }, (_, i) => `ecdsa batch tx ${i}`);
    const batch = buildBatch({ server, genesisHash: api.genesisHash.toU8a(), serverId, sequence: 1, txs });
    assert.equal(batch.serverSignature.length, 66, 'variant byte + 65-byte recoverable signature');

    // The operator is Dave: Bob may not submit for this server. The pool refuses it (the
    // runtime's ValidateSpaceNotaryCalls extension), so it never lands and Bob pays nothing.
    const bobBefore = await api.query.system.account(bob.address);
    const error = await expectPoolRejection(
      api,
      api.tx.spaceNotary.submitBatch(batch.scale, batch.serverSignature, batch.txs.map(hex)),
      { signer: bob, what: 'submitBatch by a non-operator' },
    );
    const notOperator = api.errors.spaceNotary.NotOperator.meta.index.toNumber();
    assert.match(String(error?.message), new RegExp(`^1010\\b.*Custom error: ${notOperator}\\b`), String(error?.message));
    const bobAfter = await api.query.system.account(bob.address);
    assert.equal(bobAfter.data.free.toBigInt(), bobBefore.data.free.toBigInt(), "Bob's balance unchanged");
    assert.equal(bobAfter.nonce.toNumber(), bobBefore.nonce.toNumber(), "Bob's nonce unchanged");
    await submitBatch(batch, dave);

    const signature = satellite.countersign(batch.id, batch.serverSignature);
    const relayed = await submit(api, api.tx.spaceNotary.submitCountersignature(batch.id, signature), {
      what: 'bare submitCountersignature (ecdsa server)',
    });
    assert.ok(certifiedEvent(relayed.events, batch).data.relayer.isNone);

    const payload = await satellitePayloadOf(batch.id);
    assert.equal(hex(payload), hex(satellitePayload(batch.id, batch.serverSignature)));
    for (const i of [0, 5, 6]) {
      const result = await api.call.spaceNotaryApi.verifyInclusion(batch.id, hex(batch.txs[i]), merkleProof(batch.txs, i));
      assert.ok(result.isOk, `tx ${i}: ${JSON.stringify(result.toHuman())}`);
    }
  });

  test('Apps walkthrough: the helper\'s arguments, submitted as polkadot.js Apps submits them', async () => {
    // README's steps: the helper prints each call's arguments as JSON; Apps (here @polkadot/api,
    // which Apps is built on) takes them as they are.
    const keys = await appsHelper(['keys']);
    assert.equal(keys.code, 0, keys.stderr);
    const { serverKey, satelliteKey } = keys.out.registerServer;
    const serverId = await registerServer({ serverKeyJson: serverKey }, { publicKey: satelliteKey }, eve);

    const rpc = ['--rpc', node.wsUrl];
    const made = await appsHelper(['batch', ...rpc, '--server-id', String(serverId), 'hello', '0x00ff']);
    assert.equal(made.code, 0, made.stderr);
    const { cert, serverSignature, txs } = made.out.submitBatch;
    assert.deepEqual(txs, [hex(new TextEncoder().encode('hello')), '0x00ff']);
    assert.equal(cert.sequence, '1');
    assert.equal(cert.prevBatch, hex(ZERO_HASH));
    assert.equal(cert.genesisHash, api.genesisHash.toHex());
    const included = await submit(api, api.tx.spaceNotary.submitBatch(cert, serverSignature, txs), {
      signer: eve,
      what: 'submitBatch with the helper\'s arguments',
    });
    const submitted = findEvent(included.events, 'spaceNotary', 'BatchSubmitted');
    assert.equal(submitted.data.batchId.toHex(), made.out.batchId);

    // The next batch chains on the one just stored.
    const next = await appsHelper(['batch', ...rpc, '--server-id', String(serverId), 'again']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.out.submitBatch.cert.sequence, '2');
    assert.equal(next.out.submitBatch.cert.prevBatch, made.out.batchId);

    const signed = await appsHelper(['countersign', ...rpc, '--batch-id', made.out.batchId]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.equal(signed.out.status, 'Pending');
    const { batchId, satelliteSignature } = signed.out.submitCountersignature;
    const relayed = await submit(api, api.tx.spaceNotary.submitCountersignature(batchId, satelliteSignature), {
      signer: charlie,
      what: 'submitCountersignature with the helper\'s arguments',
    });
    const certified = findEvent(relayed.events, 'spaceNotary', 'BatchCertified');
    assert.equal(certified.data.batchId.toHex(), made.out.batchId);

    // What it cannot do, it says, and exits non-zero.
    const unknown = await appsHelper(['batch', ...rpc, '--server-id', '999', 'x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /server 999 is not registered/);
    const wrongSeed = await appsHelper(['batch', ...rpc, '--server-id', String(serverId), '--server-seed', '0x' + '01'.repeat(32), 'x']);
    assert.equal(wrongSeed.code, 1);
    assert.match(wrongSeed.stderr, /is registered with key/);
    const noTxs = await appsHelper(['batch', ...rpc, '--server-id', String(serverId)]);
    assert.equal(noTxs.code, 2);
    assert.match(noTxs.stderr, /at least one transaction/);
    const noBatch = await appsHelper(['countersign', ...rpc, '--batch-id', hex(new Uint8Array(32))]);
    assert.equal(noBatch.code, 1);
    assert.match(noBatch.stderr, /no batch/);
  });

  test('two satellites, a quorum of two: v2 countersignatures sent bare from JS, each satellite and its clock on record', async () => {
    const server = serverKeyPair('sr25519', SEEDS.quorumServer);
    const [first, second] = SEEDS.quorumSatellites.map(satelliteKeyPair);
    // Satellite numbers as a constellation gives them (NORAD catalogue numbers fit).
    const [firstId, secondId] = [40025, 39133];
    const registered = await submit(
      api,
      api.tx.sudo.sudo(api.tx.spaceNotary.registerServer(charlie.address, server.serverKeyJson, firstId, first.publicKey)),
      { signer: alice, what: 'sudo registerServer' },
    );
    const serverId = findEvent(registered.events, 'spaceNotary', 'ServerRegistered').data.serverId.toNumber();
    for (const call of [api.tx.spaceNotary.addSatellite(serverId, secondId, second.publicKey), api.tx.spaceNotary.setQuorum(serverId, 2)]) {
      const { events } = await submit(api, api.tx.sudo.sudo(call), { signer: alice, what: `sudo ${call.method.method}` });
      const sudid = findEvent(events, 'sudo', 'Sudid');
      assert.ok(sudid.data.sudoResult.isOk, `${call.method.method}: ${JSON.stringify(sudid.data.sudoResult.toHuman())}`);
    }
    const info = (await api.call.spaceNotaryApi.server(serverId)).unwrap();
    assert.deepEqual(info.satellites.map((s) => s.id.toNumber()), [firstId, secondId]);
    assert.equal(info.quorum.toNumber(), 2);

    const issuedAtMs = Date.now();
    const batch = buildBatch({ server, genesisHash: api.genesisHash.toU8a(), serverId, sequence: 1, txs: ['quorum'], issuedAtMs });
    await submitBatch(batch, charlie);

    // The runtime's v2 payload is the one JS builds from the spec.
    const at1 = issuedAtMs + 1_000;
    const payload = await api.call.spaceNotaryApi.satellitePayloadV2(batch.id, firstId, at1);
    assert.ok(payload.isOk, JSON.stringify(payload.toHuman()));
    assert.equal(hex(payload.asOk.toU8a(true)), hex(satellitePayloadV2(batch.id, batch.serverSignature, firstId, at1)));

    // A v1 countersignature names no satellite: refused for a server with two.
    const v1 = await expectPoolRejection(
      api,
      api.tx.spaceNotary.submitCountersignature(batch.id, first.countersign(batch.id, batch.serverSignature)),
      { what: 'a v1 countersignature for a two-satellite server' },
    );
    const v1Index = api.errors.spaceNotary.CountersignatureV1NotAccepted.meta.index.toNumber();
    assert.match(String(v1?.message), new RegExp(`^1010\\b.*Custom error: ${v1Index}\\b`), String(v1?.message));

    const one = await submit(api, api.tx.spaceNotary.submitAttestation(batch.id, first.countersignV2(batch.id, batch.serverSignature, firstId, at1)), {
      what: 'submitAttestation by the first satellite, bare',
    });
    const attested = findEvent(one.events, 'spaceNotary', 'BatchAttested');
    assert.equal(attested.data.satelliteId.toNumber(), firstId);
    assert.equal(attested.data.signedAtMs.unwrap().toNumber(), at1);
    assert.deepEqual([attested.data.count.toNumber(), attested.data.quorum.toNumber()], [1, 2]);
    assert.ok(!one.events.some(({ event }) => event.method === 'BatchCertified'), 'one of two certifies nothing');

    const at2 = issuedAtMs + 2_000;
    const two = await submit(api, api.tx.spaceNotary.submitAttestation(batch.id, second.countersignV2(batch.id, batch.serverSignature, secondId, at2)), {
      what: 'submitAttestation by the second satellite, bare',
    });
    certifiedEvent(two.events, batch);
    const record = (await (await api.at(two.blockHash)).query.spaceNotary.batches(batch.id)).unwrap();
    assert.ok(record.status.isCertified);
    assert.deepEqual(
      record.status.asCertified.attestations.map((a) => [a.satelliteId.toNumber(), a.signedAtMs.unwrap().toNumber(), a.satelliteKey.toHex()]),
      [
        [firstId, at1, hex(first.publicKey)],
        [secondId, at2, hex(second.publicKey)],
      ],
    );
  });
});
