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
//! # Nothing final on untrusted evidence
//!
//! Only the chain's state at a finalized block ends a batch here: certified, expired, or (for a
//! batch posted to the API) its sequence given to another batch. Anything that comes over the
//! link could be forged by whoever can put a packet on the downlink, so a `Rejected`, or a
//! countersignature that does not verify under the server's satellite key on chain, is recorded
//! (the stages `refused` and `bad_countersignature`, shown by the status and the console) and the
//! batch is asked of the satellite again after a backoff (`--reask-min-ms`, doubling up to
//! `--reask-max-ms`) for as long as it can still be certified. When a server's satellite key
//! changes on chain, a countersignature held as bad is verified again under the new key (the
//! satellite's key may have been rotated before the chain's) and submitted if it now verifies.
//! In HTTP-only mode the off-chain worker tells the bridge when a countersignature it collected
//! does not verify (`refused_countersignature` in its next post): the bridge drops it and asks
//! again.
//!
//! # Bounded
//!
//! What the API takes on is admitted first ([`crate::admission`]) and counted against bounds;
//! entries the chain has finished with are removed after `--retention-secs`, posted entries the
//! chain never takes after `--max-age-secs` (memory and the queue file alike). The status is
//! served from the relay's own state: a request costs no chain call.
//!
//! # Countersignatures
//!
//! A countersignature (v2: the satellite's number, its clock, its signature) is verified
//! (`Countersignature::verify`) in one place, `Relay::verifies`, under the key of the satellite it
//! names among its server's satellites at the latest finalized block read: when it comes down the
//! link, and again for every held one when its server's satellites on chain change or are read
//! for the first time (after a start or a restart). One that does not verify, or names a
//! satellite the server does not have, is recorded as `BadCountersignature`, counted, never
//! submitted, and asked for again; a held good one that no longer verifies goes back to the
//! satellite. A verified one is recorded, then submitted (`submit_attestation`): bare (v4
//! unsigned) by default, signed with `--signer` (nonces read from the node, which counts its
//! pool, one submission at a time). Several ready at once (a pass's worth) go as bundles
//! (`submit_attestations`); a bundle the pool refuses is split into singles. Any number of
//! bridges may run at once: the pool gives every copy of one countersignature the same tag, so
//! duplicates die there, and the satellite's signing record gives the same certificate the same
//! signature. A submission the pool already holds, or a batch certified by another relay first,
//! is a lost race: counted, not an error. A batch still pending `--resubmit-after` finalized
//! blocks after its submission is submitted again, unless the chain holds that satellite's
//! countersignature already (under a quorum above one it waits for the other satellites).
//!
//! # Several satellites
//!
//! With several `--satellite` links (one per satellite this station can reach, [`Links`]),
//! every batch is handed to every link, and each link sends only while its satellite is in view:
//! the batch goes to whichever satellite comes into view first. A batch refused or answered
//! badly on one link still takes a good countersignature from another. Links are withdrawn from a
//! batch when the chain settles it, not at its first countersignature, so a second satellite's
//! countersignature may still come down: it is counted (`other_satellite_countersignatures`), not
//! an error, and under a quorum above one it is verified and submitted if the chain does not
//! hold it yet. A batch whose countersignature the chain holds while its quorum waits for other
//! satellites is handed to every link again each `--resubmit-after` blocks (a satellite that
//! signed it answers with the same signature), so a countersignature lost in a restart is asked
//! for again. The status lists each link: its satellite (learnt from its first countersignature
//! that verified), whether it is up, in view, and when that changes; the pass history and the
//! next-pass figure are the station's: in view of any satellite.
//!
//! # Decisions apart from effects
//!
//! At each finalized block the relay reads the chain, then [`reconcile::reconcile`] decides, as a
//! pure function of what it holds and what it read, what is new, gone, due and rekeyed;
//! [`reconcile::settle`] says what a gone batch's record means. The relay then does it.
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
	link::{self, LinkEvent, LinkIndex, Links, SignJob},
	metrics::Metrics,
	store::{Entry, Source, Stage, Store, StoreError, Times},
};
use backon::BackoffBuilder;
use sp_core::H256;
use space_notary_primitives::records::{BatchStatus, ServerSatellite};
use space_notary_primitives::{BatchId, Countersignature, SatelliteId, ServerId};
use std::{
	collections::{BTreeMap, BTreeSet, HashMap, HashSet},
	future::Future,
	sync::Arc,
	time::Duration,
};
use subxt::PolkadotConfig;
use tokio::{sync::mpsc, time::Instant};

