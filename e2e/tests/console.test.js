// The ground-station console in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a dev node, the satellite emulator (a 10 s pass every 20 s) and
// satellite-bridge following the chain (`relay --chain … --http …`), all the real binaries.
// What the page shows must agree with the chain and with the bridge's /metrics (certified count,
// queue depth, link state, a certified batch's view and its proof), and the page must follow a
// new certification and the passes without a reload. With SPACE_NOTARY_SCREENSHOTS=1 it writes
// docs/console-desktop.png (1280×800), docs/console-phone.png (390 px wide) and
// docs/console-batch.png. The certified batch's receipt, downloaded from the batch view, is then
// checked on the "Verify a receipt" page with the network cut off and every request refused. A
// second bridge, HTTP-only, shows that the page then says it reads no chain.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/api';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { chromium } from 'playwright-core';

import { provision, startBridge, startEmulator, tempDir } from '../lib/ground.js';
import { failureTracker, nodeBinary, startNode, stopNode, waitFor, workspaceBinary } from '../lib/node.js';
import { buildBatch, serverKeyPair, verifyMerkleProof, ZERO_HASH } from '../lib/notary.js';
import { findEvent, submit } from '../lib/tx.js';

const CHROMIUM = '/usr/bin/chromium';
const DOCS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
const SCREENSHOTS = process.env.SPACE_NOTARY_SCREENSHOTS === '1';

/** The value of an unlabelled Prometheus sample `name` in `text`. */
function metric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

