// Receipts (docs/receipts.md) on a real dev chain: a batch made, signed and countersigned in JS,
// certified; `satellite-bridge receipt make` as soon as the node stores a GRANDPA justification at
// or after the certification; the chain's raw spec from the node binary; then the node stopped
// and `satellite-bridge receipt verify` run with nothing to ask: valid, naming what it trusted.
// Changed bytes, another transaction, another chain are refused by name (exit 2).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import { tempDir } from '../lib/ground.js';
import { verifyReceipt } from '../lib/receipt.js';
import { failureTracker, nodeBinary, startNode, stopNode, waitFor, workspaceBinary } from '../lib/node.js';
import { ZERO_HASH, buildBatch, satelliteKeyPair, serverKeyPair } from '../lib/notary.js';
import { findEvent, submit } from '../lib/tx.js';

const hex = (x) => u8aToHex(x);
const BRIDGE = workspaceBinary('satellite-bridge');

/** Runs the bridge's CLI: `{ status, stdout, stderr }`. */
function bridge(args) {
  const run = spawnSync(BRIDGE, args, { encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  return run;
}

describe('receipts (dev node; receipt make, then receipt verify with the node stopped)', () => {
  const track = failureTracker();
  const dir = tempDir('receipts');
  let node;
  let api;

  before(async () => {
    ({ node, api } = await startNode({ name: 'receipts', args: ['--dev', '--no-mdns'] }));
  });
  afterEach(track.hook);
  after(async () => {
    await stopNode(node, track.failed);
    dir.cleanup();
  });

  test('a receipt made after certification verifies offline; any change is refused by name', async () => {
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');
    const charlie = keyring.addFromUri('//Charlie');
    const server = serverKeyPair('ed25519', '0x' + '51'.repeat(32));
    const satellite = satelliteKeyPair('0x' + '52'.repeat(32));

    const register = api.tx.spaceNotary.registerServer(bob.address, server.serverKeyJson, 0, satellite.publicKey);
    const registered = await submit(api, api.tx.sudo.sudo(register), { signer: alice, what: 'sudo registerServer' });
    const serverId = findEvent(registered.events, 'spaceNotary', 'ServerRegistered').data.serverId.toNumber();
    const txs = ['a deed', 'a second deed', 'a third, longer than the others'];
    const batch = buildBatch({ server, genesisHash: api.genesisHash.toU8a(), serverId, sequence: 1, prevBatch: ZERO_HASH, txs });
    await submit(api, api.tx.spaceNotary.submitBatch(batch.scale, batch.serverSignature, batch.txs.map(hex)), {
      signer: bob,
      what: 'submitBatch',
    });
    const signature = satellite.countersign(batch.id, batch.serverSignature);
    const certified = await submit(api, api.tx.spaceNotary.submitCountersignature(batch.id, signature), {
      signer: charlie,
      what: 'submitCountersignature',
    });
    findEvent(certified.events, 'spaceNotary', 'BatchCertified');
    const certifiedMs = Date.now();

    // The receipt, as soon as the certification block is finalized and the node stores a
    // justification at or after it.
    await waitFor(
      async () => {
        const head = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
        return head.number.toNumber() >= certified.blockNumber;
      },
      { ms: 120_000, interval: 1_000, what: `finality of the certification block #${certified.blockNumber}` },
    );
    const receiptPath = path.join(dir.dir, 'deed.receipt');
    let made;
    let unexpected;
    await waitFor(
      async () => {
        const run = bridge(['receipt', 'make', '--chain', node.wsUrl, '--batch', hex(batch.id), '--index', '1', '--out', receiptPath]);
        if (run.status === 0) return (made = run);
        unexpected = /no GRANDPA justification is stored yet/.test(run.stderr) ? undefined : run.stderr;
        if (unexpected !== undefined) return true;
        return false;
      },
      { ms: 180_000, interval: 2_000, what: 'a stored GRANDPA justification at or after the certification block' },
    );
    assert.equal(unexpected, undefined, 'receipt make failed only for want of a justification');
    console.log(`receipt made ${((Date.now() - certifiedMs) / 1000).toFixed(1)} s after certification: ${made.stdout.trim()}`);
    const binary = fs.readFileSync(receiptPath);
    assert.equal(binary[0], 2, 'format 2');
    assert.ok(binary.length < 8_192, `a receipt of one validator's chain is a few kilobytes (${binary.length} bytes)`);

    // The JSON form and the form by transaction hash carry the same receipt.
    const jsonPath = path.join(dir.dir, 'deed.json');
    const byHash = bridge(['receipt', 'make', '--chain', node.wsUrl, '--batch', hex(batch.id), '--tx-hash', blake2AsHex(txs[1]), '--out', jsonPath, '--json']);
    assert.equal(byHash.status, 0, byHash.stderr);
    const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    assert.equal(json.format, 'space-notary-receipt/2');
    assert.equal(json.summary.leaf_index, 1);
    assert.equal(json.summary.batch_id, hex(batch.id));

    // What the verifier trusts: the chain spec, from the node binary.
    const specPath = path.join(dir.dir, 'dev-raw.json');
    const spec = spawnSync(nodeBinary(), ['build-spec', '--chain', 'dev', '--raw'], { maxBuffer: 64 << 20 });
    assert.equal(spec.status, 0, String(spec.stderr));
    fs.writeFileSync(specPath, spec.stdout);
    const txPath = path.join(dir.dir, 'deed.tx');
    fs.writeFileSync(txPath, txs[1]);

    // The independent JS verifier, under the set the chain reports, agrees.
    const authorities = await api.call.grandpaApi.grandpaAuthorities();
    const anchor = {
      genesisHash: api.genesisHash.toU8a(),
      setId: 0,
      authorities: authorities.map(([id, weight]) => [id.toU8a(), weight.toBigInt()]),
    };
    const js = verifyReceipt(new Uint8Array(binary), anchor, new TextEncoder().encode(txs[1]));
    assert.equal(js.ok, true, `the JS verifier accepts the node's receipt: ${JSON.stringify(js, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    assert.equal(js.batchId, hex(batch.id));

    // Nothing left to ask.
    await stopNode(node, track.failed);
    node = undefined;

    const valid = bridge(['receipt', 'verify', receiptPath, txPath, '--chain-spec', specPath]);
    assert.equal(valid.status, 0, valid.stdout + valid.stderr);
    assert.match(valid.stdout, new RegExp(`chain \\(genesis hash\\)\\s+${api.genesisHash.toHex()}`), 'names the chain it trusted');
    assert.match(valid.stdout, /GRANDPA set 0: 1 authorities/);
    assert.equal((valid.stdout.match(/^ {2}ok {3}/gm) ?? []).length, 7, `seven checks passed:\n${valid.stdout}`);
    assert.match(valid.stdout, new RegExp(`^valid: transaction 1 .* in batch ${hex(batch.id)} of server ${serverId} `, 'm'));
    const fromJson = bridge(['receipt', 'verify', jsonPath, '--chain-spec', specPath]);
    assert.equal(fromJson.status, 0, fromJson.stdout + fromJson.stderr);

    // Refused by name.
    const refused = (file, extra = []) => {
      const run = bridge(['receipt', 'verify', file, ...extra, '--chain-spec', specPath]);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      return run.stdout.match(/^invalid: (\w+)$/m)?.[1];
    };
    const otherTx = path.join(dir.dir, 'other.tx');
    fs.writeFileSync(otherTx, 'a deed nobody made');
    assert.equal(refused(receiptPath, [otherTx]), 'LeafMismatch');
    const changed = (at) => {
      const copy = Buffer.from(binary);
      copy[at] ^= 1;
      const file = path.join(dir.dir, `changed-${at}.receipt`);
      fs.writeFileSync(file, copy);
      const name = refused(file);
      const js = verifyReceipt(new Uint8Array(copy), anchor);
      assert.equal(js.error, name, `byte ${at}: the JS verifier refuses by the same name`);
      return name;
    };
    // The first byte is the version; then the transaction's evidence, the batch's, the chain's.
    assert.equal(changed(0), 'UnsupportedVersion');
    assert.equal(changed(3), 'LeafMismatch');
    for (const at of [40, 100, 200, Math.floor(binary.length / 2), binary.length - 200, binary.length - 40]) {
      assert.ok(changed(at), `byte ${at} changed is refused by name`);
    }
    // Another chain's anchor.
    const anchorPath = path.join(dir.dir, 'other-chain.json');
    fs.writeFileSync(anchorPath, JSON.stringify({ genesis_hash: '0x' + '00'.repeat(32), set_id: 0, authorities: [] }));
    const other = bridge(['receipt', 'verify', receiptPath, '--anchor', anchorPath]);
    assert.equal(other.status, 2);
    assert.match(other.stdout, /^invalid: WrongGenesis$/m);
  });
});
