//! What state costs and how long it stays: deposits per pending batch, expired records pruned
//! after their retention, certified records kept.

use super::*;
use frame_support::traits::fungible::InspectHold;

fn held(who: &AccountId) -> u64 {
	Balances::balance_on_hold(&HoldReason::BatchDeposit.into(), who)
}

#[test]
fn a_pending_batch_holds_its_deposit_until_certified_or_expired() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let certified = submit(&mut a, &[b"certified"]);
		let expiring = submit(&mut a, &[b"expiring"]);
		assert_eq!(held(&alice()), 2 * BatchDeposit::get());
		assert_eq!(Deposits::<Test>::get(certified), Some((alice(), BatchDeposit::get())));

		let sig = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, sig));
		assert_eq!(held(&alice()), BatchDeposit::get(), "released at certification");
		assert_eq!(Deposits::<Test>::get(certified), None);

		run_to_block(1 + BatchTtl::get());
		assert!(matches!(status(expiring), BatchStatus::Expired { .. }));
		assert_eq!(held(&alice()), 0, "released at expiry");
		assert_eq!(Balances::free_balance(alice()), INITIAL_BALANCE, "nothing kept");
	});
}

#[test]
fn deregistration_releases_every_deposit() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		submit(&mut a, &[b"one"]);
		submit(&mut a, &[b"two"]);
		assert_ok!(Notary::deregister_server(RuntimeOrigin::root(), a.id));
		assert_eq!(held(&alice()), 0);
		assert_eq!(Deposits::<Test>::iter().count(), 0);
	});
}

#[test]
fn an_operator_who_cannot_cover_the_deposit_is_refused_and_nothing_changes() {
	new_test_ext().execute_with(|| {
		let broke = AccountId::from([9u8; 32]);
		assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), broke.clone(), 500));
		let a = register_with(broke.clone(), ServerPair::Ed(ed25519::Pair::from_seed(&[3; 32])), 3);
		assert_submit_fails(&a, |_, _| {}, Error::<Test>::CannotHoldDeposit);
		// The pool says the same, as a refusal that may pass (funds can arrive): not banned.
		let batch = txs(&[b"one", b"two", b"three"]);
		let cert = cert_for(&a, 1, a.last, &batch);
		assert_eq!(
			Notary::validate_batch(&broke, &cert, &batch),
			unknown(Error::CannotHoldDeposit)
		);
	});
}

#[test]
fn expired_records_and_their_transactions_are_pruned_after_the_retention_certified_ones_stay() {
	let mut ext = new_test_ext();
	let (certified, expired) = ext.execute_with(|| {
		let mut a = register(1);
		let certified = submit(&mut a, &[b"certified"]);
		let expired = submit(&mut a, &[b"expired"]);
		let sig = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, sig));
		(certified, expired)
	});
	ext.persist_offchain_overlay();
	let indexed = |ext: &mut CheckedExt, id: BatchId| ext.offchain_db().get(&offchain_txs_key(&id));
	assert!(indexed(&mut ext, expired).is_some());

	let expired_at = 1 + BatchTtl::get();
	ext.execute_with(|| {
		run_to_block(expired_at + ExpiredRetention::get() - 1);
		assert!(matches!(status(expired), BatchStatus::Expired { .. }), "kept during retention");
		System::reset_events();
		run_to_block(expired_at + ExpiredRetention::get());
		assert!(Batches::<Test>::get(expired).is_none(), "pruned");
		assert_eq!(notary_events(), vec![Event::BatchPruned { server_id: 0, batch_id: expired }]);
		assert!(matches!(status(certified), BatchStatus::Certified { .. }), "certified stays");
		run_to_block(expired_at + 10 * ExpiredRetention::get());
		assert!(matches!(status(certified), BatchStatus::Certified { .. }), "for good");
	});
	ext.persist_offchain_overlay();
	assert_eq!(indexed(&mut ext, expired), None, "its transactions left the off-chain index");
	assert!(indexed(&mut ext, certified).is_some(), "a certified batch's transactions stay");
}

#[test]
fn pruning_is_bounded_per_block_and_what_does_not_fit_waits() {
	new_test_ext().execute_with(|| {
		// Four batches expire as of one block; the schedule does at most four steps a block
		// (MaxScheduledPerBlock): one look at a block's schedule and three expiries or removals.
		let mut a = register(1);
		let mut b = register(2);
		let mut ids =
			vec![submit(&mut a, &[b"a1"]), submit(&mut a, &[b"a2"]), submit(&mut a, &[b"a3"])];
		ids.push(submit(&mut b, &[b"b1"]));
		let due = 1 + BatchTtl::get() + ExpiredRetention::get();

		run_to_block(due);
		let left = ids.iter().filter(|id| Batches::<Test>::contains_key(id)).count();
		assert_eq!(left, 1, "three pruned in the first block");
		assert_eq!(ScheduleCursor::<Test>::get(), due, "the cursor waits at the unfinished block");
		run_to_block(due + 1);
		assert!(ids.iter().all(|id| !Batches::<Test>::contains_key(id)), "the last one next block");
		assert_eq!(Schedule::<Test>::iter().count(), 0);
		assert_eq!(ScheduleCursor::<Test>::get(), due + 2, "caught up");
	});
}