mod reconcile;
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
	/// The chain's bounds on a batch: transactions and bytes.
	max_txs: u32,
	max_bytes: u64,
	/// Pending batch ids at `at`.
	pending: HashSet<BatchId>,
	/// The satellites whose countersignatures each pending batch holds at `at` (batches with
	/// none left out).
	attested: HashMap<BatchId, BTreeSet<SatelliteId>>,
}

/// What the relay knows of one satellite link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LinkState {
	/// The satellite's address.
	pub address: String,
	/// The satellite's number, learnt from the first countersignature on this link that verified.
	pub satellite: Option<SatelliteId>,
	/// Connected and heard from recently.
	pub up: bool,
	/// In view now.
	pub in_pass: bool,
	/// When (unix ms) that changes, as last said.
	pub change_at_ms: Option<u64>,
	/// Countersignatures from it that verified, since start.
	pub countersigned: u64,
}

/// The station's view of several links' passes in one: in view of any satellite, and when that
/// changes. In view: until the last of the passes under way ends (passes that begin meanwhile
/// are not known ahead). Out of view: until the soonest predicted start.
fn any_in_view(links: &[LinkState]) -> (bool, Option<u64>) {
	let in_view = links.iter().any(|l| l.in_pass);
	let change = if in_view {
		links.iter().filter(|l| l.in_pass).filter_map(|l| l.change_at_ms).max()
	} else {
		links.iter().filter_map(|l| l.change_at_ms).min()
	};
	(in_view, change)
}

/// A batch waiting to be asked of the satellite again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reask {
	/// Asks that were refused or answered badly, in a row.
	attempts: u32,
	/// When to ask again.
	at: Instant,
}

/// The wait before the `attempts`-th ask again: `min`, doubling, at most `max`.
fn reask_delay(attempts: u32, min: Duration, max: Duration) -> Duration {
	let doublings = attempts.saturating_sub(1).min(20);
	min.saturating_mul(1u32 << doublings).min(max)
}

/// Whether an entry has outlived its use: finished on chain longer than `retention` ago, or a
/// posted batch the chain does not hold (HTTP-only: any batch) taken on longer than `max_age`
/// ago. Times in unix ms.
fn outlived(
	entry: &Entry,
	times: Times,
	pending_on_chain: bool,
	now_ms: u64,
	retention: Duration,
	max_age: Duration,
) -> bool {
	let older = |since: u64, limit: Duration| {
		since > 0 && u128::from(now_ms.saturating_sub(since)) >= limit.as_millis()
	};
	if entry.stage.is_final() {
		return older(times.settled_ms, retention);
	}
	entry.source == Source::Http && !pending_on_chain && older(times.created_ms, max_age)
}

struct Relay {
	config: RelayConfig,
	store: Store,
	entries: HashMap<BatchId, Entry>,
	dirty: HashSet<BatchId>,
	links: Links,
	metrics: Arc<Metrics>,
	view: Option<ChainView>,
	/// Each satellite link's state, in `--satellite` order.
	link_states: Vec<LinkState>,
	/// Countersignatures of a batch from another satellite than the one held, verified, for a
	/// quorum above one that the chain does not hold yet: submitted once the queue is committed
	/// (not kept: if lost, the links are asked again, `Plan::quorum_wait`).
	to_attest: Vec<(BatchId, Countersignature)>,
	warned_at_risk: HashSet<BatchId>,
	/// Pending batches that will expire before the next pass, as last computed.
	at_risk: u64,
	/// Countersignatures to submit once the queue is committed.
	to_submit: Vec<BatchId>,
	/// Requests to hand to the link once the queue is committed.
	to_send: Vec<BatchId>,
	/// API answers to give once the queue is committed.
	replies: Vec<(
		tokio::sync::oneshot::Sender<Result<http::PostReply, crate::admission::Refusal>>,
		Result<http::PostReply, crate::admission::Refusal>,
	)>,
	last_finalized_committed: Option<u64>,
	/// The console's history: recent events, certifications per minute and per pass.
	activity: Activity,
	/// Where the console's state goes.
	console: ConsolePublisher,
	/// When each entry was taken on and settled (stored beside it).
	times: HashMap<BatchId, Times>,
	/// Batches waiting to be asked of the satellite again.
	reasks: HashMap<BatchId, Reask>,
	/// Entries to remove from the queue file at the next commit.
	removed: Vec<BatchId>,
	/// The best block, read once per finalized block (never per status request).
	best: Option<u64>,
	/// Posts refused, by reason, since start.
	posts_refused: BTreeMap<&'static str, u64>,
	/// The link's counters as last read into the metrics.
	link_counts: link::LinkCounts,
	/// The satellites (numbers and keys) each server's held countersignatures were last
	/// verified under.
	verified_keys: HashMap<ServerId, Vec<ServerSatellite>>,
}

