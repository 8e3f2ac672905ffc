#!/usr/bin/env node
// Load on a real dev chain: how many certifications and submissions fit in a block.
// A benchmark, not a test: it reports what it measured and fails only when the chain refuses
// what it should take. Run by scripts/load (which builds the node first).
//
//   node tools/load.js [--pending 8000] [--bundle 256] [--modes single-bare,bundle-bare,...]
//                      [--largest 12] [--json]
//
// It starts its own `--dev` node (a pool large enough for the load), registers enough servers
// (sudo), and for each mode:
//   1. submits `--pending` small batches (one transaction of one byte; operators //Alice to
//      //Ferdie, nonces counted here), all sent at once, and waits until they are pending;
//   2. sends a valid countersignature for every one of them, as fast as the RPC takes them:
//      `single-bare` (bare submit_countersignature), `bundle-bare` (bare submit_countersignatures
//      of `--bundle` entries), `single-signed` and `bundle-signed` (the same, signed by four
//      relay accounts, fees waived);
//   3. waits until all are certified, then reads every block of the run: certifications per
//      block, the block's normal-class weight and length against their limits.
// Then `--largest` batches of 1 MiB (1,024 transactions of 1 KiB) from one server, to count
// batches per block at the largest size (the smallest size's count comes from step 1).
// The report puts the measured best block beside what the weights predict for a block.

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startNode, stopNode, waitFor } from '../lib/node.js';
import { ZERO_HASH, buildBatch, satelliteKeyPair, serverKeyPair } from '../lib/notary.js';

const hex = (x) => u8aToHex(x);
const MODES = ['single-bare', 'bundle-bare', 'single-signed', 'bundle-signed'];
const log = (...args) => console.error(new Date().toISOString().slice(11, 19), ...args);

/** Sends signed `txs` (each `[tx, pair, nonce]`) or bare ones (`[tx]`), a window at a time. */
async function blast(api, items, { window = 256 } = {}) {
  let sent = 0;
  for (let i = 0; i < items.length; i += window) {
    await Promise.all(
      items.slice(i, i + window).map(async ([tx, pair, nonce]) => {
        const ext = pair ? await tx.signAsync(pair, { nonce, era: 0 }) : tx;
        await api.rpc.author.submitExtrinsic(ext);
        sent += 1;
      }),
    );
  }
  return sent;
}

/** Every block from `from` to the head: `{ number, events, weightNormal, length }`. */
async function readBlocks(api, from) {
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const blocks = [];
  for (let n = from; n <= head; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const at = await api.at(hash);
    const [events, weight, block] = await Promise.all([
      at.query.system.events(),
      at.query.system.blockWeight(),
      api.rpc.chain.getBlock(hash),
    ]);
    const length = block.block.extrinsics.reduce((sum, e) => sum + e.encodedLength, 0);
    blocks.push({ number: n, events, weightNormal: weight.normal.refTime.toBigInt(), length });
  }
  return blocks;
}

const count = (events, method) =>
  events.filter(({ event }) => event.section === 'spaceNotary' && event.method === method).length;

