//! `receipt make` and `receipt verify`: receipts (`docs/receipts.md`), the proof that a
//! transaction was certified which anyone can check offline.
//!
//! `make` gathers the evidence from a node — the batch's record and transactions, a block whose
//! state holds the record, the trie nodes that prove it, and the first GRANDPA justification the
//! node stores at or after the certification, and the GRANDPA set changes from the genesis set
//! to the set that signed it — then checks the receipt itself, under the genesis set (or, with no
//! set change, the set the chain names), before it writes anything: it never writes a receipt
//! that does not verify. `verify` needs no node: it reads the trust anchor from a raw chain spec (or an
//! anchor file) and prints each check, the verdict and what it trusted.
//!
//! A receipt is written in its binary form (SCALE), or with `--json` as a JSON document that
//! carries the binary form in hex beside a summary that no verifier trusts.

use super::{batch::TxChoice, ChainArgs, CommandError};
use crate::chain::{self, Chain, FinalityProof};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use sp_core::H256;
use space_notary_primitives::{
	receipt::{
		batch_record_key, scheduled_change, server_key_owner_key, verify, AuthorityId,
		BatchEvidence, ChainEvidence, Check, Header, Justification, Receipt, ReceiptError,
		SetChange, TrustAnchor, TxEvidence, Verified, MAX_RECEIPT_BYTES, RECEIPT_VERSION,
	},
	records::BatchStatus,
	text::parse_h256,
	BatchId, InclusionProof,
};
use std::{
	collections::BTreeMap,
	io::Write,
	path::{Path, PathBuf},
};

use super::batch::ProofDocument;
use codec::Decode;

/// The most set changes a receipt carries, and the most blocks between a change's scheduling
/// block and its enacting block that `make` walks back.
const MAX_SET_CHANGES: usize = 256;
const MAX_CHANGE_DELAY: usize = 4096;

/// How far past the certification `make` looks for a stored justification before it says there
/// is none yet. The node stores one every `GRANDPA_JUSTIFICATION_PERIOD` (8) blocks; this many
/// covers a node with polkadot-sdk's default period (512) as well.
pub const MAX_JUSTIFICATION_SEARCH: u32 = 1024;

/// The largest chain spec `verify` reads (a raw spec holds the runtime's code, a few MiB).
const MAX_CHAIN_SPEC_BYTES: u64 = 64 << 20;

/// The JSON form's `format` field.
pub const JSON_FORMAT: &str = "space-notary-receipt/2";

/// `receipt` subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum ReceiptCommand {
	/// Write the receipt of one transaction of a certified batch (asks a node).
	Make(MakeArgs),
	/// Check a receipt offline against the chain's genesis and GRANDPA authority set; prints
	/// each check and `valid` or `invalid: REASON` (exit 2).
	Verify(VerifyArgs),
}

/// Flags of `receipt make`.
#[derive(Args, Debug, Clone)]
pub struct MakeArgs {
	/// The node to talk to.
	#[command(flatten)]
	pub chain: ChainArgs,
	/// The certified batch (0x + 64 hex digits).
	#[arg(long, value_parser = parse_h256)]
	pub batch: BatchId,
	/// The transaction's file: its bytes must be one of the batch's transactions.
	#[arg(required_unless_present_any = ["index", "tx_hash"], conflicts_with_all = ["index", "tx_hash"])]
	pub file: Option<PathBuf>,
	/// The transaction's position in the batch, from 0, instead of its file.
	#[arg(long, conflicts_with = "tx_hash")]
	pub index: Option<u32>,
	/// The transaction's hash (blake2-256 of its bytes, its leaf), instead of its file.
	#[arg(long, value_parser = parse_h256)]
	pub tx_hash: Option<H256>,
	/// Where to write the receipt.
	#[arg(long, short)]
	pub out: PathBuf,
	/// Write the JSON form instead of the binary one.
	#[arg(long)]
	pub json: bool,
	/// Leave the transaction's bytes out of the receipt (the verifier then needs the file to
	/// check more than its hash).
	#[arg(long)]
	pub without_tx: bool,
}

