//! Shared by the black-box tests: an emulator started in-process on 127.0.0.1:0 (stopped on
//! drop), provisioned servers, and certificates signed the way a ground server signs them.

#![allow(dead_code)] // each test binary uses its own part of this

use satellite_emulator::{
	client::LinkClient, config::EmulatorConfig, provisioning::StateDir, server,
};
use sp_core::{ecdsa, ed25519, sr25519, Pair, H256};
use space_notary_primitives::{
	link::{Downlink, RequestId, Telemetry, Uplink},
	BatchCertificate, SatelliteKey, ServerId, ServerKey, ServerSignature,
};
use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// The chain the tests' satellite serves.
pub const GENESIS: H256 = H256::repeat_byte(0x6e);

/// A ground server's key pair, of any scheme.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // a handful live in each test
pub enum ServerPair {
	/// ed25519
	Ed(ed25519::Pair),
	/// sr25519
	Sr(sr25519::Pair),
	/// ecdsa
	Ec(ecdsa::Pair),
}

impl ServerPair {
	/// An sr25519 server, the usual kind.
	pub fn sr(seed: u8) -> Self {
		Self::Sr(sr25519::Pair::from_seed(&[seed; 32]))
	}

	/// An ed25519 server.
	pub fn ed(seed: u8) -> Self {
		Self::Ed(ed25519::Pair::from_seed(&[seed; 32]))
	}

	/// An ecdsa server.
	pub fn ec(seed: u8) -> Self {
		Self::Ec(ecdsa::Pair::from_seed(&[seed; 32]))
	}

	/// The public key, as provisioned.
	pub fn public(&self) -> ServerKey {
		match self {
			Self::Ed(p) => p.public().into(),
			Self::Sr(p) => p.public().into(),
			Self::Ec(p) => p.public().into(),
		}
	}

	/// Signs a certificate's server payload.
	pub fn sign(&self, cert: &BatchCertificate) -> ServerSignature {
		let payload = cert.server_payload();
		match self {
			Self::Ed(p) => p.sign(&payload).into(),
			Self::Sr(p) => p.sign(&payload).into(),
			Self::Ec(p) => p.sign(&payload).into(),
		}
	}
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

/// Transactions of a test batch.
pub fn txs(sequence: u64) -> Vec<Vec<u8>> {
	(0..3).map(|i| format!("tx {i} of batch {sequence}").into_bytes()).collect()
}

/// A certificate for `txs(sequence)`, issued now.
pub fn cert(server_id: ServerId, sequence: u64) -> BatchCertificate {
	BatchCertificate::over_transactions(
		GENESIS,
		server_id,
		sequence,
		H256::zero(),
		now_ms(),
		&txs(sequence),
	)
	.expect("three transactions")
}

/// A certificate-only sign request.
pub fn request(id: RequestId, cert: &BatchCertificate, server: &ServerPair) -> Uplink {
	Uplink::SignRequest {
		request_id: id,
		cert: cert.clone(),
		server_signature: server.sign(cert),
		txs: None,
	}
}

/// A running emulator; stopped (and its state directory lock released) by [`Self::stop`]
/// or on drop.
pub struct Emulator {
	/// The link address.
	pub addr: SocketAddr,
	stop: Option<oneshot::Sender<()>>,
	task: Option<JoinHandle<Result<(), server::ServerError>>>,
}

impl Emulator {
	/// Starts `config` on 127.0.0.1:0.
	pub async fn start(config: EmulatorConfig) -> Self {
		let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		let (stop, stopped) = oneshot::channel::<()>();
		let task = tokio::spawn(server::run(config, listener, async {
			let _ = stopped.await;
		}));
		Self { addr, stop: Some(stop), task: Some(task) }
	}

	/// Starts `config` on 127.0.0.1:0 with metrics served on another port: the emulator and its
	/// metrics address.
	pub async fn start_with_metrics(config: EmulatorConfig) -> (Self, SocketAddr) {
		let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		let metrics = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let metrics_addr = metrics.local_addr().unwrap();
		let (stop, stopped) = oneshot::channel::<()>();
		let task = tokio::spawn(server::run_with_metrics(config, listener, Some(metrics), async {
			let _ = stopped.await;
		}));
		(Self { addr, stop: Some(stop), task: Some(task) }, metrics_addr)
	}

