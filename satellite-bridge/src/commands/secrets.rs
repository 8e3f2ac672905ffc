//! The commands' secrets: the server key that signs a certificate, the operator account that
//! submits a batch, the sudo account that acts as the registrar.
//!
//! Each is taken either on the command line (`--key`, `--operator`, `--sudo`), which every user
//! of the machine can read in the process list and which is meant for the dev chain's well-known
//! accounts, or from a file (`--key-file`, `--operator-file`, `--sudo-file`: its first line,
//! trimmed), which is how a production operator gives them. No error message shows a secret:
//! they name the flag, the file and what was wrong.

use clap::Args;
use std::path::{Path, PathBuf};

use super::CommandError;
use crate::{
	chain::AccountSigner,
	config::read_secret_line,
	keys::{parse_signer, ServerPair},
};

/// The dev chain's account that operates servers unless told otherwise.
pub const DEFAULT_OPERATOR: &str = "//Alice";

/// The dev chain's sudo account, the registrar unless told otherwise.
pub const DEFAULT_SUDO: &str = "//Alice";

/// `flag`'s secret, parsed from the first line of `path`.
fn from_file<T, E: std::fmt::Display>(
	flag: &str,
	path: &Path,
	parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, CommandError> {
	let line =
		read_secret_line(path).map_err(|e| CommandError::BadRequest(format!("--{flag}: {e}")))?;
	parse(&line).map_err(|e| CommandError::BadRequest(format!("--{flag} {}: {e}", path.display())))
}

/// The account that signs and pays for a batch submission.
#[derive(Args, Debug, Clone)]
pub struct OperatorArgs {
	/// The operator account's secret URI; it signs and pays for the submission. Visible in the
	/// process list: for dev accounts; prefer `--operator-file`.
	#[arg(long, value_parser = parse_signer, default_value = DEFAULT_OPERATOR)]
	pub operator: AccountSigner,
	/// Like `--operator`, the secret URI read from this file's first line.
	#[arg(long, conflicts_with = "operator")]
	pub operator_file: Option<PathBuf>,
}

impl OperatorArgs {
	/// The operator's signer: from the file when one is given.
	pub fn signer(&self) -> Result<AccountSigner, CommandError> {
		match &self.operator_file {
			Some(path) => from_file("operator-file", path, parse_signer),
			None => Ok(self.operator.clone()),
		}
	}
}

/// The sudo account that dispatches the registrar's calls (on a dev chain).
#[derive(Args, Debug, Clone)]
pub struct SudoArgs {
	/// The sudo account's secret URI. Visible in the process list: for dev accounts; prefer
	/// `--sudo-file`.
	#[arg(long, value_parser = parse_signer, default_value = DEFAULT_SUDO)]
	pub sudo: AccountSigner,
	/// Like `--sudo`, the secret URI read from this file's first line.
	#[arg(long, conflicts_with = "sudo")]
	pub sudo_file: Option<PathBuf>,
}

impl SudoArgs {
	/// The sudo signer: from the file when one is given.
	pub fn signer(&self) -> Result<AccountSigner, CommandError> {
		match &self.sudo_file {
			Some(path) => from_file("sudo-file", path, parse_signer),
			None => Ok(self.sudo.clone()),
		}
	}
}

/// A ground server's key pair: `--key` or the first line of `--key-file`.
#[derive(Args, Debug, Clone)]
pub struct ServerPairArgs {
	/// The server's key pair, SCHEME:SURI (sr25519://…, ed25519:0x<seed>, ecdsa:<mnemonic>).
	/// Visible to every user of the machine in the process list: prefer `--key-file`.
	#[arg(long, required_unless_present = "key_file", conflicts_with = "key_file")]
	pub key: Option<ServerPair>,
	/// Like `--key`, read from this file's first line.
	#[arg(long)]
	pub key_file: Option<PathBuf>,
}

impl ServerPairArgs {
	/// The key pair: from the file when one is given.
	pub fn pair(&self) -> Result<ServerPair, CommandError> {
		server_pair(self.key.as_ref(), self.key_file.as_deref())
	}
}

/// The server's key pair, from `--key` or from the first line of `--key-file`.
fn server_pair(
	key: Option<&ServerPair>,
	key_file: Option<&Path>,
) -> Result<ServerPair, CommandError> {
	match (key, key_file) {
		(Some(pair), _) => Ok(pair.clone()),
		// `ServerPair`'s parse errors name the scheme it read, never the secret.
		(None, Some(path)) => from_file("key-file", path, str::parse::<ServerPair>),
		(None, None) => Err(CommandError::BadRequest("--key or --key-file is required".into())),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	#[derive(Parser, Debug)]
	struct Both {
		#[command(flatten)]
		operator: OperatorArgs,
		#[command(flatten)]
		sudo: SudoArgs,
	}

	fn secret_file(line: &str) -> tempfile::NamedTempFile {
		let file = tempfile::NamedTempFile::new().expect("temp file");
		std::fs::write(file.path(), format!("{line}\n")).expect("write");
		file
	}

	#[test]
	fn secrets_come_from_files_and_defaults_stay_for_the_dev_chain() {
		let bob = AccountSigner::from_suri("//Bob").expect("suri");
		let file = secret_file("//Bob");
		let path = file.path().display().to_string();
		let args = Both::try_parse_from(["x", "--operator-file", &path, "--sudo-file", &path])
			.expect("file flags parse beside the defaults");
		assert_eq!(args.operator.signer().expect("operator").account(), bob.account());
		assert_eq!(args.sudo.signer().expect("sudo").account(), bob.account());
		let args = Both::try_parse_from(["x"]).expect("defaults");
		let alice = AccountSigner::from_suri(DEFAULT_SUDO).expect("suri");
		assert_eq!(args.sudo.signer().expect("sudo").account(), alice.account());
		assert!(
			Both::try_parse_from(["x", "--sudo", "//Bob", "--sudo-file", &path]).is_err(),
			"a secret given twice is refused"
		);
	}

	#[test]
	fn a_bad_secret_file_is_named_and_never_echoed() {
		let file = secret_file("sr25519:not a secret uri at all 0xdeadbeef");
		let path = file.path().display().to_string();
		let args = Both::try_parse_from(["x", "--sudo-file", &path]).expect("parse");
		let error = args.sudo.signer().expect_err("not a secret URI").to_string();
		assert!(error.contains("--sudo-file") && error.contains(&path), "{error}");
		assert!(!error.contains("deadbeef"), "the secret is echoed: {error}");
		let error = server_pair(None, Some(file.path())).expect_err("not a key pair").to_string();
		assert!(error.contains("--key-file") && !error.contains("deadbeef"), "{error}");
		let empty = secret_file("");
		let error = server_pair(None, Some(empty.path())).expect_err("empty").to_string();
		assert!(error.contains("is empty"), "{error}");
	}
}
