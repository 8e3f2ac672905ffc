#!/usr/bin/env node
// What Space Notary's calls cost on a running chain: the fee polkadot.js shows before signing
// (`paymentInfo`), at the chain's current fee multiplier. Nothing is submitted.
//
//   node tools/fees.js [--rpc ws://127.0.0.1:9944] [--json]
//
// Calls priced, all signed by //Bob with random keys (the fee does not depend on validity):
//   - submit_batch, smallest: one transaction of one byte;
//   - submit_batch, largest: 1,024 transactions, 1 MiB in all (the runtime's MaxTxsPerBatch and
//     MaxBatchBytes);
//   - submit_batch of 3.7 MiB (237 transactions of 16 KiB): over MaxBatchBytes, so the pool
//     refuses it (BatchTooLarge) and it costs nothing; its would-be fee is shown for scale;
//   - submit_countersignature, signed: charged up front, refunded in full when valid and new.
// Output: a Markdown table (or JSON with --json); the server deposit and the fee multiplier below it.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, randomAsU8a } from '@polkadot/util-crypto';

import { withDeadline } from '../lib/node.js';
import { buildBatch, serverKeyPair } from '../lib/notary.js';

const KIB = 1024;

/** The priced calls: [name, what it is, txs]. */
function shapes() {
  const filled = (count, size) => Array.from({ length: count }, (_, i) => new Uint8Array(size).fill(i % 251));
  return [
    ['submit_batch (smallest)', '1 transaction, 1 byte', filled(1, 1)],
    ['submit_batch (largest)', '1,024 transactions, 1 MiB', filled(1024, KIB)],
    ['submit_batch (3.7 MiB, refused)', '237 transactions of 16 KiB', filled(237, 16 * KIB)],
  ];
}

/** Prices every call on the chain behind `api`; returns rows and the chain's fee context. */
export async function priceCalls(api) {
  await cryptoWaitReady();
  const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
  const server = serverKeyPair('sr25519', randomAsU8a(32));
  const decimals = api.registry.chainDecimals[0] ?? 12;
  const rows = [];
  const price = async (name, what, tx) => {
    const info = await tx.paymentInfo(bob);
    const signed = await tx.signAsync(bob, { nonce: -1 });
    rows.push({
      call: name,
      what,
      lengthBytes: signed.encodedLength,
      refTimeUs: Number(info.weight.refTime.toBigInt() / 1_000_000n),
      fee: info.partialFee.toBigInt(),
    });
  };
  for (const [name, what, txs] of shapes()) {
    const batch = buildBatch({ server, genesisHash: api.genesisHash.toU8a(), serverId: 0, sequence: 1, txs });
    const tx = api.tx.spaceNotary.submitBatch(u8aToHex(batch.scale), u8aToHex(batch.serverSignature), batch.txs.map((t) => u8aToHex(t)));
    await price(name, what, tx);
  }
  await price(
    'submit_countersignature (signed)',
    'charged up front, refunded when valid and new',
    api.tx.spaceNotary.submitCountersignature(u8aToHex(randomAsU8a(32)), u8aToHex(randomAsU8a(64))),
  );
  const multiplier = (await api.query.transactionPayment.nextFeeMultiplier()).toString();
  const deposit = api.consts.spaceNotary.serverDeposit.toBigInt();
  return { rows, decimals, multiplier, deposit };
}

/** `amount` planck in units with `decimals`, to 6 significant places after the point. */
export function units(amount, decimals) {
  const scale = 10n ** BigInt(decimals);
  const whole = amount / scale;
  const frac = (amount % scale).toString().padStart(decimals, '0').slice(0, 6);
  return `${whole}.${frac}`;
}

async function main() {
  const { values } = parseArgs({
    options: { rpc: { type: 'string', default: 'ws://127.0.0.1:9944' }, json: { type: 'boolean', default: false } },
  });
  const api = await withDeadline(ApiPromise.create({ provider: new WsProvider(values.rpc), noInitWarn: true }), 30_000, `a chain at ${values.rpc}`);
  try {
    const { rows, decimals, multiplier, deposit } = await priceCalls(api);
    if (values.json) {
      console.log(JSON.stringify({ rows, decimals, multiplier, deposit }, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
      return;
    }
    console.log('| call | batch | length | weight (ref time) | fee (UNIT) |');
    console.log('|---|---|---|---|---|');
    for (const r of rows) {
      console.log(
        `| ${r.call} | ${r.what} | ${r.lengthBytes.toLocaleString('en')} B | ${r.refTimeUs.toLocaleString('en')} µs | ${units(r.fee, decimals)} |`,
      );
    }
    console.log(`\nfee multiplier ${multiplier} (fixed point, 10^18 = 1); server deposit ${units(deposit, decimals)} (held from registration to deregistration)`);
  } finally {
    await api.disconnect();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => {
    console.error(e?.message ?? e);
    process.exit(1);
  });
}
