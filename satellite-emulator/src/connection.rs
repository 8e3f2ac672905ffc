//! One ground station connection: its TCP stream, the two radio directions in front of the
//! satellite, and the session that answers each message.
//!
//! ```text
//! TCP read ─ PacketCutter ─▶ uplink Radio ─▶ Deframer ─▶ session ─▶ signer queue
//!                                                          │  ▲          │
//! TCP write ◀─ downlink Radio ◀─ to_packets ◀── answers ◀──┘  └──────────┘
//! ```
//!
//! Session rules:
//! - `Hello` is answered `HelloAck { accepted }`: accepted when the protocol version and the
//!   genesis hash are the satellite's. It is advisory: the satellite keeps no session state,
//!   so requests sent without a `Hello`, or after a refused one, are still answered, each on
//!   its own merits (a wrong genesis hash is then refused per request as `GenesisMismatch`).
//! - `SignRequest` goes to the signer; if its queue is full the answer is `Busy`.
//! - A message that does not decode is `Rejected { request_id: 0, reason: Malformed }`.
//! - When the ground station closes the connection, answers still on their way are lost.

use sp_core::H256;
use space_notary_primitives::link::{
	Deframer, DeframerStats, Direction, Downlink, RejectReason, SequenceCounter, Uplink,
	PROTOCOL_VERSION,
};
use std::sync::Arc;
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::TcpStream,
	sync::mpsc,
	time::Instant,
};

use crate::{
	config::EmulatorConfig,
	link_model::{Impairments, LinkParams, PacketCutter, Radio},
	pass::PassClock,
	signer::{SignJob, SignerHandle},
	telemetry::Metrics,
};

/// Packets that may wait for the air in each direction; beyond, TCP pushes back.
const RADIO_QUEUE: usize = 64;

/// What every connection shares.
pub struct Shared {
	/// Link parameters.
	pub link: LinkParams,
	/// Seed of the loss and corruption draws.
	pub seed: u64,
	/// The chain served, for `HelloAck`.
	pub genesis_hash: H256,
	/// Largest uplink message accepted.
	pub max_message_len: usize,
	/// `retry_after_ms` suggested in `Busy`.
	pub busy_retry_ms: u32,
	/// Pass windows.
	pub passes: Arc<PassClock>,
	/// Counters.
	pub metrics: Arc<Metrics>,
	/// The signer queue.
	pub signer: SignerHandle,
}

impl Shared {
	/// The shared state for `config`'s connections.
	pub fn new(
		config: &EmulatorConfig,
		passes: Arc<PassClock>,
		metrics: Arc<Metrics>,
		signer: SignerHandle,
	) -> Self {
		// A full-mode request: the transactions with their compact length prefixes, plus the
		// certificate and signature, with room to spare.
		let max_txs = usize::try_from(config.limits.max_txs).unwrap_or(usize::MAX);
		let max_bytes = usize::try_from(config.limits.max_bytes).unwrap_or(usize::MAX);
		let max_message_len =
			max_bytes.saturating_add(max_txs.saturating_mul(5)).saturating_add(1024);
		Self {
			link: config.link,
			seed: config.seed,
			genesis_hash: config.limits.genesis_hash,
			max_message_len,
			busy_retry_ms: config.busy_retry_ms,
			passes,
			metrics,
			signer,
		}
	}

	fn radio(&self, direction: Direction) -> Radio {
		Radio {
			direction,
			params: self.link,
			impairments: Impairments::new(&self.link, self.seed, direction),
			passes: self.passes.clone(),
			metrics: self.metrics.clone(),
		}
	}
}

