//! The runtime API's queries and inclusion proofs, and the weights.

use super::*;

#[test]
fn runtime_api_queries() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let list: [&[u8]; 5] = [b"a", b"b", b"c", b"d", b"e"];
		let id = submit(&mut a, &list);
		let info = Notary::server_info(a.id).unwrap();
		assert_eq!(info.pending, vec![id]);
		assert_eq!(Notary::server_info(7), None);
		let pending = Notary::pending_batches(a.id);
		assert_eq!(pending.len(), 1);
		assert_eq!(pending[0].0, id);
		assert!(Notary::pending_batches(7).is_empty());
		assert_eq!(Notary::satellite_payload(H256::zero()), Err(PayloadError::UnknownBatch));

		let proof = InclusionProof::generate(&list, 3).unwrap();
		assert_eq!(
			Notary::verify_inclusion(id, b"d".to_vec(), proof.clone()),
			Err(InclusionError::NotCertified)
		);
		let sig = countersign(&a.satellite, id);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, sig));
		assert_eq!(Notary::verify_inclusion(id, b"d".to_vec(), proof.clone()), Ok(()));
		assert_eq!(
			Notary::verify_inclusion(id, b"x".to_vec(), proof.clone()),
			Err(InclusionError::BadProof)
		);
		assert_eq!(
			Notary::verify_inclusion(H256::zero(), b"d".to_vec(), proof.clone()),
			Err(InclusionError::UnknownBatch)
		);
		let short = InclusionProof::generate(&list[..4], 3).unwrap();
		assert_eq!(
			Notary::verify_inclusion(id, b"d".to_vec(), short),
			Err(InclusionError::LeafCountMismatch)
		);
	});
}

#[test]
fn runtime_api_refuses_glued_leaves_as_a_transaction() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let list: [&[u8]; 4] = [b"a", b"b", b"c", b"d"];
		let id = submit(&mut a, &list);
		let sig = countersign(&a.satellite, id);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, sig));

		// blake2(leaf a ++ leaf b) is the node over a and b: these 64 bytes, claimed as
		// transaction 0 with the one sibling above that node, used to verify.
		let (ha, hb, hc, hd) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"), leaf_hash(b"d"));
		let forged = [ha.as_bytes(), hb.as_bytes()].concat();
		let cd = H256(sp_io::hashing::blake2_256(&[hc.as_bytes(), hd.as_bytes()].concat()));
		for leaf_index in 0..4 {
			let proof = InclusionProof { leaf_index, number_of_leaves: 4, proof: vec![cd] };
			assert_eq!(
				Notary::verify_inclusion(id, forged.clone(), proof),
				Err(InclusionError::BadProof),
				"glued leaves claimed at {leaf_index}"
			);
		}
		// The same bytes as the first of a smaller tree: refused by the certificate's count.
		let smaller = InclusionProof { leaf_index: 0, number_of_leaves: 2, proof: vec![cd] };
		assert_eq!(
			Notary::verify_inclusion(id, forged, smaller),
			Err(InclusionError::LeafCountMismatch)
		);
		let honest = InclusionProof::generate(&list, 0).unwrap();
		assert_eq!(Notary::verify_inclusion(id, b"a".to_vec(), honest), Ok(()));
	});
}

#[test]
fn weights_grow_linearly_with_transactions_and_bytes() {
	let w = |n, b| <() as WeightInfo>::submit_batch(n, b).ref_time();
	assert!(w(2, 0) > w(1, 0));
	assert_eq!(w(3, 0) - w(2, 0), w(2, 0) - w(1, 0));
	assert_eq!(w(1, 2000) - w(1, 1000), w(1, 1000) - w(1, 0));
}

/// Receipts (`docs/receipts.md`) prove a batch's record and its server's key from storage
/// proofs, at keys that `space_notary_primitives::receipt` computes without the pallet: they must
/// be this pallet's keys, holding these values.
#[test]
fn receipt_storage_keys_are_the_pallet_s() {
	use codec::Decode;
	use space_notary_primitives::receipt::{batch_record_key, server_key_owner_key};
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"a", b"b"]);
		let sig = countersign(&a.satellite, id);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), id, sig));
		let key = batch_record_key(&id);
		assert_eq!(Batches::<Test>::hashed_key_for(id), key);
		let stored = sp_io::storage::get(&key).expect("the record is at the receipt's key");
		assert_eq!(Some(Decode::decode(&mut &stored[..]).unwrap()), Batches::<Test>::get(id));
		let server_key = a.key.public();
		let key = server_key_owner_key(&server_key);
		assert_eq!(ServerKeyOwner::<Test>::hashed_key_for(&server_key), key);
		let stored = sp_io::storage::get(&key).expect("the owner is at the receipt's key");
		assert_eq!(ServerId::decode(&mut &stored[..]).unwrap(), a.id);
	});
}
