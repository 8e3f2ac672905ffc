//! Receipts: a proof, checkable offline by anyone, that one transaction was in a batch that
//! the chain finalized as countersigned by its server's satellites.
//!
//! A [`Receipt`] joins three pieces of evidence, each checked against the one before:
//!
//! 1. the transaction: its leaf and its [`InclusionProof`] up to the certificate's batch root;
//! 2. the batch: the certificate, the server's signature under its key, and the countersignature
//!    of every satellite that certified it (each an [`Attestation`]: the satellite, its key for
//!    the server, its clock at signing for a v2 countersignature, and its signature);
//! 3. the chain: a block header whose state holds the batch's record, `Certified` with exactly
//!    those attestations, and the server key registered to the server (a storage proof:
//!    the trie nodes from the header's state root down to both values); then the headers from that
//!    block to a block that GRANDPA finalized, and the justification of that block, signed by
//!    more than two thirds of the weight of an authority set the verifier trusts.
//!
//! What a verifier must already know is a [`TrustAnchor`]: the chain's genesis hash and its
//! GRANDPA authority set (its id and its members with their weights), read from the chain spec
//! or from a checkpoint it trusts. A receipt is valid for that anchor only: in version 1 the
//! justification must be signed by the anchor's set, so a receipt for a block after an
//! authority set change needs an anchor of the new set (the set-change proofs from an older
//! anchor are not part of version 1).
//!
//! [`verify`] runs the checks in the order of [`Check::ALL`] and stops at the first that fails,
//! naming it ([`ReceiptError`]); `docs/receipts.md` is the format's specification, with test
//! vectors, for implementations that do not use this crate.
//!
//! The types here encode exactly as polkadot-sdk's do (`sp_runtime::generic::Header`,
//! `sp_consensus_grandpa::GrandpaJustification`); they are spelled out so that the format is
//! specified by this crate and its docs alone, and the verification runs `no_std`.

use crate::{
	certificate::verify_server_signature,
	countersignature::{Attestation, SatelliteId},
	merkle::leaf_hash,
	records::{BatchRecord, BatchStatus},
	BatchCertificate, BatchId, InclusionProof, ServerId, ServerKey, ServerSignature,
};
use alloc::{collections::BTreeMap, vec::Vec};
use codec::{Decode, DecodeAll, DecodeLimit, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sp_core::{ed25519, H256};
use sp_runtime::traits::{BlakeTwo256, Header as _};

/// The receipt format this crate writes and reads.
///
/// Format 2 carries the batch's attestations (format 1 carried one satellite key and signature,
/// before a server could have several satellites and a countersignature its satellite's time).
pub const RECEIPT_VERSION: u8 = 2;

/// The largest binary receipt [`Receipt::from_bytes`] reads. A receipt is a few kilobytes; the
/// bound keeps a hostile file from costing more than this much memory to refuse.
pub const MAX_RECEIPT_BYTES: usize = 1 << 20;

/// How deeply nested a receipt's encoding may be (it nests a handful of levels).
const MAX_DECODE_DEPTH: u32 = 16;

/// The pallet's name in the runtime: the first part of its storage keys.
pub const PALLET_NAME: &[u8] = b"SpaceNotary";

/// The chain's block number.
pub type BlockNumber = u32;

/// The chain's block header (`sp_runtime::generic::Header<u32, BlakeTwo256>`).
pub type Header = sp_runtime::generic::Header<BlockNumber, BlakeTwo256>;

/// A GRANDPA authority's key.
pub type AuthorityId = ed25519::Public;

/// A GRANDPA authority's signature.
pub type AuthoritySignature = ed25519::Signature;

/// The storage key of `batch_id`'s record: `twox128("SpaceNotary") ++ twox128("Batches") ++
/// batch_id` (the map is keyed by the id as it is).
pub fn batch_record_key(batch_id: &BatchId) -> Vec<u8> {
	let mut key = storage_prefix(b"Batches");
	key.extend_from_slice(batch_id.as_bytes());
	key
}

/// The storage key of the server that `server_key` belongs to: `twox128("SpaceNotary") ++
/// twox128("ServerKeyOwner") ++ blake2_128(SCALE(key)) ++ SCALE(key)`; its value is the
/// server's id, SCALE `u32`.
pub fn server_key_owner_key(server_key: &ServerKey) -> Vec<u8> {
	let mut key = storage_prefix(b"ServerKeyOwner");
	let encoded = server_key.encode();
	key.extend_from_slice(&sp_io::hashing::blake2_128(&encoded));
	key.extend_from_slice(&encoded);
	key
}

fn storage_prefix(item: &[u8]) -> Vec<u8> {
	let mut key = Vec::with_capacity(32 + 48);
	key.extend_from_slice(&sp_io::hashing::twox_128(PALLET_NAME));
	key.extend_from_slice(&sp_io::hashing::twox_128(item));
	key
}

/// A GRANDPA precommit: a vote to finalize `target` and its ancestors.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct Precommit {
	/// The voted block's hash.
	pub target_hash: H256,
	/// The voted block's number.
	pub target_number: BlockNumber,
}

