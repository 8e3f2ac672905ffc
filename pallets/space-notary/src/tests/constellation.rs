//! Several satellites per server, the quorum, and v2 countersignatures (the satellite and its
//! clock): `add_satellite`, `remove_satellite`, `set_quorum`, `submit_attestation[s]`.

use super::*;
use space_notary_primitives::{satellite_payload_v2, Countersignature};

/// The tests' certificates are issued at this time (`cert_for`).
const ISSUED_AT: u64 = 1_800_000_000_000;

/// A second satellite's number and key seed.
const SECOND: SatelliteId = 2;

/// The chain's clock a minute after the certificates were issued.
fn clock_after_issue() {
	NowMs::set(ISSUED_AT + 60_000);
}

/// A v2 countersignature by `pair` as satellite `id` at `at`, over a stored batch.
fn attest(pair: &ed25519::Pair, id: SatelliteId, batch_id: BatchId, at: u64) -> Countersignature {
	let payload = Notary::satellite_payload_v2(batch_id, id, at).expect("batch exists");
	Countersignature { satellite_id: id, signed_at_ms: at, signature: pair.sign(&payload) }
}

fn validate_v2(batch_id: BatchId, countersignature: Countersignature) -> TransactionValidity {
	let call = crate::Call::<Test>::submit_attestation { batch_id, countersignature };
	Notary::validate_unsigned(TransactionSource::External, &call)
}

/// A server served by its first satellite and `SECOND`, with a quorum of two.
fn two_of_two(seed: u8) -> (Server, ed25519::Pair) {
	let a = register(seed);
	let second = satellite_pair(seed + 50);
	assert_ok!(Notary::add_satellite(RuntimeOrigin::root(), a.id, SECOND, second.public()));
	assert_ok!(Notary::set_quorum(RuntimeOrigin::root(), a.id, 2));
	check_invariants();
	(a, second)
}

#[test]
fn add_and_remove_satellites_with_their_errors_and_events() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let b = register(2);
		let key = satellite_pair(60).public();
		assert_noop!(
			Notary::add_satellite(RuntimeOrigin::signed(alice()), a.id, SECOND, key),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::add_satellite(RuntimeOrigin::root(), 99, SECOND, key),
			Error::<Test>::UnknownServer
		);
		assert_noop!(
			Notary::add_satellite(RuntimeOrigin::root(), a.id, FIRST_SATELLITE, key),
			Error::<Test>::SatelliteAlreadyServes
		);
		// Another server's key, or this server's other satellite's: never shared.
		assert_noop!(
			Notary::add_satellite(RuntimeOrigin::root(), a.id, SECOND, b.satellite.public()),
			Error::<Test>::SatelliteKeyInUse
		);
		assert_noop!(
			Notary::add_satellite(RuntimeOrigin::root(), a.id, SECOND, a.satellite.public()),
			Error::<Test>::SatelliteKeyInUse
		);
		assert_ok!(Notary::add_satellite(RuntimeOrigin::root(), a.id, SECOND, key));
		System::assert_last_event(
			Event::SatelliteAdded { server_id: a.id, satellite_id: SECOND, satellite_key: key }
				.into(),
		);
		assert_eq!(SatelliteKeyOwner::<Test>::get(key), Some((a.id, SECOND)));
		// The same satellite serves server b too, with its own key for b.
		assert_ok!(Notary::add_satellite(
			RuntimeOrigin::root(),
			b.id,
			SECOND,
			satellite_pair(61).public()
		));

		// Up to the bound.
		for id in 3..=space_notary_primitives::MAX_SATELLITES_PER_SERVER {
			let k = satellite_pair(60 + id as u8 * 2).public();
			assert_ok!(Notary::add_satellite(RuntimeOrigin::root(), a.id, id, k));
		}
		assert_noop!(
			Notary::add_satellite(RuntimeOrigin::root(), a.id, 99, satellite_pair(99).public()),
			Error::<Test>::TooManySatellites
		);

		assert_noop!(
			Notary::remove_satellite(RuntimeOrigin::root(), a.id, 99),
			Error::<Test>::UnknownSatellite
		);
		assert_ok!(Notary::remove_satellite(RuntimeOrigin::root(), a.id, SECOND));
		System::assert_last_event(
			Event::SatelliteRemoved { server_id: a.id, satellite_id: SECOND, dropped: 0 }.into(),
		);
		assert_eq!(SatelliteKeyOwner::<Test>::get(key), None, "its key is freed");
		// The last satellite stays: a quorum of one needs one.
		assert_ok!(Notary::remove_satellite(RuntimeOrigin::root(), b.id, SECOND));
		assert_noop!(
			Notary::remove_satellite(RuntimeOrigin::root(), b.id, FIRST_SATELLITE),
			Error::<Test>::QuorumUnreachable
		);
	});
}

