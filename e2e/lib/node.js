// Starts the real space-notary-node binary for a test and always stops it again.
//
// Each node runs with `--tmp` on free ports, writes its log to a file under the OS tmp dir, and
// is registered for cleanup three ways: the caller's `after`/`t.after` hook, process exit, and
// SIGINT/SIGTERM/uncaught errors (the test runner sends SIGTERM to a file that times out).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';

/** Path of the node binary: `$SPACE_NOTARY_NODE`, else `$CARGO_TARGET_DIR/release/space-notary-node`. */
export function nodeBinary() {
  if (process.env.SPACE_NOTARY_NODE) return process.env.SPACE_NOTARY_NODE;
  return workspaceBinary('space-notary-node');
}

/** Path of a workspace binary: `$CARGO_TARGET_DIR/release/<name>` (the test command's target dir by default). */
export function workspaceBinary(name) {
  const target =
    process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'space-notary', 'target');
  return path.join(target, 'release', name);
}

function assertBinary(bin) {
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(
      `space-notary-node not found or not executable at ${bin}: build it with ` +
        '`cargo build --release -p space-notary-node`, or set SPACE_NOTARY_NODE',
    );
  }
}

/**
 * `count` distinct free TCP ports on 127.0.0.1. All listeners stay open until every port is
 * picked, so no two of them can be the same.
 */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
  }
}

/** Runs `promise` with a deadline; the error says what was being waited for. */
export async function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns a truthy value, or fails after `ms` with a message naming `what`. */
export async function waitFor(check, { ms = 60_000, interval = 500, what }) {
  const end = Date.now() + ms;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= end) {
      const cause = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

// Children still running, for the exit handlers.
const live = new Set();
let handlersInstalled = false;

function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is all there is time for.
  process.on('exit', () => {
    for (const node of live) node.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      for (const node of live) node.killNow();
      process.exit(128 + (os.constants.signals[signal] ?? 1));
    });
  }
}

/** The last `lines` lines of a file, or a note saying why there are none. */
export function tailFile(file, lines = 60) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch (e) {
    return `(no log: ${e.message})`;
  }
}