impl Precommit {
	/// What the authority signs: `SCALE(Message::Precommit(self), round, set_id)`, where the
	/// message enum's precommit variant has index 1.
	pub fn signed_payload(&self, round: u64, set_id: u64) -> Vec<u8> {
		(1u8, self, round, set_id).encode()
	}
}

/// A precommit with its signer and signature.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct SignedPrecommit {
	/// The vote.
	pub precommit: Precommit,
	/// The signer's signature over [`Precommit::signed_payload`].
	pub signature: AuthoritySignature,
	/// The signer.
	pub id: AuthorityId,
}

/// The commit of a GRANDPA round: precommits that together finalize `target`.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct Commit {
	/// The finalized block's hash.
	pub target_hash: H256,
	/// The finalized block's number.
	pub target_number: BlockNumber,
	/// Precommits for the target or its descendants.
	pub precommits: Vec<SignedPrecommit>,
}

/// A GRANDPA justification: the commit of a round and the headers that lead from each
/// precommit's target back to the commit's target (what the node stores and serves).
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct Justification {
	/// The round.
	pub round: u64,
	/// Its commit.
	pub commit: Commit,
	/// Headers from precommit targets (descendants of the commit's target) to the target.
	pub votes_ancestries: Vec<Header>,
}

/// What the verifier trusts: the chain and its GRANDPA authority set.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct TrustAnchor {
	/// Hash of the chain's block 0.
	pub genesis_hash: H256,
	/// The authority set's id (0 for the genesis set).
	pub set_id: u64,
	/// Its members and their weights.
	pub authorities: Vec<(AuthorityId, u64)>,
}

/// The storage key of GRANDPA's authority set in the runtime: `twox128("Grandpa") ++
/// twox128("Authorities")`, a SCALE `Vec<(ed25519 key, u64 weight)>`.
pub fn grandpa_authorities_key() -> Vec<u8> {
	let mut key = Vec::with_capacity(32);
	key.extend_from_slice(&sp_io::hashing::twox_128(b"Grandpa"));
	key.extend_from_slice(&sp_io::hashing::twox_128(b"Authorities"));
	key
}

/// Why a chain's genesis storage gives no trust anchor.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum AnchorError {
	/// The genesis storage has no GRANDPA authority set.
	#[error("the genesis storage has no GRANDPA authority set (Grandpa.Authorities)")]
	NoGrandpaAuthorities,
	/// The authority set does not decode, or is empty.
	#[error("the genesis GRANDPA authority set does not decode as a non-empty list of ed25519 keys and weights")]
	BadGrandpaAuthorities,
}

impl TrustAnchor {
	/// The anchor a chain's genesis gives: the hash of block 0, built from the genesis storage
	/// (the `top` map of a raw chain spec) as polkadot-sdk builds it — state root the trie root
	/// of the storage in layout V1 (the runtime's state version), extrinsics root that of no
	/// extrinsics, parent hash zero, empty digest — and the GRANDPA authority set stored under
	/// [`grandpa_authorities_key`], set id 0.
	pub fn from_genesis_storage(top: &BTreeMap<Vec<u8>, Vec<u8>>) -> Result<Self, AnchorError> {
		use sp_trie::TrieConfiguration;
		type Layout = sp_trie::LayoutV1<BlakeTwo256>;
		let state_root = Layout::trie_root(top.iter());
		let extrinsics_root = Layout::trie_root(core::iter::empty::<(Vec<u8>, Vec<u8>)>());
		let genesis = Header::new(
			0,
			extrinsics_root,
			state_root,
			H256::zero(),
			sp_runtime::Digest::default(),
		);
		let authorities =
			top.get(&grandpa_authorities_key()).ok_or(AnchorError::NoGrandpaAuthorities)?;
		let authorities = Vec::<(AuthorityId, u64)>::decode_all(&mut &authorities[..])
			.map_err(|_| AnchorError::BadGrandpaAuthorities)?;
		if authorities.is_empty() {
			return Err(AnchorError::BadGrandpaAuthorities);
		}
		Ok(TrustAnchor { genesis_hash: genesis.hash(), set_id: 0, authorities })
	}
}

