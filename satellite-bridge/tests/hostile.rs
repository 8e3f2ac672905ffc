//! Hostile and careless input, tried from outside against the real processes: each test is
//! named after the attack it pins and asserts what a user would notice (the valid batch is
//! countersigned or certified, the refusal is named, the part keeps serving). The attacks and
//! their bounds are listed in docs/reliability.md.
//!
//! Timing: every wait has a deadline that names what it waited for; nothing asserts a duration
//! beyond "before the deadline".

use crate::{
	common::*,
	relay::{certified, metric, metrics, relay_args, servers, start_relay, submit_round},
};
use satellite_bridge::{
	http::{BatchView, PostBatch},
	keys::ServerPair,
};
use sp_core::H256;
use space_notary_primitives::{
	ground_station::GROUND_STATION_URL_KEY, BatchCertificate, ServerSignature,
};
use std::{
	net::SocketAddr,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	},
	time::Duration,
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
};

const GENESIS: H256 = H256::repeat_byte(0x42);

fn post_body(cert: &BatchCertificate, signature: &ServerSignature) -> serde_json::Value {
	serde_json::to_value(PostBatch::new(cert, signature, None)).unwrap()
}

fn cert(server_id: u32, sequence: u64, genesis: H256) -> BatchCertificate {
	let txs = [format!("tx of {server_id}/{sequence}").into_bytes()];
	BatchCertificate::over_transactions(genesis, server_id, sequence, H256::zero(), now_ms(), &txs)
		.unwrap()
}

async fn view_of(client: &reqwest::Client, base: &str, batch_id: &H256) -> Option<BatchView> {
	let url = format!("{base}/batches/{batch_id:?}");
	client.get(url).send().await.ok()?.json().await.ok()
}

/// Anyone can post a certificate for a real server's next sequence: a junk one posted after the
/// genuine one, while the satellite is out of reach, must not displace it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_junk_post_at_the_same_sequence_does_not_displace_the_valid_batch() {
	let pair: ServerPair = "sr25519://hostile-displacement".parse().unwrap();
	let junk: ServerPair = "sr25519://hostile-junk".parse().unwrap();
	let state = tempfile::tempdir().unwrap();
	Emulator::provision(state.path(), 0, &pair.public());
	// The satellite's address, with nothing listening yet.
	let satellite = SocketAddr::from(([127, 0, 0, 1], free_port()));
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let mut args = http_only_args(&format!("tcp://{satellite}"), GENESIS, data.path(), http);
	args.extend(["--reask-min-ms".into(), "1000".into()]);
	let (_bridge, base, client) = start_http_bridge(&args, http).await;

	let valid = cert(0, 1, GENESIS);
	let forged = BatchCertificate { issued_at_ms: valid.issued_at_ms + 1, ..valid.clone() };
	for (cert, key) in [(&valid, &pair), (&forged, &junk)] {
		let posted = client
			.post(format!("{base}/batches"))
			.json(&post_body(cert, &key.sign(cert)))
			.send()
			.await
			.unwrap();
		assert_eq!(posted.status(), 202, "HTTP-only without --servers takes both");
	}

	let _emulator = Emulator::start_at(satellite, state.path(), GENESIS, &[]).await;
	let view = wait_for(
		"the valid batch to be countersigned after the junk one",
		Duration::from_secs(90),
		|| async {
			let view = view_of(&client, &base, &valid.batch_id()).await?;
			(view.stage == "countersigned").then_some(view)
		},
	)
	.await;
	assert!(view.countersignature.is_some());
	let junk_view = view_of(&client, &base, &forged.batch_id()).await.unwrap();
	assert_ne!(junk_view.stage, "countersigned", "{junk_view:?}");
}

