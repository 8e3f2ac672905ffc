// The fault run: batches from several servers certified through two racing bridges while the
// run kills one bridge with SIGKILL at random points, restarts the emulator and the node, and the
// link loses packets with gaps between passes. It then reads the whole chain and reports what
// was submitted, certified, expired, lost and certified twice, and the equivocations it tried.
//
// Shared by e2e/tools/fault-run.js (full size: scripts/fault-run) and e2e/tests/fault-run.test.js
// (bounded, in the test command). Everything is real: the node (`--dev` on a base path, so a
// restart keeps the chain), `satellite-emulator run`, `satellite-bridge relay --chain`.
//
// Who does what:
//   - submitter: one operator (a dev account) per server; batches are built here, signed once
//     (immortal era, nonce = first nonce + sequence − 1) and sent at `rate` a second, at most
//     `OUTSTANDING` per server not yet certified (the chain holds 64 pending). A batch not on
//     chain `RESEND_MS` after it was sent (the pool is lost when the node restarts) is sent again,
//     byte for byte: it can land only once.
//   - two satellites (emulators 0 and 1, each with its own keys for every server, both added to
//     every server on chain with a quorum of one), each serving two ground stations on a link of
//     its own; satellite 1's passes are 1.3 times as long apart as satellite 0's, so the four
//     (station, satellite) pairs' passes drift against each other.
//   - bridge A (station A, linked to both satellites): SIGKILLed every `killEveryS` seconds (a
//     random draw), restarted on its data dir.
//   - bridge B (station B, linked to both satellites): races A the whole run.
//   - satellite 0's emulator: restarted at a quarter (SIGKILL) and at 70 % (SIGTERM) of the
//     batches on chain; the node: stopped and started again on its base path at half of them.
//   - bridge C, HTTP-only (a compromised ground server's own station): posts, for certified
//     batches, another certificate at the same sequence, signed by the server's real key. The
//     satellite must refuse each as `Equivocation`.
// Faults stop once every batch is on chain; the run then waits for all to be final.
// Lost = on chain (or built and never landed) but neither certified nor expired at the end.

import fs from 'node:fs';
import path from 'node:path';

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { accepts, provision, tempDir } from './ground.js';
import { freePorts, nodeBinary, spawnLogged, waitFor, withDeadline, workspaceBinary } from './node.js';
import { ZERO_HASH, buildBatch, serverKeyPair } from './notary.js';

const hex = (x) => u8aToHex(x);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The full-size run's parameters (scripts/fault-run); the bounded test overrides some. */
export const DEFAULTS = {
  batches: 1000,
  servers: 5,
  /** Batches built and sent a second, over all servers. */
  rate: 4,
  /** Probability that the link loses a packet (each direction). */
  loss: 0.3,
  /** Passes: `passDurationS` in view at the start of every `passPeriodS` (wall-clock seconds). */
  passPeriodS: 40,
  passDurationS: 28,
  /** Bridge A is SIGKILLed after a uniform draw from this range, seconds, and restarted 0.5–3 s later. */
  killEveryS: [5, 20],
  equivocations: 10,
  /** Once every batch is on chain, how long all may take to be final. */
  drainMs: 600_000,
  seed: undefined,
};

/** Most batches of one server sent but not yet certified (the chain's limit is 64 pending). */
const OUTSTANDING = 48;
/** A batch sent this long ago and still not on chain is sent again. */
const RESEND_MS = 15_000;
/** Dev accounts that operate the servers, one each. */
const OPERATORS = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie', '//Alice'];
const SCHEMES = ['sr25519', 'ed25519', 'ecdsa'];

