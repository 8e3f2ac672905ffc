//! Tests of every call, its event and its errors, and of the rules that span calls.

// `ValidateUnsigned` is deprecated but still the pool's check for bare transactions (lib docs).
#![allow(deprecated)]

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
use sp_runtime::{DispatchError, MultiSignature};
use space_notary_primitives::{
	leaf_hash, offchain_txs_key, BatchCertificate, BatchId, InclusionProof, ServerId, ServerKey,
};

type Notary = crate::Pallet<Test>;

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

fn satellite_pair(seed: u8) -> ed25519::Pair {
	ed25519::Pair::from_seed(&[seed; 32])
}

fn register_with(operator: AccountId, key: ServerPair, seed: u8) -> Server {
	let satellite = satellite_pair(seed);
	assert_ok!(Notary::register_server(
		RuntimeOrigin::root(),
		operator.clone(),
		key.public(),
		satellite.public()
	));
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
	}
}

// ---------------------------------------------------------------- registry

#[test]
fn register_server_assigns_ids_and_records_keys() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let b = register(2);
		assert_eq!((a.id, b.id), (0, 1));
		System::assert_last_event(
			Event::ServerRegistered { server_id: 1, operator: alice() }.into(),
		);
		let record = Servers::<Test>::get(0).unwrap();
		assert_eq!(record.operator, alice());
		assert_eq!(record.server_key, a.key.public());
		assert_eq!(record.satellite_key, a.satellite.public());
		assert_eq!(record.status, ServerStatus::Active);
		assert_eq!((record.last_sequence, record.last_batch), (0, H256::zero()));
		assert_eq!(SatelliteKeyOwner::<Test>::get(b.satellite.public()), Some(1));
		assert_eq!(ServerKeyOwner::<Test>::get(b.key.public()), Some(1));
	});
}

#[test]
fn register_server_needs_the_registrar() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Notary::register_server(
				RuntimeOrigin::signed(alice()),
				alice(),
				ed25519::Pair::from_seed(&[1; 32]).public().into(),
				satellite_pair(1).public()
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn register_server_refuses_keys_of_another_server() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		assert_noop!(
			Notary::register_server(
				RuntimeOrigin::root(),
				bob(),
				ed25519::Pair::from_seed(&[50; 32]).public().into(),
				a.satellite.public()
			),
			Error::<Test>::SatelliteKeyInUse
		);
		assert_noop!(
			Notary::register_server(
				RuntimeOrigin::root(),
				bob(),
				a.key.public(),
				satellite_pair(9).public()
			),
			Error::<Test>::ServerKeyInUse
		);
	});
}

#[test]
fn register_server_fails_when_ids_run_out() {
	new_test_ext().execute_with(|| {
		NextServerId::<Test>::put(u32::MAX);
		assert_noop!(
			Notary::register_server(
				RuntimeOrigin::root(),
				bob(),
				ed25519::Pair::from_seed(&[50; 32]).public().into(),
				satellite_pair(9).public()
			),
			Error::<Test>::ServerIdsExhausted
		);
	});
}

#[test]
fn set_server_key_by_operator_or_registrar() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let new_key: ServerKey = sr25519::Pair::from_seed(&[7; 32]).public().into();
		assert_ok!(Notary::set_server_key(RuntimeOrigin::signed(alice()), a.id, new_key.clone()));
		System::assert_last_event(
			Event::ServerKeyChanged { server_id: a.id, server_key: new_key.clone() }.into(),
		);
		assert_eq!(Servers::<Test>::get(a.id).unwrap().server_key, new_key);
		assert_eq!(ServerKeyOwner::<Test>::get(a.key.public()), None, "old key freed");

		let newer: ServerKey = ecdsa::Pair::from_seed(&[8; 32]).public().into();
		assert_ok!(Notary::set_server_key(RuntimeOrigin::root(), a.id, newer.clone()));
		assert_eq!(Servers::<Test>::get(a.id).unwrap().server_key, newer);
	});
}