/// Flags of `receipt verify`.
#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
	/// The receipt, binary or JSON.
	pub receipt: PathBuf,
	/// The transaction's file, checked against the receipt's leaf.
	pub file: Option<PathBuf>,
	/// The chain's raw chain spec (`space-notary-node build-spec --chain dev --raw`): the
	/// genesis hash and the genesis GRANDPA authority set are read from it.
	#[arg(long, required_unless_present = "anchor", conflicts_with = "anchor")]
	pub chain_spec: Option<PathBuf>,
	/// A trust anchor file instead (JSON: `genesis_hash`, `set_id`, `authorities` as
	/// `[key, weight]` pairs), for a later authority set the verifier trusts.
	#[arg(long)]
	pub anchor: Option<PathBuf>,
}

/// Runs a `receipt` subcommand.
pub async fn run(command: ReceiptCommand, out: &mut impl Write) -> Result<(), CommandError> {
	match command {
		ReceiptCommand::Make(args) => make_command(args, out).await,
		ReceiptCommand::Verify(args) => verify_command(args, out),
	}
}

/// A receipt made from the chain, with what its own check found.
#[derive(Debug, Clone)]
pub struct Made {
	/// The receipt.
	pub receipt: Receipt,
	/// The authority set it was checked under (the chain's, at the justified block).
	pub anchor: TrustAnchor,
	/// What it proves.
	pub verified: Verified,
}

/// Makes the receipt of one transaction of `batch_id`, from what `chain` holds at its finalized
/// block, and checks it before returning it.
pub async fn make(
	chain: &Chain,
	batch_id: BatchId,
	choice: TxChoice,
	with_tx: bool,
) -> Result<Made, CommandError> {
	let document = ProofDocument::make(chain, batch_id, choice).await?;
	let at = chain.finalized().await?;
	let finalized: u32 = at.block_number().try_into().unwrap_or(u32::MAX);
	let record = chain::batch(&at, batch_id)
		.await?
		.ok_or_else(|| CommandError::BadRequest(format!("no batch {batch_id:?}")))?;
	let BatchStatus::Certified { attestations, certified_at } = record.status else {
		return Err(CommandError::BadRequest(format!("batch {batch_id:?} is not certified")));
	};
	let tx = TxEvidence {
		leaf: space_notary_primitives::leaf_hash(&document.tx),
		proof: InclusionProof {
			leaf_index: document.leaf_index,
			number_of_leaves: document.number_of_leaves,
			proof: document.proof.clone(),
		},
		tx: with_tx.then(|| document.tx.clone()),
	};

	// The first block at or after the certification with a stored justification.
	let last = finalized.min(certified_at.saturating_add(MAX_JUSTIFICATION_SEARCH));
	let mut justified = None;
	for number in certified_at..=last {
		let hash = block_hash(chain, number).await?;
		if let Some(bytes) = chain.grandpa_justification(hash).await? {
			justified = Some((number, hash, bytes));
			break;
		}
	}
	let Some((justified_number, justified_hash, justification)) = justified else {
		return Err(CommandError::BadRequest(format!(
			"no GRANDPA justification is stored yet for blocks {certified_at}..={last} (finalized: \
			 {finalized}); the node stores one every few blocks: try again in a minute"
		)));
	};
	let justification = Justification::decode(&mut &justification[..]).map_err(|e| {
		CommandError::BadRequest(format!(
			"the justification of block {justified_number} does not decode: {e}"
		))
	})?;
	let (set_id, authorities) = chain.grandpa_set(justified_hash).await?;
	let set_changes = match set_changes(chain, justified_number).await {
		Ok(changes) => changes,
		// A node without GRANDPA's finality proofs: the genesis set needs none.
		Err(_) if set_id == 0 => Vec::new(),
		Err(error) => return Err(error),
	};
	let anchor = if set_changes.is_empty() {
		TrustAnchor { genesis_hash: chain.genesis_hash(), set_id, authorities }
	} else {
		// Checked from the genesis set, as a verifier with the chain spec checks it.
		let genesis = block_hash(chain, 0).await?;
		let (set_id, authorities) = chain.grandpa_set(genesis).await.map_err(|e| {
			CommandError::BadRequest(format!(
				"the GRANDPA set of block 0, which a receipt after a set change is checked from, \
				 cannot be read ({e}); ask a node that keeps block 0's state"
			))
		})?;
		TrustAnchor { genesis_hash: chain.genesis_hash(), set_id, authorities }
	};

	// The justified block's own state first (no headers to carry); if the server's key changed
	// between the certification and that block, the certification block's state and the headers
	// up to the justified block. In each, the server key is the one registered in that state.
	let mut last_error = ReceiptError::ServerKeyNotProven;
	let candidates = if justified_number == certified_at {
		vec![certified_at]
	} else {
		vec![justified_number, certified_at]
	};
	for number in candidates {
		let hash = block_hash(chain, number).await?;
		let Some(server) = chain::server(&chain.at(hash).await?, record.cert.server_id).await?
		else {
			continue; // not registered then: the other block may still prove it
		};
		let batch = BatchEvidence {
			cert: record.cert.clone(),
			server_key: server.server_key,
			server_signature: record.server_signature.clone(),
			attestations: attestations.to_vec(),
		};
		let keys = [batch_record_key(&batch_id), server_key_owner_key(&batch.server_key)];
		let mut descendants = Vec::new();
		for later in number + 1..=justified_number {
			descendants.push(chain.header(block_hash(chain, later).await?).await?);
		}
		let receipt = Receipt {
			version: RECEIPT_VERSION,
			tx: tx.clone(),
			batch,
			chain: ChainEvidence {
				header: chain.header(hash).await?,
				state_proof: chain.read_proof(&keys, hash).await?,
				descendants,
				justification: justification.clone(),
				set_changes: set_changes.clone(),
			},
		};
		match verify(&receipt, None, &anchor) {
			Ok(verified) => return Ok(Made { receipt, anchor, verified }),
			Err(error @ (ReceiptError::ServerKeyNotProven | ReceiptError::BadServerSignature)) => {
				last_error = error;
			},
			Err(error) => return Err(self_check_failed(batch_id, error)),
		}
	}
	Err(self_check_failed(batch_id, last_error))
}

