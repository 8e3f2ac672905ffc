//! Benchmarks of every call and of the expiry hook.
//!
//! Worst cases: the server key is ecdsa (recovery is the dearest of the three checks), and the
//! server's pending list is as full as the call allows (it is scanned and rewritten). `submit_batch` has two components: `n`
//! transactions and `b` bytes across them, `b` over the whole range up to `MaxBatchBytes`. So
//! that every `b` fits, `n` starts at the fewest transactions that hold `MaxBatchBytes`
//! (`MaxBatchBytes / MaxTxBytes`); the weight of smaller counts is the same line's, below that.
//!
//! Satellites: a pending batch carries as many attestations as it can before it is certified
//! (`MAX_SATELLITES_PER_SERVER - 1`), the largest record there is; a call that walks a server's
//! pending batches (`set_satellite_key`, `remove_satellite`, `set_quorum`, `resume_server`)
//! changes every one of them; `submit_attestation` brings the last countersignature of a
//! quorum of `MAX_SATELLITES_PER_SERVER`.

use super::*;
use alloc::{format, string::String, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::UnixTime;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Hooks,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_core::{crypto::KeyTypeId, H256};
use sp_runtime::traits::Saturating;
use space_notary_primitives::{
	Attestation, BatchCertificate, BatchId, Countersignature, SatelliteId, SatelliteKey, ServerId,
	ServerKey, ServerSignature, MAX_SATELLITES_PER_SERVER,
};

/// The number of the satellite a benchmark server is registered with.
const FIRST: SatelliteId = 0;

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"snbe");

/// A raw 32-byte seed, as `0x` hex, so that the keystore takes it as it is: a `//path` would be
/// derived from the dev phrase through PBKDF2 at every registration, the bulk of a setup.
fn seed(kind: &str, i: u32) -> Option<Vec<u8>> {
	let tag = sp_io::hashing::blake2_256(format!("{kind}{i}").as_bytes());
	let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
	Some(format!("0x{hex}").into_bytes())
}

fn server_key(i: u32) -> sp_core::ecdsa::Public {
	sp_io::crypto::ecdsa_generate(KEY_TYPE, seed("server", i))
}

fn satellite_key(i: u32) -> SatelliteKey {
	sp_io::crypto::ed25519_generate(KEY_TYPE, seed("satellite", i))
}

/// The key satellite `k` (1 and up) holds for server `i`.
fn extra_satellite_key(i: u32, k: u32) -> SatelliteKey {
	sp_io::crypto::ed25519_generate(KEY_TYPE, seed("satellite-extra", i * 16 + k))
}

/// Adds satellites 1 to `count` to server `i`'s satellites.
fn add_satellites<T: Config>(server_id: ServerId, i: u32, count: u32) {
	for k in 1..=count {
		Pallet::<T>::add_satellite(registrar::<T>(), server_id, k, extra_satellite_key(i, k))
			.expect("the server has room");
	}
}

/// Placeholder attestations of satellites 1 to `count` (not verified by the calls that walk
/// pending batches; only their number and size matter there).
fn placeholder_attestations(count: u32) -> Attestations {
	let list = (1..=count)
		.map(|k| Attestation {
			satellite_id: k,
			satellite_key: SatelliteKey::from_raw([k as u8; 32]),
			signed_at_ms: Some(u64::MAX),
			signature: sp_core::ed25519::Signature::from_raw([0; 64]),
		})
		.collect::<Vec<_>>();
	BoundedVec::truncate_from(list)
}

/// The chain's clock in unix ms: certificates are issued, and satellites sign, at it.
fn now_ms<T: Config>() -> u64 {
	T::UnixTime::now().as_millis() as u64
}

fn registrar<T: Config>() -> T::RuntimeOrigin {
	T::RegistrarOrigin::try_successful_origin().expect("registrar origin is available")
}

/// Operator `i`, funded to cover a server deposit.
fn funded_operator<T: Config>(i: u32) -> T::AccountId {
	let operator: T::AccountId = account("operator", i, 0);
	let funds = T::ServerDeposit::get()
		.saturating_mul(2u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&operator, funds);
	operator
}

/// Registers server `i` (ecdsa key) through the call; returns its id and operator.
fn register<T: Config>(i: u32) -> (ServerId, T::AccountId) {
	let operator = funded_operator::<T>(i);
	Pallet::<T>::register_server(
		registrar::<T>(),
		operator.clone(),
		server_key(i).into(),
		FIRST,
		satellite_key(i),
	)
	.expect("registration succeeds");
	(NextServerId::<T>::get() - 1, operator)
}

