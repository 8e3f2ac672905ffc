// Every vector in primitives/test-vectors/v1.json, recomputed by the JS implementation of the
// contract (lib/notary.js). The vectors come from the Rust primitives; agreement here means two
// independent implementations agree byte for byte.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { u8aToHex, hexToU8a } from '@polkadot/util';
import {
  ed25519PairFromSeed,
  ed25519Verify,
  secp256k1PairFromSeed,
  sr25519PairFromSeed,
} from '@polkadot/util-crypto';

import {
  SATELLITE_DOMAIN,
  SERVER_DOMAIN,
  batchId,
  encodeCertificate,
  encodeInclusionProof,
  leafHash,
  merkleProof,
  merkleRoot,
  registry,
  satelliteKeyPair,
  satellitePayload,
  satellitePayloadV2,
  serverKeyPair,
  serverPayload,
  verifyCountersignature,
  verifyMerkleProof,
  verifyServerSignature,
} from '../lib/notary.js';

// Integers past 2^53 (the u64::MAX vector) lose precision in JSON.parse: read them as strings.
const vectors = JSON.parse(
  fs
    .readFileSync(new URL('../../primitives/test-vectors/v1.json', import.meta.url), 'utf8')
    .replace(/(:\s*)(\d{16,})(\s*[,}\n])/g, '$1"$2"$3'),
);

/** The vector's snake_case certificate as the camelCase fields lib/notary.js takes. */
function fieldsOf(cert) {
  return {
    version: cert.version,
    genesisHash: cert.genesis_hash,
    serverId: Number(cert.server_id),
    sequence: BigInt(cert.sequence),
    prevBatch: cert.prev_batch,
    batchRoot: cert.batch_root,
    txCount: cert.tx_count,
    totalBytes: BigInt(cert.total_bytes),
    issuedAtMs: BigInt(cert.issued_at_ms),
  };
}

const hex = (u8a) => u8aToHex(u8a);

/** Flips one bit of a copy of `u8a`. */
function flipped(u8a, index = 0) {
  const copy = new Uint8Array(u8a);
  copy[index] ^= 0x01;
  return copy;
}

test('the vector file is not empty', () => {
  assert.ok(vectors.certificates.length >= 3, 'at least three certificate vectors');
  assert.deepEqual(
    new Set(vectors.certificates.map((c) => c.server_scheme)),
    new Set(['ed25519', 'sr25519', 'ecdsa']),
    'one vector per server scheme',
  );
  assert.deepEqual(
    vectors.merkle.map((m) => m.txs.length),
    [0, 1, 2, 3, 7],
  );
});

test('domains', () => {
  assert.equal(hex(SERVER_DOMAIN), vectors.domains.server);
  assert.equal(hex(SATELLITE_DOMAIN), vectors.domains.satellite);
});

