//! Submitting countersignatures: bundles where several are ready, one by one where the pool
//! refuses a bundle; a lost race counted, not an error (the module docs of `relay`, "Countersignatures").

use super::{crash_point, Relay, BUNDLE_MAX, LOG};
use crate::{
	chain::{Call, ChainError, PoolRefusal},
	store::Stage,
};
use sp_core::H256;
use space_notary_primitives::records::ServerStatus;
use space_notary_primitives::{BatchId, Countersignature};

impl Relay {
	/// Submits the countersignatures of `batch_ids` that are ready: several at once as bundles
	/// (`submit_attestations`, at most [`BUNDLE_MAX`] each), one alone as `submit_attestation`.
	/// The pool refuses a bundle
	/// with any entry that fails (another relay certified one of its batches first, say); then
	/// its entries go one by one, so one lost race never holds up the others.
	pub(super) async fn submit(&mut self, batch_ids: Vec<BatchId>) {
		let ready: Vec<_> =
			batch_ids.into_iter().filter_map(|id| self.ready(id).map(|sig| (id, sig))).collect();
		for chunk in ready.chunks(BUNDLE_MAX) {
			if chunk.len() > 1 {
				match self.send(&Call::attestations(chunk)).await {
					Ok(Ok(hash)) => {
						crash_point("submitted");
						tracing::info!(target: LOG, tx = %hash, count = chunk.len(), "bundle submitted");
						self.metrics.bundles.inc();
						for &(batch_id, countersignature) in chunk {
							self.metrics.submissions.inc();
							self.record_submission(batch_id, countersignature);
						}
						continue;
					},
					Ok(Err(error)) => {
						tracing::info!(target: LOG, %error, count = chunk.len(), "bundle refused; sending its entries one by one");
					},
					Err(()) => return,
				}
			}
			for &(batch_id, countersignature) in chunk {
				self.submit_one(batch_id, countersignature).await;
			}
		}
	}

	/// `batch_id`'s countersignature if it should be submitted now: held while its server is
	/// suspended (the pool would refuse it). It was verified when it came down, and again when
	/// its server's satellites changed on chain (`Relay::recheck`).
	fn ready(&mut self, batch_id: BatchId) -> Option<Countersignature> {
		let view = self.view.as_ref()?;
		let entry = self.entries.get(&batch_id)?;
		let countersignature = entry.stage.countersignature()?;
		if !matches!(entry.stage, Stage::Countersigned { .. } | Stage::Submitted { .. }) {
			return None;
		}
		let server = view.servers.get(&entry.cert.server_id);
		if server.is_some_and(|s| s.status == ServerStatus::Suspended) {
			tracing::info!(target: LOG, %batch_id, "server suspended; holding the countersignature");
			let at_block = view.finalized;
			self.update(batch_id, |e| e.stage = Stage::Submitted { countersignature, at_block });
			return None;
		}
		Some(countersignature)
	}

	/// Submits countersignatures of other satellites than the held one (under a quorum above
	/// one), one by one. Nothing is recorded: the entry keeps its own, and if one of these is lost
	/// the links are asked again after `--resubmit-after` blocks (`Plan::quorum_wait`).
	pub(super) async fn submit_others(&mut self, attestations: Vec<(BatchId, Countersignature)>) {
		for (batch_id, countersignature) in attestations {
			let Ok(result) = self.send(&Call::attestation(batch_id, countersignature)).await else {
				return;
			};
			match result {
				Ok(hash) => {
					tracing::info!(target: LOG, %batch_id, satellite = countersignature.satellite_id, tx = %hash, "another satellite's countersignature submitted");
					self.metrics.submissions.inc();
				},
				Err(error) if is_lost_race(&error) => {
					tracing::info!(target: LOG, %batch_id, %error, "another relay got there first");
					self.metrics.lost_races.inc();
				},
				Err(error) => {
					tracing::warn!(target: LOG, %batch_id, %error, "submission of another satellite's countersignature failed; the links will be asked again");
				},
			}
		}
	}

	/// Sends `call` bare, or signed with `--signer`; `Err(())` without a chain.
	async fn send(&self, call: &Call) -> Result<Result<H256, ChainError>, ()> {
		let view = self.view.as_ref().ok_or(())?;
		Ok(match &self.config.signer {
			None => view.chain.submit(&view.at, call).await,
			Some(signer) => match view.chain.next_nonce(&signer.account()).await {
				Ok(nonce) => view.chain.submit_signed(&view.at, call, signer, nonce).await,
				Err(error) => Err(error),
			},
		})
	}

	/// Submits one countersignature alone.
	async fn submit_one(&mut self, batch_id: BatchId, countersignature: Countersignature) {
		let Ok(result) = self.send(&Call::attestation(batch_id, countersignature)).await else {
			return;
		};
		match result {
			Ok(hash) => {
				crash_point("submitted");
				tracing::info!(target: LOG, %batch_id, tx = %hash, "countersignature submitted");
				self.metrics.submissions.inc();
			},
			Err(error) if is_lost_race(&error) => {
				tracing::info!(target: LOG, %batch_id, %error, "another relay got there first");
				self.metrics.lost_races.inc();
			},
			Err(error) => {
				// Decided from chain state at the next finalized blocks, like a drop.
				tracing::warn!(target: LOG, %batch_id, %error, "submission failed; will check and retry");
			},
		}
		self.record_submission(batch_id, countersignature);
	}

	/// Records that `batch_id`'s countersignature went out at the latest finalized block: it is
	/// checked again from chain state after `--resubmit-after` blocks.
	fn record_submission(&mut self, batch_id: BatchId, countersignature: Countersignature) {
		let Some(finalized) = self.view.as_ref().map(|v| v.finalized) else { return };
		self.update(batch_id, |e| {
			e.stage = Stage::Submitted { countersignature, at_block: finalized };
			e.submissions = e.submissions.saturating_add(1);
		});
	}
}

/// Whether a pool refusal means another copy of this countersignature got there first: the
/// pool holds one already (already imported, or the same tag at a higher priority), the batch
/// is already certified (`Stale`, or the pallet's `AlreadyCertified`), or this satellite's
/// countersignature of it is already recorded (`AlreadyAttested`, under a quorum above one).
fn is_lost_race(error: &ChainError) -> bool {
	match error {
		ChainError::Rejected { error, .. } => {
			error == "AlreadyCertified" || error == "AlreadyAttested"
		},
		ChainError::Refused { kind, .. } => matches!(
			kind,
			PoolRefusal::AlreadyImported | PoolRefusal::PriorityTooLow | PoolRefusal::Stale
		),
		_ => false,
	}
}
