//! The chain side: a subxt client on the legacy RPC backend, and the few reads and writes the
//! bridge makes.
//!
//! # Why the legacy backend
//!
//! The `chainHead_v1` RPC family has per-connection limits on a stable2609 node (pinned blocks,
//! how far a follower may lag, follow subscriptions) and ends the follow with a `Stop` event
//! when they are exceeded: a daemon that must not miss a batch would have to treat every `Stop`
//! as a reconnect. The legacy methods (`chain_subscribeFinalizedHeads`, `state_call`,
//! `state_getStorage`, `author_submitExtrinsic`) have no such limits, subxt's legacy backend
//! fills gaps in the finalized stream itself, and the relay rebuilds its view from chain state
//! on every (re)connect anyway, so nothing depends on a subscription surviving.
//!
//! # Reads are raw and typed by the contract
//!
//! Runtime API answers and storage values are decoded with the types the runtime API is declared
//! with, which live in primitives (`space_notary_primitives::records`) beside the certificate,
//! through `codec`: the bridge agrees with the runtime byte for byte, without generated code,
//! dynamic values or any of the pallet's code. Calls are
//! built the same way and checked against the node's metadata by subxt before they are sent.

use codec::{Decode, Encode};
use sp_core::{crypto::AccountId32, H256};
use space_notary_primitives::records::{BatchRecord, InclusionError, ServerInfo};
use space_notary_primitives::{
	receipt::{AuthorityId, Header},
	BatchId, Countersignature, InclusionProof, SatelliteSignature, ServerId,
};
use std::sync::Arc;
use subxt::{
	backend::LegacyBackend,
	client::{ClientAtBlock, OnlineClientAtBlockImpl},
	config::RpcConfigFor,
	rpcs::{methods::LegacyRpcMethods, rpc_params, RpcClient},
	tx::Signer,
	OnlineClient, PolkadotConfig,
};
use url::Url;

/// The pallet's name in the runtime.
pub const PALLET: &str = "SpaceNotary";

/// Block numbers of the Space Notary runtime.
pub type BlockNumber = u32;

/// A batch as the runtime API reports it.
pub type BatchRecordOf = BatchRecord<BlockNumber>;

/// A server as the runtime API reports it.
pub type ServerInfoOf = ServerInfo<AccountId32>;

/// A subxt client view of the chain at one block.
pub type AtBlock = ClientAtBlock<PolkadotConfig, OnlineClientAtBlockImpl<PolkadotConfig>>;

/// What can go wrong talking to the chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
	/// The node could not be reached or answered with an RPC error.
	#[error(transparent)]
	Rpc(#[from] subxt::rpcs::Error),
	/// subxt refused or failed a request.
	#[error(transparent)]
	Subxt(#[from] Box<subxt::Error>),
	/// An answer did not decode as the pallet's types: the node runs another runtime.
	#[error("cannot decode {what} from the node: {error}")]
	Decode {
		/// What was being read.
		what: &'static str,
		/// The codec error.
		error: codec::Error,
	},
	/// The runtime has no Space Notary pallet (or no such call or constant).
	#[error("the node's runtime has no {0}")]
	NotSpaceNotary(String),
	/// The transaction pool refused a transaction, for a reason the runtime does not name (bad
	/// nonce, fees, already imported, …), or it was dropped.
	#[error("the node refused the transaction: {message}")]
	Refused {
		/// The refusal, classified where the RPC error is read.
		kind: PoolRefusal,
		/// The node's words.
		message: String,
	},
	/// The runtime refused the call with a named error: a dispatch error in the block that
	/// included it (under `Sudo.sudo`, the inner call's error), or a pool refusal whose custom
	/// code is a Space Notary error.
	#[error("{error}{}", if docs.is_empty() { String::new() } else { format!(" ({docs})") })]
	Rejected {
		/// The error's name: `NotOperator` for a Space Notary error, `Pallet::Error` for another
		/// pallet's, the `DispatchError` variant otherwise.
		error: String,
		/// The error's docs, from the metadata.
		docs: String,
	},
}

impl ChainError {
	fn subxt(error: impl Into<subxt::Error>) -> Self {
		Self::Subxt(Box::new(error.into()))
	}

	/// Whether the chain refused the transaction (rather than the node being unreachable): the
	/// refusal's name and docs (empty where the node gives no name).
	pub fn refusal(&self) -> Option<(&str, &str)> {
		match self {
			Self::Rejected { error, docs } => Some((error, docs)),
			Self::Refused { message, .. } => Some((message, "")),
			_ => None,
		}
	}
}

/// Why the pool refused a transaction, as far as the bridge acts on it: classified once, from
/// the RPC error's code and data (`author_submitExtrinsic`'s errors: 1010 invalid, 1011 unknown,
/// 1013 already imported, 1014 priority too low).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolRefusal {
	/// The pool holds this very transaction already (1013).
	AlreadyImported,
	/// The pool holds a transaction with the same tag and a higher priority (1014).
	PriorityTooLow,
	/// `InvalidTransaction::Stale` (1010, "Transaction is outdated"): for a countersignature,
	/// the batch is certified already.
	Stale,
	/// Anything else: bad nonce, fees, dropped, …
	Other,
}

