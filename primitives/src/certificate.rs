//! Batch certificate v1, its identifier and both signing payloads.
//!
//! ```text
//! batch_id          = blake2_256(SCALE(cert))
//! server payload    = b"space-notary/v1/server"    ++ SCALE(cert)
//! satellite payload = b"space-notary/v1/satellite" ++ batch_id ++ SCALE(server_signature)
//! ```
//!
//! Every payload starts with its own domain tag, so that no key ever signs two kinds of thing.
//!
//! [`BatchCertificate::over_transactions`] builds a certificate over a batch and
//! [`BatchCertificate::check_transactions`] checks a batch against one: the one rule that the
//! chain, the satellite, the ground station and the tests share.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{ecdsa, ed25519, sr25519, H256};

use crate::merkle::{batch_root, InclusionProof};
use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature, MultiSigner,
};

/// The certificate format this crate implements.
pub const CERTIFICATE_VERSION: u8 = 1;

/// Domain tag of the payload a ground server signs.
pub const SERVER_DOMAIN: &[u8] = b"space-notary/v1/server";

/// Domain tag of the payload the space node signs.
pub const SATELLITE_DOMAIN: &[u8] = b"space-notary/v1/satellite";

/// A ground server's identifier, assigned by the chain at registration.
pub type ServerId = u32;

/// `blake2_256(SCALE(cert))`: names a batch everywhere.
pub type BatchId = H256;

/// A ground server's public key: ed25519, sr25519 or ecdsa.
///
/// SCALE-identical to the first three variants of `sp_runtime::MultiSigner` (0 ed25519,
/// 1 sr25519, 2 ecdsa), which polkadot.js and subxt already know; unlike `MultiSigner` it has a
/// bounded encoding (it can live in runtime storage) and no Ethereum variant.
#[derive(
	Clone,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum ServerKey {
	/// An ed25519 public key.
	#[codec(index = 0)]
	Ed25519(ed25519::Public),
	/// An sr25519 public key.
	#[codec(index = 1)]
	Sr25519(sr25519::Public),
	/// A compressed secp256k1 (ecdsa) public key.
	#[codec(index = 2)]
	Ecdsa(ecdsa::Public),
}

impl From<ServerKey> for MultiSigner {
	fn from(key: ServerKey) -> Self {
		match key {
			ServerKey::Ed25519(k) => MultiSigner::Ed25519(k),
			ServerKey::Sr25519(k) => MultiSigner::Sr25519(k),
			ServerKey::Ecdsa(k) => MultiSigner::Ecdsa(k),
		}
	}
}

impl TryFrom<MultiSigner> for ServerKey {
	type Error = SignatureError;

	fn try_from(signer: MultiSigner) -> Result<Self, Self::Error> {
		match signer {
			MultiSigner::Ed25519(k) => Ok(Self::Ed25519(k)),
			MultiSigner::Sr25519(k) => Ok(Self::Sr25519(k)),
			MultiSigner::Ecdsa(k) => Ok(Self::Ecdsa(k)),
			MultiSigner::Eth(_) => Err(SignatureError::UnsupportedScheme),
		}
	}
}

impl From<ed25519::Public> for ServerKey {
	fn from(k: ed25519::Public) -> Self {
		Self::Ed25519(k)
	}
}

impl From<sr25519::Public> for ServerKey {
	fn from(k: sr25519::Public) -> Self {
		Self::Sr25519(k)
	}
}

impl From<ecdsa::Public> for ServerKey {
	fn from(k: ecdsa::Public) -> Self {
		Self::Ecdsa(k)
	}
}

/// A ground server's signature over [`BatchCertificate::server_payload`].
pub type ServerSignature = MultiSignature;

/// The ed25519 key the space node holds for one server, and only for that server.
pub type SatelliteKey = ed25519::Public;

/// The space node's raw 64-byte ed25519 signature over [`satellite_payload`].
pub type SatelliteSignature = ed25519::Signature;

/// The certificate a ground server issues for one batch of transactions (v1).
///
/// Field order is part of the contract: the SCALE encoding of this struct is what is hashed
/// and signed.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub struct BatchCertificate {
	/// Certificate format, [`CERTIFICATE_VERSION`].
	pub version: u8,
	/// Hash of block 0 of the chain this batch is meant for.
	pub genesis_hash: H256,
	/// The issuing server.
	pub server_id: ServerId,
	/// Per server; the first batch is 1 and every batch is exactly one more than the last.
	pub sequence: u64,
	/// Batch id of the server's previous batch, zero for the first: a hash chain.
	pub prev_batch: BatchId,
	/// Binary merkle root (blake2-256) over the leaves `blake2_256(tx)`, see [`crate::merkle`].
	pub batch_root: H256,
	/// Number of transactions in the batch (at least one).
	pub tx_count: u32,
	/// Sum of the transactions' lengths in bytes.
	pub total_bytes: u64,
	/// The server's clock when it issued the certificate, unix milliseconds.
	pub issued_at_ms: u64,
}