/// The transaction's part: its leaf and the path to the batch root.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct TxEvidence {
	/// `blake2_256(tx)`.
	pub leaf: H256,
	/// The path from the leaf to the certificate's root.
	pub proof: InclusionProof,
	/// The transaction itself, when the receipt carries it.
	pub tx: Option<Vec<u8>>,
}

/// The batch's part: the certificate and the two signatures over it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct BatchEvidence {
	/// The certificate.
	pub cert: BatchCertificate,
	/// The server's key (proven registered to `cert.server_id` by the chain evidence).
	pub server_key: ServerKey,
	/// The server's signature over the certificate.
	pub server_signature: ServerSignature,
	/// The countersignatures that certified the batch, as the chain recorded them (at least
	/// one; as many as the server's quorum asked).
	pub attestations: Vec<Attestation>,
}

/// The chain's part: the record in a block's state, and that block's finality.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct ChainEvidence {
	/// The block whose state holds the record.
	pub header: Header,
	/// Trie nodes from `header.state_root` to the values at [`batch_record_key`] and
	/// [`server_key_owner_key`] (any order, no duplicates needed).
	pub state_proof: Vec<Vec<u8>>,
	/// The headers after `header` up to the justified block, oldest first (none when `header`
	/// is the justified block).
	pub descendants: Vec<Header>,
	/// The justification of the last of those blocks.
	pub justification: Justification,
	/// The changes of the GRANDPA authority set from the anchor's set to the one that signed
	/// `justification`, oldest first (none when the anchor's set signed it).
	pub set_changes: Vec<SetChange>,
}

/// The GRANDPA engine id: the digest items of GRANDPA's consensus log carry it.
pub const GRANDPA_ENGINE_ID: [u8; 4] = *b"FRNK";

/// One change of the GRANDPA authority set, proven under the set before it.
///
/// A standard change is scheduled by a block's digest (`Consensus(FRNK, SCALE(ConsensusLog::
/// ScheduledChange { next_authorities, delay }))`, log variant 1) and enacted when the block
/// `delay` blocks later is finalized; that block's justification is signed by the set before,
/// and every later block is finalized by the next set, whose id is one more.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct SetChange {
	/// The block whose digest schedules the change.
	pub header: Header,
	/// Its descendants up to the enacting block, oldest first: exactly `delay` headers.
	pub descendants: Vec<Header>,
	/// The enacting block's justification, signed by the set before the change.
	pub justification: Justification,
}

/// GRANDPA's scheduled change as its consensus log carries it.
#[derive(Decode, Clone, PartialEq, Eq, Debug)]
pub struct ScheduledChange {
	/// The next set's keys and weights.
	pub next_authorities: Vec<(AuthorityId, u64)>,
	/// Blocks from the scheduling block to the enacting one.
	pub delay: BlockNumber,
}

/// The one standard change `header`'s digest schedules, if it schedules exactly one (and it
/// decodes): what [`verify`] reads from a [`SetChange`]'s header.
pub fn scheduled_change(header: &Header) -> Option<ScheduledChange> {
	let mut found = None;
	for item in &header.digest.logs {
		let sp_runtime::DigestItem::Consensus(engine, data) = item else { continue };
		if *engine != GRANDPA_ENGINE_ID {
			continue;
		}
		// ConsensusLog::ScheduledChange is variant 1; other GRANDPA logs do not change the set.
		let Some((&1, rest)) = data.split_first() else { continue };
		let change = ScheduledChange::decode_all(&mut &rest[..]).ok()?;
		if found.replace(change).is_some() {
			return None;
		}
	}
	found
}