impl PoolRefusal {
	/// The class of an `author_submitExtrinsic` error with `code` and `data`.
	pub fn classify(code: i32, data: Option<&str>) -> Self {
		match code {
			1013 => Self::AlreadyImported,
			1014 => Self::PriorityTooLow,
			1010 if data.is_some_and(|d| d.eq_ignore_ascii_case("Transaction is outdated")) => {
				Self::Stale
			},
			_ => Self::Other,
		}
	}
}

/// A transaction in a finalized block, with its events.
#[derive(Debug)]
pub struct Included {
	/// The finalized block that includes the transaction.
	pub block: H256,
	/// The transaction's events.
	pub events: subxt::extrinsics::ExtrinsicEvents<PolkadotConfig>,
}

impl Included {
	/// The first `pallet.name` event of the transaction, its fields decoded as `E` (a prefix of
	/// the fields will do: `ServerId` for `ServerRegistered { server_id, operator }`).
	pub fn event<E: Decode>(
		&self,
		pallet: &str,
		name: &'static str,
	) -> Result<Option<E>, ChainError> {
		for event in self.events.iter() {
			let event = event.map_err(ChainError::subxt)?;
			if event.pallet_name() == pallet && event.event_name() == name {
				return E::decode(&mut event.field_bytes())
					.map(Some)
					.map_err(|error| ChainError::Decode { what: name, error });
			}
		}
		Ok(None)
	}
}

/// A connection to a Space Notary node.
#[derive(Clone)]
pub struct Chain {
	client: OnlineClient<PolkadotConfig>,
	rpc: RpcClient,
	legacy: Arc<LegacyRpcMethods<RpcConfigFor<PolkadotConfig>>>,
}

impl std::fmt::Debug for Chain {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.debug_struct("Chain").field("genesis", &self.genesis_hash()).finish()
	}
}

/// `sc_consensus_grandpa::FinalityProof`, as `grandpa_proveFinality` encodes it.
#[derive(Debug, Clone, Decode)]
pub struct FinalityProof {
	/// The block the justification finalizes.
	pub block: H256,
	/// Its GRANDPA justification, SCALE-encoded.
	pub justification: Vec<u8>,
	/// Headers from the asked block to `block`, when the node thinks the asker lacks them.
	pub unknown_headers: Vec<Header>,
}

