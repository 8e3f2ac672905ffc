//! The relay: joins the chain, the durable queue and the space link.
//!
//! # Decisions come from chain state
//!
//! On every (re)connect and at every finalized block the relay reads, at that finalized block,
//! each registered server (`SpaceNotaryApi.server`, ids below `NextServerId`) and its pending
//! batches (`SpaceNotaryApi.pending_batches`); it never iterates `Batches`, which keeps every
//! batch ever. A pending batch it does not know is recorded (durably) and sent to the
//! satellite; a batch it knows that is no longer pending is looked up once
//! (`SpaceNotaryApi.batch_status`) and is done when that says `Certified` or `Expired`. Nothing
//! depends on having seen an event or a transaction status live, so a relay that was down,
//! disconnected or killed catches up from the next finalized block. The cost is two runtime
//! calls per server per finalized block: fine for tens of servers; a deployment of thousands
//! would follow `BatchSubmitted` events instead (left for the throughput work).
//!
//! # Countersignatures
//!
//! Each countersignature from the link is verified (primitives) against the server's satellite
//! key at the latest finalized block before anything else; one that does not verify is recorded
//! as `BadCountersignature`, counted and never submitted. A verified one is recorded, then
//! submitted: bare (v4 unsigned) by default, signed with `--signer` (nonces read from the node,
//! which counts its pool, one submission at a time). Several ready at once (a pass's worth) go
//! as bundles (`submit_countersignatures`); a bundle the pool refuses is split into singles. Any number of bridges may run at once: the
//! pool gives every copy of one countersignature the same tag, so duplicates die there, and the
//! satellite's signing record gives the same certificate the same signature. A submission the
//! pool already holds, or a batch certified by another relay first, is a lost race: counted,
//! not an error. A batch still pending `--resubmit-after` finalized blocks after its submission
//! is checked again against the current satellite key and submitted again (or asked of the
//! satellite again, if the key was rotated meanwhile).
//!
//! # Time
//!
//! From `BatchTtl`, the block time and the satellite's next pass, the relay warns once for each
//! pending batch that will expire before the satellite can be reached, and exports their count.

use crate::{
	activity::{now_ms, Activity, EventKind},
	chain::{self, AtBlock, Chain, ChainError, ServerInfoOf},
	config::{ConfigError, RelayConfig},
	console::ConsolePublisher,
	http::{self, ApiRequest},
	link::{self, LinkEvent, LinkHandle, SignJob},
	metrics::Metrics,
	store::{Entry, Source, Stage, Store, StoreError},
};
use backon::BackoffBuilder;
use pallet_space_notary::types::BatchStatus;
use sp_core::H256;
use space_notary_primitives::{verify_satellite_signature, BatchId, ServerId};
use std::{
	collections::{BTreeMap, HashMap, HashSet},
	future::Future,
	sync::Arc,
	time::Duration,
};
use subxt::PolkadotConfig;
use tokio::{sync::mpsc, time::Instant};

mod submit;
mod views;

const LOG: &str = "bridge::relay";

/// Most countersignatures in one bundle: well below the runtime's `MaxCountersignaturesPerCall`
/// (256), so a bundle stays a small share of a block; a chain with a lower bound refuses the
/// bundle and its entries go one by one.
pub const BUNDLE_MAX: usize = 64;