/// The GRANDPA set changes from set 0 to the set that finalized block `justified`, from the
/// node's finality proofs: for a block of a past set, `grandpa_proveFinality` answers with the
/// justification of that set's last block, the one that enacted the next set; the change is
/// scheduled in that block or in one up to [`MAX_CHANGE_DELAY`] blocks before it.
async fn set_changes(
	chain: &impl FinalitySource,
	justified: u32,
) -> Result<Vec<SetChange>, CommandError> {
	let mut changes = Vec::new();
	let mut from = 0u32;
	loop {
		let proof = chain.prove_finality(from).await?.ok_or_else(|| {
			CommandError::BadRequest(format!(
				"the node has no GRANDPA finality proof for block {from}"
			))
		})?;
		let enacting = chain.header(proof.block).await?;
		if justified <= enacting.number {
			return Ok(changes);
		}
		if changes.len() == MAX_SET_CHANGES {
			return Err(CommandError::BadRequest(format!(
				"over {MAX_SET_CHANGES} GRANDPA set changes before block {justified}"
			)));
		}
		let mut scheduling = enacting.clone();
		let mut descendants = Vec::new();
		while scheduled_change(&scheduling)
			.is_none_or(|c| scheduling.number.checked_add(c.delay) != Some(enacting.number))
		{
			if descendants.len() == MAX_CHANGE_DELAY || scheduling.number == 0 {
				return Err(CommandError::BadRequest(format!(
					"block {} enacted a GRANDPA set change that no block up to \
					 {MAX_CHANGE_DELAY} before it schedules as a standard change (a forced \
					 change cannot be proven)",
					enacting.number
				)));
			}
			let parent = chain.header(scheduling.parent_hash).await?;
			descendants.insert(0, std::mem::replace(&mut scheduling, parent));
		}
		let justification = Justification::decode(&mut &proof.justification[..]).map_err(|e| {
			CommandError::BadRequest(format!(
				"the justification of block {} does not decode: {e}",
				enacting.number
			))
		})?;
		changes.push(SetChange { header: scheduling, descendants, justification });
		from = enacting.number.saturating_add(1);
	}
}