impl Chain {
	/// Connects to the node's RPC endpoint (`ws://` or `wss://`).
	pub async fn connect(url: &Url) -> Result<Self, ChainError> {
		let rpc = RpcClient::from_insecure_url(url.as_str()).await?;
		let backend = LegacyBackend::<PolkadotConfig>::builder().build(rpc.clone());
		let client = OnlineClient::<PolkadotConfig>::from_backend(Arc::new(backend))
			.await
			.map_err(ChainError::subxt)?;
		let legacy = Arc::new(LegacyRpcMethods::new(rpc.clone()));
		Ok(Self { client, rpc, legacy })
	}

	/// The subxt client.
	pub fn client(&self) -> &OnlineClient<PolkadotConfig> {
		&self.client
	}

	/// Hash of block 0: what every certificate for this chain carries.
	pub fn genesis_hash(&self) -> H256 {
		H256(self.client.genesis_hash().0)
	}

	/// The chain at its latest finalized block.
	pub async fn finalized(&self) -> Result<AtBlock, ChainError> {
		self.client.at_current_block().await.map_err(ChainError::subxt)
	}

	/// The chain at its best (not necessarily finalized) block, for reads that must see what was
	/// just included (an operator's next sequence).
	pub async fn best(&self) -> Result<AtBlock, ChainError> {
		let hash = self
			.legacy
			.chain_get_block_hash(None)
			.await?
			.ok_or_else(|| ChainError::NotSpaceNotary("best block".into()))?;
		self.client.at_block(hash).await.map_err(ChainError::subxt)
	}

	/// The finalized block number and the best block number.
	pub async fn heads(&self) -> Result<(u64, u64), ChainError> {
		let finalized_hash = self.legacy.chain_get_finalized_head().await?;
		let finalized = self.legacy.chain_get_header(Some(finalized_hash)).await?;
		let best = self.legacy.chain_get_header(None).await?;
		let number = |h: Option<subxt::config::substrate::SubstrateHeader<_>>| {
			h.map(|h: subxt::config::substrate::SubstrateHeader<_>| h.number).unwrap_or_default()
		};
		Ok((number(finalized), number(best)))
	}

	/// The next nonce of `account`, counting transactions in the pool.
	pub async fn next_nonce(&self, account: &AccountId32) -> Result<u64, ChainError> {
		let account = subxt::utils::AccountId32(*account.as_ref());
		Ok(self.legacy.system_account_next_index(&account).await?)
	}

	/// A batch's transactions from the node's off-chain index (`offchain_localStorageGet`,
	/// `PERSISTENT`): an unsafe RPC method, which a node serves on loopback by default and
	/// elsewhere only with `--rpc-methods unsafe`. `None` if the node does not have them.
	pub async fn indexed_transactions(
		&self,
		batch_id: &BatchId,
	) -> Result<Option<Vec<Vec<u8>>>, ChainError> {
		let key = space_notary_primitives::offchain_txs_key(batch_id);
		let value: Option<String> = self
			.rpc
			.request(
				"offchain_localStorageGet",
				rpc_params!["PERSISTENT", format!("0x{}", hex::encode(key))],
			)
			.await?;
		let Some(value) = value else { return Ok(None) };
		let bytes = hex::decode(value.trim_start_matches("0x"))
			.map_err(|_| ChainError::NotSpaceNotary("hex in offchain_localStorageGet".into()))?;
		decode("indexed transactions", &bytes).map(Some)
	}

	/// The hash of block `number` of the best chain (the finalized chain below the finalized
	/// head), or `None` past the best block.
	pub async fn block_hash(&self, number: BlockNumber) -> Result<Option<H256>, ChainError> {
		let hash = self.legacy.chain_get_block_hash(Some(number.into())).await?;
		Ok(hash.map(|h| H256(h.0)))
	}

	/// Block `hash`'s header, as the chain encodes and hashes it; an error if the node answers
	/// with a header of another hash.
	pub async fn header(&self, hash: H256) -> Result<Header, ChainError> {
		let header = self
			.legacy
			.chain_get_header(Some(subxt::utils::H256(hash.0)))
			.await?
			.ok_or_else(|| ChainError::NotSpaceNotary(format!("header of block {hash:?}")))?;
		let header: Header = decode("header", &header.encode())?;
		if header.hash() != hash {
			return Err(ChainError::NotSpaceNotary(format!(
				"a header that hashes to {hash:?} (it answered one of {:?})",
				header.hash()
			)));
		}
		Ok(header)
	}

