//! The signing engine: one thread, one queue, for the whole satellite.
//!
//! Connections hand sign requests to a bounded queue ([`SignerHandle::try_submit`]); when it
//! is full they answer `Busy`. The signer takes whatever is queued (up to [`MAX_GROUP`]), runs
//! the step-4 checks of each against the signing record *as updated by the requests before
//! it*, records every new signature in one transaction, commits it (fsync), and only then
//! lets the answers go. One thread keeps the sequence checks free of races between
//! connections; one commit for a group keeps the fsync cost per signature low under load.
//! A group that records nothing (refusals, repeats of what is already on disk) is not
//! committed: there is nothing to make durable, and a flood of refused requests must not
//! cost an fsync per group.
//!
//! The signer never waits for a connection: answers go into each connection's answer queue
//! with `try_send` (the queue has room for every request a connection can have here).

use space_notary_primitives::{
	link::{Downlink, RequestId},
	satellite_payload_v2, BatchCertificate, BatchId, Countersignature, SatelliteId,
	ServerSignature,
};
use std::{
	sync::Arc,
	time::{SystemTime, UNIX_EPOCH},
};
use tokio::sync::mpsc;

use crate::{
	policy::{self, PolicyLimits, RejectReason, ServerView, SignRequest, Verdict},
	provisioning::Keyring,
	signing_store::{SignedRecord, SigningStore, SigningTxn, StoreError},
	telemetry::Metrics,
};

/// Most requests decided in one transaction.
pub const MAX_GROUP: usize = 256;

/// A sign request waiting for the signer, with where its answer goes.
pub struct SignJob {
	/// From the request.
	pub request_id: RequestId,
	/// The certificate.
	pub cert: BatchCertificate,
	/// The server signature.
	pub server_signature: ServerSignature,
	/// Full mode: the transactions.
	pub txs: Option<Vec<Vec<u8>>>,
	/// The connection's answer queue.
	pub reply: mpsc::Sender<Downlink>,
}

/// A sign request that found the signer queue full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull {
	/// The request turned away.
	pub request_id: RequestId,
}

/// The connections' side of the signer queue.
#[derive(Clone)]
pub struct SignerHandle {
	queue: mpsc::Sender<SignJob>,
}

impl SignerHandle {
	/// Queues a job, unless the queue is full (or the signer has stopped).
	pub fn try_submit(&self, job: SignJob) -> Result<(), QueueFull> {
		self.queue.try_send(job).map_err(|e| match e {
			mpsc::error::TrySendError::Full(job) | mpsc::error::TrySendError::Closed(job) => {
				QueueFull { request_id: job.request_id }
			},
		})
	}
}

/// The signer's state: keys, record, limits.
pub struct Signer {
	satellite_id: SatelliteId,
	keyring: Keyring,
	store: SigningStore,
	limits: PolicyLimits,
	metrics: Arc<Metrics>,
	busy_retry_ms: u32,
}

impl Signer {
	/// A signer over these keys and this record, countersigning as satellite `satellite_id`.
	pub fn new(
		satellite_id: SatelliteId,
		keyring: Keyring,
		store: SigningStore,
		limits: PolicyLimits,
		metrics: Arc<Metrics>,
		busy_retry_ms: u32,
	) -> Self {
		Self { satellite_id, keyring, store, limits, metrics, busy_retry_ms }
	}

	/// A queue of `depth` jobs feeding a signer.
	pub fn channel(depth: usize) -> (SignerHandle, mpsc::Receiver<SignJob>) {
		let (queue, jobs) = mpsc::channel(depth.max(1));
		(SignerHandle { queue }, jobs)
	}

	/// Serves `jobs` until every [`SignerHandle`] is dropped. Blocking: run it on a thread of
	/// its own (`spawn_blocking`), since it waits for the disk.
	pub fn run(self, mut jobs: mpsc::Receiver<SignJob>) {
		while let Some(first) = jobs.blocking_recv() {
			let mut group = vec![first];
			while group.len() < MAX_GROUP {
				match jobs.try_recv() {
					Ok(job) => group.push(job),
					Err(_) => break,
				}
			}
			self.sign_group(group);
		}
	}

	fn sign_group(&self, group: Vec<SignJob>) {
		let now_ms = SystemTime::now()
			.duration_since(UNIX_EPOCH)
			.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
		let decided = self.store.begin().and_then(|mut txn| {
			let answers = group
				.iter()
				.map(|job| self.decide(&mut txn, job, now_ms))
				.collect::<Result<Vec<_>, _>>()?;
			if txn.recorded() == 0 {
				// Every answer is a refusal or a signature already on disk.
				txn.abort()?;
			} else {
				// Durable before any signature leaves.
				txn.commit()?;
				self.metrics.store_commit();
			}
			Ok(answers)
		});
		match decided {
			Ok(answers) => {
				for (job, answer) in group.iter().zip(answers) {
					match &answer {
						Downlink::Countersignature { .. } => self.metrics.signed(),
						Downlink::Rejected { reason, .. } => self.metrics.refused(*reason),
						_ => {},
					}
					// The connection may be gone; the record stands either way.
					let _ = job.reply.try_send(answer);
				}
			},
			Err(error) => {
				// Nothing was recorded, so nothing may be signed: the ground retries later.
				tracing::error!(target: "satellite::signer", %error, requests = group.len(), "signing record failed");
				for job in &group {
					self.metrics.busy();
					let _ =
						job.reply.try_send(Downlink::Busy { retry_after_ms: self.busy_retry_ms });
				}
			},
		}
	}

