//! The space-link client: sign requests out, countersignatures back, over a link that is slow,
//! lossy and absent most of the time.
//!
//! It speaks only `space_notary_primitives::link` (CCSDS frames, SCALE messages); it knows
//! nothing of the emulator's code, so a real ground-station modem could take the emulator's
//! place behind the same TCP socket.
//!
//! # Rules
//!
//! - **Pipelined, one per server.** Up to `window` sign requests are in flight at once, a new one
//!   as soon as an answer frees a slot: never stop-and-wait. But at most one request *per
//!   server* is in flight, lowest sequence first. The satellite signs a server's sequence only
//!   if it is strictly above the last it signed for that server (docs/design.md step 4); on a link
//!   that loses packets, two pipelined requests of one server could arrive out of order, the
//!   later one would be signed, and the earlier one could then never be signed and would expire
//!   on chain. So the window fills across servers, and a single server gets one batch per round
//!   trip.
//! - **Candidates.** Anyone who can post to the ground-station API can offer a certificate for a
//!   server's sequence, and server ids and sequences are public on chain. So the queue holds
//!   every candidate at a sequence, keyed by `(sequence, batch id)`, never one per sequence: a
//!   junk certificate posted after the genuine one cannot displace it. Candidates of one sequence
//!   go one after the other (one request per server in flight); the satellite's verdict decides
//!   (it signs the genuine one and refuses the rest as `BadServerSignature` or `Equivocation`),
//!   so a junk candidate delays the genuine one by at most one exchange.
//! - **Retransmission.** A request unanswered after the retransmission timeout is sent again with
//!   the same request id (the satellite answers the same certificate with the same signature, so
//!   a late answer to the first copy is as good). The timeout follows the measured round trip
//!   (`srtt + 4·rttvar`, as TCP does, between `rto_min` and `rto_max`) and grows for each retry
//!   of one request by a `backon` exponential backoff with jitter.
//! - **Loss detection by answer order** (RACK, RFC 8985, simplified). Each direction of the link
//!   is FIFO and the satellite answers about in the order it hears, so when a request is answered
//!   on its first transmission, every request still unanswered that was sent more than a
//!   reordering window (a quarter of the smoothed round trip) before it was lost, or its answer
//!   was: it is sent again at once instead of holding its slot in the window until its timeout
//!   (1.5 round trips or more). On UHF about 6 % of exchanges lose a packet one way or the
//!   other; with this the uplink stays busy for the whole pass (the link bench's counters).
//!   Answers to retransmitted requests take no part (as in Karn's rule, the answer may be to an
//!   earlier copy).
//! - **Busy.** `Busy` names no request; sending pauses for `retry_after_ms`, capped at
//!   `busy_cap` (a damaged or hostile `Busy` cannot stall the station), and the refused request
//!   is retransmitted when its timer fires.
//! - **Untrusted downlink.** A `Countersignature` or `Rejected` counts only if its request id is in
//!   flight with the same batch id; anything else is counted as unsolicited and dropped. The
//!   countersignature itself is verified by the relay against the on-chain key.
//! - **Passes.** `StatusRequest` is sent periodically; the answer says whether a pass is under
//!   way and when that changes. Outside a pass the client sends nothing (retransmission timers
//!   are stopped, not run down) and resumes at the predicted start of the next pass, resending
//!   what is in flight. Without a status answer it keeps probing.
//! - **Reconnects.** A dropped TCP connection is reopened with backoff; `Hello` is sent first and
//!   every request in flight is sent again.

//!
//! # Layout
//!
//! - this module: the configuration, the handle the relay holds and the events it hears;
//! - [`client`]: the client's state machine: the window, retransmission, passes, reconnects;
//! - [`rtt`]: the round-trip estimate that sets the retransmission timeout.
//! - [`Links`]: the clients of one station, one per satellite, behind one handle.

mod client;
mod rtt;

use sp_core::H256;
use space_notary_primitives::{
	link::RejectReason, BatchCertificate, BatchId, Countersignature, ServerSignature,
};
use std::{
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::Duration,
};
use tokio::sync::mpsc;