/// What collecting set changes reads from a node: a [`Chain`], or in tests a chain in memory.
pub(crate) trait FinalitySource {
	/// `grandpa_proveFinality(number)`.
	async fn prove_finality(&self, number: u32) -> Result<Option<FinalityProof>, CommandError>;
	/// The header of block `hash`.
	async fn header(&self, hash: H256) -> Result<Header, CommandError>;
}

impl FinalitySource for Chain {
	async fn prove_finality(&self, number: u32) -> Result<Option<FinalityProof>, CommandError> {
		Ok(Chain::prove_finality(self, number).await?)
	}

	async fn header(&self, hash: H256) -> Result<Header, CommandError> {
		Ok(Chain::header(self, hash).await?)
	}
}

fn self_check_failed(batch_id: BatchId, error: ReceiptError) -> CommandError {
	CommandError::BadRequest(format!(
		"the chain's evidence for batch {batch_id:?} does not make a valid receipt: {error}"
	))
}

async fn block_hash(chain: &Chain, number: u32) -> Result<H256, CommandError> {
	chain.block_hash(number).await?.ok_or_else(|| {
		CommandError::BadRequest(format!("the node has no block {number} (pruned?)"))
	})
}

/// The JSON form: the binary form in hex, and a summary for people (never trusted).
pub fn to_json(made: &Made) -> Value {
	let v = &made.verified;
	json!({
		"format": JSON_FORMAT,
		"receipt": format!("0x{}", hex::encode(made.receipt.to_bytes())),
		"summary": {
			"batch_id": format!("{:?}", v.batch_id),
			"server_id": v.server_id,
			"sequence": v.sequence,
			"leaf_index": v.leaf_index,
			"tx_count": made.receipt.batch.cert.tx_count,
			"tx_hash": format!("{:?}", v.leaf),
			"certified_at": v.certified_at,
			"block": v.block.0,
			"finalized": v.finalized.0,
			"genesis_hash": format!("{:?}", made.anchor.genesis_hash),
			"set_id": v.set_id,
			"set_changes": made.receipt.chain.set_changes.len(),
		},
	})
}

/// Reads a receipt in either form: JSON when the first non-blank byte is `{`, else binary.
pub fn read_receipt(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
	if bytes.len() > 3 * MAX_RECEIPT_BYTES {
		return Err(ReceiptError::Malformed);
	}
	if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
		return Receipt::from_bytes(bytes);
	}
	let document: Value = serde_json::from_slice(bytes).map_err(|_| ReceiptError::Malformed)?;
	if document["format"] != JSON_FORMAT {
		return Err(ReceiptError::Malformed);
	}
	let hex_text = document["receipt"].as_str().ok_or(ReceiptError::Malformed)?;
	let binary =
		hex::decode(hex_text.trim_start_matches("0x")).map_err(|_| ReceiptError::Malformed)?;
	Receipt::from_bytes(&binary)
}

