//! `server …`: register ground servers and manage them (the registrar's calls, through
//! `Sudo.sudo` on a dev chain), and show one as the chain has it.
//!
//! Every change waits until its block is finalized. `register` prints the new server id alone on
//! its last line; `show` prints `key: value` lines. A call the chain refuses is reported by its
//! pallet error's name and docs (exit 2), also when `Sudo.sudo` dispatched it: sudo succeeds
//! when its inner call fails, so the bridge reads the inner result from `Sudo::Sudid`.

use clap::{Args, Subcommand};
use sp_core::crypto::{AccountId32, Ss58Codec};
use space_notary_primitives::{
	text::parse_satellite_key, SatelliteId, SatelliteKey, ServerId, ServerKey,
};
use std::io::Write;

use super::{
	secrets::{ServerPairArgs, SudoArgs},
	ChainArgs, CommandError,
};
use crate::{
	chain::{self, AccountSigner, Call, Chain, ChainError, Included, ServerInfoOf},
	keys::{parse_account, ServerPair},
};
use space_notary_primitives::records::ServerStatus;

/// `server` subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum ServerCommand {
	/// Register a ground server (registrar, through Sudo.sudo); prints its new id on the last
	/// line.
	Register(Box<RegisterArgs>),
	/// Show a server at the finalized block: operator, keys, status, last batch, pending
	/// batches.
	Show(ShowArgs),
	/// Replace the key one of a server's satellites holds for it (registrar, through
	/// Sudo.sudo).
	SetSatelliteKey(Box<SetSatelliteKeyArgs>),
	/// Add a satellite to a server, with the key it holds for that server (registrar, through
	/// Sudo.sudo).
	AddSatellite(Box<SetSatelliteKeyArgs>),
	/// Remove a satellite from a server (registrar, through Sudo.sudo).
	RemoveSatellite(Box<SatelliteArgs>),
	/// Set how many distinct satellites must countersign a server's batch (registrar, through
	/// Sudo.sudo).
	SetQuorum(Box<QuorumArgs>),
	/// Suspend a server: no new batches, no certification (registrar, through Sudo.sudo).
	Suspend(Box<RegistrarArgs>),
	/// Resume a suspended server (registrar, through Sudo.sudo).
	Resume(Box<RegistrarArgs>),
	/// Print the public key of a server key pair as `register` and `satellite-emulator
	/// provision` take it (`scheme:0x…`). Offline.
	Key(Box<KeyArgs>),
}

/// Flags of `server key`.
#[derive(Args, Debug, Clone)]
pub struct KeyArgs {
	/// The server's key pair.
	#[command(flatten)]
	pub key: ServerPairArgs,
}

/// Flags of `server register`.
#[derive(Args, Debug, Clone)]
pub struct RegisterArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The account that will submit the server's batches (SS58 or 0x + 64 hex digits).
	#[arg(long, value_parser = parse_account)]
	pub operator: AccountId32,
	/// The server's public key: sr25519:0x…, ed25519:0x… or ecdsa:0x… (33 bytes).
	#[arg(long, required_unless_present = "server_suri")]
	pub server_key: Option<ServerKey>,
	/// The server's key pair as SCHEME:SURI (e.g. ed25519://Server1): its public key is
	/// registered. For dev chains and tests; instead of --server-key.
	#[arg(long, conflicts_with = "server_key")]
	pub server_suri: Option<ServerPair>,
	/// The number of the satellite that serves the server (the constellation's number for it,
	/// as `satellite-emulator run --satellite-id` has it).
	#[arg(long, default_value_t = 0)]
	pub satellite_id: SatelliteId,
	/// The satellite's public key for this server (0x + 64 hex digits), as
	/// `satellite-emulator provision` prints it.
	#[arg(long, value_parser = parse_satellite_key)]
	pub satellite_key: SatelliteKey,
	/// The sudo account.
	#[command(flatten)]
	pub sudo: SudoArgs,
}

/// Flags of `server show`.
#[derive(Args, Debug, Clone)]
pub struct ShowArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The server's id.
	pub server_id: ServerId,
}

