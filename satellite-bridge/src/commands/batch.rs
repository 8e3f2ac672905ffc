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
use codec::Encode;
use pallet_space_notary::types::{BatchStatus, ExpiryReason, InclusionError};
use sp_core::H256;
use space_notary_primitives::{BatchCertificate, BatchId, InclusionProof, ServerId};
use std::{
	io::Write,
	path::{Path, PathBuf},
	time::{SystemTime, UNIX_EPOCH},
};

use super::{
	server::{existing_server, hex_of, refused},
	ChainArgs, CommandError,
};
use crate::{
	chain::{self, AccountSigner, Call, Chain},
	keys::{format_server_key, parse_h256, parse_signer, ServerPair},
};

/// The dev chain's account that operates servers unless told otherwise.
pub const DEFAULT_OPERATOR: &str = "//Alice";

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
	/// The server's key pair, SCHEME:SURI (sr25519://…, ed25519:0x<seed>, ecdsa:<mnemonic>);
	/// its public key must be the server's registered key.
	#[arg(long)]
	pub key: ServerPair,
	/// The operator account's secret URI; it signs and pays for the submission.
	#[arg(long, value_parser = parse_signer, default_value = DEFAULT_OPERATOR)]
	pub operator: AccountSigner,
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
	let key = args.key.public();
	if key != server.server_key {
		return Err(CommandError::BadRequest(format!(
			"{} is not server {}'s key ({})",
			format_server_key(&key),
			args.server_id,
			format_server_key(&server.server_key)
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
	let server_signature = args.key.sign(&cert);
	let batch_id = cert.batch_id();
	let call = Call::space_notary("submit_batch", (&cert, &server_signature, &txs));
	let included = chain
		.submit_signed_and_watch(&call, &args.operator)
		.await
		.map_err(|e| refused(&call, e))?;
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

/// A batch as the chain has it at its finalized block: what `batch status` prints, and what the
/// console's batch view shows (as JSON).
#[derive(Debug, Clone)]
pub struct BatchReport {
	/// The batch.
	pub batch_id: BatchId,
	/// Its record: certificate, server signature, status.
	pub record: chain::BatchRecordOf,
	/// The finalized block read.
	pub at_number: u64,
	/// Its hash.
	pub at_hash: H256,
}

impl BatchReport {
	/// Reads `batch_id` at the finalized block; `None` if the chain has no such batch.
	pub async fn read(chain: &Chain, batch_id: BatchId) -> Result<Option<Self>, chain::ChainError> {
		let at = chain.finalized().await?;
		let Some(record) = chain::batch(&at, batch_id).await? else { return Ok(None) };
		Ok(Some(Self { batch_id, record, at_number: at.block_number(), at_hash: at.block_hash() }))
	}

	/// The `key: value` lines of `batch status`.
	pub fn print(&self, out: &mut impl Write) -> std::io::Result<()> {
		let cert = &self.record.cert;
		writeln!(out, "batch_id: {:?}", self.batch_id)?;
		match &self.record.status {
			BatchStatus::Pending { expires_at } => {
				writeln!(out, "status: pending until block {expires_at}")?
			},
			BatchStatus::Certified { satellite_signature, satellite_key, certified_at } => {
				writeln!(out, "status: certified at block {certified_at}")?;
				writeln!(out, "satellite_signature: {}", hex_of(satellite_signature))?;
				writeln!(out, "satellite_key: {}", hex_of(satellite_key))?;
			},
			BatchStatus::Expired { at, reason } => {
				writeln!(out, "status: expired at block {at} ({})", expiry_reason(reason))?
			},
		}
		writeln!(out, "server_id: {}", cert.server_id)?;
		writeln!(out, "sequence: {}", cert.sequence)?;
		writeln!(out, "prev_batch: {:?}", cert.prev_batch)?;
		writeln!(out, "batch_root: {:?}", cert.batch_root)?;
		writeln!(out, "tx_count: {}", cert.tx_count)?;
		writeln!(out, "total_bytes: {}", cert.total_bytes)?;
		writeln!(out, "issued_at_ms: {}", cert.issued_at_ms)?;
		writeln!(out, "genesis_hash: {:?}", cert.genesis_hash)?;
		writeln!(out, "version: {}", cert.version)?;
		writeln!(out, "submitted_at: {}", self.record.submitted_at)?;
		writeln!(out, "at_block: #{} {:?}", self.at_number, self.at_hash)?;
		Ok(())
	}

	/// The same as JSON, with the server signature (SCALE `MultiSignature`, and its scheme).
	pub fn to_json(&self) -> serde_json::Value {
		let cert = &self.record.cert;
		let mut status = serde_json::json!({ "name": status_name(&self.record.status) });
		match &self.record.status {
			BatchStatus::Pending { expires_at } => status["expires_at"] = (*expires_at).into(),
			BatchStatus::Certified { satellite_signature, satellite_key, certified_at } => {
				status["certified_at"] = (*certified_at).into();
				status["satellite_signature"] = hex_of(satellite_signature).into();
				status["satellite_key"] = hex_of(satellite_key).into();
			},
			BatchStatus::Expired { at, reason } => {
				status["expired_at"] = (*at).into();
				status["reason"] = expiry_reason(reason).into();
			},
		}
		let scheme = match &self.record.server_signature {
			sp_runtime::MultiSignature::Ed25519(_) => "ed25519",
			sp_runtime::MultiSignature::Sr25519(_) => "sr25519",
			sp_runtime::MultiSignature::Ecdsa(_) => "ecdsa",
			sp_runtime::MultiSignature::Eth(_) => "eth",
		};
		serde_json::json!({
			"batch_id": format!("{:?}", self.batch_id),
			"at_block": { "number": self.at_number, "hash": format!("{:?}", self.at_hash) },
			"status": status,
			"certificate": {
				"version": cert.version,
				"genesis_hash": format!("{:?}", cert.genesis_hash),
				"server_id": cert.server_id,
				"sequence": cert.sequence,
				"prev_batch": format!("{:?}", cert.prev_batch),
				"batch_root": format!("{:?}", cert.batch_root),
				"tx_count": cert.tx_count,
				"total_bytes": cert.total_bytes,
				"issued_at_ms": cert.issued_at_ms,
			},
			"server_signature": {
				"scheme": scheme,
				"scale": hex_of(self.record.server_signature.encode()),
			},
			"submitted_at": self.record.submitted_at,
		})
	}
}

/// Which transaction of a batch to prove.
#[derive(Debug, Clone)]
pub enum TxChoice {
	/// The one with these bytes, read from `path`.
	File {
		/// Where the bytes came from, for messages.
		path: PathBuf,
		/// The transaction.
		bytes: Vec<u8>,
	},
	/// The one at this position, from 0.
	Index(u32),
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

/// What `batch proof` prints and `batch verify-proof` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofDocument {
	/// The certified batch.
	pub batch_id: BatchId,
	/// The transaction's position.
	pub leaf_index: u32,
	/// The batch's transaction count.
	pub number_of_leaves: u32,
	/// Sibling hashes, leaf to root.
	pub proof: Vec<H256>,
	/// The transaction.
	pub tx: Vec<u8>,
	/// The certificate's root.
	pub batch_root: H256,
}

impl ProofDocument {
	/// The proof of one transaction of `batch_id`, which must be certified at the finalized
	/// block; its transactions come from the node's off-chain index.
	pub async fn make(
		chain: &Chain,
		batch_id: BatchId,
		choice: TxChoice,
	) -> Result<Self, CommandError> {
		let at = chain.finalized().await?;
		let batch = existing_batch(&at, batch_id).await?;
		if !matches!(batch.status, BatchStatus::Certified { .. }) {
			return Err(CommandError::BadRequest(format!(
				"batch {batch_id:?} is not certified, so it proves nothing yet ({})",
				status_name(&batch.status)
			)));
		}
		let txs = chain.indexed_transactions(&batch_id).await?.ok_or_else(|| {
			CommandError::BadRequest(format!(
				"the node has no transactions of batch {batch_id:?} in its off-chain index (ask a \
				 node that saw the batch imported, with offchain_localStorageGet allowed)"
			))
		})?;
		batch.cert.check_transactions(&txs).map_err(|e| {
			CommandError::BadRequest(format!(
				"the node's off-chain index holds other transactions than batch {batch_id:?}'s: {e}"
			))
		})?;
		let leaf_index = match &choice {
			TxChoice::File { path, bytes } => {
				txs.iter().position(|t| t == bytes).ok_or_else(|| {
					CommandError::BadRequest(format!(
						"{} is not a transaction of batch {batch_id:?}",
						path.display()
					))
				})?
			},
			TxChoice::Index(index) => *index as usize,
		};
		let proof = u32::try_from(leaf_index)
			.ok()
			.and_then(|i| InclusionProof::generate(&txs, i))
			.ok_or_else(|| {
				CommandError::BadRequest(format!(
					"batch {batch_id:?} has {} transactions, no transaction {leaf_index}",
					txs.len()
				))
			})?;
		Ok(Self {
			batch_id,
			leaf_index: proof.leaf_index,
			number_of_leaves: proof.number_of_leaves,
			proof: proof.proof,
			tx: txs[leaf_index].clone(),
			batch_root: batch.cert.batch_root,
		})
	}

	/// Exactly what `batch proof` prints: pretty JSON and a newline.
	pub fn to_text(&self) -> String {
		let mut text = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
		text.push('\n');
		text
	}

	/// The JSON object.
	pub fn to_json(&self) -> serde_json::Value {
		serde_json::json!({
			"batch_id": format!("{:?}", self.batch_id),
			"leaf_index": self.leaf_index,
			"number_of_leaves": self.number_of_leaves,
			"proof": self.proof.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>(),
			"tx": hex_of(&self.tx),
			"batch_root": format!("{:?}", self.batch_root),
		})
	}

	fn from_json(bytes: &[u8]) -> Result<Self, String> {
		let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
		let field = |name: &str| value.get(name).ok_or_else(|| format!("no field {name:?}"));
		let string =
			|name: &str| field(name)?.as_str().ok_or_else(|| format!("{name:?} is not a string"));
		let number = |name: &str| {
			field(name)?
				.as_u64()
				.and_then(|n| u32::try_from(n).ok())
				.ok_or_else(|| format!("{name:?} is not a u32"))
		};
		let hash = |name: &str| parse_h256(string(name)?).map_err(|e| format!("{name:?}: {e}"));
		let tx = |name: &str| {
			let text = string(name)?;
			hex::decode(text.strip_prefix("0x").unwrap_or(text))
				.map_err(|e| format!("{name:?} is not hex: {e}"))
		};
		Ok(Self {
			batch_id: hash("batch_id")?,
			leaf_index: number("leaf_index")?,
			number_of_leaves: number("number_of_leaves")?,
			proof: field("proof")?
				.as_array()
				.ok_or("\"proof\" is not a list")?
				.iter()
				.map(|h| h.as_str().ok_or("a proof entry is not a string".to_string()))
				.map(|h| h.and_then(|h| parse_h256(h).map_err(|e| format!("\"proof\": {e}"))))
				.collect::<Result<_, _>>()?,
			tx: tx("tx")?,
			batch_root: hash("batch_root")?,
		})
	}
}

/// The batch, or a bad request naming the id.
async fn existing_batch(
	at: &chain::AtBlock,
	batch_id: BatchId,
) -> Result<chain::BatchRecordOf, CommandError> {
	chain::batch(at, batch_id)
		.await?
		.ok_or_else(|| CommandError::BadRequest(format!("no batch {batch_id:?}")))
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

fn expiry_reason(reason: &ExpiryReason) -> &'static str {
	match reason {
		ExpiryReason::TtlElapsed => "TTL elapsed",
		ExpiryReason::ServerDeregistered => "server deregistered",
	}
}

fn status_name<B>(status: &BatchStatus<B>) -> &'static str {
	match status {
		BatchStatus::Pending { .. } => "pending",
		BatchStatus::Certified { .. } => "certified",
		BatchStatus::Expired { .. } => "expired",
	}
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
	fn proof_documents_round_trip_through_json() {
		let txs = [b"alpha".to_vec(), b"beta".to_vec(), b"gamma".to_vec()];
		let proof = InclusionProof::generate(&txs, 1).unwrap();
		let document = ProofDocument {
			batch_id: H256::repeat_byte(7),
			leaf_index: proof.leaf_index,
			number_of_leaves: proof.number_of_leaves,
			proof: proof.proof,
			tx: txs[1].clone(),
			batch_root: space_notary_primitives::batch_root(&txs),
		};
		let text = serde_json::to_vec(&document.to_json()).unwrap();
		assert_eq!(ProofDocument::from_json(&text), Ok(document));
		assert!(ProofDocument::from_json(b"{}").unwrap_err().contains("batch_id"));
	}

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
