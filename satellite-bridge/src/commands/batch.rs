//! `batch …`: submit a batch of transaction files, show a batch's status, make and check
//! inclusion proofs.
//!
//! `submit` builds the certificate with `BatchCertificate::over_transactions` from what the
//! chain says at its best block (genesis hash, the server's last sequence and batch), signs it
//! with the server key and submits it with the operator's account; it prints the batch id alone
//! on its last line. `status` and `proof` read the finalized block. A proof is JSON:
//!
//! ```json
//! { "batch_id": "0x…", "leaf_index": 1, "number_of_leaves": 3,
//!   "proof": ["0x…", "0x…"], "tx": "0x…", "batch_root": "0x…" }
//! ```
//!
//! `verify-proof` prints `valid` (exit 0) or `invalid: REASON` (exit 2), `REASON` being one of
//! `SpaceNotaryApi.verify_inclusion`'s errors (`BadProof` only, offline).

use clap::{Args, Subcommand};
use sp_core::H256;
use space_notary_primitives::records::InclusionError;
use space_notary_primitives::{
	text::parse_h256, BatchCertificate, BatchId, InclusionProof, ServerId,
};
use std::{
	io::Write,
	path::{Path, PathBuf},
	time::{SystemTime, UNIX_EPOCH},
};

use super::{
	secrets::{OperatorArgs, ServerPairArgs},
	server::{existing_server, refused},
	ChainArgs, CommandError,
};
use crate::chain::{self, Call, Chain};

mod report;
pub use report::{BatchReport, ProofDocument, TxChoice};

/// `batch` subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum BatchCommand {
	/// Submit files (one transaction each; a directory: its files sorted by name) as a batch;
	/// prints the batch id on the last line.
	Submit(Box<SubmitArgs>),
	/// A batch's status at the finalized block, and its certificate.
	Status(StatusArgs),
	/// An inclusion proof (JSON) of one transaction of a certified batch.
	Proof(ProofArgs),
	/// Check an inclusion proof, on chain or against a known root; prints `valid` or
	/// `invalid: REASON` (exit 2).
	VerifyProof(VerifyProofArgs),
}

/// Flags of `batch submit`.
#[derive(Args, Debug, Clone)]
pub struct SubmitArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The server's id.
	#[arg(long)]
	pub server_id: ServerId,
	/// The server's key pair; its public key must be the server's registered key.
	#[command(flatten)]
	pub key: ServerPairArgs,
	/// The operator account.
	#[command(flatten)]
	pub operator: OperatorArgs,
	/// Transaction files, or directories of them.
	pub files: Vec<PathBuf>,
}

/// Flags of `batch status`.
#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The batch id (0x + 64 hex digits).
	#[arg(value_parser = parse_h256)]
	pub batch_id: BatchId,
}

/// Flags of `batch proof`.
#[derive(Args, Debug, Clone)]
pub struct ProofArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The batch id (0x + 64 hex digits).
	#[arg(value_parser = parse_h256)]
	pub batch_id: BatchId,
	/// The transaction's file: its bytes must be one of the batch's transactions.
	#[arg(required_unless_present = "index", conflicts_with = "index")]
	pub file: Option<PathBuf>,
	/// The transaction's position in the batch, from 0, instead of its file.
	#[arg(long)]
	pub index: Option<u32>,
}

/// Flags of `batch verify-proof`.
#[derive(Args, Debug, Clone)]
pub struct VerifyProofArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The proof, as `batch proof` prints it.
	pub proof: PathBuf,
	/// Check against this batch root (0x + 64 hex digits) without asking the chain.
	#[arg(long, value_parser = parse_h256, requires = "tx_count")]
	pub offline: Option<H256>,
	/// With `--offline`: the certificate's `tx_count`. A root alone does not fix the number of
	/// leaves, and a proof claiming a smaller tree could pass two glued leaf hashes off as a
	/// transaction.
	#[arg(long, requires = "offline")]
	pub tx_count: Option<u32>,
}

/// Runs a `batch` subcommand.
pub async fn run(command: BatchCommand, out: &mut impl Write) -> Result<(), CommandError> {
	match command {
		BatchCommand::Submit(args) => submit(*args, out).await,
		BatchCommand::Status(args) => status(args, out).await,
		BatchCommand::Proof(args) => proof(args, out).await,
		BatchCommand::VerifyProof(args) => verify_proof(args, out).await,
	}
}