/// Flags of `server set-satellite-key` and `server add-satellite`.
#[derive(Args, Debug, Clone)]
pub struct SetSatelliteKeyArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The server's id.
	pub server_id: ServerId,
	/// The satellite's public key for this server (0x + 64 hex digits).
	#[arg(value_parser = parse_satellite_key)]
	pub satellite_key: SatelliteKey,
	/// The satellite's number.
	#[arg(long, default_value_t = 0)]
	pub satellite_id: SatelliteId,
	/// The sudo account.
	#[command(flatten)]
	pub sudo: SudoArgs,
}

/// Flags of `server remove-satellite`.
#[derive(Args, Debug, Clone)]
pub struct SatelliteArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The server's id.
	pub server_id: ServerId,
	/// The satellite's number.
	#[arg(long)]
	pub satellite_id: SatelliteId,
	/// The sudo account.
	#[command(flatten)]
	pub sudo: SudoArgs,
}

/// Flags of `server set-quorum`.
#[derive(Args, Debug, Clone)]
pub struct QuorumArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The server's id.
	pub server_id: ServerId,
	/// Distinct satellites a batch needs: 1 to the server's number of satellites.
	pub quorum: u32,
	/// The sudo account.
	#[command(flatten)]
	pub sudo: SudoArgs,
}

/// Flags of `server suspend` and `server resume`.
#[derive(Args, Debug, Clone)]
pub struct RegistrarArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The server's id.
	pub server_id: ServerId,
	/// The sudo account.
	#[command(flatten)]
	pub sudo: SudoArgs,
}

/// Runs a `server` subcommand.
pub async fn run(command: ServerCommand, out: &mut impl Write) -> Result<(), CommandError> {
	match command {
		ServerCommand::Register(args) => register(*args, out).await,
		ServerCommand::Show(args) => show(args, out).await,
		ServerCommand::SetSatelliteKey(args) => set_satellite_key(*args, false, out).await,
		ServerCommand::AddSatellite(args) => set_satellite_key(*args, true, out).await,
		ServerCommand::RemoveSatellite(args) => remove_satellite(*args, out).await,
		ServerCommand::SetQuorum(args) => set_quorum(*args, out).await,
		ServerCommand::Suspend(args) => set_status(*args, true, out).await,
		ServerCommand::Resume(args) => set_status(*args, false, out).await,
		ServerCommand::Key(args) => {
			writeln!(out, "{}", args.key.pair()?.public())?;
			Ok(())
		},
	}
}

/// `server register`.
pub async fn register(args: RegisterArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let server_key = match (args.server_key, args.server_suri) {
		(Some(key), _) => key,
		(None, Some(pair)) => pair.public(),
		(None, None) => {
			return Err(CommandError::BadRequest("give --server-key or --server-suri".into()))
		},
	};
	let chain = Chain::connect(&args.chain.chain).await?;
	let call = Call::space_notary(
		"register_server",
		(&args.operator, &server_key, args.satellite_id, &args.satellite_key),
	)
	.through_sudo();
	let included = submit(&chain, &call, &args.sudo.signer()?).await?;
	let server_id: ServerId =
		included.event(chain::PALLET, "ServerRegistered")?.ok_or_else(|| {
			ChainError::NotSpaceNotary("ServerRegistered event after register_server".into())
		})?;
	writeln!(
		out,
		"server {server_id} registered in block {:?}: operator {}, server key {}, satellite {} \
		 key {}",
		included.block,
		args.operator.to_ss58check(),
		server_key,
		args.satellite_id,
		hex_of(args.satellite_key),
	)?;
	writeln!(out, "{server_id}")?;
	Ok(())
}

/// `server show`.
pub async fn show(args: ShowArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let chain = Chain::connect(&args.chain.chain).await?;
	let at = chain.finalized().await?;
	let server = existing_server(&at, args.server_id).await?;
	writeln!(out, "server_id: {}", args.server_id)?;
	writeln!(out, "operator: {}", server.operator.to_ss58check())?;
	writeln!(out, "server_key: {}", server.server_key)?;
	for satellite in &server.satellites {
		writeln!(out, "satellite: {} {}", satellite.id, hex_of(satellite.key))?;
	}
	writeln!(out, "quorum: {}", server.quorum)?;
	writeln!(out, "status: {}", status_name(server.status))?;
	writeln!(out, "last_sequence: {}", server.last_sequence)?;
	writeln!(out, "last_batch: {:?}", server.last_batch)?;
	writeln!(out, "pending: {}", server.pending.len())?;
	for batch_id in &server.pending {
		writeln!(out, "pending_batch: {batch_id:?}")?;
	}
	writeln!(out, "at_block: #{} {:?}", at.block_number(), at.block_hash())?;
	Ok(())
}

