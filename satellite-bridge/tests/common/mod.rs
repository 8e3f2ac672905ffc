//! Black-box helpers shared by the bridge's integration tests: the real `space-notary-node` and
//! `satellite-emulator` binaries started by guards that stop them on drop, the bridge binary,
//! and waits with deadlines that say what they waited for.
//!
//! Every child process writes its log to a file under the OS temp dir. The file is deleted when
//! its guard drops during a passing test; when the test panics, the guard prints the log's last
//! lines to stderr and keeps the file (its path is printed). Set `SPACE_NOTARY_KEEP_LOGS` to
//! keep every log. If the test process itself is killed (a CI timeout, SIGKILL), a watchdog
//! shell kills the children within two seconds, so no node outlives its test.
//!
//! Binaries: `$CARGO_TARGET_DIR/release/<name>`, else the directory the test executable was
//! built in (`target/release/deps/..` → `target/release`). Build them first:
//! `cargo build --release -p space-notary-node -p satellite-emulator`.

#![allow(dead_code)] // each test binary uses its own part of this

use sp_core::{crypto::Ss58Codec, H256};
use space_notary_primitives::{
	text::{parse_h256, parse_satellite_key},
	BatchId, SatelliteKey, ServerId, ServerKey,
};
use std::{
	collections::HashSet,
	future::Future,
	io::{BufRead, BufReader},
	net::{SocketAddr, TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::Mutex,
	time::{Duration, Instant},
};
use url::Url;

/// How long a node or an emulator may take to come up on a busy 2-core machine.
pub const START_DEADLINE: Duration = Duration::from_secs(120);

/// Path of a workspace binary built in release mode: `$CARGO_TARGET_DIR/release/<name>` if
/// that exists, else `<name>` beside the directory of the running test executable
/// (`target/release/deps/cli-…` → `target/release/<name>`). Panics, saying how to build it,
/// if neither exists.
///
/// For the bridge itself use `env!("CARGO_BIN_EXE_satellite-bridge")` (see [`bridge_binary`]):
/// cargo builds it for the test.
pub fn binary(name: &str) -> PathBuf {
	let mut candidates = Vec::new();
	if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
		candidates.push(PathBuf::from(target).join("release").join(name));
	}
	if let Some(dir) = std::env::current_exe()
		.ok()
		.and_then(|exe| exe.parent().and_then(Path::parent).map(Path::to_path_buf))
	{
		candidates.push(dir.join(name));
	}
	if let Some(found) = candidates.iter().find(|path| path.is_file()) {
		return found.clone();
	}
	panic!(
		"{name} not found (looked at {}): build it with `cargo build --release -p {name}` \
		 (with the same CARGO_TARGET_DIR as the tests)",
		candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
	);
}

/// The bridge binary cargo built for this test.
pub fn bridge_binary() -> PathBuf {
	PathBuf::from(env!("CARGO_BIN_EXE_satellite-bridge"))
}

/// A free TCP port on 127.0.0.1, never one this process handed out before (so that two guards
/// started in a row cannot get the same port while the first has not bound it yet).
pub fn free_port() -> u16 {
	static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
	let mut given = GIVEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
	let given = given.get_or_insert_with(HashSet::new);
	loop {
		let port = TcpListener::bind("127.0.0.1:0")
			.and_then(|listener| listener.local_addr())
			.expect("cannot bind 127.0.0.1:0")
			.port();
		if given.insert(port) {
			return port;
		}
	}
}