/// A receipt, version [`RECEIPT_VERSION`]. Its binary form is its SCALE encoding.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct Receipt {
	/// [`RECEIPT_VERSION`].
	pub version: u8,
	/// The transaction.
	pub tx: TxEvidence,
	/// The batch.
	pub batch: BatchEvidence,
	/// The chain.
	pub chain: ChainEvidence,
}

impl Receipt {
	/// The binary form: the SCALE encoding, nothing before or after it.
	pub fn to_bytes(&self) -> Vec<u8> {
		self.encode()
	}

	/// Reads the binary form: at most [`MAX_RECEIPT_BYTES`], a first byte of
	/// [`RECEIPT_VERSION`] (else [`ReceiptError::UnsupportedVersion`]), then exactly one
	/// receipt with no bytes left over (else [`ReceiptError::Malformed`]).
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReceiptError> {
		if bytes.len() > MAX_RECEIPT_BYTES {
			return Err(ReceiptError::Malformed);
		}
		match bytes.first() {
			None => return Err(ReceiptError::Malformed),
			Some(&version) if version != RECEIPT_VERSION => {
				return Err(ReceiptError::UnsupportedVersion(version))
			},
			Some(_) => {},
		}
		Self::decode_all_with_depth_limit(MAX_DECODE_DEPTH, &mut &bytes[..])
			.map_err(|_| ReceiptError::Malformed)
	}
}

/// The checks of [`verify`], in the order it runs them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Check {
	/// The receipt is of a format version this verifier reads, and well formed.
	Format,
	/// The certificate names the anchor's chain.
	Genesis,
	/// The transaction (when given) hashes to the leaf, and the leaf is in the batch.
	Transaction,
	/// The server signed the certificate.
	ServerSignature,
	/// Every attestation's satellite countersigned the batch.
	SatelliteSignature,
	/// The block's state holds the record, certified with those attestations, and
	/// the server key registered to the server.
	Record,
	/// The block is finalized under the anchor's authority set.
	Finality,
}

impl Check {
	/// Every check, in order.
	pub const ALL: [Check; 7] = [
		Check::Format,
		Check::Genesis,
		Check::Transaction,
		Check::ServerSignature,
		Check::SatelliteSignature,
		Check::Record,
		Check::Finality,
	];

	/// A short description for a verdict.
	pub fn describe(self) -> &'static str {
		match self {
			Check::Format => "receipt format (version 2, well formed)",
			Check::Genesis => "certificate names the trusted chain",
			Check::Transaction => "transaction is in the batch (merkle path to the root)",
			Check::ServerSignature => "server signature over the certificate",
			Check::SatelliteSignature => "satellite countersignatures",
			Check::Record => "chain state holds the batch certified (storage proof)",
			Check::Finality => "block finalized by the trusted GRANDPA authority set",
		}
	}
}

