//! The `relay` flags, parsed into domain types by clap and validated into a [`RelayConfig`]
//! before any work starts (ripgrep's low → high args).

use crate::{chain::AccountSigner, link::LinkConfig};
use clap::Args;
use sp_core::H256;
use space_notary_primitives::{ServerId, ServerKey};
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};
use url::Url;

/// The default address of the HTTP server (`/metrics`, `/status`, the ground-station API):
/// loopback, so that nothing is exposed unless an operator says so.
pub const DEFAULT_HTTP: &str = "127.0.0.1:9955";

/// Bad `relay` flags.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
	/// A flag's value is out of range or inconsistent with another.
	#[error("--{flag}: {why}")]
	Invalid {
		/// The flag.
		flag: &'static str,
		/// Why.
		why: String,
	},
}

/// The space node's address: `tcp://HOST:PORT` (or bare `HOST:PORT`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SatelliteAddr(pub String);

impl FromStr for SatelliteAddr {
	type Err = String;

	fn from_str(s: &str) -> Result<Self, Self::Err> {
		let rest = s.strip_prefix("tcp://").unwrap_or(s);
		let (host, port) =
			rest.rsplit_once(':').ok_or_else(|| format!("{s:?}: expected tcp://HOST:PORT"))?;
		if host.is_empty() || port.parse::<u16>().is_err() {
			return Err(format!("{s:?}: expected tcp://HOST:PORT"));
		}
		Ok(Self(rest.to_string()))
	}
}

