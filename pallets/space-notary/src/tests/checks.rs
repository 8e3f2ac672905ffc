//! The batch rules in their one order: the pool and dispatch give the same first refusal.

use super::*;
use crate::checks::SequenceRule;

/// A `submit_batch` as its sender would send it.
struct Attempt {
	who: AccountId,
	cert: BatchCertificate,
	server_signature: sp_runtime::MultiSignature,
	txs: TxsOf<Test>,
}

impl Attempt {
	/// The first refusal of the precheck under `rule`, as a dispatch error.
	fn precheck(&self, rule: SequenceRule) -> Option<DispatchError> {
		Notary::precheck_batch(&self.who, &self.cert, &self.txs, rule).err().map(Into::into)
	}

	fn call(&self) -> RuntimeCall {
		RuntimeCall::SpaceNotary(crate::Call::submit_batch {
			cert: self.cert.clone(),
			server_signature: self.server_signature.clone(),
			txs: self.txs.clone(),
		})
	}

	fn dispatch(&self) -> sp_runtime::DispatchResult {
		Notary::submit_batch(
			RuntimeOrigin::signed(self.who.clone()),
			self.cert.clone(),
			self.server_signature.clone(),
			self.txs.clone(),
		)
	}
}

/// What a row of the table changes to get past its rule.
type Fix = Box<dyn Fn(&mut Attempt, &Server)>;

fn fix(f: impl Fn(&mut Attempt, &Server) + 'static) -> Fix {
	Box::new(f)
}