/// Polls `check` every 250 ms until it returns `Some`, and returns that; panics with
/// `timed out after N s waiting for {what}` after `deadline`.
pub async fn wait_for<F, Fut, T>(what: &str, deadline: Duration, mut check: F) -> T
where
	F: FnMut() -> Fut,
	Fut: Future<Output = Option<T>>,
{
	let end = Instant::now() + deadline;
	loop {
		if let Some(value) = check().await {
			return value;
		}
		if Instant::now() >= end {
			panic!("timed out after {} s waiting for {what}", deadline.as_secs());
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.expect("clock before 1970")
		.as_millis() as u64
}

/// A child process with its log file and a watchdog; killed (SIGKILL) and reaped on drop.
struct Process {
	/// Name in messages (`node`, `emulator`).
	name: String,
	/// Behind a mutex so that a shared guard can be polled (`exit_code(&self)` in a `wait_for`
	/// closure).
	child: Mutex<Option<Child>>,
	watchdog: Option<Child>,
	log: PathBuf,
}

impl Process {
	/// Starts `binary args…` with stdout and stderr appended to `log`.
	fn spawn(
		name: &str,
		binary: &Path,
		args: &[String],
		log: &Path,
		envs: &[(&str, &str)],
	) -> Self {
		use std::io::Write;
		let mut file = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(log)
			.unwrap_or_else(|e| panic!("cannot open log file {}: {e}", log.display()));
		writeln!(file, "$ {} {}", binary.display(), args.join(" ")).expect("cannot write log");
		let stderr = file.try_clone().expect("cannot clone log file handle");
		let mut command = Command::new(binary);
		command.args(args).stdin(Stdio::null()).stdout(file).stderr(stderr);
		for (key, value) in envs {
			command.env(key, value);
		}
		let child = command
			.spawn()
			.unwrap_or_else(|e| panic!("cannot start {name} ({}): {e}", binary.display()));
		// If this test process dies without running destructors, the watchdog kills the child.
		let watchdog = Command::new("/bin/sh")
			.args([
				"-c",
				r#"while kill -0 "$1" 2>/dev/null; do sleep 2; done; kill -9 "$2" 2>/dev/null"#,
				"watchdog",
				&std::process::id().to_string(),
				&child.id().to_string(),
			])
			.stdin(Stdio::null())
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.ok();
		Self {
			name: name.to_string(),
			child: Mutex::new(Some(child)),
			watchdog,
			log: log.to_path_buf(),
		}
	}

	/// The exit code once the process has exited (`Some(None)`: killed by a signal).
	fn exit_code(&self) -> Option<Option<i32>> {
		let mut child = self.child.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let child = child.as_mut()?;
		child.try_wait().ok().flatten().map(|status| status.code())
	}

	/// The process id, while it runs.
	fn id(&self) -> Option<u32> {
		self.child.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_ref().map(Child::id)
	}

	/// Panics (with the log tail) if the process has exited.
	fn assert_running(&self) {
		let mut child = self.child.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let Some(child) = child.as_mut() else { panic!("{} is not running", self.name) };
		if let Ok(Some(status)) = child.try_wait() {
			panic!(
				"{} exited during the test ({status}); last lines of {}:\n{}",
				self.name,
				self.log.display(),
				tail(&self.log, 60)
			);
		}
	}

	/// SIGKILL and reap; idempotent.
	fn kill(&mut self) {
		let child = self.child.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
		if let Some(mut child) = child {
			let _ = child.kill();
			let _ = child.wait();
		}
		if let Some(mut watchdog) = self.watchdog.take() {
			let _ = watchdog.kill();
			let _ = watchdog.wait();
		}
	}
}

impl Drop for Process {
	fn drop(&mut self) {
		self.kill();
		if std::thread::panicking() {
			eprintln!(
				"--- {} log {} (kept), last 80 lines ---\n{}\n--- end of {} log ---",
				self.name,
				self.log.display(),
				tail(&self.log, 80),
				self.name
			);
		} else if std::env::var_os("SPACE_NOTARY_KEEP_LOGS").is_none() {
			let _ = std::fs::remove_file(&self.log);
		}
	}
}

/// The last `lines` lines of a file, or why there are none.
pub fn tail(path: &Path, lines: usize) -> String {
	match std::fs::read_to_string(path) {
		Ok(text) => {
			let all: Vec<&str> = text.lines().collect();
			all[all.len().saturating_sub(lines)..].join("\n")
		},
		Err(e) => format!("(no log: {e})"),
	}
}

/// A fresh log file path under the OS temp dir.
fn log_path(name: &str) -> PathBuf {
	static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
	let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
	std::env::temp_dir().join(format!(
		"space-notary-bridge-test-{name}-{}-{n}-{}.log",
		std::process::id(),
		now_ms()
	))
}

/// The real `space-notary-node --dev` (Alice authors, finalizes and is sudo; dev accounts
/// funded), on free loopback ports with its own base path, killed on drop.
pub struct Node {
	process: Process,
	base: tempfile::TempDir,
	rpc_port: u16,
	p2p_port: u16,
	extra: Vec<String>,
}

impl Node {
	/// Starts a dev node and waits (up to [`START_DEADLINE`]) until its RPC answers and it has
	/// finalized block 1.
	pub async fn dev() -> Self {
		Self::dev_with(&[]).await
	}

	/// As [`Node::dev`], with `extra` flags.
	pub async fn dev_with(extra: &[&str]) -> Self {
		let base = tempfile::tempdir().expect("cannot make a base path");
		let (rpc_port, p2p_port) = (free_port(), free_port());
		let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
		let process = Self::spawn(base.path(), rpc_port, p2p_port, &extra, &log_path("node"));
		let node = Self { process, base, rpc_port, p2p_port, extra };
		node.wait_ready(1).await;
		node
	}

	fn spawn(base: &Path, rpc_port: u16, p2p_port: u16, extra: &[String], log: &Path) -> Process {
		let mut args: Vec<String> = [
			"--dev",
			"--base-path",
			&base.display().to_string(),
			"--rpc-port",
			&rpc_port.to_string(),
			// Loopback only: test nodes must not meet anyone else's.
			"--listen-addr",
			&format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
			"--no-prometheus",
			"--no-telemetry",
			"--no-mdns",
		]
		.iter()
		.map(|s| s.to_string())
		.collect();
		args.extend(extra.iter().cloned());
		let log_level = std::env::var("RUST_LOG")
			.unwrap_or_else(|_| "info,runtime::space-notary=debug".to_string());
		Process::spawn(
			"space-notary-node",
			&binary("space-notary-node"),
			&args,
			log,
			&[("RUST_LOG", &log_level)],
		)
	}

	/// The RPC endpoint, `ws://127.0.0.1:PORT`.
	pub fn ws_url(&self) -> Url {
		Url::parse(&format!("ws://127.0.0.1:{}", self.rpc_port)).expect("valid URL")
	}

	/// The same endpoint over HTTP, for plain JSON-RPC requests.
	pub fn http_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.rpc_port)
	}

	/// The node's log file.
	pub fn log_path(&self) -> &Path {
		&self.process.log
	}

	/// The node's base path (its database and keystore).
	pub fn base_path(&self) -> &Path {
		self.base.path()
	}

	/// Kills the node (SIGKILL) and starts it again on the same base path and ports; waits until
	/// it answers and finalizes past the block it had finalized before. The new process appends
	/// to the same log, so a failing test shows both lives.
	pub async fn restart(&mut self) {
		let finalized = self.finalized_number().await.unwrap_or(0);
		self.process.kill();
		let log = self.process.log.clone();
		self.process =
			Self::spawn(self.base.path(), self.rpc_port, self.p2p_port, &self.extra, &log);
		self.wait_ready(finalized + 1).await;
	}

	/// Panics with the log tail if the node has exited.
	pub fn assert_running(&self) {
		self.process.assert_running();
	}

	/// One JSON-RPC request over HTTP; `None` if the node does not answer (yet).
	pub async fn rpc(&self, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
		let body =
			serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
		let response = reqwest::Client::new()
			.post(self.http_url())
			.timeout(Duration::from_secs(10))
			.json(&body)
			.send()
			.await
			.ok()?;
		let mut value: serde_json::Value = response.json().await.ok()?;
		value.get_mut("result").map(serde_json::Value::take)
	}

	/// The number of the latest finalized block, if the node answers.
	pub async fn finalized_number(&self) -> Option<u64> {
		let hash = self.rpc("chain_getFinalizedHead", serde_json::json!([])).await?;
		let header = self.rpc("chain_getHeader", serde_json::json!([hash])).await?;
		let number = header.get("number")?.as_str()?;
		u64::from_str_radix(number.trim_start_matches("0x"), 16).ok()
	}

	/// The number of the best block, if the node answers.
	pub async fn best_number(&self) -> Option<u64> {
		let header = self.rpc("chain_getHeader", serde_json::json!([])).await?;
		let number = header.get("number")?.as_str()?;
		u64::from_str_radix(number.trim_start_matches("0x"), 16).ok()
	}

	/// Waits until the finalized block number reaches `number` (panics if the node exits).
	pub async fn wait_finalized(&self, number: u64, deadline: Duration) {
		let what = format!("node at {} to finalize block #{number}", self.ws_url());
		let end = Instant::now() + deadline;
		loop {
			self.assert_running();
			if self.finalized_number().await.is_some_and(|n| n >= number) {
				return;
			}
			if Instant::now() >= end {
				panic!(
					"timed out after {} s waiting for {what}; last lines of {}:\n{}",
					deadline.as_secs(),
					self.log_path().display(),
					tail(self.log_path(), 60)
				);
			}
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}

	async fn wait_ready(&self, finalized: u64) {
		self.wait_finalized(finalized, START_DEADLINE).await;
	}

	/// The chain's genesis hash.
	pub async fn genesis_hash(&self) -> H256 {
		let hash = self
			.rpc("chain_getBlockHash", serde_json::json!([0]))
			.await
			.expect("node answers chain_getBlockHash");
		parse_h256(hash.as_str().expect("a hash string")).expect("a 32-byte hash")
	}

	/// A subxt connection to the node (the bridge's own chain client).
	pub async fn chain(&self) -> satellite_bridge::chain::Chain {
		satellite_bridge::chain::Chain::connect(&self.ws_url())
			.await
			.unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.ws_url()))
	}
}

