//! Tests of every call, its event and its errors, and of the rules that span calls: the
//! helpers here, one file per part of the pallet.

// `ValidateUnsigned` is deprecated but still the pool's check for bare transactions (lib docs).
#![allow(deprecated)]

mod batches;
mod bundles;
mod checks;
mod constellation;
mod countersignatures;
mod expiry;
mod extension;
mod invariants;
mod offchain;
mod pool;
mod registry;
mod runtime_api;
mod state;

use crate::{mock::*, *};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{GetDispatchInfo, Pays, PostDispatchInfo},
	pallet_prelude::{
		InvalidTransaction, TransactionSource, TransactionValidity, TransactionValidityError,
		UnknownTransaction, ValidateUnsigned,
	},
	traits::Hooks,
	BoundedVec,
};
use sp_core::{ecdsa, ed25519, sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::DispatchTransaction, DispatchError, MultiSignature};
use space_notary_primitives::{
	leaf_hash, offchain_txs_key, Attestation, BatchCertificate, BatchId, InclusionProof,
	SatelliteId, ServerId, ServerKey,
};

type Notary = crate::Pallet<Test>;

/// Test externalities that check the pallet's invariants ([`Pallet::do_try_state`]) after the
/// test body; the helpers below check them after every call they make as well.
struct CheckedExt(sp_io::TestExternalities);

impl CheckedExt {
	fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
		self.0.execute_with(|| {
			let result = test();
			check_invariants();
			result
		})
	}
}

impl core::ops::Deref for CheckedExt {
	type Target = sp_io::TestExternalities;
	fn deref(&self) -> &Self::Target {
		&self.0
	}
}

impl core::ops::DerefMut for CheckedExt {
	fn deref_mut(&mut self) -> &mut Self::Target {
		&mut self.0
	}
}

/// The mock's externalities, with the invariants checked after the test.
fn new_test_ext() -> CheckedExt {
	CheckedExt(crate::mock::new_test_ext())
}

#[track_caller]
fn check_invariants() {
	if let Err(broken) = Notary::do_try_state() {
		panic!("a pallet invariant is broken: {broken:?}");
	}
}

/// A server's secrets as the tests hold them: its key pair and its satellite's key pair.
struct Server {
	id: ServerId,
	operator: AccountId,
	key: ServerPair,
	satellite: ed25519::Pair,
	last: BatchId,
	sequence: u64,
}

#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // test keys; size does not matter
enum ServerPair {
	Ed(ed25519::Pair),
	Sr(sr25519::Pair),
	Ec(ecdsa::Pair),
}

impl ServerPair {
	fn public(&self) -> ServerKey {
		match self {
			Self::Ed(p) => p.public().into(),
			Self::Sr(p) => p.public().into(),
			Self::Ec(p) => p.public().into(),
		}
	}
	fn sign(&self, msg: &[u8]) -> MultiSignature {
		match self {
			Self::Ed(p) => p.sign(msg).into(),
			Self::Sr(p) => p.sign(msg).into(),
			Self::Ec(p) => p.sign(msg).into(),
		}
	}
}

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}
fn bob() -> AccountId {
	Sr25519Keyring::Bob.to_account_id()
}
fn charlie() -> AccountId {
	Sr25519Keyring::Charlie.to_account_id()
}

/// The number of the satellite a test server is registered with.
const FIRST_SATELLITE: SatelliteId = 1;

fn satellite_pair(seed: u8) -> ed25519::Pair {
	ed25519::Pair::from_seed(&[seed; 32])
}

fn register_with(operator: AccountId, key: ServerPair, seed: u8) -> Server {
	let satellite = satellite_pair(seed);
	assert_ok!(Notary::register_server(
		RuntimeOrigin::root(),
		operator.clone(),
		key.public(),
		FIRST_SATELLITE,
		satellite.public()
	));
	check_invariants();
	let id = NextServerId::<Test>::get() - 1;
	Server { id, operator, key, satellite, last: H256::zero(), sequence: 0 }
}

/// Registers a server with an ed25519 key derived from `seed`, operated by Alice.
fn register(seed: u8) -> Server {
	register_with(alice(), ServerPair::Ed(ed25519::Pair::from_seed(&[seed + 100; 32])), seed)
}

