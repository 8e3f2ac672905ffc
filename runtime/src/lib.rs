//! # Space Notary runtime
//!
//! A solochain runtime: System, Timestamp, Aura, GRANDPA, Balances, TransactionPayment, Sudo and
//! SpaceNotary, with Root (sudo on a dev chain) as the registrar.
//!
//! # Layout
//!
//! - [`configs`]: each pallet's configuration and the chain's constants.
//! - `apis`: the runtime APIs the node, polkadot.js and the bridge call, `SpaceNotaryApi` among
//!   them.
//! - [`genesis_config_presets`]: the `development` and `local_testnet` presets.
//!
//! polkadot.js compatibility: extrinsics are v4 (signed or bare) with the transaction extensions
//! polkadot.js signs today, `CheckMetadataHash` is present but its hash is only embedded when
//! built with the `metadata-hash` feature (off in dev builds, so mode `Disabled` is what signers
//! send), and doc comments are kept in the metadata.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-style macros expand to items we cannot document.
#![allow(missing_docs)]
// Large runtime API and genesis types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_space_notary::Call as SpaceNotaryCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types the node uses without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	use sp_runtime::generic;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The session keys of a validator: Aura for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. `spec_version` goes up with every runtime change that alters behaviour.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("space-notary"),
	impl_name: alloc::borrow::Cow::Borrowed("space-notary"),
	authoring_version: 1,
	spec_version: 102,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

mod block_times {
	/// Target block time. Aura's slot is this long; the weights budget 2 s of compute in it.
	pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
	/// Slot duration; cannot change once the chain has started.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
}
pub use block_times::*;

/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Number of planck in one UNIT.
pub const UNIT: Balance = 1_000_000_000_000;
/// One thousandth of a UNIT.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// One millionth of a UNIT.
pub const MICRO_UNIT: Balance = 1_000_000;
/// The smallest balance an account may hold.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The signature scheme of accounts: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account: the 32-byte id derived from the signer's public key.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance.
pub type Balance = u128;
/// An account's transaction count.
pub type Nonce = u32;
/// A block or state hash.
pub type Hash = sp_core::H256;
/// A block number.
pub type BlockNumber = u32;
/// The address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions of signed extrinsics: the set polkadot.js signs for, and the
/// notary's pool check, which carries no bytes (polkadot.js and subxt pass empty extensions
/// they do not know; polkadot.js logs a warning that it treats it as having no effect).
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	// Signed calls of the notary pallet validated in the pool like bare ones (its docs say why);
	// before the fee is taken, and adding no bytes to a transaction.
	pallet_space_notary::ValidateSpaceNotaryCalls<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on upgrade, besides the pallets' own: Space Notary's storage from version 1
/// (one satellite key per server) to 2 (satellites, quorum, attestations).
#[allow(unused_parens)]
type Migrations = (pallet_space_notary::migrations::v2::MigrateV1ToV2<Runtime>,);

/// Dispatches to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type SpaceNotary = pallet_space_notary;
}
