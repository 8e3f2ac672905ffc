// Times the console's receipt verifier (satellite-bridge/console/receipt.js) in Node and in
// headless chromium, on a receipt file written by the Rust benchmark (RECEIPT_BENCH_OUT, see
// primitives/benches/receipts.rs): the median of 200 verifications after 20 unmeasured ones.
// In chromium the page loads the console's modules from the repository through an intercepted
// origin; nothing else is reachable. Run by scripts/bench-receipts.
//
//   node tools/receipt-bench.js RECEIPT.json

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { anchorFromJson, verifyReceipt } from '../../satellite-bridge/console/receipt.js';

const RUNS = 200;
const WARMUP = 20;
const CHROMIUM = '/usr/bin/chromium';
const CONSOLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'satellite-bridge', 'console');

const file = process.argv[2];
if (!file) {
  console.error('usage: node tools/receipt-bench.js RECEIPT.json (written by RECEIPT_BENCH_OUT=… cargo bench -p space-notary-primitives --bench receipts)');
  process.exit(2);
}
const input = JSON.parse(fs.readFileSync(file, 'utf8'));
const bytes = (hex) => Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));

/** Median milliseconds of `RUNS` calls of `run` (each must return true), after `WARMUP`. */
function median(run) {
  for (let i = 0; i < WARMUP; i++) assert.equal(run(), true);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    assert.equal(run(), true);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[RUNS >> 1];
}

const receipt = bytes(input.receipt);
const tx = input.tx ? bytes(input.tx) : null;
const anchor = anchorFromJson(input.anchor);
const inNode = median(() => verifyReceipt(receipt, anchor, tx).ok);

const browser = await chromium.launch({ executablePath: CHROMIUM });
let inChromium;
try {
  const page = await browser.newPage();
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== 'http://bench.invalid') return route.abort();
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>receipt bench</title>' });
    const name = url.pathname.replace(/^\/console\//, '');
    if (!['receipt.js', 'crypto.js'].includes(name)) return route.abort();
    return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(path.join(CONSOLE, name), 'utf8') });
  });
  await page.goto('http://bench.invalid/');
  inChromium = await page.evaluate(
    async ({ input, runs, warmup }) => {
      const { anchorFromJson, verifyReceipt } = await import('/console/receipt.js');
      const bytes = (hex) => Uint8Array.from(hex.slice(2).match(/../g), (b) => Number.parseInt(b, 16));
      const receipt = bytes(input.receipt);
      const tx = input.tx ? bytes(input.tx) : null;
      const anchor = anchorFromJson(input.anchor);
      for (let i = 0; i < warmup; i++) if (!verifyReceipt(receipt, anchor, tx).ok) throw new Error('the receipt does not verify');
      const times = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        if (!verifyReceipt(receipt, anchor, tx).ok) throw new Error('the receipt does not verify');
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return times[runs >> 1];
    },
    { input, runs: RUNS, warmup: WARMUP },
  );
} finally {
  await browser.close();
}

console.log(`receipt of ${receipt.length} bytes, ${anchor.authorities.length} validators`);
console.log(`| JS verifier, Node ${process.versions.node} (median of ${RUNS}) | ${inNode.toFixed(2)} ms |`);
console.log(`| JS verifier, headless chromium (median of ${RUNS}) | ${inChromium.toFixed(2)} ms |`);
