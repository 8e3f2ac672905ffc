//! `provision`, `reprovision` and `rotate-key`: the satellite keys of ground servers.
//!
//! - `provision` makes a new server's satellite key and records its server key. Refused for
//!   a server that is already provisioned, so a typo cannot destroy a key in use.
//! - `reprovision` records a new server key (the server rotated its own key) and keeps the
//!   satellite key: the chain's registered satellite key stays valid. With
//!   `--previous-key-until N` (N = the server's `last_sequence` on chain when `set_server_key`
//!   ran) the replaced key stays valid for sequences up to N, so batches still pending from
//!   before the rotation can be signed; without it they are refused and expire.
//! - `rotate-key` replaces the satellite key (the old secret is archived in the state
//!   directory) and keeps the server key; the new public key must then be set on chain
//!   (`set_satellite_key`).
//!
//! All three keep the signing record: sequences already signed stay signed. Each prints the
//! satellite public key now in use, as `0x` hex, alone on a line. A running emulator loads
//! keys at start, so restart it afterwards.

use clap::Args;
use space_notary_primitives::{ServerId, ServerKey};
use std::{io::Write, path::PathBuf};

use super::CommandError;
use crate::provisioning::StateDir;

/// Flags of `provision` (and, with one more, `reprovision`).
#[derive(Args, Debug, Clone)]
pub struct ProvisionArgs {
	/// State directory (created if missing).
	#[arg(long)]
	pub state_dir: PathBuf,
	/// The server's ID on chain.
	#[arg(long)]
	pub server_id: ServerId,
	/// The server's public key: ed25519:0x<hex>, sr25519:0x<hex> or ecdsa:0x<33-byte hex>.
	#[arg(long)]
	pub server_key: ServerKey,
}

/// Flags of `reprovision`.
#[derive(Args, Debug, Clone)]
pub struct ReprovisionArgs {
	/// The server and its new key.
	#[command(flatten)]
	pub server: ProvisionArgs,
	/// Keep the replaced server key valid for sequences up to and including SEQUENCE: the
	/// server's `last_sequence` on chain when its key was rotated (`set_server_key`). Batches
	/// still pending from before the rotation were signed with the old key; without this flag
	/// the satellite refuses them (ServerKeyMismatch / BadServerSignature) and they can only
	/// expire. The old key signs nothing above SEQUENCE.
	#[arg(long, value_name = "SEQUENCE")]
	pub previous_key_until: Option<u64>,
}

/// Flags of `rotate-key`.
#[derive(Args, Debug, Clone)]
pub struct RotateKeyArgs {
	/// State directory.
	#[arg(long)]
	pub state_dir: PathBuf,
	/// The server whose satellite key is replaced.
	#[arg(long)]
	pub server_id: ServerId,
}

/// `provision`: prints the new satellite public key.
pub fn provision(args: ProvisionArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let key = StateDir::new(args.state_dir).provision(args.server_id, &args.server_key)?;
	tracing::info!(target: "satellite::provisioning", server = args.server_id, "provisioned");
	writeln!(out, "0x{}", hex::encode(key))?;
	Ok(())
}

/// `reprovision`: prints the (unchanged) satellite public key.
pub fn reprovision(args: ReprovisionArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let ReprovisionArgs { server, previous_key_until } = args;
	let key = StateDir::new(server.state_dir).reprovision(
		server.server_id,
		&server.server_key,
		previous_key_until,
	)?;
	tracing::info!(
		target: "satellite::provisioning",
		server = server.server_id,
		?previous_key_until,
		"server key replaced"
	);
	writeln!(out, "0x{}", hex::encode(key))?;
	Ok(())
}

/// `rotate-key`: prints the new satellite public key.
pub fn rotate_key(args: RotateKeyArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let rotation = StateDir::new(args.state_dir).rotate_key(args.server_id)?;
	tracing::info!(
		target: "satellite::provisioning",
		server = args.server_id,
		old = %format_args!("0x{}", hex::encode(rotation.old)),
		archived_to = %rotation.archived_to.display(),
		"satellite key rotated; set the new key on chain"
	);
	writeln!(out, "0x{}", hex::encode(rotation.new))?;
	Ok(())
}