/// Why a receipt was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ReceiptError {
	/// The bytes are not one receipt of format [`RECEIPT_VERSION`] (or are over
	/// [`MAX_RECEIPT_BYTES`]).
	#[error("Malformed: not a receipt of format {RECEIPT_VERSION}, or over 1 MiB")]
	Malformed,
	/// The receipt's format version is not [`RECEIPT_VERSION`].
	#[error("UnsupportedVersion: receipt format {0}, this verifier reads {RECEIPT_VERSION}")]
	UnsupportedVersion(u8),
	/// The certificate is for another chain than the anchor's.
	#[error("WrongGenesis: the certificate names another chain than the trusted one")]
	WrongGenesis,
	/// The transaction does not hash to the receipt's leaf.
	#[error("LeafMismatch: the transaction does not hash to the receipt's leaf")]
	LeafMismatch,
	/// The inclusion proof does not lead from the leaf to the certificate's root (or counts
	/// another number of transactions).
	#[error("TxNotInBatch: the inclusion proof does not lead to the certificate's batch root")]
	TxNotInBatch,
	/// The server signature does not verify under the receipt's server key.
	#[error("BadServerSignature: the server signature does not verify under the server key")]
	BadServerSignature,
	/// An attestation's countersignature does not verify under its satellite key, or the
	/// receipt carries none.
	#[error("BadSatelliteSignature: a countersignature does not verify under its satellite key, or there is none")]
	BadSatelliteSignature,
	/// The storage proof does not reach the header's state root, or lacks a value it must prove.
	#[error("StorageProofInvalid: the storage proof does not prove the batch's record and the server key against the block's state root")]
	StorageProofInvalid,
	/// The record on chain is for another certificate or server signature.
	#[error("RecordMismatch: the chain's record is for another certificate or server signature")]
	RecordMismatch,
	/// The record is not `Certified` with exactly the receipt's attestations.
	#[error("NotCertified: the chain's record is not certified with these countersignatures")]
	NotCertified,
	/// The server key is not registered to the certificate's server in that block's state.
	#[error(
		"ServerKeyNotProven: the server key is not the certificate's server's key in that block"
	)]
	ServerKeyNotProven,
	/// The headers do not lead from the block to the justified block.
	#[error("BadAncestry: the headers do not chain from the block to the justified block")]
	BadAncestry,
	/// A precommit is signed by a key outside the anchor's authority set.
	#[error("UnknownAuthoritySet: the justification is signed by keys outside the trusted authority set")]
	UnknownAuthoritySet,
	/// A precommit's signature does not verify, is repeated, or votes off the justified chain.
	#[error("BadJustification: a precommit's signature does not verify, is repeated or votes off the justified chain")]
	BadJustification,
	/// The justification is not for the last header, or is signed by too little weight.
	#[error("NotFinalized: the justification does not finalize the block with more than two thirds of the set's weight")]
	NotFinalized,
	/// A set change does not hold: its header schedules no single standard change, its headers
	/// do not reach the enacting block, or that block's justification does not finalize it under
	/// the set before.
	#[error("BadSetChange: a set change is not scheduled, not enacted, or not finalized by the set before it")]
	BadSetChange,
}

impl ReceiptError {
	/// The check that refused.
	pub fn check(self) -> Check {
		match self {
			Self::Malformed | Self::UnsupportedVersion(_) => Check::Format,
			Self::WrongGenesis => Check::Genesis,
			Self::LeafMismatch | Self::TxNotInBatch => Check::Transaction,
			Self::BadServerSignature => Check::ServerSignature,
			Self::BadSatelliteSignature => Check::SatelliteSignature,
			Self::StorageProofInvalid
			| Self::RecordMismatch
			| Self::NotCertified
			| Self::ServerKeyNotProven => Check::Record,
			Self::BadAncestry
			| Self::UnknownAuthoritySet
			| Self::BadJustification
			| Self::NotFinalized
			| Self::BadSetChange => Check::Finality,
		}
	}

	/// The error's name, as the tools print it.
	pub fn name(self) -> &'static str {
		match self {
			Self::Malformed => "Malformed",
			Self::UnsupportedVersion(_) => "UnsupportedVersion",
			Self::WrongGenesis => "WrongGenesis",
			Self::LeafMismatch => "LeafMismatch",
			Self::TxNotInBatch => "TxNotInBatch",
			Self::BadServerSignature => "BadServerSignature",
			Self::BadSatelliteSignature => "BadSatelliteSignature",
			Self::StorageProofInvalid => "StorageProofInvalid",
			Self::RecordMismatch => "RecordMismatch",
			Self::NotCertified => "NotCertified",
			Self::ServerKeyNotProven => "ServerKeyNotProven",
			Self::BadAncestry => "BadAncestry",
			Self::UnknownAuthoritySet => "UnknownAuthoritySet",
			Self::BadJustification => "BadJustification",
			Self::NotFinalized => "NotFinalized",
			Self::BadSetChange => "BadSetChange",
		}
	}
}

/// What a valid receipt proves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Verified {
	/// The batch.
	pub batch_id: BatchId,
	/// Its server.
	pub server_id: ServerId,
	/// Its sequence.
	pub sequence: u64,
	/// The transaction's position in the batch.
	pub leaf_index: u32,
	/// The transaction's leaf.
	pub leaf: H256,
	/// The block the chain certified the batch at.
	pub certified_at: BlockNumber,
	/// The ground server's clock when it issued the certificate (`issued_at_ms`).
	pub issued_at_ms: u64,
	/// The satellites that certified the batch, each with its clock at signing (`None` for a v1
	/// countersignature): the certificate existed by the earliest of these times, which the
	/// ground server does not hold.
	pub satellites: Vec<(SatelliteId, Option<u64>)>,
	/// The block whose state holds the record.
	pub block: (BlockNumber, H256),
	/// The block the justification finalizes.
	pub finalized: (BlockNumber, H256),
	/// The id of the authority set that finalized it (the anchor's, plus its set changes).
	pub set_id: u64,
	/// Weight of the distinct valid signers, and the weight needed.
	pub signed_weight: (u64, u64),
}