pub(crate) const LOG: &str = "bridge::link";

/// Quiet time after which a partial packet is given up (a 1 KiB packet takes under a second at
/// 9.6 kbit/s).
pub(crate) const STALL_TIMEOUT: Duration = Duration::from_secs(2);

/// How the link client behaves; see the module docs.
#[derive(Clone, Debug)]
pub struct LinkConfig {
	/// The space node's address (`host:port`).
	pub address: String,
	/// The chain served, sent in `Hello`.
	pub genesis_hash: H256,
	/// Sign requests in flight at once.
	pub window: usize,
	/// Smallest retransmission timeout.
	pub rto_min: Duration,
	/// Largest retransmission timeout.
	pub rto_max: Duration,
	/// Longest pause a `Busy` can impose.
	pub busy_cap: Duration,
	/// How often to ask for the satellite's status.
	pub status_every: Duration,
}

impl LinkConfig {
	/// Defaults for `address` serving `genesis_hash`.
	pub fn new(address: impl Into<String>, genesis_hash: H256) -> Self {
		Self {
			address: address.into(),
			genesis_hash,
			window: 32,
			rto_min: Duration::from_secs(1),
			rto_max: Duration::from_secs(60),
			busy_cap: Duration::from_secs(5),
			status_every: Duration::from_secs(5),
		}
	}
}

/// One countersignature to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignJob {
	/// The certificate.
	pub cert: BatchCertificate,
	/// The server's signature over it.
	pub server_signature: ServerSignature,
	/// Full mode: the transactions, for the satellite's root check.
	pub txs: Option<Vec<Vec<u8>>>,
}

/// What the client reports to the relay.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkEvent {
	/// A countersignature for a request in flight (not yet verified).
	Countersignature {
		/// The batch.
		batch_id: BatchId,
		/// The satellite's v2 countersignature: its number, its clock and its signature.
		countersignature: Countersignature,
		/// From the last send to the answer.
		rtt: Duration,
	},
	/// The satellite refused a request in flight.
	Rejected {
		/// The batch.
		batch_id: BatchId,
		/// Why.
		reason: RejectReason,
	},
	/// Whether the link is usable now (connected and heard from recently).
	LinkUp(bool),
	/// The satellite's status: whether a pass is under way and how long until that changes
	/// (`None`: never, or not known).
	PassStatus {
		/// In a pass now.
		in_pass: bool,
		/// Until the pass ends (in one) or the next begins (outside).
		change_in: Option<Duration>,
	},
}

/// The client's counters, kept in one place and read by whoever wants them ([`LinkHandle::stats`]):
/// what would otherwise be an event per packet for a metric to count.
#[derive(Debug, Default)]
pub struct LinkStats {
	retransmissions: AtomicU64,
	busy: AtomicU64,
	unsolicited: AtomicU64,
	bytes_up: AtomicU64,
	bytes_down: AtomicU64,
	in_flight: AtomicU64,
}

/// A reading of [`LinkStats`]: totals since the client started, and the requests in flight now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkCounts {
	/// Requests sent again.
	pub retransmissions: u64,
	/// `Busy` answers.
	pub busy: u64,
	/// Downlink messages that matched nothing in flight.
	pub unsolicited: u64,
	/// Bytes sent.
	pub bytes_up: u64,
	/// Bytes received.
	pub bytes_down: u64,
	/// Sign requests in flight now.
	pub in_flight: u64,
}

impl LinkStats {
	pub(crate) fn add(counter: &AtomicU64, n: u64) {
		counter.fetch_add(n, Ordering::Relaxed);
	}

	/// The counts now.
	pub fn read(&self) -> LinkCounts {
		LinkCounts {
			retransmissions: self.retransmissions.load(Ordering::Relaxed),
			busy: self.busy.load(Ordering::Relaxed),
			unsolicited: self.unsolicited.load(Ordering::Relaxed),
			bytes_up: self.bytes_up.load(Ordering::Relaxed),
			bytes_down: self.bytes_down.load(Ordering::Relaxed),
			in_flight: self.in_flight.load(Ordering::Relaxed),
		}
	}
}

