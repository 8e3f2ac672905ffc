//! What the relay shows: the ground-station API's answers, the status, and the console's
//! history and state.

use super::{Relay, LOG};
use crate::{
	activity::{now_ms, EventKind},
	console::ConsoleState,
	http::{self, ApiRequest, BatchView, StatusView},
	store::{Entry, Source, Stage},
};
use pallet_space_notary::types::ServerStatus;
use space_notary_primitives::{ground_station::to_hex, BatchId, ServerId};
use std::collections::BTreeMap;

impl Relay {
	pub(super) async fn on_api(&mut self, request: ApiRequest) {
		match request {
			ApiRequest::Post { cert, server_signature, txs, reply } => {
				let batch_id = cert.batch_id();
				let new = !self.entries.contains_key(&batch_id);
				if new {
					let entry = Entry::queued(cert, server_signature, txs, Source::Http, None);
					self.entries.insert(batch_id, entry);
					self.dirty.insert(batch_id);
					self.to_send.push(batch_id);
					tracing::info!(target: LOG, %batch_id, "batch posted to the API");
				} else if let Some(entry) = self.entries.get_mut(&batch_id) {
					// A batch held for its transactions, posted again with them (checked
					// against the certificate by the HTTP layer).
					if entry.txs.is_none() && txs.is_some() && matches!(entry.stage, Stage::Queued)
					{
						entry.txs = txs;
						self.dirty.insert(batch_id);
						self.to_send.push(batch_id);
						tracing::info!(target: LOG, %batch_id, "transactions posted for the batch");
					}
				}
				let view = self.batch_view(&batch_id);
				// Answered after the commit, in `flush`.
				self.replies.push((reply, http::PostReply { view, new }));
			},
			ApiRequest::Get { batch_id, reply } => {
				let _ = reply
					.send(self.entries.contains_key(&batch_id).then(|| self.batch_view(&batch_id)));
			},
			ApiRequest::Status { reply } => {
				let _ = reply.send(self.status_view().await);
			},
		}
	}

	/// Whether a batch is held until it is posted with its transactions: in HTTP-only mode with
	/// `--uplink-txs` the posts are their only source, and the satellite is to check the root.
	pub(super) fn waits_for_transactions(&self, batch_id: &BatchId) -> bool {
		let Some(entry) = self.entries.get(batch_id) else { return false };
		self.config.uplink_txs
			&& self.config.chain.is_none()
			&& entry.txs.is_none()
			&& matches!(entry.stage, Stage::Queued)
	}

	fn batch_view(&self, batch_id: &BatchId) -> BatchView {
		let entry = self.entries.get(batch_id);
		BatchView {
			needs_transactions: self.waits_for_transactions(batch_id),
			batch_id: to_hex(batch_id.as_bytes()),
			server_id: entry.map(|e| e.cert.server_id),
			sequence: entry.map(|e| e.cert.sequence),
			stage: entry.map_or("unknown", |e| e.stage.name()).to_string(),
			countersignature: entry
				.and_then(|e| e.stage.signature())
				.filter(|_| {
					!matches!(entry.map(|e| &e.stage), Some(Stage::BadCountersignature { .. }))
				})
				.map(|s| to_hex(&s.0)),
			reason: entry.and_then(|e| match &e.stage {
				Stage::Refused { reason } => Some(format!("{reason:?}")),
				Stage::BadCountersignature { .. } => Some("BadCountersignature".into()),
				_ => None,
			}),
			expires_at: entry.and_then(|e| e.expires_at),
			certified_at: entry.and_then(|e| match e.stage {
				Stage::Certified { at_block, .. } => Some(at_block),
				_ => None,
			}),
		}
	}

	async fn status_view(&self) -> StatusView {
		let mut status = self.status_now();
		if let Some(view) = &self.view {
			status.best = view.chain.heads().await.ok().map(|(_, best)| best);
		}
		status
	}

	/// The status but the best block (which costs a chain call).
	fn status_now(&self) -> StatusView {
		let mut status = StatusView {
			at_risk: self.at_risk,
			link_up: self.link_up,
			next_pass_seconds: self.next_pass().map(|d| d.as_secs_f64()),
			in_flight: self.metrics.in_flight.get().try_into().unwrap_or_default(),
			..Default::default()
		};
		if let Some(view) = &self.view {
			status.genesis_hash = Some(format!("{:?}", view.chain.genesis_hash()));
			status.finalized = Some(view.finalized);
		}
		let mut last_certified: BTreeMap<ServerId, (u64, BatchId)> = BTreeMap::new();
		for (batch_id, entry) in &self.entries {
			*status.stages.entry(entry.stage.name().to_string()).or_default() += 1;
			if let Stage::Refused { reason } = &entry.stage {
				*status.refused.entry(format!("{reason:?}")).or_default() += 1;
			}
			if matches!(entry.stage, Stage::BadCountersignature { .. }) {
				*status.refused.entry("BadCountersignature".into()).or_default() += 1;
			}
			let server = status.servers.entry(entry.cert.server_id).or_default();
			if !entry.stage.is_final() {
				server.open += 1;
			}
			if matches!(entry.stage, Stage::Certified { .. }) {
				server.certified += 1;
				let last = last_certified.entry(entry.cert.server_id).or_default();
				if entry.cert.sequence >= last.0 {
					*last = (entry.cert.sequence, *batch_id);
				}
			}
			if matches!(entry.stage, Stage::Refused { .. } | Stage::BadCountersignature { .. }) {
				server.refused += 1;
			}
		}
		if let Some(view) = &self.view {
			for (id, info) in &view.servers {
				let server = status.servers.entry(*id).or_default();
				server.last_sequence = Some(info.last_sequence);
				server.pending_on_chain = Some(info.pending.len() as u64);
				server.active = Some(info.status == ServerStatus::Active);
			}
		}
		for (id, (_, batch_id)) in last_certified {
			if let Some(server) = status.servers.get_mut(&id) {
				server.last_certified = Some(to_hex(batch_id.as_bytes()));
			}
		}
		status
	}

	/// Adds an outcome of `batch_id` to the console's history.
	pub(super) fn record(&mut self, batch_id: BatchId, kind: EventKind, detail: Option<String>) {
		let Some(entry) = self.entries.get(&batch_id) else { return };
		let (server_id, sequence) = (entry.cert.server_id, entry.cert.sequence);
		self.activity.record(now_ms(), kind, &batch_id, server_id, sequence, detail);
	}

	/// Publishes the console's state, at most [`crate::console::ConsolePublisher::due`] allows.
	pub(super) fn publish_console(&mut self) {
		if !self.console.due() {
			return;
		}
		let depth = self.open_count() as u64;
		let state = ConsoleState::new(
			self.status_now(),
			depth,
			&mut self.activity,
			self.config.chain.is_some(),
		);
		self.console.publish(state);
	}
}
