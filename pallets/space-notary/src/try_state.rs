//! The pallet's storage invariants, checked by `try_state` (try-runtime) and by the tests after
//! every call they make.
//!
//! Iterates every storage map of the pallet: for try-runtime and tests, never for a block.

use crate::*;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::Saturating;
use sp_runtime::TryRuntimeError;
use space_notary_primitives::BatchId;

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - every server id is below `NextServerId`, and the key-owner maps hold exactly the keys
	///   of the registered servers and of their satellites, each pointing back to its server
	///   (and satellite);
	/// - a server has between 1 and `MAX_SATELLITES_PER_SERVER` satellites, each once, and a
	///   quorum between 1 and their number;
	/// - a pending batch's attestations are of distinct satellites of its server, under their
	///   current keys, and (while the server is active) fewer than its quorum;
	/// - a server's `last_batch` is its batch at `last_sequence` (zero before the first; its
	///   record may be pruned);
	/// - a server's pending list holds exactly its pending batches, each once;
	/// - every pending batch is scheduled to expire at its `expires_at`, not yet passed by the
	///   schedule's cursor, and no expiry is scheduled elsewhere for it (the schedule may still
	///   hold expiries of batches certified since, or expired by deregistration and even pruned
	///   since: they are skipped);
	/// - exactly the registered servers have deposits, and each operator holds their sum;
	/// - prunes are scheduled for expired batches only, and no work is behind the cursor.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next_id = NextServerId::<T>::get();
		let (mut servers, mut satellites) = (0usize, 0usize);
		for (id, server) in Servers::<T>::iter() {
			servers += 1;
			ensure!(id < next_id, "a server id at or above NextServerId");
			ensure!(
				ServerKeyOwner::<T>::get(&server.server_key) == Some(id),
				"a server key not owned by its server"
			);
			ensure!(!server.satellites.is_empty(), "a server without a satellite");
			ensure!(
				server.quorum >= 1 && server.quorum as usize <= server.satellites.len(),
				"a quorum out of 1..=satellites"
			);
			for (i, satellite) in server.satellites.iter().enumerate() {
				ensure!(
					!server.satellites[..i].iter().any(|s| s.id == satellite.id),
					"a satellite serving a server twice"
				);
				ensure!(
					SatelliteKeyOwner::<T>::get(satellite.key) == Some((id, satellite.id)),
					"a satellite key not owned by its server and satellite"
				);
				satellites += 1;
			}
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
				let attestations = batch.status.attestations();
				for (j, a) in attestations.iter().enumerate() {
					ensure!(
						!attestations[..j].iter().any(|b| b.satellite_id == a.satellite_id),
						"a satellite counted twice on one batch"
					);
					ensure!(
						server.satellite(a.satellite_id).map(|s| s.key) == Some(a.satellite_key),
						"an attestation of no current satellite key of the server"
					);
				}
				ensure!(
					server.status != ServerStatus::Active
						|| (attestations.len() as u32) < server.quorum,
					"an active server's pending batch holds its quorum"
				);
			}
		}
		ensure!(ServerKeyOwner::<T>::iter().count() == servers, "a server key without a server");
		ensure!(
			SatelliteKeyOwner::<T>::iter().count() == satellites,
			"a satellite key without a server"
		);

		let cursor = ScheduleCursor::<T>::get();
		for (batch_id, batch) in Batches::<T>::iter() {
			let BatchStatus::Pending { expires_at, .. } = batch.status else { continue };
			ensure!(expires_at >= cursor, "a pending batch the schedule has passed");
			ensure!(
				Schedule::<T>::get(expires_at, batch_id) == Some(Scheduled::Expire),
				"a pending batch not scheduled to expire at its expires_at"
			);
			let server =
				Servers::<T>::get(batch.cert.server_id).ok_or("a pending batch of no server")?;
			ensure!(server.pending.contains(&batch_id), "a pending batch its server does not list");
		}
		for (at, batch_id, work) in Schedule::<T>::iter() {
			ensure!(at >= cursor, "scheduled work behind the cursor");
			let Some(batch) = Batches::<T>::get(batch_id) else { continue }; // pruned already
			match (work, batch.status) {
				(Scheduled::Expire, BatchStatus::Pending { expires_at, .. }) => ensure!(
					at == expires_at,
					"an expiry scheduled at another block than the batch's expires_at"
				),
				(Scheduled::Prune, BatchStatus::Pending { .. } | BatchStatus::Certified { .. }) => {
					return Err("a prune scheduled for a batch that is not expired".into())
				},
				_ => {},
			}
		}

		// Deposits: one per registered server, no other, and each operator holds the sum of its
		// servers' deposits.
		let mut held = alloc::collections::BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut deposits = 0usize;
		for (server_id, deposit) in ServerDeposits::<T>::iter() {
			deposits += 1;
			let server = Servers::<T>::get(server_id).ok_or("a deposit of no registered server")?;
			let sum = held.entry(server.operator).or_default();
			*sum = sum.saturating_add(deposit);
		}
		ensure!(deposits == servers, "a server without its deposit");
		for (operator, sum) in held {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ServerDeposit.into(), &operator) == sum,
				"an operator's hold is not the sum of its servers' deposits"
			);
		}

		Ok(())
	}
}
