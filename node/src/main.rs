//! # Space Notary node
//!
//! A solochain node (Aura + GRANDPA) carrying the Space Notary runtime: `--dev` runs one
//! finalizing authority; `--chain local --alice` / `--bob` form a two-validator network.
//!
//! # Layout
//!
//! - `cli`: the command line, sc-cli's run command and the standard subcommands.
//! - `command`: what each subcommand does.
//! - `chain_spec`: the `dev` and `local` chain specifications, from the runtime's presets.
//! - `service`: the client, the import queue, authoring, finality and off-chain workers.
//! - `rpc`: the node's RPC methods beyond sc-rpc's.

// sc-cli's subcommands return `sc_cli::Error`, a large enum that is not ours to box.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
