//! The satellite's resources are bounded (issue 20, item 6), each test named after the bug it
//! pins: memory under a ground station that never reads and under a sign request of empty
//! transactions (the real binary, its peak RSS read from `/proc`), the connection cap, the idle
//! timeout, and no commit (fsync) for a group that signs nothing new.
//!
//! The memory tests compare the emulator's peak RSS (`VmHWM`) before and after, against a
//! bound far above what the bounded pipeline can hold and far below what the old, unbounded one
//! held after the same traffic: they do not depend on how fast the machine is.

mod common;

use common::*;
use space_notary_primitives::{
	link::{Downlink, RejectReason, SequenceCounter, Uplink},
	BatchCertificate,
};
use std::{
	io::{BufRead, BufReader},
	net::SocketAddr,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};
use tokio::{io::AsyncWriteExt, net::TcpSocket};

const BIN: &str = env!("CARGO_BIN_EXE_satellite-emulator");

/// The real `satellite-emulator run` on 127.0.0.1:0, `ideal` profile, killed on drop.
struct Process {
	child: Child,
	addr: SocketAddr,
	_state: tempfile::TempDir,
}

impl Process {
	fn start(extra: &[&str]) -> Self {
		let state = tempfile::tempdir().unwrap();
		let genesis = format!("{GENESIS:?}");
		let mut child = Command::new(BIN)
			.args(["run", "--listen", "127.0.0.1:0", "--genesis-hash", &genesis])
			.arg("--state-dir")
			.arg(state.path())
			.args(extra)
			.env("RUST_LOG", "error")
			.stdout(Stdio::piped())
			.spawn()
			.unwrap();
		let mut line = String::new();
		BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
		let addr = line.trim().strip_prefix("listening on ").expect(&line).parse().unwrap();
		Self { child, addr, _state: state }
	}

	/// A `/proc/<pid>/status` field, in KiB.
	fn status_kib(&self, field: &str) -> u64 {
		let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
		status
			.lines()
			.find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
			.and_then(|value| value.trim().strip_suffix("kB")?.trim().parse().ok())
			.unwrap_or_else(|| panic!("no {field} in {status}"))
	}

	/// Peak resident memory so far, MiB.
	fn peak_rss_mib(&self) -> f64 {
		self.status_kib("VmHWM") as f64 / 1024.0
	}

	/// A ping and its pong, so the runtime, the signer and a connection's buffers have all been
	/// allocated once before the peak is taken as the baseline.
	async fn warm_up(&self) {
		let mut client = satellite_emulator::client::LinkClient::connect(self.addr).await.unwrap();
		assert!(pongs(&mut client, 1, Duration::from_secs(5)).await);
	}
}

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// A TCP connection to `addr` whose receive buffer is small, so that what it does not read
/// backs up into the emulator quickly.
async fn non_reading_connection(addr: SocketAddr) -> tokio::net::TcpStream {
	let socket = TcpSocket::new_v4().unwrap();
	socket.set_recv_buffer_size(4096).unwrap();
	socket.connect(addr).await.unwrap()
}

/// 64 KiB of back-to-back pings, as a modem would carry them.
fn ping_burst() -> Vec<u8> {
	let mut sequence = SequenceCounter::default();
	let mut burst = Vec::new();
	let mut nonce = 0u64;
	while burst.len() < 64 << 10 {
		nonce += 1;
		burst.extend(Uplink::Ping { nonce }.to_packets(&mut sequence).concat());
	}
	burst
}

/// Issue 20: on the `ideal` profile the radio's latency stage was an unbounded channel, so
/// nothing pushed back on a ground station that sent pings and never read the pongs: every
/// pong piled up in the emulator (about 70 bytes of memory per 20-byte ping). Now the
/// downlink fills, then the session and the uplink, and the modem stops reading the socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_does_not_grow_the_emulators_memory() {
	let emulator = Process::start(&[]);
	emulator.warm_up().await;
	let before = emulator.peak_rss_mib();

	let mut flood = non_reading_connection(emulator.addr).await;
	let burst = ping_burst();
	let (limit, deadline) = (48usize << 20, Instant::now() + Duration::from_secs(15));
	let mut written = 0usize;
	// Until TCP pushes back for two seconds (the bounded emulator), or 48 MiB of pings went in
	// (the unbounded one held ~170 MiB of pongs by then), or 15 s passed.
	while written < limit && Instant::now() < deadline {
		match tokio::time::timeout(Duration::from_secs(2), flood.write_all(&burst)).await {
			Ok(sent) => sent.unwrap(),
			Err(_) => break,
		}
		written += burst.len();
	}
	// Whatever the emulator still had to read has been read or is held back by now.
	tokio::time::sleep(Duration::from_millis(500)).await;
	let grown = emulator.peak_rss_mib() - before;
	let written_mib = written as f64 / f64::from(1 << 20);
	println!(
		"peak RSS {before:.1} MiB, grew by {grown:.1} MiB; {written_mib:.1} MiB of pings written"
	);
	assert!(
		grown < 32.0,
		"peak RSS grew by {grown:.1} MiB while a client that never reads wrote {written_mib:.1} MiB of pings"
	);
	drop(flood);
}

