//! Weights for `pallet_space_notary`, measured by the benchmark CLI 64.0.0.
//!
//! DATE: 2026-11-23, STEPS: `20`, REPEAT: `10`
//! HOSTNAME: `vm`, CPU: `AMD EPYC`
//! WASM-EXECUTION: `Compiled`, CHAIN: `Some("dev")`
//!
//! Regenerate with `scripts/benchmark-weights` (see README); the command that made this file:
//! /root/.cache/space-notary/target/release/space-notary-node
//! benchmark
//! pallet
//! --chain
//! dev
//! --pallet
//! pallet_space_notary
//! --extrinsic
//! *
//! --steps
//! 20
//! --repeat
//! 10
//! --wasm-execution
//! compiled
//! --template
//! .maintain/pallet-weight-template.hbs
//! --output
//! pallets/space-notary/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_space_notary`.
pub trait WeightInfo {
	fn register_server() -> Weight;
	fn set_server_key() -> Weight;
	fn set_satellite_key() -> Weight;
	fn suspend_server() -> Weight;
	fn resume_server() -> Weight;
	fn deregister_server(p: u32, ) -> Weight;
	fn submit_batch(n: u32, b: u32, ) -> Weight;
	fn submit_countersignature() -> Weight;
	fn submit_countersignatures(n: u32, ) -> Weight;
	fn run_schedule(n: u32, ) -> Weight;
	}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:1 w:1)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:1 w:1)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::NextServerId` (r:1 w:1)
	/// Proof: `SpaceNotary::NextServerId` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:0 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn register_server() -> Weight {
		// Minimum execution time: 27_962_000 picoseconds.
		Weight::from_parts(31_459_000, 0)
			.saturating_add(Weight::from_parts(0, 3519))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:1 w:2)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	fn set_server_key() -> Weight {
		// Minimum execution time: 33_442_000 picoseconds.
		Weight::from_parts(36_818_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:1 w:2)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	fn set_satellite_key() -> Weight {
		// Minimum execution time: 32_881_000 picoseconds.
		Weight::from_parts(36_097_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn suspend_server() -> Weight {
		// Minimum execution time: 22_061_000 picoseconds.
		Weight::from_parts(24_216_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn resume_server() -> Weight {
		// Minimum execution time: 21_821_000 picoseconds.
		Weight::from_parts(24_276_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:64 w:64)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:0 w:1)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:0 w:1)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	/// The range of component `p` is `[0, 64]`.
	fn deregister_server(p: u32, ) -> Weight {
		// Minimum execution time: 25_518_000 picoseconds.
		Weight::from_parts(28_690_868, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			// Standard Error: 9_375
			.saturating_add(Weight::from_parts(10_191_166, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Expiries` (r:1 w:1)
	/// Proof: `SpaceNotary::Expiries` (`max_values`: None, `max_size`: Some(16398), added: 18873, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:0 w:1)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 1024]`.
	/// The range of component `b` is `[0, 16384]`.
	fn submit_batch(n: u32, b: u32, ) -> Weight {
		// Minimum execution time: 140_363_000 picoseconds.
		Weight::from_parts(111_729_884, 0)
			.saturating_add(Weight::from_parts(0, 19863))
			// Standard Error: 1_422
			.saturating_add(Weight::from_parts(973_802, 0).saturating_mul(n.into()))
			// Standard Error: 88
			.saturating_add(Weight::from_parts(2_353, 0).saturating_mul(b.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SpaceNotary::Batches` (r:1 w:1)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn submit_countersignature() -> Weight {
		// Minimum execution time: 103_975_000 picoseconds.
		Weight::from_parts(117_922_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn submit_countersignatures(n: u32, ) -> Weight {
		// PLACEHOLDER until scripts/benchmark-weights runs: n single countersignatures.
		Self::submit_countersignature().saturating_mul(n.into())
	}
	/// Storage: `SpaceNotary::Expiries` (r:1 w:1)
	/// Proof: `SpaceNotary::Expiries` (`max_values`: None, `max_size`: Some(16398), added: 18873, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:512 w:512)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:512 w:512)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[0, 512]`.
	fn run_schedule(n: u32, ) -> Weight {
		// Minimum execution time: 6_913_000 picoseconds.
		Weight::from_parts(6_933_000, 0)
			.saturating_add(Weight::from_parts(0, 19863))
			// Standard Error: 261_323
			.saturating_add(Weight::from_parts(46_430_574, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
}

/// The same measurements with ParityDB's database weights, for tests and mocks.
impl WeightInfo for () {
	fn register_server() -> Weight {
		Weight::from_parts(31_459_000, 0)
			.saturating_add(Weight::from_parts(0, 3519))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_server_key() -> Weight {
		Weight::from_parts(36_818_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn set_satellite_key() -> Weight {
		Weight::from_parts(36_097_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn suspend_server() -> Weight {
		Weight::from_parts(24_216_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn resume_server() -> Weight {
		Weight::from_parts(24_276_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn deregister_server(p: u32, ) -> Weight {
		Weight::from_parts(28_690_868, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(Weight::from_parts(10_191_166, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn submit_batch(n: u32, b: u32, ) -> Weight {
		Weight::from_parts(111_729_884, 0)
			.saturating_add(Weight::from_parts(0, 19863))
			.saturating_add(Weight::from_parts(973_802, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(2_353, 0).saturating_mul(b.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn submit_countersignature() -> Weight {
		Weight::from_parts(117_922_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn submit_countersignatures(n: u32, ) -> Weight {
		// PLACEHOLDER until scripts/benchmark-weights runs: n single countersignatures.
		Self::submit_countersignature().saturating_mul(n.into())
	}
	fn run_schedule(n: u32, ) -> Weight {
		Weight::from_parts(6_933_000, 0)
			.saturating_add(Weight::from_parts(0, 19863))
			.saturating_add(Weight::from_parts(46_430_574, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
}
