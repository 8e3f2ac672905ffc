//! `submit_batch`: what it stores, every field it checks, and the bounds.

use super::*;

#[test]
fn submit_batch_stores_pending_and_indexes_transactions() {
	let mut ext = new_test_ext();
	let batch_id = ext.execute_with(|| {
		let mut a = register(1);
		let id = submit(&mut a, &[b"alpha", b"beta", b"gamma"]);
		System::assert_last_event(
			Event::BatchSubmitted {
				server_id: a.id,
				sequence: 1,
				batch_id: id,
				tx_count: 3,
				expires_at: 1 + BatchTtl::get(),
			}
			.into(),
		);
		let record = Batches::<Test>::get(id).unwrap();
		assert_eq!(
			record.status,
			BatchStatus::Pending {
				expires_at: 1 + BatchTtl::get(),
				attestations: Default::default()
			}
		);
		assert_eq!(record.submitted_at, 1);
		let server = Servers::<Test>::get(a.id).unwrap();
		assert_eq!((server.last_sequence, server.last_batch), (1, id));
		assert_eq!(server.pending.into_inner(), vec![id]);
		assert_eq!(Schedule::<Test>::get(1 + BatchTtl::get(), id), Some(Scheduled::Expire));
		id
	});
	ext.persist_offchain_overlay();
	let stored = ext
		.offchain_db()
		.get(&offchain_txs_key(&batch_id))
		.expect("transactions are in the off-chain index");
	let expected: Vec<Vec<u8>> = vec![b"alpha".to_vec(), b"beta".to_vec(), b"gamma".to_vec()];
	assert_eq!(stored, expected.encode());
}

/// Every key and value of the state, read through the storage host functions.
fn whole_state() -> Vec<(Vec<u8>, Vec<u8>)> {
	let mut state = Vec::new();
	let mut key = Vec::new();
	while let Some(next) = sp_io::storage::next_key(&key) {
		let value = sp_io::storage::get(&next).expect("a listed key has a value").to_vec();
		state.push((next.clone(), value));
		key = next;
	}
	state
}

#[test]
fn transactions_are_not_kept_in_state() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		// The pallet's own keys and values (System's event bookkeeping differs between blocks).
		let prefix = sp_io::hashing::twox_128(b"SpaceNotary");
		let size = |state: &[(Vec<u8>, Vec<u8>)]| -> usize {
			state
				.iter()
				.filter(|(k, _)| k.starts_with(&prefix))
				.map(|(k, v)| k.len() + v.len())
				.sum()
		};
		let big: Vec<[u8; 60]> = (0..4u8).map(|i| [0xA0 + i; 60]).collect();
		let before = whole_state();
		submit(&mut a, &big.iter().map(|tx| &tx[..]).collect::<Vec<_>>());
		let after = whole_state();
		for (key, value) in &after {
			for tx in &big {
				assert!(
					!value.windows(tx.len()).any(|w| w == tx),
					"a transaction's bytes are in the value under {}",
					sp_core::hexdisplay::HexDisplay::from(key)
				);
			}
		}
		let grown_big = size(&after) - size(&before);

		// The next batch, one byte in one transaction, in a block of its own (its own expiry
		// slot, as the first had): the pallet's state grows by exactly as much.
		run_to_block(2);
		let before = whole_state();
		submit(&mut a, &[b"x"]);
		let grown_small = size(&whole_state()) - size(&before);
		assert_eq!(grown_big, grown_small, "240 bytes of transactions cost the state nothing");
	});
}

#[test]
fn submit_batch_works_with_every_key_scheme() {
	new_test_ext().execute_with(|| {
		let pairs = [
			ServerPair::Ed(ed25519::Pair::from_seed(&[11; 32])),
			ServerPair::Sr(sr25519::Pair::from_seed(&[12; 32])),
			ServerPair::Ec(ecdsa::Pair::from_seed(&[13; 32])),
		];
		for (i, pair) in pairs.into_iter().enumerate() {
			let mut server = register_with(bob(), pair, 20 + i as u8);
			submit(&mut server, &[b"x"]);
		}
	});
}

#[test]
fn submit_batch_checks_every_field() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		assert_submit_fails(&a, |c, _| c.version = 2, Error::<Test>::UnsupportedVersion);
		assert_submit_fails(&a, |c, _| c.genesis_hash = H256::repeat_byte(1), Error::WrongGenesis);
		assert_submit_fails(&a, |c, _| c.server_id = 77, Error::<Test>::UnknownServer);
		assert_submit_fails(&a, |c, _| c.sequence = 2, Error::<Test>::BadSequence);
		assert_submit_fails(&a, |c, _| c.sequence = 0, Error::<Test>::BadSequence);
		assert_submit_fails(&a, |c, _| c.prev_batch = H256::repeat_byte(3), Error::BadPrevBatch);
		assert_submit_fails(
			&a,
			|c, t| {
				*t = txs(&[]);
				c.tx_count = 0;
				c.total_bytes = 0;
				c.batch_root = H256::zero();
			},
			Error::<Test>::EmptyBatch,
		);
		assert_submit_fails(&a, |c, _| c.tx_count = 4, Error::<Test>::TxCountMismatch);
		assert_submit_fails(&a, |c, _| c.total_bytes += 1, Error::<Test>::TotalBytesMismatch);
		assert_submit_fails(&a, |c, _| c.batch_root = H256::repeat_byte(9), Error::RootMismatch);
		assert_submit_fails(
			&a,
			|c, t| {
				// Swapping two transactions keeps count and bytes but changes the root.
				*t = txs(&[b"two", b"one", b"three"]);
				c.tx_count = 3;
			},
			Error::<Test>::RootMismatch,
		);
		assert_submit_fails(
			&a,
			|c, t| {
				let big: Vec<&[u8]> = vec![&[0u8; 64]; 5]; // 320 bytes > MaxBatchBytes (256)
				*t = txs(&big);
				*c = BatchCertificate::over_transactions(
					c.genesis_hash,
					c.server_id,
					c.sequence,
					c.prev_batch,
					c.issued_at_ms,
					t.as_slice(),
				)
				.unwrap();
			},
			Error::<Test>::BatchTooLarge,
		);
	});
}

