//! What the benchmarked weights allow in one block: the figures docs/benchmarks.md reports.
//!
//! `cargo test --release -p space-notary-runtime --test block_capacity -- --nocapture`

use frame_support::{dispatch::DispatchClass, traits::Get};
use pallet_space_notary::WeightInfo;
use space_notary_runtime::{configs::RuntimeBlockWeights, Runtime, MILLI_SECS_PER_BLOCK};

type Weights = pallet_space_notary::weights::SubstrateWeight<Runtime>;

/// How many extrinsics of weight `call` the normal class of one block takes.
fn per_block(call: frame_support::weights::Weight) -> u64 {
	let weights = RuntimeBlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let budget = normal.max_total.expect("normal class is bounded").ref_time();
	budget / (normal.base_extrinsic + call).ref_time()
}

#[test]
fn countersignatures_per_block_meet_the_target() {
	let n = per_block(Weights::submit_countersignature());
	println!(
		"submit_countersignature: {} ps + base extrinsic → {n} per {} ms block",
		Weights::submit_countersignature().ref_time(),
		MILLI_SECS_PER_BLOCK
	);
	assert!(n >= 2_000, "only {n} countersignatures fit in a block");
}

#[test]
fn bundles_fit_5000_countersignatures_a_block() {
	let max = <Runtime as pallet_space_notary::Config>::MaxCountersignaturesPerCall::get();
	let bundles = per_block(Weights::submit_countersignatures(max));
	let singles = per_block(Weights::submit_countersignature());
	let bundled = bundles * u64::from(max);
	println!(
		"submit_countersignatures({max}): {} ps + base extrinsic → {bundles} bundles, {bundled} \
		 countersignatures per block (singles: {singles})",
		Weights::submit_countersignatures(max).ref_time(),
	);
	assert!(bundled > singles, "a bundle pays the base weight once: {bundled} vs {singles}");
	// The throughput issue's target, by the weights; docs/benchmarks.md has the load run that fills blocks.
	assert!(bundled >= 5_000, "only {bundled} countersignatures fit in a block in bundles");
}

/// The v2 calls the ground stations use (several satellites, each countersignature with its
/// satellite's number and clock): the same targets as v1.
#[test]
fn attestations_meet_the_same_targets() {
	let max = <Runtime as pallet_space_notary::Config>::MaxCountersignaturesPerCall::get();
	let singles = per_block(Weights::submit_attestation());
	let bundles = per_block(Weights::submit_attestations(max));
	let bundled = bundles * u64::from(max);
	println!(
		"submit_attestation: {} ps → {singles} per block; submit_attestations({max}): {} ps → \
		 {bundles} bundles, {bundled} attestations per block",
		Weights::submit_attestation().ref_time(),
		Weights::submit_attestations(max).ref_time(),
	);
	assert!(singles >= 2_000, "only {singles} attestations fit in a block");
	assert!(bundled >= 5_000, "only {bundled} attestations fit in a block in bundles");
}

#[test]
fn submit_batch_weight_is_linear_and_fits() {
	let w = |n, b| Weights::submit_batch(n, b).ref_time();
	assert_eq!(w(3, 0) - w(2, 0), w(2, 0) - w(1, 0), "linear in transactions");
	assert_eq!(w(1, 2_000) - w(1, 1_000), w(1, 1_000) - w(1, 0), "linear in bytes");
	// The largest batch the runtime accepts still fits in a block.
	let largest = Weights::submit_batch(1024, 1024 * 1024);
	let n = per_block(largest);
	println!("largest submit_batch (1024 txs, 1 MiB): {} ps → {n} per block", largest.ref_time());
	assert!(n >= 1);
	let smallest = Weights::submit_batch(1, 1);
	println!(
		"smallest submit_batch (1 tx, 1 B): {} ps → {} per block",
		smallest.ref_time(),
		per_block(smallest)
	);
}