/// Serves one connection until the ground station closes it or a socket fails.
pub async fn serve(stream: TcpStream, shared: Arc<Shared>) {
	let _ = stream.set_nodelay(true);
	let (mut tcp_read, mut tcp_write) = stream.into_split();
	// Into a radio, each packet goes with the instant it was queued: the radio paces from it.
	let (to_uplink, uplink_in) = mpsc::channel::<(Instant, Vec<u8>)>(RADIO_QUEUE);
	let (uplink_out, mut received) = mpsc::channel::<Vec<u8>>(RADIO_QUEUE);
	let (to_downlink, downlink_in) = mpsc::channel::<(Instant, Vec<u8>)>(RADIO_QUEUE);
	let (downlink_out, mut to_ground) = mpsc::channel::<Vec<u8>>(RADIO_QUEUE);
	let (answers, mut answers_rx) = mpsc::unbounded_channel::<Downlink>();

	// The ground station's modem: bytes in, packets onto the uplink.
	let modem = async move {
		let mut cutter = PacketCutter::new(Direction::Uplink);
		let mut buf = vec![0u8; 4096];
		loop {
			match tcp_read.read(&mut buf).await {
				Ok(0) | Err(_) => break,
				Ok(n) => {
					cutter.push(&buf[..n]);
					while let Some(packet) = cutter.next_packet() {
						if to_uplink.send((Instant::now(), packet)).await.is_err() {
							return;
						}
					}
				},
			}
		}
	};
	let writer = async move {
		while let Some(packet) = to_ground.recv().await {
			if tcp_write.write_all(&packet).await.is_err() {
				break;
			}
		}
	};
	let uplink = shared.radio(Direction::Uplink).run(uplink_in, uplink_out);
	let downlink = shared.radio(Direction::Downlink).run(downlink_in, downlink_out);

	let session = {
		let shared = shared.clone();
		async move {
			let mut deframer = Deframer::new(Direction::Uplink, shared.max_message_len);
			let mut reported = DeframerStats::default();
			let mut sequence = SequenceCounter::default();
			loop {
				tokio::select! {
					// Answers first: they free the signer's replies and the ground's window.
					biased;
					Some(answer) = answers_rx.recv() => {
						for packet in answer.to_packets(&mut sequence) {
							if to_downlink.send((Instant::now(), packet)).await.is_err() {
								return;
							}
						}
					},
					packet = received.recv() => {
						let Some(packet) = packet else { return };
						deframer.push(&packet);
						// The radio delivers whole packets: whatever is left is a packet whose
						// length field was corrupted, and nothing more of it will come.
						deframer.resync_stalled();
						report_decoder(&shared.metrics, &deframer, &mut reported);
						while let Some((apid, payload)) = deframer.next_message() {
							handle(&shared, apid, &payload, &answers);
						}
					},
				}
			}
		}
	};
	shared.metrics.connection(1);
	// The session ends when the uplink does; the rest then drains or stops with it.
	tokio::select! {
		_ = async { tokio::join!(modem, uplink, downlink, writer) } => {},
		_ = session => {},
	}
	shared.metrics.connection(-1);
}

fn report_decoder(metrics: &Metrics, deframer: &Deframer, reported: &mut DeframerStats) {
	let now = deframer.stats();
	metrics.decoder(DeframerStats {
		packets_ok: now.packets_ok - reported.packets_ok,
		packets_corrupted: now.packets_corrupted - reported.packets_corrupted,
		bytes_skipped: now.bytes_skipped - reported.bytes_skipped,
		messages_dropped: now.messages_dropped - reported.messages_dropped,
		messages_corrupted: now.messages_corrupted - reported.messages_corrupted,
	});
	*reported = now;
}

/// Answers one uplink message (sign requests asynchronously, through the signer).
fn handle(shared: &Shared, apid: u16, payload: &[u8], answers: &mpsc::UnboundedSender<Downlink>) {
	let message = match Uplink::decode_payload(apid, payload) {
		Ok(message) => message,
		Err(error) => {
			tracing::debug!(target: "satellite::link", apid, ?error, "undecodable message");
			shared.metrics.refused(RejectReason::Malformed);
			let _ = answers.send(Downlink::Rejected {
				request_id: 0,
				batch_id: H256::zero(),
				reason: RejectReason::Malformed,
			});
			return;
		},
	};
	let answer = match message {
		Uplink::Hello { protocol_version, genesis_hash } => {
			let accepted =
				protocol_version == PROTOCOL_VERSION && genesis_hash == shared.genesis_hash;
			tracing::info!(target: "satellite::link", protocol_version, %genesis_hash, accepted, "hello");
			Downlink::HelloAck { protocol_version: PROTOCOL_VERSION, accepted }
		},
		Uplink::Ping { nonce } => Downlink::Pong { nonce },
		Uplink::StatusRequest => {
			Downlink::Status(shared.metrics.snapshot(shared.passes.state_at(Instant::now())))
		},
		Uplink::SignRequest { request_id, cert, server_signature, txs } => {
			let job = SignJob { request_id, cert, server_signature, txs, reply: answers.clone() };
			match shared.signer.try_submit(job) {
				Ok(()) => return,
				Err(full) => {
					tracing::debug!(target: "satellite::link", request_id = full.request_id, "signer queue full");
					shared.metrics.busy();
					Downlink::Busy { retry_after_ms: shared.busy_retry_ms }
				},
			}
		},
	};
	let _ = answers.send(answer);
}