/// Puts `count` placeholder pending batches (ids derived from `tag`) on a server's list and in
/// storage, as submissions would have, each with the most attestations a pending batch holds.
fn fill_pending<T: Config>(server_id: ServerId, count: u32, tag: u8) -> Vec<BatchId> {
	let most = placeholder_attestations(MAX_SATELLITES_PER_SERVER - 1);
	let expires_at = frame_system::Pallet::<T>::block_number() + T::BatchTtl::get();
	let mut ids = Vec::new();
	Servers::<T>::mutate(server_id, |server| {
		let server = server.as_mut().expect("server exists");
		for i in 0..count {
			let cert = BatchCertificate {
				server_id,
				sequence: u64::from(i) + 1_000_000,
				prev_batch: H256::repeat_byte(tag),
				..Default::default()
			};
			let id = cert.batch_id();
			Batches::<T>::insert(
				id,
				BatchRecord {
					cert,
					server_signature: ServerSignature::Ecdsa(Default::default()),
					submitted_at: Zero::zero(),
					status: BatchStatus::Pending { expires_at, attestations: most.clone() },
				},
			);
			server.pending.try_push(id).expect("count is within MaxPendingPerServer");
			ids.push(id);
		}
	});
	ids
}

/// Fills a server's pending list up to `count` entries with placeholder ids (no records): the
/// list a call scans and rewrites, at a setup cost that does not grow with the list.
fn pad_pending<T: Config>(server_id: ServerId, count: u32) {
	Servers::<T>::mutate(server_id, |server| {
		let server = server.as_mut().expect("server exists");
		let mut i = 0u32;
		while (server.pending.len() as u32) < count {
			let mut id = [0xAB; 32];
			id[..4].copy_from_slice(&server_id.to_le_bytes());
			id[4..8].copy_from_slice(&i.to_le_bytes());
			server.pending.try_push(H256(id)).expect("count is within MaxPendingPerServer");
			i += 1;
		}
	});
}

/// `n` transactions carrying `b` bytes between them, each filled up to `MaxTxBytes` in turn
/// (the rest empty). `n` must be at least `b / MaxTxBytes`, rounded up.
fn transactions<T: Config>(n: u32, b: u32) -> TxsOf<T> {
	let per_tx = T::MaxTxBytes::get();
	let mut left = b;
	let txs = (0..n)
		.map(|i| {
			let len = left.min(per_tx);
			left -= len;
			BoundedVec::truncate_from(vec![i as u8; len as usize])
		})
		.collect::<Vec<_>>();
	assert_eq!(left, 0, "{n} transactions hold {b} bytes");
	BoundedVec::truncate_from(txs)
}

/// Fewest transactions that hold `MaxBatchBytes`: the lower end of `submit_batch`'s `n`.
fn fewest_txs_for_the_largest_batch<T: Config>() -> u32 {
	T::MaxBatchBytes::get().div_ceil(T::MaxTxBytes::get()).max(1)
}

