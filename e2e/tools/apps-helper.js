#!/usr/bin/env node
// The two signatures polkadot.js Apps cannot make, for a person driving the dev chain from Apps.
//
// Apps builds, signs and submits every Space Notary call, but a batch also needs the ground
// server's signature over the certificate, and a countersignature needs the satellite's. Apps'
// "Sign and verify" wraps what it signs in <Bytes>…</Bytes>, so it cannot produce either (the
// chain checks the exact payloads of docs/design.md). This helper makes them with the same
// independent JS implementation the e2e tests use (lib/notary.js) and prints every argument of
// the call, ready to type or paste into Apps' extrinsic form:
//
//   node tools/apps-helper.js keys
//       the dev server key and satellite key (satellite 0), for sudo → spaceNotary.registerServer
//   node tools/apps-helper.js batch --server-id 0 hello world
//       a certificate over the transactions "hello" and "world" (0x-hex arguments are taken as
//       bytes), with the next sequence and previous batch read from the chain, and the server's
//       signature, for spaceNotary.submitBatch
//   node tools/apps-helper.js countersign --batch-id 0x…
//       the satellite's countersignature for a submitted batch, for
//       spaceNotary.submitCountersignature
//
// Options: --rpc URL (default ws://127.0.0.1:9944), --scheme sr25519|ed25519|ecdsa (server key
// scheme, default sr25519), --server-seed 0x…, --satellite-seed 0x… (32-byte seeds).
//
// DEV ONLY. The default seeds are public constants, like //Alice: anyone can sign with them.
// On a real network the server key lives with the ground server and the satellite key never
// leaves the satellite (the bridge and the emulator do the countersigning there).
//
// Output: one JSON object on stdout; errors: a message on stderr and exit status 1 (bad usage:
// 2). Nothing is submitted: the helper only reads the chain.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { hexToU8a, isHex, stringToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { withDeadline } from '../lib/node.js';
import { buildBatch, satelliteKeyPair, serverKeyPair } from '../lib/notary.js';

/** Well-known development seeds (public: never use them on a real network). */
export const DEV_SEEDS = {
  server: '0x' + '5e'.repeat(32),
  satellite: '0x' + '5a'.repeat(32),
};

const USAGE = `usage: apps-helper.js keys | batch --server-id N TX... | countersign --batch-id 0x...
  [--rpc ws://127.0.0.1:9944] [--scheme sr25519|ed25519|ecdsa] [--server-seed 0x..] [--satellite-seed 0x..]`;

class UsageError extends Error {}

function seed(value, what) {
  if (!isHex(value) || hexToU8a(value).length !== 32) {
    throw new UsageError(`${what} must be 32 bytes of 0x-hex, got ${value}`);
  }
  return hexToU8a(value);
}

/** A transaction argument: 0x-hex as bytes, anything else as its UTF-8 bytes. */
function txBytes(arg) {
  return isHex(arg) ? hexToU8a(arg) : stringToU8a(arg);
}

/** A connection to the node at `rpc`, or an error naming it after 15 s. */
async function connect(rpc) {
  // No automatic reconnect: a node that is not there is an error to report, not to wait out.
  const provider = new WsProvider(rpc, false);
  const api = new ApiPromise({ provider, noInitWarn: true, throwOnConnect: true });
  const connecting = provider.connect().then(() => api.isReadyOrError);
  try {
    await withDeadline(connecting, 15_000, `a node at ${rpc}`);
    return api;
  } catch (e) {
    await api.disconnect().catch(() => {});
    throw e;
  }
}

function keys({ scheme, serverSeed, satelliteSeed }) {
  const server = serverKeyPair(scheme, serverSeed);
  const satellite = satelliteKeyPair(satelliteSeed);
  return {
    registerServer: {
      operator: 'the account that will submit batches, e.g. ALICE',
      serverKey: server.serverKeyJson,
      satelliteId: 0,
      satelliteKey: u8aToHex(satellite.publicKey),
    },
  };
}