#[test]
fn set_quorum_stays_between_one_and_the_satellites() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		assert_noop!(
			Notary::set_quorum(RuntimeOrigin::root(), a.id, 2),
			Error::<Test>::QuorumUnreachable
		);
		assert_noop!(
			Notary::set_quorum(RuntimeOrigin::root(), a.id, 0),
			Error::<Test>::QuorumUnreachable
		);
		assert_noop!(
			Notary::set_quorum(RuntimeOrigin::signed(alice()), a.id, 1),
			DispatchError::BadOrigin
		);
		let (b, _) = two_of_two(2);
		System::assert_last_event(
			Event::QuorumChanged { server_id: b.id, quorum: 2, certified: 0 }.into(),
		);
		// A satellite the quorum needs cannot be removed.
		assert_noop!(
			Notary::remove_satellite(RuntimeOrigin::root(), b.id, SECOND),
			Error::<Test>::QuorumUnreachable
		);
	});
}

#[test]
fn two_of_two_certifies_on_the_second_distinct_satellite() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let (mut a, second) = two_of_two(1);
		let id = submit(&mut a, &[b"tx"]);
		let first = attest(&a.satellite, FIRST_SATELLITE, id, ISSUED_AT + 1_000);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, first));
		System::assert_last_event(
			Event::BatchAttested {
				server_id: a.id,
				batch_id: id,
				satellite_id: FIRST_SATELLITE,
				signed_at_ms: Some(ISSUED_AT + 1_000),
				count: 1,
				quorum: 2,
			}
			.into(),
		);
		assert_eq!(status(id).attestations().len(), 1, "pending, one of two");
		assert!(matches!(status(id), BatchStatus::Pending { .. }));

		// The same satellite again, even at another time, does not count twice.
		let again = attest(&a.satellite, FIRST_SATELLITE, id, ISSUED_AT + 2_000);
		assert_noop!(
			Notary::submit_attestation(RuntimeOrigin::none(), id, again),
			Error::<Test>::AlreadyAttested
		);
		assert_eq!(validate_v2(id, again), Err(InvalidTransaction::Stale.into()));
		// v1 says no satellite: not taken from a server with two.
		assert_noop!(
			Notary::submit_countersignature(
				RuntimeOrigin::none(),
				id,
				countersign(&a.satellite, id)
			),
			Error::<Test>::CountersignatureV1NotAccepted
		);

		let by_second = attest(&second, SECOND, id, ISSUED_AT + 3_000);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, by_second));
		System::assert_last_event(
			Event::BatchCertified { server_id: a.id, sequence: 1, batch_id: id, relayer: None }
				.into(),
		);
		let BatchStatus::Certified { attestations, certified_at } = status(id) else {
			panic!("certified")
		};
		assert_eq!(certified_at, 1);
		let recorded: Vec<_> =
			attestations.iter().map(|a| (a.satellite_id, a.signed_at_ms)).collect();
		assert_eq!(
			recorded,
			vec![(FIRST_SATELLITE, Some(ISSUED_AT + 1_000)), (SECOND, Some(ISSUED_AT + 3_000))]
		);
		for attestation in attestations.iter() {
			let server_signature = Batches::<Test>::get(id).unwrap().server_signature;
			assert_eq!(attestation.verify(&id, &server_signature), Ok(()));
		}
		assert!(Servers::<Test>::get(a.id).unwrap().pending.is_empty());
	});
}

