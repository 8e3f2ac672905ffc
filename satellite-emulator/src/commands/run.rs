//! `run`: the emulator daemon.

use std::{future::Future, io::Write};
use tokio::net::TcpListener;

use super::CommandError;
use crate::{
	config::{EmulatorConfig, RunArgs},
	server::{self, ServerError},
};

/// Validates the flags, binds, prints the address, and serves until `shutdown`.
pub async fn run(
	args: RunArgs,
	out: &mut impl Write,
	shutdown: impl Future,
) -> Result<(), CommandError> {
	let addrs = args.listen.clone();
	let config = EmulatorConfig::from_args(args)?;
	let mut listeners = Vec::with_capacity(addrs.len());
	for addr in addrs {
		let listener =
			TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?;
		// One line per station, station 0 first (scripts read the first).
		writeln!(out, "listening on {}", listener.local_addr()?)?;
		listeners.push(listener);
	}
	out.flush()?;
	server::run_stations_bound(config, listeners, shutdown).await?;
	Ok(())
}