/// `batch submit`.
pub async fn submit(args: SubmitArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let pair = args.key.pair()?;
	let operator = args.operator.signer()?;
	let txs = read_transactions(&args.files)?;
	if txs.is_empty() {
		return Err(CommandError::BadRequest(
			"no transactions: give at least one file, or a directory with files in it".into(),
		));
	}
	let chain = Chain::connect(&args.chain.chain).await?;
	// The best block, not the finalized one: a batch submitted a moment ago is the previous one.
	let at = chain.best().await?;
	check_bounds(&at, &txs)?;
	let server = existing_server(&at, args.server_id).await?;
	let key = pair.public();
	if key != server.server_key {
		return Err(CommandError::BadRequest(format!(
			"{key} is not server {}'s key ({})",
			args.server_id, server.server_key
		)));
	}
	let sequence = server.last_sequence.checked_add(1).ok_or_else(|| {
		CommandError::BadRequest(format!("server {} has used up its sequences", args.server_id))
	})?;
	let cert = BatchCertificate::over_transactions(
		chain.genesis_hash(),
		args.server_id,
		sequence,
		server.last_batch,
		now_ms(),
		&txs,
	)
	.map_err(|e| CommandError::BadRequest(e.to_string()))?;
	let server_signature = pair.sign(&cert);
	let batch_id = cert.batch_id();
	let call = Call::space_notary("submit_batch", (&cert, &server_signature, &txs));
	let included =
		chain.submit_signed_and_watch(&call, &operator).await.map_err(|e| refused(&call, e))?;
	// `BatchSubmitted { server_id, sequence, batch_id, .. }`: the chain's id must be ours.
	let submitted: Option<(ServerId, u64, BatchId)> =
		included.event(chain::PALLET, "BatchSubmitted")?;
	if submitted != Some((args.server_id, sequence, batch_id)) {
		return Err(chain::ChainError::NotSpaceNotary(format!(
			"BatchSubmitted event for batch {batch_id:?}, found {submitted:?}"
		))
		.into());
	}
	writeln!(
		out,
		"batch {batch_id:?} of server {} submitted in block {:?}: sequence {sequence}, {} transactions, {} bytes",
		args.server_id, included.block, cert.tx_count, cert.total_bytes,
	)?;
	writeln!(out, "{batch_id:?}")?;
	Ok(())
}

/// `batch status`.
pub async fn status(args: StatusArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let chain = Chain::connect(&args.chain.chain).await?;
	let report = BatchReport::read(&chain, args.batch_id)
		.await?
		.ok_or_else(|| CommandError::BadRequest(format!("no batch {:?}", args.batch_id)))?;
	report.print(out)?;
	Ok(())
}

/// `batch proof`.
pub async fn proof(args: ProofArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let choice = match (&args.file, args.index) {
		(Some(path), _) => TxChoice::File { path: path.clone(), bytes: read_file(path)? },
		(None, Some(index)) => TxChoice::Index(index),
		(None, None) => return Err(CommandError::BadRequest("give FILE or --index".into())),
	};
	let chain = Chain::connect(&args.chain.chain).await?;
	let document = ProofDocument::make(&chain, args.batch_id, choice).await?;
	out.write_all(document.to_text().as_bytes())?;
	Ok(())
}

/// `batch verify-proof`.
pub async fn verify_proof(args: VerifyProofArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let text = read_file(&args.proof)?;
	let document = ProofDocument::from_json(&text).map_err(|why| {
		CommandError::BadRequest(format!(
			"{} is not an inclusion proof: {why}",
			args.proof.display()
		))
	})?;
	let proof = InclusionProof {
		leaf_index: document.leaf_index,
		number_of_leaves: document.number_of_leaves,
		proof: document.proof.clone(),
	};
	let verdict = match args.offline {
		Some(root) => {
			if args.tx_count != Some(proof.number_of_leaves) {
				Err(InclusionError::LeafCountMismatch)
			} else if proof.verify(&root, &document.tx) {
				Ok(())
			} else {
				Err(InclusionError::BadProof)
			}
		},
		None => {
			let chain = Chain::connect(&args.chain.chain).await?;
			let at = chain.finalized().await?;
			chain::verify_inclusion(&at, document.batch_id, document.tx.clone(), proof).await?
		},
	};
	match verdict {
		Ok(()) => {
			writeln!(out, "valid")?;
			Ok(())
		},
		Err(reason) => {
			writeln!(out, "invalid: {reason:?}")?;
			Err(CommandError::BadRequest(format!(
				"the proof of transaction {} of batch {:?} is invalid: {reason:?} ({})",
				document.leaf_index,
				document.batch_id,
				inclusion_error_docs(reason)
			)))
		},
	}
}