#[test]
fn the_satellite_clock_must_fall_between_issue_and_the_chain_clock() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let sat = FIRST_SATELLITE;
		let before = attest(&a.satellite, sat, id, ISSUED_AT - 1);
		assert_noop!(
			Notary::submit_attestation(RuntimeOrigin::none(), id, before),
			Error::<Test>::SignedBeforeIssued
		);
		assert_eq!(validate_v2(id, before), invalid(Error::SignedBeforeIssued));
		let ahead = NowMs::get() + 120_001;
		let future = attest(&a.satellite, sat, id, ahead);
		assert_noop!(
			Notary::submit_attestation(RuntimeOrigin::none(), id, future),
			Error::<Test>::SignedInFuture
		);
		// Not banned: it turns valid when the chain's clock catches up.
		assert_eq!(validate_v2(id, future), unknown(Error::SignedInFuture));
		NowMs::set(ahead - 120_000);
		assert_ok!(validate_v2(id, future));
		// A signature over another time, satellite or batch does not verify.
		let moved = Countersignature { signed_at_ms: ahead - 1, ..future };
		assert_eq!(validate_v2(id, moved), invalid(Error::BadSatelliteSignature));
		let other = Countersignature { satellite_id: SECOND, ..future };
		assert_eq!(validate_v2(id, other), unknown(Error::UnknownSatellite));
		// At the bounds exactly, it is taken.
		let at_issue = attest(&a.satellite, sat, id, ISSUED_AT);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, at_issue));
		assert!(matches!(status(id), BatchStatus::Certified { .. }));
	});
}

#[test]
fn a_one_satellite_server_takes_v1_and_v2_alike_and_they_compete_for_one_slot() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let v1 = validate(id, countersign(&a.satellite, id)).unwrap();
		let v2 = validate_v2(id, attest(&a.satellite, FIRST_SATELLITE, id, ISSUED_AT)).unwrap();
		assert_eq!(v1.provides, v2.provides, "either certifies the batch: one slot");
		assert_eq!(v1.provides, vec![("SpaceNotaryCountersignature", id).encode()]);
	});
}

#[test]
fn under_a_quorum_each_satellite_has_its_own_pool_slot() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let (mut a, second) = two_of_two(1);
		let id = submit(&mut a, &[b"tx"]);
		let one = validate_v2(id, attest(&a.satellite, FIRST_SATELLITE, id, ISSUED_AT)).unwrap();
		let two = validate_v2(id, attest(&second, SECOND, id, ISSUED_AT)).unwrap();
		assert_eq!(
			one.provides,
			vec![("SpaceNotaryCountersignature", (id, FIRST_SATELLITE)).encode()]
		);
		assert_eq!(two.provides, vec![("SpaceNotaryCountersignature", (id, SECOND)).encode()]);
	});
}

#[test]
fn a_bundle_of_v2_countersignatures_is_checked_entry_by_entry() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let mut a = register(1);
		let one = submit(&mut a, &[b"1"]);
		let two = submit(&mut a, &[b"2"]);
		let entries: AttestationsOf<Test> = BoundedVec::truncate_from(vec![
			(one, attest(&a.satellite, FIRST_SATELLITE, one, ISSUED_AT)),
			(two, attest(&a.satellite, FIRST_SATELLITE, two, ISSUED_AT)),
		]);
		let call = crate::Call::<Test>::submit_attestations { entries: entries.clone() };
		let valid = Notary::validate_unsigned(TransactionSource::External, &call).unwrap();
		assert_eq!(valid.provides.len(), 2);
		let mut bad = entries.clone();
		bad[1].1.signed_at_ms += 1;
		let call = crate::Call::<Test>::submit_attestations { entries: bad };
		assert_eq!(
			Notary::validate_unsigned(TransactionSource::External, &call),
			invalid(Error::BadSatelliteSignature)
		);
		assert_ok!(Notary::submit_attestations(RuntimeOrigin::none(), entries));
		assert!(matches!(status(one), BatchStatus::Certified { .. }));
		assert!(matches!(status(two), BatchStatus::Certified { .. }));
		assert_noop!(
			Notary::submit_attestations(RuntimeOrigin::none(), BoundedVec::new()),
			Error::<Test>::EmptyBundle
		);
	});
}

#[test]
fn lowering_the_quorum_certifies_batches_that_hold_enough() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let (mut a, _) = two_of_two(1);
		let half = submit(&mut a, &[b"1"]);
		let none = submit(&mut a, &[b"2"]);
		let first = attest(&a.satellite, FIRST_SATELLITE, half, ISSUED_AT);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), half, first));
		assert_ok!(Notary::set_quorum(RuntimeOrigin::root(), a.id, 1));
		System::assert_has_event(
			Event::BatchCertified { server_id: a.id, sequence: 1, batch_id: half, relayer: None }
				.into(),
		);
		System::assert_last_event(
			Event::QuorumChanged { server_id: a.id, quorum: 1, certified: 1 }.into(),
		);
		assert!(matches!(status(none), BatchStatus::Pending { .. }));
		assert_eq!(Servers::<Test>::get(a.id).unwrap().pending.to_vec(), vec![none]);
	});
}

