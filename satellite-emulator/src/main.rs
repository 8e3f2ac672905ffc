//! `satellite-emulator`: the Space Notary space node on a simulated radio link.

use anyhow::Context;
use clap::{Parser, Subcommand};
use satellite_emulator::{
	commands::{
		self,
		passes::PassesArgs,
		provision::{ProvisionArgs, ReprovisionArgs, RotateKeyArgs},
		status::StatusArgs,
		CommandError,
	},
	config::RunArgs,
};
use std::{io::Write, process::ExitCode};

/// The Space Notary space node on a simulated radio link.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Make a server's satellite key and record its server key; prints the satellite key.
	Provision(ProvisionArgs),
	/// Record a new server key for a provisioned server (satellite key unchanged).
	///
	/// Pending batches signed with the replaced key are refused unless --previous-key-until
	/// keeps that key valid up to the server's last sequence on chain at the rotation.
	Reprovision(ReprovisionArgs),
	/// Replace a server's satellite key (the old one is archived); prints the new key.
	RotateKey(RotateKeyArgs),
	/// Serve the space link.
	Run(Box<RunArgs>),
	/// Print a running emulator's telemetry.
	Status(StatusArgs),
	/// Print upcoming passes over a ground station.
	Passes(PassesArgs),
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
	match command {
		Command::Provision(args) => commands::provision::provision(args, &mut out)?,
		Command::Reprovision(args) => commands::provision::reprovision(args, &mut out)?,
		Command::RotateKey(args) => commands::provision::rotate_key(args, &mut out)?,
		Command::Passes(args) => commands::passes::run(args, &mut out)?,
		Command::Status(args) => runtime()?.block_on(commands::status::run(args, &mut out))?,
		Command::Run(args) => {
			runtime()?.block_on(commands::run::run(*args, &mut out, shutdown_signal()))?
		},
	}
	out.flush()?;
	Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
	tokio::runtime::Builder::new_multi_thread()
		.enable_all()
		.build()
		.context("cannot start the async runtime")
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
