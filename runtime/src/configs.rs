//! Configuration of each pallet, and the chain's limits.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ExtrinsicBaseWeight, ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight,
	},
};
use frame_system::{
	limits::{BlockLength, BlockWeights},
	EnsureRoot,
};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::Bounded, transaction_validity::TransactionPriority, FixedPointNumber, Perbill,
	Perquintill,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask,
	System, Timestamp, UncheckedExtrinsic, DAYS, EXISTENTIAL_DEPOSIT, HOURS, MICRO_UNIT,
	MILLI_UNIT, SLOT_DURATION, VERSION,
};

/// Share of a block's weight and length for ordinary (not operational) extrinsics.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute in a six-second block.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, three quarters of them for ordinary extrinsics.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// What the base weight of an extrinsic costs: a milli-unit. Every other weight costs in
/// proportion (ref time only: a solochain has no proof-size market).
pub const BASE_EXTRINSIC_FEE: Balance = MILLI_UNIT;

/// What one byte of a transaction costs: a micro-unit, so a 1 MiB batch pays about one unit for
/// its length alone (block space is what a batch mostly uses: its transactions are never in
/// state).
pub const TRANSACTION_BYTE_FEE: Balance = MICRO_UNIT;

/// What a byte of state locks up in deposits.
pub const STORAGE_BYTE_DEPOSIT: Balance = MILLI_UNIT;

/// Weight to fee, linear in ref time: `ExtrinsicBaseWeight` costs `BASE_EXTRINSIC_FEE`.
pub struct WeightToFee;

impl frame_support::weights::WeightToFee for WeightToFee {
	type Balance = Balance;

	fn weight_to_fee(weight: &Weight) -> Balance {
		let base = u128::from(ExtrinsicBaseWeight::get().ref_time()).max(1);
		u128::from(weight.ref_time()).saturating_mul(BASE_EXTRINSIC_FEE) / base
	}
}

parameter_types! {
	pub const TransactionByteFee: Balance = TRANSACTION_BYTE_FEE;
	// Congestion pricing as Polkadot's relay chain sets it: the multiplier rises while blocks are
	// fuller than a quarter of their normal-class weight and falls back (never below 0.1) when
	// they are emptier, so filling blocks gets dearer block by block.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_rational(1, 10u128);
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// Most pending batches per server.
pub const MAX_PENDING_PER_SERVER: u32 = 64;

parameter_types! {
	/// A batch waits twelve hours for its countersignature: the longest gap between passes
	/// that one LEO ground station sees (docs/design.md, "Time"). The satellite's freshness window
	/// for `issued_at_ms` must be at least this plus the time a server takes to submit a batch
	/// after issuing it: the emulator's default is 13 hours.
	pub const BatchTtl: BlockNumber = 12 * HOURS;
	/// Countersignatures are cheap to check and time-critical; they go before ordinary traffic.
	pub const CountersignaturePriority: TransactionPriority = TransactionPriority::MAX / 2;
	/// Held from a server's operator while the server is registered, at a milli-unit a byte of
	/// the state it may occupy: its record and key-owner entries (~200 bytes) and ~400 bytes for
	/// each of its up to `MaxPendingPerServer` pending batches (the batch record, its schedule
	/// entry and its pending-list entry). 25.8 UNIT.
	pub const ServerDeposit: Balance =
		(200 + 400 * MAX_PENDING_PER_SERVER as Balance) * STORAGE_BYTE_DEPOSIT;
	// A week to see why a batch expired before its record goes.
	pub const ExpiredRetention: BlockNumber = 7 * DAYS;
	/// A satellite's clock may read up to two minutes past the block's timestamp: the timestamp
	/// trails real time by up to a block (6 s), and a satellite's clock, corrected from GNSS or
	/// the ground at each pass, drifts by far less than this between corrections.
	pub const SatelliteClockTolerance: u64 = 120_000;
}

impl pallet_space_notary::Config for Runtime {
	type RegistrarOrigin = EnsureRoot<AccountId>;
	type UnixTime = Timestamp;
	type SatelliteClockTolerance = SatelliteClockTolerance;
	type MaxTxsPerBatch = ConstU32<1024>;
	type MaxTxBytes = ConstU32<{ 16 * 1024 }>;
	type MaxBatchBytes = ConstU32<{ 1024 * 1024 }>;
	type MaxPendingPerServer = ConstU32<MAX_PENDING_PER_SERVER>;
	/// More than the `submit_batch` calls that fit in one block's weight.
	type MaxScheduledPerBlock = ConstU32<512>;
	type BatchTtl = BatchTtl;
	type UnsignedPriority = CountersignaturePriority;
	type MaxCountersignaturesPerCall = ConstU32<256>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ServerDeposit = ServerDeposit;
	type ExpiredRetention = ExpiredRetention;
	/// 64 requests a run, in two phases of at most 3 s each: a ground station's pass brings
	/// back hundreds of countersignatures, which the worker collects over a few blocks.
	type MaxOffchainRequests = ConstU32<64>;
	type WeightInfo = pallet_space_notary::weights::SubstrateWeight<Runtime>;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

/// The off-chain worker's bare transactions are v4 (`new_bare_legacy`), not v5: @polkadot/api
/// 16.5 and polkadot.js Apps decode v4 extrinsics only, and a v5 one in a block breaks their
/// block views. The pool and the runtime take both.
impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare_legacy(call)
	}
}