/// Flags of `satellite-bridge relay`.
#[derive(Args, Debug, Clone)]
pub struct RelayArgs {
	/// The node's RPC endpoint. Without it the bridge follows no chain and relays only what the
	/// off-chain worker posts to its HTTP API.
	#[arg(long)]
	pub chain: Option<Url>,
	/// The space node: tcp://HOST:PORT. Repeat it for each satellite this station can reach
	/// (at most `MAX_SATELLITES_PER_SERVER`): one link each, and every batch goes to whichever
	/// comes into view first.
	#[arg(long = "satellite", required = true)]
	pub satellite: Vec<SatelliteAddr>,
	/// Directory of the durable queue (created if missing).
	#[arg(long)]
	pub data_dir: PathBuf,
	/// Serve `/metrics`, `/status` and the ground-station API on this address.
	#[arg(long, num_args = 0..=1, default_missing_value = DEFAULT_HTTP)]
	pub http: Option<SocketAddr>,
	/// The chain's genesis hash, for `Hello`; read from the chain when `--chain` is given.
	#[arg(long, value_parser = space_notary_primitives::text::parse_h256)]
	pub genesis_hash: Option<H256>,
	/// Sign requests in flight at once.
	#[arg(long, default_value_t = 32)]
	pub window: usize,
	/// Send the transactions with each request, for the satellite's root check: read from the
	/// node's off-chain index (an unsafe RPC method) with `--chain`; without it, taken from the
	/// posts, and a batch posted without them waits until it is posted with them.
	#[arg(long)]
	pub uplink_txs: bool,
	/// Submit countersignatures signed by this account (secret URI) instead of bare. Visible to
	/// every user of the machine in the process list: prefer `--signer-file`.
	#[arg(long, conflicts_with = "signer_file")]
	pub signer: Option<String>,
	/// Like `--signer`, the secret URI read from this file (first line).
	#[arg(long)]
	pub signer_file: Option<PathBuf>,
	/// HTTP-only mode: the servers whose posts are accepted, one per line `ID SCHEME:0xKEY`
	/// (the server key as `satellite-emulator provision --server-key` takes it); a post's server
	/// signature is checked under its key. With `--chain` the chain's registry is used instead.
	#[arg(long)]
	pub servers: Option<PathBuf>,
	/// Require `Authorization: Bearer TOKEN` on `/batches` (the token is the file's first line);
	/// the off-chain worker sends the token set in its off-chain storage.
	#[arg(long)]
	pub http_token_file: Option<PathBuf>,
	/// Host names the HTTP server answers besides IP addresses and `localhost` (a request whose
	/// `Host` or `Origin` names another host is refused: DNS rebinding). Repeatable.
	#[arg(long = "allowed-host")]
	pub allowed_hosts: Vec<String>,
	/// Most open batches posted to the API, in all.
	#[arg(long, default_value_t = 4096)]
	pub max_posted: usize,
	/// Most open batches posted to the API per server (the runtime's `MaxPendingPerServer`).
	#[arg(long, default_value_t = 64)]
	pub max_posted_per_server: usize,
	/// Most transactions in a posted batch, HTTP-only (with `--chain`, the chain's bound).
	#[arg(long, default_value_t = 1024)]
	pub max_batch_txs: u32,
	/// Most bytes in a posted batch, HTTP-only (with `--chain`, the chain's bound).
	#[arg(long, default_value_t = 1024 * 1024)]
	pub max_batch_bytes: u64,
	/// First wait before asking the satellite again for a batch it refused or answered with a
	/// countersignature that does not verify, milliseconds; doubles up to `--reask-max-ms`.
	#[arg(long, default_value_t = 30_000)]
	pub reask_min_ms: u64,
	/// Longest wait between two asks for one batch, milliseconds.
	#[arg(long, default_value_t = 600_000)]
	pub reask_max_ms: u64,
	/// Seconds a certified, expired or superseded batch is kept (for `GET /batches/{id}` and
	/// the status) before it is removed from memory and disk.
	#[arg(long, default_value_t = 3_600)]
	pub retention_secs: u64,
	/// Seconds after which a posted batch that the chain does not hold (or, HTTP-only, any
	/// batch) is removed: longer than the chain's TTL and the satellite's freshness window.
	#[arg(long, default_value_t = 86_400)]
	pub max_age_secs: u64,
	/// Most simultaneous HTTP connections; more are closed at once.
	#[arg(long, default_value_t = 256)]
	pub http_max_connections: usize,
	/// Most simultaneous console event streams (`/events`); more get `503`.
	#[arg(long, default_value_t = 16)]
	pub http_max_event_streams: usize,
	/// Finalized blocks to wait for a submitted countersignature before submitting it again.
	#[arg(long, default_value_t = 3)]
	pub resubmit_after: u64,
	/// Longest pause a `Busy` answer can impose, milliseconds.
	#[arg(long, default_value_t = 5_000)]
	pub busy_cap_ms: u64,
	/// How often to ask the satellite for its status, milliseconds.
	#[arg(long, default_value_t = 5_000)]
	pub status_every_ms: u64,
	/// Smallest retransmission timeout, milliseconds.
	#[arg(long, default_value_t = 1_000)]
	pub rto_min_ms: u64,
	/// Largest retransmission timeout, milliseconds.
	#[arg(long, default_value_t = 60_000)]
	pub rto_max_ms: u64,
}

/// A validated relay configuration.
#[derive(Clone, Debug)]
pub struct RelayConfig {
	/// The node, if any.
	pub chain: Option<Url>,
	/// Genesis hash given on the command line (checked against the chain's when both exist).
	pub genesis_hash: Option<H256>,
	/// Each satellite link's settings, in `--satellite` order (the genesis hash is filled in
	/// once the chain is known).
	pub links: Vec<LinkConfig>,
	/// The queue's directory.
	pub data_dir: PathBuf,
	/// The HTTP server's address.
	pub http: Option<SocketAddr>,
	/// Full mode.
	pub uplink_txs: bool,
	/// Signed submissions.
	pub signer: Option<AccountSigner>,
	/// Blocks before a resubmission.
	pub resubmit_after: u64,
	/// HTTP-only: the servers accepted and their keys (`None`: posts not authenticated).
	pub servers: Option<BTreeMap<ServerId, ServerKey>>,
	/// The HTTP server's limits and access rules.
	pub http_limits: HttpLimits,
	/// Bounds on what the API takes on.
	pub posted: PostedLimits,
	/// Asking again: first and longest wait.
	pub reask: (Duration, Duration),
	/// Keeping final entries.
	pub retention: Duration,
	/// Keeping posted entries the chain does not hold.
	pub max_age: Duration,
}

