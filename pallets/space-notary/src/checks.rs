//! The rules a batch and a countersignature must meet, written once: the pool's verdicts
//! ([`crate::pool`]) and the calls run these checks, in the same order, so that both refuse the
//! same input for the same first reason, and dispatch adds only what the pool leaves out.
//! Nothing here writes state.
//!
//! ## A batch
//!
//! [`Pallet::precheck_batch`] runs the cheap checks: two reads (the server record and block 0's
//! hash) and no hashing. The order goes from who may submit (server, operator, status) to the
//! certificate's own fields, to the transactions against the certificate, to room for one more
//! pending batch. The first rule that fails is the refusal:
//!
//! 1. `UnknownServer`: the certificate names a registered server, whose record every later rule
//!    reads.
//! 2. `NotOperator`: only the server's operator submits its batches; checked before the server's
//!    status so that a stranger's batch is refused for good (the pool bans it) rather than as
//!    one that could pass once the server is resumed.
//! 3. `ServerSuspended`: a suspended server submits nothing new until the registrar resumes it.
//! 4. `UnsupportedVersion`: the certificate is of the one version this chain reads.
//! 5. `WrongGenesis`: the certificate binds this chain's block 0, so that a batch certified for
//!    another chain cannot be replayed here.
//! 6. `BadSequence`: the sequence is the server's next ([`SequenceRule::Next`]; the pool, with
//!    [`SequenceRule::NextOrAhead`], also takes one ahead and lets it wait, until
//!    [`crate::FUTURE_BATCH_WAIT_MS`] past its certificate's time), so that each sequence is
//!    notarised once and in order.
//! 7. `BadPrevBatch`: a batch at the next sequence names the server's last batch, which keeps the
//!    hash chain; a batch ahead names a predecessor the chain does not have yet.
//! 8. `EmptyBatch`: a batch holds at least one transaction, or it notarises nothing.
//! 9. `TxCountMismatch`: the transactions are as many as the certificate's `tx_count`, which the
//!    satellite reads before it sees them.
//! 10. `BatchTooLarge`: the transactions fit `MaxBatchBytes`, the range the call's weight is
//!     benchmarked over; before the total's match, so that an oversized batch is refused as
//!     such whatever its certificate claims.
//! 11. `TotalBytesMismatch`: the transactions add up to the certificate's `total_bytes`
//!     ([`space_notary_primitives::total_bytes`]), which bounds the satellite's work.
//! 12. `TooManyPending`: a batch at the next sequence finds room in its server's pending list
//!     (bounded by `MaxPendingPerServer`, which the server's deposit pays for); a batch ahead is
//!     not held to it, as the list will have changed when its predecessor lands.
//!
//! Dispatch then runs the checks that hash, which the pool leaves out (hashing up to
//! `MaxBatchBytes` at every revalidation would cost every node, and only the operator can send
//! the call, who pays for its mistakes). They come last so that no batch refused by a cheap rule
//! costs a hash:
//!
//! 13. `RootMismatch`: the transactions' merkle root is the certificate's `batch_root`, which
//!     inclusion proofs are checked against.
//! 14. `SignatureSchemeMismatch`, `BadServerSignature`: the server's current key signed the
//!     certificate, so that only the server itself issues its batches.
//!
//! ## A countersignature
//!
//! [`Pallet::check_pending`] (two reads): the batch is known (`UnknownBatch`), pending
//! (`AlreadyCertified`, `BatchExpired`, also for a batch past its expiry that the schedule has
//! not reached yet), and its server exists (`UnknownServer`) and is active (`ServerSuspended`).
//! Then [`Pallet::precheck_claim`], no signature yet:
//!
//! 1. which satellite: a v2 countersignature names one of the server's satellites
//!    (`UnknownSatellite`); a v1 one is taken only from a server with one satellite and a quorum
//!    of one (`CountersignatureV1NotAccepted`), whose satellite it then is;
//! 2. `AlreadyAttested`: that satellite has not countersigned the batch yet, so a quorum counts
//!    distinct satellites;
//! 3. v2 only, the satellite's clock: not before the certificate's `issued_at_ms`
//!    (`SignedBeforeIssued`: a satellite cannot have seen a certificate before it existed), and
//!    at most `SatelliteClockTolerance` past the chain's clock (`SignedInFuture`).
//!
//! Then [`Pallet::check_attestation_signature`]: the signature verifies under that satellite's
//! current key for the server, over the payload of its version (`BadSatelliteSignature`). The
//! pool checks every entry of a bundle cheaply before it verifies any signature.