	fn decide(
		&self,
		txn: &mut SigningTxn,
		job: &SignJob,
		now_ms: u64,
	) -> Result<Downlink, StoreError> {
		let cert = &job.cert;
		let batch_id = cert.batch_id();
		let server = self.keyring.get(cert.server_id);
		let (last_signed, at_sequence) = match server {
			Some(_) => {
				(txn.last_sequence(cert.server_id)?, txn.record_at(cert.server_id, cert.sequence)?)
			},
			None => (None, None),
		};
		let view = server.map(|s| ServerView {
			server_key: &s.server_key,
			previous_key: s.previous_key.as_ref(),
			last_signed,
			at_sequence: at_sequence.as_ref(),
		});
		let request =
			SignRequest { cert, server_signature: &job.server_signature, txs: job.txs.as_deref() };
		let verdict = policy::check(request, view, &self.limits, now_ms);
		let server = match (verdict, server) {
			(Err(reason), _) => {
				tracing::info!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, ?reason, "refused");
				return Ok(rejected(job, batch_id, reason));
			},
			// `check` never approves an unknown server; refuse rather than panic.
			(Ok(_), None) => return Ok(rejected(job, batch_id, RejectReason::UnknownServer)),
			(Ok(Verdict::Repeat { signature, signed_at_ms: Some(at) }), Some(server)) => {
				let recorded = Countersignature {
					satellite_id: self.satellite_id,
					signed_at_ms: at,
					signature,
				};
				if recorded
					.verify(&batch_id, &job.server_signature, &server.satellite_key())
					.is_ok()
				{
					tracing::debug!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, "repeat");
					return Ok(answer(job, batch_id, recorded));
				}
				// Recorded under a key retired by `rotate-key` (or under another satellite
				// number). The chain checks countersignatures against the named satellite's
				// current key only, so the old signature would strand the pending batch: sign the
				// same batch again.
				tracing::info!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, "re-signing with the current key");
				server
			},
			// Recorded by link protocol 1, without a time: the same batch, signed again in v2
			// (not an equivocation: the certificate is the one recorded).
			(Ok(Verdict::Repeat { signed_at_ms: None, .. }), Some(server)) => {
				tracing::info!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, "re-signing a v1 record in v2");
				server
			},
			(Ok(Verdict::Sign), Some(server)) => server,
		};
		// The satellite's own clock: what the chain bounds by the certificate's `issued_at_ms`
		// and by its block time.
		let signed_at_ms = now_ms;
		let signature = server.sign(&satellite_payload_v2(
			&batch_id,
			&job.server_signature,
			self.satellite_id,
			signed_at_ms,
		));
		let record = SignedRecord {
			batch_id,
			server_signature: job.server_signature.clone(),
			signature,
			signed_at_ms: Some(signed_at_ms),
		};
		txn.record(cert.server_id, cert.sequence, &record)?;
		tracing::info!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, %batch_id, "signed");
		let countersignature =
			Countersignature { satellite_id: self.satellite_id, signed_at_ms, signature };
		Ok(answer(job, batch_id, countersignature))
	}
}

fn answer(job: &SignJob, batch_id: BatchId, countersignature: Countersignature) -> Downlink {
	Downlink::Countersignature {
		request_id: job.request_id,
		batch_id,
		satellite_id: countersignature.satellite_id,
		signed_at_ms: countersignature.signed_at_ms,
		signature: countersignature.signature,
	}
}

