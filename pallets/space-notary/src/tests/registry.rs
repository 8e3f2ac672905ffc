//! Registering, re-keying, suspending, resuming and deregistering servers.

use super::*;

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
		let first = ServerSatellite { id: FIRST_SATELLITE, key: a.satellite.public() };
		assert_eq!(record.satellites.to_vec(), vec![first]);
		assert_eq!(record.quorum, 1);
		assert_eq!(record.status, ServerStatus::Active);
		assert_eq!((record.last_sequence, record.last_batch), (0, H256::zero()));
		assert_eq!(
			SatelliteKeyOwner::<Test>::get(b.satellite.public()),
			Some((1, FIRST_SATELLITE))
		);
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
				FIRST_SATELLITE,
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
				FIRST_SATELLITE,
				a.satellite.public()
			),
			Error::<Test>::SatelliteKeyInUse
		);
		assert_noop!(
			Notary::register_server(
				RuntimeOrigin::root(),
				bob(),
				a.key.public(),
				FIRST_SATELLITE,
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
				FIRST_SATELLITE,
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
		let sat = FIRST_SATELLITE;
		assert_noop!(
			Notary::set_satellite_key(RuntimeOrigin::signed(alice()), a.id, sat, new),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::set_satellite_key(RuntimeOrigin::root(), 99, sat, new),
			Error::<Test>::UnknownServer
		);
		assert_noop!(
			Notary::set_satellite_key(RuntimeOrigin::root(), a.id, sat + 1, new),
			Error::<Test>::UnknownSatellite
		);
		assert_noop!(
			Notary::set_satellite_key(RuntimeOrigin::root(), a.id, sat, b.satellite.public()),
			Error::<Test>::SatelliteKeyInUse
		);
		assert_ok!(Notary::set_satellite_key(RuntimeOrigin::root(), a.id, sat, new));
		System::assert_last_event(
			Event::SatelliteKeyChanged {
				server_id: a.id,
				satellite_id: sat,
				satellite_key: new,
				dropped: 0,
			}
			.into(),
		);
		assert_eq!(SatelliteKeyOwner::<Test>::get(a.satellite.public()), None);
		assert_eq!(SatelliteKeyOwner::<Test>::get(new), Some((a.id, sat)));
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
		// The TTL expiry of an already expired batch does nothing more (they were pruned after
		// their retention, before their TTL in this mock).
		System::reset_events();
		run_to_block(1 + BatchTtl::get());
		let mut pruned = [p1, p2].map(|batch_id| Event::BatchPruned { server_id: a.id, batch_id });
		pruned.sort_by_key(|e| e.encode());
		assert_eq!(notary_events(), pruned.to_vec(), "in the prune queue's (batch id) order");
	});
}
