// A user's whole path on a real dev chain (one node, `--dev`), through the real ground station
// (`satellite-bridge relay --chain`, following the node, and `satellite-emulator`): register
// (sudo) → submit → certify through the bridge → rotate the server key and the satellite key
// while batches are pending → suspend and resume → deregister, which expires what is still
// pending. Every step is checked by its events and by chain state, and every bad input a client
// can send is refused by name with nothing changed (one table, one helper: `assertRefused`).
//
// Two servers: `alpha` (operator Bob) has its satellite key on the emulator, so only the bridge
// can certify its batches; `beta` (operator Charlie) has satellite keys held by this file, which
// stands in for the satellite where a test needs any countersignature, valid or not. (The
// bridge also sees beta's batches; the emulator, which does not know beta, refuses to sign them.)
// A pass is a run of the emulator: it is stopped to keep alpha's batches pending (out of view)
// and started again, with alpha's satellite key rotated, to certify them.
//
// Where refusals happen (pallets/space-notary: `validate_batch`, `pool_refusal`, extension.rs):
// - In the pool, at no cost: a signed `submit_batch` with a wrong server, operator, status,
//   version, genesis, sequence, previous batch, count or byte total, or over MaxBatchBytes
//   (RPC 1010 "Custom error: N" for final refusals, 1011 "Custom, N" for ones that can pass, N
//   the pallet error's index; a repeated sequence is `Stale`); every countersignature.
// - A skipped sequence is not refused: it waits in the pool (Future) for its predecessor, as a
//   nonce gap does, and is never included while the gap stays; FUTURE_BATCH_WAIT_MS (60 s) past
//   its certificate's time the pool drops it and its client hears `Invalid`. sudo_as (the registrar, past the
//   pool) shows its name.
// - More transactions than MaxTxsPerBatch, or one over MaxTxBytes, cannot even be decoded (the
//   bounds are in the call's types): RPC 1002, the node logging the codec error.
// - At dispatch, the sender paying the fee: a merkle root that does not match the transactions
//   and a bad server signature (not hashed or verified in the pool); a non-operator's key change.
//
// Expiry: BatchTtl is 12 h of 6-s blocks, too long to watch here; the expiry watched is the one
// deregistration causes (`BatchExpired` with reason `ServerDeregistered`). The TTL path is proven
// in the pallet's tests and in runtime/tests/expiry_capacity.rs.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/api';
import { BN, hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, ed25519Verify } from '@polkadot/util-crypto';

import { bridgeView, provision, rotateSatelliteKey, startBridge, startEmulator, tempDir } from '../lib/ground.js';
import { failureTracker, startNode, stopNode, waitFor, withDeadline } from '../lib/node.js';
import {
  ZERO_HASH,
  batchId,
  buildBatch,
  encodeCertificate,
  merkleRoot,
  satelliteKeyPair,
  satellitePayloadV2,
  serverKeyPair,
  serverPayload,
  verifyAttestation,
} from '../lib/notary.js';
import { describeDispatchError, eventsAt, expectPoolRejection, findEvent, submit, waitFinalized } from '../lib/tx.js';

// Fixed seeds, so a failure can be replayed (the emulator makes alpha's satellite keys itself).
const SEEDS = {
  alphaServer: '0x' + 'a1'.repeat(32),
  alphaServerRotated: '0x' + 'a2'.repeat(32),
  betaServer: '0x' + 'b1'.repeat(32),
  betaSatellite: '0x' + 'b2'.repeat(32),
  betaSatelliteRotated: '0x' + 'b3'.repeat(32),
  // Keys of nobody on chain: a forger of beta's scheme, a key of another scheme, a key offered by
  // a non-operator.
  strangerEd25519: '0x' + 'c1'.repeat(32),
  strangerSr25519: '0x' + 'c2'.repeat(32),
  strangerServer: '0x' + 'c3'.repeat(32),
};
const UNKNOWN_SERVER_ID = 4242;
const CODEC_PANIC = 'Bad input data provided to validate_transaction: Codec error';

// Hex of bytes; hex as it is.
const hex = (x) => (typeof x === 'string' ? x : u8aToHex(x));