fn rejected(job: &SignJob, batch_id: BatchId, reason: RejectReason) -> Downlink {
	Downlink::Rejected { request_id: job.request_id, batch_id, reason }
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::provisioning::StateDir;
	use sp_core::{sr25519, Pair, H256};
	use space_notary_primitives::{SatelliteKey, ServerKey};

	const GENESIS: H256 = H256::repeat_byte(0x0e);
	const SATELLITE: SatelliteId = 41_789;

	struct Bench {
		_dir: tempfile::TempDir,
		signer: Signer,
		satellite_key: SatelliteKey,
		server: sr25519::Pair,
	}

	fn bench() -> Bench {
		let dir = tempfile::tempdir().unwrap();
		let state = StateDir::new(dir.path());
		let server = sr25519::Pair::from_seed(&[5; 32]);
		let satellite_key = state.provision(1, &ServerKey::from(server.public())).unwrap();
		let limits = PolicyLimits {
			genesis_hash: GENESIS,
			freshness_ms: 3_600_000,
			max_skew_ms: 30_000,
			max_txs: 10,
			max_bytes: 1 << 10,
		};
		let signer = Signer::new(
			SATELLITE,
			state.load_keyring().unwrap(),
			SigningStore::open(&state.signing_db_path()).unwrap(),
			limits,
			Arc::new(Metrics::new()),
			500,
		);
		Bench { _dir: dir, signer, satellite_key, server }
	}

	fn now_ms() -> u64 {
		SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
	}

	/// Signs a request through the signer's group path and returns the answer.
	fn ask(
		signer: &Signer,
		cert: &BatchCertificate,
		server_signature: &ServerSignature,
	) -> Downlink {
		let (reply, mut answers) = mpsc::channel(1);
		signer.sign_group(vec![SignJob {
			request_id: 7,
			cert: cert.clone(),
			server_signature: server_signature.clone(),
			txs: None,
			reply,
		}]);
		answers.try_recv().expect("an answer")
	}

	fn signed_cert(bench: &Bench) -> (BatchCertificate, ServerSignature) {
		let cert =
			BatchCertificate::over_transactions(GENESIS, 1, 1, H256::zero(), now_ms(), &[b"tx"])
				.unwrap();
		let signature = bench.server.sign(&cert.server_payload()).into();
		(cert, signature)
	}

	#[test]
	fn answers_v2_with_its_number_and_clock_and_repeats_the_recorded_answer() {
		let bench = bench();
		let (cert, server_signature) = signed_cert(&bench);
		let before = now_ms();
		let first = ask(&bench.signer, &cert, &server_signature);
		let after = now_ms();
		let (batch_id, cs) = first.countersignature().expect("signed");
		assert_eq!(batch_id, cert.batch_id());
		assert_eq!(cs.satellite_id, SATELLITE);
		assert!((before..=after).contains(&cs.signed_at_ms));
		assert_eq!(cs.verify(&batch_id, &server_signature, &bench.satellite_key), Ok(()));
		let recorded = bench.signer.store.last_signed(1).unwrap().unwrap().1;
		assert_eq!(recorded.signed_at_ms, Some(cs.signed_at_ms), "the time is recorded");

		std::thread::sleep(std::time::Duration::from_millis(2));
		assert_eq!(ask(&bench.signer, &cert, &server_signature), first, "same signature and time");
	}

	/// Regression guard for the upgrade to link protocol 2: a sequence signed in v1 by the
	/// previous version is asked again (its countersignature never reached the chain). The
	/// certificate is the recorded one, so it is signed again in v2, not refused.
	#[test]
	fn a_repeat_of_a_v1_record_is_signed_again_in_v2() {
		let bench = bench();
		let (cert, server_signature) = signed_cert(&bench);
		let mut txn = bench.signer.store.begin().unwrap();
		let v1 = SignedRecord {
			batch_id: cert.batch_id(),
			server_signature: server_signature.clone(),
			signature: bench
				.signer
				.keyring
				.get(1)
				.unwrap()
				.sign(&cert.satellite_payload(&server_signature)),
			signed_at_ms: None,
		};
		txn.record(1, 1, &v1).unwrap();
		txn.commit().unwrap();

		let before = now_ms();
		let answer = ask(&bench.signer, &cert, &server_signature);
		let (batch_id, cs) = answer.countersignature().expect("signed again, not refused");
		assert_ne!(cs.signature, v1.signature);
		assert!(cs.signed_at_ms >= before);
		assert_eq!(cs.verify(&batch_id, &server_signature, &bench.satellite_key), Ok(()));
		let recorded = bench.signer.store.last_signed(1).unwrap().unwrap().1;
		assert_eq!(recorded.signed_at_ms, Some(cs.signed_at_ms));
		assert_eq!(recorded.signature, cs.signature);
		// A different batch at that sequence is still an equivocation.
		let mut other = cert.clone();
		other.issued_at_ms += 1;
		let other_signature = bench.server.sign(&other.server_payload()).into();
		assert!(matches!(
			ask(&bench.signer, &other, &other_signature),
			Downlink::Rejected { reason: RejectReason::Equivocation, .. }
		));
	}

	/// A satellite started under another number signs again rather than answer with a
	/// countersignature that names a number it no longer has.
	#[test]
	fn a_repeat_under_another_satellite_number_is_signed_again() {
		let mut bench = bench();
		let (cert, server_signature) = signed_cert(&bench);
		let first = ask(&bench.signer, &cert, &server_signature).countersignature().unwrap().1;
		bench.signer.satellite_id = SATELLITE + 1;
		let (batch_id, again) =
			ask(&bench.signer, &cert, &server_signature).countersignature().unwrap();
		assert_eq!(again.satellite_id, SATELLITE + 1);
		assert_ne!(again.signature, first.signature);
		assert_eq!(again.verify(&batch_id, &server_signature, &bench.satellite_key), Ok(()));
	}
}
