//! The `relay` flags, parsed into domain types by clap and validated into a [`RelayConfig`]
//! before any work starts (ripgrep's low → high args).

use crate::{chain::AccountSigner, link::LinkConfig};
use clap::Args;
use sp_core::H256;
use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};
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
	/// The space node: tcp://HOST:PORT.
	#[arg(long)]
	pub satellite: SatelliteAddr,
	/// Directory of the durable queue (created if missing).
	#[arg(long)]
	pub data_dir: PathBuf,
	/// Serve `/metrics`, `/status` and the ground-station API on this address.
	#[arg(long, num_args = 0..=1, default_missing_value = DEFAULT_HTTP)]
	pub http: Option<SocketAddr>,
	/// The chain's genesis hash, for `Hello`; read from the chain when `--chain` is given.
	#[arg(long, value_parser = crate::keys::parse_h256)]
	pub genesis_hash: Option<H256>,
	/// Sign requests in flight at once.
	#[arg(long, default_value_t = 32)]
	pub window: usize,
	/// Send the transactions with each request, for the satellite's root check: read from the
	/// node's off-chain index (an unsafe RPC method) with `--chain`; without it, taken from the
	/// posts, and a batch posted without them waits until it is posted with them.
	#[arg(long)]
	pub uplink_txs: bool,
	/// Submit countersignatures signed by this account (secret URI) instead of bare.
	#[arg(long)]
	pub signer: Option<String>,
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
	/// The link client's settings (its genesis hash is filled in once the chain is known).
	pub link: LinkConfig,
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
		let signer = match &args.signer {
			None => None,
			Some(suri) => Some(
				AccountSigner::from_suri(suri)
					.map_err(|_| invalid("signer", "not a secret URI of an sr25519 account"))?,
			),
		};
		let mut link = LinkConfig::new(args.satellite.0, args.genesis_hash.unwrap_or_default());
		link.window = args.window;
		link.rto_min = Duration::from_millis(args.rto_min_ms);
		link.rto_max = Duration::from_millis(args.rto_max_ms);
		link.busy_cap = Duration::from_millis(args.busy_cap_ms);
		link.status_every = Duration::from_millis(args.status_every_ms);
		Ok(Self {
			chain: args.chain,
			genesis_hash: args.genesis_hash,
			link,
			data_dir: args.data_dir,
			http: args.http,
			uplink_txs: args.uplink_txs,
			signer,
			resubmit_after: args.resubmit_after,
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
		assert_eq!(ok.link.address, "127.0.0.1:7700");
		assert_eq!(ok.link.window, 32);
		assert!(ok.http.is_none());
		let with_http =
			parse(&["--chain", "ws://x:1", "--satellite", "h:1", "--data-dir", "d", "--http"])
				.unwrap();
		assert_eq!(with_http.http, Some(DEFAULT_HTTP.parse().unwrap()));

		let refusals: &[(&[&str], &str)] = &[
			(
				&["--chain", "ws://x:1", "--satellite", "udp:/x", "--data-dir", "d"],
				"tcp://HOST:PORT",
			),
			(&["--chain", "http://x:1", "--satellite", "h:1", "--data-dir", "d"], "--chain"),
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
}
