//! The schedule: each pending batch's expiry at the end of its TTL, each expired batch's removal
//! after `ExpiredRetention`, worked off at the start of a block within `MaxScheduledPerBlock`.

use crate::{pallet::*, BatchStatus, ExpiryReason, Scheduled};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};
use space_notary_primitives::{offchain_txs_key, BatchId, ServerId};

impl<T: Config> Pallet<T> {
	/// Expires `batch_id` if it is still pending, removing it from its server's pending list.
	pub(crate) fn expire(batch_id: &BatchId, now: BlockNumberFor<T>, reason: ExpiryReason) {
		let Some(batch) = Batches::<T>::get(batch_id) else { return };
		if !batch.is_pending() {
			return;
		}
		let server_id = batch.cert.server_id;
		Servers::<T>::mutate(server_id, |server| {
			if let Some(server) = server {
				server.pending.retain(|id| id != batch_id);
			}
		});
		Self::mark_expired(server_id, batch_id, now, reason);
	}

	/// Marks a pending batch expired and says so. The caller handles the server record.
	pub(crate) fn mark_expired(
		server_id: ServerId,
		batch_id: &BatchId,
		now: BlockNumberFor<T>,
		reason: ExpiryReason,
	) {
		Batches::<T>::mutate(batch_id, |batch| {
			if let Some(batch) = batch {
				batch.status = BatchStatus::Expired { at: now, reason };
			}
		});
		let prune_at = now.saturating_add(T::ExpiredRetention::get());
		Schedule::<T>::insert(prune_at, batch_id, Scheduled::Prune);
		Self::deposit_event(Event::BatchExpired { server_id, batch_id: *batch_id, reason });
	}

	/// Does the scheduled work due by `now`, at most `MaxScheduledPerBlock` steps: the
	/// schedule is walked block by block from `ScheduleCursor`, and what does not fit waits
	/// for the next block. A batch expires as of its scheduled block even when the work is
	/// done later. Returns the steps taken.
	pub(crate) fn run_schedule(now: BlockNumberFor<T>) -> u32 {
		let budget = T::MaxScheduledPerBlock::get();
		let mut steps = 0u32;
		let mut cursor = ScheduleCursor::<T>::get();
		// A look at one block of the schedule, then at least one step of work, must fit.
		while cursor <= now && steps.saturating_add(2) <= budget {
			steps += 1;
			let room = budget - steps;
			let due: alloc::vec::Vec<(BatchId, Scheduled)> =
				Schedule::<T>::iter_prefix(cursor).take(room as usize).collect();
			let full = due.len() as u32 == room;
			for (batch_id, work) in due {
				Schedule::<T>::remove(cursor, batch_id);
				match work {
					Scheduled::Expire => Self::expire(&batch_id, cursor, ExpiryReason::TtlElapsed),
					Scheduled::Prune => Self::remove_expired(&batch_id),
				}
				steps += 1;
			}
			if full {
				break; // this block of the schedule may hold more: go on here next block
			}
			cursor = cursor.saturating_add(One::one());
		}
		ScheduleCursor::<T>::put(cursor);
		steps
	}

	/// Removes an expired batch's record and its indexed transactions.
	pub(crate) fn remove_expired(batch_id: &BatchId) {
		let Some(batch) = Batches::<T>::get(batch_id) else { return };
		if !matches!(batch.status, BatchStatus::Expired { .. }) {
			return; // only expired batches are queued; certified ones stay for good
		}
		Batches::<T>::remove(batch_id);
		sp_io::offchain_index::clear(&offchain_txs_key(batch_id));
		let server_id = batch.cert.server_id;
		Self::deposit_event(Event::BatchPruned { server_id, batch_id: *batch_id });
	}
}