#[test]
fn set_server_key_errors() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let b = register(2);
		let key: ServerKey = sr25519::Pair::from_seed(&[7; 32]).public().into();
		assert_noop!(
			Notary::set_server_key(RuntimeOrigin::signed(bob()), a.id, key.clone()),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Notary::set_server_key(RuntimeOrigin::signed(alice()), 99, key),
			Error::<Test>::UnknownServer
		);
		assert_noop!(
			Notary::set_server_key(RuntimeOrigin::signed(alice()), a.id, b.key.public()),
			Error::<Test>::ServerKeyInUse
		);
		assert_noop!(
			Notary::set_server_key(RuntimeOrigin::none(), a.id, b.key.public()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn set_satellite_key_works_and_errors() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let b = register(2);
		let new = satellite_pair(30).public();
		assert_noop!(
			Notary::set_satellite_key(RuntimeOrigin::signed(alice()), a.id, new),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::set_satellite_key(RuntimeOrigin::root(), 99, new),
			Error::<Test>::UnknownServer
		);
		assert_noop!(
			Notary::set_satellite_key(RuntimeOrigin::root(), a.id, b.satellite.public()),
			Error::<Test>::SatelliteKeyInUse
		);
		assert_ok!(Notary::set_satellite_key(RuntimeOrigin::root(), a.id, new));
		System::assert_last_event(
			Event::SatelliteKeyChanged { server_id: a.id, satellite_key: new }.into(),
		);
		assert_eq!(SatelliteKeyOwner::<Test>::get(a.satellite.public()), None);
		assert_eq!(SatelliteKeyOwner::<Test>::get(new), Some(a.id));
	});
}

#[test]
fn suspend_and_resume() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		assert_noop!(
			Notary::resume_server(RuntimeOrigin::root(), a.id),
			Error::<Test>::ServerNotSuspended
		);
		assert_noop!(
			Notary::suspend_server(RuntimeOrigin::signed(alice()), a.id),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::suspend_server(RuntimeOrigin::root(), 9),
			Error::<Test>::UnknownServer
		);
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));
		System::assert_last_event(Event::ServerSuspended { server_id: a.id }.into());
		assert_eq!(Servers::<Test>::get(a.id).unwrap().status, ServerStatus::Suspended);
		assert_noop!(
			Notary::suspend_server(RuntimeOrigin::root(), a.id),
			Error::<Test>::ServerSuspended
		);
		assert_noop!(Notary::resume_server(RuntimeOrigin::root(), 9), Error::<Test>::UnknownServer);
		assert_ok!(Notary::resume_server(RuntimeOrigin::root(), a.id));
		System::assert_last_event(Event::ServerResumed { server_id: a.id }.into());
		assert_eq!(Servers::<Test>::get(a.id).unwrap().status, ServerStatus::Active);
	});
}

#[test]
fn suspension_holds_submission_and_certification_until_resumed() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let pending = submit(&mut a, &[b"tx"]);
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));

		let batch = txs(&[b"next"]);
		let cert = cert_for(&a, 2, a.last, &batch);
		let sig = a.key.sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), cert, sig, batch),
			Error::<Test>::ServerSuspended
		);
		let countersig = countersign(&a.satellite, pending);
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), pending, countersig),
			Error::<Test>::ServerSuspended
		);

		assert_ok!(Notary::resume_server(RuntimeOrigin::root(), a.id));
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), pending, countersig));
		assert!(matches!(status(pending), BatchStatus::Certified { .. }));
	});
}

#[test]
fn suspended_server_batches_expire_at_their_ttl() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let pending = submit(&mut a, &[b"tx"]);
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));
		run_to_block(1 + BatchTtl::get());
		assert!(matches!(
			status(pending),
			BatchStatus::Expired { reason: ExpiryReason::TtlElapsed, .. }
		));
	});
}

