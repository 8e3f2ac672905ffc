//! The transaction pool's verdicts: which bare and signed Space Notary transactions the pool
//! takes, how they are tagged, and how a refusal is classed so that only what can never turn
//! valid is banned. Dispatch re-checks everything; nothing here writes state. The rules and
//! their order are the `checks` module's, shared with dispatch.

use crate::{
	checks::{Prechecked, SequenceRule},
	pallet::*,
	Error, FUTURE_BATCH_LONGEVITY, FUTURE_BATCH_WAIT_MS, LOG_TARGET,
};
use frame_support::{pallet_prelude::*, traits::UnixTime};
use sp_runtime::traits::Saturating;
use space_notary_primitives::{BatchCertificate, BatchId, SatelliteSignature};

impl<T: Config> Pallet<T> {
	/// The pool's verdict on a countersignature: valid, tagged with its batch id so that
	/// every copy of it competes for one slot, or refused with [`Self::pool_refusal`].
	pub fn validate_countersignature(
		batch_id: &BatchId,
		signature: &SatelliteSignature,
	) -> TransactionValidity {
		Self::countersignatures_validity(&[(*batch_id, *signature)], T::UnsignedPriority::get())
	}

	/// The pool's verdict on a bundle: valid only when every entry is valid and new and no
	/// batch is named twice; refused otherwise as its first failing entry would be alone
	/// ([`Self::pool_refusal`]), so no invalid entry rides along for free.
	///
	/// Tags: the bundle provides the tag of every batch it certifies, the same tag a single
	/// countersignature provides, so any two transactions that would certify one batch
	/// (singles, bundles, bare or signed, from any relays) conflict in the pool: only one is
	/// kept, and once it is in a block the other is stale and leaves the pool. Priority: the
	/// single's plus the number of entries, so a bigger bundle replaces a smaller one it
	/// overlaps, and a bundle that loses is refused at once (priority too low), never left
	/// waiting; its relay resubmits what is left after the next block.
	pub fn validate_countersignatures(entries: &CountersignaturesOf<T>) -> TransactionValidity {
		if entries.is_empty() {
			return Err(Self::pool_refusal(Error::<T>::EmptyBundle));
		}
		let priority = T::UnsignedPriority::get().saturating_add(entries.len() as u64);
		Self::countersignatures_validity(entries, priority)
	}

	/// Valid with `priority`, providing every batch's tag and living until the first of them
	/// expires, if every countersignature checks out and names a batch of its own; refused
	/// otherwise.
	///
	/// The cheap checks (no batch named twice; each batch pending and its server active: two
	/// reads an entry) run for every entry before any signature is verified, so a bundle
	/// with one unknown, certified, expired or duplicate entry costs no signature check at
	/// all, wherever that entry sits. Only a bundle whose every entry names a genuinely
	/// pending batch reaches the signatures; it is refused as its first bad signature.
	fn countersignatures_validity(
		entries: &[(BatchId, SatelliteSignature)],
		priority: TransactionPriority,
	) -> TransactionValidity {
		let refuse = |batch_id: &BatchId, e: Error<T>| {
			log::debug!(target: LOG_TARGET, "refused countersignature {batch_id:?}: {e:?}");
			Self::pool_refusal(e)
		};
		let now = frame_system::Pallet::<T>::block_number();
		let mut pending = alloc::vec::Vec::with_capacity(entries.len());
		for (i, (batch_id, _)) in entries.iter().enumerate() {
			if entries[..i].iter().any(|(seen, _)| seen == batch_id) {
				return Err(Self::pool_refusal(Error::<T>::DuplicateInBundle));
			}
			pending.push(Self::check_pending(batch_id).map_err(|e| refuse(batch_id, e))?);
		}
		let mut longevity = u64::MAX;
		let mut validity = ValidTransaction::with_tag_prefix("SpaceNotaryCountersignature")
			.priority(priority)
			.propagate(true);
		for ((batch_id, signature), checked) in entries.iter().zip(&pending) {
			Self::check_satellite_signature(batch_id, signature, checked)
				.map_err(|e| refuse(batch_id, e))?;
			let left: u64 = checked.expires_at.saturating_sub(now).try_into().unwrap_or(u64::MAX);
			longevity = longevity.min(left.max(1));
			validity = validity.and_provides(batch_id);
		}
		validity.longevity(longevity).build()
	}

