//! `SpaceNotaryApi`: what clients (the bridge, polkadot.js through `api.call`) ask the runtime.

use crate::types::{BatchRecord, InclusionError, PayloadError, ServerInfo};
use alloc::vec::Vec;
use codec::Codec;
use space_notary_primitives::{BatchCertificate, BatchId, InclusionProof, SatelliteId, ServerId};

sp_api::decl_runtime_apis! {
	/// Queries over servers and batches, and the signing payloads, computed by the runtime so
	/// that clients need no copy of the rules.
	///
	/// Version 2: a server's satellites and quorum, a batch's attestations, and
	/// `satellite_payload_v2`.
	#[api_version(2)]
	pub trait SpaceNotaryApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// A registered server, or `None`.
		fn server(server_id: ServerId) -> Option<ServerInfo<AccountId>>;
		/// A batch's record (certificate, server signature, status), or `None`.
		fn batch_status(batch_id: BatchId) -> Option<BatchRecord<BlockNumber>>;
		/// A server's pending batches, oldest first.
		fn pending_batches(server_id: ServerId) -> Vec<(BatchId, BatchRecord<BlockNumber>)>;
		/// The bytes a ground server signs for `cert`.
		fn server_payload(cert: BatchCertificate) -> Vec<u8>;
		/// The bytes the satellite signs in v1 for a known batch (pending, certified or expired).
		fn satellite_payload(batch_id: BatchId) -> Result<Vec<u8>, PayloadError>;
		/// The bytes satellite `satellite_id` signs in v2 for a known batch at its clock reading
		/// `signed_at_ms`.
		fn satellite_payload_v2(batch_id: BatchId, satellite_id: SatelliteId, signed_at_ms: u64) -> Result<Vec<u8>, PayloadError>;
		/// Whether `tx` is part of the certified batch `batch_id`, by `proof`.
		fn verify_inclusion(batch_id: BatchId, tx: Vec<u8>, proof: InclusionProof) -> Result<(), InclusionError>;
	}
}