/// The relay stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
	/// Bad flags.
	#[error(transparent)]
	Config(#[from] ConfigError),
	/// The durable queue failed: the relay stops rather than act without a record.
	#[error(transparent)]
	Store(#[from] StoreError),
	/// The chain is not the one the queue or the flags were made for.
	#[error("the chain's genesis hash {chain} differs from {expected}")]
	WrongChain {
		/// The chain's.
		chain: H256,
		/// The flag's.
		expected: H256,
	},
	/// The first connection to the chain failed.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The HTTP server could not start.
	#[error("cannot serve HTTP on {addr}: {source}")]
	Http {
		/// The address.
		addr: std::net::SocketAddr,
		/// Why.
		source: std::io::Error,
	},
}

/// The chain as the relay last saw it.
struct ChainView {
	chain: Chain,
	at: AtBlock,
	finalized: u64,
	servers: BTreeMap<ServerId, ServerInfoOf>,
	block_time_ms: u64,
	batch_ttl: u64,
}

struct Relay {
	config: RelayConfig,
	store: Store,
	entries: HashMap<BatchId, Entry>,
	dirty: HashSet<BatchId>,
	link: LinkHandle,
	metrics: Arc<Metrics>,
	view: Option<ChainView>,
	link_up: bool,
	warned_at_risk: HashSet<BatchId>,
	/// Pending batches that will expire before the next pass, as last computed.
	at_risk: u64,
	/// Countersignatures to submit once the queue is committed.
	to_submit: Vec<BatchId>,
	/// Requests to hand to the link once the queue is committed.
	to_send: Vec<BatchId>,
	/// API answers to give once the queue is committed.
	replies: Vec<(tokio::sync::oneshot::Sender<http::PostReply>, http::PostReply)>,
	last_finalized_committed: Option<u64>,
	/// The console's history: recent events, certifications per minute and per pass.
	activity: Activity,
	/// Where the console's state goes.
	console: ConsolePublisher,
}

/// Runs the relay until `shutdown` completes. Returns the HTTP address actually bound (for
/// `--http 127.0.0.1:0`) through `bound`, if given.
pub async fn run(
	config: RelayConfig,
	shutdown: impl Future<Output = ()>,
	bound: Option<tokio::sync::oneshot::Sender<std::net::SocketAddr>>,
) -> Result<(), RelayError> {
	let store = Store::open(&config.data_dir)?;
	let metrics = Arc::new(Metrics::new());

	// The chain first: the link's Hello needs its genesis hash.
	let mut view = None;
	let mut genesis = config.genesis_hash;
	if let Some(url) = &config.chain {
		let chain = Chain::connect(url).await?;
		let chain_genesis = chain.genesis_hash();
		if let Some(expected) = genesis.filter(|g| *g != chain_genesis) {
			return Err(RelayError::WrongChain { chain: chain_genesis, expected });
		}
		genesis = Some(chain_genesis);
		view = Some(ChainView::read(chain).await?);
	}
	let mut link_config = config.link.clone();
	link_config.genesis_hash = genesis.unwrap_or_default();
	let (events_tx, mut events) = mpsc::unbounded_channel();
	let (link, link_task) = link::spawn(link_config, events_tx);

	let (api_tx, mut api) = mpsc::channel::<ApiRequest>(256);
	let (console, console_feed) = ConsolePublisher::new(config.chain.is_some());
	if let Some(view) = &view {
		console.set_chain(view.chain.clone());
	}
	let http_task = match config.http {
		None => None,
		Some(addr) => {
			let listener = tokio::net::TcpListener::bind(addr)
				.await
				.map_err(|source| RelayError::Http { addr, source })?;
			let local =
				listener.local_addr().map_err(|source| RelayError::Http { addr, source })?;
			tracing::info!(target: LOG, %local, "HTTP: console http://{local}/, /metrics, /status, /batches");
			if let Some(bound) = bound {
				let _ = bound.send(local);
			}
			let serve = http::serve(listener, api_tx.clone(), metrics.clone(), console_feed);
			Some(tokio::spawn(serve))
		},
	};

	let mut relay = Relay {
		config,
		store,
		entries: HashMap::new(),
		dirty: HashSet::new(),
		link,
		metrics,
		view,
		link_up: false,
		warned_at_risk: HashSet::new(),
		at_risk: 0,
		to_submit: Vec::new(),
		to_send: Vec::new(),
		replies: Vec::new(),
		last_finalized_committed: None,
		activity: Activity::default(),
		console,
	};
	relay.restore()?;
	if relay.view.is_some() {
		relay.sync().await;
	}
	relay.flush().await?;
	relay.publish_console();

	let mut blocks = match &relay.view {
		Some(v) => v.chain.finalized_blocks().await.ok(),
		None => None,
	};
	let mut reconnect = chain_backoff();
	let mut reconnect_at: Option<Instant> = None;
	let mut tick = tokio::time::interval(Duration::from_secs(1));
	tokio::pin!(shutdown);
	loop {
		if relay.config.chain.is_some() && blocks.is_none() && reconnect_at.is_none() {
			reconnect_at = Some(Instant::now() + reconnect.next().unwrap_or_default());
		}
		tokio::select! {
			_ = &mut shutdown => break,
			Some(event) = events.recv() => {
				relay.on_link(event);
				while let Ok(event) = events.try_recv() {
					relay.on_link(event);
				}
			},
			Some(request) = api.recv() => relay.on_api(request).await,
			block = async {
				match blocks.as_mut() {
					Some(b) => b.next().await,
					None => std::future::pending().await,
				}
			} => match block {
				Some(Ok(block)) => {
					if let Err(error) = relay.on_finalized(block.number()).await {
						tracing::warn!(target: LOG, %error, "chain read failed; reconnecting");
						blocks = None;
					} else {
						reconnect = chain_backoff();
					}
				},
				Some(Err(error)) => {
					tracing::warn!(target: LOG, %error, "finalized block stream failed; reconnecting");
					blocks = None;
				},
				None => {
					tracing::warn!(target: LOG, "finalized block stream ended; reconnecting");
					blocks = None;
				},
			},
			_ = async {
				match reconnect_at {
					Some(t) => tokio::time::sleep_until(t).await,
					None => std::future::pending().await,
				}
			} => {
				reconnect_at = None;
				if let Some(url) = relay.config.chain.clone() {
					match relay.reconnect(&url).await {
						Ok(stream) => {
							tracing::info!(target: LOG, "chain reconnected");
							blocks = Some(stream);
						},
						Err(error) => tracing::warn!(target: LOG, %error, "cannot reach the chain"),
					}
				}
			},
			_ = tick.tick() => relay.on_tick(),
		}
		relay.flush().await?;
		relay.publish_console();
	}
	tracing::info!(target: LOG, "shutting down");
	relay.flush().await?;
	drop(relay);
	if let Some(task) = http_task {
		task.abort();
	}
	let _ = link_task.await;
	Ok(())
}

fn chain_backoff() -> backon::ExponentialBackoff {
	backon::ExponentialBuilder::default()
		.with_min_delay(Duration::from_millis(500))
		.with_max_delay(Duration::from_secs(15))
		.with_jitter()
		.without_max_times()
		.build()
}

impl ChainView {
	async fn read(chain: Chain) -> Result<Self, ChainError> {
		let at = chain.finalized().await?;
		let block_time_ms = chain::block_time_ms(&at)?;
		let batch_ttl: u32 = chain::constant(&at, "BatchTtl")?;
		Ok(Self {
			finalized: at.block_number(),
			chain,
			at,
			servers: BTreeMap::new(),
			block_time_ms,
			batch_ttl: batch_ttl.into(),
		})
	}
}

impl Relay {
	fn restore(&mut self) -> Result<(), RelayError> {
		for (batch_id, entry) in self.store.load()? {
			if matches!(entry.stage, Stage::Queued) {
				self.to_send.push(batch_id);
			}
			if matches!(entry.stage, Stage::Countersigned { .. }) && self.view.is_some() {
				self.to_submit.push(batch_id);
			}
			self.entries.insert(batch_id, entry);
		}
		let open = self.entries.values().filter(|e| !e.stage.is_final()).count();
		tracing::info!(target: LOG, batches = self.entries.len(), open, "queue restored");
		Ok(())
	}

	fn update(&mut self, batch_id: BatchId, f: impl FnOnce(&mut Entry)) {
		if let Some(entry) = self.entries.get_mut(&batch_id) {
			f(entry);
			self.dirty.insert(batch_id);
		}
	}

	/// Commits what changed, then does what waited for the commit.
	async fn flush(&mut self) -> Result<(), RelayError> {
		let finalized = self.view.as_ref().map(|v| v.finalized);
		let finalized_changed = finalized.is_some() && finalized != self.last_finalized_committed;
		if !self.dirty.is_empty() || finalized_changed {
			let dirty: Vec<BatchId> = self.dirty.drain().collect();
			let entries = dirty.iter().filter_map(|id| self.entries.get(id).map(|e| (id, e)));
			self.store.commit(entries, finalized.filter(|_| finalized_changed))?;
			self.last_finalized_committed = finalized;
		}
		for (reply, answer) in self.replies.drain(..) {
			let _ = reply.send(answer);
		}
		let mut to_send = std::mem::take(&mut self.to_send);
		to_send.sort_by_key(|id| self.entries.get(id).map(|e| (e.cert.server_id, e.cert.sequence)));
		for batch_id in to_send {
			self.send_to_link(batch_id);
		}
		self.metrics.queue_depth.set(self.open_count() as i64);
		let to_submit = std::mem::take(&mut self.to_submit);
		if !to_submit.is_empty() {
			crash_point("countersigned");
			self.submit(to_submit).await;
			// Submissions changed stages; record them before anything else happens.
			let dirty: Vec<BatchId> = self.dirty.drain().collect();
			let entries = dirty.iter().filter_map(|id| self.entries.get(id).map(|e| (id, e)));
			self.store.commit(entries, None)?;
		}
		Ok(())
	}

	fn open_count(&self) -> usize {
		self.entries.values().filter(|e| !e.stage.is_final()).count()
	}

	fn send_to_link(&mut self, batch_id: BatchId) {
		let waits_for_txs = self.waits_for_transactions(&batch_id);
		let Some(entry) = self.entries.get_mut(&batch_id) else { return };
		if !matches!(entry.stage, Stage::Queued) || waits_for_txs {
			return;
		}
		entry.sends = entry.sends.saturating_add(1);
		self.dirty.insert(batch_id);
		let txs = if self.config.uplink_txs { entry.txs.clone() } else { None };
		self.link.sign(
			batch_id,
			SignJob {
				cert: entry.cert.clone(),
				server_signature: entry.server_signature.clone(),
				txs,
			},
		);
	}

	async fn reconnect(
		&mut self,
		url: &url::Url,
	) -> Result<subxt::client::Blocks<PolkadotConfig>, ChainError> {
		let chain = Chain::connect(url).await?;
		let view = ChainView::read(chain).await?;
		let blocks = view.chain.finalized_blocks().await?;
		self.console.set_chain(view.chain.clone());
		self.view = Some(view);
		self.sync().await;
		Ok(blocks)
	}

	async fn on_finalized(&mut self, number: u64) -> Result<(), ChainError> {
		let Some(view) = self.view.as_mut() else { return Ok(()) };
		if number <= view.finalized && number != 0 {
			// Already read (the stream repeats the block we resynced at).
			return Ok(());
		}
		view.at = view.chain.finalized().await?;
		view.finalized = view.at.block_number();
		self.sync_at().await
	}

	/// Reads the chain at the latest finalized block, logging (not failing) on error.
	async fn sync(&mut self) {
		if let Some(view) = self.view.as_mut() {
			match view.chain.finalized().await {
				Ok(at) => {
					view.finalized = at.block_number();
					view.at = at;
				},
				Err(error) => {
					tracing::warn!(target: LOG, %error, "cannot read the finalized block");
					return;
				},
			}
		}
		if let Err(error) = self.sync_at().await {
			tracing::warn!(target: LOG, %error, "resync from chain state failed");
		}
	}

	/// Brings the queue in line with the chain at `view.at`: new pending batches in, finished
	/// ones out, due resubmissions made.
	async fn sync_at(&mut self) -> Result<(), ChainError> {
		let Some(view) = self.view.as_mut() else { return Ok(()) };
		let at = &view.at;
		let next = chain::next_server_id(at).await?;
		let mut servers = BTreeMap::new();
		let mut pending = HashMap::new();
		for server_id in 0..next {
			let Some(info) = chain::server(at, server_id).await? else { continue };
			if !info.pending.is_empty() {
				for (batch_id, record) in chain::pending_batches(at, server_id).await? {
					pending.insert(batch_id, record);
				}
			}
			servers.insert(server_id, info);
		}
		view.servers = servers;
		let finalized = view.finalized;
		let chain = view.chain.clone();
		let at = view.at.clone();

		// New pending batches.
		for (batch_id, record) in &pending {
			let expires_at = match record.status {
				BatchStatus::Pending { expires_at } => Some(u64::from(expires_at)),
				_ => None,
			};
			match self.entries.get_mut(batch_id) {
				Some(entry) => {
					if entry.expires_at != expires_at {
						entry.expires_at = expires_at;
						self.dirty.insert(*batch_id);
					}
				},
				None => {
					let txs = if self.config.uplink_txs {
						match chain.indexed_transactions(batch_id).await {
							Ok(Some(txs)) => Some(txs),
							Ok(None) => {
								tracing::warn!(target: LOG, %batch_id, "the node's off-chain index does not hold the batch's transactions (is offchain indexing on?); sending the certificate only");
								None
							},
							Err(error) => {
								tracing::warn!(target: LOG, %batch_id, %error, "cannot read the batch's transactions from the off-chain index; sending the certificate only");
								None
							},
						}
					} else {
						None
					};
					tracing::info!(target: LOG, %batch_id, server = record.cert.server_id, sequence = record.cert.sequence, "new pending batch");
					let entry = Entry::queued(
						record.cert.clone(),
						record.server_signature.clone(),
						txs,
						Source::Chain,
						expires_at,
					);
					self.entries.insert(*batch_id, entry);
					self.dirty.insert(*batch_id);
					self.to_send.push(*batch_id);
				},
			}
		}

		// Batches we hold that are no longer pending on chain: certified or expired?
		let gone: Vec<BatchId> = self
			.entries
			.iter()
			.filter(|(id, e)| {
				!pending.contains_key(*id)
					&& !matches!(e.stage, Stage::Certified { .. } | Stage::Expired { .. })
			})
			.map(|(id, _)| *id)
			.collect();
		for batch_id in gone {
			let Some(record) = chain::batch(&at, batch_id).await? else {
				// Posted to the API but not (yet) on this chain: keep it.
				continue;
			};
			match record.status {
				BatchStatus::Certified { certified_at, .. } => {
					let submitted = self
						.entries
						.get(&batch_id)
						.is_some_and(|e| matches!(e.stage, Stage::Submitted { .. }));
					if !submitted {
						self.metrics.lost_races.inc();
					}
					self.metrics.certified.inc();
					self.record(
						batch_id,
						EventKind::Certified,
						Some(format!("block {certified_at}")),
					);
					tracing::info!(target: LOG, %batch_id, at = certified_at, by_us = submitted, "certified");
					self.update(batch_id, |e| {
						e.stage =
							Stage::Certified { at_block: certified_at.into(), by_us: submitted }
					});
					self.link.cancel(batch_id);
				},
				BatchStatus::Expired { at, reason } => {
					tracing::warn!(target: LOG, %batch_id, at, ?reason, "expired on chain");
					self.metrics.expired.inc();
					self.record(batch_id, EventKind::Expired, Some(format!("block {at}")));
					self.update(batch_id, |e| e.stage = Stage::Expired { at_block: at.into() });
					self.link.cancel(batch_id);
				},
				BatchStatus::Pending { .. } => {},
			}
		}

		// Due resubmissions.
		let due: Vec<BatchId> = self
			.entries
			.iter()
			.filter(|(id, e)| {
				pending.contains_key(*id) &&
					matches!(e.stage, Stage::Submitted { at_block, .. } if finalized >= at_block + self.config.resubmit_after)
			})
			.map(|(id, _)| *id)
			.collect();
		for batch_id in due {
			self.metrics.resubmissions.inc();
			self.record(batch_id, EventKind::Resubmitted, None);
			tracing::info!(target: LOG, %batch_id, "still pending after submission; checking and submitting again");
			self.to_submit.push(batch_id);
		}
		self.update_risk();
		Ok(())
	}

	fn on_link(&mut self, event: LinkEvent) {
		match event {
			LinkEvent::Countersignature { batch_id, signature, rtt } => {
				self.metrics.rtt.observe(rtt.as_secs_f64());
				let Some(entry) = self.entries.get(&batch_id) else { return };
				if !matches!(entry.stage, Stage::Queued) {
					return;
				}
				match &self.view {
					None => {
						// HTTP-only: no chain to check against; the off-chain worker checks it
						// before submitting.
						self.update(batch_id, |e| e.stage = Stage::Countersigned { signature });
						self.record(batch_id, EventKind::Countersigned, None);
					},
					Some(view) => {
						let key = view.servers.get(&entry.cert.server_id).map(|s| s.satellite_key);
						let valid = key.is_some_and(|key| {
							verify_satellite_signature(
								&batch_id,
								&entry.server_signature,
								&signature,
								&key,
							)
							.is_ok()
						});
						if valid {
							tracing::debug!(target: LOG, %batch_id, "countersignature verified");
							self.update(batch_id, |e| e.stage = Stage::Countersigned { signature });
							self.to_submit.push(batch_id);
						} else {
							tracing::error!(target: LOG, %batch_id, server = entry.cert.server_id, "countersignature does not verify under the server's satellite key on chain; not submitted");
							self.metrics.bad_countersignatures.inc();
							let detail = Some("BadCountersignature".to_string());
							self.record(batch_id, EventKind::Refused, detail);
							self.update(batch_id, |e| {
								e.stage = Stage::BadCountersignature { signature }
							});
						}
					},
				}
			},
			LinkEvent::Rejected { batch_id, reason } => {
				tracing::warn!(target: LOG, %batch_id, ?reason, "satellite refused to sign");
				self.metrics.refused(&format!("{reason:?}"));
				self.record(batch_id, EventKind::Refused, Some(format!("{reason:?}")));
				self.update(batch_id, |e| e.stage = Stage::Refused { reason });
			},
			LinkEvent::LinkUp(up) => {
				self.link_up = up;
				self.metrics.link_up.set(up.into());
			},
			LinkEvent::PassStatus { in_pass, change_in } => {
				self.activity.on_pass_status(now_ms(), in_pass, change_in);
				self.publish_next_pass();
			},
			LinkEvent::Retransmitted => {
				self.metrics.retransmissions.inc();
			},
			LinkEvent::Busy => {
				self.metrics.busy.inc();
			},
			LinkEvent::Unsolicited => {
				self.metrics.unsolicited.inc();
			},
			LinkEvent::Bytes { up, down } => self.metrics.link_bytes(up, down),
			LinkEvent::InFlight(n) => {
				self.metrics.in_flight.set(n as i64);
			},
		}
	}

	fn on_tick(&mut self) {
		self.publish_next_pass();
		self.update_risk();
	}

	/// Time until the next pass begins, zero during one; `None` when unknown
	/// ([`Activity::next_pass_in`]).
	fn next_pass(&self) -> Option<Duration> {
		self.activity.next_pass_in(now_ms())
	}

	fn publish_next_pass(&self) {
		self.metrics.next_pass_seconds.set(self.next_pass().map_or(-1.0, |d| d.as_secs_f64()));
	}

	/// Warns once for each pending batch that will expire before the next pass.
	fn update_risk(&mut self) {
		let Some(view) = &self.view else { return };
		let Some(next_pass) = self.next_pass() else { return };
		let mut at_risk = 0u64;
		for (batch_id, entry) in &self.entries {
			if entry.stage.is_final() || matches!(entry.stage, Stage::Submitted { .. }) {
				continue;
			}
			let Some(expires_at) = entry.expires_at else { continue };
			let left_ms =
				expires_at.saturating_sub(view.finalized).saturating_mul(view.block_time_ms);
			if u128::from(left_ms) < next_pass.as_millis() {
				at_risk += 1;
				if self.warned_at_risk.insert(*batch_id) {
					tracing::warn!(target: LOG, %batch_id, expires_at, next_pass_s = next_pass.as_secs(), ttl_blocks = view.batch_ttl, "batch will expire before the satellite can be reached");
				}
			}
		}
		self.at_risk = at_risk;
		self.metrics.at_risk.set(at_risk as i64);
	}
}

/// Crash-test hook: with `SATELLITE_BRIDGE_CRASH_AT=<point>` in its environment the process
/// aborts at `point`, as `kill -9` would stop it there (no destructors, nothing flushed):
/// `countersigned` right after a countersignature is committed and before it is submitted,
/// `submitted` right after a submission and before it is recorded. The crash tests use it to
/// stop the bridge at exactly those points, which no outside signal can hit reliably.
fn crash_point(point: &str) {
	static CRASH_AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
	let at = CRASH_AT.get_or_init(|| std::env::var("SATELLITE_BRIDGE_CRASH_AT").ok());
	if at.as_deref() == Some(point) {
		eprintln!("SATELLITE_BRIDGE_CRASH_AT={point}: aborting");
		std::process::abort();
	}
}
