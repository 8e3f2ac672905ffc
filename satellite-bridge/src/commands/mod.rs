//! The CLI's commands, one module each, each with a `run(args, out)` that prints to `out`.
//!
//! Exit codes, as the emulator's: 0 ok, 2 a bad request (bad flags, an unknown server or batch,
//! a call the chain refuses by a pallet error), 1 a failure while doing it (node unreachable,
//! I/O).

pub mod batch;
pub mod receipt;
pub mod relay;
pub mod secrets;
pub mod server;
pub mod status;

use crate::{chain::ChainError, config::ConfigError, relay::RelayError};
use clap::Args;
use url::Url;

/// The default node RPC endpoint: the dev chain on this machine.
pub const DEFAULT_CHAIN: &str = "ws://127.0.0.1:9944";

/// The node to talk to.
#[derive(Args, Debug, Clone)]
pub struct ChainArgs {
	/// The node's RPC endpoint.
	#[arg(long, default_value = DEFAULT_CHAIN)]
	pub chain: Url,
}

/// A command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
	/// Bad flags.
	#[error(transparent)]
	Config(#[from] ConfigError),
	/// Talking to the chain failed.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The relay failed.
	#[error(transparent)]
	Relay(#[from] RelayError),
	/// The request names something that does not exist or cannot be done.
	#[error("{0}")]
	BadRequest(String),
	/// The chain refused the call with a pallet error.
	#[error("the chain refused {call}: {error}{}", if docs.is_empty() { String::new() } else { format!(" ({docs})") })]
	Refused {
		/// The call.
		call: String,
		/// The pallet error's name (or the pool's reason).
		error: String,
		/// The pallet error's docs.
		docs: String,
	},
	/// A file could not be read.
	#[error("cannot read {path}: {source}")]
	Read {
		/// The file.
		path: std::path::PathBuf,
		/// Why.
		source: std::io::Error,
	},
	/// Writing the output failed.
	#[error("cannot write output: {0}")]
	Output(#[from] std::io::Error),
}

impl CommandError {
	/// The process exit code: 2 for a bad request, 1 for a failure.
	pub fn exit_code(&self) -> u8 {
		match self {
			Self::Config(_) | Self::BadRequest(_) | Self::Refused { .. } => 2,
			Self::Relay(RelayError::Config(_)) => 2,
			_ => 1,
		}
	}
}
