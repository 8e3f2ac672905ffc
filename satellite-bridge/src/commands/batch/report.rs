//! What the chain says of one batch, for `batch status` and `batch proof` and for the console's
//! batch view (`crate::console`), which shares this code so that both show the same thing.

use codec::Encode;
use sp_core::H256;
use space_notary_primitives::records::{BatchStatus, ExpiryReason};
use space_notary_primitives::{text::parse_h256, Attestation, BatchId, InclusionProof};
use std::{io::Write, path::PathBuf};

use crate::{
	chain::{self, Chain},
	commands::{server::hex_of, CommandError},
};

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
			BatchStatus::Pending { expires_at, attestations } => {
				writeln!(out, "status: pending until block {expires_at}")?;
				print_attestations(out, attestations)?;
			},
			BatchStatus::Certified { attestations, certified_at } => {
				writeln!(out, "status: certified at block {certified_at}")?;
				print_attestations(out, attestations)?;
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
			BatchStatus::Pending { expires_at, attestations } => {
				status["expires_at"] = (*expires_at).into();
				status["attestations"] = attestations_json(attestations);
			},
			BatchStatus::Certified { attestations, certified_at } => {
				status["certified_at"] = (*certified_at).into();
				status["attestations"] = attestations_json(attestations);
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
	/// The one whose leaf (blake2-256 of its bytes) is this.
	Leaf(H256),
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
				"batch {batch_id:?} is not certified at the finalized block #{}, so it proves \
				 nothing yet ({}; a certification in a newer block counts once it is finalized)",
				at.block_number(),
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
			TxChoice::Leaf(leaf) => txs
				.iter()
				.position(|t| space_notary_primitives::leaf_hash(t) == *leaf)
				.ok_or_else(|| {
					CommandError::BadRequest(format!(
						"batch {batch_id:?} has no transaction with hash {leaf:?}"
					))
				})?,
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

	/// Reads what [`Self::to_text`] wrote; the error says which field is wrong.
	pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
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

/// One block of `key: value` lines per attestation: the satellite, its key, its clock at signing
/// (`none` for a v1 countersignature) and its signature.
fn print_attestations(out: &mut impl Write, attestations: &[Attestation]) -> std::io::Result<()> {
	for a in attestations {
		writeln!(out, "satellite_id: {}", a.satellite_id)?;
		writeln!(out, "satellite_key: {}", hex_of(a.satellite_key))?;
		match a.signed_at_ms {
			Some(at) => writeln!(out, "satellite_signed_at_ms: {at}")?,
			None => writeln!(out, "satellite_signed_at_ms: none (v1)")?,
		}
		writeln!(out, "satellite_signature: {}", hex_of(a.signature))?;
	}
	Ok(())
}

/// The attestations as JSON: `satellite_id`, `satellite_key`, `signed_at_ms` (null for v1),
/// `signature`.
pub fn attestations_json(attestations: &[Attestation]) -> serde_json::Value {
	attestations
		.iter()
		.map(|a| {
			serde_json::json!({
				"satellite_id": a.satellite_id,
				"satellite_key": hex_of(a.satellite_key),
				"signed_at_ms": a.signed_at_ms,
				"signature": hex_of(a.signature),
			})
		})
		.collect()
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
}
