//! Peak memory of the emulator under hostile or careless ground stations: the real binary,
//! `ideal` profile, default flags unless said, one fresh process per scenario, its peak RSS
//! (`VmHWM` in `/proc/<pid>/status`) after a warm-up ping and after the scenario.
//!
//! `cargo bench -p satellite-emulator --bench flood`
//!
//! - (a) one connection sends pings and never reads the pongs, until TCP has pushed back for
//!   3 s (or `FLOOD_PING_MIB`, default 256 MiB, went in, or 60 s passed);
//! - (b1) 16 connections each pipeline `FLOOD_REQUESTS` (default 8) maximal valid full-mode
//!   sign requests (10 000 transactions, 1 040 000 bytes: the default bounds), read the answers;
//! - (b2) the same with maximal messages of empty transactions (1 090 000 of them, the largest
//!   message the satellite takes), refused before they are decoded;
//! - (c) `FLOOD_IDLE` (default 256) connections opened and left idle, with
//!   `--max-connections` at that number, then as many again beyond the cap.
//!
//! `FLOOD_BIN=/path/to/satellite-emulator` measures another build of the binary (one without
//! `--max-connections` needs `FLOOD_NO_CAP_FLAG=1`).

use satellite_emulator::{client::LinkClient, provisioning::StateDir};
use sp_core::{sr25519, Pair, H256};
use space_notary_primitives::{
	link::{Downlink, SequenceCounter, Uplink},
	BatchCertificate, ServerId,
};
use std::{
	io::{BufRead, BufReader},
	net::SocketAddr,
	path::Path,
	process::{Child, Command, Stdio},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::{io::AsyncWriteExt, net::TcpSocket};

const GENESIS: H256 = H256::repeat_byte(0x6e);
const CONNECTIONS: u32 = 16;

fn env_or(name: &str, default: u64) -> u64 {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// `satellite-emulator run` on 127.0.0.1:0, killed on drop.
struct Emulator {
	child: Child,
	addr: SocketAddr,
}

impl Emulator {
	fn start(state: &Path, extra: &[String]) -> Self {
		let bin = std::env::var("FLOOD_BIN")
			.unwrap_or_else(|_| env!("CARGO_BIN_EXE_satellite-emulator").to_owned());
		let mut child = Command::new(bin)
			.args(["run", "--listen", "127.0.0.1:0", "--genesis-hash", &format!("{GENESIS:?}")])
			.arg("--state-dir")
			.arg(state)
			.args(extra)
			.env("RUST_LOG", "error")
			.stdout(Stdio::piped())
			.spawn()
			.expect("start the emulator");
		let mut line = String::new();
		BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
		let addr = line
			.trim()
			.strip_prefix("listening on ")
			.unwrap_or_else(|| panic!("emulator said {line:?}"))
			.parse()
			.expect("address");
		Self { child, addr }
	}

	fn kib(&self, field: &str) -> u64 {
		let status =
			std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
		status
			.lines()
			.find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
			.and_then(|v| v.trim().strip_suffix("kB")?.trim().parse().ok())
			.expect("field")
	}

	fn peak_mib(&self) -> f64 {
		self.kib("VmHWM") as f64 / 1024.0
	}

	fn rss_mib(&self) -> f64 {
		self.kib("VmRSS") as f64 / 1024.0
	}

	/// One ping and pong, so the runtime and a connection's buffers exist before the baseline.
	async fn warm_up(&self) -> f64 {
		let mut client = LinkClient::connect(self.addr).await.expect("connect");
		client.send(&Uplink::Ping { nonce: 1 }).await.expect("ping");
		let pong = client.recv_timeout(Duration::from_secs(5)).await.expect("pong");
		assert!(matches!(pong, Some(Downlink::Pong { nonce: 1 })), "{pong:?}");
		self.peak_mib()
	}
}

impl Drop for Emulator {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

fn report(scenario: &str, baseline: f64, emulator: &Emulator, note: &str) {
	let peak = emulator.peak_mib();
	println!(
		"{scenario:<52} {baseline:>8.1} {peak:>8.1} {:>+8.1} {:>8.1}  {note}",
		peak - baseline,
		emulator.rss_mib()
	);
}

async fn ping_flood() {
	let state = tempfile::tempdir().expect("temp dir");
	let emulator = Emulator::start(state.path(), &[]);
	let baseline = emulator.warm_up().await;
	let socket = TcpSocket::new_v4().expect("socket");
	socket.set_recv_buffer_size(4096).expect("rcvbuf");
	let mut flood = socket.connect(emulator.addr).await.expect("connect");
	let mut sequence = SequenceCounter::default();
	let mut burst = Vec::new();
	let mut nonce = 0u64;
	while burst.len() < 64 << 10 {
		nonce += 1;
		burst.extend(Uplink::Ping { nonce }.to_packets(&mut sequence).concat());
	}
	let limit = env_or("FLOOD_PING_MIB", 256) as usize * (1 << 20);
	let deadline = Instant::now() + Duration::from_secs(60);
	let started = Instant::now();
	let mut written = 0usize;
	let mut pushed_back = false;
	while written < limit && Instant::now() < deadline {
		match tokio::time::timeout(Duration::from_secs(3), flood.write_all(&burst)).await {
			Ok(Ok(())) => written += burst.len(),
			Ok(Err(_)) => break,
			Err(_) => {
				pushed_back = true;
				break;
			},
		}
	}
	let elapsed = started.elapsed().as_secs_f64();
	tokio::time::sleep(Duration::from_millis(500)).await;
	let note = format!(
		"{:.1} MiB of pings in {elapsed:.1} s, {}",
		written as f64 / f64::from(1 << 20),
		if pushed_back { "then TCP pushed back" } else { "never pushed back" }
	);
	report("(a) ping flood, 1 connection that never reads", baseline, &emulator, &note);
}

/// `n` connections each pipelining `per_connection` requests made by `make(server, i)`, all
/// answers read.
async fn sign_flood(
	scenario: &str,
	extra: &[String],
	make: impl Fn(ServerId, u64) -> Uplink + Clone + Send + 'static,
) {
	let state = tempfile::tempdir().expect("temp dir");
	let pair = sr25519::Pair::from_seed(&[5; 32]);
	let dir = StateDir::new(state.path());
	for server in 1..=CONNECTIONS {
		dir.provision(server, &pair.public().into()).expect("provision");
	}
	let emulator = Emulator::start(state.path(), extra);
	let baseline = emulator.warm_up().await;
	let per_connection = env_or("FLOOD_REQUESTS", 8);
	let started = Instant::now();
	let mut clients = tokio::task::JoinSet::new();
	for server in 1..=CONNECTIONS {
		let (make, addr) = (make.clone(), emulator.addr);
		clients.spawn(async move {
			let requests: Vec<Uplink> = (1..=per_connection).map(|i| make(server, i)).collect();
			let mut client = LinkClient::connect(addr).await.expect("connect");
			client.send_all(&requests).await.expect("send");
			let mut answers = [0u64; 3];
			for _ in 0..per_connection {
				match client.recv_timeout(Duration::from_secs(120)).await.expect("answer") {
					Some(Downlink::Countersignature { .. }) => answers[0] += 1,
					Some(Downlink::Rejected { .. }) => answers[1] += 1,
					Some(Downlink::Busy { .. }) => answers[2] += 1,
					other => panic!("unexpected {other:?}"),
				}
			}
			answers
		});
	}
	let mut answers = [0u64; 3];
	while let Some(joined) = clients.join_next().await {
		for (total, n) in answers.iter_mut().zip(joined.expect("client")) {
			*total += n;
		}
	}
	let note = format!(
		"{} requests in {:.1} s: {} signed, {} refused, {} busy",
		u64::from(CONNECTIONS) * per_connection,
		started.elapsed().as_secs_f64(),
		answers[0],
		answers[1],
		answers[2]
	);
	report(scenario, baseline, &emulator, &note);
}

fn maximal_full_request(pair: &sr25519::Pair, server: ServerId, sequence: u64) -> Uplink {
	// 10 000 transactions of 104 bytes: 1 040 000 bytes, within the default 1 MiB.
	let txs: Vec<Vec<u8>> = (0..10_000u32)
		.map(|i| {
			let mut tx = vec![0u8; 104];
			tx[..4].copy_from_slice(&i.to_le_bytes());
			tx[4..12].copy_from_slice(&sequence.to_le_bytes());
			tx
		})
		.collect();
	let cert = BatchCertificate::over_transactions(
		GENESIS,
		server,
		sequence,
		H256::zero(),
		now_ms(),
		&txs,
	)
	.expect("transactions");
	Uplink::SignRequest {
		request_id: sequence as u32,
		server_signature: pair.sign(&cert.server_payload()).into(),
		cert,
		txs: Some(txs),
	}
}

fn empty_transactions_request(pair: &sr25519::Pair, server: ServerId, sequence: u64) -> Uplink {
	let cert = BatchCertificate::over_transactions(
		GENESIS,
		server,
		sequence,
		H256::zero(),
		now_ms(),
		&[b"one"],
	)
	.expect("one transaction");
	Uplink::SignRequest {
		request_id: sequence as u32,
		server_signature: pair.sign(&cert.server_payload()).into(),
		cert,
		txs: Some(vec![Vec::new(); 1_090_000]),
	}
}

async fn idle_connections(cap_flag: bool) {
	let state = tempfile::tempdir().expect("temp dir");
	let n = env_or("FLOOD_IDLE", 256) as usize;
	let extra = if cap_flag { vec!["--max-connections".to_owned(), n.to_string()] } else { vec![] };
	let emulator = Emulator::start(state.path(), &extra);
	let baseline = emulator.warm_up().await;
	let mut open = Vec::new();
	for nonce in 0..n as u64 {
		let mut client = LinkClient::connect(emulator.addr).await.expect("connect");
		// Answered: the connection is served, not just queued by the kernel.
		client.send(&Uplink::Ping { nonce }).await.expect("ping");
		let pong = client.recv_timeout(Duration::from_secs(10)).await;
		assert!(matches!(pong, Ok(Some(Downlink::Pong { .. }))), "connection {nonce}: {pong:?}");
		open.push(client);
	}
	tokio::time::sleep(Duration::from_millis(500)).await;
	report(&format!("(c) {n} idle connections"), baseline, &emulator, "every one answered a ping");
	let mut refused = 0;
	for _ in 0..n {
		let mut client = LinkClient::connect(emulator.addr).await.expect("connect");
		// Closed on arrival within a moment, or served (and then silent).
		if client.recv_timeout(Duration::from_millis(250)).await.is_err() {
			refused += 1;
		}
		open.push(client);
	}
	report(
		&format!("(c) ... and {n} more beyond the cap"),
		baseline,
		&emulator,
		&format!("{refused} of them closed on arrival"),
	);
}

fn main() {
	let runtime =
		tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
	runtime.block_on(async {
		println!("emulator memory, ideal profile, default flags unless said (MiB)");
		println!(
			"{:<52} {:>8} {:>8} {:>8} {:>8}",
			"scenario", "baseline", "peak", "growth", "rss now"
		);
		ping_flood().await;
		let pair = sr25519::Pair::from_seed(&[5; 32]);
		let signer = pair.clone();
		sign_flood("(b1) maximal full-mode sign requests, 16 connections", &[], move |s, i| {
			maximal_full_request(&signer, s, i)
		})
		.await;
		sign_flood("(b2) maximal empty-transaction requests, 16 conns", &[], move |s, i| {
			empty_transactions_request(&pair, s, i)
		})
		.await;
		idle_connections(std::env::var_os("FLOOD_NO_CAP_FLAG").is_none()).await;
	});
}