/// Runs the relay until `shutdown` completes, serving HTTP on `listener` if given (bound by the
/// caller to `config.http`; tests bind `127.0.0.1:0`), as mini-redis's `server::run` does.
pub async fn run(
	config: RelayConfig,
	listener: Option<tokio::net::TcpListener>,
	shutdown: impl Future<Output = ()>,
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
	let mut link_configs = config.links.clone();
	for link in &mut link_configs {
		link.genesis_hash = genesis.unwrap_or_default();
	}
	let link_states = link_configs
		.iter()
		.map(|l| LinkState { address: l.address.clone(), ..Default::default() })
		.collect();
	let (events_tx, mut events) = mpsc::unbounded_channel();
	let (links, mut link_tasks) = Links::spawn(link_configs, events_tx);

	let (api_tx, mut api) = mpsc::channel::<ApiRequest>(256);
	let (console, console_feed) = ConsolePublisher::new(config.chain.is_some());
	if let Some(view) = &view {
		console.set_chain(view.chain.clone());
	}
	let http_task = match listener {
		None => None,
		Some(listener) => {
			if let Ok(local) = listener.local_addr() {
				tracing::info!(target: LOG, %local, "HTTP: console http://{local}/, /metrics, /status, /batches");
			}
			let serve = http::serve(
				listener,
				api_tx.clone(),
				metrics.clone(),
				console_feed,
				config.http_limits.clone(),
			);
			Some(tokio::spawn(serve))
		},
	};

	let mut relay = Relay {
		config,
		store,
		entries: HashMap::new(),
		dirty: HashSet::new(),
		links,
		metrics,
		view,
		link_states,
		to_attest: Vec::new(),
		warned_at_risk: HashSet::new(),
		at_risk: 0,
		to_submit: Vec::new(),
		to_send: Vec::new(),
		replies: Vec::new(),
		last_finalized_committed: None,
		activity: Activity::default(),
		console,
		times: HashMap::new(),
		reasks: HashMap::new(),
		removed: Vec::new(),
		best: None,
		posts_refused: BTreeMap::new(),
		link_counts: link::LinkCounts::default(),
		verified_keys: HashMap::new(),
	};
	if relay.config.chain.is_none() && relay.config.servers.is_none() {
		tracing::warn!(target: LOG, "HTTP-only without --servers: posts are not authenticated (their server signatures are not checked); bounded by --max-posted and --max-posted-per-server");
	}
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
			Some((index, event)) = events.recv() => {
				relay.on_link(index, event);
				while let Ok((index, event)) = events.try_recv() {
					relay.on_link(index, event);
				}
			},
			Some(request) = api.recv() => relay.on_api(request),
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
	while link_tasks.join_next().await.is_some() {}
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
		let max_txs: u32 = chain::constant(&at, "MaxTxsPerBatch")?;
		let max_bytes: u32 = chain::constant(&at, "MaxBatchBytes")?;
		Ok(Self {
			finalized: at.block_number(),
			chain,
			at,
			servers: BTreeMap::new(),
			block_time_ms,
			batch_ttl: batch_ttl.into(),
			max_txs,
			max_bytes: max_bytes.into(),
			pending: HashSet::new(),
			attested: HashMap::new(),
		})
	}
}

