//! Receipt size and verification time (`docs/benchmarks.md`, "Receipts"): receipts built by the
//! test fixture from real tries of 1 000, 100 000 and 1 000 000 other batches, with justifications
//! signed by every validator of sets of 1, 3 and 6; the size of the binary form, and the median
//! time of `receipt::verify` (native, release) over 200 runs.
//!
//! `cargo bench -p space-notary-primitives --bench receipts`
//!
//! With `RECEIPT_BENCH_OUT=FILE`, the receipt of 1 000 000 batches and 6 validators is also
//! written to `FILE` (JSON: `receipt`, `tx` in hex, `anchor` in the vector file's shape), for
//! `scripts/bench-receipts` to time the console's JS verifier on the same receipt in Node and in
//! headless chromium.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use fixture::{build, OnChain, Shape};
use space_notary_primitives::receipt::verify;
use std::time::{Duration, Instant};

const RUNS: usize = 200;

fn main() {
	println!("| batches on chain | validators | receipt bytes | state proof bytes | verify (median of {RUNS}) |");
	println!("|---|---|---|---|---|");
	for filler in [1_000u32, 100_000, 1_000_000] {
		for validators in [1u8, 3, 6] {
			let started = Instant::now();
			let f = build(Shape {
				validators,
				signers: validators,
				descendants: 0,
				filler,
				on_chain: OnChain::Certified,
				fork: false,
				set_changes: 0,
			});
			let built = started.elapsed();
			let mut times: Vec<Duration> = (0..RUNS)
				.map(|_| {
					let t = Instant::now();
					verify(&f.receipt, Some(&f.tx), &f.anchor).expect("the fixture verifies");
					t.elapsed()
				})
				.collect();
			times.sort();
			let proof: usize = f.receipt.chain.state_proof.iter().map(Vec::len).sum();
			println!(
				"| {filler} | {validators} | {} | {proof} | {:.2} ms |",
				f.receipt.to_bytes().len(),
				times[RUNS / 2].as_secs_f64() * 1e3,
			);
			eprintln!("  (fixture of {filler} batches built in {:.1} s)", built.as_secs_f64());
			if let (1_000_000, 6, Ok(out)) =
				(filler, validators, std::env::var("RECEIPT_BENCH_OUT"))
			{
				write_receipt(&out, &f);
			}
		}
	}
}

fn write_receipt(path: &str, f: &fixture::Fixture) {
	let hex = |bytes: &[u8]| format!("0x{}", hex::encode(bytes));
	let authorities: Vec<String> = f
		.anchor
		.authorities
		.iter()
		.map(|(key, weight)| format!("[\"{}\", {weight}]", hex(key.as_ref())))
		.collect();
	let json = format!(
		"{{\"receipt\": \"{}\", \"tx\": \"{}\", \"anchor\": {{\"genesis_hash\": \"{}\", \"set_id\": {}, \"authorities\": [{}]}}}}\n",
		hex(&f.receipt.to_bytes()),
		hex(&f.tx),
		hex(f.anchor.genesis_hash.as_bytes()),
		f.anchor.set_id,
		authorities.join(", ")
	);
	std::fs::write(path, json).expect("RECEIPT_BENCH_OUT is writable");
	eprintln!("  (receipt of 1 000 000 batches and 6 validators written to {path})");
}