pub(crate) enum Command {
	Sign(BatchId, Box<SignJob>),
	Cancel(BatchId),
}

/// The relay's handle on the link client; dropping it stops the client.
#[derive(Clone)]
pub struct LinkHandle {
	commands: mpsc::UnboundedSender<Command>,
	stats: Arc<LinkStats>,
}

impl LinkHandle {
	/// Asks for a countersignature of `job` (a second call for the same batch is ignored).
	pub fn sign(&self, batch_id: BatchId, job: SignJob) {
		let _ = self.commands.send(Command::Sign(batch_id, Box::new(job)));
	}

	/// Stops asking for `batch_id` (certified by someone else, expired).
	pub fn cancel(&self, batch_id: BatchId) {
		let _ = self.commands.send(Command::Cancel(batch_id));
	}

	/// The client's counters now.
	pub fn stats(&self) -> LinkCounts {
		self.stats.read()
	}
}

/// Starts the client; events go to `events`. It runs until every [`LinkHandle`] is dropped.
pub fn spawn(
	config: LinkConfig,
	events: mpsc::UnboundedSender<LinkEvent>,
) -> (LinkHandle, tokio::task::JoinHandle<()>) {
	let (commands, rx) = mpsc::unbounded_channel();
	let stats = Arc::new(LinkStats::default());
	let task = tokio::spawn(client::Client::new(config, events, stats.clone()).run(rx));
	(LinkHandle { commands, stats }, task)
}

/// A link's place among a station's links: the order of `--satellite`.
pub type LinkIndex = usize;

/// A station's link clients, one per satellite, behind one handle: what the relay holds.
#[derive(Clone)]
pub struct Links {
	handles: Vec<LinkHandle>,
}

impl Links {
	/// Starts one client per configuration; each event goes to `events` tagged with its link's
	/// index. They run until every handle is dropped.
	pub fn spawn(
		configs: Vec<LinkConfig>,
		events: mpsc::UnboundedSender<(LinkIndex, LinkEvent)>,
	) -> (Self, tokio::task::JoinSet<()>) {
		let mut tasks = tokio::task::JoinSet::new();
		let mut handles = Vec::with_capacity(configs.len());
		for (index, config) in configs.into_iter().enumerate() {
			let (tx, mut rx) = mpsc::unbounded_channel();
			let (handle, client) = spawn(config, tx);
			handles.push(handle);
			let events = events.clone();
			tasks.spawn(async move {
				while let Some(event) = rx.recv().await {
					if events.send((index, event)).is_err() {
						break;
					}
				}
				let _ = client.await;
			});
		}
		(Self { handles }, tasks)
	}

	/// How many links.
	pub fn len(&self) -> usize {
		self.handles.len()
	}

	/// Whether there are none (never, for a relay: `--satellite` is required).
	pub fn is_empty(&self) -> bool {
		self.handles.is_empty()
	}

	/// Asks every link for a countersignature of `job`: whichever satellite is in view first
	/// answers first.
	pub fn sign(&self, batch_id: BatchId, job: SignJob) {
		for handle in &self.handles {
			handle.sign(batch_id, job.clone());
		}
	}

	/// Stops asking any link for `batch_id`.
	pub fn cancel(&self, batch_id: BatchId) {
		for handle in &self.handles {
			handle.cancel(batch_id);
		}
	}

	/// The counters of all links, summed.
	pub fn stats(&self) -> LinkCounts {
		self.handles.iter().map(LinkHandle::stats).fold(LinkCounts::default(), |a, b| LinkCounts {
			retransmissions: a.retransmissions + b.retransmissions,
			busy: a.busy + b.busy,
			unsolicited: a.unsolicited + b.unsolicited,
			bytes_up: a.bytes_up + b.bytes_up,
			bytes_down: a.bytes_down + b.bytes_down,
			in_flight: a.in_flight + b.in_flight,
		})
	}

	/// Link `index`'s counters.
	pub fn stats_of(&self, index: LinkIndex) -> Option<LinkCounts> {
		self.handles.get(index).map(LinkHandle::stats)
	}
}
