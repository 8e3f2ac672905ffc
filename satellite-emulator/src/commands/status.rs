//! `status`: asks a running emulator for its telemetry over the space link.

use clap::Args;
use space_notary_primitives::link::Telemetry;
use std::{io::Write, net::SocketAddr, time::Duration};

use super::CommandError;
use crate::{client::LinkClient, telemetry::reason_label};

/// Flags of `status`.
#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
	/// The emulator's link address.
	#[arg(long, default_value = "127.0.0.1:7700")]
	pub connect: SocketAddr,
	/// Wait for an answer this long after each request, milliseconds.
	#[arg(long, default_value_t = 2000)]
	pub timeout_ms: u64,
	/// Requests to send before giving up (the link may lose some).
	#[arg(long, default_value_t = 3)]
	pub attempts: u32,
}

/// Prints the telemetry, one `name: value` per line.
pub async fn run(args: StatusArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let mut client = LinkClient::connect(args.connect).await?;
	let telemetry =
		client.status(args.attempts.max(1), Duration::from_millis(args.timeout_ms)).await?;
	print_telemetry(&telemetry, out)?;
	Ok(())
}

/// Writes `telemetry` as `name: value` lines.
pub fn print_telemetry(t: &Telemetry, out: &mut impl Write) -> std::io::Result<()> {
	writeln!(out, "signed: {}", t.signed)?;
	let refused: u64 = t.refused.iter().map(|(_, n)| n).sum();
	writeln!(out, "refused: {refused}")?;
	for (reason, count) in &t.refused {
		writeln!(out, "refused.{}: {count}", reason_label(*reason))?;
	}
	writeln!(out, "frames_dropped: {}", t.frames_dropped)?;
	writeln!(out, "frames_corrupted: {}", t.frames_corrupted)?;
	writeln!(out, "bytes_up: {}", t.bytes_up)?;
	writeln!(out, "bytes_down: {}", t.bytes_down)?;
	writeln!(out, "in_pass: {}", t.in_pass)?;
	if t.pass_change_in_ms == u64::MAX {
		writeln!(out, "pass_change_in_ms: never")?;
	} else {
		writeln!(out, "pass_change_in_ms: {}", t.pass_change_in_ms)?;
	}
	Ok(())
}