/// The real `satellite-emulator run` on 127.0.0.1, on a port of its own, killed on drop.
pub struct Emulator {
	process: Process,
	addr: SocketAddr,
	state_dir: PathBuf,
	genesis: H256,
	extra_args: Vec<String>,
}

impl Emulator {
	/// `satellite-emulator provision --state-dir D --server-id N --server-key scheme:0x…`:
	/// makes the server's satellite key in `state_dir` and returns its public key.
	pub fn provision(
		state_dir: &Path,
		server_id: ServerId,
		server_key: &ServerKey,
	) -> SatelliteKey {
		let output = Command::new(binary("satellite-emulator"))
			.args(["provision", "--state-dir"])
			.arg(state_dir)
			.args(["--server-id", &server_id.to_string(), "--server-key", &server_key.to_string()])
			.output()
			.expect("cannot run satellite-emulator provision");
		let stdout = String::from_utf8_lossy(&output.stdout);
		assert!(
			output.status.success(),
			"satellite-emulator provision failed ({}): {}{}",
			output.status,
			stdout,
			String::from_utf8_lossy(&output.stderr)
		);
		let line =
			stdout.lines().rev().find(|l| l.starts_with("0x")).unwrap_or_else(|| {
				panic!("satellite-emulator provision printed no key: {stdout:?}")
			});
		parse_satellite_key(line.trim())
			.unwrap_or_else(|e| panic!("satellite-emulator provision printed {line:?}: {e}"))
	}

