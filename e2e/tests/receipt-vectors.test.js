// The receipt vectors of primitives/test-vectors/receipt-v2.json, checked by the JS verifier
// (lib/receipt.js), written from docs/receipts.md alone. The vectors come from the Rust verifier;
// agreement here means two independent implementations accept the valid receipt with the same
// result and refuse every tampered one by the same name. No node is needed.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { xxhashAsU8a } from '@polkadot/util-crypto';

import { serverKeyPair } from '../lib/notary.js';
import { MAX_RECEIPT_BYTES, TWOX_128, anchorFromJson, verifyReceipt, verifyScheme } from '../lib/receipt.js';

const vectors = JSON.parse(
  fs.readFileSync(new URL('../../primitives/test-vectors/receipt-v2.json', import.meta.url), 'utf8'),
);
const { valid } = vectors;
const validBytes = hexToU8a(valid.receipt);
const validAnchor = anchorFromJson(valid.anchor);

// The check each error name belongs to (docs/receipts.md, "Checks").
const CHECK = {
  Malformed: 'Format',
  UnsupportedVersion: 'Format',
  WrongGenesis: 'Genesis',
  LeafMismatch: 'Transaction',
  TxNotInBatch: 'Transaction',
  BadServerSignature: 'ServerSignature',
  BadSatelliteSignature: 'SatelliteSignature',
  StorageProofInvalid: 'Record',
  RecordMismatch: 'Record',
  NotCertified: 'Record',
  ServerKeyNotProven: 'Record',
  BadAncestry: 'Finality',
  UnknownAuthoritySet: 'Finality',
  BadJustification: 'Finality',
  NotFinalized: 'Finality',
  BadSetChange: 'Finality',
};

/** Asserts that `result` refuses the receipt with `error`, from its check. */
function assertRefused(result, error, what) {
  assert.equal(result.ok, false, `${what}: refused`);
  assert.equal(result.error, error, `${what}: refused as ${error}`);
  assert.equal(result.check, CHECK[error], `${what}: by the ${CHECK[error]} check`);
}

/**
 * Offsets in the valid receipt, read by hand from the layout (all its lengths fit one-byte
 * compacts): the inclusion proof's length prefix, the Option tag of the carried transaction, and
 * the server key's variant byte (after the 129-byte certificate).
 */
function offsets(bytes) {
  const proofLength = 1 + 32 + 4 + 4;
  const optionTag = proofLength + 1 + 32 * (bytes[proofLength] >> 2);
  const cert = optionTag + (bytes[optionTag] === 1 ? 2 + (bytes[optionTag + 1] >> 2) : 1);
  return { proofLength, optionTag, serverKeyVariant: cert + 129 };
}

/** A copy of `u8a` with `index` set to `value`. */
function withByte(u8a, index, value) {
  const copy = new Uint8Array(u8a);
  copy[index] = value;
  return copy;
}

test('the vector file has a valid receipt and tampered ones for every check after the format', () => {
  assert.ok(validBytes.length > 1000);
  const checks = new Set(vectors.tampered.map((t) => CHECK[t.error]));
  for (const check of ['Format', 'Genesis', 'Transaction', 'ServerSignature', 'SatelliteSignature', 'Record', 'Finality']) {
    assert.ok(checks.has(check), `a tampered receipt for ${check}`);
  }
  for (const t of vectors.tampered) assert.ok(t.error in CHECK, `${t.name}: ${t.error} is a documented name`);
});

describe('the valid receipt', () => {
  test('verifies under its anchor with its transaction, with the file’s numbers', () => {
    const result = verifyReceipt(validBytes, validAnchor, hexToU8a(valid.tx));
    assert.equal(result.ok, true, `refused: ${result.error}`);
    assert.equal(result.batchId, valid.batch_id);
    assert.equal(result.certifiedAt, valid.certified_at);
    // The time window: the ground's claim and each satellite's clock, as the file has them.
    assert.equal(result.issuedAtMs, BigInt(valid.issued_at_ms));
    assert.deepEqual(
      result.satellites,
      valid.satellites.map((s) => ({ id: s.id, signedAtMs: s.signed_at_ms === null ? null : BigInt(s.signed_at_ms) })),
    );
    assert.equal(result.satellites.length, 2, 'the file’s receipt is certified by a quorum of two');
    assert.equal(result.block.number, valid.block);
    assert.equal(result.finalized.number, valid.finalized);
    assert.match(result.block.hash, /^0x[0-9a-f]{64}$/);
    assert.match(result.finalized.hash, /^0x[0-9a-f]{64}$/);
    assert.ok(result.finalized.number >= result.block.number);
    assert.ok(result.certifiedAt <= result.block.number);
    assert.ok(result.signedWeight >= result.threshold);
    assert.equal(typeof result.sequence, 'bigint');
    assert.equal(result.setId, 0n, 'finalized by the anchor’s own set');
  });

  test('one finalized after two authority set changes verifies under the genesis set, naming set 2', () => {
    const after = vectors.valid_set_changes;
    const result = verifyReceipt(after.receipt, anchorFromJson(after.anchor), hexToU8a(after.tx));
    assert.equal(result.ok, true, `refused: ${result.error}`);
    assert.equal(result.batchId, after.batch_id);
    assert.equal(result.setId, BigInt(after.set_id));
    assert.equal(result.finalized.number, after.finalized);
    assert.equal(anchorFromJson(after.anchor).setId, 0n);
  });

  test('verifies without the transaction given (the one it carries is checked), and from hex', () => {
    const result = verifyReceipt(valid.receipt, validAnchor);
    assert.equal(result.ok, true, `refused: ${result.error}`);
    assert.equal(result.batchId, valid.batch_id);
  });

  test('another transaction given is refused as LeafMismatch, although the receipt carries the right one', () => {
    const other = u8aConcat(hexToU8a(valid.tx), new Uint8Array([0]));
    assertRefused(verifyReceipt(validBytes, validAnchor, other), 'LeafMismatch', 'another transaction');
  });

  test('anchorFromJson reads the file’s shape, with integers as numbers or decimal strings', () => {
    const anchor = anchorFromJson({
      ...valid.anchor,
      set_id: String(valid.anchor.set_id),
      authorities: valid.anchor.authorities.map(([key, weight]) => [key, String(weight)]),
    });
    assert.deepEqual(anchor, validAnchor);
    assert.equal(typeof anchor.setId, 'bigint');
    assert.equal(anchor.authorities.length, valid.anchor.authorities.length);
  });
});