/// Bounds on the batches posted to the API (HTTP-only; with `--chain` the chain's own bounds on
/// transactions apply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostedLimits {
	/// Open posted batches in all.
	pub total: usize,
	/// Open posted batches per server.
	pub per_server: usize,
	/// Transactions in a batch.
	pub max_txs: u32,
	/// Bytes in a batch.
	pub max_bytes: u64,
}

/// The HTTP server's limits and access rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpLimits {
	/// Bearer token required on `/batches`.
	pub token: Option<String>,
	/// Host names answered besides IP addresses and `localhost`.
	pub allowed_hosts: Vec<String>,
	/// Simultaneous connections.
	pub max_connections: usize,
	/// Simultaneous `/events` streams.
	pub max_event_streams: usize,
	/// Time to read a request's headers (and, between requests, how long an idle connection is
	/// kept).
	pub header_timeout: Duration,
	/// Time to read a request's body and answer it (every route but `/events`).
	pub request_timeout: Duration,
}

impl Default for HttpLimits {
	fn default() -> Self {
		Self {
			token: None,
			allowed_hosts: Vec::new(),
			max_connections: 256,
			max_event_streams: 16,
			header_timeout: Duration::from_secs(10),
			request_timeout: Duration::from_secs(30),
		}
	}
}

/// A secret's first line from `path`, trimmed; the error names the file, never its content.
pub fn read_secret_line(path: &std::path::Path) -> Result<String, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	let line = text.lines().next().unwrap_or_default().trim();
	if line.is_empty() {
		return Err(format!("{} is empty", path.display()));
	}
	Ok(line.to_owned())
}

/// [`read_secret_line`] for `flag`, refused as [`ConfigError::Invalid`].
fn read_secret(flag: &'static str, path: &std::path::Path) -> Result<String, ConfigError> {
	read_secret_line(path).map_err(|why| ConfigError::Invalid { flag, why })
}

/// Parses a `--servers` file: one `ID SCHEME:0xKEY` per line; blank lines and `#` comments
/// ignored.
pub fn parse_servers(text: &str) -> Result<BTreeMap<ServerId, ServerKey>, String> {
	let mut servers = BTreeMap::new();
	for (n, line) in text.lines().enumerate() {
		let line = line.split('#').next().unwrap_or_default().trim();
		if line.is_empty() {
			continue;
		}
		let (id, key) = line
			.split_once(char::is_whitespace)
			.ok_or_else(|| format!("line {}: expected `ID SCHEME:0xKEY`", n + 1))?;
		let id: ServerId =
			id.parse().map_err(|_| format!("line {}: {id:?} is not a server id", n + 1))?;
		let key = key.parse::<ServerKey>().map_err(|e| format!("line {}: {e}", n + 1))?;
		if servers.insert(id, key).is_some() {
			return Err(format!("line {}: server {id} listed twice", n + 1));
		}
	}
	Ok(servers)
}

impl TryFrom<RelayArgs> for RelayConfig {
	type Error = ConfigError;

