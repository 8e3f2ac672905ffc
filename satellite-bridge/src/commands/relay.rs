//! `relay`: the ground-station daemon (see [`crate::relay`]).

use std::{future::Future, io::Write};

pub use crate::config::RelayArgs;
use crate::config::RelayConfig;

use super::CommandError;

/// Validates the flags, then relays until `shutdown` completes.
pub async fn run(
	args: RelayArgs,
	out: &mut impl Write,
	shutdown: impl Future<Output = ()>,
) -> Result<(), CommandError> {
	let config = RelayConfig::try_from(args)?;
	crate::relay::run(config, shutdown, None).await?;
	writeln!(out, "relay stopped")?;
	Ok(())
}