/** The libp2p peer id of a hex-encoded ed25519 node key, as the node itself computes it. */
export function peerIdOfNodeKey(nodeKeyHex) {
  const bin = nodeBinary();
  assertBinary(bin);
  const out = spawnSync(bin, ['key', 'inspect-node-key'], {
    input: nodeKeyHex,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (out.status !== 0) {
    throw new Error(`key inspect-node-key failed (${out.status}): ${out.stderr}`);
  }
  return out.stdout.trim();
}

/** A running node: its ports, log file, API connections, and `stop()`. */
export class NodeProcess {
  constructor({ name, child, logPath, rpcPort, p2pPort }) {
    this.name = name;
    this.child = child;
    this.logPath = logPath;
    this.rpcPort = rpcPort;
    this.p2pPort = p2pPort;
    this.wsUrl = `ws://127.0.0.1:${rpcPort}`;
    this.apis = [];
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        live.delete(this);
        resolve(this.exitStatus);
      });
    });
  }

  get running() {
    return this.exitStatus === undefined;
  }

  /** An @polkadot/api connection; closed by `stop()`. */
  async connect({ ms = 60_000 } = {}) {
    // No automatic reconnect: a node that went away must fail the test, not stall it.
    const provider = new WsProvider(this.wsUrl, false);
    const api = new ApiPromise({ provider, noInitWarn: true, throwOnConnect: true });
    this.apis.push(api);
    const connecting = (async () => {
      // `connect` rejects when nothing listens yet; the caller retries.
      await provider.connect();
      await api.isReadyOrError;
      return api;
    })();
    try {
      return await withDeadline(connecting, ms, `${this.name} RPC at ${this.wsUrl}`);
    } catch (e) {
      await api.disconnect().catch(() => {});
      this.apis = this.apis.filter((a) => a !== api);
      throw e;
    }
  }

  /** The last lines of this node's log. */
  tail(lines = 60) {
    return tailFile(this.logPath, lines);
  }

  /** Prints the log tail to stderr, headed by `why`. */
  printTail(why, lines = 60) {
    console.error(`--- ${this.name} (${why}); log ${this.logPath}, last ${lines} lines ---`);
    console.error(this.tail(lines));
    console.error(`--- end of ${this.name} log ---`);
  }

  /** SIGKILL, synchronously; for exit handlers. */
  killNow() {
    if (this.running) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** Closes the API connections, then SIGTERM, then SIGKILL after `graceMs`. Idempotent. */
  async stop({ graceMs = 10_000 } = {}) {
    await Promise.all(
      this.apis.map((api) => withDeadline(api.disconnect(), 5_000, 'API disconnect').catch(() => {})),
    );
    this.apis = [];
    if (!this.running) return this.exitStatus;
    this.child.kill('SIGTERM');
    let timer;
    const killed = new Promise((resolve) => {
      timer = setTimeout(() => {
        this.killNow();
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }
}

/**
 * Spawns `bin` with `args`, its output in a log file under the OS tmp dir, registered to be
 * killed with this process (exit handlers, and a watchdog shell for when this process is
 * SIGKILLed). Returns the `NodeProcess` (any process: `ports` are the node's, if it is one).
 */
export function spawnLogged({ name, bin, args, env = {}, ports = {} }) {
  installExitHandlers();
  const logPath = path.join(os.tmpdir(), `space-notary-e2e-${name}-${process.pid}-${Date.now()}.log`);
  const log = fs.openSync(logPath, 'a');
  fs.writeSync(log, `$ ${bin} ${args.join(' ')}\n`);
  const child = spawn(bin, args, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  fs.closeSync(log);
  const proc = new NodeProcess({ name, child, logPath, ...ports });
  live.add(proc);
  // Exit handlers do not run when this process is SIGKILLed (a CI timeout): a watchdog shell
  // then kills the child. It is stopped as soon as the child exits.
  if (child.pid) {
    const watchdog = spawn(
      '/bin/sh',
      ['-c', 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; kill -9 "$2" 2>/dev/null', 'watchdog', String(process.pid), String(child.pid)],
      { stdio: 'ignore' },
    );
    watchdog.on('error', () => {});
    watchdog.unref();
    proc.exited.then(() => watchdog.kill('SIGKILL'));
  }
  child.once('error', (e) => fs.appendFileSync(logPath, `spawn error: ${e.message}\n`));
  return proc;
}

/**
 * Starts the node with `args` plus `--tmp` and free RPC/p2p/Prometheus ports, and waits until its
 * RPC answers and it has imported a block (best number ≥ 1; skipped with `waitForBlock: false`,
 * for a validator that cannot author alone). On failure the node is stopped and its log tail
 * printed. Register `node.stop()` in an `after` hook right away.
 *
 * Returns `{ node, api }`.
 */
export async function startNode({ name = 'node', args = ['--dev'], readyMs = 120_000, waitForBlock = true } = {}) {
  const bin = nodeBinary();
  assertBinary(bin);
  installExitHandlers();

  const [rpcPort, p2pPort, promPort] = await freePorts(3);
  const fullArgs = [
    ...args,
    '--tmp',
    '--rpc-port',
    String(rpcPort),
    // Loopback only: test nodes must not meet anyone else's.
    '--listen-addr',
    `/ip4/127.0.0.1/tcp/${p2pPort}`,
    '--prometheus-port',
    String(promPort),
    '--no-telemetry',
    '--rpc-max-connections',
    '100',
  ];
  const node = spawnLogged({
    name,
    bin,
    args: fullArgs,
    env: { RUST_LOG: process.env.RUST_LOG ?? 'info,runtime::space-notary=debug' },
    ports: { rpcPort, p2pPort },
  });

  try {
    const end = Date.now() + readyMs;
    let api;
    // The RPC server comes up after the database and runtime: retry the connection.
    while (!api) {
      if (!node.running) {
        throw new Error(`${name} exited during start-up (${JSON.stringify(node.exitStatus)})`);
      }
      if (Date.now() >= end) {
        throw new Error(`timed out after ${readyMs / 1000} s waiting for ${name} RPC at ${node.wsUrl}`);
      }
      try {
        api = await node.connect({ ms: Math.max(1_000, Math.min(15_000, end - Date.now())) });
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await waitFor(
      async () => {
        if (!waitForBlock) return true;
        if (!node.running) throw new Error(`${name} exited (${JSON.stringify(node.exitStatus)})`);
        const header = await api.rpc.chain.getHeader();
        return header.number.toNumber() >= 1;
      },
      { ms: Math.max(1_000, end - Date.now()), what: `${name} to import block #1` },
    );
    return { node, api };
  } catch (e) {
    node.printTail(`failed to start: ${e.message}`);
    await node.stop();
    if (/ext_benchmarking_/.test(node.tail(200))) {
      e.message +=
        `; ${bin} was built with --features runtime-benchmarks and cannot run a chain: ` +
        'rebuild it without that feature, or point SPACE_NOTARY_NODE at a normal build';
    }
    throw e;
  }
}

/**
 * Stops `node` in `after`; if `failed()` says a test failed, prints its log tail first and keeps
 * the log, else deletes it (set SPACE_NOTARY_E2E_KEEP_LOGS to keep every log).
 * Use with a hook: `after(() => stopNode(node, failed))`.
 */
export async function stopNode(node, failed = () => false) {
  if (!node) return;
  const keep = failed() || process.env.SPACE_NOTARY_E2E_KEEP_LOGS;
  if (failed()) node.printTail('a test failed');
  await node.stop();
  // A passing run leaves nothing behind in the tmp dir; a failing one keeps the whole log.
  if (!keep) fs.rmSync(node.logPath, { force: true });
}

/**
 * Tracks failure of a suite's tests: `const track = failureTracker(); afterEach(track.hook);`
 * then `track.failed()`. Uses `TestContext.passed` where Node has it, and errors thrown by
 * `track.run(fn)` otherwise.
 */
export function failureTracker() {
  let failed = false;
  return {
    failed: () => failed,
    hook: (t) => {
      if (t && typeof t.passed === 'boolean' && !t.passed) failed = true;
    },
    run: (fn) => async (t) => {
      try {
        return await fn(t);
      } catch (e) {
        failed = true;
        throw e;
      }
    },
    markFailed: () => {
      failed = true;
    },
  };
}