/** mulberry32: a small seeded generator, so a run's draws repeat with its seed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks the parameters before anything starts; throws with the flag's name. */
export function validate(options) {
  const o = { ...DEFAULTS, ...options };
  const positiveInt = (name) => {
    if (!Number.isInteger(o[name]) || o[name] < 1) throw new Error(`--${kebab(name)}: a positive integer, got ${o[name]}`);
  };
  positiveInt('batches');
  positiveInt('servers');
  if (o.servers > OPERATORS.length) throw new Error(`--servers: at most ${OPERATORS.length} (one dev account operates each)`);
  if (!(o.rate > 0)) throw new Error(`--rate: batches a second, above 0, got ${o.rate}`);
  if (!(o.loss >= 0 && o.loss < 1)) throw new Error(`--loss: a probability in [0, 1), got ${o.loss}`);
  if (!(o.passDurationS > 0 && o.passPeriodS > o.passDurationS)) {
    throw new Error(`--pass-period must exceed --pass-duration, both above 0 (got ${o.passPeriodS}, ${o.passDurationS})`);
  }
  const [lo, hi] = o.killEveryS;
  if (!(lo > 0 && hi >= lo)) throw new Error(`--kill-every: MIN,MAX seconds with 0 < MIN ≤ MAX, got ${o.killEveryS}`);
  if (!Number.isInteger(o.equivocations) || o.equivocations < 0) throw new Error(`--equivocations: 0 or more, got ${o.equivocations}`);
  if (o.seed === undefined) o.seed = Math.floor(Math.random() * 2 ** 31);
  return o;
}

const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A process the run starts, kills and starts again: `start()`, `kill(signal)`, `stop()`. */
class Restartable {
  constructor(name, makeArgs, ready) {
    this.name = name;
    this.makeArgs = makeArgs;
    this.ready = ready;
    this.starts = 0;
    this.procs = [];
  }

  get proc() {
    return this.procs[this.procs.length - 1];
  }

  async start() {
    const { bin, args } = this.makeArgs(this.starts);
    this.starts += 1;
    const proc = spawnLogged({ name: `${this.name}-${this.starts}`, bin, args, env: { RUST_LOG: process.env.RUST_LOG ?? 'info' } });
    this.procs.push(proc);
    // An exit fails the start at once (waitFor would retry a thrown check until its deadline).
    let exited = false;
    await waitFor(async () => (exited = !proc.running) || this.ready(), { ms: 120_000, what: `${this.name} to be ready (start ${this.starts})` });
    if (exited) throw new Error(`${this.name} exited during start-up (${JSON.stringify(proc.exitStatus)}); log ${proc.logPath}`);
  }

  /** Kills with `signal` and waits for the exit (SIGKILL after 30 s). */
  async kill(signal) {
    const proc = this.proc;
    if (!proc?.running) return;
    proc.child.kill(signal);
    const timer = setTimeout(() => proc.killNow(), 30_000);
    await proc.exited;
    clearTimeout(timer);
  }

  async stop() {
    if (this.proc) await this.proc.stop();
  }

  printTails(why) {
    for (const p of this.procs.slice(-2)) p.printTail(why, 40);
  }

  removeLogs() {
    for (const p of this.procs) fs.rmSync(p.logPath, { force: true });
  }
}