/// Refuses a batch that the chain's bounds refuse, before anything is signed or sent.
fn check_bounds(at: &chain::AtBlock, txs: &[Vec<u8>]) -> Result<(), CommandError> {
	let max_txs: u32 = chain::constant(at, "MaxTxsPerBatch")?;
	let max_tx_bytes: u32 = chain::constant(at, "MaxTxBytes")?;
	let max_batch_bytes: u32 = chain::constant(at, "MaxBatchBytes")?;
	if txs.len() > max_txs as usize {
		return Err(CommandError::BadRequest(format!(
			"{} transactions: the chain takes at most {max_txs} in one batch",
			txs.len()
		)));
	}
	if let Some((i, tx)) = txs.iter().enumerate().find(|(_, tx)| tx.len() > max_tx_bytes as usize) {
		return Err(CommandError::BadRequest(format!(
			"transaction {i} has {} bytes: the chain takes at most {max_tx_bytes} in one",
			tx.len()
		)));
	}
	let total: u64 = txs.iter().map(|tx| tx.len() as u64).sum();
	if total > u64::from(max_batch_bytes) {
		return Err(CommandError::BadRequest(format!(
			"the transactions have {total} bytes: the chain takes at most {max_batch_bytes} in one batch"
		)));
	}
	Ok(())
}

/// The transactions in `paths`, in order: a file is one transaction, a directory gives its
/// regular files sorted by name (not recursing).
fn read_transactions(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, CommandError> {
	let mut txs = Vec::new();
	for path in paths {
		let read_err = |source| CommandError::Read { path: path.clone(), source };
		if path.metadata().map_err(read_err)?.is_dir() {
			let mut files = Vec::new();
			for entry in std::fs::read_dir(path).map_err(read_err)? {
				let entry = entry.map_err(read_err)?;
				// `metadata` follows symlinks: a link to a file counts as a file.
				if std::fs::metadata(entry.path()).map_err(read_err)?.is_file() {
					files.push(entry.path());
				}
			}
			files.sort();
			for file in files {
				txs.push(read_file(&file)?);
			}
		} else {
			txs.push(read_file(path)?);
		}
	}
	Ok(txs)
}

fn read_file(path: &Path) -> Result<Vec<u8>, CommandError> {
	std::fs::read(path).map_err(|source| CommandError::Read { path: path.to_path_buf(), source })
}

fn now_ms() -> u64 {
	SystemTime::now()
		.duration_since(UNIX_EPOCH)
		.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or(0)
}

/// The docs of `SpaceNotaryApi.verify_inclusion`'s errors.
fn inclusion_error_docs(error: InclusionError) -> &'static str {
	match error {
		InclusionError::UnknownBatch => "no batch with this id",
		InclusionError::NotCertified => "the batch exists but is not certified",
		InclusionError::LeafCountMismatch => {
			"the proof's leaf count differs from the certificate's tx_count"
		},
		InclusionError::BadProof => "the proof does not lead to the batch root",
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_directory_gives_its_files_sorted_by_name_and_skips_subdirectories() {
		let dir = tempfile::tempdir().unwrap();
		std::fs::write(dir.path().join("b"), b"second").unwrap();
		std::fs::write(dir.path().join("a"), b"first").unwrap();
		std::fs::create_dir(dir.path().join("c")).unwrap();
		let single = dir.path().join("a");
		let txs = read_transactions(&[dir.path().to_path_buf(), single]).unwrap();
		assert_eq!(txs, vec![b"first".to_vec(), b"second".to_vec(), b"first".to_vec()]);
		assert!(read_transactions(&[dir.path().join("missing")]).is_err());
	}
}
