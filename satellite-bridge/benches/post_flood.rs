//! Peak memory, status and queue file of the bridge under hostile posts to `POST /batches`: the
//! real binary, `relay` in HTTP-only mode (no `--chain`) on 127.0.0.1, one fresh process per
//! scenario with its own data dir, a satellite address nothing listens on (nothing is sent), its
//! peak RSS (`VmHWM` in `/proc/<pid>/status`) after a warm-up `GET /status` and after the
//! scenario, the size of `GET /status` and of the data dir at the end.
//!
//! `cargo bench -p satellite-bridge --bench post_flood` (`-- a c` runs only those scenarios)
//!
//! - (a) `POST_FLOOD_JUNK` (default 5 000) posts of random certificates (this chain's genesis
//!   and version, everything else random) with junk server signatures, without `--servers`: the
//!   unauthenticated worst case. One post in 8 is for one of four server ids signed by a key
//!   that is not the server's, the rest for random server ids with 64 random bytes as signature;
//! - (b) the same posts with `--servers FILE` listing the four servers' real keys: all refused;
//! - (c1, c2) `POST_FLOOD_BIG` (default 10) posts each carrying `POST_FLOOD_TXS` (default
//!   300 000) empty transactions and a certificate over them, without and with `--uplink-txs`;
//! - (c3, c4) the same at the most transactions a post may list (65 536), so that the posts
//!   are read in full.
//!
//! Posts go `POST_FLOOD_CONCURRENCY` (default 8) at a time over HTTP/1.1 (reqwest). Each
//! scenario is bounded by `POST_FLOOD_DEADLINE_S` (default 120) seconds; a wait that runs out
//! names what it waited for. `POST_FLOOD_BIN=/path/to/satellite-bridge` measures another build.

use futures::StreamExt;
use satellite_bridge::keys::ServerPair;
use sp_core::{sr25519, H256};
use space_notary_primitives::{
	ground_station::{PostBatch, MAX_POSTED_TXS},
	BatchCertificate, ServerSignature, CERTIFICATE_VERSION,
};
use std::{
	collections::BTreeMap,
	future::Future,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

const GENESIS: H256 = H256::repeat_byte(0x5f);
/// Server ids 0..LISTED are the ones `--servers` lists in (b).
const LISTED: u32 = 4;

fn env_or(name: &str, default: u64) -> u64 {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.expect("bind 127.0.0.1:0")
		.port()
}

/// splitmix64: the posts are the same in every run and every scenario.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}

	fn bytes<const N: usize>(&mut self) -> [u8; N] {
		let mut out = [0u8; N];
		for chunk in out.chunks_mut(8) {
			chunk.copy_from_slice(&self.next().to_le_bytes()[..chunk.len()]);
		}
		out
	}
}

/// A scenario's time bound: every wait in it ends by the same instant.
struct Deadline {
	scenario: String,
	end: tokio::time::Instant,
	seconds: u64,
}

impl Deadline {
	fn new(scenario: &str) -> Self {
		let seconds = env_or("POST_FLOOD_DEADLINE_S", 120);
		let end = tokio::time::Instant::now() + Duration::from_secs(seconds);
		Self { scenario: scenario.to_owned(), end, seconds }
	}

	async fn within<T>(&self, what: &str, work: impl Future<Output = T>) -> T {
		match tokio::time::timeout_at(self.end, work).await {
			Ok(value) => value,
			Err(_) => panic!(
				"{}: timed out after {} s (the scenario's bound) waiting for {what}",
				self.scenario, self.seconds
			),
		}
	}
}

/// `satellite-bridge relay`, HTTP-only, on a free port of 127.0.0.1; killed on drop.
struct Bridge {
	child: Child,
	base: String,
	client: reqwest::Client,
	data: PathBuf,
	log: PathBuf,
	_dir: tempfile::TempDir,
}

impl Bridge {
	async fn start(deadline: &Deadline, extra: &[String]) -> Self {
		let dir = tempfile::tempdir().expect("temp dir");
		let data = dir.path().join("data");
		let log = dir.path().join("bridge.log");
		let bin = std::env::var("POST_FLOOD_BIN")
			.unwrap_or_else(|_| env!("CARGO_BIN_EXE_satellite-bridge").to_owned());
		let http = format!("127.0.0.1:{}", free_port());
		// Bound and let go: nothing listens there, so the link never comes up.
		let satellite = format!("tcp://127.0.0.1:{}", free_port());
		let child = Command::new(bin)
			.args(["relay", "--http", &http, "--satellite", &satellite])
			.args(["--genesis-hash", &format!("{GENESIS:?}")])
			.arg("--data-dir")
			.arg(&data)
			.args(extra)
			.env("RUST_LOG", "warn")
			.stdin(Stdio::null())
			.stdout(Stdio::null())
			.stderr(std::fs::File::create(&log).expect("log file"))
			.spawn()
			.expect("start the bridge");
		let concurrency = env_or("POST_FLOOD_CONCURRENCY", 8) as usize;
		let client = reqwest::Client::builder()
			.pool_max_idle_per_host(concurrency)
			.timeout(Duration::from_secs(60))
			.build()
			.expect("client");
		let mut bridge =
			Self { child, base: format!("http://{http}"), client, data, log, _dir: dir };
		let what = format!("the bridge's HTTP server on {http}");
		deadline
			.within(&what, async {
				loop {
					bridge.assert_running();
					if let Ok(r) = bridge.client.get(format!("{}/status", bridge.base)).send().await
					{
						if r.status() == 200 {
							return;
						}
					}
					tokio::time::sleep(Duration::from_millis(100)).await;
				}
			})
			.await;
		bridge
	}

