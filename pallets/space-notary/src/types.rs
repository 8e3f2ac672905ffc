//! Records the pallet keeps in storage. What the runtime API returns is primitives' (the API's
//! contract, shared with the ground station), re-exported here.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
pub use space_notary_primitives::records::{
	Attestations, BatchRecord, BatchStatus, ExpiryReason, InclusionError, PayloadError, ServerInfo,
	ServerSatellite, ServerStatus,
};
use space_notary_primitives::{BatchId, MaxSatellitesPerServer, SatelliteId, ServerKey};

/// A registered ground server.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxPending))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub struct ServerRecord<AccountId, MaxPending>
where
	AccountId: Clone + PartialEq + core::fmt::Debug,
	MaxPending: Get<u32>,
{
	/// The account that submits this server's batches.
	pub operator: AccountId,
	/// The key the server signs certificates with.
	pub server_key: ServerKey,
	/// The satellites that serve this server, each with the ed25519 key it holds for this server
	/// alone; at least `quorum` of them.
	pub satellites: BoundedVec<ServerSatellite, MaxSatellitesPerServer>,
	/// How many distinct satellites must countersign a batch to certify it (1 to the number of
	/// satellites).
	pub quorum: u32,
	/// Active or suspended.
	pub status: ServerStatus,
	/// Sequence of the last batch accepted on chain; 0 before the first.
	pub last_sequence: u64,
	/// Batch id of the last batch accepted on chain; zero before the first.
	pub last_batch: BatchId,
	/// Batches waiting for a countersignature, oldest first.
	pub pending: BoundedVec<BatchId, MaxPending>,
}

impl<AccountId: Clone + PartialEq + core::fmt::Debug, M: Get<u32>> From<ServerRecord<AccountId, M>>
	for ServerInfo<AccountId>
{
	fn from(r: ServerRecord<AccountId, M>) -> Self {
		Self {
			operator: r.operator,
			server_key: r.server_key,
			satellites: r.satellites.into_inner(),
			quorum: r.quorum,
			status: r.status,
			last_sequence: r.last_sequence,
			last_batch: r.last_batch,
			pending: r.pending.into_inner(),
		}
	}
}

impl<AccountId: Clone + PartialEq + core::fmt::Debug, M: Get<u32>> ServerRecord<AccountId, M> {
	/// The server's satellite `id`, if it has one.
	pub fn satellite(&self, id: SatelliteId) -> Option<&ServerSatellite> {
		space_notary_primitives::records::find_satellite(&self.satellites, id)
	}

	/// The position of satellite `id` in the server's satellites, if it is one of them.
	pub fn satellite_index(&self, id: SatelliteId) -> Option<usize> {
		self.satellites.iter().position(|s| s.id == id)
	}
}

/// Work the pallet schedules for a batch at a block ([`crate::Schedule`]).
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
pub enum Scheduled {
	/// Expire the batch if it is still pending (its TTL ends).
	Expire,
	/// Remove the expired batch's record and indexed transactions (its retention ends).
	Prune,
}