	/// `satellite-emulator run --listen 127.0.0.1:PORT --state-dir D --genesis-hash G extra…`
	/// on a free port; waits (up to [`START_DEADLINE`]) until the port accepts connections.
	pub async fn start(state_dir: &Path, genesis: H256, extra_args: &[&str]) -> Self {
		Self::start_at(
			SocketAddr::from(([127, 0, 0, 1], free_port())),
			state_dir,
			genesis,
			extra_args,
		)
		.await
	}

	/// As [`Emulator::start`], listening on `addr` (where a bridge may already be trying).
	pub async fn start_at(
		addr: SocketAddr,
		state_dir: &Path,
		genesis: H256,
		extra_args: &[&str],
	) -> Self {
		let extra_args: Vec<String> = extra_args.iter().map(|s| s.to_string()).collect();
		let process = Self::spawn(state_dir, genesis, addr, &extra_args, &log_path("emulator"));
		let emulator =
			Self { process, addr, state_dir: state_dir.to_path_buf(), genesis, extra_args };
		emulator.wait_ready().await;
		emulator
	}

	fn spawn(
		state_dir: &Path,
		genesis: H256,
		addr: SocketAddr,
		extra: &[String],
		log: &Path,
	) -> Process {
		let mut args = vec![
			"run".to_string(),
			"--listen".to_string(),
			addr.to_string(),
			"--state-dir".to_string(),
			state_dir.display().to_string(),
			"--genesis-hash".to_string(),
			format!("{genesis:?}"),
		];
		args.extend(extra.iter().cloned());
		let log_level = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_string());
		Process::spawn(
			"satellite-emulator",
			&binary("satellite-emulator"),
			&args,
			log,
			&[("RUST_LOG", &log_level)],
		)
	}

	async fn wait_ready(&self) {
		let end = Instant::now() + START_DEADLINE;
		loop {
			self.process.assert_running();
			if TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok() {
				return;
			}
			if Instant::now() >= end {
				panic!(
					"timed out after {} s waiting for satellite-emulator to listen on {}; last lines of {}:\n{}",
					START_DEADLINE.as_secs(),
					self.addr,
					self.process.log.display(),
					tail(&self.process.log, 60)
				);
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
	}

	/// The link address.
	pub fn addr(&self) -> SocketAddr {
		self.addr
	}

	/// The link address as the bridge's `--satellite` takes it: `tcp://127.0.0.1:PORT`.
	pub fn url(&self) -> String {
		format!("tcp://{}", self.addr)
	}

	/// The emulator's log file.
	pub fn log_path(&self) -> &Path {
		&self.process.log
	}

	/// Kills the emulator (SIGKILL) and starts it again with the same state directory, port and
	/// flags; waits until it listens.
	pub async fn restart(&mut self) {
		self.process.kill();
		let log = self.process.log.clone();
		self.process =
			Self::spawn(&self.state_dir, self.genesis, self.addr, &self.extra_args, &log);
		self.wait_ready().await;
	}

	/// Panics with the log tail if the emulator has exited.
	pub fn assert_running(&self) {
		self.process.assert_running();
	}
}

/// What a bridge command did.
#[derive(Debug, Clone)]
pub struct BridgeRun {
	/// Exit code (-1 if killed by a signal).
	pub code: i32,
	/// Standard output.
	pub stdout: String,
	/// Standard error.
	pub stderr: String,
}

impl BridgeRun {
	/// The last non-empty line of stdout (where `server register` and `batch submit` print the
	/// new id).
	pub fn last_line(&self) -> &str {
		self.stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim()
	}

	/// Panics, showing both streams, unless the command exited 0.
	#[track_caller]
	pub fn success(self) -> Self {
		assert_eq!(self.code, 0, "bridge command failed:\n{self}");
		self
	}

	/// Panics unless the command exited with `code` and stdout or stderr contains `text`.
	#[track_caller]
	pub fn refused(self, code: i32, text: &str) -> Self {
		assert_eq!(self.code, code, "bridge exit code, expected {code}:\n{self}");
		assert!(
			self.stdout.contains(text) || self.stderr.contains(text),
			"bridge output lacks {text:?}:\n{self}"
		);
		self
	}
}

impl std::fmt::Display for BridgeRun {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
			self.code, self.stdout, self.stderr
		)
	}
}

