//! Pool validation of bare countersignatures (`ValidateUnsigned`): what is refused, and which refusals ban.

use super::*;

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
			FIRST_SATELLITE,
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
	let table: [(Error<Test>, TransactionValidityError); 9] = [
		(UnknownBatch, UnknownTransaction::Custom(code(UnknownBatch)).into()),
		(ServerSuspended, UnknownTransaction::Custom(code(ServerSuspended)).into()),
		(TooManyPending, UnknownTransaction::Custom(code(TooManyPending)).into()),
		(AlreadyCertified, InvalidTransaction::Stale.into()),
		// The pool takes a batch ahead: a bad sequence there is a used one.
		(BadSequence, InvalidTransaction::Stale.into()),
		(NotOperator, InvalidTransaction::Custom(code(NotOperator)).into()),
		(BatchExpired, InvalidTransaction::Custom(code(BatchExpired)).into()),
		(BadSatelliteSignature, InvalidTransaction::Custom(code(BadSatelliteSignature)).into()),
		(UnknownServer, InvalidTransaction::Custom(code(UnknownServer)).into()),
	];
	for (error, refusal) in table {
		assert_eq!(Notary::pool_refusal(error), refusal);
	}
}
