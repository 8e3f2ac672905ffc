// The ground station for e2e tests, from the real binaries: the satellite emulator on a free
// port, and satellite-bridge in HTTP-only mode (`relay --satellite … --http … --genesis-hash …
// --data-dir …`), the ground-station API that the pallet's off-chain worker calls.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { u8aToHex } from '@polkadot/util';

import { freePorts, spawnLogged, waitFor, workspaceBinary } from './node.js';

function binary(name) {
  const bin = workspaceBinary(name);
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`${name} not found at ${bin}: build it with \`cargo build --release -p ${name}\``);
  }
  return bin;
}

/** A fresh directory under the OS tmp dir, removed by `cleanup()`. */
export function tempDir(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `space-notary-e2e-${name}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `satellite-emulator provision`: makes the satellite's key for server `serverId` (whose key is
 * `server`, from `serverKeyPair`) in `stateDir`; returns the satellite's public key as hex.
 * Provision before the emulator starts: it holds its state dir while it runs.
 */
export function provision(stateDir, serverId, server) {
  const key = `${server.scheme}:${u8aToHex(server.publicKey)}`;
  const out = spawnSync(
    binary('satellite-emulator'),
    ['provision', '--state-dir', stateDir, '--server-id', String(serverId), '--server-key', key],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`satellite-emulator provision failed (${out.status}): ${out.stdout}${out.stderr}`);
  const line = out.stdout.split('\n').reverse().find((l) => l.startsWith('0x'));
  if (!line) throw new Error(`satellite-emulator provision printed no key: ${out.stdout}`);
  return line.trim();
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export async function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `satellite-emulator rotate-key`: replaces server `serverId`'s satellite key in `stateDir` (the
 * old one is archived); returns the new public key as hex. The emulator loads its keys when it
 * starts: rotate while it is stopped, then start it again.
 */
export function rotateSatelliteKey(stateDir, serverId) {
  const out = spawnSync(
    binary('satellite-emulator'),
    ['rotate-key', '--state-dir', stateDir, '--server-id', String(serverId)],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`satellite-emulator rotate-key failed (${out.status}): ${out.stdout}${out.stderr}`);
  const line = out.stdout.split('\n').reverse().find((l) => l.startsWith('0x'));
  if (!line) throw new Error(`satellite-emulator rotate-key printed no key: ${out.stdout}`);
  return line.trim();
}

/**
 * `satellite-emulator run` on `port` (a free one if not given: pass the old port to bring a
 * stopped emulator back where its bridge looks for it); resolves once it listens.
 * Returns `{ proc, url }`.
 */
export async function startEmulator({ stateDir, genesisHash, port: listenPort, extra = [] }) {
  const [port] = listenPort ? [listenPort] : await freePorts(1);
  const proc = spawnLogged({
    name: 'emulator',
    bin: binary('satellite-emulator'),
    args: ['run', '--listen', `127.0.0.1:${port}`, '--state-dir', stateDir, '--genesis-hash', genesisHash, ...extra],
    env: { RUST_LOG: process.env.RUST_LOG ?? 'info' },
  });
  await waitFor(
    async () => {
      if (!proc.running) throw new Error(`the emulator exited (${JSON.stringify(proc.exitStatus)})`);
      return accepts(port);
    },
    { ms: 60_000, what: `the satellite emulator to listen on 127.0.0.1:${port}` },
  );
  return { proc, url: `tcp://127.0.0.1:${port}` };
}

/**
 * `satellite-bridge relay` in HTTP-only mode on `httpPort` (a free one if not given), with
 * `extra` flags; resolves once its API answers. Returns `{ proc, url }` (`url`: the API's base,
 * for the worker).
 */
export async function startBridge({ satellite, genesisHash, dataDir, httpPort, extra = [] }) {
  const [port] = httpPort ? [httpPort] : await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnLogged({
    name: 'bridge',
    bin: binary('satellite-bridge'),
    args: ['relay', '--satellite', satellite, '--genesis-hash', genesisHash, '--data-dir', dataDir, '--http', `127.0.0.1:${port}`, ...extra],
    env: { RUST_LOG: process.env.RUST_LOG ?? 'info' },
  });
  await waitFor(
    async () => {
      if (!proc.running) throw new Error(`the bridge exited (${JSON.stringify(proc.exitStatus)})`);
      try {
        return (await fetch(`${url}/status`)).ok;
      } catch {
        return false;
      }
    },
    { ms: 60_000, what: `the bridge's API at ${url}` },
  );
  return { proc, url };
}

/** The bridge's view of a batch, or `null` when it does not hold it (404). */
export async function bridgeView(url, batchIdHex) {
  const response = await fetch(`${url}/batches/${batchIdHex}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET ${url}/batches/${batchIdHex}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * What blocks `from`..`to` (inclusive) of `api`'s chain hold of relaying: `certified` counts
 * `BatchCertified` per batch id, `failed` the `ExtrinsicFailed` events, and `relays` every
 * countersignature extrinsic as `{ block, signed, version, entries }`.
 */
export async function relayRecord(api, from, to) {
  const certified = new Map();
  const relays = [];
  let failed = 0;
  for (let n = from; n <= to; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const [block, events] = await Promise.all([api.rpc.chain.getBlock(hash), api.query.system.events.at(hash)]);
    for (const { event } of events) {
      if (event.section === 'spaceNotary' && event.method === 'BatchCertified') {
        const id = event.data.batchId.toHex();
        certified.set(id, (certified.get(id) ?? 0) + 1);
      }
      if (event.section === 'system' && event.method === 'ExtrinsicFailed') failed += 1;
    }
    for (const ext of block.block.extrinsics) {
      const { section, method } = ext.method;
      const relay = method.startsWith('submitCountersignature') || method.startsWith('submitAttestation');
      if (section !== 'spaceNotary' || !relay) continue;
      const bundle = method === 'submitCountersignatures' || method === 'submitAttestations';
      const entries = bundle ? ext.method.args[0].length : 1;
      relays.push({ block: n, signed: ext.isSigned, version: ext.version, entries });
    }
  }
  return { certified, failed, relays };
}

/** The RPC's `offchain_localStorageSet(PERSISTENT, …)` of the worker's ground-station URL. */
export async function setGroundStationUrl(api, url) {
  const key = u8aToHex(new TextEncoder().encode('space-notary/ground-station-url'));
  await api.rpc.offchain.localStorageSet('PERSISTENT', key, u8aToHex(new TextEncoder().encode(url)));
}