#[test]
fn deregister_expires_pending_frees_keys_and_keeps_certified() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let certified = submit(&mut a, &[b"one"]);
		let sig = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, sig));
		let p1 = submit(&mut a, &[b"two"]);
		let p2 = submit(&mut a, &[b"three"]);

		assert_noop!(
			Notary::deregister_server(RuntimeOrigin::signed(alice()), a.id),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::deregister_server(RuntimeOrigin::root(), 42),
			Error::<Test>::UnknownServer
		);
		assert_ok!(Notary::deregister_server(RuntimeOrigin::root(), a.id));
		System::assert_has_event(
			Event::BatchExpired {
				server_id: a.id,
				batch_id: p1,
				reason: ExpiryReason::ServerDeregistered,
			}
			.into(),
		);
		System::assert_last_event(Event::ServerDeregistered { server_id: a.id, expired: 2 }.into());
		for id in [p1, p2] {
			assert!(matches!(
				status(id),
				BatchStatus::Expired { reason: ExpiryReason::ServerDeregistered, .. }
			));
		}
		assert!(matches!(status(certified), BatchStatus::Certified { .. }));
		assert!(Servers::<Test>::get(a.id).is_none());

		// The keys are free again, and the id is not reused.
		let again = register_with(bob(), a.key.clone(), 1);
		assert_eq!(again.id, a.id + 1);
		// The TTL expiry of an already expired batch does nothing more.
		System::reset_events();
		run_to_block(1 + BatchTtl::get());
		assert!(System::events().is_empty());
	});
}

// ---------------------------------------------------------------- batches

#[test]
fn submit_batch_stores_pending_and_indexes_transactions() {
	let mut ext = new_test_ext();
	let batch_id = ext.execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"alpha", b"beta", b"gamma"]);
		System::assert_last_event(
			Event::BatchSubmitted {
				server_id: a.id,
				sequence: 1,
				batch_id: id,
				tx_count: 3,
				expires_at: 1 + BatchTtl::get(),
			}
			.into(),
		);
		let record = Batches::<Test>::get(id).unwrap();
		assert_eq!(record.status, BatchStatus::Pending { expires_at: 1 + BatchTtl::get() });
		assert_eq!(record.submitted_at, 1);
		let server = Servers::<Test>::get(a.id).unwrap();
		assert_eq!((server.last_sequence, server.last_batch), (1, id));
		assert_eq!(server.pending.into_inner(), vec![id]);
		assert_eq!(Expiries::<Test>::get(1 + BatchTtl::get()).into_inner(), vec![id]);
		id
	});
	ext.persist_offchain_overlay();
	let stored = ext
		.offchain_db()
		.get(&offchain_txs_key(&batch_id))
		.expect("transactions are in the off-chain index");
	let expected: Vec<Vec<u8>> = vec![b"alpha".to_vec(), b"beta".to_vec(), b"gamma".to_vec()];
	assert_eq!(stored, expected.encode());
}

#[test]
fn transactions_are_not_kept_in_state() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[&[0xAB; 60]]);
		let record = Batches::<Test>::get(id).unwrap();
		assert!(!record.encode().windows(60).any(|w| w == [0xAB; 60]));
	});
}

