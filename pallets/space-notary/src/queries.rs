//! The read side: what the runtime API (`SpaceNotaryApi`) answers, computed from storage.

use crate::{
	pallet::{BatchRecordOf, Batches, Config, Pallet, Servers},
	types::{BatchStatus, InclusionError, PayloadError, ServerInfo},
};
use alloc::vec::Vec;
use space_notary_primitives::{BatchId, InclusionProof, ServerId};

impl<T: Config> Pallet<T> {
	/// Runtime API: a server's record.
	pub fn server_info(server_id: ServerId) -> Option<ServerInfo<T::AccountId>> {
		Servers::<T>::get(server_id).map(Into::into)
	}

	/// Runtime API: a batch's record.
	pub fn batch(batch_id: BatchId) -> Option<BatchRecordOf<T>> {
		Batches::<T>::get(batch_id)
	}

	/// Runtime API: a server's pending batches, oldest first.
	pub fn pending_batches(server_id: ServerId) -> Vec<(BatchId, BatchRecordOf<T>)> {
		Servers::<T>::get(server_id)
			.map(|server| {
				server
					.pending
					.into_iter()
					.filter_map(|id| Batches::<T>::get(id).map(|batch| (id, batch)))
					.collect()
			})
			.unwrap_or_default()
	}

	/// Runtime API: the bytes the satellite signs in v1 for a known batch.
	pub fn satellite_payload(batch_id: BatchId) -> Result<Vec<u8>, PayloadError> {
		let batch = Batches::<T>::get(batch_id).ok_or(PayloadError::UnknownBatch)?;
		Ok(space_notary_primitives::satellite_payload(&batch_id, &batch.server_signature))
	}

	/// Runtime API (version 2): the bytes satellite `satellite_id` signs in v2 for a known
	/// batch at its clock reading `signed_at_ms`.
	pub fn satellite_payload_v2(
		batch_id: BatchId,
		satellite_id: space_notary_primitives::SatelliteId,
		signed_at_ms: u64,
	) -> Result<Vec<u8>, PayloadError> {
		let batch = Batches::<T>::get(batch_id).ok_or(PayloadError::UnknownBatch)?;
		Ok(space_notary_primitives::satellite_payload_v2(
			&batch_id,
			&batch.server_signature,
			satellite_id,
			signed_at_ms,
		))
	}

	/// Runtime API: whether `tx` is proven part of the certified batch `batch_id`. The leaf
	/// count comes from the certificate (the root does not fix it), and the proof must follow
	/// the claimed leaf's path exactly ([`InclusionProof::verify`]): two glued node hashes never
	/// pass for a transaction.
	pub fn verify_inclusion(
		batch_id: BatchId,
		tx: Vec<u8>,
		proof: InclusionProof,
	) -> Result<(), InclusionError> {
		let batch = Batches::<T>::get(batch_id).ok_or(InclusionError::UnknownBatch)?;
		if !matches!(batch.status, BatchStatus::Certified { .. }) {
			return Err(InclusionError::NotCertified);
		}
		if proof.number_of_leaves != batch.cert.tx_count {
			return Err(InclusionError::LeafCountMismatch);
		}
		if proof.verify(&batch.cert.batch_root, &tx) {
			Ok(())
		} else {
			Err(InclusionError::BadProof)
		}
	}
}