describe('tampered receipts are refused by the name the file gives', () => {
  for (const t of vectors.tampered) {
    test(`${t.name}: ${t.error}`, () => {
      assertRefused(verifyReceipt(hexToU8a(t.receipt), anchorFromJson(t.anchor)), t.error, t.name);
    });
  }
});

describe('bytes that are not one receipt', () => {
  const at = offsets(validBytes);

  test('the offsets read by hand are where the layout puts them', () => {
    assert.equal(validBytes[at.optionTag], 1, 'the valid receipt carries its transaction');
    assert.equal(validBytes[at.serverKeyVariant] <= 2, true);
  });

  const cases = [
    ['no bytes', () => new Uint8Array(0), 'Malformed'],
    ['one byte short', () => validBytes.subarray(0, validBytes.length - 1), 'Malformed'],
    ['only the version byte', () => validBytes.subarray(0, 1), 'Malformed'],
    ['a byte after the receipt', () => u8aConcat(validBytes, new Uint8Array([0])), 'Malformed'],
    ['over 1 MiB', () => u8aConcat(validBytes, new Uint8Array(MAX_RECEIPT_BYTES)), 'Malformed'],
    ['an unknown server key variant', () => withByte(validBytes, at.serverKeyVariant, 3), 'Malformed'],
    ['an Option tag of 2', () => withByte(validBytes, at.optionTag, 2), 'Malformed'],
    [
      'a length compact not in its shortest form',
      () => {
        // The same count in the two-byte form: 0b01 mode, count << 2.
        const count = validBytes[at.proofLength] >> 2;
        const long = new Uint8Array([((count << 2) | 1) & 0xff, count >> 6]);
        return u8aConcat(validBytes.subarray(0, at.proofLength), long, validBytes.subarray(at.proofLength + 1));
      },
      'Malformed',
    ],
    ['version 0', () => withByte(validBytes, 0, 0), 'UnsupportedVersion'],
    ['a lone version byte 3 (the version is read before the rest)', () => new Uint8Array([3]), 'UnsupportedVersion'],
    ['format 1 (one satellite key and signature, no attestations)', () => withByte(validBytes, 0, 1), 'UnsupportedVersion'],
  ];
  for (const [name, bytes, error] of cases) {
    test(`${name}: ${error}`, () => assertRefused(verifyReceipt(bytes(), validAnchor), error, name));
  }
});

// The verifier's hashes and signatures are the console's pure-JS ones (noble, scure); here they
// meet @polkadot's (wasm builds of the Rust crates) on each scheme a server key may have.
describe("the console verifier's primitives agree with @polkadot's", () => {
  test('its storage-key constants are twox128 of the pallet and map names', () => {
    for (const [item, constant] of Object.entries(TWOX_128)) {
      const twox = (name) => xxhashAsU8a(stringToU8a(name), 128);
      assert.equal(constant, u8aToHex(u8aConcat(twox('SpaceNotary'), twox(item))), item);
    }
  });

  for (const [scheme, variant] of [['ed25519', 0], ['sr25519', 1], ['ecdsa', 2]]) {
    test(`${scheme}: a signature by @polkadot verifies; a changed byte or message does not`, () => {
      const pair = serverKeyPair(scheme, `0x${'a7'.repeat(32)}`);
      const message = stringToU8a('space-notary/v1/server and a certificate');
      const raw = pair.sign(message).subarray(1); // MultiSignature without its variant byte
      assert.equal(verifyScheme(variant, message, raw, pair.publicKey), true);
      const changed = raw.slice();
      changed[10] ^= 1;
      let refused;
      try {
        refused = !verifyScheme(variant, message, changed, pair.publicKey);
      } catch {
        refused = true; // not a curve point or scalar: refused too (the verifier catches it)
      }
      assert.equal(refused, true, 'a changed signature');
      assert.equal(verifyScheme(variant, u8aConcat(message, new Uint8Array([0])), raw, pair.publicKey), false);
    });
  }
});