use crate::{pallet::*, BatchStatus, ServerStatus};
use frame_support::traits::UnixTime;
use frame_support::{ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use space_notary_primitives::{
	batch_root, records::v1_satellite, total_bytes, verify_server_signature, Attestation,
	BatchCertificate, BatchId, Countersignature, SatelliteSignature, ServerKey, ServerSignature,
	SignatureError, CERTIFICATE_VERSION,
};

/// A countersignature as a relay brings it: v1 (the transition form: no satellite, no time) or
/// v2.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Claim {
	/// A v1 signature: taken only from a server's one satellite.
	V1(SatelliteSignature),
	/// A v2 countersignature: the satellite, its clock, its signature.
	V2(Countersignature),
}

/// Which sequences [`Pallet::precheck_batch`] takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SequenceRule {
	/// Exactly the server's next sequence: dispatch, which stores the batch now.
	Next,
	/// The next sequence or one beyond it: the pool, where a batch ahead of its predecessor
	/// waits for it as a future transaction.
	NextOrAhead,
}

/// What [`Pallet::precheck_batch`] read and found, for its caller to go on with.
pub(crate) struct Prechecked<T: Config> {
	/// The server's record, read once.
	pub server: ServerRecordOf<T>,
	/// Whether the batch is at the server's next sequence (always so under
	/// [`SequenceRule::Next`]); otherwise it is ahead and its predecessor is not in yet.
	pub is_next: bool,
}

/// A pending batch of an active server, as [`Pallet::check_pending`] returns it (and
/// [`Pallet::check_countersignature`], once its countersignature checked out too).
pub struct Countersigned<T: Config> {
	/// The batch record.
	pub batch: BatchRecordOf<T>,
	/// When the batch expires if it stays pending.
	pub expires_at: BlockNumberFor<T>,
	/// Its server's record.
	pub server: ServerRecordOf<T>,
}

impl<T: Config> Pallet<T> {
	/// The cheap checks of a batch submitted by `who`, in the order of the
	/// [module docs](self): the same for the pool (`rule` = [`SequenceRule::NextOrAhead`]) and
	/// dispatch ([`SequenceRule::Next`]). Reads the server record and block 0's hash; writes
	/// nothing.
	pub(crate) fn precheck_batch(
		who: &T::AccountId,
		cert: &BatchCertificate,
		txs: &TxsOf<T>,
		rule: SequenceRule,
	) -> Result<Prechecked<T>, Error<T>> {
		let server = Servers::<T>::get(cert.server_id).ok_or(Error::<T>::UnknownServer)?;
		ensure!(who == &server.operator, Error::<T>::NotOperator);
		ensure!(server.status == ServerStatus::Active, Error::<T>::ServerSuspended);
		ensure!(cert.version == CERTIFICATE_VERSION, Error::<T>::UnsupportedVersion);
		ensure!(cert.genesis_hash == Self::genesis_hash(), Error::<T>::WrongGenesis);
		let is_next = Some(cert.sequence) == server.last_sequence.checked_add(1);
		let in_order = match rule {
			SequenceRule::Next => is_next,
			SequenceRule::NextOrAhead => cert.sequence > server.last_sequence,
		};
		ensure!(in_order, Error::<T>::BadSequence);
		ensure!(!is_next || cert.prev_batch == server.last_batch, Error::<T>::BadPrevBatch);
		ensure!(!txs.is_empty(), Error::<T>::EmptyBatch);
		ensure!(u32::try_from(txs.len()) == Ok(cert.tx_count), Error::<T>::TxCountMismatch);
		let total_bytes = total_bytes(txs.as_slice());
		ensure!(total_bytes <= u64::from(T::MaxBatchBytes::get()), Error::<T>::BatchTooLarge);
		ensure!(total_bytes == cert.total_bytes, Error::<T>::TotalBytesMismatch);
		ensure!(!is_next || !server.pending.is_full(), Error::<T>::TooManyPending);
		Ok(Prechecked { server, is_next })
	}

	/// The transactions' merkle root is the certificate's `batch_root` (hashes every byte).
	pub(crate) fn check_batch_root(
		cert: &BatchCertificate,
		txs: &TxsOf<T>,
	) -> Result<(), Error<T>> {
		ensure!(batch_root(txs.as_slice()) == cert.batch_root, Error::<T>::RootMismatch);
		Ok(())
	}