async fn make_command(args: MakeArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let choice = match (&args.file, args.index, args.tx_hash) {
		(Some(path), ..) => TxChoice::File { path: path.clone(), bytes: read_file(path)? },
		(None, Some(index), _) => TxChoice::Index(index),
		(None, None, Some(hash)) => TxChoice::Leaf(hash),
		(None, None, None) => {
			return Err(CommandError::BadRequest("give FILE, --index or --tx-hash".into()))
		},
	};
	let chain = Chain::connect(&args.chain.chain).await?;
	let made = make(&chain, args.batch, choice, !args.without_tx).await?;
	let bytes = if args.json {
		let mut text = serde_json::to_string_pretty(&to_json(&made)).unwrap_or_default();
		text.push('\n');
		text.into_bytes()
	} else {
		made.receipt.to_bytes()
	};
	std::fs::write(&args.out, &bytes)?;
	let v = &made.verified;
	writeln!(
		out,
		"receipt of transaction {} of batch {:?}: {} bytes, written to {}",
		v.leaf_index,
		v.batch_id,
		bytes.len(),
		args.out.display()
	)?;
	writeln!(
		out,
		"certified at block {}, record proven in block {} ({:?}), finalized at block {} by GRANDPA set {} ({} of {} weight needed)",
		v.certified_at, v.block.0, v.block.1, v.finalized.0, v.set_id, v.signed_weight.0, v.signed_weight.1
	)?;
	if !made.receipt.chain.set_changes.is_empty() {
		writeln!(
			out,
			"it carries the {} GRANDPA set changes from the genesis set, so the chain spec checks it",
			made.receipt.chain.set_changes.len()
		)?;
	} else if made.anchor.set_id != 0 {
		writeln!(
			out,
			"note: GRANDPA set {} finalized it and the node gave no set changes: a verifier \
			 needs an anchor of that set (receipt verify --anchor FILE)",
			made.anchor.set_id
		)?;
	}
	Ok(())
}

fn verify_command(args: VerifyArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let (anchor, source) = match (&args.chain_spec, &args.anchor) {
		(Some(path), _) => {
			(anchor_from_chain_spec(path)?, format!("the chain spec {}", path.display()))
		},
		(None, Some(path)) => {
			(anchor_from_file(path)?, format!("the anchor file {}", path.display()))
		},
		(None, None) => {
			return Err(CommandError::BadRequest("give --chain-spec or --anchor".into()))
		},
	};
	let tx = args.file.as_deref().map(read_file).transpose()?;
	let bytes = read_bounded(&args.receipt, 3 * MAX_RECEIPT_BYTES as u64)?;
	let total: u64 = anchor.authorities.iter().map(|(_, w)| *w).sum();
	writeln!(out, "trusted: {source}")?;
	writeln!(out, "  chain (genesis hash)  {:?}", anchor.genesis_hash)?;
	writeln!(
		out,
		"  GRANDPA set {}: {} authorities, total weight {total}",
		anchor.set_id,
		anchor.authorities.len()
	)?;
	if let Some(path) = &args.file {
		writeln!(out, "  transaction file      {}", path.display())?;
	}
	let verdict = read_receipt(&bytes).and_then(|receipt| verify(&receipt, tx.as_deref(), &anchor));
	let failed = verdict.as_ref().err().map(|e| e.check());
	let mut reached = true;
	for check in Check::ALL {
		let mark = match (reached, failed) {
			(false, _) => "--  ",
			(true, Some(f)) if f == check => {
				reached = false;
				"FAIL"
			},
			(true, _) => "ok  ",
		};
		writeln!(out, "  {mark} {}", check.describe())?;
	}
	match verdict {
		Ok(v) => {
			writeln!(
				out,
				"valid: transaction {} (leaf {:?}) is in batch {:?} of server {} (sequence {}), \
				 certified at block {}; the record is in block {} ({:?}), finalized at block {} \
				 ({:?}) by GRANDPA set {}{} with weight {} (at least {} needed)",
				v.leaf_index,
				v.leaf,
				v.batch_id,
				v.server_id,
				v.sequence,
				v.certified_at,
				v.block.0,
				v.block.1,
				v.finalized.0,
				v.finalized.1,
				v.set_id,
				if v.set_id == anchor.set_id {
					String::new()
				} else {
					format!(" (reached from set {} by the receipt's set changes)", anchor.set_id)
				},
				v.signed_weight.0,
				v.signed_weight.1
			)?;
			Ok(())
		},
		Err(error) => {
			writeln!(out, "invalid: {}", error.name())?;
			Err(CommandError::BadRequest(format!(
				"{} is not a valid receipt: {error}",
				args.receipt.display()
			)))
		},
	}
}