#[test]
fn submit_batch_works_with_every_key_scheme() {
	new_test_ext().execute_with(|| {
		let pairs = [
			ServerPair::Ed(ed25519::Pair::from_seed(&[11; 32])),
			ServerPair::Sr(sr25519::Pair::from_seed(&[12; 32])),
			ServerPair::Ec(ecdsa::Pair::from_seed(&[13; 32])),
		];
		for (i, pair) in pairs.into_iter().enumerate() {
			let mut server = register_with(bob(), pair, 20 + i as u8);
			submit(&mut server, &[b"x"]);
		}
	});
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

#[test]
fn submit_batch_checks_every_field() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		assert_submit_fails(&a, |c, _| c.version = 2, Error::<Test>::UnsupportedVersion);
		assert_submit_fails(&a, |c, _| c.genesis_hash = H256::repeat_byte(1), Error::WrongGenesis);
		assert_submit_fails(&a, |c, _| c.server_id = 77, Error::<Test>::UnknownServer);
		assert_submit_fails(&a, |c, _| c.sequence = 2, Error::<Test>::BadSequence);
		assert_submit_fails(&a, |c, _| c.sequence = 0, Error::<Test>::BadSequence);
		assert_submit_fails(&a, |c, _| c.prev_batch = H256::repeat_byte(3), Error::BadPrevBatch);
		assert_submit_fails(
			&a,
			|c, t| {
				*t = txs(&[]);
				c.tx_count = 0;
				c.total_bytes = 0;
				c.batch_root = H256::zero();
			},
			Error::<Test>::EmptyBatch,
		);
		assert_submit_fails(&a, |c, _| c.tx_count = 4, Error::<Test>::TxCountMismatch);
		assert_submit_fails(&a, |c, _| c.total_bytes += 1, Error::<Test>::TotalBytesMismatch);
		assert_submit_fails(&a, |c, _| c.batch_root = H256::repeat_byte(9), Error::RootMismatch);
		assert_submit_fails(
			&a,
			|c, t| {
				// Swapping two transactions keeps count and bytes but changes the root.
				*t = txs(&[b"two", b"one", b"three"]);
				c.tx_count = 3;
			},
			Error::<Test>::RootMismatch,
		);
		assert_submit_fails(
			&a,
			|c, t| {
				let big: Vec<&[u8]> = vec![&[0u8; 64]; 5]; // 320 bytes > MaxBatchBytes (256)
				*t = txs(&big);
				*c = BatchCertificate::over_transactions(
					c.genesis_hash,
					c.server_id,
					c.sequence,
					c.prev_batch,
					c.issued_at_ms,
					t.as_slice(),
				)
				.unwrap();
			},
			Error::<Test>::BatchTooLarge,
		);
	});
}

#[test]
fn submit_batch_checks_origin_operator_and_signature() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let batch = txs(&[b"one"]);
		let cert = cert_for(&a, 1, H256::zero(), &batch);
		let sig = a.key.sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::none(), cert.clone(), sig.clone(), batch.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::submit_batch(
				RuntimeOrigin::signed(bob()),
				cert.clone(),
				sig.clone(),
				batch.clone()
			),
			Error::<Test>::NotOperator
		);
		let other = ed25519::Pair::from_seed(&[99; 32]).sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(
				RuntimeOrigin::signed(alice()),
				cert.clone(),
				other.into(),
				batch.clone()
			),
			Error::<Test>::BadServerSignature
		);
		let wrong_scheme = sr25519::Pair::from_seed(&[99; 32]).sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(
				RuntimeOrigin::signed(alice()),
				cert.clone(),
				wrong_scheme.into(),
				batch.clone()
			),
			Error::<Test>::SignatureSchemeMismatch
		);
		// A signature over another certificate does not carry over.
		let mut other_cert = cert.clone();
		other_cert.issued_at_ms += 1;
		let sig_other = a.key.sign(&other_cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), cert, sig_other, batch),
			Error::<Test>::BadServerSignature
		);
	});
}

#[test]
fn sequence_and_hash_chain() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let first = submit(&mut a, &[b"1"]);
		let second = submit(&mut a, &[b"2"]);
		let record = Batches::<Test>::get(second).unwrap();
		assert_eq!((record.cert.sequence, record.cert.prev_batch), (2, first));

		// Replaying batch 2 (same certificate) fails on its sequence.
		let batch = txs(&[b"2"]);
		let replay = record.cert.clone();
		let sig = a.key.sign(&replay.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), replay, sig, batch),
			Error::<Test>::BadSequence
		);
		// A fork from batch 1 fails on its previous batch.
		let fork = txs(&[b"fork"]);
		let cert = cert_for(&a, 3, first, &fork);
		let sig = a.key.sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), cert, sig, fork),
			Error::<Test>::BadPrevBatch
		);
		// The chain goes on through an expired batch.
		run_to_block(20);
		assert!(matches!(status(second), BatchStatus::Expired { .. }));
		let third = submit(&mut a, &[b"3"]);
		assert_eq!(Batches::<Test>::get(third).unwrap().cert.prev_batch, second);
	});
}

