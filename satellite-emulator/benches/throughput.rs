//! Signing throughput over TCP loopback: one ground connection keeping a window of sign
//! requests in flight (certificate-only, sr25519 server signatures), each signature recorded
//! durably (fsync) before it is sent.
//!
//! `cargo bench -p satellite-emulator --bench throughput`
//!
//! Set `BENCH_REQUESTS` to change the number of requests per window size (default 2000).

use satellite_emulator::{
	client::LinkClient,
	config::{EmulatorConfig, LinkProfile},
	provisioning::StateDir,
	server,
};
use sp_core::{sr25519, Pair, H256};
use space_notary_primitives::{
	link::{Downlink, Uplink},
	BatchCertificate, ServerId,
};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const GENESIS: H256 = H256::repeat_byte(0x6e);

fn sign_request(server: &sr25519::Pair, server_id: ServerId, sequence: u64) -> Uplink {
	let tx = format!("batch {sequence}").into_bytes();
	let issued_at_ms =
		SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
	let cert = BatchCertificate::over_transactions(
		GENESIS,
		server_id,
		sequence,
		H256::zero(),
		issued_at_ms,
		&[tx],
	)
	.expect("one transaction");
	Uplink::SignRequest {
		request_id: sequence as u32,
		server_signature: server.sign(&cert.server_payload()).into(),
		cert,
		txs: None,
	}
}

/// Sends `n` requests keeping `window` in flight; returns the elapsed time.
async fn run_window(
	addr: std::net::SocketAddr,
	server: &sr25519::Pair,
	server_id: ServerId,
	n: u64,
	window: u64,
) -> Duration {
	// Sign the requests beforehand: the ground server's cost is not the satellite's.
	let requests: Vec<Uplink> = (1..=n).map(|s| sign_request(server, server_id, s)).collect();
	let mut client = LinkClient::connect(addr).await.expect("connect");
	let started = Instant::now();
	let mut sent = 0usize;
	let mut answered = 0u64;
	while sent < requests.len() && (sent as u64) < window {
		client.send(&requests[sent]).await.expect("send");
		sent += 1;
	}
	while answered < n {
		match client.recv().await.expect("answer") {
			Downlink::Countersignature { .. } => answered += 1,
			Downlink::Busy { .. } => panic!("queue full: raise --queue-depth above the window"),
			other => panic!("unexpected answer {other:?}"),
		}
		if sent < requests.len() {
			client.send(&requests[sent]).await.expect("send");
			sent += 1;
		}
	}
	started.elapsed()
}

fn main() {
	let n: u64 = std::env::var("BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
	let runtime =
		tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
	runtime.block_on(async {
		let dir = tempfile::tempdir().expect("temp dir");
		let server = sr25519::Pair::from_seed(&[5; 32]);
		let state = StateDir::new(dir.path());
		let windows = [1u64, 8, 64];
		for (i, _) in windows.iter().enumerate() {
			state.provision(i as u32 + 1, &server.public().into()).expect("provision");
		}
		state.provision(99, &server.public().into()).expect("provision");
		let mut config = EmulatorConfig::ideal(dir.path(), GENESIS);
		config.queue_depth = 256;
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
		let addr = listener.local_addr().expect("addr");
		let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
		let task = tokio::spawn(server::run(config, listener, async {
			let _ = stopped.await;
		}));

		println!("signing throughput, ideal profile, TCP loopback, {n} requests per window");
		println!("{:>7} {:>12} {:>14}", "window", "signatures/s", "mean latency");
		for (i, window) in windows.iter().enumerate() {
			let elapsed = run_window(addr, &server, i as u32 + 1, n, *window).await;
			let rate = n as f64 / elapsed.as_secs_f64();
			// With a full window, each request waits for the `window` before it.
			let latency = elapsed.as_secs_f64() * (*window).min(n) as f64 / n as f64;
			println!("{window:>7} {rate:>12.0} {:>11.2} ms", latency * 1e3);
		}
		let _ = stop.send(());
		task.await.expect("join").expect("emulator");

		// The same exchange on the UHF profile without loss: bandwidth bound.
		let uhf_n = 40u64;
		let mut config = EmulatorConfig::ideal(dir.path(), GENESIS);
		config.link = LinkProfile::Uhf.params();
		config.link.loss = 0.0;
		config.link.corruption = 0.0;
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
		let addr = listener.local_addr().expect("addr");
		let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
		let task = tokio::spawn(server::run(config, listener, async {
			let _ = stopped.await;
		}));
		let elapsed = run_window(addr, &server, 99, uhf_n, 16).await;
		println!(
			"uhf (9.6 kbit/s, 150 ms, no loss), window 16: {:.1} signatures/s over {uhf_n} requests",
			uhf_n as f64 / elapsed.as_secs_f64()
		);
		let _ = stop.send(());
		task.await.expect("join").expect("emulator");
	});
}