/// Runs the bridge binary with `args` and waits; `(exit code, stdout, stderr)`.
pub fn run_bridge(args: &[&str]) -> (i32, String, String) {
	let run = bridge(args);
	(run.code, run.stdout, run.stderr)
}

/// Runs the bridge binary with `args` and waits for it.
pub fn bridge(args: &[&str]) -> BridgeRun {
	let output = Command::new(bridge_binary())
		.args(args)
		.env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_string()))
		.stdin(Stdio::null())
		.output()
		.expect("cannot run satellite-bridge");
	BridgeRun {
		code: output.status.code().unwrap_or(-1),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

/// [`bridge`] on a blocking thread, so that several commands can run at once from one test.
pub async fn bridge_async(args: Vec<String>) -> BridgeRun {
	tokio::task::spawn_blocking(move || {
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		bridge(&args)
	})
	.await
	.expect("bridge runner panicked")
}

/// The flags of `relay` in HTTP-only mode (no chain): the satellite at `satellite`, chain
/// `genesis`, the queue in `data_dir`, the API on 127.0.0.1:`http`.
pub fn http_only_args(satellite: &str, genesis: H256, data_dir: &Path, http: u16) -> Vec<String> {
	vec![
		"relay".into(),
		"--satellite".into(),
		satellite.into(),
		"--genesis-hash".into(),
		format!("{genesis:?}"),
		"--data-dir".into(),
		data_dir.display().to_string(),
		"--http".into(),
		format!("127.0.0.1:{http}"),
	]
}

/// Starts `satellite-bridge args…` (a `relay` serving HTTP on 127.0.0.1:`http`) and waits (60 s)
/// until its HTTP server answers; the process, its base URL and a client.
pub async fn start_http_bridge(
	args: &[String],
	http: u16,
) -> (BridgeProcess, String, reqwest::Client) {
	let bridge = BridgeProcess::start(&args.iter().map(String::as_str).collect::<Vec<_>>());
	let base = format!("http://127.0.0.1:{http}");
	let client = reqwest::Client::new();
	wait_for("the bridge's HTTP server", Duration::from_secs(60), || async {
		client.get(format!("{base}/status")).send().await.ok().map(|_| ())
	})
	.await;
	(bridge, base, client)
}

/// A running bridge (`relay`, say) as a child process with its log, killed on drop.
pub struct BridgeProcess {
	process: Process,
}

impl BridgeProcess {
	/// Starts `satellite-bridge args…` with its output in a log file (`RUST_LOG` as the test's,
	/// else `info`).
	pub fn start(args: &[&str]) -> Self {
		Self::start_with_env(args, &[])
	}

	/// [`Self::start`] with extra environment variables (they override `RUST_LOG` too).
	pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
		let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
		let log_level = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_string());
		let mut envs = vec![("RUST_LOG", log_level.as_str())];
		envs.extend_from_slice(env);
		Self {
			process: Process::spawn(
				"satellite-bridge",
				&bridge_binary(),
				&args,
				&log_path("bridge"),
				&envs,
			),
		}
	}

	/// The process id while it runs (for a signal at a chosen moment).
	pub fn id(&self) -> Option<u32> {
		self.process.id()
	}

	/// SIGKILL now, and reap.
	pub fn kill(&mut self) {
		self.process.kill();
	}

	/// `None` while it runs; `Some(code)` once it exited (`Some(None)`: killed by a signal).
	/// Takes `&self`, so it can be polled from a [`wait_for`] closure.
	pub fn exit_code(&self) -> Option<Option<i32>> {
		self.process.exit_code()
	}

	/// Panics with the log tail if the bridge has exited.
	pub fn assert_running(&self) {
		self.process.assert_running();
	}

	/// The bridge's log file.
	pub fn log_path(&self) -> &Path {
		&self.process.log
	}

	/// Lines of the log so far.
	pub fn log_lines(&self) -> Vec<String> {
		std::fs::File::open(&self.process.log)
			.map(|f| BufReader::new(f).lines().map_while(Result::ok).collect())
			.unwrap_or_default()
	}
}

