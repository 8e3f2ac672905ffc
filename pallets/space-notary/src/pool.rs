//! The transaction pool's verdicts: which bare and signed Space Notary transactions the pool
//! takes, how they are tagged, and how a refusal is classed so that only what can never turn
//! valid is banned. Dispatch re-checks everything; nothing here writes state. The rules and
//! their order are the `checks` module's, shared with dispatch.

use crate::{
	checks::{Claim, Prechecked, SequenceRule},
	pallet::*,
	Error, FUTURE_BATCH_LONGEVITY, FUTURE_BATCH_WAIT_MS, LOG_TARGET,
};
use frame_support::{pallet_prelude::*, traits::UnixTime};
use sp_runtime::traits::Saturating;
use space_notary_primitives::{BatchCertificate, BatchId, Countersignature, SatelliteSignature};

impl<T: Config> Pallet<T> {
	/// The pool's verdict on a v1 countersignature: valid, tagged with its batch id so that
	/// every copy of it competes for one slot, or refused with [`Self::pool_refusal`].
	pub fn validate_countersignature(
		batch_id: &BatchId,
		signature: &SatelliteSignature,
	) -> TransactionValidity {
		Self::claims_validity(&[(*batch_id, Claim::V1(*signature))], T::UnsignedPriority::get())
	}

	/// The pool's verdict on a v2 countersignature, as [`Self::validate_countersignature`]'s;
	/// tagged as [`Self::claims_validity`] says.
	pub fn validate_attestation(
		batch_id: &BatchId,
		countersignature: &Countersignature,
	) -> TransactionValidity {
		Self::claims_validity(
			&[(*batch_id, Claim::V2(*countersignature))],
			T::UnsignedPriority::get(),
		)
	}

	/// The pool's verdict on a bundle of v1 countersignatures: valid only when every entry is
	/// valid and new and no batch is named twice; refused otherwise as its first failing entry
	/// would be alone ([`Self::pool_refusal`]), so no invalid entry rides along for free.
	///
	/// Priority: the single's plus the number of entries, so a bigger bundle replaces a smaller
	/// one it overlaps, and a bundle that loses is refused at once (priority too low), never left
	/// waiting; its relay resubmits what is left after the next block.
	pub fn validate_countersignatures(entries: &CountersignaturesOf<T>) -> TransactionValidity {
		let claims: alloc::vec::Vec<_> =
			entries.iter().map(|(id, signature)| (*id, Claim::V1(*signature))).collect();
		Self::bundle_validity(&claims)
	}

	/// The pool's verdict on a bundle of v2 countersignatures, as
	/// [`Self::validate_countersignatures`]'.
	pub fn validate_attestations(entries: &AttestationsOf<T>) -> TransactionValidity {
		let claims: alloc::vec::Vec<_> =
			entries.iter().map(|(id, cs)| (*id, Claim::V2(*cs))).collect();
		Self::bundle_validity(&claims)
	}

	fn bundle_validity(claims: &[(BatchId, Claim)]) -> TransactionValidity {
		if claims.is_empty() {
			return Err(Self::pool_refusal(Error::<T>::EmptyBundle));
		}
		let priority = T::UnsignedPriority::get().saturating_add(claims.len() as u64);
		Self::claims_validity(claims, priority)
	}

	/// Valid with `priority`, providing a tag per entry and living until the first of their
	/// batches expires, if every countersignature checks out and names a batch of its own;
	/// refused otherwise.
	///
	/// Tags: an entry that would certify its batch alone (a v1 one, or a v2 one of a server
	/// with a quorum of one) provides the batch's tag, so any two transactions that would
	/// certify one batch (singles, bundles, v1 or v2, bare or signed, from any relays) conflict
	/// in the pool: only one is kept, and once it is in a block the other is stale and leaves
	/// the pool. Under a larger quorum an entry provides `(batch, satellite)`: one slot per
	/// satellite, so the satellites' countersignatures of one batch travel side by side.
	///
	/// The cheap checks (no batch named twice; each batch pending, its server active, the
	/// satellite one of the server's and not counted yet, its clock in bounds: two reads an
	/// entry) run for every entry before any signature is verified, so a bundle with one
	/// unknown, certified, expired or duplicate entry costs no signature check at all, wherever
	/// that entry sits. Only a bundle whose every entry passes them reaches the signatures; it is
	/// refused as its first bad signature.
	fn claims_validity(
		claims: &[(BatchId, Claim)],
		priority: TransactionPriority,
	) -> TransactionValidity {
		let refuse = |batch_id: &BatchId, e: Error<T>| {
			log::debug!(target: LOG_TARGET, "refused countersignature {batch_id:?}: {e:?}");
			Self::pool_refusal(e)
		};
		let now = frame_system::Pallet::<T>::block_number();
		let mut prechecked = alloc::vec::Vec::with_capacity(claims.len());
		for (i, (batch_id, claim)) in claims.iter().enumerate() {
			if claims[..i].iter().any(|(seen, _)| seen == batch_id) {
				return Err(Self::pool_refusal(Error::<T>::DuplicateInBundle));
			}
			let pending = Self::check_pending(batch_id).map_err(|e| refuse(batch_id, e))?;
			let attestation =
				Self::precheck_claim(claim, &pending).map_err(|e| refuse(batch_id, e))?;
			prechecked.push((pending, attestation));
		}
		let mut longevity = u64::MAX;
		let mut validity = ValidTransaction::with_tag_prefix("SpaceNotaryCountersignature")
			.priority(priority)
			.propagate(true);
		for ((batch_id, _), (pending, attestation)) in claims.iter().zip(&prechecked) {
			Self::check_attestation_signature(batch_id, attestation, pending)
				.map_err(|e| refuse(batch_id, e))?;
			let left: u64 = pending.expires_at.saturating_sub(now).try_into().unwrap_or(u64::MAX);
			longevity = longevity.min(left.max(1));
			validity = if pending.server.quorum <= 1 {
				validity.and_provides(batch_id)
			} else {
				validity.and_provides((batch_id, attestation.satellite_id))
			};
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
	/// - `UnknownBatch`, `ServerSuspended`, `TooManyPending`, `UnknownSatellite`,
	///   `SignedInFuture`: can change (the batch may be in a block this node has not imported
	///   yet, when gossip outruns block import; the registrar may resume the server while the
	///   batch is pending, or add the satellite; pending batches get certified or expire; the
	///   chain's clock catches up with the satellite's) → `UnknownTransaction::Custom(code)`.
	/// - `AlreadyCertified`, `AlreadyAttested`, and `BadSequence` (the pool takes a batch ahead of its server's
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
			Error::<T>::UnknownBatch
			| Error::<T>::ServerSuspended
			| Error::<T>::TooManyPending
			| Error::<T>::UnknownSatellite
			| Error::<T>::SignedInFuture => UnknownTransaction::Custom(Self::error_code(error)).into(),
			Error::<T>::AlreadyCertified
			| Error::<T>::BadSequence
			| Error::<T>::AlreadyAttested => InvalidTransaction::Stale.into(),
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