async function httpOk(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** `promise`, marked handled now (it is awaited later, and may reject before that). */
function handled(promise) {
  promise.catch(() => {});
  return promise;
}

/** Runs `fn` and returns its value, or `undefined` when it throws or takes over `ms`. */
async function attempt(fn, ms = 10_000) {
  try {
    return await withDeadline(fn(), ms, 'an RPC call');
  } catch {
    return undefined;
  }
}

/**
 * Runs the fault run with `options` (see `DEFAULTS`); `log(line)` gets progress. Resolves with
 * the report (`formatReport` prints it); rejects only when the run itself cannot go on (a
 * process that does not come up, the drain deadline). Always stops what it started.
 */
export async function faultRun(options, log = (line) => console.error(line)) {
  const o = validate(options);
  await cryptoWaitReady();
  const random = prng(o.seed);
  const between = (lo, hi) => lo + (hi - lo) * random();
  const startedAt = Date.now();
  const elapsed = () => (Date.now() - startedAt) / 1000;
  const say = (line) => log(`[${elapsed().toFixed(0).padStart(4)} s] ${line}`);

  const root = tempDir('fault-run');
  const dirs = { node: path.join(root.dir, 'node'), satellite: path.join(root.dir, 'satellite'), satellite1: path.join(root.dir, 'satellite-1') };
  for (const d of ['a', 'b', 'c']) dirs[d] = path.join(root.dir, `bridge-${d}`);
  // linkPorts[satellite][station]: station A's link first.
  const [rpcPort, p2pPort, promPort, link0A, link0B, link1A, link1B, httpA, httpB, httpC] = await freePorts(10);
  const linkPorts = [[link0A, link0B], [link1A, link1B]];
  const wsUrl = `ws://127.0.0.1:${rpcPort}`;
  const linkUrl = `tcp://127.0.0.1:${link0A}`;
  const stationLinks = (station) => linkPorts.flatMap((ports) => ['--satellite', `tcp://127.0.0.1:${ports[station]}`]);
  const faults = { bridgeKills: 0, emulatorRestarts: 0, nodeRestarts: 0 };
  let failed = true;
  let api;
  const processes = [];
  let stopFaults = false;

  const node = new Restartable(
    'node',
    () => ({
      bin: nodeBinary(),
      args: ['--dev', '--no-mdns', '--base-path', dirs.node, '--rpc-port', String(rpcPort), '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
        '--prometheus-port', String(promPort), '--no-telemetry', '--rpc-max-connections', '200'],
    }),
    () => accepts(rpcPort),
  );
  processes.push(node);

  try {
    say(`fault run: ${o.batches} batches from ${o.servers} servers at ${o.rate}/s, loss ${o.loss * 100} %, ` +
      `passes of ${o.passDurationS} s every ${o.passPeriodS} s, seed ${o.seed}`);
    await node.start();
    const provider = new WsProvider(wsUrl, 1_000);
    api = await withDeadline(ApiPromise.create({ provider, noInitWarn: true }), 60_000, 'the node API');
    await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() >= 1, { ms: 60_000, what: 'block #1' });
    const genesis = api.genesisHash.toHex();
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');

    // Servers: keys from the seed, provisioned on the satellite under the ids the chain gives.
    const firstId = (await api.query.spaceNotary.nextServerId()).toNumber();
    const servers = [];
    for (let i = 0; i < o.servers; i++) {
      const scheme = SCHEMES[i % SCHEMES.length];
      const seedHex = '0x' + [...Array(32)].map(() => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('');
      const key = serverKeyPair(scheme, seedHex);
      servers.push({
        id: firstId + i, key, scheme, operator: keyring.addFromUri(OPERATORS[i]), built: [],
        satelliteKey: provision(dirs.satellite, firstId + i, key), satellite1Key: provision(dirs.satellite1, firstId + i, key),
      });
    }
    const aliceNonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    await Promise.all(
      servers.map(async (s, i) => {
        // Registered with satellite 0, then satellite 1 added (quorum one: either certifies); the
        // nonces order the two.
        const register = api.tx.sudo.sudo(api.tx.spaceNotary.registerServer(s.operator.address, s.key.serverKeyJson, 0, s.satelliteKey));
        const add = api.tx.sudo.sudo(api.tx.spaceNotary.addSatellite(s.id, 1, s.satellite1Key));
        await api.rpc.author.submitExtrinsic(await register.signAsync(alice, { nonce: aliceNonce + 2 * i }));
        await api.rpc.author.submitExtrinsic(await add.signAsync(alice, { nonce: aliceNonce + 2 * i + 1 }));
      }),
    );
    await waitFor(
      async () => {
        const records = await api.query.spaceNotary.servers.multi(servers.map((s) => s.id));
        return records.every((r) => r.isSome && r.unwrap().satellites.length === 2);
      },
      { ms: 60_000, what: `${o.servers} servers registered with two satellites` },
    );
    for (const s of servers) s.nonce0 = (await api.rpc.system.accountNextIndex(s.operator.address)).toNumber();

    // Each satellite: a link per station; station B sees each pass half a period after station A.
    const satellite = (k, stateDir, periodS) =>
      new Restartable(
        k === 0 ? 'emulator' : `emulator-${k}`,
        (n) => ({
          bin: workspaceBinary('satellite-emulator'),
          args: ['run', '--listen', `127.0.0.1:${linkPorts[k][0]}`, '--listen', `127.0.0.1:${linkPorts[k][1]}`, '--state-dir', stateDir,
            '--satellite-id', String(k), '--genesis-hash', genesis, '--profile', 'sband', '--loss', String(o.loss),
            '--pass-period', String(periodS), '--pass-duration', String(o.passDurationS), '--seed', String(o.seed + 100 * k + n)],
        }),
        async () => (await accepts(linkPorts[k][0])) && accepts(linkPorts[k][1]),
      );
    const emulator = satellite(0, dirs.satellite, o.passPeriodS);
    const emulator1 = satellite(1, dirs.satellite1, Math.round(o.passPeriodS * 1.3));
    processes.push(emulator, emulator1);
    const bridge = (name, dir, port, extra) =>
      new Restartable(
        `bridge-${name}`,
        () => ({
          bin: workspaceBinary('satellite-bridge'),
          args: ['relay', '--data-dir', dir, '--http', `127.0.0.1:${port}`, '--status-every-ms', '2000', ...extra],
        }),
        () => httpOk(`http://127.0.0.1:${port}/status`),
      );
    const bridgeA = bridge('a', dirs.a, httpA, ['--chain', wsUrl, ...stationLinks(0)]);
    const bridgeB = bridge('b', dirs.b, httpB, ['--chain', wsUrl, ...stationLinks(1)]);
    const bridgeC = bridge('c', dirs.c, httpC, ['--genesis-hash', genesis, '--satellite', linkUrl]);
    processes.push(bridgeA, bridgeB, bridgeC);
    await Promise.all([emulator.start(), emulator1.start()]);
    await Promise.all([bridgeA.start(), bridgeB.start(), bridgeC.start()]);
    say(`node ${wsUrl}, satellites 0 and 1 with links to stations A and B, bridges A :${httpA} and B :${httpB} racing, C :${httpC} (equivocations, satellite 0)`);

    // Chain view, refreshed by the submitter's loop.
    const view = { onChain: 0, pending: 0 };
    const readServers = async () => {
      if (!provider.isConnected) return false;
      const records = await attempt(() => api.query.spaceNotary.servers.multi(servers.map((s) => s.id)));
      if (!records) return false;
      let onChain = 0;
      let pending = 0;
      records.forEach((r, i) => {
        const record = r.unwrap();
        const s = servers[i];
        s.lastSequence = record.lastSequence.toNumber();
        s.pendingOnChain = record.pending.length;
        onChain += s.lastSequence;
        pending += s.pendingOnChain;
      });
      Object.assign(view, { onChain, pending });
      return true;
    };

    const send = async (b) => {
      b.sentAt = Date.now();
      b.sends += 1;
      try {
        if (!provider.isConnected) throw new Error('not connected (the node is restarting)');
        await withDeadline(provider.send('author_submitExtrinsic', [b.extrinsic.toHex()]), 10_000, 'author_submitExtrinsic');
      } catch {
        // Refused as already known (a resend), or the node is away: the resend loop tries again
        // until the batch is on chain.
      }
    };

    const build = async (s) => {
      const sequence = s.built.length + 1;
      const txs = [...Array(1 + Math.floor(random() * 4))].map(() => {
        const tx = new Uint8Array(32 + Math.floor(random() * 224));
        for (let i = 0; i < tx.length; i++) tx[i] = Math.floor(random() * 256);
        return tx;
      });
      const prevBatch = s.built.length ? s.built[s.built.length - 1].id : ZERO_HASH;
      const batch = buildBatch({ server: s.key, genesisHash: api.genesisHash.toU8a(), serverId: s.id, sequence, prevBatch, txs });
      const call = api.tx.spaceNotary.submitBatch(hex(batch.scale), hex(batch.serverSignature), batch.txs.map(hex));
      // Immortal (no era: the genesis hash is the checkpoint) and with its own nonce: the same
      // bytes stay valid until they land, once. `sign` needs no RPC, so it works mid-restart.
      const extrinsic = call.sign(s.operator, {
        nonce: s.nonce0 + sequence - 1,
        blockHash: api.genesisHash,
        genesisHash: api.genesisHash,
        runtimeVersion: api.runtimeVersion,
        signedExtensions: api.registry.signedExtensions,
      });
      const b = { sequence, id: hex(batch.id), prevBatch, extrinsic, sends: 0 };
      s.built.push(b);
      await send(b);
    };

    const totalBuilt = () => servers.reduce((n, s) => n + s.built.length, 0);
    let submissionDone = false;
    const submittingSince = Date.now();
    const elapsedSubmitting = () => (Date.now() - submittingSince) / 1000;
    const submitter = handled((async () => {
      let next = 0;
      while (!submissionDone) {
        if (await readServers()) {
          const allowed = Math.min(o.batches, Math.floor(o.rate * elapsedSubmitting()));
          for (let guard = 0; totalBuilt() < allowed && guard < servers.length; ) {
            const s = servers[next % servers.length];
            next += 1;
            const open = s.built.length - s.lastSequence + s.pendingOnChain;
            const share = Math.ceil(o.batches / servers.length);
            if (open >= OUTSTANDING || s.built.length >= share) {
              guard += 1;
              continue;
            }
            guard = 0;
            // A batch that cannot even be built is a defect of this run, not a fault to ride out.
            await build(s);
          }
          for (const s of servers) {
            for (const b of s.built) {
              if (b.sequence > s.lastSequence && Date.now() - b.sentAt > RESEND_MS) await send(b);
            }
          }
          if (totalBuilt() >= o.batches && view.onChain >= o.batches) submissionDone = true;
        }
        await sleep(1_000);
      }
    })());

    // Faults, until every batch is on chain.
    const killer = handled((async () => {
      while (!stopFaults) {
        const wait = between(o.killEveryS[0], o.killEveryS[1]) * 1000;
        const until = Date.now() + wait;
        while (!stopFaults && Date.now() < until) await sleep(250);
        if (stopFaults) break;
        await bridgeA.kill('SIGKILL');
        faults.bridgeKills += 1;
        await sleep(between(0.5, 3) * 1000);
        // The bridge needs the node to start (it exits when the RPC refuses it, for its
        // supervisor to retry); mid-restart of the node, wait for it as a supervisor would.
        await waitFor(() => accepts(rpcPort), { ms: 120_000, what: "the node's RPC, to restart bridge A" });
        await bridgeA.start();
      }
    })());
    const milestones = handled((async () => {
      const at = (fraction) => waitFor(async () => stopFaults || view.onChain >= fraction * o.batches, { ms: 3_600_000, interval: 500, what: `${fraction * 100} % of the batches on chain` });
      const restartEmulator = async (signal) => {
        say(`fault: emulator stopped (${signal}), restarting`);
        await emulator.kill(signal);
        await emulator.start();
        faults.emulatorRestarts += 1;
      };
      await at(0.25);
      if (stopFaults) return;
      await restartEmulator('SIGKILL');
      await at(0.5);
      if (stopFaults) return;
      say('fault: node stopped, restarting on its base path');
      await node.kill('SIGTERM');
      await sleep(2_000);
      await node.start();
      faults.nodeRestarts += 1;
      await at(0.7);
      if (stopFaults) return;
      await restartEmulator('SIGTERM');
    })());

    // Equivocations through bridge C, once some batches are certified.
    const equivocation = { attempted: 0, refused: 0, signed: 0, reasons: {} };
    const equivocator = handled((async () => {
      if (o.equivocations === 0) return;
      await waitFor(async () => stopFaults || view.onChain - view.pending >= Math.min(o.batches / 3, 30), { ms: 3_600_000, interval: 1_000, what: 'batches certified before the equivocations' });
      const certified = [];
      for (const s of servers) {
        for (const b of s.built.slice(0, Math.max(0, s.lastSequence))) {
          const record = await attempt(() => api.query.spaceNotary.batches(b.id));
          if (record?.isSome && record.unwrap().status.isCertified) certified.push([s, b]);
        }
      }
      const picks = certified.sort(() => random() - 0.5).slice(0, o.equivocations);
      const posted = [];
      for (const [s, b] of picks) {
        const forged = buildBatch({ server: s.key, genesisHash: api.genesisHash.toU8a(), serverId: s.id, sequence: b.sequence, prevBatch: b.prevBatch, txs: [new Uint8Array([0xee, ...new TextEncoder().encode(`forged ${b.sequence}`)])] });
        const response = await fetch(`http://127.0.0.1:${httpC}/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ cert: hex(forged.scale), server_signature: hex(forged.serverSignature) }),
        });
        if (!response.ok) throw new Error(`bridge C refused the post: ${response.status} ${await response.text()}`);
        equivocation.attempted += 1;
        posted.push(hex(forged.id));
      }
      say(`equivocations: ${posted.length} other certificates at certified sequences posted through bridge C`);
      equivocation.forged = posted;
      await waitFor(
        async () => {
          const views = await Promise.all(posted.map((id) => fetch(`http://127.0.0.1:${httpC}/batches/${id}`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.json()).catch(() => null)));
          const settled = views.filter((v) => v && v.stage !== 'queued');
          if (settled.length < posted.length) return false;
          equivocation.refused = settled.filter((v) => v.stage === 'refused' && /equivocation/i.test(v.reason ?? '')).length;
          equivocation.signed = settled.filter((v) => v.countersignature).length;
          for (const v of settled) equivocation.reasons[v.reason ?? v.stage] = (equivocation.reasons[v.reason ?? v.stage] ?? 0) + 1;
          return true;
        },
        { ms: o.drainMs, interval: 2_000, what: "the satellite's answers to the equivocations" },
      );
    })());

    const progress = setInterval(async () => {
      await readServers();
      say(`on chain ${view.onChain}/${o.batches} · pending ${view.pending} · certified ${view.onChain - view.pending} · ` +
        `bridge A killed ${faults.bridgeKills}× · emulator restarted ${faults.emulatorRestarts}× · node restarted ${faults.nodeRestarts}×`);
    }, 10_000);

    try {
      await withDeadline(submitter, Math.max(600_000, (o.batches / o.rate) * 4_000), `all ${o.batches} batches on chain`);
      // Let the node and emulator milestones finish if they are mid-restart, then stop faults.
      stopFaults = true;
      await Promise.all([killer, milestones]);
      if (!bridgeA.proc.running) await bridgeA.start();
      say('every batch on chain; faults stopped; waiting for all to be final');
      await waitFor(
        () =>
          withDeadline(
            (async () => {
              const head = await api.rpc.chain.getFinalizedHead();
              const records = await (await api.at(head)).query.spaceNotary.servers.multi(servers.map((s) => s.id));
              return records.every((r) => r.unwrap().pending.length === 0);
            })(),
            10_000,
            'the servers at the finalized block',
          ),
        { ms: o.drainMs, interval: 2_000, what: 'no batch pending at the finalized block' },
      );
      await equivocator;
    } finally {
      stopFaults = true;
      clearInterval(progress);
    }

    // The whole chain, read at the finalized block.
    const finalized = await api.rpc.chain.getFinalizedHead();
    const finalizedNumber = (await api.rpc.chain.getHeader(finalized)).number.toNumber();
    const at = await api.at(finalized);
    const built = servers.flatMap((s) => s.built);
    const status = { certified: 0, expired: 0, pending: 0, missing: 0 };
    // Which satellite's countersignature certified each batch (the record keeps it).
    const bySatellite = {};
    const records = await at.query.spaceNotary.batches.multi(built.map((b) => b.id));
    for (const r of records) {
      if (r.isNone) status.missing += 1;
      else if (r.unwrap().status.isCertified) {
        status.certified += 1;
        for (const a of r.unwrap().status.asCertified.attestations) {
          const k = a.satelliteId.toNumber();
          bySatellite[k] = (bySatellite[k] ?? 0) + 1;
        }
      }
      else if (r.unwrap().status.isExpired) status.expired += 1;
      else status.pending += 1;
    }
    const certifiedEvents = new Map();
    let failedExtrinsics = 0;
    let relays = 0;
    for (let n = 1; n <= finalizedNumber; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const events = await api.query.system.events.at(hash);
      for (const { event } of events) {
        if (event.section === 'spaceNotary' && event.method === 'BatchCertified') {
          const id = event.data.batchId.toHex();
          certifiedEvents.set(id, (certifiedEvents.get(id) ?? 0) + 1);
          relays += 1;
        }
        if (event.section === 'system' && event.method === 'ExtrinsicFailed') failedExtrinsics += 1;
      }
    }
    const ours = new Set(built.map((b) => b.id));
    const report = {
      seed: o.seed,
      batches: o.batches,
      servers: o.servers,
      submitted: built.length - status.missing,
      built: built.length,
      certified: status.certified,
      expired: status.expired,
      lost: status.pending + status.missing,
      certifiedTwice: [...certifiedEvents.values()].filter((c) => c > 1).length,
      certifiedForeign: [...certifiedEvents.keys()].filter((id) => !ours.has(id)).length,
      certifiedEvents: relays,
      bySatellite,
      failedExtrinsics,
      resends: built.reduce((n, b) => n + b.sends - 1, 0),
      equivocations: equivocation,
      faults,
      blocks: finalizedNumber,
      seconds: Math.round(elapsed()),
    };
    failed = report.lost > 0 || report.certifiedTwice > 0 || report.certifiedForeign > 0 || equivocation.signed > 0;
    return report;
  } finally {
    if (api) await api.disconnect().catch(() => {});
    for (const p of processes.reverse()) {
      if (failed) p.printTails('the fault run failed');
      await p.stop();
      if (!failed && !process.env.SPACE_NOTARY_E2E_KEEP_LOGS) p.removeLogs();
    }
    if (!failed) root.cleanup();
    else log(`fault run: data kept in ${root.dir}`);
  }
}

/** The report as a table for the terminal and docs/benchmarks.md. */
export function formatReport(r) {
  const e = r.equivocations;
  const rows = [
    ['batches submitted', r.submitted],
    ['certified', r.certified],
    ['certified by satellite 0, 1', `${r.bySatellite[0] ?? 0}, ${r.bySatellite[1] ?? 0}`],
    ['expired', r.expired],
    ['lost (must be 0)', r.lost],
    ['certified twice (must be 0)', r.certifiedTwice],
    ['equivocations attempted', e.attempted],
    ['equivocations refused', `${e.refused} (countersigned: ${e.signed})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `fault run, seed ${r.seed}: ${r.batches} batches from ${r.servers} servers, ${r.blocks} blocks, ${r.seconds} s`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    `  faults: bridge A SIGKILLed ${r.faults.bridgeKills}×, satellite 0's emulator restarted ${r.faults.emulatorRestarts}×, ` +
      `node restarted ${r.faults.nodeRestarts}×, bridge B racing throughout (two stations, each linked to two satellites)`,
    `  BatchCertified events ${r.certifiedEvents}, failed extrinsics ${r.failedExtrinsics}, batches resent ${r.resends}`,
  ].join('\n');
}