fn txs(list: &[&[u8]]) -> TxsOf<Test> {
	BoundedVec::truncate_from(
		list.iter().map(|tx| BoundedVec::truncate_from(tx.to_vec())).collect::<Vec<_>>(),
	)
}

fn cert_for(
	server: &Server,
	sequence: u64,
	prev: BatchId,
	batch: &TxsOf<Test>,
) -> BatchCertificate {
	BatchCertificate::over_transactions(
		Notary::genesis_hash(),
		server.id,
		sequence,
		prev,
		1_800_000_000_000,
		batch.as_slice(),
	)
	.expect("a non-empty batch")
}

/// Submits the server's next batch; returns its id.
fn submit(server: &mut Server, batch: &[&[u8]]) -> BatchId {
	let batch = txs(batch);
	let cert = cert_for(server, server.sequence + 1, server.last, &batch);
	let sig = server.key.sign(&cert.server_payload());
	assert_ok!(Notary::submit_batch(
		RuntimeOrigin::signed(server.operator.clone()),
		cert.clone(),
		sig,
		batch
	));
	check_invariants();
	server.sequence += 1;
	server.last = cert.batch_id();
	server.last
}

/// The satellite's countersignature for a stored batch.
fn countersign(satellite: &ed25519::Pair, batch_id: BatchId) -> ed25519::Signature {
	let payload = Notary::satellite_payload(batch_id).expect("batch exists");
	satellite.sign(&payload)
}

fn status(batch_id: BatchId) -> BatchStatus<u64> {
	Batches::<Test>::get(batch_id).expect("batch exists").status
}

fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Notary::on_initialize(next);
		check_invariants();
	}
}

/// Builds a valid submission for `a`'s next batch, lets `tamper` change it, and expects `error`.
fn assert_submit_fails(
	a: &Server,
	tamper: impl FnOnce(&mut BatchCertificate, &mut TxsOf<Test>),
	error: Error<Test>,
) {
	let mut batch = txs(&[b"one", b"two", b"three"]);
	let mut cert = cert_for(a, a.sequence + 1, a.last, &batch);
	tamper(&mut cert, &mut batch);
	// Sign after tampering: each case fails on its own rule, not on the signature.
	let sig = a.key.sign(&cert.server_payload());
	assert_noop!(
		Notary::submit_batch(RuntimeOrigin::signed(a.operator.clone()), cert, sig, batch),
		error
	);
}

/// This pallet's events so far, in order.
fn notary_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::SpaceNotary(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// The pallet error's index: the custom code of a refused countersignature.
fn code(error: Error<Test>) -> u8 {
	match DispatchError::from(error) {
		DispatchError::Module(m) => m.error[0],
		other => panic!("not a module error: {other:?}"),
	}
}

fn validate(batch_id: BatchId, signature: ed25519::Signature) -> TransactionValidity {
	let call = crate::Call::<Test>::submit_countersignature { batch_id, signature };
	Notary::validate_unsigned(TransactionSource::External, &call)
}

/// Refused without a ban: the pool bans the hash of an `Invalid` transaction for 30 minutes.
fn unknown(error: Error<Test>) -> TransactionValidity {
	Err(TransactionValidityError::Unknown(UnknownTransaction::Custom(code(error))))
}

fn invalid(error: Error<Test>) -> TransactionValidity {
	Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code(error))))
}

/// The pool's verdict on `call` signed by `who` (as `validate_transaction` reaches it).
fn pool_verdict(who: &AccountId, call: &RuntimeCall) -> TransactionValidity {
	let info = call.get_dispatch_info();
	tx_extension(who)
		.validate_only(
			RuntimeOrigin::signed(who.clone()),
			call,
			&info,
			call.encoded_size(),
			TransactionSource::External,
			0,
		)
		.map(|(validity, _, _)| validity)
}

/// Applies `call` signed by `who` as a block would: every extension, then dispatch.
fn apply(
	who: &AccountId,
	call: RuntimeCall,
) -> Result<sp_runtime::DispatchResultWithInfo<PostDispatchInfo>, TransactionValidityError> {
	let info = call.get_dispatch_info();
	let len = call.encoded_size();
	tx_extension(who).dispatch_transaction(RuntimeOrigin::signed(who.clone()), call, &info, len, 0)
}