#[test]
fn a_suspended_server_reaches_its_lowered_quorum_when_resumed() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let (mut a, _) = two_of_two(1);
		let id = submit(&mut a, &[b"1"]);
		let first = attest(&a.satellite, FIRST_SATELLITE, id, ISSUED_AT);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, first));
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));
		assert_ok!(Notary::set_quorum(RuntimeOrigin::root(), a.id, 1));
		assert!(
			matches!(status(id), BatchStatus::Pending { .. }),
			"no certification while suspended"
		);
		assert_ok!(Notary::resume_server(RuntimeOrigin::root(), a.id));
		assert!(matches!(status(id), BatchStatus::Certified { .. }), "not stranded");
	});
}

#[test]
fn a_rotated_or_removed_satellite_loses_its_countersignatures_on_pending_batches() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let (mut a, second) = two_of_two(1);
		let third = satellite_pair(90);
		assert_ok!(Notary::add_satellite(RuntimeOrigin::root(), a.id, 3, third.public()));
		let id = submit(&mut a, &[b"1"]);
		let by_first = attest(&a.satellite, FIRST_SATELLITE, id, ISSUED_AT);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, by_first));

		// Rotation: the old key's countersignature is dropped; the new key signs again.
		let rotated = satellite_pair(91);
		assert_ok!(Notary::set_satellite_key(
			RuntimeOrigin::root(),
			a.id,
			FIRST_SATELLITE,
			rotated.public()
		));
		System::assert_last_event(
			Event::SatelliteKeyChanged {
				server_id: a.id,
				satellite_id: FIRST_SATELLITE,
				satellite_key: rotated.public(),
				dropped: 1,
			}
			.into(),
		);
		assert!(status(id).attestations().is_empty());
		assert_noop!(
			Notary::submit_attestation(RuntimeOrigin::none(), id, by_first),
			Error::<Test>::BadSatelliteSignature
		);
		let by_second = attest(&second, SECOND, id, ISSUED_AT);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, by_second));

		// Removal: the removed satellite's countersignature no longer counts.
		assert_ok!(Notary::remove_satellite(RuntimeOrigin::root(), a.id, SECOND));
		System::assert_last_event(
			Event::SatelliteRemoved { server_id: a.id, satellite_id: SECOND, dropped: 1 }.into(),
		);
		assert!(status(id).attestations().is_empty());
		assert_noop!(
			Notary::submit_attestation(RuntimeOrigin::none(), id, by_second),
			Error::<Test>::UnknownSatellite
		);

		// Two of the remaining two certify it: the batch was delayed, never stranded.
		let by_new_key = attest(&rotated, FIRST_SATELLITE, id, ISSUED_AT + 5);
		let by_third = attest(&third, 3, id, ISSUED_AT + 6);
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, by_new_key));
		assert_ok!(Notary::submit_attestation(RuntimeOrigin::none(), id, by_third));
		assert!(matches!(status(id), BatchStatus::Certified { .. }));
	});
}

#[test]
fn deregistration_frees_every_satellite_key() {
	new_test_ext().execute_with(|| {
		let (a, second) = two_of_two(1);
		assert_ok!(Notary::deregister_server(RuntimeOrigin::root(), a.id));
		assert_eq!(SatelliteKeyOwner::<Test>::get(a.satellite.public()), None);
		assert_eq!(SatelliteKeyOwner::<Test>::get(second.public()), None);
	});
}

