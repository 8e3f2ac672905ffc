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

use sp_core::{ed25519, Pair};
use space_notary_primitives::{
	link::{Downlink, RequestId},
	BatchCertificate, ServerSignature,
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
	keyring: Keyring,
	store: SigningStore,
	limits: PolicyLimits,
	metrics: Arc<Metrics>,
	busy_retry_ms: u32,
}

impl Signer {
	/// A signer over these keys and this record.
	pub fn new(
		keyring: Keyring,
		store: SigningStore,
		limits: PolicyLimits,
		metrics: Arc<Metrics>,
		busy_retry_ms: u32,
	) -> Self {
		Self { keyring, store, limits, metrics, busy_retry_ms }
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
			(Ok(Verdict::Repeat(signature)), Some(server)) => {
				let payload = cert.satellite_payload(&job.server_signature);
				if ed25519::Pair::verify(&signature, &payload, &server.satellite_key()) {
					tracing::debug!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, "repeat");
					return Ok(Downlink::Countersignature {
						request_id: job.request_id,
						batch_id,
						signature,
					});
				}
				// Recorded under a key retired by `rotate-key`. The chain checks countersignatures
				// against the server's current satellite key only, so the old signature would
				// strand the pending batch: sign the same batch again with the current key.
				tracing::info!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, "re-signing with the rotated key");
				server
			},
			(Ok(Verdict::Sign), Some(server)) => server,
		};
		let signature = server.sign(&cert.satellite_payload(&job.server_signature));
		let record =
			SignedRecord { batch_id, server_signature: job.server_signature.clone(), signature };
		txn.record(cert.server_id, cert.sequence, &record)?;
		tracing::info!(target: "satellite::signer", server = cert.server_id, sequence = cert.sequence, %batch_id, "signed");
		Ok(Downlink::Countersignature { request_id: job.request_id, batch_id, signature })
	}
}

fn rejected(job: &SignJob, batch_id: sp_core::H256, reason: RejectReason) -> Downlink {
	Downlink::Rejected { request_id: job.request_id, batch_id, reason }
}
