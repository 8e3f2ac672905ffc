//! RPC methods beyond sc-rpc's: account nonces and fee queries, which polkadot.js uses, and
//! GRANDPA's (`grandpa_proveFinality`, `grandpa_subscribeJustifications`, `grandpa_roundState`),
//! from which a verifier of receipts (`docs/receipts.md`) can take the finality of recent blocks.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use sc_consensus_grandpa::{
	FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
};
use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use space_notary_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash, Nonce};

/// What GRANDPA's RPC methods need.
pub struct GrandpaDeps<B> {
	/// The voter's state, for `grandpa_roundState`.
	pub shared_voter_state: SharedVoterState,
	/// The authority set, for `grandpa_roundState`.
	pub shared_authority_set: SharedAuthoritySet<Hash, BlockNumber>,
	/// Each justification as it is made, for `grandpa_subscribeJustifications`.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Where subscriptions run.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// `grandpa_proveFinality`'s source.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// What the RPC methods need.
pub struct FullDeps<C, P, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// GRANDPA's parts.
	pub grandpa: GrandpaDeps<B>,
}

/// The node's RPC module.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, grandpa } = deps;
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client).into_rpc())?;
	let GrandpaDeps {
		shared_voter_state,
		shared_authority_set,
		justification_stream,
		subscription_executor,
		finality_provider,
	} = grandpa;
	module.merge(
		Grandpa::new(
			subscription_executor,
			shared_authority_set,
			shared_voter_state,
			justification_stream,
			finality_provider,
		)
		.into_rpc(),
	)?;
	Ok(module)
}
