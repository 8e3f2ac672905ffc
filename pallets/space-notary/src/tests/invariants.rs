//! The invariants every other test checks after each call do catch a broken state.

use super::*;

/// Breaks the state with `corrupt` after one server submitted two batches, and expects the
/// invariant check to name `broken`.
fn assert_caught(broken: &'static str, corrupt: impl FnOnce(&Server, BatchId, BatchId)) {
	let mut ext = crate::mock::new_test_ext();
	ext.execute_with(|| {
		let mut a = register(1);
		let first = submit(&mut a, &[b"one"]);
		let second = submit(&mut a, &[b"two"]);
		corrupt(&a, first, second);
		let error = Notary::do_try_state().expect_err(broken);
		assert_eq!(error, DispatchError::Other(broken), "caught as {broken}");
	});
}

#[test]
fn invariants_catch_a_broken_state() {
	assert_caught("a pending batch its server does not list", |a, first, _| {
		Servers::<Test>::mutate(a.id, |s| s.as_mut().unwrap().pending.retain(|id| *id != first));
	});
	assert_caught(
		"an expiry scheduled at another block than the batch's expires_at",
		|_, first, _| {
			Schedule::<Test>::insert(1 + BatchTtl::get() + 1, first, Scheduled::Expire);
		},
	);
	assert_caught("a pending batch not scheduled to expire at its expires_at", |_, first, _| {
		Schedule::<Test>::remove(1 + BatchTtl::get(), first);
	});
	assert_caught("last_batch is not the batch at last_sequence", |a, first, _| {
		Servers::<Test>::mutate(a.id, |s| s.as_mut().unwrap().last_batch = first);
	});
	assert_caught("a server lists a batch that is not pending", |_, _, second| {
		Batches::<Test>::mutate(second, |b| {
			b.as_mut().unwrap().status =
				BatchStatus::Expired { at: 1, reason: ExpiryReason::TtlElapsed }
		});
	});
	assert_caught("a satellite key not owned by its server and satellite", |a, _, _| {
		SatelliteKeyOwner::<Test>::insert(a.satellite.public(), (7, FIRST_SATELLITE));
	});
	assert_caught("a server without its deposit", |a, _, _| {
		ServerDeposits::<Test>::remove(a.id);
	});
	assert_caught("an operator's hold is not the sum of its servers' deposits", |a, _, _| {
		ServerDeposits::<Test>::mutate(a.id, |d| *d = d.map(|d| d + 1));
	});
	assert_caught("a prune scheduled for a batch that is not expired", |_, first, _| {
		Schedule::<Test>::insert(50, first, Scheduled::Prune);
	});
	assert_caught("a server id at or above NextServerId", |_, _, _| {
		NextServerId::<Test>::put(0);
	});
}
