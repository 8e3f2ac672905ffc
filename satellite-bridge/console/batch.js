// The batch view: a batch at the chain's finalized block (GET /chain/batches/{id}, what
// `satellite-bridge batch status` reads), and for a certified one an inclusion proof of any of
// its transactions to download (GET /chain/batches/{id}/proof?index=N, what `batch proof`
// prints), and its receipt (GET /chain/batches/{id}/receipt?index=N, what `receipt make`
// writes). In HTTP-only mode the bridge reads no chain: the view says so and shows what the
// bridge itself holds (GET /batches/{id}).

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/** An element with attributes (`text`: its text) and children; the overview uses it too. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/** A `<dl>` of `[term, value, testid]` rows (null and undefined values left out); hex values wrap anywhere. The verify page uses it too. */
export function fields(rows) {
  const dl = el('dl', { class: 'fields' });
  for (const [term, value, testid] of rows) {
    if (value === undefined || value === null) continue;
    const dd = el('dd', { text: String(value) });
    if (typeof value === 'string' && value.startsWith('0x')) dd.className = 'hex';
    if (testid) dd.dataset.testid = testid;
    dl.append(el('dt', { text: term }), dd);
  }
  return dl;
}

async function json(url) {
  const response = await fetch(url);
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: left null.
  }
  return { status: response.status, body };
}

function bridgeSection(view) {
  if (!view) return el('p', { class: 'muted', text: 'The bridge does not hold this batch in its queue.' });
  return el(
    'div',
    {},
    el('h3', { text: "The bridge's queue" }),
    fields([
      ['stage', view.stage, 'bridge-stage'],
      ['satellite', view.countersignature?.satellite_id],
      ['satellite time', view.countersignature?.signed_at_ms],
      ['countersignature', view.countersignature?.signature],
      ['reason', view.reason],
      ['expires at block', ['queued', 'countersigned', 'submitted'].includes(view.stage) ? view.expires_at : undefined],
      ['certified at block', view.certified_at],
    ]),
  );
}

function proofSection(id, txCount) {
  const index = el('input', { type: 'number', min: '0', max: String(txCount - 1), value: '0', id: 'proof-index', 'data-testid': 'proof-index' });
  const link = el('a', { class: 'button', 'data-testid': 'proof-download', text: 'Download proof' });
  const receipt = el('a', { class: 'button', 'data-testid': 'receipt-download', text: 'Download receipt' });
  const update = () => {
    const n = Math.max(0, Math.min(txCount - 1, Number.parseInt(index.value, 10) || 0));
    link.href = `/chain/batches/${id}/proof?index=${n}`;
    link.download = `proof-${id}-${n}.json`;
    receipt.href = `/chain/batches/${id}/receipt?index=${n}`;
    receipt.download = `${id}-${n}.receipt`;
  };
  index.addEventListener('input', update);
  update();
  return el(
    'div',
    {},
    el('h3', { text: 'Inclusion proof' }),
    el(
      'p',
      { class: 'muted' },
      `Any of its ${txCount} transactions, exactly as `,
      el('code', { text: 'satellite-bridge batch proof --index N' }),
      ' prints it; check it with ',
      el('code', { text: 'batch verify-proof' }),
      '.',
    ),
    el('div', { class: 'row' }, el('label', { for: 'proof-index', text: 'transaction' }), index, link, receipt),
    el(
      'p',
      { class: 'muted' },
      'The receipt proves the certification to anyone, offline (',
      el('code', { text: 'receipt make' }),
      '); check it on ',
      el('a', { href: '/verify', text: 'Verify a receipt' }),
      ' or with ',
      el('code', { text: 'receipt verify' }),
      '. It can be made once a GRANDPA justification at or after the certification is stored, within a minute.',
    ),
  );
}

