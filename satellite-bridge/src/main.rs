//! `satellite-bridge`: Space Notary's ground station and the operator's command line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use satellite_bridge::commands::{self, batch::BatchCommand, server::ServerCommand, CommandError};
use std::{io::Write, process::ExitCode};

/// Space Notary's ground station: relays batches to the space node and countersignatures back.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Relay pending batches to the satellite and countersignatures to the chain.
	Relay(Box<commands::relay::RelayArgs>),
	/// Register and manage ground servers (registrar and operator calls).
	#[command(subcommand)]
	Server(ServerCommand),
	/// Submit batches, show their status, make and check inclusion proofs.
	#[command(subcommand)]
	Batch(BatchCommand),
	/// Receipts: proof that a transaction was certified, which anyone can check offline.
	#[command(subcommand)]
	Receipt(commands::receipt::ReceiptCommand),
	/// Chain head and finality, the link, the queue, per server, from a running bridge.
	Status(commands::status::StatusArgs),
}

fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.with_writer(std::io::stderr)
		.init();
	let cli = Cli::parse();
	match execute(cli.command) {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("error: {error:#}");
			let code = error.downcast_ref::<CommandError>().map_or(1, CommandError::exit_code);
			ExitCode::from(code)
		},
	}
}

fn execute(command: Command) -> anyhow::Result<()> {
	let stdout = std::io::stdout();
	let mut out = stdout.lock();
	let runtime = tokio::runtime::Builder::new_multi_thread()
		.enable_all()
		.build()
		.context("cannot start the async runtime")?;
	match command {
		Command::Relay(args) => {
			runtime.block_on(commands::relay::run(*args, &mut out, shutdown_signal()))?
		},
		Command::Server(command) => runtime.block_on(commands::server::run(command, &mut out))?,
		Command::Batch(command) => runtime.block_on(commands::batch::run(command, &mut out))?,
		Command::Receipt(command) => runtime.block_on(commands::receipt::run(command, &mut out))?,
		Command::Status(args) => runtime.block_on(commands::status::run(args, &mut out))?,
	}
	out.flush()?;
	Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
	let ctrl_c = tokio::signal::ctrl_c();
	match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
		Ok(mut term) => {
			tokio::select! {
				_ = ctrl_c => {},
				_ = term.recv() => {},
			}
		},
		Err(_) => {
			let _ = ctrl_c.await;
		},
	}
}