	/// `signature` is `key`'s, of `key`'s scheme, over the certificate's server payload.
	pub(crate) fn check_server_signature(
		cert: &BatchCertificate,
		signature: &ServerSignature,
		key: &ServerKey,
	) -> Result<(), Error<T>> {
		verify_server_signature(cert, signature, key).map_err(|e| match e {
			SignatureError::BadSignature => Error::<T>::BadServerSignature,
			SignatureError::SchemeMismatch | SignatureError::UnsupportedScheme => {
				Error::<T>::SignatureSchemeMismatch
			},
		})
	}

	/// Checks a v1 countersignature without writing anything ([`Self::check_attestation`]).
	pub fn check_countersignature(
		batch_id: &BatchId,
		signature: &SatelliteSignature,
	) -> Result<Countersigned<T>, Error<T>> {
		Self::check_attestation(batch_id, &Claim::V1(*signature)).map(|(pending, _)| pending)
	}

	/// Checks a countersignature without writing anything, in the order of the
	/// [module docs](self); returns the pending batch, its expiry and its server, and the
	/// attestation it would record.
	pub fn check_attestation(
		batch_id: &BatchId,
		claim: &Claim,
	) -> Result<(Countersigned<T>, Attestation), Error<T>> {
		let pending = Self::check_pending(batch_id)?;
		let attestation = Self::precheck_claim(claim, &pending)?;
		Self::check_attestation_signature(batch_id, &attestation, &pending)?;
		Ok((pending, attestation))
	}

	/// The cheap checks of a countersignature of a pending batch (no signature): which of the
	/// server's satellites, not counted yet, and (v2) its clock. Returns the attestation it
	/// would record. Reads the chain's clock for a v2 claim.
	pub(crate) fn precheck_claim(
		claim: &Claim,
		pending: &Countersigned<T>,
	) -> Result<Attestation, Error<T>> {
		let server = &pending.server;
		let attestation = match claim {
			Claim::V1(signature) => {
				let only = v1_satellite(&server.satellites, server.quorum)
					.ok_or(Error::<T>::CountersignatureV1NotAccepted)?;
				Attestation {
					satellite_id: only.id,
					satellite_key: only.key,
					signed_at_ms: None,
					signature: *signature,
				}
			},
			Claim::V2(cs) => {
				let satellite =
					server.satellite(cs.satellite_id).ok_or(Error::<T>::UnknownSatellite)?;
				Attestation::v2(cs, satellite.key)
			},
		};
		let already = pending.batch.status.attestations();
		ensure!(
			!already.iter().any(|a| a.satellite_id == attestation.satellite_id),
			Error::<T>::AlreadyAttested
		);
		if let Some(signed_at) = attestation.signed_at_ms {
			ensure!(signed_at >= pending.batch.cert.issued_at_ms, Error::<T>::SignedBeforeIssued);
			let now_ms = u64::try_from(T::UnixTime::now().as_millis()).unwrap_or(u64::MAX);
			ensure!(
				signed_at <= now_ms.saturating_add(T::SatelliteClockTolerance::get()),
				Error::<T>::SignedInFuture
			);
		}
		Ok(attestation)
	}

	/// The signature half of [`Self::check_attestation`]: the attestation's signature verifies
	/// under its satellite's current key for the server, over the payload of its version.
	pub(crate) fn check_attestation_signature(
		batch_id: &BatchId,
		attestation: &Attestation,
		pending: &Countersigned<T>,
	) -> Result<(), Error<T>> {
		attestation
			.verify(batch_id, &pending.batch.server_signature)
			.map_err(|_| Error::<T>::BadSatelliteSignature)
	}

	/// The first checks of [`Self::check_attestation`] (two reads, no signature): the
	/// batch is pending and not past its expiry, its server exists and is active.
	pub fn check_pending(batch_id: &BatchId) -> Result<Countersigned<T>, Error<T>> {
		let batch = Batches::<T>::get(batch_id).ok_or(Error::<T>::UnknownBatch)?;
		let now = frame_system::Pallet::<T>::block_number();
		let expires_at = match batch.status {
			// Expired as of `expires_at`, even while the schedule catches up.
			BatchStatus::Pending { expires_at, .. } if now >= expires_at => {
				return Err(Error::<T>::BatchExpired)
			},
			BatchStatus::Pending { expires_at, .. } => expires_at,
			BatchStatus::Certified { .. } => return Err(Error::<T>::AlreadyCertified),
			BatchStatus::Expired { .. } => return Err(Error::<T>::BatchExpired),
		};
		let server = Servers::<T>::get(batch.cert.server_id).ok_or(Error::<T>::UnknownServer)?;
		ensure!(server.status == ServerStatus::Active, Error::<T>::ServerSuspended);
		Ok(Countersigned { batch, expires_at, server })
	}
}
