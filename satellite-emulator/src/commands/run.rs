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
	let addr = args.listen;
	let config = EmulatorConfig::from_args(args)?;
	let listener =
		TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?;
	writeln!(out, "listening on {}", listener.local_addr()?)?;
	out.flush()?;
	server::run(config, listener, shutdown).await?;
	Ok(())
}