/** Shows batch `id` in `root`; `note` gets a one-line remark (errors, HTTP-only). */
export async function showBatch(root, note, id) {
  root.replaceChildren();
  note.textContent = '';
  if (!id) return;
  if (!HEX32.test(id)) {
    note.textContent = 'A batch id is 0x and 64 hex digits.';
    return;
  }
  note.textContent = 'reading the chain…';
  const chain = await json(`/chain/batches/${id}`);
  if (chain.status === 503 && chain.body?.error === 'NoChain') {
    note.textContent = 'This bridge runs without --chain (HTTP-only): it reads no chain, so the status at the finalized block, the certificate and proofs are not available here. What the bridge itself holds:';
    note.dataset.mode = 'http-only';
    const own = await json(`/batches/${id}`);
    root.append(bridgeSection(own.status === 200 ? own.body : null));
    return;
  }
  if (chain.status !== 200) {
    note.textContent = chain.body?.message ?? `the bridge answered ${chain.status}`;
    return;
  }
  note.textContent = '';
  const b = chain.body;
  const s = b.status;
  const statusText =
    s.name === 'certified' ? `certified at block ${s.certified_at}` : s.name === 'pending' ? `pending until block ${s.expires_at}` : `expired at block ${s.expired_at} (${s.reason})`;
  const c = b.certificate;
  root.append(
    el('p', {}, el('span', { class: `pill ${s.name}`, 'data-testid': 'batch-status', text: s.name }), ` ${statusText} · read at finalized block #${b.at_block.number}`),
    fields([
      ['batch id', b.batch_id, 'batch-id-shown'],
      ['certified at block', s.certified_at, 'batch-certified-at'],
      ['expires at block', s.expires_at],
      ['expired at block', s.expired_at],
      ['submitted at block', b.submitted_at],
    ]),
    el('h3', { text: 'Certificate' }),
    fields([
      ['version', c.version, 'cert-version'],
      ['genesis hash', c.genesis_hash, 'cert-genesis-hash'],
      ['server id', c.server_id, 'cert-server-id'],
      ['sequence', c.sequence, 'cert-sequence'],
      ['previous batch', c.prev_batch, 'cert-prev-batch'],
      ['batch root', c.batch_root, 'cert-batch-root'],
      ['transactions', c.tx_count, 'cert-tx-count'],
      ['bytes', c.total_bytes, 'cert-total-bytes'],
      ['issued at', `${c.issued_at_ms} (${new Date(c.issued_at_ms).toISOString()})`, 'cert-issued-at'],
    ]),
    el('h3', { text: 'Signatures' }),
    fields([
      [`server signature (${b.server_signature.scheme}, SCALE)`, b.server_signature.scale, 'batch-server-signature'],
      ['countersignatures (satellites)', (s.attestations ?? []).length === 0 ? 'none yet' : `${s.attestations.length}`, 'batch-countersignature-count'],
    ]),
    ...(s.attestations ?? []).map((a, i) => attestationFields(a, i, c.issued_at_ms)),
  );
  if (s.name === 'certified') root.append(proofSection(b.batch_id, c.tx_count));
  root.append(bridgeSection(b.bridge));
}

/**
 * One satellite's countersignature: which satellite, its clock at signing (v2; how long after
 * the certificate was issued), its key and signature. The first one carries the test ids the
 * console's tests read.
 */
function attestationFields(a, i, issuedAtMs) {
  const first = i === 0;
  const time =
    a.signed_at_ms === null
      ? 'not given (a v1 countersignature)'
      : `${a.signed_at_ms} (${new Date(a.signed_at_ms).toISOString()}, ${((a.signed_at_ms - issuedAtMs) / 1000).toFixed(1)} s after issue)`;
  return fields([
    ['satellite', a.satellite_id, first ? 'batch-satellite' : undefined],
    ['satellite time', time, first ? 'batch-satellite-time' : undefined],
    ['countersignature', a.signature, first ? 'batch-countersignature' : undefined],
    ['satellite key', a.satellite_key],
  ]);
}
