//! `submit_countersignature`: certification, its errors, key rotations, isolation.

use super::*;

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
				attestations: BoundedVec::truncate_from(vec![Attestation {
					satellite_id: FIRST_SATELLITE,
					satellite_key: a.satellite.public(),
					signed_at_ms: None,
					signature: sig,
				}]),
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
		assert_ok!(Notary::set_satellite_key(
			RuntimeOrigin::root(),
			a.id,
			FIRST_SATELLITE,
			new_satellite.public()
		));
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