/// Issue 20: a sign request's transactions were decoded before any bound was checked, and an
/// empty transaction is one byte on the wire but a 24-byte `Vec` in memory: the largest message
/// the satellite takes (~1.1 MB) of empty transactions decoded to ~26 MB, and waited in the
/// signer's queue like that. Now the declared count is checked first and the request refused
/// as `BoundsExceeded` without being decoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maximal_sign_request_of_empty_transactions_is_refused_without_a_memory_spike() {
	// The default bounds: 10 000 transactions, 1 MiB, so messages up to 1 099 600 bytes.
	let emulator = Process::start(&[]);
	emulator.warm_up().await;
	let before = emulator.peak_rss_mib();

	let cert = BatchCertificate {
		version: 1,
		genesis_hash: GENESIS,
		server_id: 1,
		sequence: 1,
		prev_batch: Default::default(),
		batch_root: Default::default(),
		tx_count: 1,
		total_bytes: 0,
		issued_at_ms: now_ms(),
	};
	let mut client = satellite_emulator::client::LinkClient::connect(emulator.addr).await.unwrap();
	for request_id in 1..=4u32 {
		let request = Uplink::SignRequest {
			request_id,
			cert: cert.clone(),
			server_signature: sp_core::sr25519::Signature::from_raw([7; 64]).into(),
			txs: Some(vec![Vec::new(); 1_090_000]),
		};
		client.send(&request).await.unwrap();
	}
	for request_id in 1..=4u32 {
		let answer = answer_to(&mut client, request_id, Duration::from_secs(20)).await;
		assert_eq!(
			answer,
			Some(Downlink::Rejected {
				request_id,
				batch_id: cert.batch_id(),
				reason: RejectReason::BoundsExceeded
			})
		);
	}
	let grown = emulator.peak_rss_mib() - before;
	println!("peak RSS {before:.1} MiB, grew by {grown:.1} MiB");
	assert!(grown < 16.0, "peak RSS grew by {grown:.1} MiB for four 1.1 MB requests");
}

/// Issue 20: there was no cap on connections, each holding its buffers and tasks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_are_closed() {
	let (state, _) = State::provisioned(&[]);
	let mut config = state.config();
	config.max_connections = 2;
	let (emulator, metrics) = Emulator::start_with_metrics(config).await;
	let mut a = emulator.connect().await;
	let mut b = emulator.connect().await;
	assert!(pongs(&mut a, 1, Duration::from_secs(5)).await);
	assert!(pongs(&mut b, 2, Duration::from_secs(5)).await);

	let mut c = emulator.connect().await;
	// Closed on arrival: the read ends, it does not time out.
	assert!(c.recv_timeout(Duration::from_secs(10)).await.is_err(), "a third connection is served");
	metric_reaches(metrics, "space_notary_satellite_connections_refused_total", 1).await;
	assert_eq!(metric(metrics, "space_notary_satellite_connections").await, 2);
	assert!(pongs(&mut a, 3, Duration::from_secs(5)).await, "the first two are still served");

	// A slot frees when a connection ends.
	drop(a);
	let deadline = Instant::now() + Duration::from_secs(10);
	loop {
		let mut d = emulator.connect().await;
		if pongs(&mut d, 4, Duration::from_secs(2)).await {
			break;
		}
		assert!(Instant::now() < deadline, "no slot after a connection closed");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	emulator.stop().await;
}