/// What reaches `POST /batches` is checked before it is stored and counted against bounds; the
/// server keeps serving under slow clients, foreign pages and too many event streams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_are_admitted_bounded_and_guarded_and_slow_clients_are_closed() {
	let pair: ServerPair = "ed25519://hostile-admission".parse().unwrap();
	let other: ServerPair = "ed25519://hostile-other".parse().unwrap();
	let dir = tempfile::tempdir().unwrap();
	let servers_file = dir.path().join("servers");
	std::fs::write(&servers_file, format!("0 {}\n", pair.public())).unwrap();
	let token_file = dir.path().join("token");
	std::fs::write(&token_file, "hostile-token\n").unwrap();
	let http = free_port();
	let satellite = format!("tcp://127.0.0.1:{}", free_port());
	let mut args = http_only_args(&satellite, GENESIS, dir.path(), http);
	let flags = [
		"--servers",
		servers_file.to_str().unwrap(),
		"--http-token-file",
		token_file.to_str().unwrap(),
		"--max-posted-per-server",
		"2",
		"--http-max-event-streams",
		"2",
		"--http-max-connections",
		"8",
	];
	args.extend(flags.iter().map(|s| s.to_string()));
	let (_bridge, base, client) = start_http_bridge(&args, http).await;
	let post = |body: serde_json::Value, token: Option<&'static str>| {
		let mut request = client.post(format!("{base}/batches")).json(&body);
		if let Some(token) = token {
			request = request.bearer_auth(token);
		}
		async move {
			let response = request.send().await.unwrap();
			let status = response.status().as_u16();
			let body: serde_json::Value = response.json().await.unwrap_or_default();
			(status, body["error"].as_str().unwrap_or("").to_string())
		}
	};
	let token = Some("hostile-token");
	let good = |sequence| {
		let cert = cert(0, sequence, GENESIS);
		post_body(&cert, &pair.sign(&cert))
	};

	// Refused by name, before anything is stored.
	let unlisted = cert(9, 1, GENESIS);
	let other_chain = cert(0, 1, H256::repeat_byte(1));
	let junk = cert(0, 1, GENESIS);
	let refusals = [
		(good(1), None, 401, "Unauthorized"),
		(good(1), Some("wrong-token"), 401, "Unauthorized"),
		(post_body(&junk, &other.sign(&junk)), token, 422, "BadServerSignature"),
		(post_body(&unlisted, &pair.sign(&unlisted)), token, 422, "UnknownServer"),
		(post_body(&other_chain, &pair.sign(&other_chain)), token, 422, "WrongGenesis"),
	];
	for (body, token, status, name) in refusals {
		assert_eq!(post(body, token).await, (status, name.to_string()), "{name}");
	}
	// Bounded per server: two open batches, the third waits its turn.
	assert_eq!(post(good(1), token).await.0, 202);
	assert_eq!(post(good(2), token).await.0, 202);
	assert_eq!(post(good(3), token).await, (429, "TooManyForServer".to_string()));
	let status: serde_json::Value =
		client.get(format!("{base}/status")).send().await.unwrap().json().await.unwrap();
	assert_eq!(status["stages"]["queued"], 2, "{status}");
	assert_eq!(status["posts_refused"]["BadServerSignature"], 1, "{status}");

	// DNS rebinding and foreign pages.
	let foreign = client
		.get(format!("{base}/status"))
		.header("Host", "evil.example:9955")
		.send()
		.await
		.unwrap();
	assert_eq!(foreign.status(), 403);
	let cross = client
		.post(format!("{base}/batches"))
		.bearer_auth("hostile-token")
		.header("Origin", "http://evil.example")
		.json(&good(4))
		.send()
		.await
		.unwrap();
	assert_eq!(cross.status(), 403);

	// Event streams are capped; the rest of the API keeps serving.
	let first = client.get(format!("{base}/events")).send().await.unwrap();
	let second = client.get(format!("{base}/events")).send().await.unwrap();
	assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
	let third = client.get(format!("{base}/events")).send().await.unwrap();
	assert_eq!(third.status(), 503);
	drop((first, second));
	wait_for("an event stream to be free again", Duration::from_secs(30), || async {
		let again = client.get(format!("{base}/events")).send().await.ok()?;
		(again.status() == 200).then_some(())
	})
	.await;

	// A client that never finishes its headers is closed (header timeout), and one beyond the
	// connection cap at once; meanwhile the API answers.
	let mut slow = TcpStream::connect(("127.0.0.1", http)).await.unwrap();
	slow.write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
	let mut idle = Vec::new();
	for _ in 0..8 {
		idle.push(TcpStream::connect(("127.0.0.1", http)).await.unwrap());
	}
	let mut beyond = idle.pop().unwrap();
	let mut byte = [0u8; 1];
	let closed = tokio::time::timeout(Duration::from_secs(30), beyond.read(&mut byte)).await;
	assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "a connection beyond the cap is closed");
	drop(idle);
	let closed = tokio::time::timeout(Duration::from_secs(60), async {
		let mut buf = [0u8; 256];
		loop {
			match slow.read(&mut buf).await {
				Ok(0) | Err(_) => return,
				Ok(_) => {},
			}
		}
	})
	.await;
	assert!(closed.is_ok(), "a client that never finishes its headers is closed");
	let status = client.get(format!("{base}/status")).send().await.unwrap();
	assert_eq!(status.status(), 200, "still serving");
}