/// The certificate and ecdsa signature for server `i`'s next batch over `txs`.
fn signed_certificate<T: Config>(
	server_id: ServerId,
	i: u32,
	txs: &TxsOf<T>,
) -> (BatchCertificate, ServerSignature) {
	let server = Servers::<T>::get(server_id).expect("server exists");
	let cert = BatchCertificate::over_transactions(
		Pallet::<T>::genesis_hash(),
		server_id,
		server.last_sequence + 1,
		server.last_batch,
		now_ms::<T>(),
		txs.as_slice(),
	)
	.expect("benchmarks submit at least one transaction");
	let sig = sp_io::crypto::ecdsa_sign(KEY_TYPE, &server_key(i), &cert.server_payload())
		.expect("key is in the keystore");
	(cert, ServerSignature::Ecdsa(sig))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_server() {
		let operator = funded_operator::<T>(0);
		let key: ServerKey = server_key(0).into();
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, operator, key, FIRST, satellite_key(0));

		assert!(Servers::<T>::contains_key(0));
	}

	#[benchmark]
	fn set_server_key() {
		let (id, operator) = register::<T>(0);
		let new_key: ServerKey = server_key(1).into();

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), id, new_key.clone());

		assert_eq!(Servers::<T>::get(id).map(|s| s.server_key), Some(new_key));
	}

	#[benchmark]
	fn set_satellite_key(p: Linear<0, { T::MaxPendingPerServer::get() }>) {
		// p pending batches, each holding satellite 1's countersignature, which the new key
		// drops from every one.
		let (id, _) = register::<T>(0);
		add_satellites::<T>(id, 0, MAX_SATELLITES_PER_SERVER - 1);
		let pending = fill_pending::<T>(id, p, 1);
		let new_key = satellite_key(1);
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, 1, new_key);

		let server = Servers::<T>::get(id).expect("registered");
		assert_eq!(server.satellite(1).map(|s| s.key), Some(new_key));
		for batch_id in pending {
			let batch = Batches::<T>::get(batch_id).expect("kept");
			assert!(!batch.status.attestations().iter().any(|a| a.satellite_id == 1));
		}
	}

	#[benchmark]
	fn add_satellite() {
		// The last room of a server's satellites (the list is scanned for the number).
		let (id, _) = register::<T>(0);
		add_satellites::<T>(id, 0, MAX_SATELLITES_PER_SERVER - 2);
		let last = MAX_SATELLITES_PER_SERVER - 1;
		let key = extra_satellite_key(0, last);
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, last, key);

		assert_eq!(SatelliteKeyOwner::<T>::get(key), Some((id, last)));
	}

	#[benchmark]
	fn remove_satellite(p: Linear<0, { T::MaxPendingPerServer::get() }>) {
		// p pending batches, each holding the removed satellite's countersignature.
		let (id, _) = register::<T>(0);
		add_satellites::<T>(id, 0, MAX_SATELLITES_PER_SERVER - 1);
		fill_pending::<T>(id, p, 1);
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, 1);

		assert!(Servers::<T>::get(id).expect("registered").satellite(1).is_none());
	}

	#[benchmark]
	fn set_quorum(p: Linear<0, { T::MaxPendingPerServer::get() }>) {
		// A quorum lowered from all satellites to one below: p pending batches, each holding
		// all but one countersignature, are certified by the change.
		let (id, _) = register::<T>(0);
		add_satellites::<T>(id, 0, MAX_SATELLITES_PER_SERVER - 1);
		Pallet::<T>::set_quorum(registrar::<T>(), id, MAX_SATELLITES_PER_SERVER)
			.expect("the server has that many");
		let pending = fill_pending::<T>(id, p, 1);
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, MAX_SATELLITES_PER_SERVER - 1);

		for batch_id in pending {
			assert!(matches!(
				Batches::<T>::get(batch_id).map(|b| b.status),
				Some(BatchStatus::Certified { .. })
			));
		}
	}

	#[benchmark]
	fn suspend_server() {
		let (id, _) = register::<T>(0);
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(Servers::<T>::get(id).map(|s| s.status), Some(ServerStatus::Suspended));
	}

	#[benchmark]
	fn resume_server(p: Linear<0, { T::MaxPendingPerServer::get() }>) {
		// The quorum was lowered while the server was suspended: resuming certifies its p
		// pending batches.
		let (id, _) = register::<T>(0);
		add_satellites::<T>(id, 0, MAX_SATELLITES_PER_SERVER - 1);
		Pallet::<T>::set_quorum(registrar::<T>(), id, MAX_SATELLITES_PER_SERVER)
			.expect("the server has that many");
		let pending = fill_pending::<T>(id, p, 1);
		Pallet::<T>::suspend_server(registrar::<T>(), id).expect("suspends");
		Pallet::<T>::set_quorum(registrar::<T>(), id, MAX_SATELLITES_PER_SERVER - 1)
			.expect("lowers");
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(Servers::<T>::get(id).map(|s| s.status), Some(ServerStatus::Active));
		for batch_id in pending {
			assert!(matches!(
				Batches::<T>::get(batch_id).map(|b| b.status),
				Some(BatchStatus::Certified { .. })
			));
		}
	}

	#[benchmark]
	fn deregister_server(p: Linear<0, { T::MaxPendingPerServer::get() }>) {
		let (id, _) = register::<T>(0);
		add_satellites::<T>(id, 0, MAX_SATELLITES_PER_SERVER - 1);
		let pending = fill_pending::<T>(id, p, 1);
		let origin = registrar::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert!(!Servers::<T>::contains_key(id));
		for batch_id in pending {
			assert!(!Batches::<T>::get(batch_id).expect("kept").is_pending());
		}
	}

	#[benchmark]
	fn submit_batch(
		n: Linear<{ fewest_txs_for_the_largest_batch::<T>() }, { T::MaxTxsPerBatch::get() }>,
		b: Linear<0, { T::MaxBatchBytes::get() }>,
	) {
		let (id, operator) = register::<T>(0);
		fill_pending::<T>(id, T::MaxPendingPerServer::get() - 1, 1);
		let txs = transactions::<T>(n, b);
		let (cert, sig) = signed_certificate::<T>(id, 0, &txs);
		let batch_id = cert.batch_id();

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), cert, sig, txs);

		assert!(Batches::<T>::get(batch_id).expect("stored").is_pending());
	}

	#[benchmark]
	fn submit_countersignature() -> Result<(), BenchmarkError> {
		let (id, operator) = register::<T>(0);
		fill_pending::<T>(id, T::MaxPendingPerServer::get() - 1, 1);
		let txs = transactions::<T>(1, 32);
		let (cert, sig) = signed_certificate::<T>(id, 0, &txs);
		let batch_id = cert.batch_id();
		Pallet::<T>::submit_batch(RawOrigin::Signed(operator).into(), cert, sig, txs)
			.expect("submits");
		let payload = Pallet::<T>::satellite_payload(batch_id).expect("stored");
		let countersig = sp_io::crypto::ed25519_sign(KEY_TYPE, &satellite_key(0), &payload)
			.expect("key is in the keystore");

		// The pool's check and the dispatch together: a bare transaction runs both in a block
		// (`pre_dispatch` re-runs `validate_unsigned`), and a signed one runs both too (the
		// `ValidateSpaceNotaryCalls` extension validates before dispatch), so the call's weight
		// carries the check and the extension adds nothing for it.
		#[block]
		{
			Pallet::<T>::validate_countersignature(&batch_id, &countersig)
				.map_err(|_| BenchmarkError::Stop("the countersignature validates"))?;
			Pallet::<T>::submit_countersignature(RawOrigin::None.into(), batch_id, countersig)
				.map_err(|e| BenchmarkError::Stop(e.error.into()))?;
		}

		assert!(matches!(
			Batches::<T>::get(batch_id).map(|b| b.status),
			Some(BatchStatus::Certified { .. })
		));
		Ok(())
	}

	#[benchmark]
	fn submit_countersignatures(
		n: Linear<1, { T::MaxCountersignaturesPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		// n batches of n servers, each server's pending list full (each certification scans
		// and rewrites it); the pool's check and the dispatch together, as for the single call.
		let mut entries = Vec::new();
		for i in 0..n {
			let (id, operator) = register::<T>(i);
			pad_pending::<T>(id, T::MaxPendingPerServer::get() - 1);
			let txs = transactions::<T>(1, 32);
			let (cert, sig) = signed_certificate::<T>(id, i, &txs);
			let batch_id = cert.batch_id();
			Pallet::<T>::submit_batch(RawOrigin::Signed(operator).into(), cert, sig, txs)
				.map_err(|e| BenchmarkError::Stop(e.into()))?;
			let payload = Pallet::<T>::satellite_payload(batch_id).expect("stored");
			let countersig = sp_io::crypto::ed25519_sign(KEY_TYPE, &satellite_key(i), &payload)
				.expect("key is in the keystore");
			entries.push((batch_id, countersig));
		}
		let entries = CountersignaturesOf::<T>::truncate_from(entries);
		let ids = entries.iter().map(|(id, _)| *id).collect::<Vec<_>>();

		#[block]
		{
			Pallet::<T>::validate_countersignatures(&entries)
				.map_err(|_| BenchmarkError::Stop("every entry validates"))?;
			Pallet::<T>::submit_countersignatures(RawOrigin::None.into(), entries)
				.map_err(|e| BenchmarkError::Stop(e.error.into()))?;
		}

		for batch_id in ids {
			assert!(matches!(
				Batches::<T>::get(batch_id).map(|b| b.status),
				Some(BatchStatus::Certified { .. })
			));
		}
		Ok(())
	}

	#[benchmark]
	fn submit_attestation() -> Result<(), BenchmarkError> {
		// The last countersignature of a quorum of every satellite: the batch holds all the
		// others (the largest record), and this one certifies it.
		let (id, operator) = register::<T>(0);
		add_satellites::<T>(id, 0, MAX_SATELLITES_PER_SERVER - 1);
		Pallet::<T>::set_quorum(registrar::<T>(), id, MAX_SATELLITES_PER_SERVER)
			.expect("the server has that many");
		fill_pending::<T>(id, T::MaxPendingPerServer::get() - 1, 1);
		let txs = transactions::<T>(1, 32);
		let (cert, sig) = signed_certificate::<T>(id, 0, &txs);
		let batch_id = cert.batch_id();
		Pallet::<T>::submit_batch(RawOrigin::Signed(operator).into(), cert, sig, txs)
			.expect("submits");
		// The placeholders name satellites 1 and up, under their real keys for this server.
		Batches::<T>::mutate(batch_id, |b| {
			let b = b.as_mut().expect("stored");
			if let BatchStatus::Pending { attestations, .. } = &mut b.status {
				let mut most = placeholder_attestations(MAX_SATELLITES_PER_SERVER - 1);
				for a in most.iter_mut() {
					a.satellite_key = extra_satellite_key(0, a.satellite_id);
				}
				*attestations = most;
			}
		});
		// Satellite FIRST, the one the placeholders leave out, signs last.
		let at = now_ms::<T>();
		let payload = Pallet::<T>::satellite_payload_v2(batch_id, FIRST, at).expect("stored");
		let signature = sp_io::crypto::ed25519_sign(KEY_TYPE, &satellite_key(0), &payload)
			.expect("key is in the keystore");
		let countersignature =
			Countersignature { satellite_id: FIRST, signed_at_ms: at, signature };

		// The pool's check and the dispatch together, as for `submit_countersignature`.
		#[block]
		{
			Pallet::<T>::validate_attestation(&batch_id, &countersignature)
				.map_err(|_| BenchmarkError::Stop("the countersignature validates"))?;
			Pallet::<T>::submit_attestation(RawOrigin::None.into(), batch_id, countersignature)
				.map_err(|e| BenchmarkError::Stop(e.error.into()))?;
		}

		assert!(matches!(
			Batches::<T>::get(batch_id).map(|b| b.status),
			Some(BatchStatus::Certified { .. })
		));
		Ok(())
	}

	#[benchmark]
	fn submit_attestations(
		n: Linear<1, { T::MaxCountersignaturesPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		// As `submit_countersignatures`, in v2: n batches of n one-satellite servers, each
		// server's pending list full.
		let at = now_ms::<T>();
		let mut entries = Vec::new();
		for i in 0..n {
			let (id, operator) = register::<T>(i);
			pad_pending::<T>(id, T::MaxPendingPerServer::get() - 1);
			let txs = transactions::<T>(1, 32);
			let (cert, sig) = signed_certificate::<T>(id, i, &txs);
			let batch_id = cert.batch_id();
			Pallet::<T>::submit_batch(RawOrigin::Signed(operator).into(), cert, sig, txs)
				.map_err(|e| BenchmarkError::Stop(e.into()))?;
			let payload = Pallet::<T>::satellite_payload_v2(batch_id, FIRST, at).expect("stored");
			let signature = sp_io::crypto::ed25519_sign(KEY_TYPE, &satellite_key(i), &payload)
				.expect("key is in the keystore");
			let countersignature =
				Countersignature { satellite_id: FIRST, signed_at_ms: at, signature };
			entries.push((batch_id, countersignature));
		}
		let entries = AttestationsOf::<T>::truncate_from(entries);
		let ids = entries.iter().map(|(id, _)| *id).collect::<Vec<_>>();

		#[block]
		{
			Pallet::<T>::validate_attestations(&entries)
				.map_err(|_| BenchmarkError::Stop("every entry validates"))?;
			Pallet::<T>::submit_attestations(RawOrigin::None.into(), entries)
				.map_err(|e| BenchmarkError::Stop(e.error.into()))?;
		}

		for batch_id in ids {
			assert!(matches!(
				Batches::<T>::get(batch_id).map(|b| b.status),
				Some(BatchStatus::Certified { .. })
			));
		}
		Ok(())
	}

	#[benchmark]
	fn run_schedule(n: Linear<0, { T::MaxScheduledPerBlock::get() - 1 }>) {
		// n batches due to expire in this block, each of its own server whose pending list is
		// full (removal scans the whole list), each with a prune to schedule: the dearest step there is (a prune only removes a record).
		let now = frame_system::Pallet::<T>::block_number();
		let mut ids = Vec::new();
		for i in 0..n {
			let (id, _) = register::<T>(i);
			pad_pending::<T>(id, T::MaxPendingPerServer::get() - 1);
			let due = fill_pending::<T>(id, 1, i as u8).pop().expect("one pending");
			Batches::<T>::mutate(due, |b| {
				let b = b.as_mut().expect("stored");
				let attestations = b.status.attestations().to_vec();
				b.status = BatchStatus::Pending {
					expires_at: now,
					attestations: BoundedVec::truncate_from(attestations),
				}
			});
			Schedule::<T>::insert(now, due, Scheduled::Expire);
			ids.push(due);
		}
		ScheduleCursor::<T>::put(now);

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		for batch_id in ids {
			assert!(!Batches::<T>::get(batch_id).expect("kept").is_pending());
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