#[test]
fn pending_batches_are_bounded_per_server() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let mut b = register(2);
		for i in 0..3u8 {
			submit(&mut a, &[&[i]]);
		}
		run_to_block(2); // a fresh expiry slot, so only the pending bound is in play
		assert_submit_fails(&a, |_, _| {}, Error::<Test>::TooManyPending);
		// Another server is not affected.
		submit(&mut b, &[b"b"]);
		// Certifying one makes room.
		let oldest = Servers::<Test>::get(a.id).unwrap().pending[0];
		let sig = countersign(&a.satellite, oldest);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), oldest, sig));
		submit(&mut a, &[b"again"]);
	});
}

#[test]
fn expiry_queue_is_bounded_per_block() {
	new_test_ext().execute_with(|| {
		// MaxExpiriesPerBlock is 4: four servers fill block 1's expiry slot.
		for seed in 1..=4 {
			let mut s = register(seed);
			submit(&mut s, &[b"tx"]);
		}
		let fifth = register(5);
		assert_submit_fails(&fifth, |_, _| {}, Error::<Test>::ExpiryQueueFull);
		// Next block has room again.
		run_to_block(2);
		let mut fifth = fifth;
		submit(&mut fifth, &[b"tx"]);
	});
}

// ---------------------------------------------------------------- countersignatures

#[test]
fn unsigned_countersignature_certifies_for_free() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let sig = countersign(&a.satellite, id);
		let result = Notary::submit_countersignature(RuntimeOrigin::none(), id, sig);
		assert_eq!(result, Ok(PostDispatchInfo { actual_weight: None, pays_fee: Pays::No }));
		System::assert_last_event(
			Event::BatchCertified { server_id: a.id, sequence: 1, batch_id: id, relayer: None }
				.into(),
		);
		assert_eq!(
			status(id),
			BatchStatus::Certified {
				satellite_signature: sig,
				satellite_key: a.satellite.public(),
				certified_at: 1
			}
		);
		assert!(Servers::<Test>::get(a.id).unwrap().pending.is_empty());
	});
}

#[test]
fn signed_countersignature_by_anyone_pays_no_fee_when_valid() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let sig = countersign(&a.satellite, id);
		let call = crate::Call::<Test>::submit_countersignature { batch_id: id, signature: sig };
		assert_eq!(call.get_dispatch_info().pays_fee, Pays::Yes, "charged up front");
		let result = Notary::submit_countersignature(RuntimeOrigin::signed(charlie()), id, sig);
		assert_eq!(result.unwrap().pays_fee, Pays::No, "refunded when valid and new");
		System::assert_last_event(
			Event::BatchCertified {
				server_id: a.id,
				sequence: 1,
				batch_id: id,
				relayer: Some(charlie()),
			}
			.into(),
		);
		// A duplicate fails, and a failed call pays its fee.
		let again = Notary::submit_countersignature(RuntimeOrigin::signed(charlie()), id, sig);
		let err = again.unwrap_err();
		assert_eq!(err.error, Error::<Test>::AlreadyCertified.into());
		assert_eq!(err.post_info.pays_fee, Pays::Yes);
	});
}

#[test]
fn countersignature_errors() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let good = countersign(&a.satellite, id);
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::root(), id, good),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), H256::repeat_byte(5), good),
			Error::<Test>::UnknownBatch
		);
		let forged = satellite_pair(77).sign(&Notary::satellite_payload(id).unwrap());
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), id, forged),
			Error::<Test>::BadSatelliteSignature
		);
		// The right key over the wrong payload (without the domain tag) fails too.
		let undomained = a.satellite.sign(id.as_bytes());
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), id, undomained),
			Error::<Test>::BadSatelliteSignature
		);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, good));
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), id, good),
			Error::<Test>::AlreadyCertified
		);
	});
}

