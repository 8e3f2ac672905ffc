//! `submit_countersignatures`: bundles of countersignatures, each entry on its own, and how the
//! pool keeps overlapping bundles from both landing.

use super::*;

fn bundle(entries: &[(BatchId, ed25519::Signature)]) -> CountersignaturesOf<Test> {
	BoundedVec::truncate_from(entries.to_vec())
}

fn bundle_call(entries: &[(BatchId, ed25519::Signature)]) -> RuntimeCall {
	RuntimeCall::SpaceNotary(crate::Call::submit_countersignatures { entries: bundle(entries) })
}

/// Three servers with one pending batch each; returns (batch id, countersignature) per server.
fn three_pending() -> Vec<(BatchId, ed25519::Signature)> {
	(1..=3)
		.map(|seed| {
			let mut s = register(seed);
			let id = submit(&mut s, &[b"tx"]);
			(id, countersign(&s.satellite, id))
		})
		.collect()
}

fn certified(id: BatchId) -> bool {
	matches!(status(id), BatchStatus::Certified { .. })
}

#[test]
fn a_bundle_certifies_every_batch_for_free() {
	new_test_ext().execute_with(|| {
		let entries = three_pending();
		let result = Notary::submit_countersignatures(RuntimeOrigin::none(), bundle(&entries));
		assert_eq!(result.unwrap().pays_fee, Pays::No);
		assert!(entries.iter().all(|(id, _)| certified(*id)));
		let certified_events = notary_events()
			.into_iter()
			.filter(|e| matches!(e, Event::BatchCertified { relayer: None, .. }))
			.count();
		assert_eq!(certified_events, 3);
	});
}

#[test]
fn each_entry_is_checked_on_its_own_in_dispatch() {
	new_test_ext().execute_with(|| {
		let mut entries = three_pending();
		let forged = satellite_pair(77).sign(&Notary::satellite_payload(entries[1].0).unwrap());
		entries[1].1 = forged;
		let result =
			Notary::submit_countersignatures(RuntimeOrigin::signed(charlie()), bundle(&entries));
		assert_eq!(result.unwrap().pays_fee, Pays::Yes, "not every entry was valid: it pays");
		assert!(certified(entries[0].0) && certified(entries[2].0));
		assert!(matches!(status(entries[1].0), BatchStatus::Pending { .. }));
		System::assert_has_event(
			Event::CountersignatureSkipped {
				batch_id: entries[1].0,
				error: Error::<Test>::BadSatelliteSignature.into(),
			}
			.into(),
		);

		// Nothing left to certify: the bundle fails with its first entry's error, and pays.
		let again = bundle(&entries[..1]);
		assert_noop!(
			Notary::submit_countersignatures(RuntimeOrigin::none(), again),
			Error::<Test>::AlreadyCertified
		);
		assert_noop!(
			Notary::submit_countersignatures(RuntimeOrigin::none(), bundle(&[])),
			Error::<Test>::EmptyBundle
		);
	});
}

#[test]
fn the_pool_takes_a_bundle_only_when_every_entry_is_valid_and_new() {
	new_test_ext().execute_with(|| {
		let entries = three_pending();
		let valid = Notary::validate_countersignatures(&bundle(&entries)).expect("valid");
		for (id, _) in &entries {
			// The single call's tag: singles and bundles for one batch conflict.
			let single = validate(*id, entries.iter().find(|(i, _)| i == id).unwrap().1).unwrap();
			assert!(valid.provides.contains(&single.provides[0]));
		}
		assert_eq!(valid.priority, (1 << 20) + 3, "the single's priority plus the entry count");

		let mut forged = entries.clone();
		forged[2].1 = satellite_pair(77).sign(b"not the payload");
		assert_eq!(
			Notary::validate_countersignatures(&bundle(&forged)),
			invalid(Error::BadSatelliteSignature),
			"one bad entry refuses the bundle: nothing rides for free"
		);
		let twice = [entries[0], entries[1], entries[0]];
		assert_eq!(
			Notary::validate_countersignatures(&bundle(&twice)),
			invalid(Error::DuplicateInBundle)
		);
		assert_eq!(Notary::validate_countersignatures(&bundle(&[])), invalid(Error::EmptyBundle));
		// A batch not imported yet: refused without a ban, as a single would be.
		let unknown_entry = (H256::repeat_byte(5), entries[0].1);
		assert_eq!(
			Notary::validate_countersignatures(&bundle(&[entries[0], unknown_entry])),
			unknown(Error::UnknownBatch)
		);
	});
}

