//! `relay`: the ground-station daemon (see [`crate::relay`]).

use std::{future::Future, io::Write};

pub use crate::config::RelayArgs;
use crate::{config::RelayConfig, relay::RelayError};

use super::CommandError;

/// Validates the flags, then relays until `shutdown` completes.
pub async fn run(
	args: RelayArgs,
	out: &mut impl Write,
	shutdown: impl Future<Output = ()>,
) -> Result<(), CommandError> {
	let config = RelayConfig::try_from(args)?;
	let listener = match config.http {
		None => None,
		Some(addr) => Some(
			tokio::net::TcpListener::bind(addr)
				.await
				.map_err(|source| RelayError::Http { addr, source })?,
		),
	};
	crate::relay::run(config, listener, shutdown).await?;
	writeln!(out, "relay stopped")?;
	Ok(())
}
