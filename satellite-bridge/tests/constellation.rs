//! Two satellites and two ground stations against one chain: each station keeps a link to each
//! satellite (`--satellite` twice), each satellite serves each station on a link of its own
//! (`--listen` twice) with its own passes, and the stations race.
//!
//! The passes are arranged so that the outcome is known: each satellite's station-1 link is out
//! of view for the whole test (its first pass begins half an hour in), so
//! - station A sees satellite 0 on its first link and not satellite 1 on its second;
//! - station B sees satellite 1 on its second link and not satellite 0 on its first;
//! - station C has both satellites' station-0 links, both in view.
//!
//! Under a quorum of one every batch is certified once, by whichever station's submission lands
//! first; station A's batches go to satellite 0 although it holds satellite 1's link too
//! (whichever is in view), and station C hears both satellites and counts the second
//! countersignature instead of failing. Under a quorum of two, with stations A and B alone, each
//! batch needs both stations: it ends with both satellites' countersignatures, certified once.

use crate::common::*;
use crate::relay::{
	certified, metric, metrics, relay_args, start_relay, submit_round, Server, CERTIFY_DEADLINE,
};
use satellite_bridge::{chain, keys::ServerPair};
use space_notary_primitives::{records::BatchStatus, BatchId, SatelliteId};
use std::collections::BTreeSet;

/// Fixed passes of an hour with a 29-minute pass: station 0 of two in view for the first 29
/// minutes (the whole test), station 1 from the 30th.
const PASSES: [&str; 4] = ["--pass-period", "3600", "--pass-duration", "1740"];

/// The satellites whose countersignatures the chain recorded for each of `batches`.
async fn attested_by(chain: &chain::Chain, batches: &[BatchId]) -> Vec<BTreeSet<SatelliteId>> {
	let at = chain.finalized().await.unwrap();
	let mut by = Vec::new();
	for batch_id in batches {
		let record = chain::batch(&at, *batch_id).await.unwrap().expect("a recorded batch");
		let BatchStatus::Certified { attestations, .. } = record.status else {
			panic!("{batch_id:?} not certified: {:?}", record.status);
		};
		by.push(attestations.iter().map(|a| a.satellite_id).collect());
	}
	by
}

