//! Test runtime: System, Balances, TransactionPayment and the pallet, with small bounds so tests
//! reach them, and the transaction extensions the real runtime puts around this pallet's calls.

use crate as pallet_space_notary;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	weights::IdentityFee,
};
use frame_system::EnsureRoot;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	BuildStorage, MultiSignature,
};

/// Accounts are the real runtime's: 32-byte ids derived from `MultiSigner`.
pub type AccountId = <<MultiSignature as Verify>::Signer as IdentifyAccount>::AccountId;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		TransactionPayment: pallet_transaction_payment,
		SpaceNotary: pallet_space_notary,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

#[derive_impl(pallet_transaction_payment::config_preludes::TestDefaultConfig)]
impl pallet_transaction_payment::Config for Test {
	type OnChargeTransaction = pallet_transaction_payment::FungibleAdapter<Balances, ()>;
	type WeightToFee = IdentityFee<u64>;
	type LengthToFee = IdentityFee<u64>;
}

/// The real runtime's extensions that decide what a signed call of this pallet costs and whether
/// the pool takes it: nonce, the notary's pool check, then the fee.
pub type TxExtension = (
	frame_system::CheckNonce<Test>,
	crate::ValidateSpaceNotaryCalls<Test>,
	pallet_transaction_payment::ChargeTransactionPayment<Test>,
);

/// `TxExtension` for `who`'s next transaction, with no tip.
pub fn tx_extension(who: &AccountId) -> TxExtension {
	(
		frame_system::CheckNonce::from(System::account_nonce(who)),
		crate::ValidateSpaceNotaryCalls::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
	)
}

parameter_types! {
	pub const BatchTtl: u64 = 10;
	pub static ServerDeposit: u64 = 1_000;
	pub const ExpiredRetention: u64 = 5;
	/// The chain's clock in unix ms, as the timestamp pallet would give it; tests move it.
	pub static NowMs: u64 = 0;
}

/// The mock's clock: [`NowMs`].
pub struct MockTime;

impl frame_support::traits::UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(NowMs::get())
	}
}

impl pallet_space_notary::Config for Test {
	type RegistrarOrigin = EnsureRoot<AccountId>;
	type UnixTime = MockTime;
	type SatelliteClockTolerance = ConstU64<120_000>;
	type MaxTxsPerBatch = ConstU32<16>;
	type MaxTxBytes = ConstU32<64>;
	type MaxBatchBytes = ConstU32<256>;
	type MaxPendingPerServer = ConstU32<3>;
	type MaxScheduledPerBlock = ConstU32<4>;
	type BatchTtl = BatchTtl;
	type UnsignedPriority = ConstU64<{ 1 << 20 }>;
	type MaxCountersignaturesPerCall = ConstU32<4>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ServerDeposit = ServerDeposit;
	type ExpiredRetention = ExpiredRetention;
	type MaxOffchainRequests = ConstU32<4>;
	type WeightInfo = ();
}

/// The extrinsics of the mock's blocks (no signature, no extensions): the off-chain worker's
/// bare transactions.
pub type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<Test>;

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateBare<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> Extrinsic {
		Extrinsic::new_bare_legacy(call)
	}
}

/// What every keyring account holds at genesis.
pub const INITIAL_BALANCE: u64 = 1_000_000_000_000_000;

/// Externalities with genesis storage (block 0's hash set, the keyring's accounts funded) and an
/// in-memory keystore, at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: sp_keyring::Sr25519Keyring::iter()
			.map(|k| (k.to_account_id(), INITIAL_BALANCE))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| System::set_block_number(1));
	ext
}
