//! What the transaction pool spends refusing a countersignature bundle: the runtime's
//! `validate_unsigned` for `submit_countersignatures`, run natively on the real runtime with 63
//! genuine pending countersignatures and one bad entry last, against the bad entry alone.
//!
//! ```sh
//! cargo bench -p space-notary-runtime --bench pool_refusal
//! ```
//!
//! The bad entry is, in turn, a batch that does not exist (what a flood can make up for free)
//! and a forged signature over a pending batch (which needs the 63 genuine countersignatures,
//! and so a share of real satellite passes). Each is timed with the pool's check as it is (the
//! cheap checks of every entry before any signature) and as it was (each entry in full, in
//! order: reproduced here with the same runtime's `check_countersignature`). Prints the median time of one validation over many
//! runs, in microseconds, and the ratio to the one-entry bundle. Native, so the figures are a
//! floor: the node runs the same code compiled to wasm, with the same native host functions
//! for the signature checks.

#[allow(deprecated)] // the trait that validates bare transactions (see the pallet's docs)
use frame_support::pallet_prelude::ValidateUnsigned;
use frame_support::{traits::Currency, BoundedVec};
use sp_core::{ed25519, sr25519, Pair, H256};
use sp_runtime::{
	transaction_validity::{TransactionSource, TransactionValidity},
	BuildStorage,
};
use space_notary_primitives::{BatchCertificate, BatchId, SatelliteSignature};
use space_notary_runtime::{Runtime, RuntimeGenesisConfig, RuntimeOrigin, SpaceNotary, UNIT};
use std::time::{Duration, Instant};

type Call = pallet_space_notary::Call<Runtime>;

/// Genuine entries before the bad one.
const GENUINE: u32 = 63;
/// Validations timed per case.
const RUNS: usize = 400;

/// Registers `n` servers, submits one batch each, and countersigns each with its satellite key.
fn pending_countersignatures(n: u32) -> Vec<(BatchId, SatelliteSignature)> {
	let genesis = frame_system::Pallet::<Runtime>::block_hash(0);
	(0..n)
		.map(|i| {
			let seed = |kind: u8| {
				let mut seed = [kind; 32];
				seed[..4].copy_from_slice(&i.to_le_bytes());
				seed
			};
			let server = sr25519::Pair::from_seed(&seed(1));
			let satellite = ed25519::Pair::from_seed(&seed(2));
			let operator = sp_runtime::AccountId32::new(seed(3));
			let _ = pallet_balances::Pallet::<Runtime>::deposit_creating(&operator, 1_000 * UNIT);
			SpaceNotary::register_server(
				RuntimeOrigin::root(),
				operator.clone(),
				server.public().into(),
				0,
				satellite.public(),
			)
			.expect("registers");
			let server_id = pallet_space_notary::NextServerId::<Runtime>::get() - 1;
			let txs = [format!("tx of server {i}").into_bytes()];
			let cert = BatchCertificate::over_transactions(
				genesis,
				server_id,
				1,
				H256::zero(),
				1_700_000_000_000,
				&txs,
			)
			.expect("a certificate");
			let signature = server.sign(&cert.server_payload()).into();
			let txs = BoundedVec::truncate_from(
				txs.iter().map(|tx| BoundedVec::truncate_from(tx.clone())).collect(),
			);
			SpaceNotary::submit_batch(
				RuntimeOrigin::signed(operator),
				cert.clone(),
				signature,
				txs,
			)
			.expect("submits");
			let batch_id = cert.batch_id();
			let payload = SpaceNotary::satellite_payload(batch_id).expect("a payload");
			(batch_id, satellite.sign(&payload))
		})
		.collect()
}

// `ValidateUnsigned` is what validates bare transactions in this release (the pallet's docs).
#[allow(deprecated)]
fn validate(entries: &[(BatchId, SatelliteSignature)]) -> TransactionValidity {
	let call =
		Call::submit_countersignatures { entries: BoundedVec::truncate_from(entries.to_vec()) };
	SpaceNotary::validate_unsigned(TransactionSource::External, &call)
}

/// The pool's check as it was before the cheap checks came first: each entry checked in full
/// (`check_countersignature`: reads, then its signature) in order, until the first that fails.
fn validate_in_order(entries: &[(BatchId, SatelliteSignature)]) -> Result<(), ()> {
	for (i, (batch_id, signature)) in entries.iter().enumerate() {
		if entries[..i].iter().any(|(seen, _)| seen == batch_id) {
			return Err(());
		}
		SpaceNotary::check_countersignature(batch_id, signature).map_err(|_| ())?;
	}
	Ok(())
}

/// Median time of one refusal of `entries` by `check`.
fn median_refusal(
	entries: &[(BatchId, SatelliteSignature)],
	check: impl Fn(&[(BatchId, SatelliteSignature)]) -> bool,
) -> Duration {
	let mut times: Vec<Duration> = (0..RUNS)
		.map(|_| {
			let start = Instant::now();
			let valid = check(entries);
			let took = start.elapsed();
			assert!(!valid, "the bundle is refused");
			took
		})
		.collect();
	times.sort();
	times[RUNS / 2]
}

fn main() {
	let storage = RuntimeGenesisConfig::default().build_storage().expect("genesis storage");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let genuine = pending_countersignatures(GENUINE + 1);
		let (last_id, last_sig) = *genuine.last().expect("one more");
		let genuine = &genuine[..GENUINE as usize];
		assert!(validate(genuine).is_ok(), "the genuine entries validate");

		let unknown = (H256::repeat_byte(0xEE), last_sig);
		let forged = (last_id, ed25519::Pair::from_seed(&[0xEE; 32]).sign(b"forged"));
		println!("refusing a countersignature bundle (median of {RUNS} validations, native):");
		let now = |e: &[(BatchId, SatelliteSignature)]| validate(e).is_ok();
		let before = |e: &[(BatchId, SatelliteSignature)]| validate_in_order(e).is_ok();
		for (name, bad) in [("unknown batch", unknown), ("forged signature", forged)] {
			let mut bundle = genuine.to_vec();
			bundle.push(bad);
			for (check, label) in [
				(&before as &dyn Fn(&_) -> bool, "in order (before)"),
				(&now, "cheap checks first"),
			] {
				let alone = median_refusal(&[bad], check);
				let full = median_refusal(&bundle, check);
				println!(
					"  bad entry = {name:16} {label:20} 0+1: {:7.1} µs   {GENUINE}+1: {:7.1} µs   ({:.1}x)",
					alone.as_secs_f64() * 1e6,
					full.as_secs_f64() * 1e6,
					full.as_secs_f64() / alone.as_secs_f64(),
				);
			}
		}
	});
}