	/// The GRANDPA justification the node stores for block `hash`, SCALE-encoded, if any.
	pub async fn grandpa_justification(&self, hash: H256) -> Result<Option<Vec<u8>>, ChainError> {
		let block = self.legacy.chain_get_block(Some(subxt::utils::H256(hash.0))).await?;
		Ok(block
			.and_then(|b| b.justifications)
			.and_then(|js| js.into_iter().find(|(engine, _)| engine == b"FRNK"))
			.map(|(_, justification)| justification))
	}

	/// The node's GRANDPA finality proof for block `number` (`grandpa_proveFinality`): the
	/// block it justifies (for a block of a past authority set, the last block of that set, the
	/// one that enacted the next set), that block's justification (SCALE), and the headers
	/// between. `None` when the node has no justification to give.
	pub async fn prove_finality(
		&self,
		number: BlockNumber,
	) -> Result<Option<FinalityProof>, ChainError> {
		let value: Option<String> =
			self.rpc.request("grandpa_proveFinality", rpc_params![number]).await?;
		let Some(value) = value else { return Ok(None) };
		let bytes = hex::decode(value.trim_start_matches("0x"))
			.map_err(|_| ChainError::NotSpaceNotary("hex in grandpa_proveFinality".into()))?;
		decode("GRANDPA finality proof", &bytes).map(Some)
	}

	/// The trie nodes that prove the values at `keys` in block `hash`'s state
	/// (`state_getReadProof`).
	pub async fn read_proof(
		&self,
		keys: &[Vec<u8>],
		hash: H256,
	) -> Result<Vec<Vec<u8>>, ChainError> {
		let proof = self
			.legacy
			.state_get_read_proof(keys.iter().map(Vec::as_slice), Some(subxt::utils::H256(hash.0)))
			.await?;
		Ok(proof.proof.into_iter().map(|bytes| bytes.0).collect())
	}

	/// The chain at block `hash`.
	pub async fn at(&self, hash: H256) -> Result<AtBlock, ChainError> {
		self.client.at_block(subxt::utils::H256(hash.0)).await.map_err(ChainError::subxt)
	}

