//! Link benchmarks of the bridge's space-link client against the real emulator (chain
//! excluded): the figures docs/benchmarks.md reports.
//!
//! ```sh
//! cargo bench -p satellite-bridge --bench link             # both
//! cargo bench -p satellite-bridge --bench link -- ideal    # sign-and-verify exchanges per second
//! cargo bench -p satellite-bridge --bench link -- uhf      # certificates over one UHF pass
//! ```
//!
//! `ideal`: `BENCH_REQUESTS` (default 20,000) certificate-only sign requests from
//! `BENCH_SERVERS` (default 64) servers through the bridge's link client (window 64, one request
//! in flight per server), each countersignature verified as the relay verifies it. Reports
//! exchanges per second.
//!
//! `uhf`: the `uhf` profile (9.6 kbit/s each way, 150 ms latency, 2 % loss and 1 % corruption
//! per packet each way), once for each link seed 1 to `BENCH_RUNS` (default 5), with fixed
//! passes of `BENCH_PASS_S` (default 60) seconds every `2 × BENCH_PASS_S`; 16 servers with
//! plenty of batches, window `BENCH_WINDOW` (default 6: a little more than the link's
//! bandwidth-delay product of about 4 exchanges). Counts countersignatures received during the
//! first pass and compares them with the bandwidth bound: pass seconds × uplink bytes per second
//! ÷ uplink bytes per exchange (framing included; the uplink is the busier direction). Prints
//! each run with the link's own counters (packets sent, lost, corrupted, out of the pass, bytes
//! each way), then the mean over the seeds.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use satellite_bridge::{
	keys::ServerPair,
	link::{self, LinkConfig, LinkEvent, SignJob},
};
use sp_core::H256;
use space_notary_primitives::{
	link::{wire_len, Uplink},
	BatchCertificate, BatchId, SatelliteKey,
};
use std::{
	collections::HashMap,
	time::{Duration, Instant},
};

const GENESIS: H256 = H256::repeat_byte(0xbe);

