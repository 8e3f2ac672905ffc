// The "verify a receipt" page: reads the receipt, the transaction and what the user trusts (a
// raw chain spec or a trust anchor) from files they pick or drop, runs every check of
// receipt.js in the page, and shows each check and the verdict. It makes no request: the
// page's modules are all it loads.

import { el, fields } from './batch.js';
import { CHECKS, MAX_CHAIN_SPEC_BYTES, MAX_RECEIPT_BYTES, REASONS, anchorFromChainSpec, anchorFromJson, receiptFileBytes, verifyReceipt } from './receipt.js';

const $ = (id) => document.getElementById(id);
const hex = (bytes) => `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;

// The largest file of each kind read (a JSON receipt is its binary form in hex, and more).
const LIMITS = { 'receipt-file': 3 * MAX_RECEIPT_BYTES, 'tx-file': 16 << 20, 'trust-file': MAX_CHAIN_SPEC_BYTES };

/** A picked file's bytes, refused by name when over its limit. */
async function read(input) {
  const file = input.files?.[0];
  if (!file) return null;
  if (file.size > LIMITS[input.id]) throw new Error(`${file.name} is over ${LIMITS[input.id]} bytes`);
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** What the trust file holds: a raw chain spec, or an anchor `{ genesis_hash, set_id, authorities }`. */
function trustedFrom(file) {
  let json;
  try {
    json = JSON.parse(new TextDecoder().decode(file.bytes));
  } catch {
    throw new Error(`${file.name} is not JSON (a raw chain spec or a trust anchor)`);
  }
  if (json?.genesis !== undefined) return { source: `the chain spec ${file.name}`, anchor: anchorFromChainSpec(json) };
  if (json?.genesis_hash !== undefined) return { source: `the anchor file ${file.name}`, anchor: anchorFromJson(json) };
  throw new Error(`${file.name} is neither a chain spec (genesis) nor a trust anchor (genesis_hash)`);
}

function render(trusted, tx, result, ms) {
  const { anchor } = trusted;
  const total = anchor.authorities.reduce((sum, [, weight]) => sum + weight, 0n);
  const failed = result.ok ? null : result.check;
  let reached = true;
  const checks = el('ol', { class: 'checks', 'data-testid': 'checks' });
  for (const [check, what] of CHECKS) {
    let mark = 'ok';
    if (!reached) mark = 'skipped';
    else if (check === failed) {
      mark = 'fail';
      reached = false;
    }
    checks.append(el('li', { class: mark, 'data-check': check, 'data-testid': `check-${check}` }, el('span', { class: 'mark', text: mark === 'ok' ? 'ok' : mark === 'fail' ? 'FAIL' : '–' }), ` ${what}`));
  }
  const verdict = result.ok
    ? el(
        'p',
        {},
        el('span', { class: 'pill certified', 'data-testid': 'verdict', text: 'valid' }),
        ` transaction ${result.leafIndex} is in batch `,
        el('span', { class: 'hex', 'data-testid': 'verdict-batch', text: result.batchId }),
        ` of server ${result.serverId} (sequence ${result.sequence}), certified at block ${result.certifiedAt}; the record is in block ${result.block.number}, finalized at block ${result.finalized.number} by GRANDPA set ${result.setId}${result.setId === anchor.setId ? '' : ` (reached from set ${anchor.setId} by the receipt's set changes)`} with weight ${result.signedWeight} (at least ${result.threshold} needed).`,
      )
    : el(
        'p',
        {},
        el('span', { class: 'pill expired', 'data-testid': 'verdict', text: 'invalid' }),
        ' ',
        el('b', { 'data-testid': 'verdict-error', text: result.error }),
        `: ${REASONS[result.error]}.`,
      );
  $('verify-result').replaceChildren(
    el('h3', { text: 'Trusted' }),
    fields([
      ['source', trusted.source, 'trusted-source'],
      ['chain (genesis hash)', hex(anchor.genesisHash), 'trusted-genesis'],
      ['GRANDPA set', `${anchor.setId}: ${anchor.authorities.length} authorities, total weight ${total}`, 'trusted-set'],
      ['transaction file', tx ? tx.name : 'none (the one the receipt carries, if any)', 'trusted-tx'],
    ]),
    el('h3', { text: 'Checks' }),
    checks,
    verdict,
    el('p', { class: 'muted', 'data-testid': 'verify-time', 'data-ms': ms.toFixed(2), text: `checked in this page in ${ms.toFixed(1)} ms` }),
  );
}

async function verify(event) {
  event?.preventDefault();
  const note = $('verify-note');
  note.textContent = '';
  $('verify-result').replaceChildren();
  try {
    const [receipt, tx, trust] = await Promise.all([read($('receipt-file')), read($('tx-file')), read($('trust-file'))]);
    if (!receipt || !trust) {
      note.textContent = 'Pick a receipt and what you trust (the chain spec or an anchor); the transaction file is optional.';
      return;
    }
    const trusted = trustedFrom(trust);
    const bytes = receiptFileBytes(receipt.bytes);
    const start = performance.now();
    const result = verifyReceipt(bytes, trusted.anchor, tx?.bytes ?? null);
    render(trusted, tx, result, performance.now() - start);
  } catch (e) {
    note.textContent = e.message;
  }
}

// Each box takes a dropped file as its own.
for (const label of document.querySelectorAll('label.drop')) {
  const input = label.querySelector('input');
  label.addEventListener('dragover', (e) => {
    e.preventDefault();
    label.classList.add('over');
  });
  label.addEventListener('dragleave', () => label.classList.remove('over'));
  label.addEventListener('drop', (e) => {
    e.preventDefault();
    label.classList.remove('over');
    if (e.dataTransfer?.files?.length) {
      input.files = e.dataTransfer.files;
      input.dispatchEvent(new Event('change'));
    }
  });
}
$('verify-form').addEventListener('submit', verify);
document.body.dataset.ready = 'true';
