//! The relay against the real node, the real emulator and each other: batches from three
//! servers certified end to end; the bridge killed at the points that matter and restarted;
//! two bridges at once; the emulator and the node restarted mid-run over a lossy link with gaps
//! between passes; a satellite whose countersignatures do not verify; countersignatures ready
//! together submitted as one bundle.
//!
//! Timing: every wait has a generous deadline that names what it waited for; nothing asserts a
//! duration. The dev chain makes a block every 6 s, so each test takes a minute or two.

use crate::common::*;
use satellite_bridge::{
	chain::{self, Chain},
	keys::ServerPair,
};
use space_notary_primitives::records::BatchStatus;
use space_notary_primitives::{
	ground_station::{stage, BatchView, PostBatch},
	BatchId, ServerId,
};
use std::{collections::HashMap, path::Path, time::Duration};

/// How long a batch may take from submission to certification on a busy machine (blocks are
/// 6 s; finality follows; the bridge reacts at the next finalized block).
pub(crate) const CERTIFY_DEADLINE: Duration = Duration::from_secs(180);

/// A registered server: its id, its key as `batch submit` takes it, its operator.
pub(crate) struct Server {
	pub(crate) id: ServerId,
	pub(crate) key: String,
	pub(crate) operator: &'static str,
}

/// Provisions `operators.len()` servers (sr25519, ed25519, ecdsa, …) in the emulator's state
/// directory and registers them on chain, in id order.
pub(crate) async fn servers(
	node: &Node,
	state_dir: &Path,
	operators: &[&'static str],
) -> Vec<Server> {
	let schemes = ["sr25519", "ed25519", "ecdsa"];
	let mut servers = Vec::new();
	let next = chain::next_server_id(&node.chain().await.finalized().await.unwrap()).await.unwrap();
	for (i, operator) in operators.iter().enumerate() {
		let key = format!("{}://server-{}-{i}", schemes[i % schemes.len()], std::process::id());
		let pair: ServerPair = key.parse().unwrap();
		let expected_id = next + i as ServerId;
		let satellite_key = Emulator::provision(state_dir, expected_id, &pair.public());
		let id = register_server(node, operator, &pair.public(), &satellite_key).await;
		assert_eq!(id, expected_id, "servers are registered in id order");
		servers.push(Server { id, key, operator });
	}
	servers
}

/// Submits one batch per server, all at once (each server has its own operator account).
pub(crate) async fn submit_round(node: &Node, servers: &[Server], round: u32) -> Vec<BatchId> {
	let submissions = servers.iter().map(|s| {
		let txs: Vec<Vec<u8>> =
			(0..3).map(|t| format!("round {round} server {} tx {t}", s.id).into_bytes()).collect();
		async move {
			let txs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
			submit_batch(node, s.id, &s.key, s.operator, &txs).await
		}
	});
	futures::future::join_all(submissions).await
}

/// Waits until every batch is certified at a finalized block.
pub(crate) async fn certified(chain: &Chain, batches: &[BatchId]) {
	let what = format!("{} batches certified at a finalized block", batches.len());
	wait_for(&what, CERTIFY_DEADLINE, || async {
		let at = chain.finalized().await.ok()?;
		for batch_id in batches {
			let record = chain::batch(&at, *batch_id).await.ok()??;
			if !matches!(record.status, BatchStatus::Certified { .. }) {
				return None;
			}
		}
		Some(())
	})
	.await;
}

/// `BatchCertified` events per batch and failed extrinsics, over every block up to the
/// finalized one: proof that nothing was certified twice and no relay paid for a failure.
pub(crate) async fn certifications(chain: &Chain) -> (HashMap<BatchId, usize>, usize) {
	let finalized = chain.finalized().await.unwrap().block_number();
	let mut certified = HashMap::new();
	let mut failed = 0;
	for number in 1..=finalized {
		let at = chain.client().at_block(number).await.unwrap();
		let events = at.events().fetch().await.unwrap();
		for event in events.iter() {
			let event = event.unwrap();
			match (event.pallet_name(), event.event_name()) {
				("SpaceNotary", "BatchCertified") => {
					// The fields begin `server_id: u32, sequence: u64, batch_id`.
					let (_server, _sequence, id) =
						<(u32, u64, BatchId) as codec::Decode>::decode(&mut event.field_bytes())
							.expect("BatchCertified begins with server, sequence and batch id");
					*certified.entry(id).or_default() += 1;
				},
				("System", "ExtrinsicFailed") => failed += 1,
				_ => {},
			}
		}
	}
	(certified, failed)
}

/// An account's free balance at the finalized block (`System.Account`).
async fn free_balance(chain: &Chain, suri: &str) -> u128 {
	use subxt::ext::scale_value::At;
	let account = satellite_bridge::chain::AccountSigner::from_suri(suri).unwrap().account();
	let address =
		subxt::dynamic::storage::<([u8; 32],), subxt::dynamic::Value>("System", "Account");
	let at = chain.finalized().await.unwrap();
	let info = at.storage().fetch(address, (*account.as_ref(),)).await.unwrap().decode().unwrap();
	info.at("data").and_then(|d| d.at("free")).and_then(|f| f.as_u128()).expect("data.free")
}

/// A `relay` process's flags.
pub(crate) fn relay_args(node: &Node, satellite: &str, data_dir: &Path, http: u16) -> Vec<String> {
	vec![
		"relay".into(),
		"--chain".into(),
		node.ws_url().to_string(),
		"--satellite".into(),
		satellite.into(),
		"--data-dir".into(),
		data_dir.display().to_string(),
		"--http".into(),
		format!("127.0.0.1:{http}"),
		"--status-every-ms".into(),
		"1000".into(),
	]
}

pub(crate) fn start_relay(args: &[String], env: &[(&str, &str)]) -> BridgeProcess {
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	BridgeProcess::start_with_env(&args, env)
}

pub(crate) async fn metrics(http: u16) -> String {
	reqwest::get(format!("http://127.0.0.1:{http}/metrics")).await.unwrap().text().await.unwrap()
}

/// The value of an unlabelled metric (`space_notary_bridge_<name>`, `_total` for counters).
pub(crate) fn metric(text: &str, name: &str) -> Option<f64> {
	text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
		let (key, value) = l.split_once(' ')?;
		(key == format!("space_notary_bridge_{name}")).then(|| value.parse().ok()).flatten()
	})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_certified_through_crashes_and_two_bridges() {
	let node = Node::dev().await;
	let chain = node.chain().await;
	let state = tempfile::tempdir().unwrap();
	let servers = servers(&node, state.path(), &["//Bob", "//Charlie", "//Dave"]).await;
	let emulator = Emulator::start(state.path(), chain.genesis_hash(), &[]).await;
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let args = relay_args(&node, &emulator.url(), data.path(), http);

	// End to end: one batch from each of three servers (sr25519, ed25519, ecdsa keys).
	let mut bridge = start_relay(&args, &[]);
	let first = submit_round(&node, &servers, 1).await;
	certified(&chain, &first).await;
	let text = wait_for("the bridge to count 3 certified batches", CERTIFY_DEADLINE, || async {
		let text = metrics(http).await;
		(metric(&text, "certified_total")? >= 3.0).then_some(text)
	})
	.await;
	assert_eq!(metric(&text, "queue_depth"), Some(0.0), "nothing stranded:\n{text}");
	let status = bridge_async(vec!["status".into(), "--http".into(), format!("127.0.0.1:{http}")])
		.await
		.success();
	assert!(status.stdout.contains("link      up"), "{status}");
	assert!(status.stdout.contains("certified 3"), "{status}");
	bridge.kill();

	// Killed between a countersignature's commit and its submission, and right after a
	// submission before it was recorded: a restart submits (again) and nothing is lost.
	for crash_at in ["countersigned", "submitted"] {
		let crashing = start_relay(&args, &[("SATELLITE_BRIDGE_CRASH_AT", crash_at)]);
		let batches = submit_round(&node, &servers, 2 + u32::from(crash_at == "submitted")).await;
		wait_for(&format!("the bridge to abort at {crash_at}"), CERTIFY_DEADLINE, || async {
			crashing.exit_code().map(|_| ())
		})
		.await;
		let restarted = start_relay(&args, &[]);
		certified(&chain, &batches).await;
		drop(restarted);
	}

	// Two bridges at once, one satellite, one chain, separate queues.
	let other_data = tempfile::tempdir().unwrap();
	let other_http = free_port();
	let _a = start_relay(&args, &[]);
	let _b = start_relay(&relay_args(&node, &emulator.url(), other_data.path(), other_http), &[]);
	let mut batches = submit_round(&node, &servers, 4).await;
	batches.extend(submit_round(&node, &servers, 5).await);
	certified(&chain, &batches).await;

	// Nothing certified twice and no relay paid for a failed submission, over the whole run.
	let (counts, failed) = certifications(&chain).await;
	assert_eq!(counts.len(), 15, "every batch certified: {counts:?}");
	assert!(counts.values().all(|n| *n == 1), "each exactly once: {counts:?}");
	assert_eq!(failed, 0, "no failed extrinsic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lossy_link_with_gaps_and_restarts_of_emulator_and_node() {
	let mut node = Node::dev().await;
	let chain = node.chain().await;
	let state = tempfile::tempdir().unwrap();
	let servers = servers(&node, state.path(), &["//Bob", "//Charlie"]).await;
	// 30 % of frames lost each way; in view 20 s of every 40 s.
	let mut emulator = Emulator::start(
		state.path(),
		chain.genesis_hash(),
		&["--loss", "0.3", "--pass-period", "40", "--pass-duration", "20", "--seed", "7"],
	)
	.await;
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let mut args = relay_args(&node, &emulator.url(), data.path(), http);
	// Signed submissions this time: the fee of a valid, new countersignature is waived.
	// Full mode too: the transactions go up from the node's off-chain index, and the emulator
	// refuses any batch whose transactions do not hash to its root.
	args.extend([
		"--rto-min-ms".into(),
		"500".into(),
		"--signer".into(),
		"//Ferdie".into(),
		"--uplink-txs".into(),
	]);
	let ferdie_before = free_balance(&chain, "//Ferdie").await;
	let bridge = start_relay(&args, &[]);

	let mut batches = submit_round(&node, &servers, 1).await;
	emulator.restart().await;
	batches.extend(submit_round(&node, &servers, 2).await);
	node.restart().await;
	let chain = node.chain().await;
	batches.extend(submit_round(&node, &servers, 3).await);
	certified(&chain, &batches).await;

	let text = metrics(http).await;
	assert!(
		metric(&text, "retransmissions_total").unwrap_or(0.0) > 0.0,
		"a lossy link retransmits:\n{text}"
	);
	assert!(metric(&text, "submissions_total").unwrap_or(0.0) >= batches.len() as f64, "{text}");
	assert_eq!(
		free_balance(&chain, "//Ferdie").await,
		ferdie_before,
		"the signing relay paid nothing"
	);
	let fallbacks: Vec<String> =
		bridge.log_lines().into_iter().filter(|l| l.contains("certificate only")).collect();
	assert!(fallbacks.is_empty(), "every batch went up with its transactions: {fallbacks:?}");
	let (counts, failed) = certifications(&chain).await;
	assert_eq!(counts.len(), batches.len(), "{counts:?}");
	assert!(counts.values().all(|n| *n == 1), "{counts:?}");
	assert_eq!(failed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn countersignature_that_does_not_verify_is_never_submitted() {
	let node = Node::dev().await;
	let chain = node.chain().await;
	let state = tempfile::tempdir().unwrap();
	let servers = servers(&node, state.path(), &["//Bob"]).await;
	let fake = crate::fake_satellite::FakeSatellite::wrong_key().await;
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let _bridge =
		start_relay(&relay_args(&node, &format!("tcp://{}", fake.addr), data.path(), http), &[]);

	let batch = submit_round(&node, &servers, 1).await[0];
	let text = wait_for("the bridge to count a bad countersignature", CERTIFY_DEADLINE, || async {
		let text = metrics(http).await;
		(metric(&text, "bad_countersignatures_total")? >= 1.0).then_some(text)
	})
	.await;
	assert_eq!(metric(&text, "submissions_total"), Some(0.0), "nothing submitted:\n{text}");
	let status = bridge_async(vec!["status".into(), "--http".into(), format!("127.0.0.1:{http}")])
		.await
		.success();
	assert!(status.stdout.contains("BadCountersignature 1"), "{status}");
	// Two more blocks finalized, and the batch is still pending.
	let now = node.finalized_number().await.unwrap();
	wait_for("two more finalized blocks", CERTIFY_DEADLINE, || async {
		(node.finalized_number().await? >= now + 2).then_some(())
	})
	.await;
	let record = chain::batch(&chain.finalized().await.unwrap(), batch).await.unwrap().unwrap();
	assert!(matches!(record.status, BatchStatus::Pending { .. }), "{:?}", record.status);
}

/// Countersignatures ready together go to the chain as one bundle (`submit_attestations`).
/// Made deterministic by collecting them first in HTTP-only mode, where the bridge follows no
/// chain and holds what the satellite signs, and then starting the relay with `--chain` on the
/// same queue: it restores all three at once and submits them together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn countersignatures_ready_together_go_as_one_bundle() {
	let node = Node::dev().await;
	let chain = node.chain().await;
	let state = tempfile::tempdir().unwrap();
	let servers = servers(&node, state.path(), &["//Bob", "//Charlie", "//Dave"]).await;
	let emulator = Emulator::start(state.path(), chain.genesis_hash(), &[]).await;
	let batches = submit_round(&node, &servers, 1).await;
	let records = wait_for("the 3 batches at a finalized block", CERTIFY_DEADLINE, || async {
		let at = chain.finalized().await.ok()?;
		let mut records = Vec::new();
		for batch_id in &batches {
			records.push(chain::batch(&at, *batch_id).await.ok()??);
		}
		Some(records)
	})
	.await;

	// HTTP-only: posted as the off-chain worker posts them, countersigned and held.
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let base = format!("http://127.0.0.1:{http}");
	let http_only = http_only_args(&emulator.url(), chain.genesis_hash(), data.path(), http);
	let mut station = start_relay(&http_only, &[]);
	let client = reqwest::Client::new();
	for record in &records {
		let body = PostBatch::new(&record.cert, &record.server_signature, None);
		wait_for("the bridge's API to take a batch", CERTIFY_DEADLINE, || async {
			let response = client.post(format!("{base}/batches")).json(&body).send().await.ok()?;
			response.status().is_success().then_some(())
		})
		.await;
	}
	for batch_id in &batches {
		wait_for("each batch countersigned in HTTP-only mode", CERTIFY_DEADLINE, || async {
			let url = format!("{base}/batches/{batch_id:?}");
			let view: BatchView = client.get(url).send().await.ok()?.json().await.ok()?;
			(view.stage == stage::COUNTERSIGNED).then_some(())
		})
		.await;
	}
	station.kill();

	// With the chain: the three restored countersignatures go out together.
	let _relay = start_relay(&relay_args(&node, &emulator.url(), data.path(), http), &[]);
	certified(&chain, &batches).await;
	let text = wait_for("the relay to count its submissions", CERTIFY_DEADLINE, || async {
		let text = metrics(http).await;
		(metric(&text, "submissions_total")? >= 3.0).then_some(text)
	})
	.await;
	assert_eq!(metric(&text, "bundles_total"), Some(1.0), "one bundle:\n{text}");
	assert_eq!(metric(&text, "submissions_total"), Some(3.0), "three in it:\n{text}");
	let (counts, failed) = certifications(&chain).await;
	assert_eq!(counts.len(), 3, "{counts:?}");
	assert!(counts.values().all(|n| *n == 1), "{counts:?}");
	assert_eq!(failed, 0);
}
