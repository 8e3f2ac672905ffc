//! # Space Notary pallet
//!
//! A registry of ground servers, the batches they submit, and the countersignatures the
//! satellites (space nodes) that serve them make over them. The certificate format and payloads are those of
//! `space-notary-primitives`; see `docs/design.md` for the whole flow.
//!
//! ## Overview
//!
//! The registrar (a configurable origin: Root, or sudo on a dev chain) registers a server with an
//! operator account, the server's signing key and a satellite: its number and the ed25519 key it
//! holds for that server alone. It may add more satellites (up to `MAX_SATELLITES_PER_SERVER`),
//! each with its own key for the server, and a quorum: how many distinct satellites must
//! countersign a batch. The operator submits batches: a certificate signed by the server key plus
//! the transactions. The chain checks the certificate against the transactions and the server's
//! hash chain, keeps the batch pending for `BatchTtl` blocks and puts the transaction bytes in the
//! off-chain index (not in state). Relays (the off-chain worker, the bridge, or anyone) bring back
//! the satellites' countersignatures; the chain checks each under its satellite's key, records it
//! with the satellite's clock (v2), and certifies the batch once the quorum is reached. A batch
//! still pending after its TTL expires, with an event.
//!
//! ## Calls
//!
//! - [`Pallet::register_server`], [`Pallet::add_satellite`], [`Pallet::remove_satellite`],
//!   [`Pallet::set_satellite_key`], [`Pallet::set_quorum`], [`Pallet::suspend_server`],
//!   [`Pallet::resume_server`], [`Pallet::deregister_server`]: the registrar.
//! - [`Pallet::set_server_key`]: the server's operator or the registrar.
//! - [`Pallet::submit_batch`]: the server's operator.
//! - [`Pallet::submit_attestation`], [`Pallet::submit_attestations`] (v2: the satellite and its
//!   clock), [`Pallet::submit_countersignature`], [`Pallet::submit_countersignatures`] (v1, for a
//!   server with one satellite and a quorum of one, during the transition); a bundle checks each
//!   entry on its own: anyone, unsigned or signed (see below).
//!
//! ## Off-chain worker
//!
//! When the node's persistent off-chain storage holds a ground station's URL (the node's
//! `--ground-station-url`, or the `offchain_localStorageSet` RPC), the worker posts pending
//! batches to that ground station's HTTP API and submits the countersignatures it gets back, as
//! bare v4 transactions, after checking each. The [`offchain`] module says how, and why v4.
//!
//! ## Errors
//!
//! Every failure is a named [`Error`]; a failing call changes nothing. The rules of a batch and
//! of a countersignature, and the one order in which the pool and the calls check them, are in
//! the `checks` module, one sentence per rule.
//!
//! ## Relaying countersignatures: unsigned transactions and a waived fee
//!
//! A countersignature must be relayable three ways: (a) by the off-chain worker with no key in
//! the node's keystore, (b) by the bridge through subxt, (c) from polkadot.js Apps as an ordinary
//! signed transaction that costs nothing when the countersignature is valid and new. Checked
//! against the stable2609 sources:
//!
//! - `#[pallet::authorize]` (with `frame_system::AuthorizeCall`) only authorizes *general*
//!   (v5) transactions. polkadot.js builds v4 signed and bare extrinsics only, so it would miss
//!   (c), and relays would need a transaction-extension-aware client for (b).
//! - A *bare* (v4 unsigned) extrinsic is built by all three: the off-chain worker with
//!   `frame_system::offchain::CreateBare` + `SubmitTransaction`, subxt with `create_unsigned`,
//!   polkadot.js by sending the call without signing. Its pool validity comes from
//!   `ValidateUnsigned`: deprecated since this release (removal announced for April 2027) in
//!   favour of `authorize`, but the only mechanism that serves bare extrinsics, so it is used
//!   here, with `#[allow(deprecated)]` on that one impl. `validate_unsigned` accepts the
//!   transaction only for a pending batch of an active server and a signature that verifies
//!   under the key of one of that server's satellites, and tags it with the batch id (with the
//!   satellite too under a quorum above one, [`Pallet::validate_attestation`]): duplicates from
//!   several relays die in the pool, invalid ones never reach a block, and nobody can fill blocks
//!   for free.
//!   A refusal that can turn valid later (the batch is in a block the node has not imported yet,
//!   the server is suspended) is an `UnknownTransaction`, never banned, so the same bytes can be
//!   sent again; only final refusals are `InvalidTransaction` ([`Pallet::pool_refusal`]).
//! - The signed path runs the same checks in the pool through the runtime's transaction extension
//!   [`ValidateSpaceNotaryCalls`], with the same tag: a signed and a bare copy of one
//!   countersignature compete for one slot, and an invalid or duplicate signed one is refused
//!   before it can land or pay. A valid, new countersignature returns `Pays::No`, so the fee
//!   taken before dispatch is refunded in full. The same extension refuses in the pool a signed
//!   `submit_batch` from anyone but the server's operator or beyond the batch bounds.
//! - A wrapped call (in sudo or a batch call) is only checked in dispatch, and pays like any
//!   failing call when it fails.
//!
//! ## Pending batches and key changes
//!
//! - Changing a satellite's key never strands a pending batch: countersignatures are checked
//!   against the satellite's *current* key for the server, so the space node signs pending batches
//!   again with its new key. Signatures by the old key are refused from then on, and dropped from
//!   pending batches that held them (a rotation is often a response to compromise); so are a
//!   removed satellite's.
//! - The quorum never exceeds the server's satellites (neither `set_quorum` nor `remove_satellite`
//!   lets it), and lowering it certifies at once the pending batches that already meet it (at
//!   `resume_server` for a suspended server): no batch waits for a countersignature no satellite
//!   will send.
//! - Changing the server key leaves pending batches alone: their server signatures were checked
//!   at submission and are stored with them.
//! - Suspension stops new batches and certification; pending batches keep their TTL, so they are
//!   certified if the server is resumed in time, and expire (with `BatchExpired`) otherwise.
//! - Deregistration expires every pending batch at once (`BatchExpired` with reason
//!   `ServerDeregistered`), frees the server's keys, and never reuses its id. Certified batches
//!   stay on record so that inclusion proofs keep working.
//!
//! ## Expiry
//!
//! A batch submitted in block `n` expires as of block `n + BatchTtl` if still pending: from that
//! block on its countersignature is refused (`BatchExpired`). The work (status, event, prune)
//! is scheduled in `Schedule` under that block and done by `on_initialize`, at most
//! `MaxScheduledPerBlock` steps a block: when more batches expire in one block than that, the
//! rest is done in the next blocks (their records say the block they expired as of). A submission
//! is never refused for a full block: the schedule has no bound per block, only on the work done
//! per block.
//!
//! ## State: what is kept, what is paid, what is pruned
//!
//! - A registered server holds `ServerDeposit` from its operator (a hold with reason
//!   [`HoldReason::ServerDeposit`], the amount recorded in `ServerDeposits`), taken at
//!   registration and released in full at deregistration. It pays for the server's record and
//!   its up to `MaxPendingPerServer` pending batches, so pending state is bounded twice: per
//!   server, and by what operators can lock up. One hold per server rather than one per batch
//!   keeps balances out of the hot path: a submission and a certification write no balance,
//!   which is what lets a block certify 5,000 batches (docs/benchmarks.md).
//! - An expired batch's record and its transactions in the off-chain index are removed
//!   `ExpiredRetention` blocks after it expired (`BatchPruned`), long enough for relays and
//!   explorers to see why it expired. The removal is scheduled like an expiry (`Schedule`,
//!   within the same `MaxScheduledPerBlock` steps per block).
//!   A server's `last_batch` may name a pruned batch: the hash chain needs only its id.
//! - Certified records and their indexed transactions stay for good: they are the notary's
//!   product, and inclusion proofs are checked against them. Each record has a fixed size
//!   (certificate, server signature, countersignature, key and block numbers: under 300 bytes);
//!   only a registered server's operator can add one, through a signed call whose fee pays the
//!   write, and at most one per certificate sequence.
//!
//! ## Transactions
//!
//! The transaction bytes go to the off-chain index under
//! [`space_notary_primitives::offchain_txs_key`], as `SCALE(Vec<Vec<u8>>)`, so that the off-chain
//! worker and the bridge can uplink them in full mode without bloating state. The node must run
//! with `--enable-offchain-indexing true` for them to be kept.
//!
//! ## Storage versions
//!
//! The layout is version 2 (`#[pallet::storage_version]`): a server's satellites and quorum, and a
//! batch's attestations. [`migrations::v2::MigrateV1ToV2`] takes a version 1 chain there; every
//! later change bumps the version and ships a migration. One stored type carries a bound from
//! `Config`: a server's pending list (`MaxPendingPerServer`); the satellites of a server and the
//! attestations of a batch are bounded by `MAX_SATELLITES_PER_SERVER`, a constant of the
//! contract (primitives). Raising it needs nothing: the
//! encoding of a bounded vector does not depend on its bound. Lowering it below what a server has
//! pending makes that server's record fail to decode (`Servers::get` would return `None`), so it
//! needs a migration that bumps the version and refuses (or waits out) servers with more batches
//! pending. `MaxScheduledPerBlock` bounds work, not storage, and may change freely;
//! `MaxTxsPerBatch`, `MaxTxBytes` and `MaxBatchBytes` bound call arguments only.
//!
//! ## Invariants
//!
//! `try_state` (with `try-runtime`, and after every call in the tests) checks that a server's
//! pending list holds exactly its pending batches, that every pending batch sits in exactly one
//! expiry slot (its own), that `last_batch` is the batch at `last_sequence`, that the key-owner
//! maps match the servers and their satellites, that a quorum is within a server's satellites,
//! and that a pending batch's attestations are of distinct current satellites, fewer than an
//! active server's quorum.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod checks;
mod extension;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod offchain;
mod pool;
mod queries;
pub mod runtime_api;
mod schedule;
#[cfg(test)]
mod tests;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
pub mod types;
pub mod weights;

