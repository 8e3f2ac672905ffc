// The Space Notary contract (certificate v1, payloads, merkle tree) written again in JS from
// docs/design.md, so that the tests check the node against an independent implementation. Nothing
// here calls Rust code or asks the chain to compute anything.

import { TypeRegistry } from '@polkadot/types';
import { u8aConcat, u8aEq, u8aToHex, u8aToU8a, stringToU8a, hexToU8a } from '@polkadot/util';
import {
  blake2AsU8a,
  ed25519PairFromSeed,
  ed25519Sign,
  ed25519Verify,
  secp256k1PairFromSeed,
  cryptoWaitReady,
  secp256k1Sign,
  secp256k1Verify,
  sr25519PairFromSeed,
  sr25519Sign,
  sr25519Verify,
} from '@polkadot/util-crypto';

import { verifyMerkleProof as verifyLeafPath } from '../../satellite-bridge/console/receipt.js';

// sr25519 and the fast ed25519/secp256k1 paths live in WebAssembly.
await cryptoWaitReady();

export const CERTIFICATE_VERSION = 1;
export const SERVER_DOMAIN = stringToU8a('space-notary/v1/server');
export const SATELLITE_DOMAIN = stringToU8a('space-notary/v1/satellite');
export const SATELLITE_DOMAIN_V2 = stringToU8a('space-notary/v2/satellite');
export const ZERO_HASH = new Uint8Array(32);

/** Type definitions, from docs/design.md "Certificate v1" (names prefixed to stay clear of the chain's). */
export const TYPES = {
  SnBatchCertificate: {
    version: 'u8',
    genesisHash: 'H256',
    serverId: 'u32',
    sequence: 'u64',
    prevBatch: 'H256',
    batchRoot: 'H256',
    txCount: 'u32',
    totalBytes: 'u64',
    issuedAtMs: 'u64',
  },
  // MultiSigner's first three variants.
  SnServerKey: { _enum: { Ed25519: '[u8;32]', Sr25519: '[u8;32]', Ecdsa: '[u8;33]' } },
  // sp_runtime::MultiSignature.
  SnServerSignature: { _enum: { Ed25519: '[u8;64]', Sr25519: '[u8;64]', Ecdsa: '[u8;65]' } },
  SnInclusionProof: { leafIndex: 'u32', numberOfLeaves: 'u32', proof: 'Vec<H256>' },
};

/** A standalone registry holding only the contract's types. */
export const registry = new TypeRegistry();
registry.register(TYPES);

const SCHEMES = { ed25519: 'Ed25519', sr25519: 'Sr25519', ecdsa: 'Ecdsa' };

function bytes(value) {
  return typeof value === 'string' && !value.startsWith('0x') ? stringToU8a(value) : u8aToU8a(value);
}

/**
 * A certificate as a plain object with camelCase fields (`genesisHash`, `serverId`, ...).
 * Accepts hex strings or bytes for hashes, numbers/bigints for integers.
 */
export function certificate(fields) {
  return registry.createType('SnBatchCertificate', fields);
}

/** SCALE(cert): 129 bytes. */
export function encodeCertificate(fields) {
  const encoded = certificate(fields).toU8a();
  if (encoded.length !== 129) throw new Error(`certificate encodes to ${encoded.length} bytes, not 129`);
  return encoded;
}

/** blake2_256(SCALE(cert)). */
export function batchId(fields) {
  return blake2AsU8a(encodeCertificate(fields), 256);
}

/** b"space-notary/v1/server" ++ SCALE(cert). */
export function serverPayload(fields) {
  return u8aConcat(SERVER_DOMAIN, encodeCertificate(fields));
}

/** b"space-notary/v1/satellite" ++ batch_id ++ SCALE(MultiSignature). */
export function satellitePayload(id, serverSignatureScale) {
  const id32 = u8aToU8a(id);
  if (id32.length !== 32) throw new Error('batch id must be 32 bytes');
  // Decoding and re-encoding checks that the bytes really are one MultiSignature.
  const sig = registry.createType('SnServerSignature', u8aToU8a(serverSignatureScale));
  return u8aConcat(SATELLITE_DOMAIN, id32, sig.toU8a());
}

// ---- merkle tree (binary, blake2-256, odd node promoted unchanged) ----