#[test]
fn one_batch_meets_every_refusal_in_order_in_the_pool_and_in_dispatch() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		for tx in [b"1", b"2", b"3"] {
			submit(&mut a, &[tx]); // MaxPendingPerServer is 3: the pending list is full
		}
		assert_ok!(Notary::suspend_server(RuntimeOrigin::root(), a.id));
		let good_txs = txs(&[b"one", b"two", b"three", b"four", b"five"]);
		let good = cert_for(&a, a.sequence + 1, a.last, &good_txs);
		let big: Vec<&[u8]> = vec![&[7u8; 64]; 5]; // 320 bytes > MaxBatchBytes (256)

		// Every rule broken at once; each row names the refusal it expects, then fixes that
		// one rule. Rows with no pool refusal are the checks the pool leaves to dispatch.
		let mut attempt = Attempt {
			who: bob(),
			cert: BatchCertificate {
				version: 2,
				genesis_hash: H256::repeat_byte(1),
				server_id: 99,
				sequence: 2,
				prev_batch: H256::repeat_byte(2),
				batch_root: H256::repeat_byte(3),
				tx_count: 4,
				total_bytes: good.total_bytes + 1,
				..good.clone()
			},
			server_signature: a.key.sign(b"not this certificate"),
			txs: txs(&[]),
		};
		let stale: TransactionValidityError = InvalidTransaction::Stale.into();
		let banned =
			|e: Error<Test>| TransactionValidityError::from(InvalidTransaction::Custom(code(e)));
		let unbanned =
			|e: Error<Test>| TransactionValidityError::from(UnknownTransaction::Custom(code(e)));
		let good_for_fix = good.clone();
		let table: Vec<(Error<Test>, Option<TransactionValidityError>, Fix)> = vec![
			(
				Error::UnknownServer,
				Some(banned(Error::UnknownServer)),
				fix(|t, a| t.cert.server_id = a.id),
			),
			// Before the status: a stranger's batch for a suspended server is banned for good.
			(Error::NotOperator, Some(banned(Error::NotOperator)), fix(|t, _| t.who = alice())),
			(
				Error::ServerSuspended,
				Some(unbanned(Error::ServerSuspended)),
				fix(|_, a| {
					assert_ok!(Notary::resume_server(RuntimeOrigin::root(), a.id));
				}),
			),
			(
				Error::UnsupportedVersion,
				Some(banned(Error::UnsupportedVersion)),
				fix(|t, _| t.cert.version = space_notary_primitives::CERTIFICATE_VERSION),
			),
			(
				Error::WrongGenesis,
				Some(banned(Error::WrongGenesis)),
				fix(|t, _| t.cert.genesis_hash = Notary::genesis_hash()),
			),
			// A used sequence: the pool takes one ahead, so it is stale there.
			(Error::BadSequence, Some(stale), fix(|t, a| t.cert.sequence = a.sequence + 1)),
			(
				Error::BadPrevBatch,
				Some(banned(Error::BadPrevBatch)),
				fix(|t, a| t.cert.prev_batch = a.last),
			),
			(
				Error::EmptyBatch,
				Some(banned(Error::EmptyBatch)),
				fix(move |t, _| t.txs = txs(&big)),
			),
			(
				Error::TxCountMismatch,
				Some(banned(Error::TxCountMismatch)),
				fix(|t, _| t.cert.tx_count = 5),
			),
			(Error::BatchTooLarge, Some(banned(Error::BatchTooLarge)), {
				let good_txs = good_txs.clone();
				fix(move |t, _| t.txs = good_txs.clone())
			}),
			(
				Error::TotalBytesMismatch,
				Some(banned(Error::TotalBytesMismatch)),
				fix(|t, _| t.cert.total_bytes = total_bytes_of(&t.txs)),
			),
			// Before the root: a batch that cannot be stored now costs no hashing.
			(
				Error::TooManyPending,
				Some(unbanned(Error::TooManyPending)),
				fix(|_, a| {
					let oldest = Servers::<Test>::get(a.id).unwrap().pending[0];
					let sig = countersign(&a.satellite, oldest);
					assert_ok!(Notary::submit_countersignature(RuntimeOrigin::none(), oldest, sig));
				}),
			),
			(
				Error::RootMismatch,
				None,
				fix(move |t, _| t.cert.batch_root = good_for_fix.batch_root),
			),
			(
				Error::BadServerSignature,
				None,
				fix(|t, a| t.server_signature = a.key.sign(&t.cert.server_payload())),
			),
		];

		for (error, pool, repair) in table {
			let expected = DispatchError::from(error);
			let (next, ahead) =
				(attempt.precheck(SequenceRule::Next), attempt.precheck(SequenceRule::NextOrAhead));
			assert_eq!(next, ahead, "{expected:?}: one precheck for either rule");
			let verdict = pool_verdict(&attempt.who, &attempt.call());
			match pool {
				Some(refusal) => {
					assert_eq!(next, Some(expected), "precheck");
					assert_eq!(verdict, Err(refusal), "pool: {expected:?}");
				},
				None => {
					assert_eq!(next, None, "{expected:?} is left to dispatch");
					assert!(verdict.is_ok(), "pool: {expected:?} is left to dispatch");
				},
			}
			assert_noop!(attempt.dispatch(), expected);
			repair(&mut attempt, &a);
		}
		assert_eq!(attempt.cert, good, "every rule fixed: the good certificate");
		assert!(pool_verdict(&attempt.who, &attempt.call()).is_ok());
		assert_ok!(attempt.dispatch());
	});
}

#[test]
fn a_batch_ahead_passes_the_pools_precheck_and_not_dispatchs() {
	new_test_ext().execute_with(|| {
		let mut a = register(1);
		for tx in [b"1", b"2", b"3"] {
			submit(&mut a, &[tx]);
		}
		// Two ahead, naming a batch the chain does not have, with the pending list full: none
		// of the rules of a next batch apply to it in the pool yet.
		let batch = txs(&[b"later"]);
		let cert = cert_for(&a, a.sequence + 2, H256::repeat_byte(5), &batch);
		let ahead = Notary::precheck_batch(&alice(), &cert, &batch, SequenceRule::NextOrAhead)
			.expect("waits in the pool");
		assert!(!ahead.is_next);
		assert_eq!(
			Notary::precheck_batch(&alice(), &cert, &batch, SequenceRule::Next)
				.err()
				.map(DispatchError::from),
			Some(Error::<Test>::BadSequence.into())
		);
	});
}

fn total_bytes_of(txs: &TxsOf<Test>) -> u64 {
	space_notary_primitives::total_bytes(txs.as_slice())
}