describe('user path: register → submit → certify through the bridge → rotate keys → suspend → deregister', () => {
  const track = failureTracker();
  const dirs = [];
  const procs = [];
  let node;
  let api;
  let alice;
  let bob;
  let charlie;
  let dave;
  let satelliteDir;
  let emulator;
  let bridge;
  // A server as this file tracks it: id, operator, keys, its sequence and last batch, its batches.
  let alpha;
  let beta;

  before(async () => {
    ({ node, api } = await startNode({ name: 'user-path', args: ['--dev', '--no-mdns'] }));
    const keyring = new Keyring({ type: 'sr25519' });
    [alice, bob, charlie, dave] = ['//Alice', '//Bob', '//Charlie', '//Dave'].map((uri) => keyring.addFromUri(uri));
    const first = (await api.query.spaceNotary.nextServerId()).toNumber();
    alpha = {
      name: 'alpha',
      id: first,
      operator: bob,
      key: serverKeyPair('sr25519', SEEDS.alphaServer),
      sequence: 0,
      last: ZERO_HASH,
      batches: [],
    };
    beta = {
      name: 'beta',
      id: first + 1,
      operator: charlie,
      key: serverKeyPair('ed25519', SEEDS.betaServer),
      satellite: satelliteKeyPair(SEEDS.betaSatellite),
      sequence: 0,
      last: ZERO_HASH,
      batches: [],
    };

    // The ground station: alpha provisioned on the satellite under the id the chain will give it,
    // the bridge following the node.
    const state = tempDir('user-path-satellite');
    dirs.push(state);
    satelliteDir = state.dir;
    alpha.satelliteKey = provision(satelliteDir, alpha.id, alpha.key);
    const genesisHash = api.genesisHash.toHex();
    emulator = await startEmulator({ stateDir: satelliteDir, genesisHash });
    procs.push(emulator.proc);
    const data = tempDir('user-path-bridge');
    dirs.push(data);
    bridge = await startBridge({
      satellite: emulator.url,
      genesisHash,
      dataDir: data.dir,
      extra: ['--chain', node.wsUrl],
    });
    procs.push(bridge.proc);
  });
  afterEach(track.hook);
  after(async () => {
    for (const p of procs) {
      if (track.failed()) p.printTail('a test failed');
      await p.stop();
      if (!track.failed() && !process.env.SPACE_NOTARY_E2E_KEEP_LOGS) fs.rmSync(p.logPath, { force: true });
    }
    await stopNode(node, track.failed);
    for (const d of dirs) d.cleanup();
  });

  /**
   * `server`'s next batch over `txs` (or at `sequence` after `prevBatch`), its certificate bent by
   * `bend` before `signer` (the server's key by default) signs it.
   */
  function makeBatch(server, options = {}) {
    const { sequence = server.sequence + 1, prevBatch = server.last, txs = ['a transaction'], bend } = options;
    const { fields, txs: bytes } = buildBatch({
      server: server.key,
      genesisHash: api.genesisHash.toU8a(),
      serverId: server.id,
      sequence,
      prevBatch,
      txs,
    });
    if (bend) bend(fields);
    const serverSignature = (options.signer ?? server.key).sign(serverPayload(fields));
    return { fields, txs: bytes, scale: encodeCertificate(fields), id: batchId(fields), serverSignature };
  }

  // Bytes arguments go as hex: polkadot.js reads a Uint8Array given for `Bytes` as length-prefixed.
  const submitBatchTx = (batch) =>
    api.tx.spaceNotary.submitBatch(hex(batch.scale), hex(batch.serverSignature), batch.txs.map(hex));
  const countersignatureTx = (id, signature) => api.tx.spaceNotary.submitCountersignature(hex(id), hex(signature));

  /** Alice's next `count` nonces, for sudo calls sent together. */
  const aliceNonces = async (count) => {
    const next = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    return Array.from({ length: count }, (_, i) => next + i);
  };

  /** Sends `call` through sudo and checks that it succeeded; returns the inclusion. */
  async function sudo(call, { nonce, what }) {
    const included = await submit(api, api.tx.sudo.sudo(call), { signer: alice, nonce, what: `sudo ${what}` });
    const { sudoResult } = findEvent(included.events, 'sudo', 'Sudid').data;
    const failure = sudoResult.isErr && describeDispatchError(api, sudoResult.asErr);
    assert.ok(sudoResult.isOk, `${what} failed under sudo: ${failure}`);
    return included;
  }

  /**
   * Sends `tx` and resolves once it is in a block, whether its dispatch succeeded or not:
   * `{ blockHash, events }` (the extrinsic's own events). Rejects if the pool refuses or drops it.
   */
  async function land(tx, { signer, what, ms = 60_000 }) {
    let unsubscribe;
    let settled = false;
    const landing = new Promise((resolve, reject) => {
      const onStatus = ({ status, events }) => {
        if (status.isInvalid || status.isDropped || status.isUsurped) {
          reject(new Error(`${what}: transaction ${status.type}`));
        } else if (status.isInBlock) {
          resolve({ blockHash: status.asInBlock, events });
        }
      };
      tx.signAndSend(signer, onStatus).then((unsub) => {
        if (settled) unsub();
        else unsubscribe = unsub;
      }, reject);
    });
    try {
      return await withDeadline(landing, ms, `${what} to be included`);
    } finally {
      settled = true;
      if (unsubscribe) unsubscribe();
    }
  }

  /** Submits `server`'s next batch as its operator; checks `BatchSubmitted` and storage; returns the batch. */
  async function submitNext(server, txs, { signer = server.key } = {}) {
    const batch = makeBatch(server, { txs, signer });
    const what = `${server.name}'s batch ${batch.fields.sequence}`;
    const included = await submit(api, submitBatchTx(batch), { signer: server.operator, what });
    const submitted = findEvent(included.events, 'spaceNotary', 'BatchSubmitted').data;
    assert.equal(submitted.serverId.toNumber(), server.id);
    assert.equal(submitted.sequence.toBigInt(), BigInt(batch.fields.sequence));
    assert.equal(submitted.batchId.toHex(), hex(batch.id), `${what}: batch id = blake2_256(SCALE(cert))`);
    assert.equal(submitted.txCount.toNumber(), txs.length);
    const expiresAt = included.blockNumber + api.consts.spaceNotary.batchTtl.toNumber();
    assert.equal(submitted.expiresAt.toNumber(), expiresAt);

    const at = await api.at(included.blockHash);
    const record = (await at.query.spaceNotary.batches(batch.id)).unwrap();
    assert.equal(hex(record.cert.toU8a()), hex(batch.scale), `${what}: stored certificate`);
    assert.equal(hex(record.serverSignature.toU8a()), hex(batch.serverSignature));
    assert.equal(record.submittedAt.toNumber(), included.blockNumber);
    assert.equal(record.status.asPending.expiresAt.toNumber(), expiresAt, `${what}: pending until ${expiresAt}`);
    const stored = (await at.query.spaceNotary.servers(server.id)).unwrap();
    assert.equal(stored.lastSequence.toNumber(), batch.fields.sequence);
    assert.equal(stored.lastBatch.toHex(), hex(batch.id));
    assert.ok(stored.pending.some((id) => id.toHex() === hex(batch.id)), `${what}: in ${server.name}'s pending list`);

    server.sequence = batch.fields.sequence;
    server.last = batch.id;
    server.lastIncludedAt = included.blockNumber;
    server.batches.push(batch);
    return { batch, included };
  }

  /** The batch's one `BatchCertified` in the block that certified it; checks the record. */
  async function certification(batch, satelliteKey) {
    const record = (await api.query.spaceNotary.batches(batch.id)).unwrap();
    assert.ok(record.status.isCertified, `batch ${hex(batch.id)}: ${record.status.type}`);
    const { attestations, certifiedAt } = record.status.asCertified;
    assert.equal(attestations.length, 1, 'a quorum of one');
    const [attestation] = attestations;
    assert.equal(attestation.satelliteKey.toHex(), hex(satelliteKey), 'certified under the satellite key in force');
    assert.ok(
      verifyAttestation(batch.id, batch.serverSignature, attestation),
      'the recorded countersignature verifies under that key',
    );
    const satelliteSignature = attestation.signature;
    const events = await eventsAt(api, await api.rpc.chain.getBlockHash(certifiedAt.toNumber()));
    const certified = events.filter(
      ({ event }) =>
        event.section === 'spaceNotary' && event.method === 'BatchCertified' && event.data.batchId.toHex() === hex(batch.id),
    );
    assert.equal(certified.length, 1, `one BatchCertified in block #${certifiedAt}`);
    const { serverId, sequence, relayer } = certified[0].event.data;
    assert.equal(serverId.toNumber(), batch.fields.serverId);
    assert.equal(sequence.toBigInt(), BigInt(batch.fields.sequence));
    return { signature: satelliteSignature.toU8a(), certifiedAt: certifiedAt.toNumber(), relayer, attestation };
  }

  /** Resolves when `batch` is certified (the bridge at work); never rejects unhandled. */
  function whenCertified(batch, what) {
    const certified = waitFor(
      async () => (await api.query.spaceNotary.batches(batch.id)).unwrap().status.isCertified,
      { ms: 150_000, interval: 1_000, what },
    );
    certified.catch(() => {});
    return certified;
  }

  /** The server deposits held from `account` at `at` (an `api.at` decoration). */
  const depositsHeld = async (at, account) =>
    (await at.query.balances.holds(account.address))
      .filter((hold) => hold.id.toJSON()?.spaceNotary === 'ServerDeposit')
      .map((hold) => hold.amount.toBigInt());

  /** The latest finalized block the bridge has read. */
  const bridgeFinalized = async () => (await (await fetch(`${bridge.url}/status`)).json()).finalized ?? -1;

  /**
   * Waits until new transactions are validated against block `n`'s state. The fork-aware pool
   * can report a transaction in block n before n's view is the one new submissions are checked
   * against, so a refusal that depends on block n waits for block n + 1.
   */
  async function poolSees(n) {
    await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() > n, {
      ms: 60_000,
      what: `block #${n + 1}, after which the pool validates against #${n}`,
    });
  }

  /**
   * The state a refusal must leave alone: `servers`' records and pending batches (runtime API),
   * the records of `batches`, and `accounts` (nonce and balances), at block `hash` (default best).
   */
  async function chainState({ servers = [], batches = [], accounts = [] }, hash) {
    const at = await api.at(hash ?? (await api.rpc.chain.getBlockHash()));
    const [records, pending, batchRecords, accountInfo] = await Promise.all([
      at.query.spaceNotary.servers.multi(servers),
      Promise.all(servers.map((id) => at.call.spaceNotaryApi.pendingBatches(id))),
      at.query.spaceNotary.batches.multi(batches.map(hex)),
      at.query.system.account.multi(accounts.map((a) => a.address)),
    ]);
    const json = (list) => list.map((x) => x.toJSON());
    return {
      servers: json(records),
      pending: json(pending),
      batches: json(batchRecords),
      accounts: json(accountInfo),
    };
  }

  const palletIndex = () => api.tx.spaceNotary.submitBatch.callIndex[0];

  /**
   * The pool's refusal as `Invalid(Name)` / `Unknown(Name)`, the name of the pallet error whose
   * index the custom code is (from the metadata); `Invalid(Stale)`; or `Undecodable`.
   */
  function poolVerdict(error) {
    const message = String(error?.message ?? error);
    const invalid = /^1010: Invalid Transaction: Custom error: (\d+)\b/.exec(message);
    const unknown = /^1011: Unknown Transaction Validity: Custom, (\d+)\b/.exec(message);
    if (invalid || unknown) {
      const code = new BN((invalid ?? unknown)[1]);
      const meta = api.registry.findMetaError({ index: new BN(palletIndex()), error: code });
      assert.equal(meta.section, 'spaceNotary');
      return `${invalid ? 'Invalid' : 'Unknown'}(${meta.name})`;
    }
    if (/^1010: Invalid Transaction: Transaction is outdated/.test(message)) return 'Invalid(Stale)';
    if (/^1002: Verification Error: Runtime error/.test(message)) return 'Undecodable';
    return message;
  }

  /** How many times the node logged an extrinsic it could not decode. */
  const codecPanics = () => fs.readFileSync(node.logPath, 'utf8').split(CODEC_PANIC).length - 1;

  /** The named dispatch failure among an extrinsic's events: its own, or the call's under sudo_as. */
  function dispatchFailure(events, { sudoAs }) {
    if (sudoAs) {
      const { sudoResult } = findEvent(events, 'sudo', 'SudoAsDone').data;
      return sudoResult.isErr ? describeDispatchError(api, sudoResult.asErr) : 'Ok';
    }
    const failed = events.find(({ event }) => event.section === 'system' && event.method === 'ExtrinsicFailed');
    return failed ? describeDispatchError(api, failed.event.data.dispatchError) : 'Ok';
  }

  /**
   * Sends one row of a bad-input table (`row.make()` → `{ tx, signer, watch }`) and checks that it
   * is refused as the row says, with nothing changed:
   * - `pool: 'Invalid(Name)' | 'Unknown(Name)' | 'Undecodable'`: refused at submission; the
   *   watched state (sender's and operator's accounts included) is as it was.
   * - `dispatch: 'spaceNotary.Name'` (with `sudoAs` when the registrar dispatches it past the
   *   pool): in a block, failed; the watched notary state is the same before and after that block,
   *   and the signer paid exactly its fee.
   */
  async function assertRefused(row, { tx, signer, watch } = row.make()) {
    if (row.pool) {
      const panics = codecPanics();
      const before = await chainState(watch);
      const error = await expectPoolRejection(api, tx, { signer, what: row.what, ms: 60_000 });
      assert.equal(poolVerdict(error), row.pool, `${row.what}: refused in the pool as ${row.pool} (${error?.message})`);
      if (row.pool === 'Undecodable') {
        await waitFor(() => codecPanics() > panics, {
          ms: 10_000,
          what: `the node's log of why it could not decode ${row.what}`,
        });
      }
      const after = await chainState(watch);
      assert.deepEqual(after, before, `${row.what}: refused in the pool, nothing changed (no fee, nonce or notary state)`);
      return;
    }
    const { blockHash, events } = await land(tx, { signer, what: row.what });
    assert.equal(dispatchFailure(events, row), row.dispatch, `${row.what}: refused at dispatch as ${row.dispatch}`);
    const { parentHash } = await api.rpc.chain.getHeader(blockHash);
    const notary = { ...watch, accounts: [] };
    assert.deepEqual(
      await chainState(notary, blockHash),
      await chainState(notary, parentHash),
      `${row.what}: refused at dispatch, the notary's state unchanged`,
    );
    const { actualFee, tip } = findEvent(events, 'transactionPayment', 'TransactionFeePaid').data;
    const fee = actualFee.toBigInt() + tip.toBigInt();
    const [was, is] = await Promise.all(
      [parentHash, blockHash].map((h) => api.query.system.account.at(h, signer.address)),
    );
    assert.equal(is.nonce.toNumber(), was.nonce.toNumber() + 1, `${row.what}: the signer's nonce moved`);
    assert.equal(is.data.free.toBigInt(), was.data.free.toBigInt() - fee, `${row.what}: the signer paid its fee, no more`);
    assert.equal(is.data.reserved.toBigInt(), was.data.reserved.toBigInt(), `${row.what}: nothing reserved or released`);
    // sudo does not charge the registrar; every other dispatch refusal costs its sender the fee.
    if (!row.sudoAs) assert.ok(fee > 0n, `${row.what}: refused at dispatch, so the sender pays the fee`);
  }

  /** A bad-input row: `server`'s batch made with `options`, sent by `sender` (default its operator). */
  const batchRow = (what, expected, server, { sender = server.operator, sudoAs = false, ...options } = {}) => ({
    what,
    ...expected,
    sudoAs,
    make: () => {
      const batch = makeBatch(server, options);
      const tx = sudoAs ? api.tx.sudo.sudoAs(sender.address, submitBatchTx(batch)) : submitBatchTx(batch);
      const accounts = [...new Set([sender, server.operator])];
      const watch = { servers: [batch.fields.serverId], batches: [batch.id], accounts };
      return { tx, signer: sudoAs ? alice : sender, watch };
    },
  });

  /** A bad-input row: a countersignature of `batch` (of `server`), relayed signed by Dave. */
  const countersignatureRow = (what, { pool, server, batch, signature }) => ({
    what,
    pool,
    make: () => ({
      tx: countersignatureTx(batch.id, signature),
      signer: dave,
      watch: { servers: [server.id], batches: [batch.id], accounts: [dave] },
    }),
  });

  /** Runs rows one after another, and rows of different signers side by side (one block for many). */
  async function assertAllRefused(rows) {
    const bySigner = new Map();
    for (const row of rows) {
      const made = row.make();
      const key = row.pool ? 'pool' : made.signer.address;
      bySigner.set(key, [...(bySigner.get(key) ?? []), [row, made]]);
    }
    for (const [row, made] of bySigner.get('pool') ?? []) await assertRefused(row, made);
    bySigner.delete('pool');
    await Promise.all(
      [...bySigner.values()].map(async (list) => {
        for (const [row, made] of list) await assertRefused(row, made);
      }),
    );
  }

  test('register: sudo registers both servers; ServerRegistered, deposits held, keys owned', async () => {
    const deposit = api.consts.spaceNotary.serverDeposit.toBigInt();
    const nonces = await aliceNonces(2);
    const servers = [
      [alpha, alpha.satelliteKey],
      [beta, hex(beta.satellite.publicKey)],
    ];
    const included = await Promise.all(
      servers.map(([s, satelliteKey], i) =>
        sudo(api.tx.spaceNotary.registerServer(s.operator.address, s.key.serverKeyJson, 0, satelliteKey), {
          nonce: nonces[i],
          what: `registerServer ${s.name}`,
        }),
      ),
    );
    for (const [i, [s, satelliteKey]] of servers.entries()) {
      const { events, blockHash } = included[i];
      const registered = findEvent(events, 'spaceNotary', 'ServerRegistered').data;
      assert.equal(registered.serverId.toNumber(), s.id, `${s.name} gets the id the satellite was provisioned for`);
      assert.equal(registered.operator.toString(), s.operator.address);
      const held = findEvent(events, 'balances', 'Held').data;
      assert.deepEqual(held.reason.toJSON(), { spaceNotary: 'ServerDeposit' });
      assert.equal(held.who.toString(), s.operator.address);
      assert.equal(held.amount.toBigInt(), deposit);

      const at = await api.at(blockHash);
      const record = (await at.query.spaceNotary.servers(s.id)).unwrap();
      assert.equal(record.operator.toString(), s.operator.address);
      assert.equal(hex(record.serverKey.toU8a()), hex(s.key.serverKey));
      assert.deepEqual(record.satellites.map((sat) => [sat.id.toNumber(), sat.key.toHex()]), [[0, satelliteKey]]);
      assert.ok(record.status.isActive);
      assert.equal(record.lastSequence.toNumber(), 0);
      assert.equal(record.lastBatch.toHex(), hex(ZERO_HASH));
      assert.equal(record.pending.length, 0);
      assert.equal((await at.query.spaceNotary.serverDeposits(s.id)).unwrap().toBigInt(), deposit);
      assert.equal((await at.query.spaceNotary.serverKeyOwner(s.key.serverKeyJson)).unwrap().toNumber(), s.id);
      assert.deepEqual((await at.query.spaceNotary.satelliteKeyOwner(satelliteKey)).unwrap().map((n) => n.toNumber()), [s.id, 0]);
      assert.deepEqual(await depositsHeld(at, s.operator), [deposit], `${s.name}'s deposit held from its operator`);
    }
    assert.equal((await api.query.spaceNotary.nextServerId()).toNumber(), beta.id + 1);
    alpha.registered = beta.registered = true;
  });

  test('submit: each server\'s first batch lands as BatchSubmitted, pending', async () => {
    assert.ok(alpha.registered && beta.registered, 'needs both servers registered');
    const [a1] = await Promise.all([
      submitNext(alpha, ['alpha: first transaction', 'alpha: second']),
      submitNext(beta, ['beta: first transaction', 'beta: second', 'beta: third']),
    ]);
    // From here the bridge takes alpha's batch to the satellite once it is finalized.
    alpha.firstCertified = whenCertified(a1.batch, "alpha's first batch certified through the bridge");
  });

  test('bad batches: refused by name in the pool (or at dispatch, at the sender\'s cost); nothing changes', async () => {
    assert.equal(beta.sequence, 1, "needs beta's first batch");
    await poolSees(beta.lastIncludedAt);
    const { maxTxsPerBatch, maxTxBytes, maxBatchBytes } = api.consts.spaceNotary;
    const [maxTxs, maxTx, maxBytes] = [maxTxsPerBatch, maxTxBytes, maxBatchBytes].map((c) => c.toNumber());
    // Just over MaxBatchBytes in transactions of MaxTxBytes, fewer than MaxTxsPerBatch of them.
    const overBatch = Array.from({ length: Math.floor(maxBytes / maxTx) }, (_, i) => new Uint8Array(maxTx).fill(i));
    overBatch.push(new Uint8Array(maxBytes - overBatch.length * maxTx + 1).fill(0xff));
    assert.ok(overBatch.length <= maxTxs, 'the oversized batch has few enough transactions');
    const repeated = { sequence: 1, prevBatch: ZERO_HASH, txs: ['beta: first, again'] };
    // Issued 45 s ago: 15 s from the end of the wait a batch ahead of its sequence is given
    // (FUTURE_BATCH_WAIT_MS, 60 s past its certificate's time by the chain's clock).
    const skipped = { sequence: 3, txs: ['beta: third, without a second'], bend: (f) => (f.issuedAtMs = Date.now() - 45_000) };

    // One table: each bad input, and how it is refused.
    const bend = (change) => ({ bend: change });
    const sudoAs = true;
    const rows = [
      batchRow('an unknown server', { pool: 'Invalid(UnknownServer)' }, beta, bend((f) => (f.serverId = UNKNOWN_SERVER_ID))),
      batchRow("a wrong operator (alpha's, for beta's batch)", { pool: 'Invalid(NotOperator)' }, beta, { sender: bob }),
      batchRow('an unsupported version', { pool: 'Invalid(UnsupportedVersion)' }, beta, bend((f) => (f.version = 2))),
      batchRow(
        'a wrong genesis hash',
        { pool: 'Invalid(WrongGenesis)' },
        beta,
        bend((f) => (f.genesisHash = blake2AsU8a('another chain', 256))),
      ),
      batchRow('a repeated sequence', { pool: 'Invalid(Stale)' }, beta, repeated),
      batchRow('a wrong previous batch id', { pool: 'Invalid(BadPrevBatch)' }, beta, { prevBatch: ZERO_HASH }),
      batchRow('an empty batch', { pool: 'Invalid(EmptyBatch)' }, beta, { txs: [] }),
      batchRow('a transaction count off by one', { pool: 'Invalid(TxCountMismatch)' }, beta, bend((f) => (f.txCount += 1))),
      batchRow(
        'a byte total off by one',
        { pool: 'Invalid(TotalBytesMismatch)' },
        beta,
        bend((f) => (f.totalBytes = BigInt(f.totalBytes) + 1n)),
      ),
      batchRow(`over MaxBatchBytes (${maxBytes + 1} bytes)`, { pool: 'Invalid(BatchTooLarge)' }, beta, { txs: overBatch }),
      // The call's types bound these two: the runtime cannot decode the call to name an error.
      batchRow(`more than MaxTxsPerBatch (${maxTxs + 1} transactions)`, { pool: 'Undecodable' }, beta, {
        txs: Array.from({ length: maxTxs + 1 }, (_, i) => `tx ${i}`),
      }),
      batchRow(`a transaction over MaxTxBytes (${maxTx + 1} bytes)`, { pool: 'Undecodable' }, beta, {
        txs: [new Uint8Array(maxTx + 1)],
      }),
      // The pool hashes and verifies nothing: these fail at dispatch, at the sender's cost.
      batchRow(
        'a merkle root that does not match',
        { dispatch: 'spaceNotary.RootMismatch' },
        beta,
        bend((f) => (f.batchRoot = merkleRoot(['some other transaction']))),
      ),
      batchRow('a bad server signature (another ed25519 key)', { dispatch: 'spaceNotary.BadServerSignature' }, beta, {
        signer: serverKeyPair('ed25519', SEEDS.strangerEd25519),
      }),
      batchRow(
        'a server signature of another scheme (sr25519 for an ed25519 key)',
        { dispatch: 'spaceNotary.SignatureSchemeMismatch' },
        beta,
        { signer: serverKeyPair('sr25519', SEEDS.strangerSr25519) },
      ),
      // What dispatch says of the sequences the pool keeps out (sudo_as, the registrar's, goes
      // past the pool's check of signed calls).
      batchRow('a repeated sequence, by sudo_as', { dispatch: 'spaceNotary.BadSequence' }, beta, { ...repeated, sudoAs }),
      batchRow('a skipped sequence, by sudo_as', { dispatch: 'spaceNotary.BadSequence' }, beta, { ...skipped, sudoAs }),
    ];
    const dispatched = rows.filter((r) => r.dispatch);
    await assertAllRefused(rows.filter((r) => r.pool));

    // A skipped sequence waits in the pool (Future) for its predecessor and is never included.
    const batch = makeBatch(beta, skipped);
    const tx = submitBatchTx(batch);
    const watch = { servers: [beta.id], batches: [batch.id], accounts: [charlie] };
    const before = await chainState(watch);
    const statuses = [];
    const unsubscribe = await tx.signAndSend(charlie, ({ status }) => statuses.push(status));
    try {
      await waitFor(() => statuses.some((s) => s.isFuture), {
        ms: 30_000,
        what: 'the skipped sequence to wait in the pool (Future)',
      });
      const sentAt = (await api.rpc.chain.getHeader()).number.toNumber();
      await poolSees(sentAt);
      const { block } = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(sentAt + 1));
      assert.ok(!block.extrinsics.some((x) => x.hash.eq(tx.hash)), `not in block #${sentAt + 1}`);
      const moved = statuses.filter((s) => s.isReady || s.isInBlock || s.isFinalized);
      assert.deepEqual(moved.map((s) => s.type), [], 'still waiting (Future)');
      assert.deepEqual(await chainState(watch), before, 'the skipped sequence changed nothing');
      // Its client hears back: once its wait is over the pool finds it stale and removes it
      // (at a view's revalidation, `Dropped`, or at the mempool's, every 10 finalized blocks,
      // `Invalid`), telling its client; Charlie's nonce is free again.
      const lastBlock = sentAt + 25;
      let best = sentAt;
      await waitFor(async () => {
        if (statuses.some((s) => s.isInvalid || s.isDropped || s.isUsurped)) return true;
        best = (await api.rpc.chain.getHeader()).number.toNumber();
        return best > lastBlock;
      }, {
        ms: (lastBlock - sentAt) * 6_000 + 30_000,
        interval: 1_000,
        what: `the pool to drop the skipped sequence by block #${lastBlock} and tell its client`,
      });
      const ended = statuses.filter((s) => s.isInvalid || s.isDropped || s.isUsurped).map((s) => s.type);
      assert.equal(ended.length, 1, `removed by #${lastBlock}, its client told once (best #${best}): ${ended}`);
      assert.ok(['Invalid', 'Dropped'].includes(ended[0]), `removed as stale, not usurped: ${ended}`);
      assert.ok(!statuses.some((s) => s.isInBlock || s.isFinalized), 'never included');
      assert.deepEqual(await chainState(watch), before, 'the skipped sequence changed nothing');
    } finally {
      unsubscribe();
    }

    await assertAllRefused(dispatched);
  });

  test('certify through the bridge: the satellite countersigns alpha\'s batch, the bridge relays it', async () => {
    assert.ok(alpha.firstCertified, "needs alpha's first batch");
    await alpha.firstCertified;
    const [a1] = alpha.batches;
    const { signature, relayer, certifiedAt, attestation } = await certification(a1, alpha.satelliteKey);
    assert.ok(relayer.isNone, 'the bridge relays bare');
    // v2 from the emulator through the bridge: the satellite's number and its clock, between the
    // certificate's issue and the certifying block's time.
    assert.equal(attestation.satelliteId.toNumber(), 0);
    assert.ok(attestation.signedAtMs.isSome, 'the satellite gave its clock (v2)');
    const signedAt = attestation.signedAtMs.unwrap().toNumber();
    const blockTime = (await (await api.at(await api.rpc.chain.getBlockHash(certifiedAt))).query.timestamp.now()).toNumber();
    assert.ok(signedAt >= a1.fields.issuedAtMs && signedAt <= blockTime + 120_000, `satellite time ${signedAt} in [${a1.fields.issuedAtMs}, ${blockTime} + 120 s]`);
    const view = await bridgeView(bridge.url, hex(a1.id));
    assert.ok(view, 'the bridge holds the batch');
    assert.equal(view.countersignature?.signature, hex(signature), 'the countersignature on chain is the one the bridge got');
    assert.equal(view.countersignature?.signed_at_ms, signedAt);
    const server = (await api.query.spaceNotary.servers(alpha.id)).unwrap();
    assert.equal(server.pending.length, 0, 'no longer pending');
    Object.assign(alpha, { firstSignature: signature, firstCertifiedAt: certifiedAt });

    // The pass ends: with the satellite out of view, alpha's next batch stays pending.
    await emulator.proc.stop();
  });

  test('rotate both keys while batches are pending: nothing is stranded, only the new keys count', async () => {
    assert.ok(alpha.firstSignature, "needs alpha's first batch certified");
    const [{ batch: a2 }, { batch: b2 }] = await Promise.all([
      submitNext(alpha, ['alpha: pending through the rotation']),
      submitNext(beta, ['beta: second batch']),
    ]);
    const [b1] = beta.batches;
    const watched = { servers: [alpha.id, beta.id], batches: [a2.id, b1.id, b2.id] };
    const pendingBefore = await chainState(watched);

    // The operator rotates the server key; the satellite makes a new key for alpha (while out of
    // view) and the registrar sets it; beta's satellite key is rotated too.
    const oldAlphaKey = alpha.key;
    const newAlphaKey = serverKeyPair('sr25519', SEEDS.alphaServerRotated);
    const oldAlphaSatellite = alpha.satelliteKey;
    const newAlphaSatellite = rotateSatelliteKey(satelliteDir, alpha.id);
    const oldBetaSatellite = beta.satellite;
    const newBetaSatellite = satelliteKeyPair(SEEDS.betaSatelliteRotated);
    const nonces = await aliceNonces(2);
    const { setServerKey, setSatelliteKey } = api.tx.spaceNotary;
    const [serverKeyChange, ...satelliteChanges] = await Promise.all([
      submit(api, setServerKey(alpha.id, newAlphaKey.serverKeyJson), { signer: bob, what: 'setServerKey alpha' }),
      sudo(setSatelliteKey(alpha.id, 0, newAlphaSatellite), { nonce: nonces[0], what: 'setSatelliteKey alpha' }),
      sudo(setSatelliteKey(beta.id, 0, hex(newBetaSatellite.publicKey)), { nonce: nonces[1], what: 'setSatelliteKey beta' }),
    ]);
    const changed = findEvent(serverKeyChange.events, 'spaceNotary', 'ServerKeyChanged').data;
    assert.equal(changed.serverId.toNumber(), alpha.id);
    assert.equal(hex(changed.serverKey.toU8a()), hex(newAlphaKey.serverKey));
    for (const [i, [server, key]] of [[alpha, newAlphaSatellite], [beta, hex(newBetaSatellite.publicKey)]].entries()) {
      const event = findEvent(satelliteChanges[i].events, 'spaceNotary', 'SatelliteKeyChanged').data;
      assert.equal(event.serverId.toNumber(), server.id);
      assert.equal(event.satelliteKey.toHex(), key);
    }
    const rotatedAt = Math.max(serverKeyChange.blockNumber, ...satelliteChanges.map((c) => c.blockNumber));
    const rotatedHash = await api.rpc.chain.getBlockHash(rotatedAt);
    const at = await api.at(rotatedHash);
    const alphaRecord = (await at.query.spaceNotary.servers(alpha.id)).unwrap();
    assert.equal(hex(alphaRecord.serverKey.toU8a()), hex(newAlphaKey.serverKey));
    assert.equal(alphaRecord.satellites[0].key.toHex(), newAlphaSatellite);
    const betaRecord = (await at.query.spaceNotary.servers(beta.id)).unwrap();
    assert.equal(betaRecord.satellites[0].key.toHex(), hex(newBetaSatellite.publicKey));
    assert.ok((await at.query.spaceNotary.serverKeyOwner(oldAlphaKey.serverKeyJson)).isNone, 'the old server key is free');
    assert.equal((await at.query.spaceNotary.serverKeyOwner(newAlphaKey.serverKeyJson)).unwrap().toNumber(), alpha.id);
    assert.ok((await at.query.spaceNotary.satelliteKeyOwner(oldAlphaSatellite)).isNone, 'the old satellite key is free');
    assert.equal((await at.query.spaceNotary.satelliteKeyOwner(newAlphaSatellite)).unwrap()[0].toNumber(), alpha.id);
    // The rotation touched no pending batch: the same records, the same expiries.
    const pendingAfter = await chainState(watched, rotatedHash);
    assert.deepEqual(pendingAfter.batches, pendingBefore.batches, 'pending batches unchanged by the rotation');
    assert.deepEqual(pendingAfter.pending, pendingBefore.pending, 'pending lists unchanged by the rotation');
    alpha.key = newAlphaKey;
    beta.satellite = newBetaSatellite;
    Object.assign(alpha, { oldSatelliteKey: oldAlphaSatellite, satelliteKey: newAlphaSatellite });

    await poolSees(rotatedAt);
    // A repeat is refused as stale once the certifying block is final (until then the pool may
    // still hold a view in which the batch is pending).
    await waitFinalized(api, alpha.firstCertifiedAt, { what: `finality of the block that certified alpha's first batch` });
    const unknown = { id: blake2AsU8a('no such batch', 256), serverSignature: b1.serverSignature };
    const by = (satellite, batch) => satellite.countersign(batch.id, batch.serverSignature);
    await assertAllRefused([
      countersignatureRow("beta's pending batch under beta's old satellite key, after the rotation", {
        pool: 'Invalid(BadSatelliteSignature)',
        server: beta,
        batch: b1,
        signature: by(oldBetaSatellite, b1),
      }),
      countersignatureRow("alpha's pending batch under another server's (beta's) satellite key", {
        pool: 'Invalid(BadSatelliteSignature)',
        server: alpha,
        batch: a2,
        signature: by(newBetaSatellite, a2),
      }),
      // AlreadyCertified: final on this chain, so `Stale` (the pallet's `pool_refusal`).
      countersignatureRow("alpha's certified batch, the satellite's own countersignature again", {
        pool: 'Invalid(Stale)',
        server: alpha,
        batch: alpha.batches[0],
        signature: alpha.firstSignature,
      }),
      countersignatureRow('an unknown batch', {
        pool: 'Unknown(UnknownBatch)',
        server: beta,
        batch: unknown,
        signature: by(newBetaSatellite, unknown),
      }),
    ]);

    // Side by side in one block: the new key certifies beta's pending batch (bare); alpha's old
    // server key and a non-operator are refused at dispatch.
    const [relayed] = await Promise.all([
      submit(api, countersignatureTx(b1.id, newBetaSatellite.countersign(b1.id, b1.serverSignature)), {
        what: "beta's pending batch countersigned by the new satellite key",
      }),
      assertRefused(
        batchRow("alpha's next batch signed by its old server key", { dispatch: 'spaceNotary.BadServerSignature' }, alpha, {
          signer: oldAlphaKey,
        }),
      ),
      assertRefused({
        what: "a key change for alpha by beta's operator",
        dispatch: 'spaceNotary.NotOperator',
        make: () => ({
          tx: api.tx.spaceNotary.setServerKey(alpha.id, serverKeyPair('ed25519', SEEDS.strangerServer).serverKeyJson),
          signer: charlie,
          watch: { servers: [alpha.id], batches: [] },
        }),
      }),
    ]);
    const certified = findEvent(relayed.events, 'spaceNotary', 'BatchCertified').data;
    assert.equal(certified.batchId.toHex(), hex(b1.id));
    assert.ok(certified.relayer.isNone);
    await certification(b1, newBetaSatellite.publicKey);

    // The satellite comes back into view once the bridge has read the new key from a finalized
    // block (it checks each countersignature against the key on chain before relaying it).
    await waitFor(async () => (await bridgeFinalized()) >= rotatedAt, {
      ms: 60_000,
      what: `the bridge to read finalized block #${rotatedAt} (the rotation)`,
    });
    const port = Number(new URL(emulator.url).port);
    emulator = await startEmulator({ stateDir: satelliteDir, genesisHash: api.genesisHash.toHex(), port });
    procs.push(emulator.proc);
    alpha.rotatedCertified = whenCertified(a2, "alpha's pending batch certified through the bridge, under the new key");
  });

  test('suspend and resume: a suspended server can neither submit nor certify; its pending batch survives', async () => {
    assert.ok(beta.batches.length === 2, "needs beta's second batch");
    const b2 = beta.batches[1];
    const suspended = await sudo(api.tx.spaceNotary.suspendServer(beta.id), { what: 'suspendServer beta' });
    assert.equal(findEvent(suspended.events, 'spaceNotary', 'ServerSuspended').data.serverId.toNumber(), beta.id);
    const atSuspension = await chainState({ servers: [beta.id], batches: [b2.id] }, suspended.blockHash);
    assert.equal(atSuspension.servers[0].status, 'Suspended');

    await poolSees(suspended.blockNumber);
    await assertAllRefused([
      batchRow('a batch of a suspended server', { pool: 'Unknown(ServerSuspended)' }, beta, { txs: ['beta: suspended'] }),
      countersignatureRow("a valid countersignature of a suspended server's batch", {
        pool: 'Unknown(ServerSuspended)',
        server: beta,
        batch: b2,
        signature: beta.satellite.countersign(b2.id, b2.serverSignature),
      }),
    ]);

    const resumed = await sudo(api.tx.spaceNotary.resumeServer(beta.id), { what: 'resumeServer beta' });
    assert.equal(findEvent(resumed.events, 'spaceNotary', 'ServerResumed').data.serverId.toNumber(), beta.id);
    const atResumption = await chainState({ servers: [beta.id], batches: [b2.id] }, resumed.blockHash);
    assert.equal(atResumption.servers[0].status, 'Active');
    assert.deepEqual(atResumption.batches, atSuspension.batches, 'the pending batch survived, its expiry unchanged');
    assert.deepEqual(atResumption.pending, atSuspension.pending, 'still in the pending list');
    assert.ok(atResumption.batches[0].status.pending, 'still pending');
  });

  test('certified through the bridge under the rotated satellite key: the rotation stranded nothing', async () => {
    assert.ok(alpha.rotatedCertified, 'needs the rotation');
    await alpha.rotatedCertified;
    const a2 = alpha.batches[1];
    const { signature, relayer, attestation } = await certification(a2, alpha.satelliteKey);
    assert.ok(relayer.isNone, 'the bridge relays bare');
    const signedPayload = satellitePayloadV2(a2.id, a2.serverSignature, attestation.satelliteId.toNumber(), attestation.signedAtMs.unwrap().toBigInt());
    assert.ok(!ed25519Verify(signedPayload, signature, hexToU8a(alpha.oldSatelliteKey)), 'signed by the new key, not the old one');
    assert.equal((await bridgeView(bridge.url, hex(a2.id)))?.countersignature?.signature, hex(signature), 'relayed by the bridge');

    // The pass ends; alpha's next batch, signed by the rotated server key, waits for the next one.
    // (The satellite still holds alpha's old server key. Reprovisioned with only the new one
    // before the pending batch was signed, it would have refused that batch, signed by the old
    // key; `satellite-emulator reprovision --previous-key-until SEQ` keeps the old key for the
    // sequences up to SEQ, so both get signed: satellite-emulator/README.md.)
    await emulator.proc.stop();
    await submitNext(alpha, ['alpha: signed by the rotated server key']);
  });

  test('deregister: pending batches expire (ServerDeregistered), deposits go back, the server is unknown', async () => {
    assert.equal(alpha.batches.length, 3, "needs alpha's third batch");
    const ttlMs = api.consts.spaceNotary.batchTtl.toNumber() * 2 * api.consts.timestamp.minimumPeriod.toNumber();
    assert.ok(ttlMs > 60 * 60_000, 'BatchTtl is hours: the expiry watched here is the one deregistration causes');
    const deposit = api.consts.spaceNotary.serverDeposit.toBigInt();
    const nonces = await aliceNonces(2);
    const servers = [alpha, beta];
    const expiring = [alpha.batches[2], beta.batches[1]];
    const included = await Promise.all(
      servers.map((s, i) =>
        sudo(api.tx.spaceNotary.deregisterServer(s.id), { nonce: nonces[i], what: `deregisterServer ${s.name}` }),
      ),
    );
    for (const [i, s] of servers.entries()) {
      const { events, blockHash, blockNumber } = included[i];
      const expired = findEvent(events, 'spaceNotary', 'BatchExpired').data;
      assert.equal(expired.serverId.toNumber(), s.id);
      assert.equal(expired.batchId.toHex(), hex(expiring[i].id));
      assert.equal(expired.reason.toString(), 'ServerDeregistered');
      const deregistered = findEvent(events, 'spaceNotary', 'ServerDeregistered').data;
      assert.equal(deregistered.serverId.toNumber(), s.id);
      assert.equal(deregistered.expired.toNumber(), 1);
      const released = findEvent(events, 'balances', 'Released').data;
      assert.deepEqual(released.reason.toJSON(), { spaceNotary: 'ServerDeposit' });
      assert.equal(released.who.toString(), s.operator.address);
      assert.equal(released.amount.toBigInt(), deposit);

      const { parentHash } = await api.rpc.chain.getHeader(blockHash);
      const [at, was] = await Promise.all([api.at(blockHash), api.at(parentHash)]);
      assert.ok((await at.query.spaceNotary.servers(s.id)).isNone, `${s.name}'s record gone`);
      assert.ok((await at.query.spaceNotary.serverDeposits(s.id)).isNone);
      assert.ok((await at.query.spaceNotary.serverKeyOwner(s.key.serverKeyJson)).isNone, `${s.name}'s server key freed`);
      const satelliteKey = s === alpha ? alpha.satelliteKey : hex(beta.satellite.publicKey);
      assert.ok((await at.query.spaceNotary.satelliteKeyOwner(satelliteKey)).isNone, `${s.name}'s satellite key freed`);
      const record = (await at.query.spaceNotary.batches(expiring[i].id)).unwrap();
      assert.deepEqual(record.status.toJSON(), { expired: { at: blockNumber, reason: 'ServerDeregistered' } });
      for (const certified of s.batches.slice(0, -1)) {
        const kept = (await at.query.spaceNotary.batches(certified.id)).unwrap();
        assert.ok(kept.status.isCertified, 'certified batches stay on record');
      }
      const [before, now] = await Promise.all([was, at].map((a) => a.query.system.account(s.operator.address)));
      const back = before.data.reserved.toBigInt() - now.data.reserved.toBigInt();
      assert.equal(back, deposit, `${s.name}'s deposit back with its operator`);
      assert.deepEqual(await depositsHeld(at, s.operator), [], 'no deposit held any more');
    }

    await poolSees(Math.max(...included.map((r) => r.blockNumber)));
    const b2 = beta.batches[1];
    await assertAllRefused([
      batchRow('a batch of a deregistered server', { pool: 'Invalid(UnknownServer)' }, beta, { txs: ['beta: gone'] }),
      countersignatureRow('a valid countersignature of an expired batch', {
        pool: 'Invalid(BatchExpired)',
        server: beta,
        batch: b2,
        signature: beta.satellite.countersign(b2.id, b2.serverSignature),
      }),
    ]);
  });
});
