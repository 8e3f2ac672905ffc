//! What the relay shows: the ground-station API's answers, the status, and the console's
//! history and state.

use super::{Relay, LOG};
use crate::{
	activity::{now_ms, EventKind},
	admission::{self, Authority, Counts, Limits},
	api::{LinkView, STATUS_SERVERS_MAX},
	console::ConsoleState,
	http::{self, ApiRequest, BatchView, StatusView},
	store::{Entry, Source, Stage},
};
use space_notary_primitives::records::ServerStatus;
use space_notary_primitives::{
	ground_station::{to_hex, CountersignatureView},
	BatchCertificate, BatchId, Countersignature, ServerId, ServerSignature,
};
use std::{collections::BTreeMap, time::Duration};

impl Relay {
	pub(super) fn on_api(&mut self, request: ApiRequest) {
		match request {
			ApiRequest::Post { cert, server_signature, txs, refused_countersignature, reply } => {
				let batch_id = cert.batch_id();
				// Transactions are kept only where the satellite is sent them.
				let txs = txs.filter(|_| self.config.uplink_txs);
				let new = !self.entries.contains_key(&batch_id);
				if new {
					if let Err(refusal) = self.admit(&cert, &server_signature, txs.is_some()) {
						tracing::debug!(target: LOG, %batch_id, server = cert.server_id, sequence = cert.sequence, %refusal, "post refused");
						*self.posts_refused.entry(refusal.name()).or_default() += 1;
						let _ = reply.send(Err(refusal));
						return;
					}
					let entry = Entry::queued(cert, server_signature, txs, Source::Http, None);
					self.insert(batch_id, entry);
					self.to_send.push(batch_id);
					tracing::info!(target: LOG, %batch_id, "batch posted to the API");
				} else if let Some(countersignature) = refused_countersignature {
					self.countersignature_refused(batch_id, countersignature);
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
				self.replies.push((reply, Ok(http::PostReply { view, new })));
			},
			ApiRequest::Get { batch_id, reply } => {
				let _ = reply
					.send(self.entries.contains_key(&batch_id).then(|| self.batch_view(&batch_id)));
			},
			ApiRequest::Status { reply } => {
				let _ = reply.send(self.status_now());
			},
		}
	}

	/// Admission of a new post ([`admission::admit`]) against the chain's registry, the
	/// `--servers` list or nothing, and the bounds.
	fn admit(
		&self,
		cert: &BatchCertificate,
		signature: &ServerSignature,
		with_txs: bool,
	) -> Result<(), admission::Refusal> {
		let server_id = cert.server_id;
		let (authority, genesis, max_txs, max_bytes) = match &self.view {
			Some(view) => (
				Authority::Chain(view.servers.get(&server_id)),
				view.chain.genesis_hash(),
				view.max_txs,
				view.max_bytes,
			),
			None => (
				match &self.config.servers {
					Some(servers) => Authority::Listed(servers.get(&server_id)),
					None => Authority::Unchecked,
				},
				self.config.genesis_hash.unwrap_or_default(),
				self.config.posted.max_txs,
				self.config.posted.max_bytes,
			),
		};
		let limits = Limits {
			per_server: self.config.posted.per_server,
			total: self.config.posted.total,
			max_txs,
			max_bytes,
		};
		let mut counts = Counts::default();
		for entry in self.entries.values() {
			if entry.source == Source::Http && !entry.stage.is_final() {
				counts.total += 1;
				if entry.cert.server_id == server_id {
					counts.server += 1;
				}
			}
		}
		admission::admit(cert, signature, with_txs, genesis, authority, counts, &limits)
	}

	/// The off-chain worker says `countersignature`, collected for `batch_id`, does not verify:
	/// drop it and ask the satellite again. With a chain, the claim is checked first (a valid
	/// countersignature is kept whatever a post says).
	fn countersignature_refused(&mut self, batch_id: BatchId, countersignature: Countersignature) {
		let Some(entry) = self.entries.get(&batch_id) else { return };
		if entry.stage != (Stage::Countersigned { countersignature }) {
			return;
		}
		if self.view.is_some() && self.verifies(&batch_id, entry, &countersignature) {
			return;
		}
		tracing::warn!(target: LOG, %batch_id, "the off-chain worker refused the countersignature; asking the satellite again");
		self.metrics.bad_countersignatures.inc();
		self.record(batch_id, EventKind::Refused, Some("BadCountersignature".into()));
		self.update(batch_id, |e| e.stage = Stage::BadCountersignature { countersignature });
		self.schedule_reask(batch_id);
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
				.and_then(|e| e.stage.shown_countersignature())
				.map(|cs| CountersignatureView::from(&cs)),
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

	/// The status, from the relay's own state (no chain call).
	fn status_now(&self) -> StatusView {
		let mut status = StatusView {
			at_risk: self.at_risk,
			link_up: self.link_up(),
			links: self
				.link_states
				.iter()
				.map(|l| LinkView {
					address: l.address.clone(),
					satellite: l.satellite,
					up: l.up,
					in_pass: l.in_pass,
					change_in_seconds: l
						.change_at_ms
						.map(|t| Duration::from_millis(t.saturating_sub(now_ms())).as_secs_f64()),
					countersigned: l.countersigned,
				})
				.collect(),
			next_pass_seconds: self.next_pass().map(|d| d.as_secs_f64()),
			in_flight: self.metrics.in_flight.get().try_into().unwrap_or_default(),
			..Default::default()
		};
		if let Some(view) = &self.view {
			status.genesis_hash = Some(format!("{:?}", view.chain.genesis_hash()));
			status.finalized = Some(view.finalized);
			status.best = self.best;
		}
		status.posts_refused =
			self.posts_refused.iter().map(|(name, n)| (name.to_string(), *n)).collect();
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
		if status.servers.len() > STATUS_SERVERS_MAX {
			let known = |id: &ServerId| {
				self.view.as_ref().is_some_and(|v| v.servers.contains_key(id))
					|| self.config.servers.as_ref().is_some_and(|s| s.contains_key(id))
			};
			let all = std::mem::take(&mut status.servers);
			let total = all.len();
			let (known, unknown): (Vec<_>, Vec<_>) = all.into_iter().partition(|(id, _)| known(id));
			let room = STATUS_SERVERS_MAX.saturating_sub(known.len());
			status.servers = known.into_iter().chain(unknown.into_iter().take(room)).collect();
			status.servers_omitted = (total - status.servers.len()) as u64;
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
