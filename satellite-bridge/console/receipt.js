// The receipt verifier of the console's "Verify a receipt" view, format 1, written from
// docs/receipts.md alone (not from the Rust verifier in primitives/src/receipt.rs), so that e2e
// can check each against the other. It reads the SCALE bytes, the state trie and the GRANDPA
// justification itself and runs every check in the page; hashes and signatures come from
// ./crypto.js (audited pure-JS libraries, bundled by scripts/vendor-console-crypto). It
// runs the same in a browser and in Node, and asks nothing of the network.

import { blake2b, ed25519, secp256k1, sr25519Verify } from './crypto.js';

// ---- bytes ----

const utf8 = (text) => new TextEncoder().encode(text);

/** blake2b with a `bits`-bit digest (256 or 128). */
const blake2AsU8a = (data, bits) => blake2b(data, { dkLen: bits / 8 });

function u8aEq(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function u8aConcat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u8aToHex(bytes) {
  let out = '0x';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

const isHex = (value) => typeof value === 'string' && /^0x(?:[0-9a-fA-F]{2})*$/.test(value);

function hexToU8a(hex) {
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

// ---- the contract's rules the receipt relies on (docs/design.md) ----

const SERVER_DOMAIN = utf8('space-notary/v1/server');
const SATELLITE_DOMAIN = utf8('space-notary/v1/satellite');
const SATELLITE_DOMAIN_V2 = utf8('space-notary/v2/satellite');

/**
 * The merkle rule: binary, blake2-256 of the two children, an odd last node promoted unchanged;
 * `proof` lists the siblings leaf to root and must be used up exactly.
 */
export function verifyMerkleProof(root, leaf, { leafIndex, numberOfLeaves, proof }) {
  if (numberOfLeaves < 1 || leafIndex < 0 || leafIndex >= numberOfLeaves) return false;
  let node = leaf;
  let position = leafIndex;
  let width = numberOfLeaves;
  let used = 0;
  while (width > 1) {
    const promoted = position === width - 1 && width % 2 === 1;
    if (!promoted) {
      if (used >= proof.length) return false;
      const sibling = proof[used++];
      node = blake2AsU8a(position % 2 === 1 ? u8aConcat(sibling, node) : u8aConcat(node, sibling), 256);
    }
    position = Math.floor(position / 2);
    width = Math.ceil(width / 2);
  }
  return used === proof.length && u8aEq(node, root);
}

/**
 * A signature of `message` by a key of one scheme: ed25519 and sr25519 over the message itself;
 * ecdsa (secp256k1) over blake2-256 of it, the signer recovered and compared with the
 * compressed key, as sp_core does.
 */
export function verifyScheme(variant, message, raw, key) {
  switch (variant) {
    case 0:
      return ed25519.verify(raw, message, key);
    case 1:
      return sr25519Verify(message, raw, key);
    case 2: {
      const signature = secp256k1.Signature.fromCompact(raw.subarray(0, 64)).addRecoveryBit(raw[64]);
      const signer = signature.recoverPublicKey(blake2AsU8a(message, 256)).toRawBytes(true);
      return u8aEq(signer, key);
    }
    default:
      return false;
  }
}

export const RECEIPT_VERSION = 2;
/** The largest binary receipt read: bigger ones are `Malformed` without being read. */
export const MAX_RECEIPT_BYTES = 1 << 20;

const U64_MAX = (1n << 64n) - 1n;
const CERTIFICATE_BYTES = 129;

// The check each error belongs to (docs/receipts.md, "Checks").
const CHECK_OF = {
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

/** The checks in the order the verifier runs them, each with what it establishes. */
export const CHECKS = [
  ['Format', 'receipt format (version 2, well formed)'],
  ['Genesis', 'certificate names the trusted chain'],
  ['Transaction', 'transaction is in the batch (merkle path to the root)'],
  ['ServerSignature', 'server signature over the certificate'],
  ['SatelliteSignature', 'satellite countersignatures'],
  ['Record', 'chain state holds the batch certified (storage proof)'],
  ['Finality', 'block finalized by the trusted GRANDPA authority set'],
];

/** What each refusal means (docs/receipts.md, "Errors"). */
export const REASONS = {
  Malformed: 'not a receipt of format 1, or over 1 MiB',
  UnsupportedVersion: 'the receipt is of another format than 1',
  WrongGenesis: 'the certificate names another chain than the trusted one',
  LeafMismatch: "the transaction does not hash to the receipt's leaf",
  TxNotInBatch: "the inclusion proof does not lead to the certificate's batch root",
  BadServerSignature: 'the server signature does not verify under the server key',
  BadSatelliteSignature: 'the countersignature does not verify under the satellite key',
  StorageProofInvalid: "the storage proof does not prove the batch's record and the server key against the block's state root",
  RecordMismatch: "the chain's record is for another certificate or server signature",
  NotCertified: "the chain's record is not certified with this countersignature and satellite key",
  ServerKeyNotProven: "the server key is not the certificate's server's key in that block",
  BadAncestry: 'the headers do not chain from the block to the justified block',
  UnknownAuthoritySet: 'the justification is signed by keys outside the trusted authority set',
  BadJustification: "a precommit's signature does not verify, is repeated or votes off the justified chain",
  NotFinalized: "the justification does not finalize the block with more than two thirds of the set's weight",
  BadSetChange: 'a set change is not scheduled, not enacted, or not finalized by the set before it',
};

/** A refusal: `{ ok: false, error, check }`. */
function refuse(error) {
  return { ok: false, error, check: CHECK_OF[error] };
}

// ---- SCALE reading ----

/** Thrown by the reader on bytes that are not the expected encoding. */
class Malformed extends Error {}

/** Reads SCALE values from a byte array, front to back; throws `Malformed` when out of bytes. */
class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }

  remaining() {
    return this.bytes.length - this.pos;
  }

  /** The next `n` bytes (a view, not a copy). */
  take(n) {
    if (n > this.remaining()) throw new Malformed(`${n} bytes wanted, ${this.remaining()} left`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8() {
    return this.take(1)[0];
  }

  u32() {
    const b = this.take(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  u64() {
    const b = this.take(8);
    let value = 0n;
    for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(b[i]);
    return value;
  }

  /** `Compact<u32>` in its shortest form only, as parity-scale-codec reads it. */
  compactU32() {
    const first = this.u8();
    switch (first & 3) {
      case 0:
        return first >>> 2;
      case 1: {
        const value = (first | (this.u8() << 8)) >>> 2;
        if (value < 1 << 6) throw new Malformed('compact not in its shortest form');
        return value;
      }
      case 2: {
        const b = this.take(3);
        const value = ((first | (b[0] << 8) | (b[1] << 16) | (b[2] << 24)) >>> 0) >>> 2;
        if (value < 1 << 14) throw new Malformed('compact not in its shortest form');
        return value;
      }
      default: {
        // Only the 4-byte form fits a u32, and only for values that the 4-byte mode cannot hold.
        if (first !== 3) throw new Malformed('compact out of range for u32');
        const value = this.u32();
        if (value < 2 ** 30) throw new Malformed('compact not in its shortest form');
        return value;
      }
    }
  }

  /** `Vec<u8>`. */
  byteVec() {
    return this.take(this.compactU32());
  }

  /** `Vec<T>` of elements read by `item`; each takes at least `minSize` bytes. */
  vec(item, minSize) {
    const count = this.compactU32();
    // Refuse a count the remaining bytes cannot hold before looping over it.
    if (count * minSize > this.remaining()) throw new Malformed(`${count} items cannot fit`);
    const out = [];
    for (let i = 0; i < count; i++) out.push(item(this));
    return out;
  }

  /** `Option<T>`: a tag 0 (none) or 1 (some). */
  option(item) {
    const tag = this.u8();
    if (tag === 0) return null;
    if (tag === 1) return item(this);
    throw new Malformed(`option tag ${tag}`);
  }
}

/** `BatchCertificate` (design.md, "Certificate v1"): its 129 bytes and the fields the checks use. */
function readCertificate(r) {
  const bytes = r.take(CERTIFICATE_BYTES);
  const c = new Reader(bytes);
  const cert = {
    bytes,
    version: c.u8(),
    genesisHash: c.take(32),
    serverId: c.u32(),
    sequence: c.u64(),
    prevBatch: c.take(32),
    batchRoot: c.take(32),
    txCount: c.u32(),
    totalBytes: c.u64(),
    issuedAtMs: c.u64(),
  };
  return cert;
}

/** `ServerKey`: 0 ed25519 [32], 1 sr25519 [32], 2 ecdsa [33]; its SCALE bytes and variant. */
function readServerKey(r) {
  const start = r.pos;
  const variant = r.u8();
  const size = [32, 32, 33][variant];
  if (size === undefined) throw new Malformed(`server key variant ${variant}`);
  const raw = r.take(size);
  return { variant, raw, bytes: r.bytes.subarray(start, r.pos) };
}

/** `MultiSignature`: 0 ed25519 [64], 1 sr25519 [64], 2 ecdsa [65], 3 eth [65]; SCALE bytes and variant. */
function readMultiSignature(r) {
  const start = r.pos;
  const variant = r.u8();
  const size = [64, 64, 65, 65][variant];
  if (size === undefined) throw new Malformed(`signature variant ${variant}`);
  const raw = r.take(size);
  return { variant, raw, bytes: r.bytes.subarray(start, r.pos) };
}

/** `DigestItem`: `{ variant, engine, data }` (engine and data where the variant has them). */
function readDigestItem(r) {
  const variant = r.u8();
  switch (variant) {
    case 0: // Other(Vec<u8>)
      return { variant, engine: null, data: r.byteVec() };
    case 4: // Consensus(engine [4], Vec<u8>)
    case 5: // Seal
    case 6: // PreRuntime
      return { variant, engine: r.take(4), data: r.byteVec() };
    case 8: // RuntimeEnvironmentUpdated
      return { variant, engine: null, data: null };
    default:
      throw new Malformed(`digest item variant ${variant}`);
  }
}

/** `Header`, with its hash: blake2_256 of its bytes as they are in the receipt. */
function readHeader(r) {
  const start = r.pos;
  const parentHash = r.take(32);
  const number = r.compactU32();
  const stateRoot = r.take(32);
  r.take(32); // extrinsics_root
  const digest = r.vec(readDigestItem, 1);
  return { parentHash, number, stateRoot, digest, hash: blake2AsU8a(r.bytes.subarray(start, r.pos), 256) };
}

function readSignedPrecommit(r) {
  return { targetHash: r.take(32), targetNumber: r.u32(), signature: r.take(64), id: r.take(32) };
}

function readJustification(r) {
  const round = r.u64();
  const targetHash = r.take(32);
  const targetNumber = r.u32();
  const precommits = r.vec(readSignedPrecommit, 132);
  const votesAncestries = r.vec(readHeader, 98);
  return { round, commit: { targetHash, targetNumber, precommits }, votesAncestries };
}

/**
 * An attestation `{ satellite_id: u32, satellite_key: [u8; 32], signed_at_ms: Option<u64>,
 * signature: [u8; 64] }`: `signedAtMs` is a bigint, or null for a v1 countersignature.
 */
function readAttestation(r) {
  return { satelliteId: r.u32(), satelliteKey: r.take(32), signedAtMs: r.option((x) => x.u64()), signature: r.take(64) };
}

function attestationEq(a, b) {
  return a.satelliteId === b.satelliteId && u8aEq(a.satelliteKey, b.satelliteKey) && a.signedAtMs === b.signedAtMs && u8aEq(a.signature, b.signature);
}

function u32le(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function u64le(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

/**
 * Whether an attestation's signature verifies under its key: over the v2 payload (domain, batch
 * id, server signature, satellite id, time) when it carries a time, over the v1 payload otherwise.
 */
function attestationValid(a, batchId, serverSignature) {
  const payload =
    a.signedAtMs === null
      ? u8aConcat(SATELLITE_DOMAIN, batchId, serverSignature)
      : u8aConcat(SATELLITE_DOMAIN_V2, batchId, serverSignature, u32le(a.satelliteId), u64le(a.signedAtMs));
  try {
    return ed25519.verify(a.signature, payload, a.satelliteKey);
  } catch {
    return false;
  }
}

/**
 * The receipt's fields, read from exactly the bytes given (docs/receipts.md, "Layout").
 * Throws `Malformed` on anything else; the caller checks size and version first.
 */
function readReceipt(bytes) {
  const r = new Reader(bytes);
  const version = r.u8();
  const tx = {
    leaf: r.take(32),
    proof: { leafIndex: r.u32(), numberOfLeaves: r.u32(), proof: r.vec((x) => x.take(32), 32) },
    tx: r.option((x) => x.byteVec()),
  };
  const batch = {
    cert: readCertificate(r),
    serverKey: readServerKey(r),
    serverSignature: readMultiSignature(r),
    attestations: r.vec(readAttestation, 101),
  };
  const chain = {
    header: readHeader(r),
    stateProof: r.vec((x) => x.byteVec(), 1),
    descendants: r.vec(readHeader, 98),
    justification: readJustification(r),
    setChanges: r.vec((x) => ({ header: readHeader(x), descendants: x.vec(readHeader, 98), justification: readJustification(x) }), 98),
  };
  if (r.remaining() !== 0) throw new Malformed(`${r.remaining()} bytes after the receipt`);
  return { version, tx, batch, chain };
}

// ---- the state trie (docs/receipts.md, "Reading the state trie") ----

/** Thrown while reading a trie node that does not decode. */
class BadNode extends Error {}

/** A byte string as nibbles, high nibble first. */
function nibblesOf(bytes) {
  const out = [];
  for (const b of bytes) out.push(b >> 4, b & 15);
  return out;
}

/** Reads a node's header: `{ kind, nibbles }`, kind one of empty, leaf, branch, branchValue, hashedLeaf, hashedBranch. */
function readNodeHeader(r) {
  const first = r.u8();
  if (first === 0) return { kind: 'empty', nibbles: 0 };
  let kind;
  let sizeBits;
  switch (first >> 6) {
    case 1:
      [kind, sizeBits] = ['leaf', 6];
      break;
    case 2:
      [kind, sizeBits] = ['branch', 6];
      break;
    case 3:
      [kind, sizeBits] = ['branchValue', 6];
      break;
    default:
      if (first >> 5 === 1) [kind, sizeBits] = ['hashedLeaf', 5];
      else if (first >> 4 === 1) [kind, sizeBits] = ['hashedBranch', 4];
      else throw new BadNode(`node header 0x${first.toString(16)}`);
  }
  // The nibble count: the header's low bits, and when they are all ones, the sum of the bytes
  // that follow up to and including the first below 255. Each byte is read from the node, so
  // the loop ends with the node's bytes.
  const max = 255 >> (8 - sizeBits);
  let nibbles = first & max;
  if (nibbles === max) {
    for (;;) {
      const next = r.u8();
      nibbles += next;
      if (next < 255) break;
    }
  }
  return { kind, nibbles };
}

/** The partial key: `nibbles` nibbles in ceil(nibbles/2) bytes, an odd count padded by a zero high nibble. */
function readPartial(r, count) {
  const bytes = r.take(Math.ceil(count / 2));
  const all = nibblesOf(bytes);
  if (count % 2 === 1) {
    if (all[0] !== 0) throw new BadNode('padding nibble is not zero');
    return all.slice(1);
  }
  return all;
}

/**
 * Decodes one trie node (sp-trie's NodeCodec, layout V1): `{ kind: 'empty' }`,
 * `{ kind: 'leaf', partial, value }` or `{ kind: 'branch', partial, value, children }`, where a
 * value is `{ inline: bytes }`, `{ hash: bytes }` or null, and a child `{ hash }`, `{ inline }` or null.
 * Bytes after the node's last field are ignored, as sp-trie does.
 */
function decodeNode(bytes) {
  const r = new Reader(bytes);
  const { kind, nibbles } = readNodeHeader(r);
  if (kind === 'empty') return { kind };
  const partial = readPartial(r, nibbles);
  if (kind === 'leaf') return { kind: 'leaf', partial, value: { inline: r.byteVec() } };
  if (kind === 'hashedLeaf') return { kind: 'leaf', partial, value: { hash: r.take(32) } };

  const bitmap = r.take(2);
  const present = bitmap[0] | (bitmap[1] << 8);
  if (present === 0) throw new BadNode('branch without a child');
  let value = null;
  if (kind === 'branchValue') value = { inline: r.byteVec() };
  if (kind === 'hashedBranch') value = { hash: r.take(32) };
  const children = [];
  for (let i = 0; i < 16; i++) {
    if ((present >> i) & 1) {
      const child = r.byteVec();
      children.push(child.length === 32 ? { hash: child } : { inline: child });
    } else {
      children.push(null);
    }
  }
  return { kind: 'branch', partial, value, children };
}

/** Whether `key` (nibbles) has `prefix` (nibbles) at `offset`. */
function hasAt(key, offset, prefix) {
  if (key.length - offset < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[offset + i] !== prefix[i]) return false;
  return true;
}

/**
 * The value at `key` in the trie of root `root` whose nodes are in `nodes` (hex of
 * blake2_256(node) → node), or null when the key has no value, a node is missing or does not
 * decode: a receipt must prove the value, so all three refuse it alike.
 */
function readTrieValue(nodes, root, key) {
  const lookup = (hash) => nodes.get(u8aToHex(hash)) ?? null;
  const path = nibblesOf(key);
  let data = lookup(root);
  let offset = 0; // nibbles of `path` consumed
  try {
    // Every step down a branch consumes at least one nibble, so there are at most path.length + 1 nodes.
    for (let step = 0; step <= path.length && data !== null; step++) {
      const node = decodeNode(data);
      if (node.kind === 'empty') return null;
      if (!hasAt(path, offset, node.partial)) return null;
      const end = offset + node.partial.length;
      let value = null;
      if (node.kind === 'leaf') {
        if (end !== path.length) return null;
        value = node.value;
      } else if (end === path.length) {
        value = node.value;
        if (value === null) return null;
      } else {
        const child = node.children[path[end]];
        if (child === null) return null;
        offset = end + 1;
        data = child.hash ? lookup(child.hash) : child.inline;
        continue;
      }
      // A hashed value is looked up among the proof's nodes by its hash.
      return value.inline ?? lookup(value.hash);
    }
  } catch (e) {
    if (e instanceof BadNode || e instanceof Malformed) return null;
    throw e;
  }
  return null;
}

// twox128("SpaceNotary") ++ twox128(item), for the two maps a receipt reads (constants: the
// page needs no xxhash; e2e checks them against one).
export const TWOX_128 = {
  Batches: '0x75a35ff276c4998600400bb0370b3565693613c6489d72d2393dccb449b7d452',
  ServerKeyOwner: '0x75a35ff276c4998600400bb0370b35652482b6279179bb2e8b9a8be1b8008d47',
};

/** The storage key of a map entry of the SpaceNotary pallet: twox128 of both names, then `suffix`. */
function storageKey(item, suffix) {
  return u8aConcat(hexToU8a(TWOX_128[item]), suffix);
}

/**
 * The batch record `{ cert, server_signature, submitted_at: u32, status }` read from the start of
 * `value` (bytes after it are ignored); throws `Malformed` when it does not decode.
 */
function readBatchRecord(value) {
  const r = new Reader(value);
  const cert = readCertificate(r);
  const serverSignature = readMultiSignature(r);
  r.u32(); // submitted_at
  const variant = r.u8();
  switch (variant) {
    case 0: // Pending { expires_at, attestations }
      r.u32();
      r.vec(readAttestation, 101);
      return { cert, serverSignature, status: { kind: 'Pending' } };
    case 1: // Certified { attestations, certified_at }
      return {
        cert,
        serverSignature,
        status: { kind: 'Certified', attestations: r.vec(readAttestation, 101), certifiedAt: r.u32() },
      };
    case 2: {
      // Expired { at, reason: ExpiryReason (0 TtlElapsed, 1 ServerDeregistered, no data) }
      r.u32();
      const reason = r.u8();
      if (reason > 1) throw new Malformed(`expiry reason ${reason}`);
      return { cert, serverSignature, status: { kind: 'Expired' } };
    }
    default:
      throw new Malformed(`batch status variant ${variant}`);
  }
}

/** Check 6: the record and the server key's owner; returns the block of certification or a refusal name. */
function checkRecord(receipt, batchId) {
  const { batch, chain } = receipt;
  const nodes = new Map();
  for (const node of chain.stateProof) nodes.set(u8aToHex(blake2AsU8a(node, 256)), node);
  const root = chain.header.stateRoot;

  const recordValue = readTrieValue(nodes, root, storageKey('Batches', batchId));
  if (recordValue === null) return { error: 'StorageProofInvalid' };
  let record;
  try {
    record = readBatchRecord(recordValue);
  } catch (e) {
    if (e instanceof Malformed) return { error: 'StorageProofInvalid' };
    throw e;
  }
  if (!u8aEq(record.cert.bytes, batch.cert.bytes) || !u8aEq(record.serverSignature.bytes, batch.serverSignature.bytes)) {
    return { error: 'RecordMismatch' };
  }
  const { status } = record;
  if (
    status.kind !== 'Certified' ||
    status.attestations.length !== batch.attestations.length ||
    !status.attestations.every((a, i) => attestationEq(a, batch.attestations[i]))
  ) {
    return { error: 'NotCertified' };
  }

  // ServerKeyOwner is a Blake2_128Concat map: blake2_128(SCALE(key)) ++ SCALE(key).
  const keyScale = batch.serverKey.bytes;
  const ownerValue = readTrieValue(nodes, root, storageKey('ServerKeyOwner', u8aConcat(blake2AsU8a(keyScale, 128), keyScale)));
  if (ownerValue === null) return { error: 'StorageProofInvalid' };
  // The value is SCALE(u32): its first four bytes, little-endian.
  if (ownerValue.length < 4 || new Reader(ownerValue).u32() !== batch.cert.serverId) {
    return { error: 'ServerKeyNotProven' };
  }
  return { certifiedAt: status.certifiedAt };
}

// ---- GRANDPA (check 7) ----

/** What an authority signs for a precommit: SCALE(1u8, target_hash, target_number u32, round u64, set_id u64). */
function precommitPayload(precommit, round, setId) {
  const out = new Uint8Array(53);
  const view = new DataView(out.buffer);
  out[0] = 1; // Message::Precommit
  out.set(precommit.targetHash, 1);
  view.setUint32(33, precommit.targetNumber, true);
  view.setBigUint64(37, round, true);
  view.setBigUint64(45, setId, true);
  return out;
}

/**
 * Whether the precommit's target is the commit's target, or descends from it through the
 * ancestry headers (`ancestry`: hex hash → header): each step goes to the parent, one number lower.
 * At most `ancestry.size` headers are looked up.
 */
function descends(precommit, commit, ancestry) {
  let hash = precommit.targetHash;
  let number = precommit.targetNumber;
  for (let step = 0; step <= ancestry.size; step++) {
    if (u8aEq(hash, commit.targetHash)) return number === commit.targetNumber;
    if (number <= commit.targetNumber) return false;
    const header = ancestry.get(u8aToHex(hash));
    if (!header || header.number !== number) return false;
    hash = header.parentHash;
    number -= 1;
  }
  return false;
}

const saturatingAdd = (a, b) => (a + b > U64_MAX ? U64_MAX : a + b);

/** The last of `descendants` if each is the child of the one before, from `header`; else null. */
function chainEnd(header, descendants) {
  let last = { number: header.number, hash: header.hash };
  for (const next of descendants) {
    if (!u8aEq(next.parentHash, last.hash) || next.number !== last.number + 1) return null;
    last = { number: next.number, hash: next.hash };
  }
  return last;
}

// GRANDPA's engine id in digests, "FRNK".
const GRANDPA_ENGINE_ID = utf8('FRNK');

/**
 * The one standard change a header schedules: `{ nextAuthorities, delay }`, or null when it
 * schedules none, more than one, or one that does not decode.
 */
function scheduledChange(header) {
  let found = null;
  for (const item of header.digest) {
    if (item.variant !== 4 || !u8aEq(item.engine, GRANDPA_ENGINE_ID)) continue;
    // ConsensusLog::ScheduledChange is variant 1; other GRANDPA logs do not change the set.
    if (item.data.length === 0 || item.data[0] !== 1) continue;
    let change;
    try {
      const r = new Reader(item.data.subarray(1));
      change = { nextAuthorities: r.vec((x) => [x.take(32), x.u64()], 40), delay: r.u32() };
      if (r.remaining() !== 0) return null;
    } catch (e) {
      if (e instanceof Malformed) return null;
      throw e;
    }
    if (found) return null;
    found = change;
  }
  return found;
}

/** Whether `justification` finalizes `target` under the set `setId` of `authorities`; `{ signedWeight, threshold }` or a refusal name. */
function checkJustification(justification, target, setId, authorities) {
  const { round, commit, votesAncestries } = justification;
  if (commit.targetNumber !== target.number || !u8aEq(commit.targetHash, target.hash)) return { error: 'NotFinalized' };

  const ancestry = new Map(votesAncestries.map((h) => [u8aToHex(h.hash), h]));
  // A key listed twice in the set counts once, with its last weight.
  const weights = new Map(authorities.map(([key, weight]) => [u8aToHex(key), weight]));
  let total = 0n;
  for (const weight of weights.values()) total = saturatingAdd(total, weight);
  const threshold = total - (total > 0n ? (total - 1n) / 3n : 0n);

  const signers = new Map();
  for (const signed of commit.precommits) {
    const id = u8aToHex(signed.id);
    if (!weights.has(id)) return { error: 'UnknownAuthoritySet' };
    if (signers.has(id)) return { error: 'BadJustification' };
    signers.set(id, weights.get(id));
    let valid;
    try {
      valid = ed25519.verify(signed.signature, precommitPayload(signed, round, setId), signed.id);
    } catch {
      valid = false;
    }
    if (!valid || !descends(signed, commit, ancestry)) return { error: 'BadJustification' };
  }
  let signedWeight = 0n;
  for (const weight of signers.values()) signedWeight = saturatingAdd(signedWeight, weight);
  if (total === 0n || signedWeight < threshold) return { error: 'NotFinalized' };
  return { signedWeight, threshold };
}

/** Check 7; returns `{ finalized, setId, signedWeight, threshold }` or a refusal name. */
function checkFinality(chain, anchor) {
  const last = chainEnd(chain.header, chain.descendants);
  if (!last) return { error: 'BadAncestry' };
  // The set changes, from the anchor's set to the one that signed the justification.
  let setId = anchor.setId;
  let authorities = anchor.authorities;
  for (const change of chain.setChanges) {
    const scheduled = scheduledChange(change.header);
    if (!scheduled || scheduled.nextAuthorities.length === 0 || change.descendants.length !== scheduled.delay) return { error: 'BadSetChange' };
    const enacting = chainEnd(change.header, change.descendants);
    if (!enacting || checkJustification(change.justification, enacting, setId, authorities).error) return { error: 'BadSetChange' };
    if (setId === U64_MAX) return { error: 'BadSetChange' };
    setId += 1n;
    authorities = scheduled.nextAuthorities;
  }
  const signed = checkJustification(chain.justification, last, setId, authorities);
  if (signed.error) return signed;
  return { finalized: last, setId, ...signed };
}

// ---- the anchor from a raw chain spec (docs/receipts.md, "Anchors") ----

// Values of 33 bytes or more are stored as their hash in state version 1.
const TRIE_VALUE_NODE_THRESHOLD = 33;
// twox128("Grandpa") ++ twox128("Authorities").
export const GRANDPA_AUTHORITIES_KEY = '0x5f9cc45b7a00c5899361e1c6099678dc5e0621c4869aa60c02be9adcc98a0d1d';
/** The largest chain spec read. */
export const MAX_CHAIN_SPEC_BYTES = 64 << 20;

/** SCALE `Compact<u32>`. */
function compact(n) {
  if (n < 1 << 6) return new Uint8Array([n << 2]);
  if (n < 1 << 14) return new Uint8Array([((n << 2) | 1) & 0xff, n >> 6]);
  if (n < 1 << 30) {
    const v = ((n << 2) | 2) >>> 0;
    return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
  }
  return new Uint8Array([3, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
}

/** A node header: the kind's prefix bits, then the nibble count as `readNodeHeader` reads it. */
function nodeHeader(prefix, sizeBits, nibbles) {
  const max = 255 >> (8 - sizeBits);
  if (nibbles < max) return [prefix | nibbles];
  const out = [prefix | max];
  let rest = nibbles - max;
  while (rest >= 255) {
    out.push(255);
    rest -= 255;
  }
  out.push(rest);
  return out;
}

/** Nibbles packed two to a byte, an odd count led by a zero high nibble. */
function packNibbles(nibbles) {
  const out = [];
  let i = 0;
  if (nibbles.length % 2 === 1) out.push(nibbles[i++]);
  for (; i < nibbles.length; i += 2) out.push((nibbles[i] << 4) | nibbles[i + 1]);
  return out;
}

/** The encoding of the trie node over `entries` (sorted, unique keys as nibbles) below `depth`. */
function encodeTrieNode(entries, depth) {
  const hashed = (value) => value.length >= TRIE_VALUE_NODE_THRESHOLD;
  const valueBytes = (value) => (hashed(value) ? blake2AsU8a(value, 256) : u8aConcat(compact(value.length), value));
  if (entries.length === 1) {
    const [{ nibbles, value }] = entries;
    const partial = nibbles.slice(depth);
    const header = hashed(value) ? nodeHeader(0x20, 5, partial.length) : nodeHeader(0x40, 6, partial.length);
    return u8aConcat(new Uint8Array([...header, ...packNibbles(partial)]), valueBytes(value));
  }
  // The prefix all entries share below `depth`.
  const first = entries[0].nibbles;
  const last = entries[entries.length - 1].nibbles;
  let end = depth;
  while (end < first.length && end < last.length && first[end] === last[end]) end++;
  const partial = first.slice(depth, end);
  const own = first.length === end ? entries[0] : null; // sorted: a key ending here comes first
  const children = Array.from({ length: 16 }, () => []);
  for (const entry of own ? entries.slice(1) : entries) children[entry.nibbles[end]].push(entry);
  let bitmap = 0;
  children.forEach((child, i) => {
    if (child.length) bitmap |= 1 << i;
  });
  const header = own === null ? nodeHeader(0x80, 6, partial.length) : hashed(own.value) ? nodeHeader(0x10, 4, partial.length) : nodeHeader(0xc0, 6, partial.length);
  const parts = [new Uint8Array([...header, ...packNibbles(partial), bitmap & 0xff, bitmap >> 8])];
  if (own) parts.push(valueBytes(own.value));
  for (const child of children) {
    if (!child.length) continue;
    const encoded = encodeTrieNode(child, end + 1);
    const reference = encoded.length < 32 ? encoded : blake2AsU8a(encoded, 256);
    parts.push(compact(reference.length), reference);
  }
  return u8aConcat(...parts);
}

/** The state root (state version 1, blake2-256) of `pairs`: `[keyBytes, valueBytes]`. */
export function trieRoot(pairs) {
  if (pairs.length === 0) return blake2AsU8a(new Uint8Array([0]), 256);
  const entries = pairs
    .map(([key, value]) => ({ hex: u8aToHex(key), nibbles: nibblesOf(key), value }))
    .sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].hex === entries[i - 1].hex) throw new TypeError(`storage key ${entries[i].hex} twice`);
  }
  return blake2AsU8a(encodeTrieNode(entries, 0), 256);
}

/**
 * The trust anchor of a raw chain spec (the parsed JSON of `space-notary-node build-spec --raw`):
 * the genesis block's hash, from the state root of `genesis.raw.top`, and the GRANDPA authority
 * set 0 stored under `Grandpa.Authorities`. Throws TypeError, naming what is wrong, on a spec it
 * cannot read.
 */
export function anchorFromChainSpec(spec) {
  const raw = spec?.genesis?.raw;
  if (!raw || typeof raw.top !== 'object' || raw.top === null) {
    throw new TypeError('not a raw chain spec (no genesis.raw.top): make one with `space-notary-node build-spec --chain dev --raw`');
  }
  if (raw.childrenDefault && Object.keys(raw.childrenDefault).length) {
    throw new TypeError('genesis child tries are not supported by receipt format 1');
  }
  const pairs = Object.entries(raw.top).map(([key, value]) => {
    if (!isHex(key)) throw new TypeError(`storage key ${key.slice(0, 80)} is not hex`);
    if (!isHex(value)) throw new TypeError(`the storage value of ${key.slice(0, 80)} is not hex`);
    return [hexToU8a(key), hexToU8a(value)];
  });
  const stateRoot = trieRoot(pairs);
  const extrinsicsRoot = trieRoot([]);
  // Header { parent_hash: 0, number: Compact(0), state_root, extrinsics_root, digest: [] }.
  const genesisHash = blake2AsU8a(u8aConcat(new Uint8Array(32), new Uint8Array([0]), stateRoot, extrinsicsRoot, new Uint8Array([0])), 256);
  const stored = raw.top[GRANDPA_AUTHORITIES_KEY];
  if (stored === undefined) throw new TypeError('the genesis storage has no GRANDPA authorities (Grandpa.Authorities)');
  let authorities;
  try {
    const r = new Reader(hexToU8a(stored));
    authorities = r.vec((x) => [x.take(32), x.u64()], 40);
    if (r.remaining() !== 0 || authorities.length === 0) throw new Malformed('');
  } catch (e) {
    if (!(e instanceof Malformed)) throw e;
    throw new TypeError('the genesis GRANDPA authority set does not decode as a non-empty list of ed25519 keys and weights');
  }
  return { genesisHash, setId: 0n, authorities };
}

/**
 * The binary receipt in a receipt file of either form: the JSON form (first non-blank byte `{`,
 * format `space-notary-receipt/2`, the binary form in hex under `receipt`), or the bytes as they
 * are. Throws TypeError on a JSON file that is not a receipt.
 */
export function receiptFileBytes(file) {
  const bytes = toBytes(file, 'receipt file');
  const start = bytes.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (start === -1 || bytes[start] !== 0x7b) return bytes;
  let document;
  try {
    document = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new TypeError('the receipt file starts with { but is not JSON');
  }
  if (document?.format !== 'space-notary-receipt/2' || !isHex(document.receipt)) {
    throw new TypeError('a JSON receipt has format "space-notary-receipt/2" and the receipt in hex');
  }
  return hexToU8a(document.receipt);
}

// ---- the verifier ----

// secp256k1's group order n, halved: a canonical ecdsa signature has s <= n/2.
const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** Whether a 65-byte ecdsa signature `r ++ s ++ v` is canonical: v 0 or 1, s in the lower half. */
function isCanonicalEcdsa(raw) {
  return raw[64] <= 1 && BigInt(u8aToHex(raw.subarray(32, 64))) <= SECP256K1_HALF_ORDER;
}

/** Check 4: the server signature, of the key's own scheme (eth never verifies). */
function serverSignatureValid(batch) {
  const { serverKey, serverSignature, cert } = batch;
  if (serverSignature.variant !== serverKey.variant) return false;
  if (serverSignature.variant === 2 && !isCanonicalEcdsa(serverSignature.raw)) return false;
  try {
    return verifyScheme(serverKey.variant, u8aConcat(SERVER_DOMAIN, cert.bytes), serverSignature.raw, serverKey.raw);
  } catch {
    return false;
  }
}

/** Bytes from a Uint8Array or a 0x hex string. */
function toBytes(value, what) {
  if (value instanceof Uint8Array) return value;
  if (isHex(value)) return hexToU8a(value);
  throw new TypeError(`${what}: bytes or a 0x hex string expected`);
}

function toU64(value, what) {
  const v = BigInt(value);
  if (v < 0n || v > U64_MAX) throw new TypeError(`${what}: not a u64`);
  return v;
}

/** The anchor in the form the verifier uses; throws TypeError on one that is not an anchor. */
function normalizeAnchor(anchor) {
  const genesisHash = toBytes(anchor.genesisHash, 'anchor genesisHash');
  if (genesisHash.length !== 32) throw new TypeError('anchor genesisHash: 32 bytes expected');
  const authorities = anchor.authorities.map(([key, weight]) => {
    const k = toBytes(key, 'anchor authority');
    if (k.length !== 32) throw new TypeError('anchor authority: a 32-byte ed25519 key expected');
    return [k, toU64(weight, 'anchor weight')];
  });
  return { genesisHash, setId: toU64(anchor.setId, 'anchor setId'), authorities };
}

/**
 * Reads an anchor in the JSON shape of primitives/test-vectors/receipt-v2.json:
 * `{ genesis_hash: hex, set_id, authorities: [[hex, weight], ...] }`. Integers may be numbers or
 * decimal strings (for u64 values past 2^53).
 */
export function anchorFromJson(json) {
  return normalizeAnchor({
    genesisHash: json.genesis_hash,
    setId: json.set_id,
    authorities: json.authorities.map(([key, weight]) => [key, weight]),
  });
}

/**
 * Verifies a binary receipt under `anchor` (`{ genesisHash, setId, authorities: [[key, weight]] }`),
 * and `tx` against its leaf when given (else the transaction the receipt carries, if any).
 * Returns `{ ok: true, batchId, serverId, sequence, leafIndex, certifiedAt, issuedAtMs,
 * satellites: [{ id, signedAtMs }], block: { number, hash }, setId, finalized: { number, hash },
 * signedWeight, threshold }` (hashes as 0x hex, u64 values as bigints, `signedAtMs` null for a v1
 * countersignature), or `{ ok: false, error, check }` naming the first check that failed.
 */
export function verifyReceipt(bytes, anchor, tx) {
  const input = toBytes(bytes, 'receipt');
  const trusted = normalizeAnchor(anchor);
  const given = tx === undefined || tx === null ? null : toBytes(tx, 'tx');

  // 1. Format.
  if (input.length > MAX_RECEIPT_BYTES || input.length === 0) return refuse('Malformed');
  if (input[0] !== RECEIPT_VERSION) return refuse('UnsupportedVersion');
  let receipt;
  try {
    receipt = readReceipt(input);
  } catch (e) {
    if (e instanceof Malformed) return refuse('Malformed');
    throw e;
  }
  const { batch, chain } = receipt;
  const { cert } = batch;

  // 2. Genesis.
  if (!u8aEq(cert.genesisHash, trusted.genesisHash)) return refuse('WrongGenesis');

  // 3. Transaction: the one given, else the one carried, hashes to the leaf; the leaf is in the batch.
  const txBytes = given ?? receipt.tx.tx;
  if (txBytes !== null && !u8aEq(blake2AsU8a(txBytes, 256), receipt.tx.leaf)) return refuse('LeafMismatch');
  const { proof } = receipt.tx;
  if (proof.numberOfLeaves !== cert.txCount || !verifyMerkleProof(cert.batchRoot, receipt.tx.leaf, proof)) {
    return refuse('TxNotInBatch');
  }

  // 4. Server signature.
  if (!serverSignatureValid(batch)) return refuse('BadServerSignature');

  // 5. Satellite signatures: at least one, each over the batch id and the server signature (and,
  // in v2, the satellite and its clock).
  const batchId = blake2AsU8a(cert.bytes, 256);
  const countersigned =
    batch.attestations.length > 0 && batch.attestations.every((a) => attestationValid(a, batchId, batch.serverSignature.bytes));
  if (!countersigned) return refuse('BadSatelliteSignature');

  // 6. Record.
  const record = checkRecord(receipt, batchId);
  if (record.error) return refuse(record.error);

  // 7. Finality.
  const finality = checkFinality(chain, trusted);
  if (finality.error) return refuse(finality.error);

  return {
    ok: true,
    batchId: u8aToHex(batchId),
    serverId: cert.serverId,
    sequence: cert.sequence,
    leafIndex: proof.leafIndex,
    certifiedAt: record.certifiedAt,
    issuedAtMs: cert.issuedAtMs,
    satellites: batch.attestations.map((a) => ({ id: a.satelliteId, signedAtMs: a.signedAtMs })),
    block: { number: chain.header.number, hash: u8aToHex(chain.header.hash) },
    finalized: { number: finality.finalized.number, hash: u8aToHex(finality.finalized.hash) },
    setId: finality.setId,
    signedWeight: finality.signedWeight,
    threshold: finality.threshold,
  };
}
