//! Signed calls in the pool (`ValidateSpaceNotaryCalls`) and what they cost, run through the
//! real runtime's extensions: nonce, the notary's check, and `pallet-transaction-payment`.

use super::*;
use frame_support::{dispatch::GetDispatchInfo, pallet_prelude::ValidTransaction};
use frame_support::{traits::Get, weights::Weight};
use sp_runtime::traits::{TransactionExtension, TxBaseImplication};

const RICH: u64 = INITIAL_BALANCE;

fn free(who: &AccountId) -> u64 {
	Balances::free_balance(who)
}

fn countersignature_call(batch_id: BatchId, signature: ed25519::Signature) -> RuntimeCall {
	RuntimeCall::SpaceNotary(crate::Call::submit_countersignature { batch_id, signature })
}

#[test]
fn signed_countersignatures_get_the_bare_path_verdict_in_the_pool() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let pending = submit(&mut a, &[b"pending"]);
		let good = countersign(&a.satellite, pending);
		let by_stranger = satellite_pair(77).sign(&Notary::satellite_payload(pending).unwrap());
		let certified = submit(&mut a, &[b"certified"]);
		let certified_sig = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(
			RuntimeOrigin::none(),
			certified,
			certified_sig
		));
		let unknown_id = H256::repeat_byte(0x42);

		let cases: [(&str, BatchId, ed25519::Signature); 4] = [
			("valid", pending, good),
			("another key's signature", pending, by_stranger),
			("a certified batch", certified, certified_sig),
			("an unknown batch", unknown_id, good),
		];
		for (what, batch_id, signature) in cases {
			let signed = pool_verdict(&charlie(), &countersignature_call(batch_id, signature));
			let bare = validate(batch_id, signature);
			match (&signed, &bare) {
				(Ok(signed), Ok(bare)) => {
					for tag in &bare.provides {
						assert!(
							signed.provides.contains(tag),
							"{what}: signed copy provides {tag:?}"
						);
					}
					assert!(signed.priority >= bare.priority, "{what}: signed copy outranks bare");
				},
				(signed, bare) => assert_eq!(signed, bare, "{what}"),
			}
		}
		assert_eq!(
			pool_verdict(&charlie(), &countersignature_call(pending, by_stranger)),
			invalid(Error::BadSatelliteSignature)
		);

		// Suspended: refused without a ban, signed as bare.
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));
		assert_eq!(
			pool_verdict(&charlie(), &countersignature_call(pending, good)),
			unknown(Error::ServerSuspended)
		);
	});
}

#[test]
fn signed_and_bare_copies_of_one_countersignature_compete_for_one_tag() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let sig = countersign(&a.satellite, id);
		let bare = validate(id, sig).expect("valid");
		let by_charlie = pool_verdict(&charlie(), &countersignature_call(id, sig)).expect("valid");
		let by_bob = pool_verdict(&bob(), &countersignature_call(id, sig)).expect("valid");
		let tag = ("SpaceNotaryCountersignature", id).encode();
		assert_eq!(bare.provides, vec![tag.clone()]);
		// Signed copies also provide their sender's nonce tag; the shared one is the batch's.
		for signed in [&by_charlie, &by_bob] {
			assert_eq!(signed.provides.iter().filter(|t| **t == tag).count(), 1);
		}
	});
}

#[test]
fn an_invalid_or_duplicate_signed_countersignature_never_lands_or_pays() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let good = countersign(&a.satellite, id);
		let forged = satellite_pair(77).sign(&Notary::satellite_payload(id).unwrap());
		let nonce = System::account_nonce(charlie());

		assert_eq!(
			apply(&charlie(), countersignature_call(id, forged)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code(
				Error::BadSatelliteSignature
			))))
		);
		assert!(matches!(status(id), BatchStatus::Pending { .. }));

		// Someone else relays it (bare); Charlie's copy is now a duplicate.
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, good));
		assert_eq!(
			apply(&charlie(), countersignature_call(id, good)),
			Err(InvalidTransaction::Stale.into())
		);
		assert_eq!(free(&charlie()), RICH, "nothing charged");
		assert_eq!(System::account_nonce(charlie()), nonce, "nothing applied");
	});
}