	/// The GRANDPA authority set in block `hash`'s state: its id and its members with their
	/// weights (`GrandpaApi`).
	pub async fn grandpa_set(
		&self,
		hash: H256,
	) -> Result<(u64, Vec<(AuthorityId, u64)>), ChainError> {
		let at =
			self.client.at_block(subxt::utils::H256(hash.0)).await.map_err(ChainError::subxt)?;
		let call = |name: &'static str| {
			let at = &at;
			async move { at.runtime_apis().call_raw(name, None).await.map_err(ChainError::subxt) }
		};
		let set_id = decode("GRANDPA set id", &call("GrandpaApi_current_set_id").await?)?;
		let authorities =
			decode("GRANDPA authorities", &call("GrandpaApi_grandpa_authorities").await?)?;
		Ok((set_id, authorities))
	}

	/// A stream of finalized blocks (gaps filled in by subxt).
	pub async fn finalized_blocks(
		&self,
	) -> Result<subxt::client::Blocks<PolkadotConfig>, ChainError> {
		self.client.stream_blocks().await.map_err(ChainError::subxt)
	}

	/// Submits an extrinsic without waiting for it; returns its hash.
	pub async fn submit(&self, at: &AtBlock, call: &Call) -> Result<H256, ChainError> {
		let payload = call.payload(at)?;
		let tx = at.tx().create_v4_unsigned(&payload).map_err(ChainError::subxt)?;
		tx.submit().await.map(|h| H256(h.0)).map_err(|e| submit_error(at, e))
	}

	/// Signs `call` with `signer` at `nonce` (mortal, tip 0) and submits it; returns its hash.
	pub async fn submit_signed<S: Signer<PolkadotConfig>>(
		&self,
		at: &AtBlock,
		call: &Call,
		signer: &S,
		nonce: u64,
	) -> Result<H256, ChainError> {
		let tx = self.sign(at, call, signer, nonce).await?;
		tx.submit().await.map(|h| H256(h.0)).map_err(|e| submit_error(at, e))
	}

	/// Signs `call` (at the best block, with the account's next nonce) and waits until it is in a
	/// finalized block; returns that block and the transaction's events.
	///
	/// A call that fails in the block comes back as [`ChainError::Rejected`] with the pallet
	/// error's name and docs, and so does a call under `Sudo.sudo` whose inner call failed
	/// (`Sudo::Sudid { sudo_result: Err(..) }`: the sudo call itself succeeds). A pool refusal
	/// is [`ChainError::Rejected`] where its custom code names a Space Notary error,
	/// [`ChainError::Refused`] otherwise.
	pub async fn submit_signed_and_watch<S: Signer<PolkadotConfig>>(
		&self,
		call: &Call,
		signer: &S,
	) -> Result<Included, ChainError> {
		let at = self.best().await?;
		let nonce = self.next_nonce(&AccountId32::new(signer.account_id().0)).await?;
		let tx = self.sign(&at, call, signer, nonce).await?;
		let progress = tx.submit_and_watch().await.map_err(|e| submit_error(&at, e))?;
		let in_block = progress.wait_for_finalized().await.map_err(|e| match e {
			subxt::error::TransactionProgressError::TransactionStatusError(status) => {
				ChainError::Refused { kind: PoolRefusal::Other, message: status.to_string() }
			},
			other => ChainError::subxt(other),
		})?;
		let events = in_block.fetch_events().await.map_err(ChainError::subxt)?;
		let included = Included { block: H256(in_block.block_hash().0), events };
		let metadata = at.metadata_ref();
		for event in included.events.iter() {
			let event = event.map_err(ChainError::subxt)?;
			let failure = match (event.pallet_name(), event.event_name()) {
				("System", "ExtrinsicFailed") => Some(decode_prefix::<sp_runtime::DispatchError>(
					"ExtrinsicFailed",
					event.field_bytes(),
				)?),
				("Sudo", "Sudid") if call.sudo => decode_prefix::<
					Result<(), sp_runtime::DispatchError>,
				>("Sudid", event.field_bytes())?
				.err(),
				_ => None,
			};
			if let Some(error) = failure {
				return Err(dispatch_refusal(metadata, error));
			}
		}
		Ok(included)
	}

	async fn sign<S: Signer<PolkadotConfig>>(
		&self,
		at: &AtBlock,
		call: &Call,
		signer: &S,
		nonce: u64,
	) -> Result<
		subxt::tx::SubmittableTransaction<PolkadotConfig, OnlineClientAtBlockImpl<PolkadotConfig>>,
		ChainError,
	> {
		let payload = call.payload(at)?;
		let params = subxt::config::DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new()
			.nonce(nonce)
			.mortal(64)
			.build();
		at.tx().create_signed(&payload, signer, params).await.map_err(ChainError::subxt)
	}
}

/// A call of the Space Notary pallet (or `Sudo.sudo` around one), SCALE-encoded by the
/// pallet's own argument types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
	pallet: &'static str,
	name: &'static str,
	args: Vec<u8>,
	/// Wrapped in `Sudo.sudo`.
	sudo: bool,
}

impl Call {
	/// `SpaceNotary.<name>(args)`, `args` the SCALE encoding of the arguments in order.
	pub fn space_notary(name: &'static str, args: impl Encode) -> Self {
		Self { pallet: PALLET, name, args: args.encode(), sudo: false }
	}