describe('certificates', () => {
  for (const v of vectors.certificates) {
    describe(v.name, () => {
      const fields = fieldsOf(v.cert);

      test('server key from seed', () => {
        const server = serverKeyPair(v.server_scheme, v.server_seed);
        assert.equal(hex(server.serverKey), v.server_key);
        // The same key by the library's own pair function, spelt out per scheme.
        const seed = hexToU8a(v.server_seed);
        const expected = {
          ed25519: () => ed25519PairFromSeed(seed).publicKey,
          sr25519: () => sr25519PairFromSeed(seed).publicKey,
          ecdsa: () => secp256k1PairFromSeed(seed).publicKey,
        }[v.server_scheme]();
        assert.equal(expected.length, v.server_scheme === 'ecdsa' ? 33 : 32);
        assert.equal(hex(server.serverKey.subarray(1)), hex(expected));
        assert.equal(server.serverKey[0], { ed25519: 0, sr25519: 1, ecdsa: 2 }[v.server_scheme]);
      });

      test('satellite key from seed', () => {
        assert.equal(hex(satelliteKeyPair(v.satellite_seed).publicKey), v.satellite_key);
        assert.equal(hex(ed25519PairFromSeed(hexToU8a(v.satellite_seed)).publicKey), v.satellite_key);
      });

      test('SCALE encoding, 129 bytes, and decoding back', () => {
        const scale = encodeCertificate(fields);
        assert.equal(scale.length, 129);
        assert.equal(hex(scale), v.scale);
        const decoded = registry.createType('SnBatchCertificate', hexToU8a(v.scale));
        assert.equal(decoded.serverId.toNumber(), Number(v.cert.server_id));
        assert.equal(decoded.sequence.toBigInt(), BigInt(v.cert.sequence));
        assert.equal(decoded.issuedAtMs.toBigInt(), BigInt(v.cert.issued_at_ms));
        assert.equal(decoded.batchRoot.toHex(), v.cert.batch_root);
      });

      test('batch id', () => {
        assert.equal(hex(batchId(fields)), v.batch_id);
        assert.notEqual(hex(batchId({ ...fields, sequence: fields.sequence ^ 1n })), v.batch_id);
      });

      test('server payload', () => {
        assert.equal(hex(serverPayload(fields)), v.server_payload);
      });

      test('server signature verifies; deterministic ones are recomputed', () => {
        const payload = hexToU8a(v.server_payload);
        const sig = hexToU8a(v.server_signature);
        const key = hexToU8a(v.server_key);
        assert.ok(verifyServerSignature(payload, sig, key), 'vector signature verifies');
        assert.ok(!verifyServerSignature(flipped(payload, 30), sig, key), 'tampered payload fails');
        assert.ok(!verifyServerSignature(payload, flipped(sig, 5), key), 'tampered signature fails');

        const server = serverKeyPair(v.server_scheme, v.server_seed);
        const ours = server.sign(payload);
        assert.ok(verifyServerSignature(payload, ours, key), 'our signature verifies');
        if (v.server_signature_deterministic) {
          assert.equal(hex(ours), v.server_signature, 'deterministic signature recomputed');
        } else {
          assert.equal(v.server_scheme, 'sr25519', 'only sr25519 signatures are randomised');
          assert.equal(ours.length, v.server_signature.length / 2 - 1);
        }
      });

      test('satellite payload', () => {
        assert.equal(
          hex(satellitePayload(hexToU8a(v.batch_id), hexToU8a(v.server_signature))),
          v.satellite_payload,
        );
      });

      test('satellite signature recomputed (ed25519 is deterministic) and verified', () => {
        const satellite = satelliteKeyPair(v.satellite_seed);
        const id = hexToU8a(v.batch_id);
        const serverSig = hexToU8a(v.server_signature);
        assert.equal(hex(satellite.countersign(id, serverSig)), v.satellite_signature);
        const sig = hexToU8a(v.satellite_signature);
        const key = hexToU8a(v.satellite_key);
        assert.ok(verifyCountersignature(id, serverSig, sig, key));
        assert.ok(!verifyCountersignature(flipped(id), serverSig, sig, key), 'other batch id fails');
        assert.ok(!verifyCountersignature(id, serverSig, flipped(sig, 40), key), 'tampered signature fails');
      });

      test('v2 satellite payload and signature: the satellite and its clock join the payload', () => {
        const id = hexToU8a(v.batch_id);
        const serverSig = hexToU8a(v.server_signature);
        const payload = satellitePayloadV2(id, serverSig, v.satellite_id, v.signed_at_ms);
        assert.equal(hex(payload), v.satellite_payload_v2);
        const satellite = satelliteKeyPair(v.satellite_seed);
        const cs = satellite.countersignV2(id, serverSig, v.satellite_id, v.signed_at_ms);
        assert.equal(hex(cs.signature), v.satellite_signature_v2);
        const key = hexToU8a(v.satellite_key);
        assert.ok(ed25519Verify(payload, cs.signature, key));
        const moved = satellitePayloadV2(id, serverSig, v.satellite_id, v.signed_at_ms + 1);
        assert.ok(!ed25519Verify(moved, cs.signature, key), 'another time fails');
        const other = satellitePayloadV2(id, serverSig, v.satellite_id + 1, v.signed_at_ms);
        assert.ok(!ed25519Verify(other, cs.signature, key), 'another satellite fails');
      });
    });
  }
});

describe('merkle', () => {
  for (const m of vectors.merkle) {
    describe(`${m.txs.length} transactions`, () => {
      const txs = m.txs.map((t) => hexToU8a(t));

      test('leaves and root', () => {
        assert.deepEqual(txs.map((tx) => hex(leafHash(tx))), m.leaves);
        assert.equal(hex(merkleRoot(txs)), m.root);
        if (txs.length === 1) assert.equal(m.root, m.leaves[0], 'one transaction: root is its leaf');
        if (txs.length === 0) assert.equal(m.root, hex(new Uint8Array(32)), 'no transactions: zero root');
      });

      test('every proof recomputed, encoded and verified', () => {
        assert.equal(m.proofs.length, txs.length, 'a proof per transaction');
        for (const p of m.proofs) {
          const ours = merkleProof(txs, p.leaf_index);
          assert.equal(ours.numberOfLeaves, p.number_of_leaves);
          assert.deepEqual(ours.proof.map(hex), p.proof, `proof of leaf ${p.leaf_index}`);
          assert.equal(hex(encodeInclusionProof(ours)), p.scale);

          const theirs = { leafIndex: p.leaf_index, numberOfLeaves: p.number_of_leaves, proof: p.proof };
          const tx = txs[p.leaf_index];
          assert.ok(verifyMerkleProof(m.root, tx, theirs), `leaf ${p.leaf_index} verifies`);
          assert.ok(
            verifyMerkleProof(m.root, hexToU8a(m.leaves[p.leaf_index]), theirs, { isLeafHash: true }),
            'verifies from the leaf hash',
          );
          // Tampering anywhere must fail.
          assert.ok(!verifyMerkleProof(m.root, new Uint8Array([...tx, 0]), theirs), 'other tx fails');
          assert.ok(
            !verifyMerkleProof(flipped(hexToU8a(m.root)), tx, theirs),
            'other root fails',
          );
          if (p.number_of_leaves > 1) {
            const other = (p.leaf_index + 1) % p.number_of_leaves;
            assert.ok(
              !verifyMerkleProof(m.root, tx, { ...theirs, leafIndex: other }) ||
                hex(txs[other]) === hex(tx),
              'wrong index fails',
            );
            assert.ok(
              !verifyMerkleProof(m.root, tx, { ...theirs, proof: [...p.proof, m.root] }),
              'extra sibling fails',
            );
            assert.ok(
              !verifyMerkleProof(m.root, tx, { ...theirs, proof: p.proof.slice(1) }),
              'missing sibling fails',
            );
          }
          assert.ok(
            !verifyMerkleProof(m.root, tx, { ...theirs, leafIndex: p.number_of_leaves }),
            'index out of range fails',
          );
        }
      });
    });
  }
});