impl Relay {
	fn restore(&mut self) -> Result<(), RelayError> {
		let now = now_ms();
		for (batch_id, entry, times) in self.store.load()? {
			let times = times.unwrap_or(Times {
				created_ms: now,
				settled_ms: if entry.stage.is_final() { now } else { 0 },
			});
			self.times.insert(batch_id, times);
			if matches!(entry.stage, Stage::Queued) {
				self.to_send.push(batch_id);
			}
			// A batch refused or badly answered before the restart is asked again now (its
			// backoff starts over).
			if entry.stage.is_retry() {
				self.reasks.insert(batch_id, Reask { attempts: 0, at: Instant::now() });
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

	/// Takes a new entry on (committed with the next flush).
	fn insert(&mut self, batch_id: BatchId, entry: Entry) {
		self.entries.insert(batch_id, entry);
		self.times.insert(batch_id, Times { created_ms: now_ms(), settled_ms: 0 });
		self.dirty.insert(batch_id);
		self.reasks.remove(&batch_id);
	}

	/// Records a refusal or a bad answer for `batch_id` and schedules the next ask.
	fn schedule_reask(&mut self, batch_id: BatchId) {
		let (min, max) = self.config.reask;
		let attempts = self.reasks.get(&batch_id).map_or(1, |r| r.attempts.saturating_add(1));
		let at = Instant::now() + reask_delay(attempts, min, max);
		self.reasks.insert(batch_id, Reask { attempts, at });
	}

	/// Asks again for the batches whose backoff is over.
	fn reask_due(&mut self) {
		let now = Instant::now();
		let due: Vec<BatchId> = self
			.reasks
			.iter()
			.filter(|(_, r)| r.at <= now)
			.map(|(id, _)| *id)
			.filter(|id| self.entries.get(id).is_some_and(|e| e.stage.is_retry()))
			.collect();
		for batch_id in due {
			tracing::info!(target: LOG, %batch_id, attempts = self.reasks.get(&batch_id).map(|r| r.attempts), "asking the satellite again");
			self.record(batch_id, EventKind::Resubmitted, Some("asked again".into()));
			// It stays in `reasks` (its attempts set the next backoff) until it is signed.
			self.update(batch_id, |e| e.stage = Stage::Queued);
			self.to_send.push(batch_id);
		}
	}

	/// Removes what has outlived its use (`outlived`), from memory now and from the file at the
	/// next commit.
	fn prune(&mut self) {
		let now = now_ms();
		let pending = self.view.as_ref().map(|v| &v.pending);
		let (retention, max_age) = (self.config.retention, self.config.max_age);
		let gone: Vec<BatchId> = self
			.entries
			.iter()
			.filter(|(id, e)| {
				let times = self.times.get(*id).copied().unwrap_or_default();
				let on_chain = pending.is_some_and(|p| p.contains(*id));
				outlived(e, times, on_chain, now, retention, max_age)
			})
			.map(|(id, _)| *id)
			.collect();
		if !gone.is_empty() {
			tracing::info!(target: LOG, count = gone.len(), "removing batches past their retention");
		}
		for batch_id in gone {
			self.entries.remove(&batch_id);
			self.times.remove(&batch_id);
			self.reasks.remove(&batch_id);
			self.dirty.remove(&batch_id);
			self.warned_at_risk.remove(&batch_id);
			self.links.cancel(batch_id);
			self.removed.push(batch_id);
		}
	}

	/// The entries of `ids` with their times, settling those that became final.
	fn stamped(&mut self, ids: &[BatchId]) -> Vec<(BatchId, Times)> {
		let now = now_ms();
		ids.iter()
			.filter_map(|id| {
				let entry = self.entries.get(id)?;
				let times =
					self.times.entry(*id).or_insert(Times { created_ms: now, settled_ms: 0 });
				if entry.stage.is_final() && times.settled_ms == 0 {
					times.settled_ms = now;
				}
				Some((*id, *times))
			})
			.collect()
	}

	/// Commits `ids` (and the removals, and `finalized`) in one durable commit.
	fn commit(&mut self, ids: &[BatchId], finalized: Option<u64>) -> Result<(), StoreError> {
		let stamped = self.stamped(ids);
		let removed = std::mem::take(&mut self.removed);
		let entries =
			stamped.iter().filter_map(|(id, t)| self.entries.get(id).map(|e| (id, e, *t)));
		self.store.commit(entries, &removed, finalized)
	}

	/// Commits what changed, then does what waited for the commit.
	async fn flush(&mut self) -> Result<(), RelayError> {
		let finalized = self.view.as_ref().map(|v| v.finalized);
		let finalized_changed = finalized.is_some() && finalized != self.last_finalized_committed;
		if !self.dirty.is_empty() || !self.removed.is_empty() || finalized_changed {
			let dirty: Vec<BatchId> = self.dirty.drain().collect();
			self.commit(&dirty, finalized.filter(|_| finalized_changed))?;
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
		let to_attest = std::mem::take(&mut self.to_attest);
		if !to_attest.is_empty() {
			self.submit_others(to_attest).await;
		}
		let to_submit = std::mem::take(&mut self.to_submit);
		if !to_submit.is_empty() {
			crash_point("countersigned");
			self.submit(to_submit).await;
			// Submissions changed stages; record them before anything else happens.
			let dirty: Vec<BatchId> = self.dirty.drain().collect();
			self.commit(&dirty, None)?;
		}
		Ok(())
	}

	fn open_count(&self) -> usize {
		self.entries.values().filter(|e| !e.stage.is_final()).count()
	}

	fn send_to_link(&mut self, batch_id: BatchId) {
		let queued = self.entries.get(&batch_id).is_some_and(|e| matches!(e.stage, Stage::Queued));
		if queued {
			self.resend_to_links(batch_id);
		}
	}

	/// Hands `batch_id` to every link, whatever its stage (a queued one through
	/// [`Self::send_to_link`]).
	fn resend_to_links(&mut self, batch_id: BatchId) {
		let waits_for_txs = self.waits_for_transactions(&batch_id);
		let Some(entry) = self.entries.get_mut(&batch_id) else { return };
		if waits_for_txs {
			return;
		}
		entry.sends = entry.sends.saturating_add(1);
		self.dirty.insert(batch_id);
		let txs = if self.config.uplink_txs { entry.txs.clone() } else { None };
		self.links.sign(
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
		self.best = view.chain.heads().await.ok().map(|(_, best)| best);
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

	/// Brings the queue in line with the chain at `view.at`: reads the servers and their pending
	/// batches, decides with [`reconcile`] (new pending batches in, finished ones settled, held
	/// countersignatures verified under changed keys, due resubmissions), then does it.
	async fn sync_at(&mut self) -> Result<(), ChainError> {
		let Some(view) = self.view.as_ref() else { return Ok(()) };
		let (chain, at, finalized) = (view.chain.clone(), view.at.clone(), view.finalized);
		let next = chain::next_server_id(&at).await?;
		let mut servers = BTreeMap::new();
		let mut records = HashMap::new();
		for server_id in 0..next {
			let Some(info) = chain::server(&at, server_id).await? else { continue };
			if !info.pending.is_empty() {
				records.extend(chain::pending_batches(&at, server_id).await?);
			}
			servers.insert(server_id, info);
		}
		let pending: HashMap<BatchId, Option<u64>> = records
			.iter()
			.map(|(id, record)| {
				let expires_at = match record.status {
					BatchStatus::Pending { expires_at, .. } => Some(u64::from(expires_at)),
					_ => None,
				};
				(*id, expires_at)
			})
			.collect();
		let attested: HashMap<BatchId, BTreeSet<SatelliteId>> = records
			.iter()
			.map(|(id, record)| {
				(*id, record.status.attestations().iter().map(|a| a.satellite_id).collect())
			})
			.filter(|(_, by): &(BatchId, BTreeSet<SatelliteId>)| !by.is_empty())
			.collect();
		let state = reconcile::ChainState {
			servers: &servers,
			pending: &pending,
			attested: &attested,
			finalized,
		};
		let plan = reconcile::reconcile(
			&self.entries,
			&self.verified_keys,
			&state,
			self.config.resubmit_after,
		);
		if let Some(view) = self.view.as_mut() {
			view.servers = servers;
			view.pending = pending.keys().copied().collect();
			view.attested = attested.clone();
		}

		for (batch_id, expires_at) in plan.expiry {
			self.update(batch_id, |e| e.expires_at = expires_at);
		}
		for batch_id in plan.new {
			let Some(record) = records.get(&batch_id) else { continue };
			let txs = if self.config.uplink_txs {
				indexed_transactions(&chain, &batch_id).await
			} else {
				None
			};
			tracing::info!(target: LOG, %batch_id, server = record.cert.server_id, sequence = record.cert.sequence, "new pending batch");
			let entry = Entry::queued(
				record.cert.clone(),
				record.server_signature.clone(),
				txs,
				Source::Chain,
				pending.get(&batch_id).copied().flatten(),
			);
			self.insert(batch_id, entry);
			self.to_send.push(batch_id);
		}
		for batch_id in plan.gone {
			let record = chain::batch(&at, batch_id).await?;
			let Some(stage) = self.entries.get(&batch_id).map(|e| e.stage.clone()) else {
				continue;
			};
			self.apply_settled(batch_id, reconcile::settle(&stage, record.as_ref()));
		}
		self.recheck(&plan.rekeyed);
		for batch_id in plan.resubmit {
			self.metrics.resubmissions.inc();
			self.record(batch_id, EventKind::Resubmitted, None);
			tracing::info!(target: LOG, %batch_id, "still pending after submission; submitting again");
			self.to_submit.push(batch_id);
		}
		for batch_id in plan.quorum_wait {
			// Its countersignature is on chain and the quorum needs more: ask every link
			// again (a satellite that signed it answers with the same signature, the others
			// sign it in their passes), and wait another `--resubmit-after` blocks.
			if self.links.len() > 1 {
				tracing::info!(target: LOG, %batch_id, "waiting for the quorum's other satellites; asking every link again");
				self.resend_to_links(batch_id);
			}
			self.update(batch_id, |e| {
				if let Stage::Submitted { at_block, .. } = &mut e.stage {
					*at_block = finalized;
				}
			});
		}
		self.update_risk();
		Ok(())
	}

	/// Ends `batch_id`'s entry as the chain says ([`reconcile::settle`]).
	fn apply_settled(&mut self, batch_id: BatchId, settled: reconcile::Settled) {
		use reconcile::Settled;
		match settled {
			Settled::Pending => return,
			Settled::Superseded => {
				tracing::info!(target: LOG, %batch_id, "posted batch superseded on chain");
				self.update(batch_id, |e| e.stage = Stage::Superseded);
			},
			Settled::Certified { at, by_us, countersignature } => {
				if !by_us {
					self.metrics.lost_races.inc();
				}
				self.metrics.certified.inc();
				self.record(batch_id, EventKind::Certified, Some(format!("block {at}")));
				tracing::info!(target: LOG, %batch_id, at, by_us, "certified");
				self.update(batch_id, |e| {
					e.stage = Stage::Certified { at_block: at, by_us, countersignature }
				});
			},
			Settled::Expired { at } => {
				tracing::warn!(target: LOG, %batch_id, at, "expired on chain");
				self.metrics.expired.inc();
				self.record(batch_id, EventKind::Expired, Some(format!("block {at}")));
				self.update(batch_id, |e| e.stage = Stage::Expired { at_block: at });
			},
		}
		self.reasks.remove(&batch_id);
		self.links.cancel(batch_id);
	}

	/// Whether `countersignature` verifies for `entry` under the key, at the latest finalized
	/// block read, of the satellite it names among its server's: the one place the relay checks a
	/// countersignature. One naming a satellite the server does not have does not verify.
	fn verifies(&self, batch_id: &BatchId, entry: &Entry, cs: &Countersignature) -> bool {
		let Some(view) = &self.view else { return false };
		let server = view.servers.get(&entry.cert.server_id);
		let satellite = server.and_then(|s| s.satellite(cs.satellite_id));
		satellite.is_some_and(|satellite| {
			cs.verify(batch_id, &entry.server_signature, &satellite.key).is_ok()
		})
	}

	/// Verifies the countersignatures held for `servers` (read for the first time, or whose
	/// satellites changed on chain) under their keys now: one held as bad that now verifies (the
	/// satellite's key was rotated, or the satellite added, first) is submitted, else asked for
	/// again at once; one held as good that no longer verifies goes back to the satellite.
	fn recheck(&mut self, servers: &BTreeSet<ServerId>) {
		let Some(view) = &self.view else { return };
		let mut verdicts = Vec::new();
		for (batch_id, entry) in &self.entries {
			if !servers.contains(&entry.cert.server_id) {
				continue;
			}
			if let Some(countersignature) = entry.stage.countersignature() {
				let valid = self.verifies(batch_id, entry, &countersignature);
				verdicts.push((*batch_id, entry.stage.clone(), countersignature, valid));
			}
		}
		for server_id in servers {
			match view.servers.get(server_id) {
				Some(server) => self.verified_keys.insert(*server_id, server.satellites.clone()),
				None => self.verified_keys.remove(server_id),
			};
		}
		let now = Instant::now();
		for (batch_id, stage, countersignature, valid) in verdicts {
			match (stage, valid) {
				(Stage::BadCountersignature { .. }, true) => {
					tracing::info!(target: LOG, %batch_id, "the held countersignature verifies under the satellite key on chain now");
					self.reasks.remove(&batch_id);
					self.update(batch_id, |e| e.stage = Stage::Countersigned { countersignature });
					self.to_submit.push(batch_id);
				},
				(Stage::BadCountersignature { .. }, false) => {
					self.reasks.insert(batch_id, Reask { attempts: 0, at: now });
				},
				(Stage::Countersigned { .. } | Stage::Submitted { .. }, false) => {
					tracing::info!(target: LOG, %batch_id, "the held countersignature does not verify under the satellite key on chain; asking again");
					self.update(batch_id, |e| e.stage = Stage::Queued);
					self.to_send.push(batch_id);
				},
				_ => {},
			}
		}
	}

	fn on_link(&mut self, index: LinkIndex, event: LinkEvent) {
		match event {
			LinkEvent::Countersignature { batch_id, countersignature, rtt } => {
				self.metrics.rtt.observe(rtt.as_secs_f64());
				let Some(entry) = self.entries.get(&batch_id) else { return };
				// Waiting for a countersignature: queued, or refused or answered badly on one
				// link while the others may still answer.
				let waiting = matches!(entry.stage, Stage::Queued) || entry.stage.is_retry();
				if !waiting {
					self.another_satellite(index, batch_id, countersignature);
					return;
				}
				match &self.view {
					None => {
						// HTTP-only: no chain to check against; the off-chain worker checks it
						// before submitting, and says so in its next post if it does not verify.
						self.reasks.remove(&batch_id);
						self.update(batch_id, |e| {
							e.stage = Stage::Countersigned { countersignature }
						});
						self.record(batch_id, EventKind::Countersigned, None);
					},
					Some(_) => {
						let valid = self.verifies(&batch_id, entry, &countersignature);
						if valid {
							tracing::debug!(target: LOG, %batch_id, satellite = countersignature.satellite_id, "countersignature verified");
							Self::learn_satellite(
								&mut self.link_states,
								index,
								countersignature.satellite_id,
							);
							self.reasks.remove(&batch_id);
							self.update(batch_id, |e| {
								e.stage = Stage::Countersigned { countersignature }
							});
							self.to_submit.push(batch_id);
						} else {
							tracing::warn!(target: LOG, %batch_id, server = entry.cert.server_id, satellite = countersignature.satellite_id, "countersignature does not verify under the key on chain of the satellite it names (or the server has no such satellite); not submitted, will ask again");
							self.metrics.bad_countersignatures.inc();
							let detail = Some("BadCountersignature".to_string());
							self.record(batch_id, EventKind::Refused, detail);
							self.update(batch_id, |e| {
								e.stage = Stage::BadCountersignature { countersignature }
							});
							self.schedule_reask(batch_id);
						}
					},
				}
			},
			LinkEvent::Rejected { batch_id, reason } => {
				if !self.entries.get(&batch_id).is_some_and(|e| matches!(e.stage, Stage::Queued)) {
					return;
				}
				tracing::warn!(target: LOG, %batch_id, ?reason, "satellite refused to sign; will ask again");
				self.metrics.refused(&format!("{reason:?}"));
				self.record(batch_id, EventKind::Refused, Some(format!("{reason:?}")));
				self.update(batch_id, |e| e.stage = Stage::Refused { reason });
				self.schedule_reask(batch_id);
			},
			LinkEvent::LinkUp(up) => {
				if let Some(state) = self.link_states.get_mut(index) {
					state.up = up;
				}
				self.metrics.link_up.set(self.link_up().into());
			},
			LinkEvent::PassStatus { in_pass, change_in } => {
				let now = now_ms();
				if let Some(state) = self.link_states.get_mut(index) {
					state.in_pass = in_pass;
					state.change_at_ms = change_in.map(|d| {
						now.saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
					});
				}
				let (in_view, change_at) = any_in_view(&self.link_states);
				let change_in = change_at.map(|t| Duration::from_millis(t.saturating_sub(now)));
				self.activity.on_pass_status(now, in_view, change_in);
				self.publish_next_pass();
			},
		}
	}

	/// Whether any satellite link is up.
	fn link_up(&self) -> bool {
		self.link_states.iter().any(|l| l.up)
	}

	/// The quorum of `server_id` at the latest finalized block read (1 when not known).
	fn quorum_of(&self, server_id: ServerId) -> u32 {
		let server = self.view.as_ref().and_then(|v| v.servers.get(&server_id));
		server.map_or(1, |s| s.quorum)
	}

	/// Notes that link `index` reaches `satellite` (a countersignature from it verified).
	fn learn_satellite(links: &mut [LinkState], index: LinkIndex, satellite: SatelliteId) {
		if let Some(state) = links.get_mut(index) {
			state.countersigned = state.countersigned.saturating_add(1);
			if state.satellite != Some(satellite) {
				tracing::info!(target: LOG, link = state.address, satellite, "satellite link identified by its countersignature");
				state.satellite = Some(satellite);
			}
		}
	}

	/// A countersignature of a batch that is no longer waiting for one: the same satellite again
	/// (a retransmission's answer) is dropped; another satellite's, after the first, is counted,
	/// not an error. Under a quorum above one the chain may still need it: verified and, if the
	/// chain does not hold it yet, submitted.
	fn another_satellite(
		&mut self,
		index: LinkIndex,
		batch_id: BatchId,
		countersignature: Countersignature,
	) {
		let Some(entry) = self.entries.get(&batch_id) else { return };
		let held = entry.stage.countersignature().map(|c| c.satellite_id);
		if held == Some(countersignature.satellite_id) {
			return;
		}
		self.metrics.other_satellite.inc();
		let valid = self.verifies(&batch_id, entry, &countersignature);
		if valid {
			Self::learn_satellite(&mut self.link_states, index, countersignature.satellite_id);
		}
		let open = !entry.stage.is_final();
		let quorum = self.quorum_of(entry.cert.server_id);
		let held_on_chain = self.view.as_ref().is_some_and(|v| {
			v.attested.get(&batch_id).is_some_and(|by| by.contains(&countersignature.satellite_id))
		});
		tracing::info!(target: LOG, %batch_id, satellite = countersignature.satellite_id, valid, quorum, "a countersignature from another satellite after the first");
		if valid && open && quorum > 1 && !held_on_chain {
			self.to_attest.push((batch_id, countersignature));
		}
	}

	/// Brings the link's counters into the metrics.
	fn read_link_stats(&mut self) {
		let now = self.links.stats();
		let was = std::mem::replace(&mut self.link_counts, now);
		self.metrics
			.retransmissions
			.inc_by(now.retransmissions.saturating_sub(was.retransmissions));
		self.metrics.busy.inc_by(now.busy.saturating_sub(was.busy));
		self.metrics.unsolicited.inc_by(now.unsolicited.saturating_sub(was.unsolicited));
		self.metrics.link_bytes(
			now.bytes_up.saturating_sub(was.bytes_up),
			now.bytes_down.saturating_sub(was.bytes_down),
		);
		self.metrics.in_flight.set(now.in_flight.try_into().unwrap_or(i64::MAX));
	}

	fn on_tick(&mut self) {
		self.read_link_stats();
		self.publish_next_pass();
		self.update_risk();
		self.reask_due();
		self.prune();
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

/// `batch_id`'s transactions from the node's off-chain index, or `None` (logged) when it has
/// not got them: the certificate alone is sent then.
async fn indexed_transactions(chain: &Chain, batch_id: &BatchId) -> Option<Vec<Vec<u8>>> {
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

#[cfg(test)]
mod tests {
	use super::*;
	use space_notary_primitives::BatchCertificate;

	#[test]
	fn asking_again_backs_off_from_the_first_wait_to_the_longest() {
		let (min, max) = (Duration::from_secs(30), Duration::from_secs(600));
		let waits: Vec<u64> = (1..=7).map(|n| reask_delay(n, min, max).as_secs()).collect();
		assert_eq!(waits, vec![30, 60, 120, 240, 480, 600, 600]);
		assert_eq!(reask_delay(0, min, max), min);
		assert_eq!(reask_delay(u32::MAX, min, max), max);
	}

	#[test]
	fn entries_outlive_their_use_only_by_chain_state_or_age() {
		let sig = sp_core::ed25519::Signature::from_raw([0; 64]);
		let entry = |source, stage| Entry {
			stage,
			..Entry::queued(BatchCertificate::default(), sig.into(), None, source, None)
		};
		let (retention, max_age) = (Duration::from_secs(60), Duration::from_secs(3600));
		let now = 10_000_000;
		let created = |ago: u64| Times { created_ms: now - ago * 1000, settled_ms: 0 };
		let settled = |ago: u64| Times { created_ms: 1, settled_ms: now - ago * 1000 };
		let refused = Stage::Refused { reason: space_notary_primitives::link::RejectReason::Stale };
		let certified = Stage::Certified { at_block: 1, by_us: true, countersignature: None };
		let table = [
			(
				"certified, within retention",
				Source::Chain,
				certified.clone(),
				settled(59),
				false,
				false,
			),
			("certified, past retention", Source::Chain, certified, settled(60), false, true),
			(
				"superseded, past retention",
				Source::Http,
				Stage::Superseded,
				settled(61),
				false,
				true,
			),
			("refused is never final", Source::Chain, refused.clone(), created(7200), true, false),
			("posted, pending on chain", Source::Http, Stage::Queued, created(7200), true, false),
			("posted, not on chain, old", Source::Http, refused, created(3600), false, true),
			(
				"posted, not on chain, young",
				Source::Http,
				Stage::Queued,
				created(3599),
				false,
				false,
			),
			("from chain, not final", Source::Chain, Stage::Queued, created(7200), false, false),
		];
		for (name, source, stage, times, on_chain, expected) in table {
			let got = outlived(&entry(source, stage), times, on_chain, now, retention, max_age);
			assert_eq!(got, expected, "{name}");
		}
	}
}
