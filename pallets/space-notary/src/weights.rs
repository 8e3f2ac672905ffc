//! Weights for `pallet_space_notary`, measured by the benchmark CLI 64.0.0.
//!
//! DATE: 2026-12-06, STEPS: `10`, REPEAT: `5`
//! HOSTNAME: `vm`, CPU: `AMD EPYC`
//! WASM-EXECUTION: `Compiled`, CHAIN: `Some("dev")`
//!
//! Regenerate with `scripts/benchmark-weights` (see README); the command that made this file:
//! space-notary-node
//! benchmark
//! pallet
//! --chain
//! dev
//! --pallet
//! pallet_space_notary
//! --extrinsic
//! *
//! --steps
//! 10
//! --repeat
//! 5
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
	fn set_satellite_key(p: u32, ) -> Weight;
	fn add_satellite() -> Weight;
	fn remove_satellite(p: u32, ) -> Weight;
	fn set_quorum(p: u32, ) -> Weight;
	fn suspend_server() -> Weight;
	fn resume_server(p: u32, ) -> Weight;
	fn deregister_server(p: u32, ) -> Weight;
	fn submit_batch(n: u32, b: u32, ) -> Weight;
	fn submit_countersignature() -> Weight;
	fn submit_countersignatures(n: u32, ) -> Weight;
	fn submit_attestation() -> Weight;
	fn submit_attestations(n: u32, ) -> Weight;
	fn run_schedule(n: u32, ) -> Weight;
}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:1 w:1)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:1 w:1)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::NextServerId` (r:1 w:1)
	/// Proof: `SpaceNotary::NextServerId` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(67), added: 2542, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerDeposits` (r:0 w:1)
	/// Proof: `SpaceNotary::ServerDeposits` (`max_values`: None, `max_size`: Some(28), added: 2503, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:0 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	fn register_server() -> Weight {
		// Minimum execution time: 66_348_000 picoseconds.
		Weight::from_parts(71_667_000, 0)
			.saturating_add(Weight::from_parts(0, 3593))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:1 w:2)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	fn set_server_key() -> Weight {
		// Minimum execution time: 21_923_000 picoseconds.
		Weight::from_parts(24_676_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:1 w:2)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:64 w:64)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// The range of component `p` is `[0, 64]`.
	fn set_satellite_key(p: u32, ) -> Weight {
		// Minimum execution time: 22_974_000 picoseconds.
		Weight::from_parts(25_536_810, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			// Standard Error: 7_920
			.saturating_add(Weight::from_parts(7_970_867, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:1 w:1)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	fn add_satellite() -> Weight {
		// Minimum execution time: 20_560_000 picoseconds.
		Weight::from_parts(24_697_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:64 w:64)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:0 w:1)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// The range of component `p` is `[0, 64]`.
	fn remove_satellite(p: u32, ) -> Weight {
		// Minimum execution time: 17_325_000 picoseconds.
		Weight::from_parts(19_063_302, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			// Standard Error: 3_794
			.saturating_add(Weight::from_parts(7_698_405, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:64 w:64)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// The range of component `p` is `[0, 64]`.
	fn set_quorum(p: u32, ) -> Weight {
		// Minimum execution time: 15_303_000 picoseconds.
		Weight::from_parts(16_843_915, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			// Standard Error: 7_735
			.saturating_add(Weight::from_parts(10_712_821, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	fn suspend_server() -> Weight {
		// Minimum execution time: 13_790_000 picoseconds.
		Weight::from_parts(15_292_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:64 w:64)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// The range of component `p` is `[0, 64]`.
	fn resume_server(p: u32, ) -> Weight {
		// Minimum execution time: 15_213_000 picoseconds.
		Weight::from_parts(15_937_528, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			// Standard Error: 5_453
			.saturating_add(Weight::from_parts(10_628_545, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:64 w:64)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerDeposits` (r:1 w:1)
	/// Proof: `SpaceNotary::ServerDeposits` (`max_values`: None, `max_size`: Some(28), added: 2503, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(67), added: 2542, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:0 w:8)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:0 w:1)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Schedule` (r:0 w:64)
	/// Proof: `SpaceNotary::Schedule` (`max_values`: None, `max_size`: Some(45), added: 2520, mode: `MaxEncodedLen`)
	/// The range of component `p` is `[0, 64]`.
	fn deregister_server(p: u32, ) -> Weight {
		// Minimum execution time: 73_920_000 picoseconds.
		Weight::from_parts(80_430_262, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			// Standard Error: 12_146
			.saturating_add(Weight::from_parts(11_214_234, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(13_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:0 w:1)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Schedule` (r:0 w:1)
	/// Proof: `SpaceNotary::Schedule` (`max_values`: None, `max_size`: Some(45), added: 2520, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[64, 1024]`.
	/// The range of component `b` is `[0, 1048576]`.
	fn submit_batch(n: u32, b: u32, ) -> Weight {
		// Minimum execution time: 719_196_000 picoseconds.
		Weight::from_parts(43_585_753, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			// Standard Error: 10_690
			.saturating_add(Weight::from_parts(729_213, 0).saturating_mul(n.into()))
			// Standard Error: 9
			.saturating_add(Weight::from_parts(1_835, 0).saturating_mul(b.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SpaceNotary::Batches` (r:1 w:1)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	fn submit_countersignature() -> Weight {
		// Minimum execution time: 135_671_000 picoseconds.
		Weight::from_parts(145_516_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SpaceNotary::Batches` (r:256 w:256)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:256 w:256)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 256]`.
	fn submit_countersignatures(n: u32, ) -> Weight {
		// Minimum execution time: 128_240_000 picoseconds.
		Weight::from_parts(129_812_000, 0)
			.saturating_add(Weight::from_parts(0, 990))
			// Standard Error: 647_216
			.saturating_add(Weight::from_parts(121_486_126, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4937).saturating_mul(n.into()))
	}
	/// Storage: `SpaceNotary::Batches` (r:1 w:1)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	fn submit_attestation() -> Weight {
		// Minimum execution time: 146_718_000 picoseconds.
		Weight::from_parts(153_587_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SpaceNotary::Batches` (r:256 w:256)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:256 w:256)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 256]`.
	fn submit_attestations(n: u32, ) -> Weight {
		// Minimum execution time: 139_777_000 picoseconds.
		Weight::from_parts(140_778_000, 0)
			.saturating_add(Weight::from_parts(0, 1493))
			// Standard Error: 248_143
			.saturating_add(Weight::from_parts(132_193_392, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4937).saturating_mul(n.into()))
	}
	/// Storage: `SpaceNotary::ScheduleCursor` (r:1 w:1)
	/// Proof: `SpaceNotary::ScheduleCursor` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Schedule` (r:512 w:1022)
	/// Proof: `SpaceNotary::Schedule` (`max_values`: None, `max_size`: Some(45), added: 2520, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:511 w:511)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(1109), added: 3584, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:511 w:511)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2462), added: 4937, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[0, 511]`.
	fn run_schedule(n: u32, ) -> Weight {
		// Minimum execution time: 8_022_000 picoseconds.
		Weight::from_parts(8_443_000, 0)
			.saturating_add(Weight::from_parts(0, 3510))
			// Standard Error: 435_850
			.saturating_add(Weight::from_parts(42_837_863, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4937).saturating_mul(n.into()))
	}
}

/// The same measurements with ParityDB's database weights, for tests and mocks.
impl WeightInfo for () {
	fn register_server() -> Weight {
		Weight::from_parts(71_667_000, 0)
			.saturating_add(Weight::from_parts(0, 3593))
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().writes(7_u64))
	}
	fn set_server_key() -> Weight {
		Weight::from_parts(24_676_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn set_satellite_key(p: u32, ) -> Weight {
		Weight::from_parts(25_536_810, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(Weight::from_parts(7_970_867, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	fn add_satellite() -> Weight {
		Weight::from_parts(24_697_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn remove_satellite(p: u32, ) -> Weight {
		Weight::from_parts(19_063_302, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(Weight::from_parts(7_698_405, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	fn set_quorum(p: u32, ) -> Weight {
		Weight::from_parts(16_843_915, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(Weight::from_parts(10_712_821, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	fn suspend_server() -> Weight {
		Weight::from_parts(15_292_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn resume_server(p: u32, ) -> Weight {
		Weight::from_parts(15_937_528, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(Weight::from_parts(10_628_545, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	fn deregister_server(p: u32, ) -> Weight {
		Weight::from_parts(80_430_262, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(Weight::from_parts(11_214_234, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(13_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 3584).saturating_mul(p.into()))
	}
	fn submit_batch(n: u32, b: u32, ) -> Weight {
		Weight::from_parts(43_585_753, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(Weight::from_parts(729_213, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(1_835, 0).saturating_mul(b.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn submit_countersignature() -> Weight {
		Weight::from_parts(145_516_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn submit_countersignatures(n: u32, ) -> Weight {
		Weight::from_parts(129_812_000, 0)
			.saturating_add(Weight::from_parts(0, 990))
			.saturating_add(Weight::from_parts(121_486_126, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4937).saturating_mul(n.into()))
	}
	fn submit_attestation() -> Weight {
		Weight::from_parts(153_587_000, 0)
			.saturating_add(Weight::from_parts(0, 5927))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn submit_attestations(n: u32, ) -> Weight {
		Weight::from_parts(140_778_000, 0)
			.saturating_add(Weight::from_parts(0, 1493))
			.saturating_add(Weight::from_parts(132_193_392, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4937).saturating_mul(n.into()))
	}
	fn run_schedule(n: u32, ) -> Weight {
		Weight::from_parts(8_443_000, 0)
			.saturating_add(Weight::from_parts(0, 3510))
			.saturating_add(Weight::from_parts(42_837_863, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4937).saturating_mul(n.into()))
	}
}