/// Issue 20: a connection that sent nothing stayed open forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
	let (state, _) = State::provisioned(&[]);
	let mut config = state.config();
	config.idle_timeout = Duration::from_secs(2);
	let (emulator, metrics) = Emulator::start_with_metrics(config).await;
	let mut idle = emulator.connect().await;
	let mut busy = emulator.connect().await;
	let pinged = Instant::now();
	assert!(pongs(&mut idle, 1, Duration::from_secs(5)).await);

	// One that keeps talking, every eighth of the timeout, for two and a half timeouts.
	let mut nonce = 10;
	while pinged.elapsed() < Duration::from_secs(5) {
		nonce += 1;
		assert!(pongs(&mut busy, nonce, Duration::from_secs(5)).await, "a busy connection closed");
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	// The idle one was closed meanwhile, and not before its timeout.
	assert!(idle.recv_timeout(Duration::from_secs(10)).await.is_err(), "the idle one is open");
	assert!(pinged.elapsed() >= Duration::from_secs(2));
	assert!(pongs(&mut busy, 1000, Duration::from_secs(5)).await);
	metric_reaches(metrics, "space_notary_satellite_connections_idled_out_total", 1).await;
	emulator.stop().await;
}

/// Issue 20: a ground station that sends and never reads held its connection (and, before the
/// pipeline was bounded, ever more memory) forever: the writer waited on the socket without
/// end. A write that makes no progress for the idle timeout now closes the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_closed_after_the_idle_timeout() {
	let (state, _) = State::provisioned(&[]);
	let mut config = state.config();
	config.idle_timeout = Duration::from_secs(1);
	let (emulator, metrics) = Emulator::start_with_metrics(config).await;
	let mut flood = non_reading_connection(emulator.addr).await;
	let burst = ping_burst();
	let deadline = Instant::now() + Duration::from_secs(20);
	// Writing fails once the emulator has closed the connection (reset: it left bytes unread).
	let closed = loop {
		assert!(Instant::now() < deadline, "still open after 20 s");
		match tokio::time::timeout(Duration::from_secs(5), flood.write_all(&burst)).await {
			Ok(Ok(())) | Err(_) => continue,
			Ok(Err(error)) => break error,
		}
	};
	assert!(
		matches!(
			closed.kind(),
			std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
		),
		"{closed}"
	);
	metric_reaches(metrics, "space_notary_satellite_connections_idled_out_total", 1).await;
	emulator.stop().await;
}

/// Issue 20: every group of sign requests committed the signing record (an fsync), even a
/// group in which everything was refused or repeated, so a flood of refused requests cost an
/// fsync per group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_that_signs_nothing_new_does_not_commit_the_signing_record() {
	let server = ServerPair::sr(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let (emulator, metrics) = Emulator::start_with_metrics(state.config()).await;
	let mut client = emulator.connect().await;
	let first = request(1, &cert(1, 1), &server);
	assert!(matches!(ask(&mut client, &first).await, Downlink::Countersignature { .. }));
	let commits = "space_notary_satellite_store_commits_total";
	assert_eq!(metric(metrics, commits).await, 1);
	let record = state.path().join("signing.redb");
	let on_disk = std::fs::read(&record).unwrap();

	// Refusals of every cheap kind, and repeats of what is on disk, pipelined.
	let mut stale = cert(1, 2);
	stale.issued_at_ms = 1;
	let Uplink::SignRequest { cert: signed, server_signature, .. } = &first else { unreachable!() };
	let mut requests = Vec::new();
	for i in 0..10u32 {
		requests.push(request(100 + i, &stale, &server));
		requests.push(request(200 + i, &cert(7, 1), &ServerPair::sr(7)));
		requests.push(Uplink::SignRequest {
			request_id: 300 + i,
			cert: signed.clone(),
			server_signature: server_signature.clone(),
			txs: None,
		});
	}
	client.send_all(&requests).await.unwrap();
	for request in &requests {
		let Uplink::SignRequest { request_id, .. } = request else { unreachable!() };
		let answer = answer_to(&mut client, *request_id, Duration::from_secs(10)).await;
		let expected_signature = *request_id >= 300;
		assert!(
			matches!(
				(&answer, expected_signature),
				(Some(Downlink::Countersignature { .. }), true)
					| (Some(Downlink::Rejected { .. }), false)
			),
			"{request_id}: {answer:?}"
		);
	}
	assert_eq!(metric(metrics, commits).await, 1, "a group that signed nothing committed");
	assert!(std::fs::read(&record).unwrap() == on_disk, "the signing record was written");

	// A new signature still commits.
	let second = request(2, &cert(1, 2), &server);
	assert!(matches!(ask(&mut client, &second).await, Downlink::Countersignature { .. }));
	assert_eq!(metric(metrics, commits).await, 2);
	assert!(std::fs::read(&record).unwrap() != on_disk);
	emulator.stop().await;
}