/// Registers a server through the bridge's own `server register` (sudo //Alice): `operator` is
/// the operator's secret URI (`//Bob`), the server key and the satellite key as given. Waits
/// for finality; returns the new id.
pub async fn register_server(
	node: &Node,
	operator: &str,
	server_key: &ServerKey,
	satellite_key: &SatelliteKey,
) -> ServerId {
	let operator = satellite_bridge::chain::AccountSigner::from_suri(operator)
		.unwrap_or_else(|e| panic!("bad operator SURI {operator:?}: {e:?}"))
		.account()
		.to_ss58check();
	let run = bridge_async(vec![
		"server".into(),
		"register".into(),
		"--chain".into(),
		node.ws_url().to_string(),
		"--operator".into(),
		operator,
		"--server-key".into(),
		server_key.to_string(),
		"--satellite-key".into(),
		format!("0x{}", hex::encode(satellite_key)),
	])
	.await
	.success();
	run.last_line().parse().unwrap_or_else(|_| panic!("server register printed no id:\n{run}"))
}

/// Submits `txs` as a batch of `server_id` through the bridge's own `batch submit` (each
/// transaction a file in a temporary directory); `key` is the server key as `SCHEME:SURI`,
/// `operator` the operator's SURI. Waits for finality; returns the batch id.
pub async fn submit_batch(
	node: &Node,
	server_id: ServerId,
	key: &str,
	operator: &str,
	txs: &[&[u8]],
) -> BatchId {
	let dir = batch_dir(txs);
	// The server key from a file, as an operator should give it (not on the command line).
	let key_file = tempfile::NamedTempFile::new().expect("cannot make a key file");
	std::fs::write(key_file.path(), format!("{key}\n")).expect("cannot write the key file");
	let run = bridge_async(vec![
		"batch".into(),
		"submit".into(),
		"--chain".into(),
		node.ws_url().to_string(),
		"--server-id".into(),
		server_id.to_string(),
		"--key-file".into(),
		key_file.path().display().to_string(),
		"--operator".into(),
		operator.into(),
		dir.path().display().to_string(),
	])
	.await
	.success();
	parse_h256(run.last_line())
		.unwrap_or_else(|e| panic!("batch submit printed no batch id ({e}):\n{run}"))
}

/// A temporary directory holding `txs` as files `tx-000`, `tx-001`, … (the order
/// `batch submit DIR` reads them in).
pub fn batch_dir(txs: &[&[u8]]) -> tempfile::TempDir {
	let dir = tempfile::tempdir().expect("cannot make a temporary directory");
	for (i, tx) in txs.iter().enumerate() {
		std::fs::write(dir.path().join(format!("tx-{i:03}")), tx)
			.expect("cannot write a transaction");
	}
	dir
}