	/// A new client connection.
	pub async fn connect(&self) -> LinkClient {
		LinkClient::connect(self.addr).await.unwrap()
	}

	/// Stops the emulator and waits until it has released the state directory.
	pub async fn stop(mut self) {
		if let Some(stop) = self.stop.take() {
			let _ = stop.send(());
		}
		if let Some(task) = self.task.take() {
			task.await.unwrap().unwrap();
		}
	}
}

impl Drop for Emulator {
	fn drop(&mut self) {
		if let Some(stop) = self.stop.take() {
			let _ = stop.send(());
		}
	}
}

/// A temporary state directory with servers provisioned.
pub struct State {
	/// Keeps the directory alive.
	pub dir: tempfile::TempDir,
}

impl State {
	/// Provisions each `(id, server)`; returns the directory and the satellite keys.
	pub fn provisioned(servers: &[(ServerId, &ServerPair)]) -> (Self, Vec<SatelliteKey>) {
		let dir = tempfile::tempdir().unwrap();
		let state = StateDir::new(dir.path());
		let keys = servers
			.iter()
			.map(|(id, pair)| state.provision(*id, &pair.public()).unwrap())
			.collect();
		(Self { dir }, keys)
	}

	/// The directory.
	pub fn path(&self) -> &Path {
		self.dir.path()
	}

	/// An `ideal` configuration on this directory.
	pub fn config(&self) -> EmulatorConfig {
		EmulatorConfig::ideal(PathBuf::from(self.path()), GENESIS)
	}
}

/// Waits for the answer to `request_id` (other messages are skipped), up to `timeout`.
pub async fn answer_to(
	client: &mut LinkClient,
	request_id: RequestId,
	timeout: Duration,
) -> Option<Downlink> {
	let deadline = tokio::time::Instant::now() + timeout;
	while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
		match client.recv_timeout(left).await.unwrap()? {
			answer @ (Downlink::Countersignature { request_id: id, .. }
			| Downlink::Rejected { request_id: id, .. })
				if id == request_id =>
			{
				return Some(answer)
			},
			_ => continue,
		}
	}
	None
}

/// Sends `request` and waits up to 5 s for its answer.
pub async fn ask(client: &mut LinkClient, request: &Uplink) -> Downlink {
	let Uplink::SignRequest { request_id, .. } = request else { panic!("not a sign request") };
	client.send(request).await.unwrap();
	answer_to(client, *request_id, Duration::from_secs(5)).await.expect("no answer in 5 s")
}

/// Telemetry over an ideal link.
pub async fn telemetry(client: &mut LinkClient) -> Telemetry {
	client.status(3, Duration::from_secs(2)).await.unwrap()
}

/// `GET path` from a metrics server: the whole HTTP response.
pub async fn scrape(metrics: SocketAddr, path: &str) -> String {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let mut http = tokio::net::TcpStream::connect(metrics).await.unwrap();
	http.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
	let mut text = String::new();
	http.read_to_string(&mut text).await.unwrap();
	text
}

/// The value of the unlabelled metric `name` (full name, `_total` included) in `/metrics`.
pub async fn metric(metrics: SocketAddr, name: &str) -> u64 {
	let text = scrape(metrics, "/metrics").await;
	text.lines()
		.find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
		.unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// Waits up to 5 s for the metric `name` to read `expected`; panics with its last value if it
/// does not (a counter may be bumped just after the event a client saw).
pub async fn metric_reaches(metrics: SocketAddr, name: &str, expected: u64) {
	let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
	loop {
		let value = metric(metrics, name).await;
		if value == expected {
			return;
		}
		assert!(tokio::time::Instant::now() < deadline, "{name} is {value}, not {expected}");
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
}

/// Pings and waits up to `timeout` for the pong: false if the connection closed or nothing
/// came back in time.
pub async fn pongs(client: &mut LinkClient, nonce: u64, timeout: Duration) -> bool {
	if client.send(&Uplink::Ping { nonce }).await.is_err() {
		return false;
	}
	let deadline = tokio::time::Instant::now() + timeout;
	while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
		match client.recv_timeout(left).await {
			Ok(Some(Downlink::Pong { nonce: n })) if n == nonce => return true,
			Ok(Some(_)) => continue,
			Ok(None) | Err(_) => return false,
		}
	}
	false
}
