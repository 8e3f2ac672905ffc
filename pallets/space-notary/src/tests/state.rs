//! What state costs and how long it stays: one deposit per registered server, expired records
//! pruned after their retention, certified records kept.

use super::*;
use frame_support::traits::fungible::InspectHold;

fn held(who: &AccountId) -> u64 {
	Balances::balance_on_hold(&HoldReason::ServerDeposit.into(), who)
}

#[test]
fn a_server_holds_one_deposit_from_registration_to_deregistration() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		assert_eq!(held(&alice()), ServerDeposit::get());
		assert_eq!(ServerDeposits::<Test>::get(a.id), Some(ServerDeposit::get()));
		let mut b = register(2);
		assert_eq!(held(&alice()), 2 * ServerDeposit::get(), "one deposit per server");

		// Batches come and go without touching the operator's balance.
		let free = Balances::free_balance(alice());
		let certified = submit(&mut a, &[b"certified"]);
		let expiring = submit(&mut b, &[b"expiring"]);
		let sig = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, sig));
		run_to_block(1 + BatchTtl::get());
		assert!(matches!(status(expiring), BatchStatus::Expired { .. }));
		assert_eq!(held(&alice()), 2 * ServerDeposit::get());
		assert_eq!(Balances::free_balance(alice()), free, "batches move no balance");

		assert_ok!(Notary::deregister_server(RuntimeOrigin::root(), a.id));
		assert_eq!(held(&alice()), ServerDeposit::get(), "released at deregistration");
		assert_eq!(ServerDeposits::<Test>::get(a.id), None);
		assert_ok!(Notary::deregister_server(RuntimeOrigin::root(), b.id));
		assert_eq!(held(&alice()), 0);
		assert_eq!(Balances::free_balance(alice()), INITIAL_BALANCE, "nothing kept");
	});
}

#[test]
fn a_deposit_held_at_an_earlier_rate_is_released_in_full() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let before = ServerDeposit::get();
		ServerDeposit::set(before * 3);
		assert_ok!(Notary::deregister_server(RuntimeOrigin::root(), a.id));
		assert_eq!(held(&alice()), 0, "what was held, not today's rate");
		assert_eq!(Balances::free_balance(alice()), INITIAL_BALANCE);
		ServerDeposit::set(before);
	});
}

#[test]
fn an_operator_who_cannot_cover_the_deposit_is_not_registered_and_nothing_changes() {
	new_test_ext().execute_with(|| {
		let broke = AccountId::from([9u8; 32]);
		assert_ok!(Balances::force_set_balance(
			RuntimeOrigin::root(),
			broke.clone(),
			ServerDeposit::get()
		));
		let key = ServerPair::Ed(ed25519::Pair::from_seed(&[3; 32]));
		let next = NextServerId::<Test>::get();
		System::reset_events();
		// Its whole balance is the deposit: holding it would reap the account's existential
		// deposit, so the hold is refused.
		assert_noop!(
			Notary::register_server(
				RuntimeOrigin::root(),
				broke.clone(),
				key.public(),
				FIRST_SATELLITE,
				satellite_pair(3).public()
			),
			Error::<Test>::CannotHoldDeposit
		);
		assert_eq!(NextServerId::<Test>::get(), next);
		assert!(!ServerKeyOwner::<Test>::contains_key(key.public()));
		assert_eq!(held(&broke), 0);
		assert!(notary_events().is_empty());
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
