//! The console on the bridge's `--http` address (HTTP-only mode, the real emulator with short
//! passes): `/` serves the page and its embedded modules under a same-origin CSP, `/events`
//! streams the state on connect and again when a posted batch is countersigned and when a pass
//! is seen, and the batch view says there is no chain to read.

use crate::common::*;
use satellite_bridge::{console::ConsoleState, http::PostBatch, keys::ServerPair};
use sp_core::H256;
use space_notary_primitives::BatchCertificate;
use std::time::{Duration, Instant};

const GENESIS: H256 = H256::repeat_byte(0x43);

/// A `text/event-stream` reader over a reqwest response.
struct EventStream {
	response: reqwest::Response,
	buffer: String,
}

impl EventStream {
	/// The next event's `(name, data)`, skipping keep-alive comments.
	async fn next(&mut self) -> Option<(String, String)> {
		loop {
			if let Some(end) = self.buffer.find("\n\n") {
				let block: String = self.buffer.drain(..end + 2).collect();
				let (mut name, mut data) = (String::from("message"), String::new());
				for line in block.lines() {
					if let Some(value) = line.strip_prefix("event:") {
						name = value.trim().to_string();
					} else if let Some(value) = line.strip_prefix("data:") {
						data.push_str(value.strip_prefix(' ').unwrap_or(value));
					}
				}
				if !data.is_empty() {
					return Some((name, data));
				}
				continue;
			}
			let chunk = self.response.chunk().await.ok()??;
			self.buffer.push_str(&String::from_utf8_lossy(&chunk));
		}
	}

	/// The next `state` event's state, within `deadline` (`null`, before the relay's first
	/// publication, is skipped).
	async fn state(&mut self, deadline: Duration) -> ConsoleState {
		loop {
			let (name, data) = tokio::time::timeout(deadline, self.next())
				.await
				.expect("timed out waiting for an event on /events")
				.expect("the event stream ended");
			assert_eq!(name, "state", "{data}");
			if data != "null" {
				return serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}: {data}"));
			}
		}
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served_and_events_stream_each_change() {
	let pair: ServerPair = "sr25519://console-test".parse().unwrap();
	let state_dir = tempfile::tempdir().unwrap();
	Emulator::provision(state_dir.path(), 0, &pair.public());
	// A pass of 2 s every 4 s: the stream must show passes come and go.
	let emulator = Emulator::start(
		state_dir.path(),
		GENESIS,
		&["--pass-period", "4", "--pass-duration", "2", "--time-scale", "1"],
	)
	.await;
	let data = tempfile::tempdir().unwrap();
	let http = free_port();
	let mut args = http_only_args(&emulator.url(), GENESIS, data.path(), http);
	args.extend(["--status-every-ms".into(), "500".into()]);
	let (_bridge, base, client) = start_http_bridge(&args, http).await;

	// The page, under a CSP that lets it load nothing from elsewhere.
	let page = client.get(format!("{base}/")).send().await.unwrap();
	assert_eq!(page.status(), 200);
	let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
	assert!(csp.starts_with("default-src 'self'"), "{csp}");
	assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
	let html = page.text().await.unwrap();
	assert!(html.contains(r#"<script type="module" src="/console/app.js">"#), "{html}");
	assert!(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere");
	for (file, kind) in [
		("app.js", "text/javascript"),
		("chart.js", "text/javascript"),
		("batch.js", "text/javascript"),
		("console.css", "text/css"),
		("verify.js", "text/javascript"),
		("receipt.js", "text/javascript"),
		("crypto.js", "text/javascript"),
	] {
		let response = client.get(format!("{base}/console/{file}")).send().await.unwrap();
		assert_eq!(response.status(), 200, "{file}");
		assert!(response.headers()["content-type"].to_str().unwrap().starts_with(kind), "{file}");
		let on_disk =
			std::fs::read_to_string(format!("{}/console/{file}", env!("CARGO_MANIFEST_DIR")))
				.unwrap();
		assert_eq!(response.text().await.unwrap(), on_disk, "{file} is the embedded copy");
	}
	// The "verify a receipt" page, under the same CSP, with its own module.
	let verify = client.get(format!("{base}/verify")).send().await.unwrap();
	assert_eq!(verify.status(), 200);
	assert!(verify.headers()["content-security-policy"]
		.to_str()
		.unwrap()
		.starts_with("default-src 'self'"));
	let html = verify.text().await.unwrap();
	assert!(html.contains(r#"<script type="module" src="/console/verify.js">"#), "{html}");
	assert!(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere");
	let missing = client.get(format!("{base}/console/secret.txt")).send().await.unwrap();
	assert_eq!(missing.status(), 404);

	// HTTP-only: the batch view has no chain to read, and says so by name.
	let no_chain = client
		.get(format!("{base}/chain/batches/{:?}", H256::repeat_byte(1)))
		.send()
		.await
		.unwrap();
	assert_eq!(no_chain.status(), 503);
	let body: serde_json::Value = no_chain.json().await.unwrap();
	assert_eq!(body["error"], "NoChain", "{body}");

	// The stream: the state at once, with nothing in it yet.
	let response = client.get(format!("{base}/events")).send().await.unwrap();
	assert_eq!(response.status(), 200);
	assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
	let mut events = EventStream { response, buffer: String::new() };
	let state = events.state(Duration::from_secs(10)).await;
	assert!(!state.chain && state.now_ms > 0);
	assert_eq!((state.queue_depth, state.events.len()), (0, 0), "{state:?}");

	// A posted batch, countersigned in a pass: a later state says so without being asked.
	let txs = vec![b"console".to_vec(), b"test".to_vec()];
	let cert =
		BatchCertificate::over_transactions(GENESIS, 0, 1, H256::zero(), now_ms(), &txs).unwrap();
	let batch_id = format!("{:?}", cert.batch_id());
	let body = PostBatch::new(&cert, &pair.sign(&cert), Some(&txs));
	let posted = client.post(format!("{base}/batches")).json(&body).send().await.unwrap();
	assert_eq!(posted.status(), 202);
	let end = Instant::now() + Duration::from_secs(60);
	let countersigned = loop {
		assert!(Instant::now() < end, "no state with the batch countersigned within 60 s");
		let state = events.state(Duration::from_secs(10)).await;
		if let Some(event) = state.events.first() {
			break (state.clone(), event.clone());
		}
	};
	let (state, event) = countersigned;
	assert_eq!(serde_json::to_value(event.kind).unwrap(), "countersigned");
	assert_eq!((event.batch_id.as_str(), event.server_id, event.sequence), (&*batch_id, 0, 1));
	assert_eq!(state.status.stages.get("countersigned"), Some(&1), "{state:?}");

	// Passes: the stream tells of a pass coming and going, with its end.
	let end = Instant::now() + Duration::from_secs(30);
	let ended = loop {
		assert!(Instant::now() < end, "no pass seen to end within 30 s");
		let state = events.state(Duration::from_secs(10)).await;
		if let Some(pass) = state.link.passes.iter().find(|p| p.ended) {
			break pass.clone();
		}
	};
	let length = ended.end_ms.unwrap() - ended.start_ms;
	assert!((1_000..=3_500).contains(&length), "a 2 s pass measured {length} ms: {ended:?}");

	// `/console/state` is what the stream publishes.
	let polled: ConsoleState =
		client.get(format!("{base}/console/state")).send().await.unwrap().json().await.unwrap();
	assert!(!polled.chain && polled.events.iter().any(|e| e.batch_id == batch_id));
}