fn env_usize(name: &str, default: usize) -> usize {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Job {
	batch_id: BatchId,
	job: SignJob,
	key: SatelliteKey,
}

/// Provisions `servers` servers in `state_dir` and makes `per_server` signed certificates each.
fn jobs(state_dir: &std::path::Path, servers: usize, per_server: usize) -> Vec<Job> {
	let mut jobs = Vec::new();
	let now = common::now_ms();
	for s in 0..servers {
		let pair: ServerPair = format!("sr25519://bench-server-{s}").parse().unwrap();
		let key = common::Emulator::provision(state_dir, s as u32, &pair.public());
		let mut prev = H256::zero();
		for seq in 1..=per_server as u64 {
			let txs = [format!("server {s} batch {seq}").into_bytes()];
			let cert = BatchCertificate::over_transactions(GENESIS, s as u32, seq, prev, now, &txs)
				.unwrap();
			prev = cert.batch_id();
			let server_signature = pair.sign(&cert);
			jobs.push(Job {
				batch_id: cert.batch_id(),
				job: SignJob { cert, server_signature, txs: None },
				key,
			});
		}
	}
	jobs
}

struct Outcome {
	verified: usize,
	first_answer: Option<Instant>,
	answers: Vec<Instant>,
	retransmissions: u64,
	rejected: usize,
}

/// Hands every job to a link client and collects answers until `until` says stop.
async fn exchange(
	config: LinkConfig,
	jobs: &[Job],
	mut until: impl FnMut(&Outcome, Instant) -> bool,
) -> Outcome {
	let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
	let (handle, _task) = link::spawn(config, tx);
	let by_id: HashMap<BatchId, &Job> = jobs.iter().map(|j| (j.batch_id, j)).collect();
	for job in jobs {
		handle.sign(job.batch_id, job.job.clone());
	}
	let mut outcome = Outcome {
		verified: 0,
		first_answer: None,
		answers: Vec::new(),
		retransmissions: 0,
		rejected: 0,
	};
	loop {
		let event = tokio::time::timeout(Duration::from_millis(200), events.recv()).await;
		let now = Instant::now();
		match event {
			Ok(Some(LinkEvent::Countersignature { batch_id, countersignature, .. })) => {
				let job = by_id[&batch_id];
				countersignature
					.verify(&batch_id, &job.job.server_signature, &job.key)
					.expect("countersignature verifies");
				outcome.verified += 1;
				outcome.first_answer.get_or_insert(now);
				outcome.answers.push(now);
			},
			Ok(Some(LinkEvent::Rejected { reason, .. })) => {
				outcome.rejected += 1;
				eprintln!("rejected: {reason:?}");
			},
			Ok(Some(_)) | Err(_) => {},
			Ok(None) => break,
		}
		outcome.retransmissions = handle.stats().retransmissions;
		if until(&outcome, now) {
			break;
		}
	}
	outcome
}

async fn ideal() {
	let requests = env_usize("BENCH_REQUESTS", 20_000);
	let servers = env_usize("BENCH_SERVERS", 64);
	let state = tempfile::tempdir().unwrap();
	let jobs = jobs(state.path(), servers, requests.div_ceil(servers));
	let emulator = common::Emulator::start(state.path(), GENESIS, &["--profile", "ideal"]).await;
	let mut config = LinkConfig::new(emulator.addr().to_string(), GENESIS);
	config.window = 64;
	let started = Instant::now();
	let total = jobs.len();
	let outcome = exchange(config, &jobs, |o, now| {
		o.verified + o.rejected >= total || now - started > Duration::from_secs(600)
	})
	.await;
	let elapsed = outcome.answers.last().map_or(Duration::ZERO, |t| *t - started);
	println!(
		"ideal link, chain excluded: {} sign-and-verify exchanges in {:.2} s = {:.0}/s ({} servers, window 64, {} rejected, {} retransmissions)",
		outcome.verified,
		elapsed.as_secs_f64(),
		outcome.verified as f64 / elapsed.as_secs_f64(),
		servers,
		outcome.rejected,
		outcome.retransmissions,
	);
}

/// One pass of the `uhf` bench with the link's loss draws seeded by `seed`: the share of the
/// bandwidth bound exchanged, in percent.
async fn uhf(seed: u64) -> f64 {
	let pass_s = env_usize("BENCH_PASS_S", 60) as u64;
	let servers = 16;
	let state = tempfile::tempdir().unwrap();
	// Far more than one pass can carry.
	let jobs = jobs(state.path(), servers, 100);
	let period = (2 * pass_s).to_string();
	let duration = pass_s.to_string();
	let metrics = format!("127.0.0.1:{}", common::free_port());
	let emulator = common::Emulator::start(
		state.path(),
		GENESIS,
		&[
			"--profile",
			"uhf",
			"--pass-period",
			&period,
			"--pass-duration",
			&duration,
			"--seed",
			&seed.to_string(),
			"--metrics",
			&metrics,
		],
	)
	.await;
	// The first pass begins when the emulator starts its orbit clock (at start-up).
	let pass_start = Instant::now();
	let pass_end = pass_start + Duration::from_secs(pass_s);
	let mut config = LinkConfig::new(emulator.addr().to_string(), GENESIS);
	config.window = env_usize("BENCH_WINDOW", 6);
	let outcome = exchange(config, &jobs, |_, now| now > pass_end + Duration::from_secs(5)).await;
	let in_pass = outcome.answers.iter().filter(|t| **t <= pass_end).count();

	let sample = Uplink::SignRequest {
		request_id: 1_000,
		cert: jobs[0].job.cert.clone(),
		server_signature: jobs[0].job.server_signature.clone(),
		txs: None,
	};
	let up_bytes = wire_len(sample.encode_payload().len());
	let bytes_per_s = 9_600.0 / 8.0;
	let bound = pass_s as f64 * bytes_per_s / up_bytes as f64;
	let share = 100.0 * in_pass as f64 / bound;
	println!(
		"uhf, seed {seed}, one {pass_s} s pass, window {}: {in_pass} certificates exchanged; bandwidth bound {bound:.0} ({up_bytes} B up per exchange at {bytes_per_s} B/s) = {share:.1} % ({} retransmissions, {} rejected)",
		env_usize("BENCH_WINDOW", 6),
		outcome.retransmissions,
		outcome.rejected,
	);
	// What the link itself carried and did (the emulator's counters, over the pass).
	let text =
		reqwest::get(format!("http://{metrics}/metrics")).await.unwrap().text().await.unwrap();
	let link: Vec<&str> = text
		.lines()
		.filter(|l| {
			!l.starts_with('#')
				&& (l.starts_with("space_notary_satellite_frames")
					|| l.starts_with("space_notary_satellite_bytes"))
		})
		.collect();
	println!("  link: {}", link.join("; "));
	share
}

fn main() {
	let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
	let wants = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
	if wants("ideal") {
		runtime.block_on(ideal());
	}
	if wants("uhf") {
		// The share depends on how many packets the seed's draws lose (3 % each way on average,
		// but one pass is only ~400 packets each way), so several seeds, one after the other.
		let runs = env_usize("BENCH_RUNS", 5) as u64;
		let shares: Vec<f64> = (1..=runs).map(|seed| runtime.block_on(uhf(seed))).collect();
		let mean = shares.iter().sum::<f64>() / shares.len() as f64;
		let min = shares.iter().copied().fold(f64::INFINITY, f64::min);
		let max = shares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
		println!("uhf over seeds 1-{runs}: mean {mean:.1} % of the bandwidth bound (lowest {min:.1} %, highest {max:.1} %)");
	}
}