/// Checks `receipt` against `anchor`, and the transaction `tx` against its leaf when given
/// (else the transaction the receipt carries, if any). Pure: no I/O, `no_std`.
pub fn verify(
	receipt: &Receipt,
	tx: Option<&[u8]>,
	anchor: &TrustAnchor,
) -> Result<Verified, ReceiptError> {
	// Format.
	if receipt.version != RECEIPT_VERSION {
		return Err(ReceiptError::UnsupportedVersion(receipt.version));
	}
	let (evidence, batch, chain) = (&receipt.tx, &receipt.batch, &receipt.chain);
	let cert = &batch.cert;

	// Genesis.
	if cert.genesis_hash != anchor.genesis_hash {
		return Err(ReceiptError::WrongGenesis);
	}

	// Transaction.
	if let Some(tx) = tx.or(evidence.tx.as_deref()) {
		if leaf_hash(tx) != evidence.leaf {
			return Err(ReceiptError::LeafMismatch);
		}
	}
	if evidence.proof.number_of_leaves != cert.tx_count
		|| !evidence.proof.verify_leaf(&cert.batch_root, evidence.leaf)
	{
		return Err(ReceiptError::TxNotInBatch);
	}

	// Signatures.
	verify_server_signature(cert, &batch.server_signature, &batch.server_key)
		.map_err(|_| ReceiptError::BadServerSignature)?;
	let batch_id = cert.batch_id();
	if batch.attestations.is_empty() {
		return Err(ReceiptError::BadSatelliteSignature);
	}
	for attestation in &batch.attestations {
		attestation
			.verify(&batch_id, &batch.server_signature)
			.map_err(|_| ReceiptError::BadSatelliteSignature)?;
	}

	// Record.
	let certified_at = check_record(&batch_id, batch, chain)?;

	// Finality.
	let (finalized, set_id, signed_weight) = check_finality(chain, anchor)?;

	Ok(Verified {
		batch_id,
		server_id: cert.server_id,
		sequence: cert.sequence,
		leaf_index: evidence.proof.leaf_index,
		leaf: evidence.leaf,
		certified_at,
		issued_at_ms: cert.issued_at_ms,
		satellites: batch.attestations.iter().map(|a| (a.satellite_id, a.signed_at_ms)).collect(),
		block: (chain.header.number, chain.header.hash()),
		finalized,
		set_id,
		signed_weight,
	})
}

/// Reads the record and the server key's owner from the storage proof; returns the block of
/// certification.
fn check_record(
	batch_id: &BatchId,
	batch: &BatchEvidence,
	chain: &ChainEvidence,
) -> Result<BlockNumber, ReceiptError> {
	let db = sp_trie::StorageProof::new(chain.state_proof.iter().cloned())
		.into_memory_db::<BlakeTwo256>();
	let read = |key: &[u8]| {
		sp_trie::read_trie_value::<sp_trie::LayoutV1<BlakeTwo256>, _>(
			&db,
			&chain.header.state_root,
			key,
			None,
			None,
		)
		.map_err(|_| ReceiptError::StorageProofInvalid)?
		.ok_or(ReceiptError::StorageProofInvalid)
	};
	let record = read(&batch_record_key(batch_id))?;
	let record = BatchRecord::<BlockNumber>::decode(&mut &record[..])
		.map_err(|_| ReceiptError::StorageProofInvalid)?;
	if record.cert != batch.cert || record.server_signature != batch.server_signature {
		return Err(ReceiptError::RecordMismatch);
	}
	let certified_at = match record.status {
		BatchStatus::Certified { attestations, certified_at }
			if attestations.as_slice() == batch.attestations.as_slice() =>
		{
			certified_at
		},
		_ => return Err(ReceiptError::NotCertified),
	};
	let owner = read(&server_key_owner_key(&batch.server_key))?;
	match ServerId::decode(&mut &owner[..]) {
		Ok(owner) if owner == batch.cert.server_id => Ok(certified_at),
		_ => Err(ReceiptError::ServerKeyNotProven),
	}
}