#[test]
fn countersignature_for_an_expired_batch_is_refused() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let sig = countersign(&a.satellite, id);
		run_to_block(1 + BatchTtl::get());
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), id, sig),
			Error::<Test>::BatchExpired
		);
		let call = crate::Call::<Test>::submit_countersignature { batch_id: id, signature: sig };
		assert!(Notary::validate_unsigned(TransactionSource::External, &call).is_err());
	});
}

#[test]
fn satellite_key_rotation_never_strands_a_pending_batch() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let old_sig = countersign(&a.satellite, id);
		let new_satellite = satellite_pair(40);
		assert_ok!(Notary::set_satellite_key(RuntimeOrigin::root(), a.id, new_satellite.public()));
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), id, old_sig),
			Error::<Test>::BadSatelliteSignature
		);
		let new_sig = countersign(&new_satellite, id);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, new_sig));
	});
}

#[test]
fn server_key_rotation_keeps_pending_batches_and_switches_new_ones() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let pending = submit(&mut a, &[b"before"]);
		let new_pair = ServerPair::Sr(sr25519::Pair::from_seed(&[60; 32]));
		assert_ok!(Notary::set_server_key(RuntimeOrigin::signed(alice()), a.id, new_pair.public()));
		// Old key no longer submits.
		assert_submit_fails(&a, |_, _| {}, Error::<Test>::SignatureSchemeMismatch);
		a.key = new_pair;
		submit(&mut a, &[b"after"]);
		let sig = countersign(&a.satellite, pending);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), pending, sig));
	});
}

#[test]
fn servers_are_isolated() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let mut b = register_with(bob(), ServerPair::Ed(ed25519::Pair::from_seed(&[202; 32])), 2);
		submit(&mut b, &[b"b1"]);

		// A's operator cannot submit for B, even with a certificate signed by B's key.
		let batch = txs(&[b"evil"]);
		let cert = cert_for(&b, 2, b.last, &batch);
		let sig = b.key.sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), cert.clone(), sig, batch.clone()),
			Error::<Test>::NotOperator
		);
		// B's operator cannot get a certificate signed by A's key accepted for B.
		let sig_a = a.key.sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(bob()), cert, sig_a, batch),
			Error::<Test>::BadServerSignature
		);
		// A's satellite key cannot certify B's batch.
		let b_batch = b.last;
		let sig = countersign(&a.satellite, b_batch);
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), b_batch, sig),
			Error::<Test>::BadSatelliteSignature
		);
		// And a countersignature of A's batch does not certify B's.
		let a_batch = submit(&mut a, &[b"a1"]);
		let sig_for_a = countersign(&a.satellite, a_batch);
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), b_batch, sig_for_a),
			Error::<Test>::BadSatelliteSignature
		);
	});
}

// ---------------------------------------------------------------- pool validation

#[test]
fn validate_unsigned_accepts_only_valid_new_countersignatures() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let sig = countersign(&a.satellite, id);
		let call = crate::Call::<Test>::submit_countersignature { batch_id: id, signature: sig };
		let valid = Notary::validate_unsigned(TransactionSource::External, &call).unwrap();
		assert_eq!(valid.provides, vec![("SpaceNotaryCountersignature", id).encode()]);
		assert_eq!(valid.longevity, BatchTtl::get());
		assert!(valid.propagate);

		let bad = crate::Call::<Test>::submit_countersignature {
			batch_id: id,
			signature: satellite_pair(9).sign(b"x"),
		};
		assert_eq!(
			Notary::validate_unsigned(TransactionSource::External, &bad),
			Err(InvalidTransaction::Custom(code(Error::BadSatelliteSignature)).into())
		);
		let other = crate::Call::<Test>::suspend_server { server_id: 0 };
		assert_eq!(
			Notary::validate_unsigned(TransactionSource::External, &other),
			Err(InvalidTransaction::Call.into())
		);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, sig));
		assert_eq!(
			Notary::validate_unsigned(TransactionSource::InBlock, &call),
			Err(InvalidTransaction::Stale.into())
		);
	});
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

