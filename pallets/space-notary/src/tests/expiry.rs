//! Expiry at the end of the TTL.

use super::*;

#[test]
fn pending_batches_expire_after_ttl_with_an_event() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let expiring = submit(&mut a, &[b"1"]);
		let certified = submit(&mut a, &[b"2"]);
		let sig = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, sig));

		run_to_block(BatchTtl::get());
		assert!(status(expiring).eq(&BatchStatus::Pending {
			expires_at: 1 + BatchTtl::get(),
			attestations: Default::default()
		}));
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
		assert_eq!(notary_events().len(), 1, "the certified batch does not expire");
		assert!(Servers::<Test>::get(a.id).unwrap().pending.is_empty());
		assert_eq!(Schedule::<Test>::iter_prefix(1 + BatchTtl::get()).count(), 0, "done");
	});
}
