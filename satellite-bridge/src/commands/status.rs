//! `status`: a running bridge's view of the chain, the link, the queue and each server, read
//! from its `/status`.

use clap::Args;
use std::{io::Write, net::SocketAddr};

use super::CommandError;
use crate::{config::DEFAULT_HTTP, http::StatusView};

/// Flags of `status`.
#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
	/// The bridge's `--http` address.
	#[arg(long, default_value = DEFAULT_HTTP)]
	pub http: SocketAddr,
	/// Print the JSON as the bridge serves it.
	#[arg(long)]
	pub json: bool,
}

/// Fetches and prints the status.
pub async fn run(args: StatusArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let url = format!("http://{}/status", args.http);
	let unreachable = |e: reqwest::Error| {
		CommandError::BadRequest(format!(
			"no bridge answers at {url}: {e} (is `relay --http {}` running?)",
			args.http
		))
	};
	let response = reqwest::get(&url).await.map_err(unreachable)?;
	let status: StatusView = response.json().await.map_err(unreachable)?;
	if args.json {
		writeln!(out, "{}", serde_json::to_string_pretty(&status).unwrap_or_default())?;
		return Ok(());
	}
	print(&status, out)?;
	Ok(())
}

/// The human-readable form.
pub fn print(status: &StatusView, out: &mut impl Write) -> std::io::Result<()> {
	match (status.finalized, status.best) {
		(Some(finalized), best) => writeln!(
			out,
			"chain     finalized #{finalized}, best #{}",
			best.map_or("?".into(), |b| b.to_string())
		)?,
		_ => writeln!(out, "chain     none (HTTP-only)")?,
	}
	let pass = match status.next_pass_seconds {
		Some(s) if s <= 0.0 => "in a pass".to_string(),
		Some(s) => format!("next pass in {s:.0} s"),
		None => "next pass unknown".to_string(),
	};
	writeln!(
		out,
		"link      {}, {pass}, {} in flight",
		if status.link_up { "up" } else { "down" },
		status.in_flight
	)?;
	if status.links.len() > 1 {
		for link in &status.links {
			let view = match (link.in_pass, link.change_in_seconds) {
				(true, Some(s)) => format!("in view for {s:.0} s"),
				(true, None) => "in view".to_string(),
				(false, Some(s)) => format!("next pass in {s:.0} s"),
				(false, None) => "next pass unknown".to_string(),
			};
			writeln!(
				out,
				"  {} (satellite {}) {}, {view}, {} countersigned",
				link.address,
				link.satellite.map_or("?".into(), |s| s.to_string()),
				if link.up { "up" } else { "down" },
				link.countersigned,
			)?;
		}
	}
	let stages: Vec<String> = status.stages.iter().map(|(k, v)| format!("{k} {v}")).collect();
	writeln!(
		out,
		"queue     {}",
		if stages.is_empty() { "empty".into() } else { stages.join(", ") }
	)?;
	if !status.refused.is_empty() {
		let refused: Vec<String> = status.refused.iter().map(|(k, v)| format!("{k} {v}")).collect();
		writeln!(out, "refused   {}", refused.join(", "))?;
	}
	if status.at_risk > 0 {
		writeln!(out, "at risk   {} batches will expire before the next pass", status.at_risk)?;
	}
	for (id, server) in &status.servers {
		writeln!(
			out,
			"server {id:<3} {} last sequence {}, pending on chain {}, open {}, certified {}, refused {}",
			match server.active {
				Some(true) => "active   ",
				Some(false) => "suspended",
				None => "?        ",
			},
			server.last_sequence.map_or("?".into(), |s| s.to_string()),
			server.pending_on_chain.map_or("?".into(), |s| s.to_string()),
			server.open,
			server.certified,
			server.refused,
		)?;
	}
	Ok(())
}