#[test]
fn a_countersignature_for_a_batch_not_imported_yet_is_not_banned() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		// Gossip outruns import: the countersignature of a batch whose block is not here yet.
		let batch = txs(&[b"tx"]);
		let cert = cert_for(&a, 1, a.last, &batch);
		let server_signature = a.key.sign(&cert.server_payload());
		let id = cert.batch_id();
		let countersig = a.satellite.sign(&cert.satellite_payload(&server_signature));
		assert_eq!(validate(id, countersig), unknown(Error::UnknownBatch));

		assert_ok!(Notary::submit_batch(
			RuntimeOrigin::signed(alice()),
			cert,
			server_signature,
			batch
		));
		assert!(validate(id, countersig).is_ok(), "the very same bytes, once the batch is known");
	});
}

#[test]
fn a_countersignature_refused_while_suspended_is_not_banned() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let countersig = countersign(&a.satellite, id);
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));
		assert_eq!(validate(id, countersig), unknown(Error::ServerSuspended));

		assert_ok!(Notary::resume_server(RuntimeOrigin::root(), a.id));
		assert!(validate(id, countersig).is_ok(), "the very same bytes, once resumed");
	});
}

#[test]
fn final_countersignature_refusals_are_invalid() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let certified = submit(&mut a, &[b"1"]);
		let good = countersign(&a.satellite, certified);
		let by_stranger = satellite_pair(77).sign(&Notary::satellite_payload(certified).unwrap());
		assert_eq!(validate(certified, by_stranger), invalid(Error::BadSatelliteSignature));
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, good));
		assert_eq!(validate(certified, good), Err(InvalidTransaction::Stale.into()));

		// A signature by the key the server had before a rotation never turns valid.
		let rotated = submit(&mut a, &[b"2"]);
		let by_old_key = countersign(&a.satellite, rotated);
		assert_ok!(Notary::set_satellite_key(
			RuntimeOrigin::root(),
			a.id,
			satellite_pair(40).public()
		));
		assert_eq!(validate(rotated, by_old_key), invalid(Error::BadSatelliteSignature));

		run_to_block(1 + BatchTtl::get());
		assert!(matches!(status(rotated), BatchStatus::Expired { .. }));
		let by_new_key = countersign(&satellite_pair(40), rotated);
		assert_eq!(validate(rotated, by_new_key), invalid(Error::BatchExpired));
	});
}

#[test]
fn pool_refusals_ban_only_what_cannot_change() {
	use Error::*;
	let table: [(Error<Test>, TransactionValidityError); 6] = [
		(UnknownBatch, UnknownTransaction::Custom(code(UnknownBatch)).into()),
		(ServerSuspended, UnknownTransaction::Custom(code(ServerSuspended)).into()),
		(AlreadyCertified, InvalidTransaction::Stale.into()),
		(BatchExpired, InvalidTransaction::Custom(code(BatchExpired)).into()),
		(BadSatelliteSignature, InvalidTransaction::Custom(code(BadSatelliteSignature)).into()),
		(UnknownServer, InvalidTransaction::Custom(code(UnknownServer)).into()),
	];
	for (error, refusal) in table {
		assert_eq!(Notary::pool_refusal(error), refusal);
	}
}

// ---------------------------------------------------------------- expiry

#[test]
fn pending_batches_expire_after_ttl_with_an_event() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let expiring = submit(&mut a, &[b"1"]);
		let certified = submit(&mut a, &[b"2"]);
		let sig = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, sig));

		run_to_block(BatchTtl::get());
		assert!(status(expiring).eq(&BatchStatus::Pending { expires_at: 1 + BatchTtl::get() }));
		System::reset_events();
		run_to_block(1 + BatchTtl::get());
		assert_eq!(
			status(expiring),
			BatchStatus::Expired { at: 1 + BatchTtl::get(), reason: ExpiryReason::TtlElapsed }
		);
		assert!(matches!(status(certified), BatchStatus::Certified { .. }));
		System::assert_last_event(
			Event::BatchExpired {
				server_id: a.id,
				batch_id: expiring,
				reason: ExpiryReason::TtlElapsed,
			}
			.into(),
		);
		assert_eq!(System::events().len(), 1, "the certified batch does not expire");
		assert!(Servers::<Test>::get(a.id).unwrap().pending.is_empty());
		assert!(Expiries::<Test>::get(1 + BatchTtl::get()).is_empty());
	});
}