/// `server set-satellite-key`, and `server add-satellite` (`add`).
pub async fn set_satellite_key(
	args: SetSatelliteKeyArgs,
	add: bool,
	out: &mut impl Write,
) -> Result<(), CommandError> {
	let chain = Chain::connect(&args.chain.chain).await?;
	existing_server(&chain.best().await?, args.server_id).await?;
	let (name, done) =
		if add { ("add_satellite", "added with key") } else { ("set_satellite_key", "key set to") };
	let call = Call::space_notary(name, (args.server_id, args.satellite_id, &args.satellite_key))
		.through_sudo();
	let included = submit(&chain, &call, &args.sudo.signer()?).await?;
	writeln!(
		out,
		"server {} satellite {} {done} {} in block {:?}",
		args.server_id,
		args.satellite_id,
		hex_of(args.satellite_key),
		included.block
	)?;
	Ok(())
}

/// `server remove-satellite`.
pub async fn remove_satellite(
	args: SatelliteArgs,
	out: &mut impl Write,
) -> Result<(), CommandError> {
	let chain = Chain::connect(&args.chain.chain).await?;
	existing_server(&chain.best().await?, args.server_id).await?;
	let call =
		Call::space_notary("remove_satellite", (args.server_id, args.satellite_id)).through_sudo();
	let included = submit(&chain, &call, &args.sudo.signer()?).await?;
	writeln!(
		out,
		"server {} satellite {} removed in block {:?}",
		args.server_id, args.satellite_id, included.block
	)?;
	Ok(())
}

/// `server set-quorum`.
pub async fn set_quorum(args: QuorumArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let chain = Chain::connect(&args.chain.chain).await?;
	existing_server(&chain.best().await?, args.server_id).await?;
	let call = Call::space_notary("set_quorum", (args.server_id, args.quorum)).through_sudo();
	let included = submit(&chain, &call, &args.sudo.signer()?).await?;
	writeln!(
		out,
		"server {} quorum set to {} in block {:?}",
		args.server_id, args.quorum, included.block
	)?;
	Ok(())
}

/// `server suspend` (`suspend` true) and `server resume`.
async fn set_status(
	args: RegistrarArgs,
	suspend: bool,
	out: &mut impl Write,
) -> Result<(), CommandError> {
	let chain = Chain::connect(&args.chain.chain).await?;
	existing_server(&chain.best().await?, args.server_id).await?;
	let (name, done) =
		if suspend { ("suspend_server", "suspended") } else { ("resume_server", "resumed") };
	let call = Call::space_notary(name, args.server_id).through_sudo();
	let included = submit(&chain, &call, &args.sudo.signer()?).await?;
	writeln!(out, "server {} {done} in block {:?}", args.server_id, included.block)?;
	Ok(())
}

/// The server, or a bad request naming the id.
pub(super) async fn existing_server(
	at: &chain::AtBlock,
	server_id: ServerId,
) -> Result<ServerInfoOf, CommandError> {
	chain::server(at, server_id)
		.await?
		.ok_or_else(|| CommandError::BadRequest(format!("no server {server_id}")))
}

/// Submits `call` signed by `signer` and waits for finality; a refusal becomes
/// [`CommandError::Refused`] with the pallet error's name and docs.
pub(super) async fn submit(
	chain: &Chain,
	call: &Call,
	signer: &AccountSigner,
) -> Result<Included, CommandError> {
	chain.submit_signed_and_watch(call, signer).await.map_err(|error| refused(call, error))
}

/// A chain refusal as [`CommandError::Refused`]; any other error as it is.
pub(super) fn refused(call: &Call, error: ChainError) -> CommandError {
	match error.refusal() {
		Some((name, docs)) => CommandError::Refused {
			call: call.name().to_string(),
			error: name.to_string(),
			docs: docs.to_string(),
		},
		None => error.into(),
	}
}

fn status_name(status: ServerStatus) -> &'static str {
	match status {
		ServerStatus::Active => "active",
		ServerStatus::Suspended => "suspended",
	}
}

/// `0x` + hex of a key or signature.
pub(super) fn hex_of(bytes: impl AsRef<[u8]>) -> String {
	format!("0x{}", hex::encode(bytes.as_ref()))
}