/** blake2_256(tx). */
export function leafHash(tx) {
  return blake2AsU8a(bytes(tx), 256);
}

/** Every level of the tree, leaves first, root last. */
function levels(txs) {
  const all = [txs.map(leafHash)];
  while (all[all.length - 1].length > 1) {
    const below = all[all.length - 1];
    const above = [];
    for (let i = 0; i < below.length; i += 2) {
      above.push(i + 1 < below.length ? blake2AsU8a(u8aConcat(below[i], below[i + 1]), 256) : below[i]);
    }
    all.push(above);
  }
  return all;
}

/** The batch root over `txs`; zero for no transactions. */
export function merkleRoot(txs) {
  if (txs.length === 0) return new Uint8Array(ZERO_HASH);
  const all = levels(txs);
  return all[all.length - 1][0];
}

/** `{ leafIndex, numberOfLeaves, proof }`: the siblings of `txs[index]` from the leaf up. */
export function merkleProof(txs, index) {
  if (index < 0 || index >= txs.length) throw new Error(`no leaf ${index} among ${txs.length}`);
  const proof = [];
  let position = index;
  for (const level of levels(txs).slice(0, -1)) {
    const sibling = position % 2 === 1 ? position - 1 : position + 1;
    // The last node of an odd level has no sibling: it is promoted and the proof skips the level.
    if (sibling < level.length) proof.push(level[sibling]);
    position = Math.floor(position / 2);
  }
  return { leafIndex: index, numberOfLeaves: txs.length, proof };
}

/**
 * Whether `proof` leads from `tx` (or, with `{ isLeafHash: true }`, from a leaf hash) to `root`.
 * Strict: every sibling must be used, the index must be in range. The rule is the console's
 * (satellite-bridge/console/receipt.js), the one JS implementation of it.
 */
export function verifyMerkleProof(root, tx, { leafIndex, numberOfLeaves, proof }, { isLeafHash = false } = {}) {
  const leaf = isLeafHash ? u8aToU8a(tx) : leafHash(tx);
  return verifyLeafPath(u8aToU8a(root), leaf, { leafIndex, numberOfLeaves, proof: proof.map((p) => u8aToU8a(p)) });
}

/** SCALE of an inclusion proof: `leaf_index u32, number_of_leaves u32, proof Vec<H256>`. */
export function encodeInclusionProof(proof) {
  return registry.createType('SnInclusionProof', proof).toU8a();
}

// ---- keys and signatures ----

/**
 * A ground server's key pair from a 32-byte seed (sp-core `Pair::from_seed`).
 * `serverKey` is its SCALE `MultiSigner`-compatible enum; `sign(payload)` returns SCALE
 * `MultiSignature` bytes.
 */
export function serverKeyPair(scheme, seed) {
  const seedU8a = u8aToU8a(seed);
  let pair;
  let signRaw;
  switch (scheme) {
    case 'ed25519':
      pair = ed25519PairFromSeed(seedU8a);
      signRaw = (msg) => ed25519Sign(msg, pair);
      break;
    case 'sr25519':
      pair = sr25519PairFromSeed(seedU8a);
      signRaw = (msg) => sr25519Sign(msg, pair);
      break;
    case 'ecdsa':
      // Compressed 33-byte public key; signs blake2_256(msg) with recovery id, like sp-core.
      pair = secp256k1PairFromSeed(seedU8a);
      signRaw = (msg) => secp256k1Sign(msg, pair, 'blake2');
      break;
    default:
      throw new Error(`unknown scheme ${scheme}`);
  }
  const variant = SCHEMES[scheme];
  return {
    scheme,
    publicKey: pair.publicKey,
    /** `{ Sr25519: '0x…' }`, the form polkadot.js takes for the chain's `ServerKey`. */
    serverKeyJson: { [variant]: u8aToHex(pair.publicKey) },
    serverKey: registry.createType('SnServerKey', { [variant]: pair.publicKey }).toU8a(),
    /** SCALE MultiSignature over `msg`. */
    sign: (msg) => registry.createType('SnServerSignature', { [variant]: signRaw(msg) }).toU8a(),
  };
}