#[test]
fn submit_batch_checks_origin_operator_and_signature() {
	new_test_ext().execute_with(|| {
		let a = register(1);
		let batch = txs(&[b"one"]);
		let cert = cert_for(&a, 1, H256::zero(), &batch);
		let sig = a.key.sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::none(), cert.clone(), sig.clone(), batch.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Notary::submit_batch(
				RuntimeOrigin::signed(bob()),
				cert.clone(),
				sig.clone(),
				batch.clone()
			),
			Error::<Test>::NotOperator
		);
		let other = ed25519::Pair::from_seed(&[99; 32]).sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(
				RuntimeOrigin::signed(alice()),
				cert.clone(),
				other.into(),
				batch.clone()
			),
			Error::<Test>::BadServerSignature
		);
		let wrong_scheme = sr25519::Pair::from_seed(&[99; 32]).sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(
				RuntimeOrigin::signed(alice()),
				cert.clone(),
				wrong_scheme.into(),
				batch.clone()
			),
			Error::<Test>::SignatureSchemeMismatch
		);
		// A signature over another certificate does not carry over.
		let mut other_cert = cert.clone();
		other_cert.issued_at_ms += 1;
		let sig_other = a.key.sign(&other_cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), cert, sig_other, batch),
			Error::<Test>::BadServerSignature
		);
	});
}

#[test]
fn sequence_and_hash_chain() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let first = submit(&mut a, &[b"1"]);
		let second = submit(&mut a, &[b"2"]);
		let record = Batches::<Test>::get(second).unwrap();
		assert_eq!((record.cert.sequence, record.cert.prev_batch), (2, first));

		// Replaying batch 2 (same certificate) fails on its sequence.
		let batch = txs(&[b"2"]);
		let replay = record.cert.clone();
		let sig = a.key.sign(&replay.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), replay, sig, batch),
			Error::<Test>::BadSequence
		);
		// A fork from batch 1 fails on its previous batch.
		let fork = txs(&[b"fork"]);
		let cert = cert_for(&a, 3, first, &fork);
		let sig = a.key.sign(&cert.server_payload());
		assert_noop!(
			Notary::submit_batch(RuntimeOrigin::signed(alice()), cert, sig, fork),
			Error::<Test>::BadPrevBatch
		);
		// The chain goes on through an expired batch, and through one pruned since.
		run_to_block(1 + BatchTtl::get());
		assert!(matches!(status(second), BatchStatus::Expired { .. }));
		run_to_block(1 + BatchTtl::get() + ExpiredRetention::get());
		assert!(Batches::<Test>::get(second).is_none(), "pruned after its retention");
		let third = submit(&mut a, &[b"3"]);
		assert_eq!(Batches::<Test>::get(third).unwrap().cert.prev_batch, second);
	});
}

#[test]
fn pending_batches_are_bounded_per_server() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		let mut b = register(2);
		for i in 0..3u8 {
			submit(&mut a, &[&[i]]);
		}
		run_to_block(2); // a fresh expiry slot, so only the pending bound is in play
		assert_submit_fails(&a, |_, _| {}, Error::<Test>::TooManyPending);
		// Another server is not affected.
		submit(&mut b, &[b"b"]);
		// Certifying one makes room.
		let oldest = Servers::<Test>::get(a.id).unwrap().pending[0];
		let sig = countersign(&a.satellite, oldest);
		assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), oldest, sig));
		submit(&mut a, &[b"again"]);
	});
}

#[test]
fn more_expiries_than_a_block_does_spill_into_the_next_blocks_and_no_submission_is_refused() {
	new_test_ext().execute_with(|| {
		// MaxScheduledPerBlock is 4 (a look at the block's schedule and three expiries): six
		// batches of six servers, all submitted in block 1, all due in block 11.
		let mut servers: Vec<Server> = (1..=6).map(register).collect();
		let ids: Vec<BatchId> = servers.iter_mut().map(|s| submit(s, &[b"tx"])).collect();
		let due = 1 + BatchTtl::get();
		let expired = |ids: &[BatchId]| {
			ids.iter().filter(|id| matches!(status(**id), BatchStatus::Expired { .. })).count()
		};

		run_to_block(due);
		assert_eq!(expired(&ids), 3, "three expire in their own block");
		// The others are expired as of block 11 all the same: their countersignatures fail.
		let late = *ids
			.iter()
			.find(|id| {
				status(**id)
					.eq(&BatchStatus::Pending { expires_at: due, attestations: Default::default() })
			})
			.unwrap();
		let owner = servers.iter().find(|s| s.last == late).unwrap();
		let sig = countersign(&owner.satellite, late);
		assert_noop!(
			Notary::submit_countersignature(RuntimeOrigin::none(), late, sig),
			Error::<Test>::BatchExpired
		);
		assert_eq!(validate(late, sig), invalid(Error::BatchExpired));

		run_to_block(due + 1);
		assert_eq!(expired(&ids), 6, "the rest in the next block");
		for id in &ids {
			assert!(
				matches!(status(*id), BatchStatus::Expired { at, .. } if at == due),
				"expired as of its own block"
			);
		}
	});
}