#[test]
fn a_valid_signed_countersignature_costs_nothing_through_transaction_payment() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let call = countersignature_call(id, countersign(&a.satellite, id));
		let info = call.get_dispatch_info();
		let fee = TransactionPayment::compute_fee(call.encoded_size() as u32, &info, 0);
		assert!(fee > 0, "the fee the call would cost is real: {fee}");

		let outcome = apply(&charlie(), call).expect("valid").expect("dispatched");
		assert_eq!(outcome.pays_fee, Pays::No);
		assert!(matches!(status(id), BatchStatus::Certified { .. }));
		assert_eq!(free(&charlie()), RICH, "the fee taken before dispatch came back in full");
		assert_eq!(System::account_nonce(charlie()), 1, "Charlie's transaction was applied");
		System::assert_has_event(
			Event::BatchCertified {
				server_id: a.id,
				sequence: 1,
				batch_id: id,
				relayer: Some(charlie()),
			}
			.into(),
		);
	});
}

/// A valid signed `submit_batch` for `a`'s next sequence, with `tamper` applied.
fn batch_call(
	a: &Server,
	tamper: impl FnOnce(&mut BatchCertificate, &mut TxsOf<Test>),
) -> RuntimeCall {
	let mut batch = txs(&[b"one", b"two"]);
	let mut cert = cert_for(a, a.sequence + 1, a.last, &batch);
	tamper(&mut cert, &mut batch);
	let server_signature = a.key.sign(&cert.server_payload());
	RuntimeCall::SpaceNotary(crate::Call::submit_batch { cert, server_signature, txs: batch })
}

#[test]
fn signed_batches_from_strangers_or_beyond_the_bounds_are_refused_in_the_pool() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		submit(&mut a, &[b"first"]);
		let stale = a.sequence;
		let big: Vec<&[u8]> = vec![&[7u8; 64]; 5]; // 320 bytes > MaxBatchBytes (256)

		let table: Vec<(&str, AccountId, RuntimeCall, TransactionValidityError)> = vec![
			(
				"a stranger",
				bob(),
				batch_call(&a, |_, _| {}),
				InvalidTransaction::Custom(code(Error::NotOperator)).into(),
			),
			(
				"an unknown server",
				alice(),
				batch_call(&a, |c, _| c.server_id = 99),
				InvalidTransaction::Custom(code(Error::UnknownServer)).into(),
			),
			(
				"another version",
				alice(),
				batch_call(&a, |c, _| c.version = 2),
				InvalidTransaction::Custom(code(Error::UnsupportedVersion)).into(),
			),
			(
				"another chain",
				alice(),
				batch_call(&a, |c, _| c.genesis_hash = H256::repeat_byte(1)),
				InvalidTransaction::Custom(code(Error::WrongGenesis)).into(),
			),
			(
				"a used sequence",
				alice(),
				batch_call(&a, |c, _| c.sequence = stale),
				InvalidTransaction::Stale.into(),
			),
			(
				"a wrong previous batch",
				alice(),
				batch_call(&a, |c, _| c.prev_batch = H256::repeat_byte(2)),
				InvalidTransaction::Custom(code(Error::BadPrevBatch)).into(),
			),
			(
				"no transactions",
				alice(),
				batch_call(&a, |_, t| *t = txs(&[])),
				InvalidTransaction::Custom(code(Error::EmptyBatch)).into(),
			),
			(
				"a wrong count",
				alice(),
				batch_call(&a, |c, _| c.tx_count = 3),
				InvalidTransaction::Custom(code(Error::TxCountMismatch)).into(),
			),
			(
				"too many bytes",
				alice(),
				batch_call(&a, |c, t| {
					*t = txs(&big);
					c.tx_count = 5;
					c.total_bytes = 320;
				}),
				InvalidTransaction::Custom(code(Error::BatchTooLarge)).into(),
			),
			(
				"a wrong byte total",
				alice(),
				batch_call(&a, |c, _| c.total_bytes += 1),
				InvalidTransaction::Custom(code(Error::TotalBytesMismatch)).into(),
			),
		];
		for (what, who, call, refusal) in table {
			let before = (free(&who), System::account_nonce(&who), a.sequence);
			assert_eq!(pool_verdict(&who, &call), Err(refusal), "pool: {what}");
			assert_eq!(apply(&who, call).map(|_| ()), Err(refusal), "block: {what}");
			assert_eq!(
				(
					free(&who),
					System::account_nonce(&who),
					Servers::<Test>::get(a.id).unwrap().last_sequence
				),
				before,
				"{what}: nothing charged, nothing changed"
			);
		}

		// Refusals that can pass are not banned: a suspended server, a full pending list.
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));
		assert_eq!(
			pool_verdict(&alice(), &batch_call(&a, |_, _| {})),
			unknown(Error::ServerSuspended)
		);
		assert_ok!(Notary::resume_server(RuntimeOrigin::root(), a.id));
		submit(&mut a, &[b"second"]);
		submit(&mut a, &[b"third"]);
		assert_eq!(
			pool_verdict(&alice(), &batch_call(&a, |_, _| {})),
			unknown(Error::TooManyPending)
		);
	});
}