#[test]
fn a_bundle_with_a_junk_entry_anywhere_costs_no_signature_check() {
	new_test_ext().execute_with(|| {
		let entries = three_pending();
		// A forged signature first, an unknown batch last: the cheap checks of every entry run
		// before any signature is verified, so the bundle is refused as the unknown batch, not
		// as the forgery (which would mean the signatures before it were verified for nothing).
		let forged = (entries[0].0, satellite_pair(77).sign(b"not the payload"));
		let unknown_entry = (H256::repeat_byte(5), entries[1].1);
		assert_eq!(
			Notary::validate_countersignatures(&bundle(&[forged, entries[1], unknown_entry])),
			unknown(Error::UnknownBatch)
		);
		// Certified already, at the end: stale before any signature.
		assert_ok!(Notary::submit_countersignature(
			RuntimeOrigin::none(),
			entries[2].0,
			entries[2].1
		));
		assert_eq!(
			Notary::validate_countersignatures(&bundle(&[forged, entries[1], entries[2]])),
			Err(InvalidTransaction::Stale.into())
		);
	});
}

#[test]
fn two_overlapping_bundles_never_both_land() {
	new_test_ext().execute_with(|| {
		let e = three_pending();
		let first = bundle(&e[..2]); // batches 1 and 2, from one relay
		let second = bundle(&e[1..]); // batches 2 and 3, from another
		let a = Notary::validate_countersignatures(&first).unwrap();
		let b = Notary::validate_countersignatures(&second).unwrap();
		let shared: Vec<_> = a.provides.iter().filter(|t| b.provides.contains(t)).collect();
		assert_eq!(shared.len(), 1, "they conflict in the pool on batch 2");
		assert_eq!(
			a.priority, b.priority,
			"equal size: the pool keeps the first, refuses the other"
		);

		// Whichever lands first, the other is stale when the block is built or imported.
		assert_ok!(Notary::submit_countersignatures(RuntimeOrigin::none(), first));
		let call = crate::Call::<Test>::submit_countersignatures { entries: second };
		assert_eq!(
			Notary::validate_unsigned(TransactionSource::InBlock, &call),
			Err(InvalidTransaction::Stale.into())
		);
		// The second relay sends what is left, and it goes through.
		assert_ok!(Notary::validate_countersignatures(&bundle(&e[2..])));
		assert_ok!(Notary::submit_countersignatures(RuntimeOrigin::none(), bundle(&e[2..])));
		assert!(e.iter().all(|(id, _)| certified(*id)));
		let certifications = notary_events()
			.into_iter()
			.filter(|e| matches!(e, Event::BatchCertified { .. }))
			.count();
		assert_eq!(certifications, 3, "each batch certified once");
	});
}

#[test]
fn a_signed_bundle_is_checked_in_the_pool_and_free_when_valid() {
	new_test_ext().execute_with(|| {
		let entries = three_pending();
		let mut forged = entries.clone();
		forged[0].1 = satellite_pair(77).sign(b"x");
		assert_eq!(
			apply(&charlie(), bundle_call(&forged)).map(|_| ()),
			Err(InvalidTransaction::Custom(code(Error::BadSatelliteSignature)).into())
		);
		let outcome = apply(&charlie(), bundle_call(&entries)).expect("valid").expect("dispatched");
		assert_eq!(outcome.pays_fee, Pays::No);
		assert_eq!(Balances::free_balance(charlie()), INITIAL_BALANCE, "nothing charged");
		assert!(entries.iter().all(|(id, _)| certified(*id)));
	});
}
