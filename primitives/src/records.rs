//! The records the runtime API returns (`SpaceNotaryApi`): what a server and a batch are on
//! chain, and why a query found nothing. They are the API's contract, so they live here: the
//! pallet stores and returns them, the ground station decodes them, and neither needs the
//! other's code.

use crate::{
	countersignature::{Attestation, MaxSatellitesPerServer, SatelliteId},
	BatchCertificate, BatchId, SatelliteKey, ServerKey, ServerSignature,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::BoundedVec;

/// A batch's attestations: at most one per satellite of its server.
pub type Attestations = BoundedVec<Attestation, MaxSatellitesPerServer>;

/// One of a server's satellites: its number and the key it holds for this server alone.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct ServerSatellite {
	/// The satellite's number.
	pub id: SatelliteId,
	/// The ed25519 key it countersigns this server's batches with.
	pub key: SatelliteKey,
}

/// Whether a server may submit batches and have them certified.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum ServerStatus {
	/// Submits batches; its pending batches can be certified.
	Active,
	/// Submits nothing and gets nothing certified; its pending batches keep their TTL.
	Suspended,
}

/// Why a batch expired.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum ExpiryReason {
	/// No valid countersignature arrived within `BatchTtl`.
	TtlElapsed,
	/// Its server was deregistered while it was pending.
	ServerDeregistered,
}

/// Where a batch stands.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum BatchStatus<BlockNumber> {
	/// Waiting for countersignatures until `expires_at`.
	Pending {
		/// The block whose initialisation expires the batch if it is still pending.
		expires_at: BlockNumber,
		/// Countersignatures accepted so far, fewer than the server's quorum (always empty for a
		/// quorum of one).
		attestations: Attestations,
	},
	/// Countersigned by as many of its server's satellites as the server's quorum asks.
	Certified {
		/// The countersignatures that certified it, in the order they were accepted.
		attestations: Attestations,
		/// Block of certification.
		certified_at: BlockNumber,
	},
	/// Never certified.
	Expired {
		/// Block of expiry.
		at: BlockNumber,
		/// Why.
		reason: ExpiryReason,
	},
}

/// A submitted batch. Its transactions are in the off-chain index, not here.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct BatchRecord<BlockNumber> {
	/// The server's certificate.
	pub cert: BatchCertificate,
	/// The server's signature over the certificate.
	pub server_signature: ServerSignature,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Pending, certified or expired.
	pub status: BatchStatus<BlockNumber>,
}

impl<BlockNumber> BatchRecord<BlockNumber> {
	/// Whether the batch still waits for a countersignature.
	pub fn is_pending(&self) -> bool {
		matches!(self.status, BatchStatus::Pending { .. })
	}
}

/// A server as the runtime API reports it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ServerInfo<AccountId> {
	/// The operator account.
	pub operator: AccountId,
	/// The server's signing key.
	pub server_key: ServerKey,
	/// The satellites that serve this server, each with its key for this server.
	pub satellites: alloc::vec::Vec<ServerSatellite>,
	/// How many distinct satellites must countersign a batch to certify it.
	pub quorum: u32,
	/// Active or suspended.
	pub status: ServerStatus,
	/// Sequence of the last batch accepted on chain.
	pub last_sequence: u64,
	/// Batch id of the last batch accepted on chain.
	pub last_batch: BatchId,
	/// Pending batch ids, oldest first.
	pub pending: alloc::vec::Vec<BatchId>,
}

/// Why the runtime API has no signing payload for a batch.
///
/// A `Result` rather than an `Option`: @polkadot/api 16.5 decodes a runtime call's
/// `Option<Bytes>` answer as `Some` even when it is `None`, while a `Result` decodes correctly,
/// and a named error tells the caller what went wrong.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum PayloadError {
	/// No batch with this id (never submitted, or submitted on another chain).
	UnknownBatch,
}

/// Why an inclusion proof was not accepted by the runtime API.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum InclusionError {
	/// No batch with this id.
	UnknownBatch,
	/// The batch exists but is not certified.
	NotCertified,
	/// The proof's leaf count differs from the certificate's `tx_count`.
	LeafCountMismatch,
	/// The proof does not lead to the certificate's `batch_root` along the claimed leaf's path.
	BadProof,
}

/// Satellite `id` among a server's `satellites`, if it is one of them: the one lookup the
/// chain's record and the runtime API's answer share.
pub fn find_satellite(satellites: &[ServerSatellite], id: SatelliteId) -> Option<&ServerSatellite> {
	satellites.iter().find(|s| s.id == id)
}

/// The satellite a v1 countersignature (which names none) is taken from: a server's only
/// satellite, and only while its quorum is one. The transition rule of `docs/design.md`
/// ("Countersignatures"), which the chain and the ground station share.
pub fn v1_satellite(satellites: &[ServerSatellite], quorum: u32) -> Option<&ServerSatellite> {
	match satellites {
		[only] if quorum == 1 => Some(only),
		_ => None,
	}
}

impl<AccountId> ServerInfo<AccountId> {
	/// The satellite whose v1 countersignatures count for this server ([`v1_satellite`]).
	pub fn v1_satellite(&self) -> Option<&ServerSatellite> {
		v1_satellite(&self.satellites, self.quorum)
	}

	/// The server's satellite `id`, if it has one.
	pub fn satellite(&self, id: SatelliteId) -> Option<&ServerSatellite> {
		find_satellite(&self.satellites, id)
	}

	/// The satellite that holds `key` for this server, if any.
	pub fn satellite_with_key(&self, key: &SatelliteKey) -> Option<&ServerSatellite> {
		self.satellites.iter().find(|s| &s.key == key)
	}
}

impl<BlockNumber> BatchStatus<BlockNumber> {
	/// The countersignatures accepted for the batch so far (none for an expired batch).
	pub fn attestations(&self) -> &[Attestation] {
		match self {
			Self::Pending { attestations, .. } | Self::Certified { attestations, .. } => {
				attestations
			},
			Self::Expired { .. } => &[],
		}
	}
}