	/// `submit_attestation(batch_id, countersignature)`: a v2 countersignature.
	pub fn attestation(batch_id: BatchId, countersignature: Countersignature) -> Self {
		Self::space_notary("submit_attestation", (batch_id, countersignature))
	}

	/// `submit_attestations(entries)`: a bundle of v2 countersignatures.
	pub fn attestations(entries: &[(BatchId, Countersignature)]) -> Self {
		Self::space_notary("submit_attestations", entries)
	}

	/// `submit_countersignature(batch_id, signature)`: v1, for a server with one satellite and
	/// a quorum of one.
	pub fn countersignature(batch_id: BatchId, signature: SatelliteSignature) -> Self {
		Self::space_notary("submit_countersignature", (batch_id, signature))
	}

	/// `submit_countersignatures(entries)`: a bundle of v1 countersignatures.
	pub fn countersignatures(entries: &[(BatchId, SatelliteSignature)]) -> Self {
		Self::space_notary("submit_countersignatures", entries)
	}

	/// This call, dispatched by `Sudo.sudo` (the registrar on a dev chain).
	pub fn through_sudo(mut self) -> Self {
		self.sudo = true;
		self
	}

	/// The call's name, for messages.
	pub fn name(&self) -> &'static str {
		self.name
	}

	/// The call data (`pallet index ++ call index ++ args`) for `at`'s runtime.
	fn call_data(&self, at: &AtBlock) -> Result<Vec<u8>, ChainError> {
		let metadata = at.metadata_ref();
		let pallet = metadata
			.pallet_by_name(self.pallet)
			.ok_or_else(|| ChainError::NotSpaceNotary(format!("pallet {}", self.pallet)))?;
		let variant = pallet.call_variant_by_name(self.name).ok_or_else(|| {
			ChainError::NotSpaceNotary(format!("call {}.{}", self.pallet, self.name))
		})?;
		let mut data = vec![pallet.call_index(), variant.index];
		data.extend_from_slice(&self.args);
		if !self.sudo {
			return Ok(data);
		}
		let sudo = metadata
			.pallet_by_name("Sudo")
			.ok_or_else(|| ChainError::NotSpaceNotary("pallet Sudo".into()))?;
		let variant = sudo
			.call_variant_by_name("sudo")
			.ok_or_else(|| ChainError::NotSpaceNotary("call Sudo.sudo".into()))?;
		let mut wrapped = vec![sudo.call_index(), variant.index];
		wrapped.extend_from_slice(&data);
		Ok(wrapped)
	}

	/// A subxt payload, decoded against `at`'s metadata: a call whose arguments do not match the
	/// runtime's types is refused here, before it is signed or sent.
	fn payload(
		&self,
		at: &AtBlock,
	) -> Result<subxt::tx::DynamicPayload<subxt::ext::scale_value::Composite<()>>, ChainError> {
		let data = self.call_data(at)?;
		at.tx().from_call_data_bytes(&data).map_err(ChainError::subxt)
	}
}

fn decode<T: Decode>(what: &'static str, mut bytes: &[u8]) -> Result<T, ChainError> {
	let value = T::decode(&mut bytes).map_err(|error| ChainError::Decode { what, error })?;
	if bytes.is_empty() {
		Ok(value)
	} else {
		Err(ChainError::Decode { what, error: "trailing bytes".into() })
	}
}

/// Decodes `T` from the start of `bytes`, ignoring what follows (an event's later fields).
fn decode_prefix<T: Decode>(what: &'static str, mut bytes: &[u8]) -> Result<T, ChainError> {
	T::decode(&mut bytes).map_err(|error| ChainError::Decode { what, error })
}