/// A forged `Rejected` and a countersignature under the wrong key (what anyone who can put a
/// packet on the downlink can send) only delay a batch: the bridge asks again, and when the real
/// satellite answers the batch is certified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_refusal_and_a_forged_countersignature_only_delay_a_batch() {
	let node = Node::dev().await;
	let chain = node.chain().await;
	let state = tempfile::tempdir().unwrap();
	let servers = servers(&node, state.path(), &["//Bob"]).await;
	let fake = crate::fake_satellite::FakeSatellite::start(
		crate::fake_satellite::Behaviour::RefusesThenWrongKey,
	)
	.await;
	let satellite = fake.addr;
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let mut args = relay_args(&node, &format!("tcp://{satellite}"), data.path(), http);
	args.extend(["--reask-min-ms", "2000", "--reask-max-ms", "4000"].map(String::from));
	let _bridge = start_relay(&args, &[]);

	let batch = submit_round(&node, &servers, 1).await[0];
	// Refused first, then asked again and answered with a bad countersignature: both seen.
	wait_for("a refusal, then a bad countersignature", CERTIFY, || async {
		let text = metrics(http).await;
		(metric(&text, "bad_countersignatures_total")? >= 1.0).then_some(())
	})
	.await;
	drop(fake);
	let _emulator =
		Emulator::start_at(satellite, state.path(), node.genesis_hash().await, &[]).await;
	certified(&chain, &[batch]).await;
}

const CERTIFY: Duration = crate::relay::CERTIFY_DEADLINE;

/// How the scripted ground station answers the off-chain worker.
const STALL: usize = 0;
const ENDLESS: usize = 1;