impl BatchCertificate {
	/// `blake2_256(SCALE(self))`.
	pub fn batch_id(&self) -> BatchId {
		self.using_encoded(|bytes| H256(sp_io::hashing::blake2_256(bytes)))
	}

	/// The bytes a ground server signs: [`SERVER_DOMAIN`] `++ SCALE(self)`.
	pub fn server_payload(&self) -> Vec<u8> {
		let mut payload = Vec::with_capacity(SERVER_DOMAIN.len() + self.encoded_size());
		payload.extend_from_slice(SERVER_DOMAIN);
		self.encode_to(&mut payload);
		payload
	}

	/// The bytes the space node signs for this certificate and server signature.
	pub fn satellite_payload(&self, server_signature: &ServerSignature) -> Vec<u8> {
		satellite_payload(&self.batch_id(), server_signature)
	}

	/// A v1 certificate over `txs` (root, count, bytes computed here).
	///
	/// Fails if `txs` is empty (a batch holds at least one transaction) or holds more
	/// transactions than `tx_count` can count.
	pub fn over_transactions<T: AsRef<[u8]>>(
		genesis_hash: H256,
		server_id: ServerId,
		sequence: u64,
		prev_batch: BatchId,
		issued_at_ms: u64,
		txs: &[T],
	) -> Result<Self, TransactionsError> {
		if txs.is_empty() {
			return Err(TransactionsError::Empty);
		}
		let tx_count = u32::try_from(txs.len()).map_err(|_| TransactionsError::TooMany)?;
		Ok(Self {
			version: CERTIFICATE_VERSION,
			genesis_hash,
			server_id,
			sequence,
			prev_batch,
			batch_root: batch_root(txs),
			tx_count,
			total_bytes: total_bytes(txs),
			issued_at_ms,
		})
	}

	/// Checks that `txs` are exactly the transactions this certificate covers (count, bytes,
	/// root; non-empty).
	///
	/// In that order, cheapest first: the root, which hashes every byte, is computed only when
	/// count and size already match.
	pub fn check_transactions<T: AsRef<[u8]>>(&self, txs: &[T]) -> Result<(), TransactionsError> {
		if txs.is_empty() {
			return Err(TransactionsError::Empty);
		}
		if u32::try_from(txs.len()) != Ok(self.tx_count) {
			return Err(TransactionsError::CountMismatch);
		}
		if total_bytes(txs) != self.total_bytes {
			return Err(TransactionsError::BytesMismatch);
		}
		if batch_root(txs) != self.batch_root {
			return Err(TransactionsError::RootMismatch);
		}
		Ok(())
	}
}

/// Why transactions do not match a certificate (or cannot make one).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TransactionsError {
	/// No transactions: a batch holds at least one.
	#[error("a batch holds at least one transaction")]
	Empty,
	/// More transactions than a certificate's `u32` `tx_count` can count (building only;
	/// checking reports [`Self::CountMismatch`]).
	#[error("more transactions than a certificate can count")]
	TooMany,
	/// The number of transactions is not the certificate's `tx_count`.
	#[error("the number of transactions is not the certificate's tx_count")]
	CountMismatch,
	/// The transactions' total length is not the certificate's `total_bytes`.
	#[error("the transactions' total length is not the certificate's total_bytes")]
	BytesMismatch,
	/// The transactions' merkle root is not the certificate's `batch_root`.
	#[error("the transactions' merkle root is not the certificate's batch_root")]
	RootMismatch,
}

/// The sum of the transactions' lengths: a certificate's `total_bytes` over `txs`. Saturating
/// only in theory: the lengths of slices held in memory cannot add up past `u64::MAX`.
pub fn total_bytes<T: AsRef<[u8]>>(txs: &[T]) -> u64 {
	txs.iter().fold(0u64, |sum, tx| sum.saturating_add(tx.as_ref().len() as u64))
}

/// The bytes the space node signs: [`SATELLITE_DOMAIN`] `++ batch_id ++ SCALE(server_signature)`.
pub fn satellite_payload(batch_id: &BatchId, server_signature: &ServerSignature) -> Vec<u8> {
	let mut payload =
		Vec::with_capacity(SATELLITE_DOMAIN.len() + 32 + server_signature.encoded_size());
	payload.extend_from_slice(SATELLITE_DOMAIN);
	payload.extend_from_slice(batch_id.as_bytes());
	server_signature.encode_to(&mut payload);
	payload
}