async function batch(api, { scheme, serverSeed, serverId, txs }) {
  if (txs.length === 0) throw new UsageError('a batch holds at least one transaction');
  const server = serverKeyPair(scheme, serverSeed);
  const answer = await api.call.spaceNotaryApi.server(serverId);
  if (answer.isNone) throw new Error(`server ${serverId} is not registered on this chain`);
  const info = answer.unwrap();
  if (u8aToHex(info.serverKey.toU8a()) !== u8aToHex(server.serverKey)) {
    throw new Error(
      `server ${serverId} is registered with key ${JSON.stringify(info.serverKey.toJSON())}, ` +
        `not this seed's ${JSON.stringify(server.serverKeyJson)}`,
    );
  }
  const built = buildBatch({
    server,
    genesisHash: api.genesisHash.toU8a(),
    serverId,
    sequence: info.lastSequence.toBigInt() + 1n,
    prevBatch: info.lastBatch.toU8a(),
    txs: txs.map(txBytes),
  });
  const f = built.fields;
  // SCALE MultiSignature: the variant index, then the signature bytes.
  const variant = ['Ed25519', 'Sr25519', 'Ecdsa'][built.serverSignature[0]];
  return {
    batchId: u8aToHex(built.id),
    submitBatch: {
      cert: {
        version: f.version,
        genesisHash: u8aToHex(f.genesisHash),
        serverId: f.serverId,
        sequence: f.sequence.toString(),
        prevBatch: u8aToHex(f.prevBatch),
        batchRoot: u8aToHex(f.batchRoot),
        txCount: f.txCount,
        totalBytes: f.totalBytes,
        issuedAtMs: f.issuedAtMs,
      },
      serverSignature: { [variant]: u8aToHex(built.serverSignature.subarray(1)) },
      txs: built.txs.map((tx) => u8aToHex(tx)),
    },
  };
}

async function countersign(api, { satelliteSeed, batchId }) {
  if (!isHex(batchId) || hexToU8a(batchId).length !== 32) {
    throw new UsageError(`--batch-id must be a 32-byte 0x-hex batch id, got ${batchId}`);
  }
  const satellite = satelliteKeyPair(satelliteSeed);
  const answer = await api.call.spaceNotaryApi.batchStatus(batchId);
  if (answer.isNone) throw new Error(`no batch ${batchId} on this chain`);
  const record = answer.unwrap();
  const server = await api.call.spaceNotaryApi.server(record.cert.serverId);
  const keys = server.isSome ? server.unwrap().satellites.map((s) => s.key.toHex()) : [];
  if (server.isSome && !keys.includes(u8aToHex(satellite.publicKey))) {
    throw new Error(`no satellite of server ${record.cert.serverId} holds this seed's key`);
  }
  const signature = satellite.countersign(hexToU8a(batchId), record.serverSignature.toU8a());
  return {
    status: record.status.type,
    submitCountersignature: { batchId, satelliteSignature: u8aToHex(signature) },
  };
}

export async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rpc: { type: 'string', default: 'ws://127.0.0.1:9944' },
      scheme: { type: 'string', default: 'sr25519' },
      'server-seed': { type: 'string', default: DEV_SEEDS.server },
      'satellite-seed': { type: 'string', default: DEV_SEEDS.satellite },
      'server-id': { type: 'string' },
      'batch-id': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (!['sr25519', 'ed25519', 'ecdsa'].includes(values.scheme)) {
    throw new UsageError(`--scheme must be sr25519, ed25519 or ecdsa, got ${values.scheme}`);
  }
  const opts = {
    scheme: values.scheme,
    serverSeed: seed(values['server-seed'], '--server-seed'),
    satelliteSeed: seed(values['satellite-seed'], '--satellite-seed'),
  };
  await cryptoWaitReady();
  if (command === 'keys') return keys(opts);
  if (command !== 'batch' && command !== 'countersign') {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command ${command}`);
  }
  if (command === 'batch') {
    if (!/^\d+$/.test(values['server-id'] ?? '')) throw new UsageError('--server-id N is required');
    opts.serverId = Number(values['server-id']);
    opts.txs = rest;
  } else {
    if (values['batch-id'] === undefined) throw new UsageError('--batch-id 0x… is required');
    opts.batchId = values['batch-id'];
  }
  const api = await connect(values.rpc);
  try {
    return command === 'batch' ? await batch(api, opts) : await countersign(api, opts);
  } finally {
    await api.disconnect();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (out) => {
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`apps-helper: ${e.message}\n`);
      if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
      process.exit(e instanceof UsageError || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
    },
  );
}