pub use checks::{Claim, Countersigned};
pub use extension::ValidateSpaceNotaryCalls;
pub use types::*;
pub use weights::WeightInfo;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::space-notary";

/// Blocks a signed `submit_batch` ahead of its server's next sequence is valid for at a time (a
/// single-state pool drops it then). The fork-aware pool validates it again for each new block,
/// which starts this again, so the bound that holds everywhere is [`FUTURE_BATCH_WAIT_MS`].
pub const FUTURE_BATCH_LONGEVITY: u64 = 10;

/// How long past its certificate's `issued_at_ms` (by the chain's clock, `Config::UnixTime`) a
/// signed `submit_batch` ahead of its server's next sequence may wait in the pool for its
/// predecessor. After that the pool finds it stale; the fork-aware pool removes it at its next
/// revalidation of waiting transactions (every 10 finalized blocks) and its sender hears
/// `Invalid`, rather than never. A batch at the next sequence is not bound by it.
pub const FUTURE_BATCH_WAIT_MS: u64 = 60_000;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use crate::checks::{Prechecked, SequenceRule};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{Saturating, Zero},
		SaturatedConversion,
	};
	use space_notary_primitives::{
		offchain_txs_key, total_bytes, BatchCertificate, BatchId, Countersignature, SatelliteId,
		SatelliteKey, SatelliteSignature, ServerId, ServerKey, ServerSignature,
	};

	/// One transaction of a batch, bounded by `MaxTxBytes`.
	pub type TxOf<T> = BoundedVec<u8, <T as Config>::MaxTxBytes>;
	/// A batch's transactions, bounded by `MaxTxsPerBatch`.
	pub type TxsOf<T> = BoundedVec<TxOf<T>, <T as Config>::MaxTxsPerBatch>;
	/// The server record as stored.
	pub type ServerRecordOf<T> =
		ServerRecord<<T as frame_system::Config>::AccountId, <T as Config>::MaxPendingPerServer>;
	/// The batch record as stored.
	pub type BatchRecordOf<T> = BatchRecord<BlockNumberFor<T>>;
	/// A bundle of v1 countersignatures, bounded by `MaxCountersignaturesPerCall`.
	pub type CountersignaturesOf<T> =
		BoundedVec<(BatchId, SatelliteSignature), <T as Config>::MaxCountersignaturesPerCall>;
	/// A bundle of v2 countersignatures, bounded by `MaxCountersignaturesPerCall`.
	pub type AttestationsOf<T> =
		BoundedVec<(BatchId, Countersignature), <T as Config>::MaxCountersignaturesPerCall>;
	/// A balance of the deposit currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// The storage layout's version. See the crate docs' "Storage versions" for what a change
	/// of a bound needs; [`crate::migrations`] takes a chain from each version to the next.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	///
	/// The chain's hash is `H256`: a certificate binds the 32-byte hash of block 0.
	/// The off-chain worker submits bare transactions: the runtime builds them (`CreateBare`).
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>, Hash = sp_core::H256>
		+ frame_system::offchain::CreateBare<Call<Self>>
	{
		/// Who registers servers, sets satellite keys, suspends, resumes and deregisters.
		type RegistrarOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The chain's clock (the timestamp pallet): bounds how long a batch ahead of its
		/// sequence waits in the pool ([`FUTURE_BATCH_WAIT_MS`]), and how far ahead a
		/// satellite's clock may read (`SatelliteClockTolerance`).
		type UnixTime: frame_support::traits::UnixTime;

		/// How far past the chain's clock (the block's timestamp) a satellite's clock may read in
		/// a v2 countersignature, in milliseconds: the chain's clock trails real time by up to a
		/// block, and a satellite's clock drifts between corrections.
		#[pallet::constant]
		type SatelliteClockTolerance: Get<u64>;

		/// Most transactions in one batch.
		#[pallet::constant]
		type MaxTxsPerBatch: Get<u32>;

		/// Most bytes in one transaction.
		#[pallet::constant]
		type MaxTxBytes: Get<u32>;

		/// Most bytes in one batch, all transactions together.
		#[pallet::constant]
		type MaxBatchBytes: Get<u32>;

		/// Most batches one server may have pending at once.
		#[pallet::constant]
		type MaxPendingPerServer: Get<u32>;

		/// Most steps of scheduled work in one block (bounds `on_initialize`): a batch expired or
		/// pruned, or a block of the schedule looked at. Work beyond it waits for the next block.
		#[pallet::constant]
		type MaxScheduledPerBlock: Get<u32>;

		/// Blocks a batch waits for its countersignature before it expires.
		#[pallet::constant]
		type BatchTtl: Get<BlockNumberFor<Self>>;

		/// Pool priority of unsigned countersignature transactions.
		#[pallet::constant]
		type UnsignedPriority: Get<TransactionPriority>;

		/// Most countersignatures in one `submit_countersignatures` bundle.
		#[pallet::constant]
		type MaxCountersignaturesPerCall: Get<u32>;

		/// The currency server deposits are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// Held from a server's operator from registration to deregistration: it pays for the
		/// state the server may occupy while registered, its record and up to
		/// `MaxPendingPerServer` pending batches. One hold per server, not one per batch, so
		/// that neither a submission nor a certification touches balances.
		#[pallet::constant]
		type ServerDeposit: Get<BalanceOf<Self>>;

		/// Blocks an expired batch's record and its indexed transactions are kept after expiry
		/// before they are removed.
		#[pallet::constant]
		type ExpiredRetention: Get<BlockNumberFor<Self>>;

		/// Most HTTP requests the off-chain worker makes to the ground station in one run (posts
		/// of new batches first, then asks for countersignatures): its work per block.
		#[pallet::constant]
		type MaxOffchainRequests: Get<u32>;

		/// Weights of this pallet's calls and hook.
		type WeightInfo: WeightInfo;
	}

	/// The id the next registered server gets. Ids are never reused.
	#[pallet::storage]
	pub type NextServerId<T> = StorageValue<_, ServerId, ValueQuery>;

	/// Registered servers.
	#[pallet::storage]
	pub type Servers<T: Config> = StorageMap<_, Twox64Concat, ServerId, ServerRecordOf<T>>;

	/// Which server, and which of its satellites, a satellite key belongs to: each satellite has
	/// its own key for each server it serves.
	#[pallet::storage]
	pub type SatelliteKeyOwner<T> =
		StorageMap<_, Blake2_128Concat, SatelliteKey, (ServerId, SatelliteId)>;

	/// Which server a server key belongs to: each server has its own.
	#[pallet::storage]
	pub type ServerKeyOwner<T> = StorageMap<_, Blake2_128Concat, ServerKey, ServerId>;

	/// Every batch ever accepted: pending, certified or expired.
	#[pallet::storage]
	pub type Batches<T: Config> = StorageMap<_, Identity, BatchId, BatchRecordOf<T>>;

	/// Work due from the start of a block: batches to expire at the end of their TTL, expired
	/// batches to prune after their retention. A block may hold any number of entries;
	/// `on_initialize` walks the schedule from `ScheduleCursor`, at most `MaxScheduledPerBlock`
	/// steps a block, so a block with more due than that spills into the next ones.
	#[pallet::storage]
	pub type Schedule<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Identity,
		BatchId,
		Scheduled,
		OptionQuery,
	>;

	/// The first block of `Schedule` that may still hold entries.
	#[pallet::storage]
	pub type ScheduleCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a registered server, held from its operator.
		ServerDeposit,
	}

	/// The deposit held from each registered server's operator (what was held, so that a
	/// change of `ServerDeposit` releases exactly that); removed at deregistration.
	#[pallet::storage]
	pub type ServerDeposits<T: Config> =
		StorageMap<_, Twox64Concat, ServerId, BalanceOf<T>, OptionQuery>;

	/// Events of this pallet. Variant docs say when; every field is documented, so that block
	/// explorers and polkadot.js Apps show what it holds.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A server was registered.
		ServerRegistered {
			/// The id the chain assigned.
			server_id: ServerId,
			/// The account that submits its batches.
			operator: T::AccountId,
		},
		/// A server's signing key changed.
		ServerKeyChanged {
			/// The server.
			server_id: ServerId,
			/// Its new signing key.
			server_key: ServerKey,
		},
		/// One of a server's satellites has a new key for it; its countersignatures under the old
		/// key on pending batches were dropped, and it signs them again under the new one.
		SatelliteKeyChanged {
			/// The server.
			server_id: ServerId,
			/// The satellite.
			satellite_id: SatelliteId,
			/// The satellite's new key for this server.
			satellite_key: SatelliteKey,
			/// How many pending batches lost its countersignature under the old key.
			dropped: u32,
		},
		/// A satellite now serves a server: its countersignatures count towards the server's
		/// quorum.
		SatelliteAdded {
			/// The server.
			server_id: ServerId,
			/// The satellite.
			satellite_id: SatelliteId,
			/// The key it holds for this server.
			satellite_key: SatelliteKey,
		},
		/// A satellite no longer serves a server; its countersignatures on pending batches were
		/// dropped.
		SatelliteRemoved {
			/// The server.
			server_id: ServerId,
			/// The satellite.
			satellite_id: SatelliteId,
			/// How many pending batches lost its countersignature.
			dropped: u32,
		},
		/// A server's quorum changed.
		QuorumChanged {
			/// The server.
			server_id: ServerId,
			/// Distinct satellites a batch now needs.
			quorum: u32,
			/// Pending batches that already held that many countersignatures and were certified
			/// by the change.
			certified: u32,
		},
		/// A satellite's countersignature of a pending batch was accepted; the batch is certified
		/// (`BatchCertified` follows) when `count` reaches `quorum`.
		BatchAttested {
			/// The issuing server.
			server_id: ServerId,
			/// The batch.
			batch_id: BatchId,
			/// The satellite that countersigned.
			satellite_id: SatelliteId,
			/// The satellite's clock when it signed (unix ms), `None` for a v1 countersignature.
			signed_at_ms: Option<u64>,
			/// Distinct satellites that countersigned the batch so far.
			count: u32,
			/// Distinct satellites the server's quorum asks for.
			quorum: u32,
		},
		/// A server was suspended.
		ServerSuspended {
			/// The server.
			server_id: ServerId,
		},
		/// A server was resumed.
		ServerResumed {
			/// The server.
			server_id: ServerId,
		},
		/// A server was deregistered; `expired` of its batches were pending and expired.
		ServerDeregistered {
			/// The server (its id is never reused).
			server_id: ServerId,
			/// How many of its batches were pending and expired with it.
			expired: u32,
		},
		/// A batch was accepted and waits for its countersignature until `expires_at`.
		BatchSubmitted {
			/// The issuing server.
			server_id: ServerId,
			/// The certificate's sequence.
			sequence: u64,
			/// `blake2_256` of the SCALE-encoded certificate.
			batch_id: BatchId,
			/// Transactions in the batch.
			tx_count: u32,
			/// The block whose start expires the batch if it is still pending.
			expires_at: BlockNumberFor<T>,
		},
		/// A batch was countersigned by its server's satellite key.
		BatchCertified {
			/// The issuing server.
			server_id: ServerId,
			/// The certificate's sequence.
			sequence: u64,
			/// The batch.
			batch_id: BatchId,
			/// Who sent the countersignature: the signer, or `None` for a bare transaction.
			relayer: Option<T::AccountId>,
		},
		/// A pending batch expired without certification.
		BatchExpired {
			/// The issuing server.
			server_id: ServerId,
			/// The batch.
			batch_id: BatchId,
			/// Its TTL elapsed, or its server was deregistered.
			reason: ExpiryReason,
		},
		/// An entry of a countersignature bundle certified nothing (`error` says why); the rest of
		/// the bundle went on. Only a bundle dispatched without the pool's check (wrapped in
		/// another call) can have one: the pool refuses bundles with an entry that fails.
		CountersignatureSkipped {
			/// The entry's batch.
			batch_id: BatchId,
			/// Why the entry certified nothing.
			error: DispatchError,
		},
		/// An expired batch's record and its indexed transactions were removed, `ExpiredRetention`
		/// blocks or more after it expired.
		BatchPruned {
			/// The issuing server.
			server_id: ServerId,
			/// The batch.
			batch_id: BatchId,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// No server with this id.
		UnknownServer,
		/// The caller is not the server's operator.
		NotOperator,
		/// The server is suspended.
		ServerSuspended,
		/// The server is not suspended.
		ServerNotSuspended,
		/// All server ids are used up.
		ServerIdsExhausted,
		/// This satellite key already belongs to a server.
		SatelliteKeyInUse,
		/// This server key already belongs to a server.
		ServerKeyInUse,
		/// The certificate's version is not supported.
		UnsupportedVersion,
		/// The certificate is for another chain.
		WrongGenesis,
		/// The sequence is not the server's last sequence plus one.
		BadSequence,
		/// `prev_batch` is not the server's last batch id.
		BadPrevBatch,
		/// A batch needs at least one transaction.
		EmptyBatch,
		/// `tx_count` differs from the number of transactions.
		TxCountMismatch,
		/// `total_bytes` differs from the transactions' total size.
		TotalBytesMismatch,
		/// The transactions exceed `MaxBatchBytes`.
		BatchTooLarge,
		/// `batch_root` is not the merkle root of the transactions.
		RootMismatch,
		/// The server signature's scheme differs from the server key's.
		SignatureSchemeMismatch,
		/// The server signature does not verify under the server key.
		BadServerSignature,
		/// The server has `MaxPendingPerServer` batches pending already.
		TooManyPending,
		/// No batch with this id.
		UnknownBatch,
		/// The batch is certified already.
		AlreadyCertified,
		/// The batch expired.
		BatchExpired,
		/// The countersignature does not verify under the server's satellite key.
		BadSatelliteSignature,
		/// The operator's balance cannot cover the server deposit.
		CannotHoldDeposit,
		/// A countersignature bundle needs at least one entry.
		EmptyBundle,
		/// A countersignature bundle names one batch twice.
		DuplicateInBundle,
		/// The server has no satellite with this number.
		UnknownSatellite,
		/// This satellite serves the server already.
		SatelliteAlreadyServes,
		/// The server has `MAX_SATELLITES_PER_SERVER` satellites already.
		TooManySatellites,
		/// The quorum would be zero or more than the server's satellites.
		QuorumUnreachable,
		/// This satellite's countersignature of the batch is recorded already.
		AlreadyAttested,
		/// The satellite's clock at signing is before the certificate's `issued_at_ms`.
		SignedBeforeIssued,
		/// The satellite's clock at signing is more than `SatelliteClockTolerance` past the
		/// chain's clock.
		SignedInFuture,
		/// A v1 countersignature (no satellite, no time) for a server with more than one
		/// satellite or a quorum above one: only v2 says which satellite signed.
		CountersignatureV1NotAccepted,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let steps = Self::run_schedule(now);
			T::WeightInfo::run_schedule(steps)
		}

		/// Relays pending batches through the ground station set in the node's off-chain
		/// storage, if any ([`offchain`] says how).
		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::relay_offchain(now);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			assert!(T::MaxTxsPerBatch::get() > 0, "MaxTxsPerBatch must be positive");
			assert!(T::MaxTxBytes::get() > 0, "MaxTxBytes must be positive");
			assert!(T::MaxBatchBytes::get() > 0, "MaxBatchBytes must be positive");
			assert!(T::MaxPendingPerServer::get() > 0, "MaxPendingPerServer must be positive");
			assert!(!T::BatchTtl::get().is_zero(), "BatchTtl must be positive");
			assert!(!T::ExpiredRetention::get().is_zero(), "ExpiredRetention must be positive");
			assert!(
				T::MaxScheduledPerBlock::get() >= 2,
				"MaxScheduledPerBlock must allow a look and a step of work"
			);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a ground server, served by one satellite (`satellite_id`, holding
		/// `satellite_key` for this server alone) with a quorum of one, and assigns it the next
		/// server id. More satellites: [`Pallet::add_satellite`].
		///
		/// Origin: `RegistrarOrigin`. Checks: neither key belongs to another server, the
		/// operator can cover `ServerDeposit`, which is held from it until deregistration.
		/// Emits `ServerRegistered`. Complexity: O(1).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_server())]
		pub fn register_server(
			origin: OriginFor<T>,
			operator: T::AccountId,
			server_key: ServerKey,
			satellite_id: SatelliteId,
			satellite_key: SatelliteKey,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			ensure!(!ServerKeyOwner::<T>::contains_key(&server_key), Error::<T>::ServerKeyInUse);
			ensure!(
				!SatelliteKeyOwner::<T>::contains_key(satellite_key),
				Error::<T>::SatelliteKeyInUse
			);
			let server_id = NextServerId::<T>::get();
			let next = server_id.checked_add(1).ok_or(Error::<T>::ServerIdsExhausted)?;
			let deposit = T::ServerDeposit::get();
			// The last check and the first write: a hold that fails changes nothing.
			T::Currency::hold(&HoldReason::ServerDeposit.into(), &operator, deposit)
				.map_err(|_| Error::<T>::CannotHoldDeposit)?;

			ServerDeposits::<T>::insert(server_id, deposit);
			NextServerId::<T>::put(next);
			ServerKeyOwner::<T>::insert(&server_key, server_id);
			SatelliteKeyOwner::<T>::insert(satellite_key, (server_id, satellite_id));
			let satellite = ServerSatellite { id: satellite_id, key: satellite_key };
			Servers::<T>::insert(
				server_id,
				ServerRecord {
					operator: operator.clone(),
					server_key,
					satellites: BoundedVec::truncate_from(alloc::vec![satellite]),
					quorum: 1,
					status: ServerStatus::Active,
					last_sequence: 0,
					last_batch: BatchId::zero(),
					pending: BoundedVec::new(),
				},
			);
			Self::deposit_event(Event::ServerRegistered { server_id, operator });
			Ok(())
		}

		/// Replaces a server's signing key. Pending batches are unaffected.
		///
		/// Origin: the server's operator (signed) or `RegistrarOrigin`. Checks: the server
		/// exists, the key belongs to no other server. Emits `ServerKeyChanged`. Complexity: O(1).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_server_key())]
		pub fn set_server_key(
			origin: OriginFor<T>,
			server_id: ServerId,
			server_key: ServerKey,
		) -> DispatchResult {
			let mut server = Servers::<T>::get(server_id).ok_or(Error::<T>::UnknownServer)?;
			if T::RegistrarOrigin::try_origin(origin.clone()).is_err() {
				let who = ensure_signed(origin)?;
				ensure!(who == server.operator, Error::<T>::NotOperator);
			}
			ensure!(!ServerKeyOwner::<T>::contains_key(&server_key), Error::<T>::ServerKeyInUse);

			ServerKeyOwner::<T>::remove(&server.server_key);
			ServerKeyOwner::<T>::insert(&server_key, server_id);
			server.server_key = server_key.clone();
			Servers::<T>::insert(server_id, server);
			Self::deposit_event(Event::ServerKeyChanged { server_id, server_key });
			Ok(())
		}

		/// Replaces the key one of a server's satellites holds for it. From now on only the new
		/// key certifies for that satellite, pending batches included: its countersignatures
		/// under the old key are dropped from them (a rotation is often a response to
		/// compromise), and the satellite signs them again with its new key.
		///
		/// Origin: `RegistrarOrigin`. Checks: the server exists and has the satellite, the key
		/// belongs to no satellite of any server. Emits `SatelliteKeyChanged`. Complexity: O(p),
		/// p = pending batches (at most `MaxPendingPerServer`).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_satellite_key(T::MaxPendingPerServer::get()))]
		pub fn set_satellite_key(
			origin: OriginFor<T>,
			server_id: ServerId,
			satellite_id: SatelliteId,
			satellite_key: SatelliteKey,
		) -> DispatchResultWithPostInfo {
			T::RegistrarOrigin::ensure_origin(origin)?;
			let mut server = Servers::<T>::get(server_id).ok_or(Error::<T>::UnknownServer)?;
			let index = server.satellite_index(satellite_id).ok_or(Error::<T>::UnknownSatellite)?;
			ensure!(
				!SatelliteKeyOwner::<T>::contains_key(satellite_key),
				Error::<T>::SatelliteKeyInUse
			);

			SatelliteKeyOwner::<T>::remove(server.satellites[index].key);
			SatelliteKeyOwner::<T>::insert(satellite_key, (server_id, satellite_id));
			server.satellites[index].key = satellite_key;
			let pending = server.pending.len() as u32;
			let dropped = Self::drop_attestations(&server, satellite_id);
			Servers::<T>::insert(server_id, server);
			Self::deposit_event(Event::SatelliteKeyChanged {
				server_id,
				satellite_id,
				satellite_key,
				dropped,
			});
			Ok(Some(T::WeightInfo::set_satellite_key(pending)).into())
		}

		/// Suspends a server: no new batches, no certification; pending batches keep their TTL.
		///
		/// Origin: `RegistrarOrigin`. Checks: the server exists and is active.
		/// Emits `ServerSuspended`. Complexity: O(1).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::suspend_server())]
		pub fn suspend_server(origin: OriginFor<T>, server_id: ServerId) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			let mut server = Servers::<T>::get(server_id).ok_or(Error::<T>::UnknownServer)?;
			ensure!(server.status == ServerStatus::Active, Error::<T>::ServerSuspended);

			server.status = ServerStatus::Suspended;
			Servers::<T>::insert(server_id, server);
			Self::deposit_event(Event::ServerSuspended { server_id });
			Ok(())
		}

		/// Resumes a suspended server. Pending batches that reached the quorum while it was
		/// suspended (the quorum was lowered) are certified now.
		///
		/// Origin: `RegistrarOrigin`. Checks: the server exists and is suspended.
		/// Emits `ServerResumed`, and `BatchCertified` for each batch certified. Complexity: O(p),
		/// p = pending batches (at most `MaxPendingPerServer`).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::resume_server(T::MaxPendingPerServer::get()))]
		pub fn resume_server(
			origin: OriginFor<T>,
			server_id: ServerId,
		) -> DispatchResultWithPostInfo {
			T::RegistrarOrigin::ensure_origin(origin)?;
			let mut server = Servers::<T>::get(server_id).ok_or(Error::<T>::UnknownServer)?;
			ensure!(server.status == ServerStatus::Suspended, Error::<T>::ServerNotSuspended);

			server.status = ServerStatus::Active;
			let pending = server.pending.len() as u32;
			Self::certify_reached(server_id, &mut server);
			Servers::<T>::insert(server_id, server);
			Self::deposit_event(Event::ServerResumed { server_id });
			Ok(Some(T::WeightInfo::resume_server(pending)).into())
		}

		/// Deregisters a server: its pending batches expire now, its keys are freed, its deposit
		/// goes back to its operator, its id is never reused. Certified batches stay on record.
		///
		/// Origin: `RegistrarOrigin`. Checks: the server exists. Emits `BatchExpired` for each
		/// pending batch, then `ServerDeregistered`. Complexity: O(p), p = pending batches
		/// (at most `MaxPendingPerServer`).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::deregister_server(T::MaxPendingPerServer::get()))]
		pub fn deregister_server(
			origin: OriginFor<T>,
			server_id: ServerId,
		) -> DispatchResultWithPostInfo {
			T::RegistrarOrigin::ensure_origin(origin)?;
			let server = Servers::<T>::take(server_id).ok_or(Error::<T>::UnknownServer)?;

			ServerKeyOwner::<T>::remove(&server.server_key);
			for satellite in &server.satellites {
				SatelliteKeyOwner::<T>::remove(satellite.key);
			}
			let now = frame_system::Pallet::<T>::block_number();
			let expired = server.pending.len() as u32;
			for batch_id in &server.pending {
				Self::mark_expired(server_id, batch_id, now, ExpiryReason::ServerDeregistered);
			}
			Self::release_deposit(server_id, &server.operator);
			Self::deposit_event(Event::ServerDeregistered { server_id, expired });
			Ok(Some(T::WeightInfo::deregister_server(expired)).into())
		}

		/// Submits a batch: its certificate, the server's signature and the transactions.
		///
		/// Origin: signed by the server's operator. Checks, in order (the pool runs the same
		/// ones up to the pending list's room): the server exists, the caller is its operator,
		/// the server is active, certificate version, genesis hash, sequence = last + 1,
		/// `prev_batch` = last batch id, at least one transaction, `tx_count`, the transactions'
		/// total within `MaxBatchBytes` and equal to `total_bytes`, room for another pending
		/// batch; then `batch_root` recomputed from the transactions, and the server signature.
		/// The transactions go to the off-chain index. Emits `BatchSubmitted`.
		/// Complexity: O(n + b), n = transactions, b = bytes (hashing).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::submit_batch(
			txs.len() as u32,
			total_bytes(txs).saturated_into(),
		))]
		pub fn submit_batch(
			origin: OriginFor<T>,
			cert: BatchCertificate,
			server_signature: ServerSignature,
			txs: TxsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let server_id = cert.server_id;
			let Prechecked { mut server, .. } =
				Self::precheck_batch(&who, &cert, &txs, SequenceRule::Next)?;
			Self::check_batch_root(&cert, &txs)?;
			Self::check_server_signature(&cert, &server_signature, &server.server_key)?;
			// Unique: a batch id covers the server id (never reused) and the sequence.
			let batch_id = cert.batch_id();
			let now = frame_system::Pallet::<T>::block_number();
			let expires_at = now.saturating_add(T::BatchTtl::get());
			// The precheck found room; the last check before the first write all the same.
			server.pending.try_push(batch_id).map_err(|_| Error::<T>::TooManyPending)?;

			sp_io::offchain_index::set(&offchain_txs_key(&batch_id), &txs.encode());
			Schedule::<T>::insert(expires_at, batch_id, Scheduled::Expire);
			server.last_sequence = cert.sequence;
			server.last_batch = batch_id;
			Servers::<T>::insert(server_id, server);
			let (sequence, tx_count) = (cert.sequence, cert.tx_count);
			Batches::<T>::insert(
				batch_id,
				BatchRecord {
					cert,
					server_signature,
					submitted_at: now,
					status: BatchStatus::Pending { expires_at, attestations: Default::default() },
				},
			);
			Self::deposit_event(Event::BatchSubmitted {
				server_id,
				sequence,
				batch_id,
				tx_count,
				expires_at,
			});
			Ok(())
		}

		/// Records a v1 countersignature of a pending batch (no satellite named, no time): the
		/// transition form, accepted only for a server with one satellite and a quorum of one,
		/// and checked under that satellite's key ([`Pallet::submit_attestation`] is the v2 form).
		///
		/// Origin: none (an unsigned transaction from the off-chain worker, the bridge or
		/// polkadot.js; valid only if the checks below pass) or signed by any account (fee
		/// refunded when the countersignature is valid and new). Checks: the batch is pending,
		/// its server is active and takes v1, and the signature verifies under the server's
		/// satellite key over the v1 payload. Emits `BatchAttested` and `BatchCertified`.
		/// Complexity: O(1) plus the server's pending list (bounded by `MaxPendingPerServer`).
		///
		/// In the pool (bare transactions, [`Pallet::validate_countersignature`]), a refusal that
		/// can turn valid is an `UnknownTransaction`, which the pool does not ban, so the same
		/// bytes can be sent again: `UnknownBatch` (a block not imported yet) and
		/// `ServerSuspended` (until `resume_server`), as `UnknownTransaction::Custom(code)`. A
		/// refusal that cannot is an `InvalidTransaction`, which the pool bans for a while:
		/// `AlreadyCertified` as `Stale`; `BatchExpired`, `BadSatelliteSignature` and
		/// `UnknownServer` as `Custom(code)`. `code` is the error's index in [`Error`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::submit_countersignature())]
		pub fn submit_countersignature(
			origin: OriginFor<T>,
			batch_id: BatchId,
			signature: SatelliteSignature,
		) -> DispatchResultWithPostInfo {
			let relayer = Self::relayer(origin)?;
			Self::attest(batch_id, Claim::V1(signature), relayer)?;
			Ok(Pays::No.into())
		}

		/// Records v1 countersignatures of several pending batches: a bundle, for relays that
		/// come back from a pass with many at once.
		///
		/// Origin: as [`Pallet::submit_countersignature`]. Each entry is checked on its own, as
		/// that call checks it: a valid one certifies its batch; one that fails is skipped with
		/// `CountersignatureSkipped`. Fails, changing nothing, when no entry certifies. Pays
		/// nothing when every entry is valid and new. In the pool a bundle is valid only when
		/// every entry is ([`Pallet::validate_countersignatures`]), so skipped entries happen only
		/// to a bundle wrapped in another call. Emits `BatchCertified` per batch. Complexity:
		/// O(n) entries, each as `submit_countersignature`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::submit_countersignatures(entries.len() as u32))]
		pub fn submit_countersignatures(
			origin: OriginFor<T>,
			entries: CountersignaturesOf<T>,
		) -> DispatchResultWithPostInfo {
			let relayer = Self::relayer(origin)?;
			let claims = entries.into_iter().map(|(id, signature)| (id, Claim::V1(signature)));
			Self::attest_all(claims, relayer)
		}

		/// Adds a satellite to a server: it holds `satellite_key` for this server alone, and its
		/// countersignatures count towards the server's quorum from now on.
		///
		/// Origin: `RegistrarOrigin`. Checks: the server exists, the satellite does not serve it
		/// yet, the server has fewer than `MAX_SATELLITES_PER_SERVER`, the key belongs to no
		/// satellite of any server. Emits `SatelliteAdded`. Complexity: O(1).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::add_satellite())]
		pub fn add_satellite(
			origin: OriginFor<T>,
			server_id: ServerId,
			satellite_id: SatelliteId,
			satellite_key: SatelliteKey,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			let mut server = Servers::<T>::get(server_id).ok_or(Error::<T>::UnknownServer)?;
			ensure!(server.satellite(satellite_id).is_none(), Error::<T>::SatelliteAlreadyServes);
			ensure!(!server.satellites.is_full(), Error::<T>::TooManySatellites);
			ensure!(
				!SatelliteKeyOwner::<T>::contains_key(satellite_key),
				Error::<T>::SatelliteKeyInUse
			);

			server
				.satellites
				.try_push(ServerSatellite { id: satellite_id, key: satellite_key })
				.map_err(|_| Error::<T>::TooManySatellites)?;
			SatelliteKeyOwner::<T>::insert(satellite_key, (server_id, satellite_id));
			Servers::<T>::insert(server_id, server);
			Self::deposit_event(Event::SatelliteAdded { server_id, satellite_id, satellite_key });
			Ok(())
		}

		/// Removes a satellite from a server: its key for the server is freed, and its
		/// countersignatures on pending batches are dropped (a removed satellite may be a
		/// compromised one). Certified batches keep theirs.
		///
		/// Origin: `RegistrarOrigin`. Checks: the server has the satellite, and keeps at least as
		/// many satellites as its quorum. Emits `SatelliteRemoved`. Complexity: O(p), p = pending
		/// batches (at most `MaxPendingPerServer`).
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::remove_satellite(T::MaxPendingPerServer::get()))]
		pub fn remove_satellite(
			origin: OriginFor<T>,
			server_id: ServerId,
			satellite_id: SatelliteId,
		) -> DispatchResultWithPostInfo {
			T::RegistrarOrigin::ensure_origin(origin)?;
			let mut server = Servers::<T>::get(server_id).ok_or(Error::<T>::UnknownServer)?;
			let index = server.satellite_index(satellite_id).ok_or(Error::<T>::UnknownSatellite)?;
			ensure!(server.satellites.len() as u32 > server.quorum, Error::<T>::QuorumUnreachable);

			let removed = server.satellites.remove(index);
			SatelliteKeyOwner::<T>::remove(removed.key);
			let pending = server.pending.len() as u32;
			let dropped = Self::drop_attestations(&server, satellite_id);
			Servers::<T>::insert(server_id, server);
			Self::deposit_event(Event::SatelliteRemoved { server_id, satellite_id, dropped });
			Ok(Some(T::WeightInfo::remove_satellite(pending)).into())
		}

		/// Sets how many distinct satellites of a server must countersign a batch to certify it
		/// (k of n, n the server's satellites). A lower quorum certifies at once the pending
		/// batches that already hold enough countersignatures (while the server is active; a
		/// suspended server's are certified when it is resumed); a higher one applies to every
		/// batch not yet certified.
		///
		/// Origin: `RegistrarOrigin`. Checks: the server exists, `1 <= quorum <= n`. Emits
		/// `QuorumChanged`, and `BatchCertified` for each batch certified. Complexity: O(p),
		/// p = pending batches (at most `MaxPendingPerServer`).
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_quorum(T::MaxPendingPerServer::get()))]
		pub fn set_quorum(
			origin: OriginFor<T>,
			server_id: ServerId,
			quorum: u32,
		) -> DispatchResultWithPostInfo {
			T::RegistrarOrigin::ensure_origin(origin)?;
			let mut server = Servers::<T>::get(server_id).ok_or(Error::<T>::UnknownServer)?;
			ensure!(
				quorum >= 1 && quorum <= server.satellites.len() as u32,
				Error::<T>::QuorumUnreachable
			);

			server.quorum = quorum;
			let pending = server.pending.len() as u32;
			let certified = if server.status == ServerStatus::Active {
				Self::certify_reached(server_id, &mut server)
			} else {
				0
			};
			Servers::<T>::insert(server_id, server);
			Self::deposit_event(Event::QuorumChanged { server_id, quorum, certified });
			Ok(Some(T::WeightInfo::set_quorum(pending)).into())
		}

		/// Records a satellite's v2 countersignature of a pending batch: which satellite, its
		/// clock at signing, its signature. The batch is certified when as many distinct
		/// satellites as the server's quorum have countersigned it.
		///
		/// Origin: as [`Pallet::submit_countersignature`] (bare, or signed with the fee refunded
		/// when valid and new). Checks: the batch is pending and its server active; the satellite
		/// serves the server and has not countersigned this batch yet; `issued_at_ms <=
		/// signed_at_ms <=` the chain's clock plus `SatelliteClockTolerance`; the signature
		/// verifies under that satellite's key for the server over the v2 payload. Emits
		/// `BatchAttested`, and `BatchCertified` when the quorum is reached. Complexity: O(1)
		/// plus the server's pending list.
		///
		/// In the pool ([`Pallet::validate_attestation`]) `UnknownSatellite` (the registrar may
		/// add it) and `SignedInFuture` (the chain's clock catches up) are not banned, like
		/// `UnknownBatch`; `AlreadyAttested` is `Stale`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::submit_attestation())]
		pub fn submit_attestation(
			origin: OriginFor<T>,
			batch_id: BatchId,
			countersignature: Countersignature,
		) -> DispatchResultWithPostInfo {
			let relayer = Self::relayer(origin)?;
			Self::attest(batch_id, Claim::V2(countersignature), relayer)?;
			Ok(Pays::No.into())
		}

		/// Records v2 countersignatures of several pending batches, each entry on its own as
		/// [`Pallet::submit_attestation`] checks it; as [`Pallet::submit_countersignatures`] for
		/// skipped entries, failure and fees. A bundle names each batch once.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::submit_attestations(entries.len() as u32))]
		pub fn submit_attestations(
			origin: OriginFor<T>,
			entries: AttestationsOf<T>,
		) -> DispatchResultWithPostInfo {
			let relayer = Self::relayer(origin)?;
			let claims = entries.into_iter().map(|(id, cs)| (id, Claim::V2(cs)));
			Self::attest_all(claims, relayer)
		}
	}

	// `ValidateUnsigned` is deprecated in favour of `#[pallet::authorize]`, which only serves
	// general (v5) transactions. Bare (v4 unsigned) extrinsics are what the off-chain worker,
	// subxt and polkadot.js can all send without a key and without fees today, and this trait is
	// the only thing that validates them. See the crate docs.
	#[allow(deprecated)]
	#[pallet::validate_unsigned]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			match call {
				Call::submit_countersignature { batch_id, signature } => {
					Self::validate_countersignature(batch_id, signature)
				},
				Call::submit_countersignatures { entries } => {
					Self::validate_countersignatures(entries)
				},
				Call::submit_attestation { batch_id, countersignature } => {
					Self::validate_attestation(batch_id, countersignature)
				},
				Call::submit_attestations { entries } => Self::validate_attestations(entries),
				_ => InvalidTransaction::Call.into(),
			}
		}
	}

	impl<T: Config> Pallet<T> {
		/// Hash of block 0, which every certificate must carry.
		pub fn genesis_hash() -> sp_core::H256 {
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
		}

		/// The relayer of a countersignature: the signer, or `None` for a bare transaction.
		fn relayer(origin: OriginFor<T>) -> Result<Option<T::AccountId>, DispatchError> {
			match ensure_signed(origin.clone()) {
				Ok(who) => Ok(Some(who)),
				Err(_) => {
					ensure_none(origin)?;
					Ok(None)
				},
			}
		}

		/// Records a countersignature on a pending batch after the checks of
		/// [`Self::check_attestation`], and certifies the batch if that reaches its server's
		/// quorum; changes nothing on failure.
		fn attest(
			batch_id: BatchId,
			claim: Claim,
			relayer: Option<T::AccountId>,
		) -> Result<(), Error<T>> {
			let (Countersigned { mut batch, mut server, .. }, attestation) =
				Self::check_attestation(&batch_id, &claim)?;
			let server_id = batch.cert.server_id;
			let BatchStatus::Pending { attestations, .. } = &mut batch.status else {
				return Err(Error::<T>::AlreadyCertified);
			};
			attestations.try_push(attestation).map_err(|_| Error::<T>::TooManySatellites)?;
			let count = attestations.len() as u32;
			Self::deposit_event(Event::BatchAttested {
				server_id,
				batch_id,
				satellite_id: attestation.satellite_id,
				signed_at_ms: attestation.signed_at_ms,
				count,
				quorum: server.quorum,
			});
			if count >= server.quorum {
				Self::certify(batch_id, batch, &mut server, relayer);
				Servers::<T>::insert(server_id, server);
			} else {
				Batches::<T>::insert(batch_id, batch);
			}
			Ok(())
		}

		/// Records each entry of a bundle on its own ([`Self::attest`]): a failing entry is
		/// skipped with `CountersignatureSkipped`; fails, changing nothing, when none is recorded.
		fn attest_all(
			claims: impl ExactSizeIterator<Item = (BatchId, Claim)>,
			relayer: Option<T::AccountId>,
		) -> DispatchResultWithPostInfo {
			ensure!(claims.len() > 0, Error::<T>::EmptyBundle);
			let mut first_error = None;
			let mut recorded = 0u32;
			for (batch_id, claim) in claims {
				match Self::attest(batch_id, claim, relayer.clone()) {
					Ok(()) => recorded += 1,
					Err(error) => {
						let error: DispatchError = error.into();
						first_error.get_or_insert(error);
						Self::deposit_event(Event::CountersignatureSkipped { batch_id, error });
					},
				}
			}
			match first_error {
				None => Ok(Pays::No.into()),
				Some(error) if recorded == 0 => Err(error.into()),
				Some(_) => Ok(Pays::Yes.into()),
			}
		}

		/// Marks a pending batch certified with the attestations it holds, and takes it off its
		/// server's pending list (the caller writes the server record).
		fn certify(
			batch_id: BatchId,
			mut batch: BatchRecordOf<T>,
			server: &mut ServerRecordOf<T>,
			relayer: Option<T::AccountId>,
		) {
			let BatchStatus::Pending { attestations, .. } = &mut batch.status else { return };
			let attestations = core::mem::take(attestations);
			let now = frame_system::Pallet::<T>::block_number();
			server.pending.retain(|id| id != &batch_id);
			batch.status = BatchStatus::Certified { attestations, certified_at: now };
			let (server_id, sequence) = (batch.cert.server_id, batch.cert.sequence);
			Batches::<T>::insert(batch_id, batch);
			Self::deposit_event(Event::BatchCertified { server_id, sequence, batch_id, relayer });
		}

		/// Certifies the server's pending batches that hold as many attestations as its quorum
		/// (after the quorum was lowered); returns how many. The caller writes the server record.
		fn certify_reached(server_id: ServerId, server: &mut ServerRecordOf<T>) -> u32 {
			let mut certified = 0;
			for batch_id in server.pending.clone() {
				let Some(batch) = Batches::<T>::get(batch_id) else { continue };
				if batch.status.attestations().len() as u32 >= server.quorum {
					Self::certify(batch_id, batch, server, None);
					certified += 1;
				}
			}
			if certified > 0 {
				log::debug!(target: LOG_TARGET, "server {server_id}: {certified} batches reached the quorum");
			}
			certified
		}

		/// Drops `satellite_id`'s attestations from the server's pending batches (its key
		/// changed, or it was removed); returns how many batches lost one.
		fn drop_attestations(server: &ServerRecordOf<T>, satellite_id: SatelliteId) -> u32 {
			let mut dropped = 0;
			for batch_id in &server.pending {
				// Written back only when it held one: most pending batches hold none.
				let Some(mut batch) = Batches::<T>::get(batch_id) else { continue };
				let BatchStatus::Pending { attestations, .. } = &mut batch.status else { continue };
				let before = attestations.len();
				attestations.retain(|a| a.satellite_id != satellite_id);
				if attestations.len() != before {
					dropped += 1;
					Batches::<T>::insert(batch_id, batch);
				}
			}
			dropped
		}

		/// Gives a deregistered server's deposit back to its operator.
		fn release_deposit(server_id: ServerId, operator: &T::AccountId) {
			let Some(amount) = ServerDeposits::<T>::take(server_id) else { return };
			let reason = HoldReason::ServerDeposit.into();
			if let Err(e) = T::Currency::release(&reason, operator, amount, Precision::BestEffort) {
				// Cannot happen while the hold is only ever released here; say so if it does.
				log::error!(target: LOG_TARGET, "deposit of server {server_id} not released: {e:?}");
			}
		}
	}
}