/// The trust anchor of a raw chain spec: the genesis storage's hash and GRANDPA set.
pub fn anchor_from_chain_spec(path: &Path) -> Result<TrustAnchor, CommandError> {
	let bad = |why: String| CommandError::BadRequest(format!("{}: {why}", path.display()));
	let bytes = read_bounded(path, MAX_CHAIN_SPEC_BYTES)?;
	let spec: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
	let raw = &spec["genesis"]["raw"];
	let top = raw["top"].as_object().ok_or_else(|| {
		bad("not a raw chain spec (no genesis.raw.top); make one with `space-notary-node \
		     build-spec --chain dev --raw`"
			.into())
	})?;
	if raw["childrenDefault"].as_object().is_some_and(|c| !c.is_empty()) {
		return Err(bad("genesis child tries are not supported by receipt format 1".into()));
	}
	let hex_bytes = |text: &str| hex::decode(text.trim_start_matches("0x"));
	let mut storage = BTreeMap::new();
	for (key, value) in top {
		let value =
			value.as_str().ok_or_else(|| bad(format!("storage value of {key} is not a string")))?;
		let key = hex_bytes(key).map_err(|_| bad(format!("storage key {key} is not hex")))?;
		let value = hex_bytes(value).map_err(|_| bad("a storage value is not hex".into()))?;
		storage.insert(key, value);
	}
	TrustAnchor::from_genesis_storage(&storage).map_err(|e| bad(e.to_string()))
}

/// A trust anchor file: `{"genesis_hash": "0x…", "set_id": N, "authorities": [["0x…", W], …]}`.
pub fn anchor_from_file(path: &Path) -> Result<TrustAnchor, CommandError> {
	let bad = |why: &str| CommandError::BadRequest(format!("{}: {why}", path.display()));
	let bytes = read_bounded(path, 1 << 20)?;
	let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad("not JSON"))?;
	let genesis_hash = v["genesis_hash"]
		.as_str()
		.and_then(|s| parse_h256(s).ok())
		.ok_or_else(|| bad("genesis_hash is not 0x + 64 hex digits"))?;
	let set_id = v["set_id"].as_u64().ok_or_else(|| bad("set_id is not a number"))?;
	let authorities = v["authorities"]
		.as_array()
		.ok_or_else(|| bad("authorities is not a list"))?
		.iter()
		.map(|pair| {
			let key = pair[0].as_str().and_then(|s| parse_h256(s).ok())?;
			Some((AuthorityId::from_raw(key.0), pair[1].as_u64()?))
		})
		.collect::<Option<Vec<_>>>()
		.ok_or_else(|| bad("an authority is not [\"0x<ed25519 key>\", weight]"))?;
	Ok(TrustAnchor { genesis_hash, set_id, authorities })
}

fn read_file(path: &Path) -> Result<Vec<u8>, CommandError> {
	std::fs::read(path).map_err(|source| CommandError::Read { path: path.to_path_buf(), source })
}

