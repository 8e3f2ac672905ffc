//! The link client's state machine: one task that owns the connection, the jobs, the window and
//! the timers (the module docs of `link` give the rules).

use super::{
	rtt::RttEstimate, Command, LinkConfig, LinkEvent, LinkStats, SignJob, LOG, STALL_TIMEOUT,
};
use backon::BackoffBuilder;
use space_notary_primitives::{
	link::{
		Deframer, Direction, Downlink, RequestId, SequenceCounter, Uplink, DEFAULT_MAX_MESSAGE_LEN,
		PROTOCOL_VERSION,
	},
	BatchId, Countersignature, ServerId,
};
use std::{
	collections::{BTreeSet, HashMap, VecDeque},
	time::Duration,
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{tcp::OwnedWriteHalf, TcpStream},
	sync::mpsc,
	time::{sleep_until, Instant},
};

struct InFlight {
	request_id: RequestId,
	sent_at: Instant,
	deadline: Instant,
	backoff: backon::ExponentialBackoff,
	retries: u32,
}

struct Job {
	job: SignJob,
	flight: Option<InFlight>,
}

/// When the satellite can be reached, from its last status.
#[derive(Clone, Copy, Debug)]
enum PassEstimate {
	/// No status yet: try.
	Unknown,
	/// In a pass until `until` (`None`: always in view).
	InPass { until: Option<Instant> },
	/// Out of view until `until` (`None`: unknown).
	Gap { until: Option<Instant> },
}

struct Connection {
	writer: OwnedWriteHalf,
	downlink: mpsc::UnboundedReceiver<Downlink>,
	reader: tokio::task::JoinHandle<()>,
}

impl Drop for Connection {
	fn drop(&mut self) {
		self.reader.abort();
	}
}

pub(super) struct Client {
	config: LinkConfig,
	events: mpsc::UnboundedSender<LinkEvent>,
	jobs: HashMap<BatchId, Job>,
	/// Jobs not in flight, per server, by sequence: several candidates at one sequence wait side
	/// by side (module docs, "Candidates").
	queues: HashMap<ServerId, BTreeSet<(u64, BatchId)>>,
	/// Servers that may have a job to send and none in flight (checked again when taken).
	ready: VecDeque<ServerId>,
	/// The request in flight of each server.
	flying: HashMap<ServerId, BatchId>,
	by_request: HashMap<RequestId, BatchId>,
	next_request: RequestId,
	sequence: SequenceCounter,
	rtt: RttEstimate,
	pass: PassEstimate,
	paused_until: Option<Instant>,
	last_heard: Option<Instant>,
	next_status: Instant,
	next_connect: Instant,
	connect_backoff: backon::ExponentialBackoff,
	link_up: bool,
	stats: std::sync::Arc<LinkStats>,
}

fn reconnect_backoff() -> backon::ExponentialBackoff {
	backon::ExponentialBuilder::default()
		.with_min_delay(Duration::from_millis(200))
		.with_max_delay(Duration::from_secs(10))
		.with_jitter()
		.without_max_times()
		.build()
}

impl Client {
	pub(super) fn new(
		config: LinkConfig,
		events: mpsc::UnboundedSender<LinkEvent>,
		stats: std::sync::Arc<LinkStats>,
	) -> Self {
		let now = Instant::now();
		// Request ids need only be unique among this client's requests in flight; a random
		// start keeps two bridges' ids (and one bridge's across restarts) apart in the logs.
		let next_request = rand_u32();
		Self {
			config,
			events,
			jobs: HashMap::new(),
			queues: HashMap::new(),
			ready: VecDeque::new(),
			flying: HashMap::new(),
			by_request: HashMap::new(),
			next_request,
			sequence: SequenceCounter::default(),
			rtt: RttEstimate { srtt: None, rttvar: Duration::ZERO },
			pass: PassEstimate::Unknown,
			paused_until: None,
			last_heard: None,
			next_status: now,
			next_connect: now,
			connect_backoff: reconnect_backoff(),
			link_up: false,
			stats,
		}
	}