/// `server <command> --chain URL args…` through the bridge's CLI, which must succeed.
async fn server_cli(node: &Node, command: &str, args: &[&str]) {
	let mut all = vec!["server".to_string(), command.to_string(), "--chain".into()];
	all.push(node.ws_url().to_string());
	all.extend(args.iter().map(|s| s.to_string()));
	bridge_async(all).await.success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stations_race_over_two_satellites_and_meet_a_quorum_of_two() {
	let node = Node::dev().await;
	let chain = node.chain().await;
	let genesis = chain.genesis_hash();
	let (sat0, sat1) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

	// Two servers, each served by both satellites (a key of each for each server).
	let next = chain::next_server_id(&chain.finalized().await.unwrap()).await.unwrap();
	let mut servers = Vec::new();
	for (i, operator) in ["//Bob", "//Charlie"].into_iter().enumerate() {
		let key = format!("sr25519://constellation-{}-{i}", std::process::id());
		let pair: ServerPair = key.parse().unwrap();
		let expected = next + i as u32;
		let key0 = Emulator::provision(sat0.path(), expected, &pair.public());
		let key1 = Emulator::provision(sat1.path(), expected, &pair.public());
		let id = register_server(&node, operator, &pair.public(), &key0).await;
		assert_eq!(id, expected, "servers are registered in id order");
		let key1 = format!("0x{}", hex::encode(key1));
		server_cli(&node, "add-satellite", &[&id.to_string(), &key1, "--satellite-id", "1"]).await;
		servers.push(Server { id, key, operator });
	}

	// Each satellite serves two stations: its first `--listen` is station 0's link, its second
	// station 1's.
	let station1_of_sat0 = format!("127.0.0.1:{}", free_port());
	let station1_of_sat1 = format!("127.0.0.1:{}", free_port());
	let mut args0 = vec!["--satellite-id", "0", "--listen", &station1_of_sat0];
	args0.extend(PASSES);
	let mut args1 = vec!["--satellite-id", "1", "--listen", &station1_of_sat1];
	args1.extend(PASSES);
	let emulator0 = Emulator::start(sat0.path(), genesis, &args0).await;
	let emulator1 = Emulator::start(sat1.path(), genesis, &args1).await;

	// Station A: satellite 0 in view, satellite 1 not. Station B: the other way round.
	// Station C: both in view.
	let relay = |links: &[String], data: &std::path::Path, http: u16| {
		let mut args = relay_args(&node, &links[0], data, http);
		for link in &links[1..] {
			args.push("--satellite".into());
			args.push(link.clone());
		}
		start_relay(&args, &[])
	};
	let (data_a, data_b, data_c) =
		(tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
	let (http_a, http_b, http_c) = (free_port(), free_port(), free_port());
	let a_links = [emulator0.url(), format!("tcp://{station1_of_sat1}")];
	let b_links = [format!("tcp://{station1_of_sat0}"), emulator1.url()];
	let _a = relay(&a_links, data_a.path(), http_a);
	let _b = relay(&b_links, data_b.path(), http_b);

	// A quorum of one, stations A and B: each batch certified once, by either satellite.
	let mut all = Vec::new();
	let first = submit_round(&node, &servers, 1).await;
	certified(&chain, &first).await;
	all.extend(first.iter().copied());
	for by in attested_by(&chain, &first).await {
		assert_eq!(by.len(), 1, "one countersignature certifies under a quorum of one: {by:?}");
	}
	// Station A holds satellite 1's link, out of view: nothing went that way, and the status
	// says which satellite each link reaches and that the second is out of view.
	let status = wait_for(
		"station A's status to name satellite 0 on its first link",
		CERTIFY_DEADLINE,
		|| async {
			let url = format!("http://127.0.0.1:{http_a}/status");
			let status: serde_json::Value = reqwest::get(url).await.ok()?.json().await.ok()?;
			(status["links"][0]["satellite"] == 0).then_some(status)
		},
	)
	.await;
	assert_eq!(status["links"][0]["in_pass"], true, "{status}");
	assert_eq!(status["links"][1]["in_pass"], false, "{status}");
	assert!(
		status["links"][1]["satellite"].is_null(),
		"nothing signed on the out-of-view link: {status}"
	);
	let printed =
		bridge_async(vec!["status".into(), "--http".into(), format!("127.0.0.1:{http_a}")])
			.await
			.success();
	assert!(printed.stdout.contains("(satellite 0) up, in view"), "{printed}");
	// Out of view, the station hears nothing from satellite 1: the link is down until its pass.
	assert!(printed.stdout.contains("(satellite ?) down"), "{printed}");

	// Station C hears both satellites: the second countersignature of a batch is counted.
	let c = relay(&[emulator0.url(), emulator1.url()], data_c.path(), http_c);
	let second = submit_round(&node, &servers, 2).await;
	certified(&chain, &second).await;
	all.extend(second.iter().copied());
	wait_for(
		"station C to count a second satellite's countersignature",
		CERTIFY_DEADLINE,
		|| async {
			let text = metrics(http_c).await;
			(metric(&text, "other_satellite_countersignatures_total")? >= 1.0).then_some(())
		},
	)
	.await;
	drop(c);

	// A quorum of two, stations A and B again: neither sees both satellites, so each batch
	// is certified by their two countersignatures together.
	for server in &servers {
		server_cli(&node, "set-quorum", &[&server.id.to_string(), "2"]).await;
	}
	let third = submit_round(&node, &servers, 3).await;
	certified(&chain, &third).await;
	all.extend(third.iter().copied());
	for by in attested_by(&chain, &third).await {
		assert_eq!(by, BTreeSet::from([0, 1]), "a quorum of two: both satellites");
	}

	// Nothing certified twice, nothing failed on chain, over the whole run.
	let (counts, failed) = crate::relay::certifications(&chain).await;
	for batch_id in &all {
		assert_eq!(counts.get(batch_id), Some(&1), "{batch_id:?} certified once: {counts:?}");
	}
	assert_eq!(failed, 0, "no failed extrinsic");
	emulator0.assert_running();
	emulator1.assert_running();
}
