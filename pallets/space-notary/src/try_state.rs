//! The pallet's storage invariants, checked by `try_state` (try-runtime) and by the tests after
//! every call they make.
//!
//! Iterates every storage map of the pallet: for try-runtime and tests, never for a block.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::ensure;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::TryRuntimeError;
use space_notary_primitives::BatchId;

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - every server id is below `NextServerId`, and the key-owner maps hold exactly the keys
	///   of the registered servers, each pointing back to its server;
	/// - a server's `last_batch` is its batch at `last_sequence` (zero before the first; its
	///   record may be pruned);
	/// - a server's pending list holds exactly its pending batches, each once;
	/// - every pending batch is in exactly one expiry slot, the one its `expires_at` names, and
	///   no batch is in two slots (a slot may still hold batches certified since, or expired by
	///   deregistration and even pruned since: `on_initialize` skips them);
	/// - exactly the pending batches have deposits, each held from its server's operator;
	/// - the prune queue holds expired batches only, none behind its cursor.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next_id = NextServerId::<T>::get();
		let mut servers = 0usize;
		for (id, server) in Servers::<T>::iter() {
			servers += 1;
			ensure!(id < next_id, "a server id at or above NextServerId");
			ensure!(
				ServerKeyOwner::<T>::get(&server.server_key) == Some(id),
				"a server key not owned by its server"
			);
			ensure!(
				SatelliteKeyOwner::<T>::get(server.satellite_key) == Some(id),
				"a satellite key not owned by its server"
			);
			if server.last_sequence == 0 {
				ensure!(server.last_batch == BatchId::zero(), "a last batch before the first");
			} else if let Some(last) = Batches::<T>::get(server.last_batch) {
				// Absent only once pruned (an expired last batch): the chain keeps just its id.
				ensure!(
					last.cert.server_id == id && last.cert.sequence == server.last_sequence,
					"last_batch is not the batch at last_sequence"
				);
			}
			for (i, batch_id) in server.pending.iter().enumerate() {
				ensure!(!server.pending[..i].contains(batch_id), "a batch pending twice");
				let batch = Batches::<T>::get(batch_id).ok_or("an unknown batch is pending")?;
				ensure!(batch.is_pending(), "a server lists a batch that is not pending");
				ensure!(batch.cert.server_id == id, "a server lists another server's batch");
			}
		}
		ensure!(ServerKeyOwner::<T>::iter().count() == servers, "a server key without a server");
		ensure!(
			SatelliteKeyOwner::<T>::iter().count() == servers,
			"a satellite key without a server"
		);

		let mut slots: BTreeMap<BatchId, (BlockNumberFor<T>, u32)> = BTreeMap::new();
		for (at, due) in Expiries::<T>::iter() {
			for batch_id in due {
				let entry = slots.entry(batch_id).or_insert((at, 0));
				entry.1 += 1;
			}
		}
		let mut pending = 0usize;
		for (batch_id, batch) in Batches::<T>::iter() {
			let BatchStatus::Pending { expires_at } = batch.status else { continue };
			pending += 1;
			ensure!(
				slots.get(&batch_id) == Some(&(expires_at, 1)),
				"a pending batch not in exactly one expiry slot, its own"
			);
			let server =
				Servers::<T>::get(batch.cert.server_id).ok_or("a pending batch of no server")?;
			ensure!(server.pending.contains(&batch_id), "a pending batch its server does not list");
		}
		for (_, count) in slots.values() {
			ensure!(*count == 1, "a batch in two expiry slots");
		}
		ensure!(slots.len() >= pending, "fewer expiry entries than pending batches");

		// Deposits: held for pending batches only, each for its operator.
		let mut deposits = 0usize;
		for (batch_id, (who, _)) in Deposits::<T>::iter() {
			deposits += 1;
			let batch = Batches::<T>::get(batch_id).ok_or("a deposit for an unknown batch")?;
			ensure!(batch.is_pending(), "a deposit held for a batch that is not pending");
			let server = Servers::<T>::get(batch.cert.server_id).ok_or("a deposit of no server")?;
			ensure!(server.operator == who, "a deposit held from someone other than the operator");
		}
		ensure!(deposits == pending, "a pending batch without its deposit");

		// Prune queue: expired batches only, none behind the cursor.
		let cursor = PruneCursor::<T>::get();
		for (at, batch_id, ()) in PruneQueue::<T>::iter() {
			ensure!(at >= cursor, "a prune entry behind the cursor");
			if let Some(batch) = Batches::<T>::get(batch_id) {
				ensure!(
					matches!(batch.status, BatchStatus::Expired { .. }),
					"a prune entry for a batch that is not expired"
				);
			}
		}
		Ok(())
	}
}