// Defined here, not in `merkle`, so that the certificate depends on the merkle tree and not the
// other way round.
impl InclusionProof {
	/// Whether `tx` is transaction `leaf_index` of the batch that `cert` certifies: the proof's
	/// leaf count is the certificate's `tx_count`, and the proof leads to its `batch_root`.
	pub fn verify_in(&self, cert: &BatchCertificate, tx: &[u8]) -> bool {
		self.number_of_leaves == cert.tx_count && self.verify(&cert.batch_root, tx)
	}
}

/// Why a signature was not accepted.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum SignatureError {
	/// The key or signature scheme is not one of ed25519, sr25519 or ecdsa.
	#[error("unsupported signature scheme")]
	UnsupportedScheme,
	/// The signature's scheme differs from the key's scheme.
	#[error("signature scheme differs from the key's scheme")]
	SchemeMismatch,
	/// The signature does not verify under the key.
	#[error("signature does not verify")]
	BadSignature,
}

/// Half the order of secp256k1's group, big-endian: an ecdsa signature's `s` must not exceed it.
const SECP256K1_HALF_ORDER: [u8; 32] = [
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// Whether an ecdsa signature (`r ++ s ++ v`) is in its one canonical form: `s` in the lower
/// half of the group order and the recovery id `v` 0 or 1. Without this rule one certificate has
/// four valid signatures (`s` or `n − s`, `v` or `v + 27`), so a relay could make the satellite
/// sign "another" server signature over the same certificate.
pub fn is_canonical_ecdsa(signature: &[u8; 65]) -> bool {
	let s = &signature[32..64];
	signature[64] <= 1 && s <= &SECP256K1_HALF_ORDER[..]
}

/// Checks a server signature over `cert`'s server payload.
///
/// The signature must be of the key's own scheme (an ed25519 signature never verifies against
/// an sr25519 key's bytes), then it is checked the way `MultiSignature::verify` does it: ecdsa
/// over `blake2_256(payload)`, recovering the compressed public key. An ecdsa signature must be
/// canonical ([`is_canonical_ecdsa`]; what `sp_core` and the usual libraries produce), so that a
/// certificate has exactly one signature per key.
pub fn verify_server_signature(
	cert: &BatchCertificate,
	signature: &ServerSignature,
	key: &ServerKey,
) -> Result<(), SignatureError> {
	match (signature, key) {
		(MultiSignature::Ed25519(_), ServerKey::Ed25519(_))
		| (MultiSignature::Sr25519(_), ServerKey::Sr25519(_))
		| (MultiSignature::Ecdsa(_), ServerKey::Ecdsa(_)) => {},
		(MultiSignature::Eth(_), _) => return Err(SignatureError::UnsupportedScheme),
		_ => return Err(SignatureError::SchemeMismatch),
	}
	if let MultiSignature::Ecdsa(signature) = signature {
		if !is_canonical_ecdsa(&signature.0) {
			return Err(SignatureError::BadSignature);
		}
	}
	let payload = cert.server_payload();
	if signature.verify(&payload[..], &MultiSigner::from(key.clone()).into_account()) {
		Ok(())
	} else {
		Err(SignatureError::BadSignature)
	}
}

/// Checks a satellite countersignature for `batch_id` and the server signature it covers.
pub fn verify_satellite_signature(
	batch_id: &BatchId,
	server_signature: &ServerSignature,
	signature: &SatelliteSignature,
	key: &SatelliteKey,
) -> Result<(), SignatureError> {
	let payload = satellite_payload(batch_id, server_signature);
	if sp_io::crypto::ed25519_verify(signature, &payload, key) {
		Ok(())
	} else {
		Err(SignatureError::BadSignature)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::{string::ToString, vec::Vec};
	use sp_core::{ecdsa, sr25519, Pair};

	fn cert() -> BatchCertificate {
		BatchCertificate {
			version: CERTIFICATE_VERSION,
			genesis_hash: H256::repeat_byte(7),
			server_id: 3,
			sequence: 1,
			prev_batch: H256::zero(),
			batch_root: H256::repeat_byte(1),
			tx_count: 1,
			total_bytes: 5,
			issued_at_ms: 1_700_000_000_000,
		}
	}

	fn txs() -> [&'static [u8]; 3] {
		[b"alpha", b"beta", b"gamma"]
	}

	fn cert_over_txs() -> BatchCertificate {
		let c = cert();
		BatchCertificate::over_transactions(
			c.genesis_hash,
			c.server_id,
			c.sequence,
			c.prev_batch,
			c.issued_at_ms,
			&txs(),
		)
		.unwrap()
	}

	/// `n − s` for secp256k1's group order `n`, big-endian.
	fn negate_s(s: &[u8]) -> [u8; 32] {
		const N: [u8; 32] = [
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c,
			0xd0, 0x36, 0x41, 0x41,
		];
		let mut out = [0u8; 32];
		let mut borrow = 0i16;
		for i in (0..32).rev() {
			let mut d = i16::from(N[i]) - i16::from(s[i]) - borrow;
			borrow = i16::from(d < 0);
			if d < 0 {
				d += 256;
			}
			out[i] = d as u8;
		}
		out
	}

	#[test]
	fn an_ecdsa_certificate_has_one_signature_malleated_forms_are_refused() {
		let pair = ecdsa::Pair::from_seed(&[5; 32]);
		let key = ServerKey::Ecdsa(pair.public());
		let cert = cert();
		let signature = pair.sign(&cert.server_payload());
		assert!(is_canonical_ecdsa(&signature.0));
		assert_eq!(verify_server_signature(&cert, &signature.into(), &key), Ok(()));

		// v + 27: the recovery id as Ethereum writes it.
		let mut v27 = signature.0;
		v27[64] += 27;
		// s → n − s with the other recovery id: the same point, the "high-s" twin.
		let mut high_s = signature.0;
		let negated = negate_s(&signature.0[32..64]);
		high_s[32..64].copy_from_slice(&negated);
		high_s[64] ^= 1;
		// The twin is a valid signature for libraries that do not normalise: check that first, so
		// this test cannot pass by accident.
		let recovered = sp_io::crypto::secp256k1_ecdsa_recover_compressed(
			&high_s,
			&sp_io::hashing::blake2_256(&cert.server_payload()),
		);
		assert_eq!(recovered.ok(), Some(pair.public().0), "the twin recovers the same key");
		for malleated in [v27, high_s] {
			let signature = MultiSignature::Ecdsa(ecdsa::Signature::from_raw(malleated));
			assert_eq!(
				verify_server_signature(&cert, &signature, &key),
				Err(SignatureError::BadSignature)
			);
		}
	}

	#[test]
	fn a_certificate_over_transactions_carries_their_root_count_and_bytes() {
		let built = cert_over_txs();
		let expected = BatchCertificate {
			batch_root: batch_root(txs()),
			tx_count: 3,
			total_bytes: 14,
			..cert()
		};
		assert_eq!(built, expected);
		assert_eq!(built.check_transactions(&txs()), Ok(()));
		// Any container of bytes will do: owned vectors check like the slices they came from.
		let owned: Vec<Vec<u8>> = txs().iter().map(|tx| tx.to_vec()).collect();
		assert_eq!(built.check_transactions(&owned), Ok(()));
	}

	#[test]
	fn no_certificate_over_no_transactions() {
		let c = cert();
		let none: [&[u8]; 0] = [];
		assert_eq!(
			BatchCertificate::over_transactions(c.genesis_hash, 1, 1, H256::zero(), 0, &none),
			Err(TransactionsError::Empty)
		);
	}

	#[test]
	fn transactions_are_checked_for_emptiness_count_bytes_then_root() {
		let c = cert_over_txs();
		let cases: [(&str, &[&[u8]], TransactionsError); 6] = [
			("none", &[], TransactionsError::Empty),
			("one missing", &[b"alpha", b"beta"], TransactionsError::CountMismatch),
			("one more", &[b"alpha", b"beta", b"gamma", b""], TransactionsError::CountMismatch),
			("one byte more", &[b"alpha", b"betas", b"gamma"], TransactionsError::BytesMismatch),
			("one byte changed", &[b"alpha", b"betA", b"gamma"], TransactionsError::RootMismatch),
			// Same count and bytes, other order: only the root tells.
			("swapped", &[b"beta", b"alpha", b"gamma"], TransactionsError::RootMismatch),
		];
		for (name, txs, expected) in cases {
			assert_eq!(c.check_transactions(txs), Err(expected), "{name}");
		}
		// The count comes before the bytes: both wrong is a count mismatch.
		assert_eq!(
			c.check_transactions(&[b"alphabetagamma!"]),
			Err(TransactionsError::CountMismatch)
		);
		// A certificate claiming no transactions matches nothing, not even no transactions.
		let empty = BatchCertificate { tx_count: 0, total_bytes: 0, ..c };
		assert_eq!(empty.check_transactions::<&[u8]>(&[]), Err(TransactionsError::Empty));
	}

	#[test]
	fn errors_say_what_went_wrong() {
		assert_eq!(
			TransactionsError::RootMismatch.to_string(),
			"the transactions' merkle root is not the certificate's batch_root"
		);
		assert_eq!(SignatureError::BadSignature.to_string(), "signature does not verify");
	}

	#[test]
	fn encoding_is_the_fixed_field_order() {
		let c = cert();
		let bytes = c.encode();
		assert_eq!(bytes.len(), 1 + 32 + 4 + 8 + 32 + 32 + 4 + 8 + 8);
		assert_eq!(bytes.len(), BatchCertificate::max_encoded_len());
		assert_eq!(bytes[0], 1);
		assert_eq!(&bytes[1..33], &[7u8; 32]);
		assert_eq!(&bytes[33..37], &3u32.to_le_bytes());
		assert_eq!(&bytes[37..45], &1u64.to_le_bytes());
	}

	#[test]
	fn payloads_are_domain_separated() {
		let c = cert();
		let p = c.server_payload();
		assert!(p.starts_with(SERVER_DOMAIN));
		assert_eq!(&p[SERVER_DOMAIN.len()..], &c.encode()[..]);
		let sig = MultiSignature::Ed25519(ed25519::Signature::from_raw([9; 64]));
		let s = c.satellite_payload(&sig);
		assert!(s.starts_with(SATELLITE_DOMAIN));
		assert_eq!(
			&s[SATELLITE_DOMAIN.len()..SATELLITE_DOMAIN.len() + 32],
			c.batch_id().as_bytes()
		);
		assert_eq!(s[SATELLITE_DOMAIN.len() + 32], 0, "ed25519 is variant 0");
		assert_eq!(s.len(), SATELLITE_DOMAIN.len() + 32 + 1 + 64);
	}

	#[test]
	fn server_signatures_of_every_scheme_verify_and_tampering_fails() {
		let c = cert();
		let payload = c.server_payload();
		let ed = ed25519::Pair::from_seed(&[1; 32]);
		let sr = sr25519::Pair::from_seed(&[2; 32]);
		let ec = ecdsa::Pair::from_seed(&[3; 32]);
		let cases: [(ServerKey, ServerSignature); 3] = [
			(ed.public().into(), ed.sign(&payload).into()),
			(sr.public().into(), sr.sign(&payload).into()),
			(ec.public().into(), ec.sign(&payload).into()),
		];
		let mut other = c.clone();
		other.sequence = 2;
		for (key, sig) in &cases {
			assert_eq!(verify_server_signature(&c, sig, key), Ok(()));
			assert_eq!(
				verify_server_signature(&other, sig, key),
				Err(SignatureError::BadSignature)
			);
		}
		// An ed25519 signature is never checked against an sr25519 key's bytes.
		assert_eq!(
			verify_server_signature(&c, &cases[0].1, &cases[1].0),
			Err(SignatureError::SchemeMismatch)
		);
	}

	#[test]
	fn server_key_encodes_like_multi_signer() {
		let keys: [ServerKey; 3] = [
			ed25519::Pair::from_seed(&[1; 32]).public().into(),
			sr25519::Pair::from_seed(&[2; 32]).public().into(),
			ecdsa::Pair::from_seed(&[3; 32]).public().into(),
		];
		for key in keys {
			let multi = MultiSigner::from(key.clone());
			assert_eq!(key.encode(), multi.encode());
			assert_eq!(ServerKey::try_from(multi), Ok(key));
		}
	}

	#[test]
	fn satellite_signature_binds_batch_and_server_signature() {
		let c = cert();
		let server = ed25519::Pair::from_seed(&[1; 32]);
		let server_sig: ServerSignature = server.sign(&c.server_payload()).into();
		let sat = ed25519::Pair::from_seed(&[4; 32]);
		let sat_sig = sat.sign(&c.satellite_payload(&server_sig));
		let id = c.batch_id();
		assert_eq!(verify_satellite_signature(&id, &server_sig, &sat_sig, &sat.public()), Ok(()));
		let other_sig: ServerSignature = server.sign(b"something else").into();
		assert_eq!(
			verify_satellite_signature(&id, &other_sig, &sat_sig, &sat.public()),
			Err(SignatureError::BadSignature)
		);
		let other_key = ed25519::Pair::from_seed(&[5; 32]).public();
		assert_eq!(
			verify_satellite_signature(&id, &server_sig, &sat_sig, &other_key),
			Err(SignatureError::BadSignature)
		);
	}
}