#[test]
fn signed_batches_are_tagged_by_server_and_sequence() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let next = pool_verdict(&alice(), &batch_call(&a, |_, _| {})).expect("valid");
		assert!(next.provides.contains(&("SpaceNotaryBatch", (a.id, 1u64)).encode()));
		assert!(!next.requires.iter().any(|t| t.starts_with(&"SpaceNotaryBatch".encode())));

		// One ahead of the chain: valid, waiting for its predecessor.
		let ahead = pool_verdict(&alice(), &batch_call(&a, |c, _| c.sequence = 2)).expect("valid");
		assert!(ahead.provides.contains(&("SpaceNotaryBatch", (a.id, 2u64)).encode()));
		assert!(ahead.requires.contains(&("SpaceNotaryBatch", (a.id, 1u64)).encode()));
		assert_eq!(ahead.longevity, crate::FUTURE_BATCH_LONGEVITY);
	});
}

#[test]
fn a_batch_ahead_of_its_sequence_waits_a_bounded_time_by_the_chains_clock() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let issued_at = 1_800_000_000_000u64;
		let ahead = batch_call(&a, |c, _| {
			c.sequence = 2;
			c.issued_at_ms = issued_at;
		});
		let next = batch_call(&a, |c, _| c.issued_at_ms = issued_at);
		// The fork-aware pool validates a waiting transaction again for every block, so its
		// longevity starts over; the chain's clock against the certificate's time does not.
		crate::mock::NowMs::set(issued_at + crate::FUTURE_BATCH_WAIT_MS);
		assert!(pool_verdict(&alice(), &ahead).is_ok(), "still within its wait");
		crate::mock::NowMs::set(issued_at + crate::FUTURE_BATCH_WAIT_MS + 1);
		assert_eq!(
			pool_verdict(&alice(), &ahead),
			Err(InvalidTransaction::Stale.into()),
			"past its wait: stale, so the pool removes it and its sender hears Invalid"
		);
		// The bound is for a gap only: the next sequence is valid whatever its age.
		assert!(pool_verdict(&alice(), &next).is_ok());
	});
}

#[test]
fn what_costs_hashing_is_left_to_dispatch_and_paid_by_the_operator() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let call = batch_call(&a, |c, _| c.batch_root = H256::repeat_byte(3));
		assert!(pool_verdict(&alice(), &call).is_ok(), "the root is not hashed in the pool");
		let outcome = apply(&alice(), call).expect("valid in the pool");
		assert_eq!(outcome.map_err(|e| e.error), Err(Error::<Test>::RootMismatch.into()));
		assert!(free(&alice()) < RICH, "a failed batch pays its fee");
		assert_eq!(Servers::<Test>::get(a.id).unwrap().last_sequence, 0);
	});
}

#[test]
fn the_extension_weighs_its_reads_and_leaves_bare_and_other_calls_alone() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let ext = crate::ValidateSpaceNotaryCalls::<Test>::new();
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		let reads = db.reads(2);
		assert_eq!(ext.weight(&batch_call(&a, |_, _| {})), reads);
		let sig = satellite_pair(9).sign(b"x");
		assert_eq!(ext.weight(&countersignature_call(H256::zero(), sig)), Weight::zero());

		// A bare call passes through (its check is `ValidateUnsigned`); so does any other call.
		let other = RuntimeCall::SpaceNotary(crate::Call::suspend_server { server_id: a.id });
		let (validity, _, _) = ext
			.validate(
				RuntimeOrigin::none(),
				&countersignature_call(H256::zero(), sig),
				&Default::default(),
				0,
				(),
				&TxBaseImplication(()),
				TransactionSource::External,
			)
			.expect("not this extension's to refuse");
		assert_eq!(validity, ValidTransaction::default());
		let plain = pool_verdict(&bob(), &other).expect("fees can be paid");
		assert_eq!(plain.provides.len(), 1, "only the sender's nonce tag: {:?}", plain.provides);
	});
}