#[test]
fn the_version_1_layout_migrates_to_satellites_and_attestations() {
	use crate::migrations::v2::{old, MigrateV1ToV2, MIGRATED_SATELLITE};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		clock_after_issue();
		// A chain at version 1: a server with a pending and a certified batch, written in the
		// old layout over what the current calls stored.
		let mut a = register(1);
		let certified = submit(&mut a, &[b"1"]);
		let signature = countersign(&a.satellite, certified);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), certified, signature));
		let pending = submit(&mut a, &[b"2"]);
		let server = Servers::<Test>::get(a.id).unwrap();
		let old_server = old::ServerRecord {
			operator: server.operator.clone(),
			server_key: server.server_key.clone(),
			satellite_key: a.satellite.public(),
			status: server.status,
			last_sequence: server.last_sequence,
			last_batch: server.last_batch,
			pending: server.pending.to_vec(),
		};
		let old_batch = |id: BatchId, status: old::BatchStatus<u64>| {
			let record = Batches::<Test>::get(id).unwrap();
			old::BatchRecord {
				cert: record.cert,
				server_signature: record.server_signature,
				submitted_at: record.submitted_at,
				status,
			}
		};
		let old_certified = old_batch(
			certified,
			old::BatchStatus::Certified {
				satellite_signature: signature,
				satellite_key: a.satellite.public(),
				certified_at: 1,
			},
		);
		let old_pending = old_batch(pending, old::BatchStatus::Pending { expires_at: 11 });
		let put =
			|key: Vec<u8>, value: Vec<u8>| frame_support::storage::unhashed::put_raw(&key, &value);
		put(Servers::<Test>::hashed_key_for(a.id), old_server.encode());
		put(SatelliteKeyOwner::<Test>::hashed_key_for(a.satellite.public()), a.id.encode());
		put(Batches::<Test>::hashed_key_for(certified), old_certified.encode());
		put(Batches::<Test>::hashed_key_for(pending), old_pending.encode());
		StorageVersion::new(1).put::<Notary>();

		MigrateV1ToV2::<Test>::on_runtime_upgrade();

		assert_eq!(Notary::on_chain_storage_version(), 2);
		let migrated = Servers::<Test>::get(a.id).expect("decodes in the new layout");
		let only = ServerSatellite { id: MIGRATED_SATELLITE, key: a.satellite.public() };
		assert_eq!((migrated.satellites.to_vec(), migrated.quorum), (vec![only], 1));
		assert_eq!(migrated.pending.to_vec(), vec![pending]);
		assert_eq!(
			SatelliteKeyOwner::<Test>::get(a.satellite.public()),
			Some((a.id, MIGRATED_SATELLITE))
		);
		let BatchStatus::Certified { attestations, certified_at: 1 } = status(certified) else {
			panic!("certified stays certified")
		};
		assert_eq!(
			attestations.to_vec(),
			vec![Attestation {
				satellite_id: MIGRATED_SATELLITE,
				satellite_key: a.satellite.public(),
				signed_at_ms: None,
				signature,
			}]
		);
		assert_eq!(
			status(pending),
			BatchStatus::Pending { expires_at: 11, attestations: Default::default() }
		);
		// The migrated server's satellite keeps certifying, in v1 and in v2.
		let v2 = attest(&a.satellite, MIGRATED_SATELLITE, pending, ISSUED_AT);
		assert_ok!(validate_v2(pending, v2));
		assert_ok!(Notary::submit_countersignature(
			RuntimeOrigin::none(),
			pending,
			countersign(&a.satellite, pending)
		));
		// A second run finds version 2 and changes nothing.
		let before = Servers::<Test>::get(a.id);
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Servers::<Test>::get(a.id), before);
		assert_eq!(Notary::on_chain_storage_version(), 2);
	});
}

#[test]
fn the_v2_payload_from_the_runtime_api_is_primitives() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let record = Batches::<Test>::get(id).unwrap();
		assert_eq!(
			Notary::satellite_payload_v2(id, 7, 42),
			Ok(satellite_payload_v2(&id, &record.server_signature, 7, 42))
		);
		assert_eq!(
			Notary::satellite_payload_v2(H256::repeat_byte(1), 7, 42),
			Err(PayloadError::UnknownBatch)
		);
	});
}

#[test]
fn a_signed_attestation_is_checked_in_the_pool_like_a_bare_one() {
	new_test_ext().execute_with(|| {
		clock_after_issue();
		let mut a = register(1);
		let id = submit(&mut a, &[b"tx"]);
		let good = attest(&a.satellite, FIRST_SATELLITE, id, ISSUED_AT);
		let bad = Countersignature { signed_at_ms: ISSUED_AT + 1, ..good };
		let call = |countersignature| {
			RuntimeCall::SpaceNotary(crate::Call::submit_attestation {
				batch_id: id,
				countersignature,
			})
		};
		assert_eq!(pool_verdict(&bob(), &call(bad)), invalid(Error::BadSatelliteSignature));
		let valid = pool_verdict(&bob(), &call(good)).expect("valid");
		assert!(valid.provides.contains(&("SpaceNotaryCountersignature", id).encode()));
	});
}