	fn try_from(args: RelayArgs) -> Result<Self, Self::Error> {
		let invalid = |flag, why: &str| ConfigError::Invalid { flag, why: why.to_string() };
		if args.chain.is_none() && args.genesis_hash.is_none() {
			return Err(invalid("genesis-hash", "required without --chain (HTTP-only mode)"));
		}
		if let Some(chain) = &args.chain {
			if !matches!(chain.scheme(), "ws" | "wss") {
				return Err(invalid("chain", "expected a ws:// or wss:// URL"));
			}
		}
		if args.chain.is_none() && args.signer.is_some() {
			return Err(invalid("chain", "--signer needs a chain"));
		}
		if args.chain.is_none() && args.http.is_none() {
			return Err(invalid(
				"http",
				"without --chain the bridge relays only what is posted to its HTTP API",
			));
		}
		if !(1..=1024).contains(&args.window) {
			return Err(invalid("window", "between 1 and 1024"));
		}
		if args.resubmit_after == 0 {
			return Err(invalid("resubmit-after", "at least one block"));
		}
		if args.rto_min_ms == 0 || args.rto_min_ms > args.rto_max_ms {
			return Err(invalid("rto-min-ms", "above zero and not above --rto-max-ms"));
		}
		if args.status_every_ms < 100 {
			return Err(invalid("status-every-ms", "at least 100"));
		}
		if args.chain.is_none() && args.signer_file.is_some() {
			return Err(invalid("chain", "--signer-file needs a chain"));
		}
		if args.reask_min_ms == 0 || args.reask_min_ms > args.reask_max_ms {
			return Err(invalid("reask-min-ms", "above zero and not above --reask-max-ms"));
		}
		if args.max_posted == 0 || args.max_posted_per_server == 0 {
			return Err(invalid("max-posted", "at least one batch"));
		}
		if args.http_max_connections < 2 || args.http_max_event_streams == 0 {
			return Err(invalid("http-max-connections", "at least two connections, one stream"));
		}
		let (suri, flag) = match (&args.signer, &args.signer_file) {
			(Some(suri), _) => (Some(suri.clone()), "signer"),
			(None, Some(path)) => (Some(read_secret("signer-file", path)?), "signer-file"),
			(None, None) => (None, "signer"),
		};
		let signer = match suri {
			None => None,
			Some(suri) => Some(
				AccountSigner::from_suri(&suri)
					.map_err(|_| invalid(flag, "not a secret URI of an sr25519 account"))?,
			),
		};
		let servers = match &args.servers {
			None => None,
			Some(path) => {
				let text = std::fs::read_to_string(path).map_err(|e| {
					invalid("servers", &format!("cannot read {}: {e}", path.display()))
				})?;
				Some(parse_servers(&text).map_err(|e| invalid("servers", &e))?)
			},
		};
		let token = match &args.http_token_file {
			None => None,
			Some(path) => Some(read_secret("http-token-file", path)?),
		};
		let max_links = space_notary_primitives::MAX_SATELLITES_PER_SERVER as usize;
		if args.satellite.len() > max_links {
			return Err(invalid(
				"satellite",
				&format!(
					"{} given; a server has at most {max_links} satellites",
					args.satellite.len()
				),
			));
		}
		let mut links: Vec<LinkConfig> = Vec::with_capacity(args.satellite.len());
		for address in args.satellite {
			if links.iter().any(|l| l.address == address.0) {
				return Err(invalid("satellite", &format!("{} is given twice", address.0)));
			}
			let mut link = LinkConfig::new(address.0, args.genesis_hash.unwrap_or_default());
			link.window = args.window;
			link.rto_min = Duration::from_millis(args.rto_min_ms);
			link.rto_max = Duration::from_millis(args.rto_max_ms);
			link.busy_cap = Duration::from_millis(args.busy_cap_ms);
			link.status_every = Duration::from_millis(args.status_every_ms);
			links.push(link);
		}
		Ok(Self {
			chain: args.chain,
			genesis_hash: args.genesis_hash,
			links,
			data_dir: args.data_dir,
			http: args.http,
			uplink_txs: args.uplink_txs,
			signer,
			resubmit_after: args.resubmit_after,
			servers,
			http_limits: HttpLimits {
				token,
				allowed_hosts: args.allowed_hosts,
				max_connections: args.http_max_connections,
				max_event_streams: args.http_max_event_streams,
				..HttpLimits::default()
			},
			posted: PostedLimits {
				total: args.max_posted,
				per_server: args.max_posted_per_server,
				max_txs: args.max_batch_txs,
				max_bytes: args.max_batch_bytes,
			},
			reask: (
				Duration::from_millis(args.reask_min_ms),
				Duration::from_millis(args.reask_max_ms),
			),
			retention: Duration::from_secs(args.retention_secs),
			max_age: Duration::from_secs(args.max_age_secs),
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	#[derive(Parser)]
	struct Cli {
		#[command(flatten)]
		args: RelayArgs,
	}

	fn parse(flags: &[&str]) -> Result<RelayConfig, String> {
		let cli = Cli::try_parse_from(std::iter::once("relay").chain(flags.iter().copied()))
			.map_err(|e| e.to_string())?;
		RelayConfig::try_from(cli.args).map_err(|e| e.to_string())
	}

	#[test]
	fn flags_become_a_config_or_a_named_refusal() {
		let ok = parse(&[
			"--chain",
			"ws://127.0.0.1:9944",
			"--satellite",
			"tcp://127.0.0.1:7700",
			"--data-dir",
			"d",
		])
		.unwrap();
		assert_eq!(ok.links.len(), 1);
		assert_eq!(ok.links[0].address, "127.0.0.1:7700");
		assert_eq!(ok.links[0].window, 32);
		assert!(ok.http.is_none());
		let with_http =
			parse(&["--chain", "ws://x:1", "--satellite", "h:1", "--data-dir", "d", "--http"])
				.unwrap();
		assert_eq!(with_http.http, Some(DEFAULT_HTTP.parse().unwrap()));
		let two = parse(&[
			"--chain",
			"ws://x:1",
			"--satellite",
			"h:1",
			"--satellite",
			"h:2",
			"--data-dir",
			"d",
		])
		.unwrap();
		let addresses: Vec<_> = two.links.iter().map(|l| l.address.as_str()).collect();
		assert_eq!(addresses, ["h:1", "h:2"], "one link per satellite, in order");

		let refusals: &[(&[&str], &str)] = &[
			(
				&["--chain", "ws://x:1", "--satellite", "udp:/x", "--data-dir", "d"],
				"tcp://HOST:PORT",
			),
			(&["--chain", "http://x:1", "--satellite", "h:1", "--data-dir", "d"], "--chain"),
			(&["--chain", "ws://x:1", "--data-dir", "d"], "--satellite"),
			(
				&[
					"--chain",
					"ws://x:1",
					"--satellite",
					"h:1",
					"--satellite",
					"tcp://h:1",
					"--data-dir",
					"d",
				],
				"given twice",
			),
			(&["--satellite", "h:1", "--data-dir", "d", "--http"], "--genesis-hash"),
			(
				&["--chain", "ws://x:1", "--satellite", "h:1", "--data-dir", "d", "--window", "0"],
				"--window",
			),
			(
				&[
					"--chain",
					"ws://x:1",
					"--satellite",
					"h:1",
					"--data-dir",
					"d",
					"--signer",
					"not a suri",
				],
				"--signer",
			),
		];
		for (flags, expected) in refusals {
			let error = parse(flags).unwrap_err();
			assert!(error.contains(expected), "{flags:?}: {error}");
		}
	}

	#[test]
	fn secrets_come_from_files_and_are_never_echoed() {
		let dir = tempfile::tempdir().unwrap();
		let secret = dir.path().join("signer");
		std::fs::write(&secret, "//Alice\n").unwrap();
		let base = ["--chain", "ws://x:1", "--satellite", "h:1", "--data-dir", "d"];
		let path = secret.to_str().unwrap();
		let ok = parse(&[&base[..], &["--signer-file", path]].concat()).unwrap();
		assert!(ok.signer.is_some());
		std::fs::write(&secret, "not a secret uri at all\n").unwrap();
		let error = parse(&[&base[..], &["--signer-file", path]].concat()).unwrap_err();
		assert!(error.contains("--signer-file") && !error.contains("not a secret uri"), "{error}");
	}

	#[test]
	fn a_servers_file_lists_keys_by_id() {
		let alice = "sr25519://Alice".parse::<crate::keys::ServerPair>().unwrap().public();
		let servers =
			parse_servers(&format!("# id key\n0 {alice}\n\n7  {alice} # again\n")).unwrap();
		assert_eq!(servers.keys().copied().collect::<Vec<_>>(), vec![0, 7]);
		assert!(parse_servers(&format!("0 {alice}\n0 {alice}")).unwrap_err().contains("twice"));
		assert!(parse_servers("x sr25519:0x00").unwrap_err().contains("line 1"));
		assert!(parse_servers("1").unwrap_err().contains("ID SCHEME"));
	}
}