/** Verifies a SCALE MultiSignature over `msg` under a SCALE server key. */
export function verifyServerSignature(msg, serverSignatureScale, serverKeyScale) {
  const sig = registry.createType('SnServerSignature', u8aToU8a(serverSignatureScale));
  const key = registry.createType('SnServerKey', u8aToU8a(serverKeyScale));
  if (sig.type !== key.type) return false;
  const raw = sig.value.toU8a();
  const pub = key.value.toU8a();
  // Some verifiers throw on bytes that are not even a curve point: that is a bad signature too.
  try {
    return verifyRaw(sig.type, msg, raw, pub);
  } catch {
    return false;
  }
}

function verifyRaw(type, msg, raw, pub) {
  switch (type) {
    case 'Ed25519':
      return ed25519Verify(msg, raw, pub);
    case 'Sr25519':
      return sr25519Verify(msg, raw, pub);
    case 'Ecdsa':
      // Recovers the signer from blake2_256(msg) and compares it with the compressed key.
      return secp256k1Verify(msg, raw, pub, 'blake2');
    default:
      return false;
  }
}

/**
 * The v2 satellite payload: the v1 payload's fields after the v2 domain, then the satellite's
 * number (u32) and its clock at signing (u64 ms), both little-endian (docs/design.md).
 */
export function satellitePayloadV2(id, serverSignatureScale, satelliteId, signedAtMs) {
  const v1 = satellitePayload(id, serverSignatureScale);
  const tail = new Uint8Array(12);
  const view = new DataView(tail.buffer);
  view.setUint32(0, satelliteId, true);
  view.setBigUint64(4, BigInt(signedAtMs), true);
  return u8aConcat(SATELLITE_DOMAIN_V2, v1.subarray(SATELLITE_DOMAIN.length), tail);
}

/** The satellite's ed25519 key pair for one server, from a 32-byte seed. */
export function satelliteKeyPair(seed) {
  const pair = ed25519PairFromSeed(u8aToU8a(seed));
  return {
    publicKey: pair.publicKey,
    /** Raw 64-byte ed25519 signature over the v1 satellite payload. */
    countersign: (id, serverSignatureScale) => ed25519Sign(satellitePayload(id, serverSignatureScale), pair),
    /** A v2 countersignature `{ satelliteId, signedAtMs, signature }` as `submitAttestation` takes it. */
    countersignV2: (id, serverSignatureScale, satelliteId, signedAtMs) => ({
      satelliteId,
      signedAtMs: BigInt(signedAtMs),
      signature: ed25519Sign(satellitePayloadV2(id, serverSignatureScale, satelliteId, signedAtMs), pair),
    }),
  };
}

/**
 * Whether an attestation the chain recorded (as @polkadot/api decodes it) verifies under its own
 * key: over the v2 payload with its satellite and time, or the v1 payload when it has no time.
 */
export function verifyAttestation(id, serverSignatureScale, a) {
  const payload = a.signedAtMs.isSome
    ? satellitePayloadV2(id, serverSignatureScale, a.satelliteId.toNumber(), a.signedAtMs.unwrap().toBigInt())
    : satellitePayload(id, serverSignatureScale);
  return ed25519Verify(payload, a.signature.toU8a(), a.satelliteKey.toU8a());
}

/** Verifies a raw 64-byte satellite signature. */
export function verifyCountersignature(id, serverSignatureScale, signature, satelliteKey) {
  return ed25519Verify(satellitePayload(id, serverSignatureScale), signature, satelliteKey);
}

/**
 * Builds a batch: the certificate over `txs` for a server, its SCALE, id, and the server's
 * signature. `prevBatch` defaults to zero (first batch).
 */
export function buildBatch({ server, genesisHash, serverId, sequence, prevBatch = ZERO_HASH, txs, issuedAtMs = Date.now() }) {
  const txBytes = txs.map(bytes);
  const fields = {
    version: CERTIFICATE_VERSION,
    genesisHash: u8aToU8a(genesisHash),
    serverId,
    sequence,
    prevBatch: u8aToU8a(prevBatch),
    batchRoot: merkleRoot(txBytes),
    txCount: txBytes.length,
    totalBytes: txBytes.reduce((sum, tx) => sum + tx.length, 0),
    issuedAtMs,
  };
  const serverSignature = server.sign(serverPayload(fields));
  return {
    fields,
    txs: txBytes,
    scale: encodeCertificate(fields),
    id: batchId(fields),
    serverSignature,
  };
}

export { hexToU8a, u8aToHex, u8aEq };