	fn assert_running(&mut self) {
		if let Ok(Some(exit)) = self.child.try_wait() {
			let log = std::fs::read_to_string(&self.log).unwrap_or_default();
			let tail: Vec<&str> = log.lines().rev().take(30).collect();
			panic!("the bridge exited ({exit}); last lines of its log:\n{}", {
				let mut tail = tail;
				tail.reverse();
				tail.join("\n")
			});
		}
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

	/// `GET /status`: the body.
	async fn status(&self, deadline: &Deadline) -> Vec<u8> {
		let url = format!("{}/status", self.base);
		deadline
			.within("GET /status", async {
				let response = self.client.get(url).send().await.expect("GET /status");
				assert_eq!(response.status(), 200, "GET /status");
				response.bytes().await.expect("the status body").to_vec()
			})
			.await
	}

	/// One post: `"CODE"` or `"CODE ErrorName"`, or `"no answer (…)"`.
	async fn post(&self, body: Vec<u8>) -> String {
		let sent = self
			.client
			.post(format!("{}/batches", self.base))
			.header(reqwest::header::CONTENT_TYPE, "application/json")
			.body(body)
			.send()
			.await;
		match sent {
			Err(e) if e.is_timeout() => "no answer (timeout)".to_owned(),
			Err(e) if e.is_connect() => "no answer (connect)".to_owned(),
			Err(_) => "no answer (connection)".to_owned(),
			Ok(response) => {
				let code = response.status().as_u16();
				let body: serde_json::Value = response.json().await.unwrap_or_default();
				match body["error"].as_str() {
					Some(name) => format!("{code} {name}"),
					None => code.to_string(),
				}
			},
		}
	}

	/// Posts `make(0..n)`, `POST_FLOOD_CONCURRENCY` at a time; the answers counted.
	async fn flood(&self, n: u64, make: impl Fn(u64) -> Vec<u8>) -> BTreeMap<String, u64> {
		let concurrency = env_or("POST_FLOOD_CONCURRENCY", 8) as usize;
		let mut answers =
			futures::stream::iter(0..n).map(|i| self.post(make(i))).buffer_unordered(concurrency);
		let mut counts = BTreeMap::new();
		while let Some(answer) = answers.next().await {
			*counts.entry(answer).or_default() += 1;
		}
		counts
	}
}

impl Drop for Bridge {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

fn dir_bytes(path: &Path) -> u64 {
	let Ok(entries) = std::fs::read_dir(path) else { return 0 };
	entries
		.flatten()
		.map(|e| match e.metadata() {
			Ok(m) if m.is_dir() => dir_bytes(&e.path()),
			Ok(m) => m.len(),
			Err(_) => 0,
		})
		.sum()
}

struct Outcome {
	scenario: String,
	posts: u64,
	answers: BTreeMap<String, u64>,
	baseline: f64,
	peak: f64,
	rss: f64,
	status_bytes: usize,
	queued: u64,
	data_bytes: u64,
	seconds: f64,
}

impl Outcome {
	fn answers(&self) -> String {
		self.answers.iter().map(|(a, n)| format!("{n} × {a}")).collect::<Vec<_>>().join(", ")
	}
}

/// Starts a bridge with `extra`, warms it up, posts `make(0..n)`, measures.
async fn scenario(name: &str, extra: &[String], n: u64, make: impl Fn(u64) -> Vec<u8>) -> Outcome {
	let deadline = Deadline::new(name);
	let mut bridge = Bridge::start(&deadline, extra).await;
	bridge.status(&deadline).await;
	let baseline = bridge.peak_mib();
	let started = Instant::now();
	let answers =
		deadline.within(&format!("the answers to {n} posts"), bridge.flood(n, make)).await;
	let seconds = started.elapsed().as_secs_f64();
	bridge.assert_running();
	let status = bridge.status(&deadline).await;
	let view: serde_json::Value = serde_json::from_slice(&status).expect("status JSON");
	let outcome = Outcome {
		scenario: name.to_owned(),
		posts: n,
		answers,
		baseline,
		peak: bridge.peak_mib(),
		rss: bridge.rss_mib(),
		status_bytes: status.len(),
		queued: view["stages"]["queued"].as_u64().unwrap_or(0),
		data_bytes: dir_bytes(&bridge.data),
		seconds,
	};
	eprintln!(
		"{name}: {} in {seconds:.1} s; peak RSS {baseline:.1} → {:.1} MiB; /status {} B; data dir {} B",
		outcome.answers(),
		outcome.peak,
		outcome.status_bytes,
		outcome.data_bytes
	);
	outcome
}

/// The junk post number `i`: a random certificate for this chain; one in 8 for a listed server
/// signed by `wrong` (a real signature, checked in full), the rest for a random server id with
/// random bytes as signature.
fn junk_post(i: u64, wrong: &ServerPair) -> Vec<u8> {
	let mut rng = Rng(0x706f_7374 ^ i.wrapping_mul(0x1000_0000_01b3));
	let listed = i.is_multiple_of(8);
	let cert = BatchCertificate {
		version: CERTIFICATE_VERSION,
		genesis_hash: GENESIS,
		server_id: if listed { (rng.next() % u64::from(LISTED)) as u32 } else { rng.next() as u32 },
		sequence: 1 + rng.next() % (1 << 32),
		prev_batch: H256(rng.bytes()),
		batch_root: H256(rng.bytes()),
		tx_count: 1 + (rng.next() % 1024) as u32,
		total_bytes: rng.next() % (1 << 20),
		issued_at_ms: now_ms(),
	};
	let signature: ServerSignature =
		if listed { wrong.sign(&cert) } else { sr25519::Signature::from_raw(rng.bytes()).into() };
	PostBatch::new(&cert, &signature, None).to_json()
}

/// Post number `i` of `count` empty transactions, under a certificate over them signed by `key`.
fn empty_transactions_post(i: u64, count: usize, key: &ServerPair) -> Vec<u8> {
	let txs = vec![Vec::new(); count];
	let cert = BatchCertificate::over_transactions(GENESIS, 0, i + 1, H256::zero(), now_ms(), &txs)
		.expect("transactions");
	PostBatch::new(&cert, &key.sign(&cert), Some(&txs)).to_json()
}

fn main() {
	let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
	let wanted = |id: &str| only.is_empty() || only.iter().any(|o| id.starts_with(o.as_str()));
	let runtime =
		tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
	let junk = env_or("POST_FLOOD_JUNK", 5_000);
	let big = env_or("POST_FLOOD_BIG", 10);
	let txs = env_or("POST_FLOOD_TXS", 300_000) as usize;
	let wrong: ServerPair = "sr25519://post-flood-not-the-server".parse().expect("key");
	let keys: Vec<ServerPair> = (0..LISTED)
		.map(|i| format!("sr25519://post-flood-server-{i}").parse().expect("key"))
		.collect();
	let servers_dir = tempfile::tempdir().expect("temp dir");
	let servers_file = servers_dir.path().join("servers");
	let listing: String =
		keys.iter().enumerate().map(|(i, k)| format!("{i} {}\n", k.public())).collect();
	std::fs::write(&servers_file, listing).expect("servers file");
	let uplink = ["--uplink-txs".to_owned()];

	let mut outcomes = Vec::new();
	runtime.block_on(async {
		if wanted("a") {
			let name = "(a) junk posts, no --servers";
			outcomes.push(scenario(name, &[], junk, |i| junk_post(i, &wrong)).await);
		}
		if wanted("b") {
			let name = "(b) junk posts, --servers (4 keys)";
			let flags = vec!["--servers".to_owned(), servers_file.display().to_string()];
			outcomes.push(scenario(name, &flags, junk, |i| junk_post(i, &wrong)).await);
		}
		for (id, count, flags) in [
			("c1", txs, &[][..]),
			("c2", txs, &uplink[..]),
			("c3", MAX_POSTED_TXS, &[][..]),
			("c4", MAX_POSTED_TXS, &uplink[..]),
		] {
			if wanted(id) {
				let name = format!(
					"({id}) {count} empty txs per post{}",
					if flags.is_empty() { "" } else { ", --uplink-txs" }
				);
				let key = &keys[0];
				outcomes.push(
					scenario(&name, flags, big, |i| empty_transactions_post(i, count, key)).await,
				);
			}
		}
	});

	println!("bridge memory and storage under posts, HTTP-only, one process per scenario");
	println!(
		"{:<44} {:>6} {:>8} {:>8} {:>8} {:>8} {:>10} {:>7} {:>10} {:>6}  answers",
		"scenario",
		"posts",
		"baseline",
		"peak",
		"growth",
		"rss now",
		"/status B",
		"queued",
		"data dir B",
		"s"
	);
	for o in &outcomes {
		println!(
			"{:<44} {:>6} {:>8.1} {:>8.1} {:>+8.1} {:>8.1} {:>10} {:>7} {:>10} {:>6.1}  {}",
			o.scenario,
			o.posts,
			o.baseline,
			o.peak,
			o.peak - o.baseline,
			o.rss,
			o.status_bytes,
			o.queued,
			o.data_bytes,
			o.seconds,
			o.answers()
		);
	}
	println!("(memory in MiB: peak RSS after a warm-up GET /status, and after the posts)");
}