// ---------------------------------------------------------------- runtime API

#[test]
fn runtime_api_queries() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let list: [&[u8]; 5] = [b"a", b"b", b"c", b"d", b"e"];
		let id = submit(&mut a, &list);
		let info = Notary::server_info(a.id).unwrap();
		assert_eq!(info.pending, vec![id]);
		assert_eq!(Notary::server_info(7), None);
		let pending = Notary::pending_batches(a.id);
		assert_eq!(pending.len(), 1);
		assert_eq!(pending[0].0, id);
		assert!(Notary::pending_batches(7).is_empty());
		assert_eq!(Notary::satellite_payload(H256::zero()), Err(PayloadError::UnknownBatch));

		let proof = InclusionProof::generate(&list, 3).unwrap();
		assert_eq!(
			Notary::verify_inclusion(id, b"d".to_vec(), proof.clone()),
			Err(InclusionError::NotCertified)
		);
		let sig = countersign(&a.satellite, id);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, sig));
		assert_eq!(Notary::verify_inclusion(id, b"d".to_vec(), proof.clone()), Ok(()));
		assert_eq!(
			Notary::verify_inclusion(id, b"x".to_vec(), proof.clone()),
			Err(InclusionError::BadProof)
		);
		assert_eq!(
			Notary::verify_inclusion(H256::zero(), b"d".to_vec(), proof.clone()),
			Err(InclusionError::UnknownBatch)
		);
		let short = InclusionProof::generate(&list[..4], 3).unwrap();
		assert_eq!(
			Notary::verify_inclusion(id, b"d".to_vec(), short),
			Err(InclusionError::LeafCountMismatch)
		);
	});
}

#[test]
fn runtime_api_refuses_glued_leaves_as_a_transaction() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let list: [&[u8]; 4] = [b"a", b"b", b"c", b"d"];
		let id = submit(&mut a, &list);
		let sig = countersign(&a.satellite, id);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, sig));

		// blake2(leaf a ++ leaf b) is the node over a and b: these 64 bytes, claimed as
		// transaction 0 with the one sibling above that node, used to verify.
		let (ha, hb, hc, hd) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"), leaf_hash(b"d"));
		let forged = [ha.as_bytes(), hb.as_bytes()].concat();
		let cd = H256(sp_io::hashing::blake2_256(&[hc.as_bytes(), hd.as_bytes()].concat()));
		for leaf_index in 0..4 {
			let proof = InclusionProof { leaf_index, number_of_leaves: 4, proof: vec![cd] };
			assert_eq!(
				Notary::verify_inclusion(id, forged.clone(), proof),
				Err(InclusionError::BadProof),
				"glued leaves claimed at {leaf_index}"
			);
		}
		// The same bytes as the first of a smaller tree: refused by the certificate's count.
		let smaller = InclusionProof { leaf_index: 0, number_of_leaves: 2, proof: vec![cd] };
		assert_eq!(
			Notary::verify_inclusion(id, forged, smaller),
			Err(InclusionError::LeafCountMismatch)
		);
		let honest = InclusionProof::generate(&list, 0).unwrap();
		assert_eq!(Notary::verify_inclusion(id, b"a".to_vec(), honest), Ok(()));
	});
}

#[test]
fn weights_grow_linearly_with_transactions_and_bytes() {
	let w = |n, b| <() as WeightInfo>::submit_batch(n, b).ref_time();
	assert!(w(2, 0) > w(1, 0));
	assert_eq!(w(3, 0) - w(2, 0), w(2, 0) - w(1, 0));
	assert_eq!(w(1, 2000) - w(1, 1000), w(1, 1000) - w(1, 0));
}