/// A ground station that sends a `200` and then stalls mid-body (`STALL`) or streams a body
/// without end (`ENDLESS`); counts the connections of each mode.
async fn hostile_ground_station() -> (SocketAddr, Arc<AtomicUsize>, Arc<[AtomicUsize; 2]>) {
	let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	let mode = Arc::new(AtomicUsize::new(STALL));
	let seen = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
	let (m, s) = (mode.clone(), seen.clone());
	tokio::spawn(async move {
		loop {
			let Ok((mut stream, _)) = listener.accept().await else { return };
			let mode = m.load(Ordering::SeqCst);
			s[mode].fetch_add(1, Ordering::SeqCst);
			tokio::spawn(async move {
				let mut buf = [0u8; 4096];
				let _ = stream.read(&mut buf).await;
				let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{";
				if stream.write_all(head.as_bytes()).await.is_err() {
					return;
				}
				if mode == STALL {
					// Hold the connection open, sending nothing more.
					tokio::time::sleep(Duration::from_secs(3600)).await;
				} else {
					let chunk = [b' '; 16 * 1024];
					while stream.write_all(&chunk).await.is_ok() {}
				}
			});
		}
	});
	(addr, mode, seen)
}

/// A ground station that stalls mid-body, then one that streams without end, cost the off-chain
/// worker one run each, again and again, never the worker itself: when the URL is switched to a
/// real ground station, the batch is certified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalling_or_endless_ground_station_does_not_stop_the_off_chain_worker() {
	let (station, mode, seen) = hostile_ground_station().await;
	let node = Node::dev_with(&["--ground-station-url", &format!("http://{station}")]).await;
	let chain = node.chain().await;
	let genesis = node.genesis_hash().await;
	let state = tempfile::tempdir().unwrap();
	let servers = servers(&node, state.path(), &["//Bob"]).await;
	let emulator = Emulator::start(state.path(), genesis, &[]).await;
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let args = http_only_args(&emulator.url(), genesis, data.path(), http);
	let _bridge = BridgeProcess::start(&args.iter().map(String::as_str).collect::<Vec<_>>());

	let batch = submit_round(&node, &servers, 1).await[0];
	// Each run posts the batch, meets the stall and gives up at its deadline; the next run
	// tries again. (A worker whose run hangs on the body never comes back.)
	wait_for("three worker runs to meet the stalling station", CERTIFY, || async {
		(seen[STALL].load(Ordering::SeqCst) >= 3).then_some(())
	})
	.await;
	mode.store(ENDLESS, Ordering::SeqCst);
	wait_for("three worker runs to meet the endless station", CERTIFY, || async {
		(seen[ENDLESS].load(Ordering::SeqCst) >= 3).then_some(())
	})
	.await;

	let url = format!("http://127.0.0.1:{http}");
	let set = node
		.rpc(
			"offchain_localStorageSet",
			serde_json::json!([
				"PERSISTENT",
				format!("0x{}", hex::encode(GROUND_STATION_URL_KEY)),
				format!("0x{}", hex::encode(url.as_bytes())),
			]),
		)
		.await;
	assert!(set.is_some(), "offchain_localStorageSet answered");
	certified(&chain, &[batch]).await;
}

/// The satellite's operator rotates a server's key before the registrar's `set_satellite_key`
/// lands on chain (the order that used to strand a batch): the new countersignatures do not
/// verify yet, the bridge keeps asking, and once the chain has the new key the batch is
/// certified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_satellite_key_rotated_before_the_chain_knows_only_delays_a_batch() {
	let node = Node::dev().await;
	let chain = node.chain().await;
	let genesis = node.genesis_hash().await;
	let state = tempfile::tempdir().unwrap();
	let servers = servers(&node, state.path(), &["//Charlie"]).await;
	let server_id = servers[0].id.to_string();
	let rotated = std::process::Command::new(binary("satellite-emulator"))
		.args(["rotate-key", "--state-dir"])
		.arg(state.path())
		.args(["--server-id", &server_id])
		.output()
		.expect("cannot run satellite-emulator rotate-key");
	let stdout = String::from_utf8_lossy(&rotated.stdout).into_owned();
	assert!(rotated.status.success(), "rotate-key failed: {stdout}");
	let new_key = stdout.lines().rev().find(|l| l.starts_with("0x")).expect("a new key").trim();
	let emulator = Emulator::start(state.path(), genesis, &[]).await;
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let mut args = relay_args(&node, &emulator.url(), data.path(), http);
	args.extend(["--reask-min-ms", "2000", "--reask-max-ms", "4000"].map(String::from));
	let _bridge = start_relay(&args, &[]);

	let batch = submit_round(&node, &servers, 1).await[0];
	wait_for("a countersignature under the key the chain does not know yet", CERTIFY, || async {
		let text = metrics(http).await;
		(metric(&text, "bad_countersignatures_total")? >= 1.0).then_some(())
	})
	.await;
	bridge_async(vec![
		"server".into(),
		"set-satellite-key".into(),
		"--chain".into(),
		node.ws_url().to_string(),
		server_id,
		new_key.to_string(),
	])
	.await
	.success();
	certified(&chain, &[batch]).await;
}
