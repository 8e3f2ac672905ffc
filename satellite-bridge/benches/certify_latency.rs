//! Batch on chain → countersignature on chain, in blocks, through the real node, emulator
//! (`ideal` link) and bridge: the figure docs/benchmarks.md reports.
//!
//! ```sh
//! cargo bench -p satellite-bridge --bench certify_latency     # BENCH_BATCHES=100 by default
//! ```
//!
//! Registers 10 servers (each with its own operator account), submits `BENCH_BATCHES` batches
//! in rounds of one per server, and for each batch reads `submitted_at` and `certified_at`
//! from `SpaceNotaryApi.batch_status` at the finalized block: the latency is the difference in
//! blocks (both blocks finalized). Prints the median and the worst.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use satellite_bridge::{chain, keys::ServerPair};
use space_notary_primitives::records::BatchStatus;
use std::time::Duration;

const OPERATORS: [&str; 10] = [
	"//Alice",
	"//Bob",
	"//Charlie",
	"//Dave",
	"//Eve",
	"//Ferdie",
	"//Alice//stash",
	"//Bob//stash",
	"//Charlie//stash",
	"//Dave//stash",
];

async fn run() {
	let batches: usize =
		std::env::var("BENCH_BATCHES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
	let node = common::Node::dev().await;
	let chain = node.chain().await;
	let state = tempfile::tempdir().unwrap();
	let mut servers = Vec::new();
	for (i, operator) in OPERATORS.iter().enumerate() {
		let key = format!("sr25519://latency-server-{i}");
		let pair: ServerPair = key.parse().unwrap();
		let satellite = common::Emulator::provision(state.path(), i as u32, &pair.public());
		let id = common::register_server(&node, operator, &pair.public(), &satellite).await;
		servers.push((id, key, *operator));
	}
	let emulator = common::Emulator::start(state.path(), chain.genesis_hash(), &[]).await;
	let data = tempfile::tempdir().unwrap();
	let args = [
		"relay".to_string(),
		"--chain".into(),
		node.ws_url().to_string(),
		"--satellite".into(),
		emulator.url(),
		"--data-dir".into(),
		data.path().display().to_string(),
	];
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let _bridge = common::BridgeProcess::start(&args);

	let mut ids = Vec::new();
	let mut round = 0;
	while ids.len() < batches {
		round += 1;
		let submissions = servers.iter().take(batches - ids.len()).map(|(id, key, operator)| {
			let tx = format!("latency round {round} server {id}").into_bytes();
			let node = &node;
			async move { common::submit_batch(node, *id, key, operator, &[&tx]).await }
		});
		ids.extend(futures::future::join_all(submissions).await);
		eprintln!("{} batches submitted", ids.len());
	}
	let mut latencies = Vec::new();
	for batch_id in &ids {
		let blocks =
			common::wait_for("the batch to be certified", Duration::from_secs(300), || async {
				let record =
					chain::batch(&chain.finalized().await.ok()?, *batch_id).await.ok()??;
				match record.status {
					BatchStatus::Certified { certified_at, .. } => {
						Some(certified_at.saturating_sub(record.submitted_at))
					},
					_ => None,
				}
			})
			.await;
		latencies.push(blocks);
	}
	latencies.sort_unstable();
	let median = latencies[latencies.len() / 2];
	let worst = latencies[latencies.len() - 1];
	let histogram: std::collections::BTreeMap<u32, usize> =
		latencies.iter().fold(Default::default(), |mut h, b| {
			*h.entry(*b).or_default() += 1;
			h
		});
	println!(
		"batch block → certification block over {} batches (ideal link, dev chain, 6 s blocks): median {median} blocks, worst {worst} blocks; histogram {histogram:?}",
		latencies.len()
	);
}

fn main() {
	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
	runtime.block_on(run());
}