/// A dispatch error, named by the metadata.
fn dispatch_refusal(metadata: &subxt::Metadata, error: sp_runtime::DispatchError) -> ChainError {
	if let sp_runtime::DispatchError::Module(module) = &error {
		let named = metadata.pallet_by_error_index(module.index).and_then(|pallet| {
			let variant = pallet.error_variant_by_index(module.error[0])?;
			let name = if pallet.name() == PALLET {
				variant.name.clone()
			} else {
				format!("{}::{}", pallet.name(), variant.name)
			};
			Some(ChainError::Rejected { error: name, docs: variant.docs.join(" ") })
		});
		if let Some(named) = named {
			return named;
		}
	}
	let docs = <&'static str>::from(error).to_string();
	ChainError::Rejected { error: format!("{error:?}"), docs }
}

/// A failed submission: a refusal by the pool (named where its custom code is a Space Notary
/// error: `1010: Invalid Transaction: Custom error: N`), or the node being unreachable.
fn submit_error(at: &AtBlock, error: subxt::error::ExtrinsicError) -> ChainError {
	use subxt::error::{BackendError, ExtrinsicError, RpcError};
	let user = match &error {
		ExtrinsicError::ErrorSubmittingTransaction(BackendError::Rpc(RpcError::ClientError(
			subxt::rpcs::Error::User(user),
		))) => user,
		ExtrinsicError::TransactionStatusError(status) => {
			return ChainError::Refused { kind: PoolRefusal::Other, message: status.to_string() }
		},
		_ => return ChainError::subxt(error),
	};
	// The pool's reason is in `data`, a JSON string: "Custom error: 21", "Transaction is outdated".
	let data = user.data.as_ref().map(|raw| {
		serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned())
	});
	// `InvalidTransaction::Custom(n)` (1010) reads "Custom error: n"; `UnknownTransaction::
	// Custom(n)` (1011, a refusal that may pass later, such as a batch not imported yet) reads
	// "Custom(n)".
	let custom = data
		.as_deref()
		.and_then(|d| {
			d.strip_prefix("Custom error: ")
				.or_else(|| d.strip_prefix("Custom(").and_then(|rest| rest.strip_suffix(')')))
		})
		.and_then(|code| code.trim().parse::<u8>().ok());
	if let Some((error, docs)) = custom.and_then(|code| pallet_error(at, code)) {
		return ChainError::Rejected { error, docs };
	}
	let kind = PoolRefusal::classify(user.code, data.as_deref());
	let message = match data {
		Some(data) => format!("{} ({}): {data}", user.message, user.code),
		None => format!("{} ({})", user.message, user.code),
	};
	ChainError::Refused { kind, message }
}

/// `SpaceNotaryApi_<method>(args)` at `at`, decoded as `R`.
async fn runtime_api<R: Decode>(
	at: &AtBlock,
	method: &'static str,
	args: impl Encode,
) -> Result<R, ChainError> {
	let name = format!("SpaceNotaryApi_{method}");
	let bytes =
		at.runtime_apis().call_raw(&name, Some(&args.encode())).await.map_err(ChainError::subxt)?;
	decode(method, &bytes)
}

/// A server, at `at`.
pub async fn server(at: &AtBlock, server_id: ServerId) -> Result<Option<ServerInfoOf>, ChainError> {
	runtime_api(at, "server", server_id).await
}

/// A batch and its status, at `at`.
pub async fn batch(at: &AtBlock, batch_id: BatchId) -> Result<Option<BatchRecordOf>, ChainError> {
	runtime_api(at, "batch_status", batch_id).await
}

/// A server's pending batches, oldest first, at `at`.
pub async fn pending_batches(
	at: &AtBlock,
	server_id: ServerId,
) -> Result<Vec<(BatchId, BatchRecordOf)>, ChainError> {
	runtime_api(at, "pending_batches", server_id).await
}

/// `SpaceNotaryApi.verify_inclusion` at `at`.
pub async fn verify_inclusion(
	at: &AtBlock,
	batch_id: BatchId,
	tx: Vec<u8>,
	proof: InclusionProof,
) -> Result<Result<(), InclusionError>, ChainError> {
	runtime_api(at, "verify_inclusion", (batch_id, tx, proof)).await
}