/// Checks the headers from the block to the justified one, the set changes from the anchor's
/// set, and the justification under the set they lead to; returns the finalized block, that
/// set's id, and the signed weight with the threshold.
fn check_finality(
	chain: &ChainEvidence,
	anchor: &TrustAnchor,
) -> Result<((BlockNumber, H256), u64, (u64, u64)), ReceiptError> {
	let last = chain_end(&chain.header, &chain.descendants).ok_or(ReceiptError::BadAncestry)?;
	let mut set_id = anchor.set_id;
	let mut authorities = anchor.authorities.clone();
	for change in &chain.set_changes {
		let scheduled = scheduled_change(&change.header).ok_or(ReceiptError::BadSetChange)?;
		if scheduled.next_authorities.is_empty()
			|| change.descendants.len() != scheduled.delay as usize
		{
			return Err(ReceiptError::BadSetChange);
		}
		let enacting =
			chain_end(&change.header, &change.descendants).ok_or(ReceiptError::BadSetChange)?;
		check_justification(&change.justification, enacting, set_id, &authorities)
			.map_err(|_| ReceiptError::BadSetChange)?;
		set_id = set_id.checked_add(1).ok_or(ReceiptError::BadSetChange)?;
		authorities = scheduled.next_authorities;
	}
	let signed = check_justification(&chain.justification, last, set_id, &authorities)?;
	Ok((last, set_id, signed))
}

/// The last of `descendants` if each is the child of the one before, starting from `header`.
fn chain_end(header: &Header, descendants: &[Header]) -> Option<(BlockNumber, H256)> {
	let mut last = (header.number, header.hash());
	for header in descendants {
		if header.parent_hash != last.1 || Some(header.number) != last.0.checked_add(1) {
			return None;
		}
		last = (header.number, header.hash());
	}
	Some(last)
}

/// Checks that `justification` finalizes `target` under the set `set_id` of `authorities`;
/// returns the signed weight and the threshold.
fn check_justification(
	justification: &Justification,
	target: (BlockNumber, H256),
	set_id: u64,
	authorities: &[(AuthorityId, u64)],
) -> Result<(u64, u64), ReceiptError> {
	let commit = &justification.commit;
	if (commit.target_number, commit.target_hash) != target {
		return Err(ReceiptError::NotFinalized);
	}

	// The votes' ancestry: every header by hash, each used at most once on a walk.
	let ancestry: BTreeMap<H256, &Header> =
		justification.votes_ancestries.iter().map(|h| (h.hash(), h)).collect();
	let weights: BTreeMap<AuthorityId, u64> = authorities.iter().copied().collect();
	let total = weights.values().fold(0u64, |sum, w| sum.saturating_add(*w));
	let threshold = total - total.saturating_sub(1) / 3;

	let mut signers = BTreeMap::new();
	for signed in &commit.precommits {
		let Some(weight) = weights.get(&signed.id) else {
			return Err(ReceiptError::UnknownAuthoritySet);
		};
		if signers.insert(signed.id, *weight).is_some() {
			return Err(ReceiptError::BadJustification);
		}
		let payload = signed.precommit.signed_payload(justification.round, set_id);
		if !sp_io::crypto::ed25519_verify(&signed.signature, &payload, &signed.id) {
			return Err(ReceiptError::BadJustification);
		}
		if !descends(&signed.precommit, commit, &ancestry) {
			return Err(ReceiptError::BadJustification);
		}
	}
	let signed = signers.values().fold(0u64, |sum, w| sum.saturating_add(*w));
	if total == 0 || signed < threshold {
		return Err(ReceiptError::NotFinalized);
	}
	Ok((signed, threshold))
}

/// Whether the precommit's target is the commit's target or a descendant of it through
/// `ancestry` (a walk of at most `ancestry.len()` steps).
fn descends(precommit: &Precommit, commit: &Commit, ancestry: &BTreeMap<H256, &Header>) -> bool {
	let mut hash = precommit.target_hash;
	let mut number = precommit.target_number;
	for _ in 0..=ancestry.len() {
		if hash == commit.target_hash {
			return number == commit.target_number;
		}
		if number <= commit.target_number {
			return false;
		}
		let Some(header) = ancestry.get(&hash) else { return false };
		if header.number != number {
			return false;
		}
		hash = header.parent_hash;
		number -= 1;
	}
	false
}