/// Reads at most `limit` bytes; a longer file is a bad request, not a memory cost.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, CommandError> {
	use std::io::Read;
	let file = std::fs::File::open(path)
		.map_err(|source| CommandError::Read { path: path.to_path_buf(), source })?;
	let mut bytes = Vec::new();
	file.take(limit + 1)
		.read_to_end(&mut bytes)
		.map_err(|source| CommandError::Read { path: path.to_path_buf(), source })?;
	if bytes.len() as u64 > limit {
		return Err(CommandError::BadRequest(format!("{} is over {limit} bytes", path.display())));
	}
	Ok(bytes)
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Encode;
	use sp_runtime::{traits::Header as _, Digest, DigestItem};
	use space_notary_primitives::receipt::{Commit, GRANDPA_ENGINE_ID};

	/// A chain in memory with two set changes: scheduled at block 10 with a delay of 2 (set 0
	/// ends at block 12), and at block 20 with no delay (set 1 ends at block 20); blocks up to 30
	/// are finalized. Its finality proofs answer as polkadot-sdk's `FinalityProofProvider` does:
	/// for a block of a past set, the justification of that set's last block; after the last
	/// change, the latest one.
	struct Mock {
		headers: Vec<Header>,
		ends: Vec<u32>,
	}

	fn justification(of: &Header) -> Justification {
		Justification {
			round: u64::from(of.number),
			commit: Commit { target_hash: of.hash(), target_number: of.number, precommits: vec![] },
			votes_ancestries: vec![],
		}
	}

	fn change(next: u8, delay: u32) -> DigestItem {
		let key = AuthorityId::from_raw([next; 32]);
		let mut log = vec![1u8];
		(vec![(key, 1u64)], delay).encode_to(&mut log);
		DigestItem::Consensus(GRANDPA_ENGINE_ID, log)
	}

	/// Headers 0..=30, each the child of the one before, with `logs(number)` in its digest.
	fn chain(logs: impl Fn(u32) -> Vec<DigestItem>) -> Vec<Header> {
		let mut headers: Vec<Header> = Vec::new();
		for number in 0..=30u32 {
			let parent = headers.last().map(|h| h.hash()).unwrap_or_default();
			let mut digest = vec![DigestItem::PreRuntime(*b"aura", number.encode())];
			digest.extend(logs(number));
			headers.push(Header::new(
				number,
				H256::zero(),
				H256::zero(),
				parent,
				Digest { logs: digest },
			));
		}
		headers
	}

	fn two_changes(number: u32) -> Vec<DigestItem> {
		match number {
			10 => vec![change(1, 2)],
			// A GRANDPA log that changes no set (Pause) beside the change.
			20 => vec![DigestItem::Consensus(GRANDPA_ENGINE_ID, vec![4, 0, 0, 0, 0]), change(2, 0)],
			_ => vec![],
		}
	}

	impl FinalitySource for Mock {
		async fn prove_finality(&self, number: u32) -> Result<Option<FinalityProof>, CommandError> {
			let end = self.ends.iter().find(|end| number <= **end).copied().unwrap_or(30);
			let block = &self.headers[end as usize];
			Ok(Some(FinalityProof {
				block: block.hash(),
				justification: justification(block).encode(),
				unknown_headers: vec![],
			}))
		}

		async fn header(&self, hash: H256) -> Result<Header, CommandError> {
			self.headers
				.iter()
				.find(|h| h.hash() == hash)
				.cloned()
				.ok_or_else(|| CommandError::BadRequest("unknown header".into()))
		}
	}

	#[tokio::test]
	async fn set_changes_are_collected_from_set_0_to_the_justified_block_s_set() {
		let mock = Mock { headers: chain(two_changes), ends: vec![12, 20] };
		let numbers = |c: &SetChange| {
			(
				c.header.number,
				c.descendants.iter().map(|h| h.number).collect::<Vec<_>>(),
				c.justification.commit.target_number,
			)
		};
		// A block of set 0, and the last block of set 0: no change.
		for justified in [5, 12] {
			assert_eq!(set_changes(&mock, justified).await.unwrap(), vec![], "block {justified}");
		}
		// A block of set 1: the first change, scheduled at 10, enacted and justified at 12.
		let one = set_changes(&mock, 13).await.unwrap();
		assert_eq!(one.iter().map(numbers).collect::<Vec<_>>(), vec![(10, vec![11, 12], 12)]);
		assert_eq!(one[0].header, mock.headers[10]);
		assert_eq!(one[0].justification, justification(&mock.headers[12]));
		// A block of set 2: both, the second scheduled and enacted at 20.
		let two = set_changes(&mock, 25).await.unwrap();
		assert_eq!(
			two.iter().map(numbers).collect::<Vec<_>>(),
			vec![(10, vec![11, 12], 12), (20, vec![], 20)]
		);
		for change in &two {
			let scheduled =
				scheduled_change(&change.header).expect("the header schedules a change");
			assert_eq!(scheduled.delay as usize, change.descendants.len());
		}
	}

	#[tokio::test]
	async fn a_set_change_that_no_block_schedules_is_refused() {
		// Set 0 ends at block 12, but no block schedules a standard change (as after a forced
		// change, which a receipt cannot prove).
		let mock = Mock { headers: chain(|_| vec![]), ends: vec![12] };
		let error = set_changes(&mock, 13).await.unwrap_err().to_string();
		assert!(error.contains("block 12 enacted a GRANDPA set change"), "{error}");
	}
}