/// The ids below which every registered server's id lies (`NextServerId`), at `at`.
pub async fn next_server_id(at: &AtBlock) -> Result<ServerId, ChainError> {
	// `twox_128(pallet) ++ twox_128(entry)`; sp-core 43 no longer re-exports the hashers.
	let key = subxt::ext::frame_decode::storage::encode_storage_key_prefix(PALLET, "NextServerId")
		.to_vec();
	match at.storage().fetch_raw(key).await {
		Ok(bytes) => decode("NextServerId", &bytes),
		Err(subxt::error::StorageError::NoValueFound) => Ok(0),
		Err(e) => Err(ChainError::subxt(e)),
	}
}

/// A constant of the Space Notary pallet, decoded as `T`.
pub fn constant<T: Decode>(at: &AtBlock, name: &'static str) -> Result<T, ChainError> {
	let metadata = at.metadata_ref();
	let value = metadata
		.pallet_by_name(PALLET)
		.and_then(|p| p.constant_by_name(name))
		.ok_or_else(|| ChainError::NotSpaceNotary(format!("constant {PALLET}.{name}")))?;
	decode(name, value.value())
}

/// The chain's block time in milliseconds (twice `Timestamp.MinimumPeriod`, as Aura has it).
pub fn block_time_ms(at: &AtBlock) -> Result<u64, ChainError> {
	let metadata = at.metadata_ref();
	let value = metadata
		.pallet_by_name("Timestamp")
		.and_then(|p| p.constant_by_name("MinimumPeriod"))
		.ok_or_else(|| ChainError::NotSpaceNotary("constant Timestamp.MinimumPeriod".into()))?;
	let period: u64 = decode("MinimumPeriod", value.value())?;
	Ok(period.saturating_mul(2))
}

/// The name and docs of the Space Notary error with `index`, as the metadata has them.
pub fn pallet_error(at: &AtBlock, index: u8) -> Option<(String, String)> {
	let metadata = at.metadata_ref();
	let variant = metadata.pallet_by_name(PALLET)?.error_variant_by_index(index)?;
	Some((variant.name.clone(), variant.docs.join(" ")))
}

/// An sr25519 account key that signs transactions for subxt.
#[derive(Clone)]
pub struct AccountSigner(sp_core::sr25519::Pair);

impl AccountSigner {
	/// From a secret URI (`//Alice`, a mnemonic, `0x` seed, with derivations).
	pub fn from_suri(suri: &str) -> Result<Self, sp_core::crypto::SecretStringError> {
		use sp_core::Pair;
		sp_core::sr25519::Pair::from_string(suri, None).map(Self)
	}

	/// The account.
	pub fn account(&self) -> AccountId32 {
		use sp_core::Pair;
		AccountId32::new(self.0.public().0)
	}
}

impl std::fmt::Debug for AccountSigner {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "AccountSigner({})", self.account())
	}
}

impl Signer<PolkadotConfig> for AccountSigner {
	fn account_id(&self) -> subxt::utils::AccountId32 {
		use sp_core::Pair;
		subxt::utils::AccountId32(self.0.public().0)
	}

	fn sign(&self, payload: &[u8]) -> subxt::utils::MultiSignature {
		use sp_core::Pair;
		subxt::utils::MultiSignature::Sr25519(self.0.sign(payload).0)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pool_refusals_are_classified_by_code_and_data() {
		let table = [
			(1013, None, PoolRefusal::AlreadyImported),
			(1014, Some("Priority is too low: (1, 1)"), PoolRefusal::PriorityTooLow),
			(1010, Some("Transaction is outdated"), PoolRefusal::Stale),
			(1010, Some("Custom error: 7"), PoolRefusal::Other),
			(1012, Some("Transaction is temporarily banned"), PoolRefusal::Other),
		];
		for (code, data, expected) in table {
			assert_eq!(PoolRefusal::classify(code, data), expected, "{code} {data:?}");
		}
	}
}