	/// The pool's verdict on a signed `submit_batch` by `who` (run by
	/// [`ValidateSpaceNotaryCalls`]): the call's cheap checks, those that need no hashing, in
	/// the order dispatch runs them (the `checks` module lists them), taking a batch ahead of
	/// its server's next sequence too; refused with [`Self::pool_refusal`]'s mapping. Valid
	/// batches provide the tag `(server id, sequence)`, so one batch per sequence is in the
	/// pool; a batch beyond the next sequence requires its predecessor's tag and waits for it.
	/// The merkle root and the server signature are left to dispatch (see the extension's docs).
	pub fn validate_batch(
		who: &T::AccountId,
		cert: &BatchCertificate,
		txs: &TxsOf<T>,
	) -> TransactionValidity {
		let server_id = cert.server_id;
		let Prechecked { is_next, .. } =
			Self::precheck_batch(who, cert, txs, SequenceRule::NextOrAhead).map_err(|error| {
				log::debug!(
					target: LOG_TARGET,
					"refused batch {server_id}/{}: {error:?}",
					cert.sequence
				);
				Self::pool_refusal(error)
			})?;
		let mut validity = ValidTransaction::with_tag_prefix("SpaceNotaryBatch")
			.and_provides((server_id, cert.sequence))
			.propagate(true);
		if !is_next {
			// Waits for its predecessor, but not for ever: a gap that nothing fills would leave
			// its sender waiting without an answer. The fork-aware pool validates it again for
			// every block (so a longevity alone starts over); the chain's clock against the
			// certificate's time does not.
			let now_ms = u64::try_from(T::UnixTime::now().as_millis()).unwrap_or(u64::MAX);
			if now_ms > cert.issued_at_ms.saturating_add(FUTURE_BATCH_WAIT_MS) {
				log::debug!(
					target: LOG_TARGET,
					"batch {server_id}/{} waited for its predecessor past its time",
					cert.sequence
				);
				return Err(InvalidTransaction::Stale.into());
			}
			validity = validity
				.and_requires((server_id, cert.sequence.saturating_sub(1)))
				.longevity(FUTURE_BATCH_LONGEVITY);
		}
		validity.build()
	}

	/// How the pool refuses a call that fails with `error`, so that only what can never turn
	/// valid gets the transaction banned.
	///
	/// An `InvalidTransaction` makes the pool ban the transaction's hash for a while (30
	/// minutes by default): the same bytes cannot be sent again even after the cause is
	/// gone. An `UnknownTransaction` is refused without a ban. So:
	///
	/// - `UnknownBatch`, `ServerSuspended`, `TooManyPending`: can change (the batch may be in
	///   a block this node has not imported yet, when gossip outruns block import; the
	///   registrar may resume the server while the batch is pending; pending batches get
	///   certified or expire) → `UnknownTransaction::Custom(code)`.
	/// - `AlreadyCertified`, and `BadSequence` (the pool takes a batch ahead of its server's
	///   next sequence, so in the pool this error means a sequence used already): final on
	///   this chain → `InvalidTransaction::Stale` (a pool that finds it stale while building a
	///   block drops it from that fork only: on another fork it may still be valid).
	/// - Everything else: final (an expired batch stays expired, a signature that fails under
	///   the server's current satellite key keeps failing, server ids are never reused, a
	///   certificate's fields do not change) → `InvalidTransaction::Custom(code)`.
	///
	/// `code` is the index of the pallet's [`Error`], as in a failed dispatch.
	pub fn pool_refusal(error: Error<T>) -> TransactionValidityError {
		match error {
			Error::<T>::UnknownBatch | Error::<T>::ServerSuspended | Error::<T>::TooManyPending => {
				UnknownTransaction::Custom(Self::error_code(error)).into()
			},
			Error::<T>::AlreadyCertified | Error::<T>::BadSequence => {
				InvalidTransaction::Stale.into()
			},
			_ => InvalidTransaction::Custom(Self::error_code(error)).into(),
		}
	}

	/// The error's index, as the custom code of a refused unsigned transaction.
	pub(crate) fn error_code(error: Error<T>) -> u8 {
		let module_error: sp_runtime::DispatchError = error.into();
		match module_error {
			sp_runtime::DispatchError::Module(m) => m.error[0],
			_ => 0,
		}
	}
}
