//! [`ValidateSpaceNotaryCalls`]: the transaction extension that validates this pallet's *signed*
//! calls in the pool, as `ValidateUnsigned` validates its bare ones.
//!
//! Without it, a signed call is checked only when dispatched: an invalid or duplicate signed
//! `submit_countersignature` lands in a block and pays its fee, and a signed copy of a bare
//! countersignature is a different transaction to the pool, so a copier could front-run an honest
//! relay, who would then pay for `AlreadyCertified`. With it:
//!
//! - A signed `submit_countersignature` runs [`Pallet::validate_countersignature`], the check the
//!   bare path runs, and gets the same `provides` tag (the batch id); a signed bundle
//!   (`submit_countersignatures`) runs [`Pallet::validate_countersignatures`], the tags of all
//!   its batches; the v2 calls (`submit_attestation`, `submit_attestations`) run
//!   [`Pallet::validate_attestation`] and [`Pallet::validate_attestations`] the same way. Every
//!   copy of one
//!   countersignature, bare or signed, from any relay, competes for one slot in the pool; the
//!   others are refused ("priority too low") or replaced ("usurped"), and are never charged. A
//!   signed copy carries the pallet's priority plus the fee-based priority of
//!   `ChargeTransactionPayment`, so it outranks a bare copy: whichever copy lands, the batch is
//!   certified once and nobody pays. Refusals are the bare path's ([`Pallet::pool_refusal`]):
//!   `UnknownTransaction` where the cause can pass, `InvalidTransaction` where it cannot.
//! - A signed `submit_batch` runs [`Pallet::validate_batch`]: the checks that need no hashing
//!   (server, operator, status, version, genesis, sequence, count and byte bounds). A call that
//!   fails them never enters the pool, so nobody can pay a few cents to fill a block's length
//!   with a call that will fail. Its tag `(server id, sequence)` lets one batch per sequence into
//!   the pool, and a batch submitted ahead of its predecessor waits for it (`requires`).
//!   The merkle root and the server signature are checked in dispatch only: hashing up to
//!   `MaxBatchBytes` at every revalidation would cost every node in the pool, and only the
//!   server's operator can send the call, who pays for its own mistakes.
//!
//! `validate` also runs when the block is built and imported (`TransactionSource::InBlock`),
//! so a signed call that the pool would refuse cannot be included at all.
//!
//! Only calls at the top of a transaction are seen; a call of this pallet wrapped in another
//! (sudo, a batch) is dispatched like any call and pays its fee. Bare transactions pass through
//! (`ValidateUnsigned` is their check); general (v5) transactions need an origin from an earlier
//! extension, which this runtime has none of.
//!
//! Weight: the countersignature check's cost is part of `submit_countersignature`'s benchmarked
//! weight (which measures the pool check and the dispatch together, as a bare transaction runs
//! them in a block), so the extension adds nothing for it; for `submit_batch` it adds the two
//! reads it makes (the server record and block 0's hash).

use crate::{Call, Config, Pallet};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::{TransactionSource, ValidTransaction, Weight},
	traits::{Get, IsSubType, OriginTrait},
	DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, TransactionExtension, ValidateResult},
};

/// Validates this pallet's signed calls in the pool; see the [module docs](self).
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct ValidateSpaceNotaryCalls<T>(PhantomData<T>);

impl<T> ValidateSpaceNotaryCalls<T> {
	/// The extension (it carries no data: nothing is added to a transaction's bytes).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for ValidateSpaceNotaryCalls<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		f.write_str("ValidateSpaceNotaryCalls")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for ValidateSpaceNotaryCalls<T>
where
	<T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>>,
{
	const IDENTIFIER: &'static str = "ValidateSpaceNotaryCalls";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		match call.is_sub_type() {
			Some(Call::submit_batch { .. }) => T::DbWeight::get().reads(2),
			_ => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: T::RuntimeOrigin,
		call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		let Some(who) = origin.as_signer() else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		let validity = match call.is_sub_type() {
			Some(Call::submit_countersignature { batch_id, signature }) => {
				Pallet::<T>::validate_countersignature(batch_id, signature)?
			},
			Some(Call::submit_countersignatures { entries }) => {
				Pallet::<T>::validate_countersignatures(entries)?
			},
			Some(Call::submit_attestation { batch_id, countersignature }) => {
				Pallet::<T>::validate_attestation(batch_id, countersignature)?
			},
			Some(Call::submit_attestations { entries }) => {
				Pallet::<T>::validate_attestations(entries)?
			},
			Some(Call::submit_batch { cert, txs, .. }) => {
				Pallet::<T>::validate_batch(who, cert, txs)?
			},
			_ => ValidTransaction::default(),
		};
		Ok((validity, (), origin))
	}

	impl_tx_ext_default!(<T as frame_system::Config>::RuntimeCall; prepare);
}