	fn emit(&self, event: LinkEvent) {
		let _ = self.events.send(event);
	}

	pub(super) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
		let mut conn: Option<Connection> = None;
		loop {
			let now = Instant::now();
			if conn.is_none() && now >= self.next_connect {
				conn = self.connect().await;
			}
			if let Some(c) = conn.as_mut() {
				if let Err(error) = self.pump(c).await {
					tracing::warn!(target: LOG, %error, "space link write failed; reconnecting");
					conn = None;
					self.lost_connection();
				}
			}
			self.report();
			let wake = self.next_wake(conn.is_some());
			tokio::select! {
				command = commands.recv() => {
					let Some(command) = command else { return };
					self.command(command);
					// Take every queued command before sending, so that a server's batches
					// handed over together go out lowest sequence first.
					while let Ok(command) = commands.try_recv() {
						self.command(command);
					}
				},
				message = async {
					match conn.as_mut() {
						Some(c) => c.downlink.recv().await,
						None => std::future::pending().await,
					}
				} => match message {
					Some(message) => {
						self.handle(message);
						if let Some(c) = conn.as_mut() {
							while let Ok(message) = c.downlink.try_recv() {
								self.handle(message);
							}
						}
					},
					None => {
						tracing::warn!(target: LOG, "space link closed; reconnecting");
						conn = None;
						self.lost_connection();
					},
				},
				_ = sleep_until(wake) => {},
			}
		}
	}

	fn lost_connection(&mut self) {
		self.next_connect = Instant::now() + self.connect_backoff.next().unwrap_or_default();
		self.last_heard = None;
		// Everything in flight goes out again on the next connection.
		for (batch_id, job) in self.jobs.iter_mut() {
			if let Some(flight) = job.flight.take() {
				self.by_request.remove(&flight.request_id);
				self.queues
					.entry(job.job.cert.server_id)
					.or_default()
					.insert((job.job.cert.sequence, *batch_id));
			}
		}
		self.flying.clear();
		self.ready = self.queues.iter().filter(|(_, q)| !q.is_empty()).map(|(s, _)| *s).collect();
	}

	async fn connect(&mut self) -> Option<Connection> {
		let attempt = tokio::time::timeout(
			Duration::from_secs(5),
			TcpStream::connect(self.config.address.as_str()),
		)
		.await;
		let stream = match attempt {
			Ok(Ok(stream)) => stream,
			Ok(Err(error)) => {
				tracing::debug!(target: LOG, %error, address = %self.config.address, "cannot connect");
				self.next_connect =
					Instant::now() + self.connect_backoff.next().unwrap_or_default();
				return None;
			},
			Err(_) => {
				self.next_connect =
					Instant::now() + self.connect_backoff.next().unwrap_or_default();
				return None;
			},
		};
		let _ = stream.set_nodelay(true);
		self.connect_backoff = reconnect_backoff();
		let (mut read, writer) = stream.into_split();
		let (tx, downlink) = mpsc::unbounded_channel();
		let stats = self.stats.clone();
		let reader = tokio::spawn(async move {
			let mut deframer = Deframer::new(Direction::Downlink, DEFAULT_MAX_MESSAGE_LEN);
			let mut buf = vec![0u8; 16 * 1024];
			loop {
				// A header damaged into a longer length holds back the packets behind it until
				// enough bytes arrive; if the link goes quiet instead, give up on it.
				let read = match tokio::time::timeout(STALL_TIMEOUT, read.read(&mut buf)).await {
					Err(_) => {
						if deframer.pending_len() > 0 {
							deframer.resync_stalled();
						}
						continue;
					},
					Ok(read) => read,
				};
				match read {
					Ok(0) | Err(_) => return,
					Ok(n) => {
						LinkStats::add(&stats.bytes_down, n as u64);
						deframer.push(buf.get(..n).unwrap_or_default());
						while let Some((apid, payload)) = deframer.next_message() {
							match Downlink::decode_payload(apid, &payload) {
								Ok(message) => {
									if tx.send(message).is_err() {
										return;
									}
								},
								Err(error) => {
									tracing::debug!(target: LOG, apid, ?error, "undecodable downlink message");
								},
							}
						}
					},
				}
			}
		});
		tracing::info!(target: LOG, address = %self.config.address, "space link connected");
		let mut conn = Connection { writer, downlink, reader };
		let hello = Uplink::Hello {
			protocol_version: PROTOCOL_VERSION,
			genesis_hash: self.config.genesis_hash,
		};
		if self.send(&mut conn, &hello).await.is_err() {
			self.lost_connection();
			return None;
		}
		self.next_status = Instant::now();
		Some(conn)
	}

	async fn send(&mut self, conn: &mut Connection, message: &Uplink) -> std::io::Result<()> {
		for packet in message.to_packets(&mut self.sequence) {
			conn.writer.write_all(&packet).await?;
			LinkStats::add(&self.stats.bytes_up, packet.len() as u64);
		}
		Ok(())
	}

	fn command(&mut self, command: Command) {
		match command {
			Command::Sign(batch_id, job) => self.add(batch_id, *job),
			Command::Cancel(batch_id) => self.remove(&batch_id),
		}
	}

	fn add(&mut self, batch_id: BatchId, job: SignJob) {
		if self.jobs.contains_key(&batch_id) {
			return;
		}
		let server = job.cert.server_id;
		self.queues.entry(server).or_default().insert((job.cert.sequence, batch_id));
		self.jobs.insert(batch_id, Job { job, flight: None });
		if !self.flying.contains_key(&server) {
			self.ready.push_back(server);
		}
	}

	fn remove(&mut self, batch_id: &BatchId) {
		let Some(job) = self.jobs.remove(batch_id) else { return };
		let server = job.job.cert.server_id;
		match job.flight {
			Some(flight) => {
				self.by_request.remove(&flight.request_id);
				self.release(server);
			},
			None => {
				if let Some(queue) = self.queues.get_mut(&server) {
					queue.remove(&(job.job.cert.sequence, *batch_id));
				}
			},
		}
	}

	/// `server`'s request in flight is answered or gone: its next one may go.
	fn release(&mut self, server: ServerId) {
		self.flying.remove(&server);
		if self.queues.get(&server).is_some_and(|q| !q.is_empty()) {
			self.ready.push_back(server);
		}
	}

	/// Whether the satellite can hear us now, as far as we know.
	fn reachable(&self, now: Instant) -> bool {
		match self.pass {
			PassEstimate::Unknown => true,
			PassEstimate::InPass { until } => until.is_none_or(|t| now < t),
			PassEstimate::Gap { until } => until.is_some_and(|t| now >= t),
		}
	}

	fn in_flight(&self) -> usize {
		self.by_request.len()
	}

	/// Sends what is due: status probes, retransmissions, and new requests up to the window.
	async fn pump(&mut self, conn: &mut Connection) -> std::io::Result<()> {
		let now = Instant::now();
		if now >= self.next_status {
			self.send(conn, &Uplink::StatusRequest).await?;
			self.next_status = now + self.config.status_every;
		}
		if !self.reachable(now) || self.paused_until.is_some_and(|t| now < t) {
			return Ok(());
		}
		// Retransmissions first: they are the oldest requests.
		let due: Vec<BatchId> = self
			.flying
			.values()
			.filter(|id| {
				self.jobs.get(id).and_then(|j| j.flight.as_ref()).is_some_and(|f| now >= f.deadline)
			})
			.copied()
			.collect();
		for batch_id in due {
			self.transmit(conn, batch_id, true).await?;
		}
		while self.in_flight() < self.config.window {
			let Some(server) = self.ready.pop_front() else { break };
			if self.flying.contains_key(&server) {
				continue;
			}
			let Some((_, batch_id)) = self.queues.get_mut(&server).and_then(|q| q.pop_first())
			else {
				continue;
			};
			self.flying.insert(server, batch_id);
			self.transmit(conn, batch_id, false).await?;
		}
		Ok(())
	}

	async fn transmit(
		&mut self,
		conn: &mut Connection,
		batch_id: BatchId,
		retry: bool,
	) -> std::io::Result<()> {
		let rto = self.rtt.rto(self.config.rto_min, self.config.rto_max);
		let now = Instant::now();
		let Some(job) = self.jobs.get_mut(&batch_id) else { return Ok(()) };
		let flight = match job.flight.take() {
			Some(mut flight) => {
				let extra = flight.backoff.next().unwrap_or(self.config.rto_max);
				flight.retries = flight.retries.saturating_add(1);
				flight.sent_at = now;
				flight.deadline = now + (rto + extra).min(self.config.rto_max);
				flight
			},
			None => {
				let request_id = self.next_request;
				self.next_request = self.next_request.wrapping_add(1);
				InFlight {
					request_id,
					sent_at: now,
					deadline: now + rto,
					backoff: backon::ExponentialBuilder::default()
						.with_min_delay(rto)
						.with_max_delay(self.config.rto_max)
						.with_jitter()
						.without_max_times()
						.build(),
					retries: 0,
				}
			},
		};
		let message = Uplink::SignRequest {
			request_id: flight.request_id,
			cert: job.job.cert.clone(),
			server_signature: job.job.server_signature.clone(),
			txs: job.job.txs.clone(),
		};
		self.by_request.insert(flight.request_id, batch_id);
		job.flight = Some(flight);
		if retry {
			LinkStats::add(&self.stats.retransmissions, 1);
		}
		self.send(conn, &message).await
	}

	fn handle(&mut self, message: Downlink) {
		let now = Instant::now();
		self.last_heard = Some(now);
		match message {
			Downlink::HelloAck { protocol_version, accepted } => {
				if accepted {
					tracing::info!(target: LOG, protocol_version, "satellite accepted the session");
				} else {
					tracing::error!(target: LOG, protocol_version, genesis = %self.config.genesis_hash, "satellite refused the session: another protocol version or chain");
				}
			},
			Downlink::Countersignature {
				request_id,
				batch_id,
				satellite_id,
				signed_at_ms,
				signature,
			} => {
				match self.take_request(request_id, &batch_id) {
					Some((sent_at, retries)) => {
						let rtt = now.saturating_duration_since(sent_at);
						// Karn's rule: the answer to a retransmitted request may be the answer
						// to an earlier copy, so its round trip says nothing.
						if retries == 0 {
							self.rtt.sample(rtt);
							self.detect_losses(sent_at, now);
						}
						let countersignature =
							Countersignature { satellite_id, signed_at_ms, signature };
						self.emit(LinkEvent::Countersignature { batch_id, countersignature, rtt });
					},
					None => LinkStats::add(&self.stats.unsolicited, 1),
				}
			},
			Downlink::Rejected { request_id, batch_id, reason } => {
				match self.take_request(request_id, &batch_id) {
					Some((sent_at, retries)) => {
						if retries == 0 {
							self.detect_losses(sent_at, now);
						}
						self.emit(LinkEvent::Rejected { batch_id, reason });
					},
					None => {
						tracing::debug!(target: LOG, request_id, %batch_id, ?reason, "rejection matches no request in flight");
						LinkStats::add(&self.stats.unsolicited, 1);
					},
				}
			},
			Downlink::Busy { retry_after_ms } => {
				let wait = Duration::from_millis(retry_after_ms.into()).min(self.config.busy_cap);
				self.paused_until = Some(now + wait);
				LinkStats::add(&self.stats.busy, 1);
			},
			Downlink::Status(telemetry) => {
				let was_reachable = self.reachable(now);
				let change = (telemetry.pass_change_in_ms > 0)
					.then(|| now + Duration::from_millis(telemetry.pass_change_in_ms));
				self.pass = if telemetry.in_pass {
					PassEstimate::InPass { until: change }
				} else {
					PassEstimate::Gap { until: change }
				};
				self.emit(LinkEvent::PassStatus {
					in_pass: telemetry.in_pass,
					change_in: (telemetry.pass_change_in_ms > 0)
						.then(|| Duration::from_millis(telemetry.pass_change_in_ms)),
				});
				if !was_reachable && self.reachable(now) {
					self.restart_timers(now);
				}
			},
			Downlink::Pong { .. } => {},
		}
	}

	/// The request's last send time and its retransmissions, if `request_id` is in flight for
	/// `batch_id`; it leaves the window.
	fn take_request(
		&mut self,
		request_id: RequestId,
		batch_id: &BatchId,
	) -> Option<(Instant, u32)> {
		if self.by_request.get(&request_id) != Some(batch_id) {
			return None;
		}
		self.by_request.remove(&request_id);
		let job = self.jobs.remove(batch_id)?;
		self.release(job.job.cert.server_id);
		job.flight.map(|f| (f.sent_at, f.retries))
	}

	/// A request last sent at `answered_sent_at` was answered on its first transmission: every
	/// request in flight sent more than the reordering window before it is taken as lost and is
	/// due now (module docs, "Loss detection by answer order").
	fn detect_losses(&mut self, answered_sent_at: Instant, now: Instant) {
		let Some(srtt) = self.rtt.srtt else { return };
		let reordering = srtt / 4;
		for batch_id in self.flying.values() {
			let Some(flight) = self.jobs.get_mut(batch_id).and_then(|j| j.flight.as_mut()) else {
				continue;
			};
			if flight.sent_at + reordering < answered_sent_at && flight.deadline > now {
				tracing::debug!(target: LOG, %batch_id, request_id = flight.request_id, "a later request was answered first: taken as lost");
				flight.deadline = now;
			}
		}
	}

	/// A pass began: what is in flight goes out again now, not when its old timer says.
	fn restart_timers(&mut self, now: Instant) {
		for batch_id in self.flying.values() {
			if let Some(flight) = self.jobs.get_mut(batch_id).and_then(|j| j.flight.as_mut()) {
				flight.deadline = now;
			}
		}
	}

	fn next_wake(&self, connected: bool) -> Instant {
		let now = Instant::now();
		let mut wake = now + Duration::from_secs(1);
		if !connected {
			return self.next_connect.max(now).min(wake);
		}
		wake = wake.min(self.next_status);
		if let Some(t) = self.paused_until.filter(|t| *t > now) {
			wake = wake.min(t);
		}
		if let PassEstimate::Gap { until: Some(t) } = self.pass {
			if t > now {
				wake = wake.min(t);
			}
		}
		for batch_id in self.flying.values() {
			if let Some(f) = self.jobs.get(batch_id).and_then(|j| j.flight.as_ref()) {
				wake = wake.min(f.deadline);
			}
		}
		wake.max(now + Duration::from_millis(1))
	}

	fn report(&mut self) {
		let now = Instant::now();
		let heard_recently = self
			.last_heard
			.is_some_and(|t| now.saturating_duration_since(t) < self.config.status_every * 3);
		let up = heard_recently && self.reachable(now);
		if up != self.link_up {
			self.link_up = up;
			tracing::info!(target: LOG, up, "space link {}", if up { "up" } else { "down" });
			self.emit(LinkEvent::LinkUp(up));
		}
		self.stats.in_flight.store(self.in_flight() as u64, std::sync::atomic::Ordering::Relaxed);
	}
}

fn rand_u32() -> u32 {
	use std::hash::{BuildHasher, Hasher};
	let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
	hasher.write_u64(std::process::id().into());
	hasher.finish() as u32
}