async function main() {
  const { values } = parseArgs({
    options: {
      pending: { type: 'string', default: '8000' },
      bundle: { type: 'string', default: '256' },
      modes: { type: 'string', default: MODES.join(',') },
      largest: { type: 'string', default: '12' },
      json: { type: 'boolean', default: false },
    },
  });
  const pending = Number(values.pending);
  const bundleSize = Number(values.bundle);
  const largest = Number(values.largest);
  const modes = values.modes.split(',');
  const bad = modes.filter((m) => !MODES.includes(m));
  if (!(pending > 0) || !(bundleSize > 0) || !(largest >= 0) || bad.length) {
    console.error(`usage: load.js [--pending N>0] [--bundle N>0] [--largest N>=0] [--modes ${MODES.join(',')}]`);
    process.exit(2);
  }
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const [alice, ...others] = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => keyring.addFromUri(`//${n}`));
  const operators = [alice, ...others];
  const relays = others.slice(1, 5);

  const { node, api } = await startNode({
    name: 'load',
    args: ['--dev', '--no-mdns', '--pool-limit', '100000', '--pool-kbytes', '512000', '--rpc-max-request-size', '64'],
  });
  const nonces = new Map();
  const nextNonce = async (pair) => {
    if (!nonces.has(pair.address)) nonces.set(pair.address, (await api.rpc.system.accountNextIndex(pair.address)).toNumber());
    const n = nonces.get(pair.address);
    nonces.set(pair.address, n + 1);
    return n;
  };
  const report = { pending, bundleSize, modes: [], submissions: {} };
  try {
    const maxPending = api.consts.spaceNotary.maxPendingPerServer.toNumber();
    const bundleMax = api.consts.spaceNotary.maxCountersignaturesPerCall.toNumber();
    if (bundleSize > bundleMax) throw new Error(`--bundle ${bundleSize} is above MaxCountersignaturesPerCall ${bundleMax}`);
    const serversNeeded = Math.ceil(pending / maxPending) + 1; // +1: the largest batches' server
    const genesisHash = api.genesisHash.toU8a();

    // Servers, registered through sudo, operated round-robin by the six dev accounts.
    log(`registering ${serversNeeded} servers`);
    const firstId = (await api.query.spaceNotary.nextServerId()).toNumber();
    const servers = [];
    const registrations = [];
    for (let i = 0; i < serversNeeded; i++) {
      // Distinct keys per server (the chain refuses shared ones): the index in the seed.
      const seed = (tag) => Uint8Array.from({ length: 32 }, (_, j) => [tag, i & 0xff, i >> 8][j] ?? 7);
      const key = serverKeyPair('sr25519', seed(0x10));
      const satellite = satelliteKeyPair(seed(0x5a));
      const operator = operators[i % operators.length];
      servers.push({ id: firstId + i, key, satellite, operator, sequence: 0, last: ZERO_HASH });
      const call = api.tx.spaceNotary.registerServer(operator.address, key.serverKeyJson, 0, hex(satellite.publicKey));
      registrations.push([api.tx.sudo.sudo(call), alice, await nextNonce(alice)]);
    }
    await blast(api, registrations);
    await waitFor(async () => (await api.query.spaceNotary.nextServerId()).toNumber() >= firstId + serversNeeded, {
      ms: 180_000,
      what: `${serversNeeded} servers registered`,
    });
    const loadServers = servers.slice(0, -1);
    const bigServer = servers[servers.length - 1];

    /** Submits `total` small batches spread over the load servers; returns them once pending. */
    const submitSmall = async (total) => {
      const from = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
      const items = [];
      const batches = [];
      for (let i = 0; i < total; i++) {
        const s = loadServers[i % loadServers.length];
        s.sequence += 1;
        const batch = buildBatch({ server: s.key, genesisHash, serverId: s.id, sequence: s.sequence, prevBatch: s.last, txs: [new Uint8Array([i & 0xff])] });
        s.last = batch.id;
        batches.push({ batch, server: s });
        const tx = api.tx.spaceNotary.submitBatch(hex(batch.scale), hex(batch.serverSignature), [hex(batch.txs[0])]);
        items.push([tx, s.operator, await nextNonce(s.operator)]);
      }
      await blast(api, items);
      const last = batches[batches.length - 1].batch.id;
      await waitFor(async () => (await api.query.spaceNotary.batches(last)).isSome, { ms: 300_000, what: `${total} batches submitted` });
      await waitFor(
        async () => {
          const records = await api.query.spaceNotary.batches.multi(batches.map((b) => hex(b.batch.id)));
          return records.every((r) => r.isSome);
        },
        { ms: 300_000, interval: 2_000, what: `all ${total} batches on chain` },
      );
      return { batches, from };
    };

    const blockWeights = api.consts.system.blockWeights;
    const normal = blockWeights.perClass.normal;
    const maxNormalWeight = normal.maxTotal.unwrap().refTime.toBigInt();
    const baseExtrinsic = normal.baseExtrinsic.refTime.toBigInt();
    const baseBlock = blockWeights.baseBlock.refTime.toBigInt();
    const maxLength = api.consts.system.blockLength.max.normal.toNumber();

    for (const mode of modes) {
      log(`${mode}: submitting ${pending} batches`);
      const { batches, from: submittedFrom } = await submitSmall(pending);
      const entries = batches.map(({ batch, server }) => [hex(batch.id), hex(server.satellite.countersign(batch.id, batch.serverSignature))]);
      const signed = mode.endsWith('signed');
      const bundled = mode.startsWith('bundle');
      const calls = bundled
        ? Array.from({ length: Math.ceil(entries.length / bundleSize) }, (_, i) =>
            api.tx.spaceNotary.submitCountersignatures(entries.slice(i * bundleSize, (i + 1) * bundleSize)),
          )
        : entries.map(([id, sig]) => api.tx.spaceNotary.submitCountersignature(id, sig));
      // What the weights predict for one block of this mode: a signed call weighs its call and
      // its extensions (`paymentInfo`), a bare one its call only (`queryCallInfo`).
      const probe = signed
        ? await calls[0].paymentInfo(relays[0])
        : await api.call.transactionPaymentCallApi.queryCallInfo(calls[0], calls[0].encodedLength);
      const perCall = probe.weight.refTime.toBigInt() + baseExtrinsic;
      const perCallEntries = bundled ? Math.min(bundleSize, entries.length) : 1;
      const predicted = Number(((maxNormalWeight - baseBlock) / perCall) * BigInt(perCallEntries));

      const items = [];
      for (let i = 0; i < calls.length; i++) {
        if (signed) {
          const relay = relays[i % relays.length];
          items.push([calls[i], relay, await nextNonce(relay)]);
        } else {
          items.push([calls[i]]);
        }
      }
      const from = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
      const started = Date.now();
      log(`${mode}: sending ${calls.length} transactions for ${entries.length} countersignatures`);
      await blast(api, items);
      const sentMs = Date.now() - started;
      await waitFor(
        async () => {
          const records = await api.query.spaceNotary.batches.multi(entries.map(([id]) => id));
          return records.every((r) => r.isSome && r.unwrap().status.isCertified);
        },
        { ms: 600_000, interval: 3_000, what: `${entries.length} batches certified (${mode})` },
      );
      const blocks = await readBlocks(api, Math.min(from, submittedFrom));
      const submittedPerBlock = Math.max(...blocks.filter((b) => b.number < from).map((b) => count(b.events, 'BatchSubmitted')), 0);
      const certBlocks = blocks.filter((b) => b.number >= from && count(b.events, 'BatchCertified') > 0);
      const best = [...certBlocks].sort((a, b) => count(b.events, 'BatchCertified') - count(a.events, 'BatchCertified'))[0];
      const certifiedInBest = count(best.events, 'BatchCertified');
      const row = {
        mode,
        certified: entries.length,
        blocks: certBlocks.length,
        bestBlock: best.number,
        perBlock: certifiedInBest,
        perSecond: certifiedInBest / 6,
        predictedPerBlock: predicted,
        weightUsedPercent: Number((best.weightNormal * 10000n) / maxNormalWeight) / 100,
        lengthUsedPercent: Math.round((best.length / maxLength) * 10000) / 100,
        sendSeconds: sentMs / 1000,
        smallBatchesPerBlock: submittedPerBlock,
      };
      report.modes.push(row);
      log(JSON.stringify(row));
    }

    if (largest > 0) {
      log(`submitting ${largest} batches of 1 MiB`);
      const txs = Array.from({ length: 1024 }, (_, i) => new Uint8Array(1024).fill(i & 0xff));
      const from = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
      const items = [];
      let lastId;
      for (let i = 0; i < largest; i++) {
        bigServer.sequence += 1;
        const batch = buildBatch({ server: bigServer.key, genesisHash, serverId: bigServer.id, sequence: bigServer.sequence, prevBatch: bigServer.last, txs });
        bigServer.last = batch.id;
        lastId = batch.id;
        items.push([api.tx.spaceNotary.submitBatch(hex(batch.scale), hex(batch.serverSignature), batch.txs.map(hex)), bigServer.operator, await nextNonce(bigServer.operator)]);
      }
      await blast(api, items, { window: 4 });
      await waitFor(async () => (await api.query.spaceNotary.batches(hex(lastId))).isSome, { ms: 600_000, interval: 3_000, what: `${largest} large batches on chain` });
      const blocks = await readBlocks(api, from);
      const perBlock = Math.max(...blocks.map((b) => count(b.events, 'BatchSubmitted')));
      const best = blocks.find((b) => count(b.events, 'BatchSubmitted') === perBlock);
      report.submissions.largest = { perBlock, lengthUsedPercent: Math.round((best.length / maxLength) * 10000) / 100 };
    }
    report.submissions.smallest = { perBlock: Math.max(...report.modes.map((m) => m.smallBatchesPerBlock)) };
    report.limits = { maxNormalRefTimeMs: Number(maxNormalWeight / 1_000_000_000n), maxNormalLength: maxLength };
  } finally {
    await stopNode(node, () => false);
  }

  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log('| mode | certified | blocks | best block | per second | weights predict | normal weight used | length used |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const m of report.modes) {
    console.log(
      `| ${m.mode} | ${m.certified} | ${m.blocks} | ${m.perBlock} | ${m.perSecond.toFixed(0)} | ${m.predictedPerBlock} | ${m.weightUsedPercent} % | ${m.lengthUsedPercent} % |`,
    );
  }
  const { smallest, largest: big } = report.submissions;
  console.log(`\nsubmit_batch per block: smallest (1 tx, 1 B) ${smallest.perBlock}` + (big ? `; largest (1 MiB) ${big.perBlock} (${big.lengthUsedPercent} % of the normal length)` : ''));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  });
}