describe('console (dev node, emulator with passes, bridge relay --chain --http, headless chromium)', () => {
  const track = failureTracker();
  const dirs = [];
  const procs = [];
  let node;
  let api;
  let bridge;
  let emulator;
  let browser;
  let bob;
  const server = { id: 0, sequence: 0, last: ZERO_HASH };
  // The first test's second batch, certified: its receipt is checked in the page.
  let lastCertified;

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: the test command installs Debian's chromium (scripts/lib/prerequisites.sh)`);
    ({ node, api } = await startNode({ name: 'console' }));
    const genesisHash = api.genesisHash.toHex();
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');

    const state = tempDir('console-emulator');
    dirs.push(state);
    server.id = (await api.query.spaceNotary.nextServerId()).toNumber();
    server.key = serverKeyPair('ed25519', '0x' + '5c'.repeat(32));
    const satelliteKey = provision(state.dir, server.id, server.key);
    // Passes short enough to see the link come and go within the test.
    emulator = await startEmulator({
      stateDir: state.dir,
      genesisHash,
      extra: ['--pass-period', '20', '--pass-duration', '10', '--time-scale', '1'],
    });
    procs.push(emulator.proc);
    const call = api.tx.spaceNotary.registerServer(bob.address, server.key.serverKeyJson, 0, satelliteKey);
    const { events } = await submit(api, api.tx.sudo.sudo(call), { signer: alice, what: 'sudo registerServer' });
    assert.equal(findEvent(events, 'spaceNotary', 'ServerRegistered').data.serverId.toNumber(), server.id);

    const data = tempDir('console-bridge');
    dirs.push(data);
    bridge = await startBridge({
      satellite: emulator.url,
      genesisHash,
      dataDir: data.dir,
      extra: ['--chain', node.wsUrl, '--status-every-ms', '1000'],
    });
    procs.push(bridge.proc);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  afterEach(track.hook);
  after(async () => {
    if (browser) await browser.close().catch(() => {});
    for (const p of procs) {
      if (track.failed()) p.printTail('a test failed');
      await p.stop();
    }
    await stopNode(node, track.failed);
    for (const d of dirs) d.cleanup();
  });

  /** Submits the server's next batch of `txs` (Bob operates it); resolves with its id (hex). */
  async function submitBatch(txs) {
    server.sequence += 1;
    const batch = buildBatch({ server: server.key, genesisHash: api.genesisHash.toU8a(), serverId: server.id, sequence: server.sequence, prevBatch: server.last, txs });
    server.last = batch.id;
    const tx = api.tx.spaceNotary.submitBatch(u8aToHex(batch.scale), u8aToHex(batch.serverSignature), batch.txs.map((t) => u8aToHex(t)));
    await submit(api, tx, { signer: bob, what: `submitBatch ${server.id}/${server.sequence}` });
    return { id: u8aToHex(batch.id), txs: batch.txs };
  }

  /** The batch's record once it is certified at the finalized head. */
  async function certifiedRecord(id) {
    return waitFor(
      async () => {
        const at = await api.rpc.chain.getFinalizedHead();
        const record = await (await api.at(at)).query.spaceNotary.batches(id);
        return record.isSome && record.unwrap().status.isCertified ? record.unwrap() : null;
      },
      { ms: 180_000, interval: 1_000, what: `batch ${id} certified at a finalized block` },
    );
  }

  async function chainCertifiedCount() {
    const entries = await api.query.spaceNotary.batches.entries();
    return entries.filter(([, record]) => record.unwrap().status.isCertified).length;
  }

  async function metrics() {
    const text = await (await fetch(`${bridge.url}/metrics`)).text();
    return {
      certified: metric(text, 'space_notary_bridge_certified_total'),
      queueDepth: metric(text, 'space_notary_bridge_queue_depth'),
      linkUp: metric(text, 'space_notary_bridge_link_up'),
    };
  }

  const text = (page, testid) => page.locator(`[data-testid="${testid}"]`).first().textContent();

  /** A page on `base`'s console at `viewport`, once the stream has delivered a state. */
  async function openConsole(viewport, hash = '', base = bridge.url) {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    const loads = { count: 0 };
    page.on('load', () => {
      loads.count += 1;
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/${hash}`);
    await waitFor(async () => (await text(page, 'live')) === 'live' && (await text(page, 'certified-total')) !== '–', {
      ms: 30_000,
      what: 'the console to receive its first state over /events',
    });
    return { context, page, loads, errors };
  }

  test('the page agrees with the chain and /metrics, follows a certification live, and shows a certified batch', async () => {
    const first = await submitBatch(['console', 'first batch', 'three transactions']);
    await certifiedRecord(first.id);

    const { context, page, loads, errors } = await openConsole({ width: 1280, height: 800 });
    await page.evaluate(() => {
      window.sameDocument = true;
    });

    // Certified count and queue depth: the page, the chain and /metrics say the same.
    await waitFor(
      async () => {
        const [shown, depth, m, chain] = await Promise.all([text(page, 'certified-total'), text(page, 'queue-depth'), metrics(), chainCertifiedCount()]);
        return Number(shown) === chain && m.certified === chain && Number(depth) === m.queueDepth && chain === 1;
      },
      { ms: 30_000, what: 'certified 1 and the queue depth alike on the page, on chain and in /metrics' },
    );
    // The server's row: its last sequence as the chain has it.
    const onChain = (await api.query.spaceNotary.servers(server.id)).unwrap();
    const row = page.locator(`tr[data-server-id="${server.id}"]`);
    assert.equal(await row.locator('[data-field="last-sequence"]').textContent(), onChain.lastSequence.toString());

    // The link: the page follows /metrics through a pass and a gap (each within 30 s).
    for (const state of ['up', 'down', 'up']) {
      await waitFor(async () => (await text(page, 'link-state')) === state && (await metrics()).linkUp === (state === 'up' ? 1 : 0), {
        ms: 30_000,
        what: `the link shown ${state} on the page and in /metrics`,
      });
    }
    assert.match(await text(page, 'pass-state'), /in a pass|between passes/);
    const passes = Number(await page.locator('[data-testid="per-pass"]').getAttribute('data-bars'));
    assert.ok(passes >= 1, `the per-pass chart has a bar for each pass seen (${passes})`);

    // A new certification reaches the open page without a reload.
    const second = await submitBatch(['console', 'second batch']);
    const record = await certifiedRecord(second.id);
    lastCertified = second;
    await waitFor(async () => Number(await text(page, 'certified-total')) === 2, { ms: 30_000, what: 'the page to show 2 certified' });
    await waitFor(
      async () => (await page.locator(`#events tr[data-kind="certified"][data-batch-id="${second.id}"]`).count()) === 1,
      { ms: 10_000, what: 'the certification among the recent events' },
    );
    assert.equal(await page.locator('[data-testid="per-minute"]').getAttribute('data-total'), '2', 'the per-minute chart counts both');
    assert.equal(await page.evaluate(() => window.sameDocument), true, 'the same document: no reload');
    assert.equal(loads.count, 1, 'loaded once');
    const m = await metrics();
    assert.equal(m.certified, await chainCertifiedCount());

    // The batch view, from the event's link: the chain's record, field by field.
    await page.locator(`#events tr[data-kind="certified"][data-batch-id="${second.id}"] a.batch-link`).click();
    await waitFor(async () => (await text(page, 'batch-status')) === 'certified', { ms: 30_000, what: 'the batch view of the certified batch' });
    assert.equal(new URL(page.url()).hash, `#/batch/${second.id}`);
    const certified = record.status.asCertified;
    assert.equal(await text(page, 'batch-certified-at'), certified.certifiedAt.toString());
    const [attestation] = certified.attestations;
    assert.equal(await text(page, 'batch-countersignature'), attestation.signature.toHex());
    assert.equal(await text(page, 'batch-satellite'), attestation.satelliteId.toString());
    assert.match(await text(page, 'batch-satellite-time'), attestation.signedAtMs.isSome ? /s after issue\)$/ : /^not given \(a v1 countersignature\)$/);
    assert.equal(await text(page, 'batch-server-signature'), record.serverSignature.toHex());
    assert.equal(await text(page, 'cert-batch-root'), record.cert.batchRoot.toHex());
    assert.equal(await text(page, 'cert-sequence'), record.cert.sequence.toString());
    assert.equal(await text(page, 'cert-tx-count'), '2');
    assert.equal(await text(page, 'cert-prev-batch'), first.id);

    // The proof download: what `satellite-bridge batch proof` prints, and a valid proof.
    await page.locator('[data-testid="proof-index"]').fill('1');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="proof-download"]').click()]);
    const downloaded = fs.readFileSync(await download.path(), 'utf8');
    const cli = spawnSync(workspaceBinary('satellite-bridge'), ['batch', 'proof', '--chain', node.wsUrl, second.id, '--index', '1'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(downloaded, cli.stdout, 'the download is byte for byte what the CLI prints');
    const proof = JSON.parse(downloaded);
    assert.equal(proof.tx, u8aToHex(second.txs[1]));
    assert.ok(
      verifyMerkleProof(record.cert.batchRoot.toU8a(), hexToU8a(proof.tx), { leafIndex: proof.leaf_index, numberOfLeaves: proof.number_of_leaves, proof: proof.proof.map((h) => hexToU8a(h)) }),
      'the proof leads to the batch root',
    );

    if (SCREENSHOTS) {
      fs.mkdirSync(DOCS, { recursive: true });
      await page.screenshot({ path: path.join(DOCS, 'console-batch.png') });
      await page.goto(`${bridge.url}/#/`);
      await waitFor(async () => (await text(page, 'live')) === 'live', { ms: 10_000, what: 'the overview again' });
      await page.screenshot({ path: path.join(DOCS, 'console-desktop.png') });
    }
    assert.deepEqual(errors, [], 'no error in the browser console');
    await context.close();

    // Phone width: one column, nothing wider than the screen.
    const phone = await openConsole({ width: 390, height: 844 });
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `the page fits 390 px (scroll width ${overflow})`);
    assert.equal(await text(phone.page, 'certified-total'), '2');
    if (SCREENSHOTS) await phone.page.screenshot({ path: path.join(DOCS, 'console-phone.png'), fullPage: true });
    assert.deepEqual(phone.errors, []);
    await phone.context.close();
  });

  test('a receipt verifies in the page with the network cut off; changes are refused by name', async () => {
    const batch = lastCertified;
    assert.ok(batch, 'the first test certified a batch');
    // The bridge serves the receipt once the node stores a justification at or after the certification.
    await waitFor(
      async () => {
        const response = await fetch(`${bridge.url}/chain/batches/${batch.id}/receipt?index=1`);
        if (response.status === 200) return true;
        const body = await response.json();
        assert.equal(body.error, 'NoReceipt', JSON.stringify(body));
        return false;
      },
      { ms: 180_000, interval: 2_000, what: `the bridge to serve a receipt of batch ${batch.id}` },
    );

    // The download from the batch view.
    const { context: viewContext, page: view } = await openConsole({ width: 1280, height: 800 }, `#/batch/${batch.id}`);
    await waitFor(async () => (await text(view, 'batch-status')) === 'certified', { ms: 30_000, what: 'the batch view of the certified batch' });
    await view.locator('[data-testid="proof-index"]').fill('1');
    const [download] = await Promise.all([view.waitForEvent('download'), view.locator('[data-testid="receipt-download"]').click()]);
    const receipt = new Uint8Array(fs.readFileSync(await download.path()));
    assert.equal(receipt[0], 2, 'a receipt of format 2');
    await viewContext.close();
    const jsonForm = await (await fetch(`${bridge.url}/chain/batches/${batch.id}/receipt?index=1&format=json`)).text();
    assert.equal(JSON.parse(jsonForm).format, 'space-notary-receipt/2');

    // What the verifier trusts: the dev chain's raw spec, from the node binary; and another chain's.
    const spec = spawnSync(nodeBinary(), ['build-spec', '--chain', 'dev', '--raw'], { maxBuffer: 64 << 20 });
    assert.equal(spec.status, 0, String(spec.stderr));
    const otherSpec = spawnSync(nodeBinary(), ['build-spec', '--chain', 'local', '--raw'], { maxBuffer: 64 << 20 });
    assert.equal(otherSpec.status, 0, String(otherSpec.stderr));

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${bridge.url}/verify`);
    await waitFor(async () => (await page.locator('body').getAttribute('data-ready')) === 'true', { ms: 10_000, what: 'the verify page to load its modules' });
    // From here nothing may leave the page: the network is off, and any request is recorded and refused.
    const requests = [];
    await context.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    await context.setOffline(true);

    const file = (name, bytes) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    async function verifyInPage(receiptBytes, txBytes, specBytes = spec.stdout) {
      await page.setInputFiles('[data-testid="receipt-file"]', file('deed.receipt', receiptBytes));
      await page.setInputFiles('[data-testid="tx-file"]', file('deed.tx', txBytes));
      await page.setInputFiles('[data-testid="trust-file"]', file('chain-spec-raw.json', specBytes));
      await page.locator('[data-testid="verify-button"]').click();
      await waitFor(async () => (await page.locator('[data-testid="verdict"]').count()) === 1, { ms: 30_000, what: 'the verdict on the page' });
      const marks = {};
      for (const li of await page.locator('[data-testid="checks"] li').all()) marks[await li.getAttribute('data-check')] = await li.getAttribute('class');
      const error = (await page.locator('[data-testid="verdict-error"]').count()) ? await text(page, 'verdict-error') : null;
      return { verdict: await text(page, 'verdict'), error, marks };
    }
    const ORDER = ['Format', 'Genesis', 'Transaction', 'ServerSignature', 'SatelliteSignature', 'Record', 'Finality'];
    const marksFailingAt = (check) => Object.fromEntries(ORDER.map((c, i) => [c, i < ORDER.indexOf(check) ? 'ok' : c === check ? 'fail' : 'skipped']));

    const valid = await verifyInPage(receipt, batch.txs[1]);
    assert.deepEqual(valid, { verdict: 'valid', error: null, marks: Object.fromEntries(ORDER.map((c) => [c, 'ok'])) });
    assert.equal(await text(page, 'verdict-batch'), batch.id);
    assert.equal(await text(page, 'trusted-genesis'), api.genesisHash.toHex(), 'names the chain it trusted');
    assert.match(await text(page, 'trusted-source'), /the chain spec chain-spec-raw\.json/);
    assert.match(await text(page, 'trusted-set'), /^0: 1 authorities, total weight 1$/);
    console.log(`receipt checked in headless chromium in ${await page.locator('[data-testid="verify-time"]').getAttribute('data-ms')} ms`);

    assert.equal((await verifyInPage(new TextEncoder().encode(jsonForm), batch.txs[1])).verdict, 'valid', 'the JSON form verifies too');

    // The countersignature changed: refused by name at its check; the checks before it passed.
    const record = (await api.query.spaceNotary.batches(batch.id)).unwrap();
    const countersignature = record.status.asCertified.attestations[0].signature.toU8a();
    const at = Buffer.from(receipt).indexOf(Buffer.from(countersignature));
    assert.ok(at > 0, 'the receipt carries the countersignature the chain recorded');
    const forged = receipt.slice();
    forged[at + 7] ^= 0x01;
    assert.deepEqual(await verifyInPage(forged, batch.txs[1]), { verdict: 'invalid', error: 'BadSatelliteSignature', marks: marksFailingAt('SatelliteSignature') });
    // Another transaction, another chain's spec, bytes that are not a receipt.
    assert.deepEqual(await verifyInPage(receipt, batch.txs[0]), { verdict: 'invalid', error: 'LeafMismatch', marks: marksFailingAt('Transaction') });
    assert.deepEqual(await verifyInPage(receipt, batch.txs[1], otherSpec.stdout), { verdict: 'invalid', error: 'WrongGenesis', marks: marksFailingAt('Genesis') });
    assert.deepEqual(await verifyInPage(receipt.subarray(0, receipt.length - 1), batch.txs[1]), { verdict: 'invalid', error: 'Malformed', marks: marksFailingAt('Format') });

    assert.deepEqual(requests, [], 'the page made no request while verifying');
    assert.deepEqual(errors, [], 'no error in the browser console');
    await context.close();
  });

  test('in HTTP-only mode the page says the bridge reads no chain', async () => {
    const data = tempDir('console-http-only');
    dirs.push(data);
    const httpOnly = await startBridge({ satellite: emulator.url, genesisHash: api.genesisHash.toHex(), dataDir: data.dir });
    procs.push(httpOnly.proc);
    const { context, page, errors } = await openConsole({ width: 1280, height: 800 }, `#/batch/${u8aToHex(server.last)}`, httpOnly.url);
    assert.equal(await text(page, 'mode'), 'HTTP-only (no chain)');
    await waitFor(async () => (await page.locator('[data-testid="batch-note"]').getAttribute('data-mode')) === 'http-only', {
      ms: 10_000,
      what: 'the batch view to say there is no chain',
    });
    assert.match(await text(page, 'batch-note'), /without --chain \(HTTP-only\)/);
    assert.equal(await page.locator('[data-testid="batch-status"]').count(), 0, 'no chain status shown');
    // The only failed requests are the expected answers: 503 NoChain from /chain/…, and 404
    // from /batches/… for a batch this bridge never held.
    assert.ok(errors.every((e) => /status of (503|404)/.test(e)), errors.join('; '));
    await context.close();
  });
});
