//! Weights for `pallet_space_notary`, measured by the benchmark CLI 64.0.0.
//!
//! DATE: 2026-11-24, STEPS: `10`, REPEAT: `5`
//! HOSTNAME: `vm`, CPU: `Intel(R) Xeon(R) Processor`
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

//! Not yet measured: `set_satellite_key(p)`, `resume_server(p)`, `add_satellite`,
//! `remove_satellite(p)`, `set_quorum(p)`, `submit_attestation` and `submit_attestations(n)`
//! (the calls of several satellites per server, and the per-pending-batch term of the two
//! existing ones) are estimated from the measured calls they resemble: `set_satellite_key`'s own
//! line, `deregister_server`'s per-batch term, `submit_countersignature[s]` plus a read of the
//! chain's clock. Their benchmarks are in `benchmarking.rs` and pass as tests;
//! `scripts/benchmark-weights` replaces this whole file with measured lines.

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
	fn suspend_server() -> Weight;
	fn resume_server(p: u32, ) -> Weight;
	fn deregister_server(p: u32, ) -> Weight;
	fn submit_batch(n: u32, b: u32, ) -> Weight;
	fn submit_countersignature() -> Weight;
	fn submit_countersignatures(n: u32, ) -> Weight;
	fn run_schedule(n: u32, ) -> Weight;
	fn add_satellite() -> Weight;
	fn remove_satellite(p: u32, ) -> Weight;
	fn set_quorum(p: u32, ) -> Weight;
	fn submit_attestation() -> Weight;
	fn submit_attestations(n: u32, ) -> Weight;
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
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(67), added: 2542, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerDeposits` (r:0 w:1)
	/// Proof: `SpaceNotary::ServerDeposits` (`max_values`: None, `max_size`: Some(28), added: 2503, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:0 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn register_server() -> Weight {
		// Minimum execution time: 65_615_000 picoseconds.
		Weight::from_parts(119_255_000, 0)
			.saturating_add(Weight::from_parts(0, 3593))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:1 w:2)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	fn set_server_key() -> Weight {
		// Minimum execution time: 23_196_000 picoseconds.
		Weight::from_parts(34_540_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:1 w:2)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	fn set_satellite_key(p: u32, ) -> Weight {
		// Minimum execution time: 22_153_000 picoseconds.
		Weight::from_parts(40_328_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn suspend_server() -> Weight {
		// Minimum execution time: 15_028_000 picoseconds.
		Weight::from_parts(30_470_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn resume_server(p: u32, ) -> Weight {
		// Minimum execution time: 15_126_000 picoseconds.
		Weight::from_parts(32_188_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:64 w:64)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerDeposits` (r:1 w:1)
	/// Proof: `SpaceNotary::ServerDeposits` (`max_values`: None, `max_size`: Some(28), added: 2503, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(67), added: 2542, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::SatelliteKeyOwner` (r:0 w:1)
	/// Proof: `SpaceNotary::SatelliteKeyOwner` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::ServerKeyOwner` (r:0 w:1)
	/// Proof: `SpaceNotary::ServerKeyOwner` (`max_values`: None, `max_size`: Some(54), added: 2529, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Schedule` (r:0 w:64)
	/// Proof: `SpaceNotary::Schedule` (`max_values`: None, `max_size`: Some(45), added: 2520, mode: `MaxEncodedLen`)
	/// The range of component `p` is `[0, 64]`.
	fn deregister_server(p: u32, ) -> Weight {
		// Minimum execution time: 60_439_000 picoseconds.
		Weight::from_parts(114_399_518, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			// Standard Error: 45_760
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:0 w:1)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Schedule` (r:0 w:1)
	/// Proof: `SpaceNotary::Schedule` (`max_values`: None, `max_size`: Some(45), added: 2520, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[64, 1024]`.
	/// The range of component `b` is `[0, 1048576]`.
	fn submit_batch(n: u32, b: u32, ) -> Weight {
		// Minimum execution time: 675_138_000 picoseconds.
		Weight::from_parts(203_298_423, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			// Standard Error: 20_096
			.saturating_add(Weight::from_parts(777_143, 0).saturating_mul(n.into()))
			// Standard Error: 18
			.saturating_add(Weight::from_parts(2_287, 0).saturating_mul(b.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SpaceNotary::Batches` (r:1 w:1)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:1 w:1)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	fn submit_countersignature() -> Weight {
		// Minimum execution time: 123_448_000 picoseconds.
		Weight::from_parts(183_541_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SpaceNotary::Batches` (r:256 w:256)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:256 w:256)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 256]`.
	fn submit_countersignatures(n: u32, ) -> Weight {
		// Minimum execution time: 122_971_000 picoseconds.
		Weight::from_parts(129_983_000, 0)
			.saturating_add(Weight::from_parts(0, 990))
			// Standard Error: 2_347_236
			.saturating_add(Weight::from_parts(147_544_431, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
	/// Storage: `SpaceNotary::ScheduleCursor` (r:1 w:1)
	/// Proof: `SpaceNotary::ScheduleCursor` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Schedule` (r:512 w:1022)
	/// Proof: `SpaceNotary::Schedule` (`max_values`: None, `max_size`: Some(45), added: 2520, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Batches` (r:511 w:511)
	/// Proof: `SpaceNotary::Batches` (`max_values`: None, `max_size`: Some(332), added: 2807, mode: `MaxEncodedLen`)
	/// Storage: `SpaceNotary::Servers` (r:511 w:511)
	/// Proof: `SpaceNotary::Servers` (`max_values`: None, `max_size`: Some(2201), added: 4676, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[0, 511]`.
	fn run_schedule(n: u32, ) -> Weight {
		// Minimum execution time: 8_627_000 picoseconds.
		Weight::from_parts(9_972_000, 0)
			.saturating_add(Weight::from_parts(0, 3510))
			// Standard Error: 782_564
			.saturating_add(Weight::from_parts(41_811_193, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
	fn add_satellite() -> Weight {
		Weight::from_parts(40_328_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn remove_satellite(p: u32, ) -> Weight {
		Weight::from_parts(40_328_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn set_quorum(p: u32, ) -> Weight {
		Weight::from_parts(32_188_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn submit_attestation() -> Weight {
		Weight::from_parts(183_541_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn submit_attestations(n: u32, ) -> Weight {
		Weight::from_parts(129_983_000, 0)
			.saturating_add(Weight::from_parts(0, 990))
			.saturating_add(Weight::from_parts(147_544_431, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
}

/// The same measurements with ParityDB's database weights, for tests and mocks.
impl WeightInfo for () {
	fn register_server() -> Weight {
		Weight::from_parts(119_255_000, 0)
			.saturating_add(Weight::from_parts(0, 3593))
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().writes(7_u64))
	}
	fn set_server_key() -> Weight {
		Weight::from_parts(34_540_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn set_satellite_key(p: u32, ) -> Weight {
		Weight::from_parts(40_328_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn suspend_server() -> Weight {
		Weight::from_parts(30_470_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn resume_server(p: u32, ) -> Weight {
		Weight::from_parts(32_188_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn deregister_server(p: u32, ) -> Weight {
		Weight::from_parts(114_399_518, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn submit_batch(n: u32, b: u32, ) -> Weight {
		Weight::from_parts(203_298_423, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(Weight::from_parts(777_143, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(2_287, 0).saturating_mul(b.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn submit_countersignature() -> Weight {
		Weight::from_parts(183_541_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn submit_countersignatures(n: u32, ) -> Weight {
		Weight::from_parts(129_983_000, 0)
			.saturating_add(Weight::from_parts(0, 990))
			.saturating_add(Weight::from_parts(147_544_431, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
	fn run_schedule(n: u32, ) -> Weight {
		Weight::from_parts(9_972_000, 0)
			.saturating_add(Weight::from_parts(0, 3510))
			.saturating_add(Weight::from_parts(41_811_193, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
	fn add_satellite() -> Weight {
		Weight::from_parts(40_328_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn remove_satellite(p: u32, ) -> Weight {
		Weight::from_parts(40_328_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn set_quorum(p: u32, ) -> Weight {
		Weight::from_parts(32_188_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(Weight::from_parts(15_825_946, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
			.saturating_add(Weight::from_parts(0, 2807).saturating_mul(p.into()))
	}
	fn submit_attestation() -> Weight {
		Weight::from_parts(183_541_000, 0)
			.saturating_add(Weight::from_parts(0, 5666))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn submit_attestations(n: u32, ) -> Weight {
		Weight::from_parts(129_983_000, 0)
			.saturating_add(Weight::from_parts(0, 990))
			.saturating_add(Weight::from_parts(147_544_431, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4676).saturating_mul(n.into()))
	}
}
