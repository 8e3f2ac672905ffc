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
//! - `SignRequest` goes to the signer; if its queue is full the answer is `Busy`. Before it is
//!   decoded, the transactions it uplinks are counted and measured in place: more than
//!   `max_txs` of them, or more than `max_bytes` in all, is `Rejected { BoundsExceeded }` (see
//!   [`uplinked_bounds`]).
//! - A message that does not decode is `Rejected { request_id: 0, reason: Malformed }`.
//! - When the ground station closes the connection, answers still on their way are lost.
//! - A connection whose ground station has sent nothing for the idle timeout, or has not taken
//!   a packet written to it for that long, is closed.
//!
//! # Memory
//!
//! Every stage is bounded, so a connection holds at most a few hundred kilobytes of packets,
//! one message being reassembled (`max_message_len`) and one being decoded, whatever its
//! ground station does. Each queue between the stages holds [`RADIO_QUEUE`] packets and each
//! radio's air holds its [`LinkParams::air_budget`]; a stage that cannot pass a packet on stops
//! taking its own input, so a ground station that does not read its answers fills the downlink,
//! then the session, the uplink, and finally the modem stops reading the socket: TCP pushes
//! back on the sender. The session takes answers before new requests, and its answer queue has
//! room for every answer it can be owed (one per message handled plus one per request in the
//! signer), so the signer never waits for a connection.
use codec::{Compact, Decode};
use sp_core::H256;
use space_notary_primitives::{
	link::{
		apid, Deframer, DeframerStats, Direction, Downlink, RejectReason, RequestId,
		SequenceCounter, Uplink, WireCertificate, PROTOCOL_VERSION,
	},
	BatchCertificate, ServerSignature,
};
use std::{
	sync::{Arc, OnceLock},
	time::Duration,
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::TcpStream,
	sync::mpsc,
	time::{timeout, Instant},
};

use crate::{
	config::EmulatorConfig,
	link_model::{Impairments, LinkParams, PacketCutter, Radio},
	pass::PassClock,
	signer::{SignJob, SignerHandle, MAX_GROUP},
	telemetry::Metrics,
};

/// Packets each queue between two stages holds (module docs, "Memory"); beyond, the stage
/// feeding it waits, and in the end TCP pushes back.
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
	/// Most transactions a sign request may uplink.
	pub max_txs: u32,
	/// Most transaction bytes a sign request may uplink.
	pub max_bytes: u64,
	/// Room in each connection's answer queue (see the module's "Memory").
	pub answer_queue: usize,
	/// How long a connection may receive nothing, or have a write stalled, before it is closed.
	pub idle_timeout: Duration,
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
			max_txs: config.limits.max_txs,
			max_bytes: config.limits.max_bytes,
			// Each request in the signer's queue or group, plus the answer to the message
			// being handled.
			answer_queue: config.queue_depth.saturating_add(MAX_GROUP).saturating_add(1),
			idle_timeout: config.idle_timeout,
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

/// Why a connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
	/// The ground station closed it, or the socket failed.
	ByPeer,
	/// The ground station sent nothing for the idle timeout.
	Idle,
	/// The ground station took nothing written to it for the idle timeout.
	Stalled,
}

/// Serves one connection until the ground station closes it, a socket fails or the connection
/// idles out; says which.
pub async fn serve(stream: TcpStream, shared: Arc<Shared>) -> Closed {
	let _ = stream.set_nodelay(true);
	let (mut tcp_read, mut tcp_write) = stream.into_split();
	// Into a radio, each packet goes with the instant it was queued: the radio paces from it.
	let (to_uplink, uplink_in) = mpsc::channel::<(Instant, Vec<u8>)>(RADIO_QUEUE);
	let (uplink_out, mut received) = mpsc::channel::<Vec<u8>>(RADIO_QUEUE);
	let (to_downlink, downlink_in) = mpsc::channel::<(Instant, Vec<u8>)>(RADIO_QUEUE);
	let (downlink_out, mut to_ground) = mpsc::channel::<Vec<u8>>(RADIO_QUEUE);
	let (answers, mut answers_rx) = mpsc::channel::<Downlink>(shared.answer_queue);
	let idle = shared.idle_timeout;
	// Set by the modem or the writer when the connection idles out.
	let idled = OnceLock::new();
	let idled = &idled;

	// The ground station's modem: bytes in, packets onto the uplink. While the uplink queue is
	// full it does not read, and TCP pushes back on the ground station.
	let modem = async move {
		let mut cutter = PacketCutter::new(Direction::Uplink);
		let mut buf = vec![0u8; 4096];
		loop {
			match timeout(idle, tcp_read.read(&mut buf)).await {
				Err(_) => {
					let _ = idled.set(Closed::Idle);
					break;
				},
				Ok(Ok(0) | Err(_)) => break,
				Ok(Ok(n)) => {
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
			match timeout(idle, tcp_write.write_all(&packet)).await {
				Ok(Ok(())) => {},
				Ok(Err(_)) => break,
				Err(_) => {
					let _ = idled.set(Closed::Stalled);
					break;
				},
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
					// Answers first: they free the signer's replies and the ground's window, and
					// keep the answer queue within its room (module docs).
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
	// The session ends when the uplink does (the modem stopped), or when the downlink is gone
	// (the writer stopped); the rest then drains or stops with it.
	tokio::select! {
		_ = async { tokio::join!(modem, uplink, downlink, writer) } => {},
		_ = session => {},
	}
	shared.metrics.connection(-1);
	let closed = idled.get().copied().unwrap_or(Closed::ByPeer);
	if closed != Closed::ByPeer {
		shared.metrics.connection_idled_out();
	}
	closed
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

/// Queues an answer for the downlink. The queue has room for every answer a connection can
/// be owed (module docs); were it ever full, the answer is dropped like a lost packet.
fn answer(answers: &mpsc::Sender<Downlink>, message: Downlink) {
	if let Err(mpsc::error::TrySendError::Full(message)) = answers.try_send(message) {
		tracing::warn!(target: "satellite::link", apid = message.apid(), "answer queue full: answer dropped");
	}
}

/// Answers one uplink message (sign requests asynchronously, through the signer).
fn handle(shared: &Shared, apid: u16, payload: &[u8], answers: &mpsc::Sender<Downlink>) {
	if apid == apid::SIGN_REQUEST {
		if let Err(refused) = uplinked_bounds(payload, shared.max_txs, shared.max_bytes) {
			tracing::debug!(target: "satellite::link", ?refused, "sign request over the bounds, not decoded");
			shared.metrics.refused(RejectReason::BoundsExceeded);
			return answer(answers, refused);
		}
	}
	let message = match Uplink::decode_payload(apid, payload) {
		Ok(message) => message,
		Err(error) => {
			tracing::debug!(target: "satellite::link", apid, ?error, "undecodable message");
			shared.metrics.refused(RejectReason::Malformed);
			return answer(
				answers,
				Downlink::Rejected {
					request_id: 0,
					batch_id: H256::zero(),
					reason: RejectReason::Malformed,
				},
			);
		},
	};
	let reply = match message {
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
	answer(answers, reply);
}

/// Checks the transactions a `SignRequest` payload uplinks against the bounds before the
/// payload is decoded, reading their count and lengths in place; `Err` is the refusal.
///
/// Decoding allocates for what the payload declares: each transaction becomes a `Vec<u8>` of
/// 24 bytes even when it is empty, one byte on the wire, so a message of `max_message_len`
/// bytes of empty transactions decoded to 25 times its size, and sat in the signer's queue like
/// that, before any check looked at it. Here the walk allocates nothing, and a request that
/// passes decodes to at most `max_txs` vectors holding `max_bytes` in all.
///
/// A payload that ends early or has no transactions (certificate-only) passes: the decoder
/// then judges it. The layout walked is `Uplink::decode_payload`'s (request id, certificate,
/// server signature, optional transactions), pinned by the tests below.
pub fn uplinked_bounds(payload: &[u8], max_txs: u32, max_bytes: u64) -> Result<(), Downlink> {
	let mut input = payload;
	let Some((request_id, cert)) = sign_request_head(&mut input) else { return Ok(()) };
	let refused = || Downlink::Rejected {
		request_id,
		batch_id: cert.batch_id(),
		reason: RejectReason::BoundsExceeded,
	};
	// `Option`: 0 is certificate-only, 1 is followed by the transactions.
	let (Ok(1), Ok(Compact(count))) = (u8::decode(&mut input), Compact::<u32>::decode(&mut input))
	else {
		return Ok(());
	};
	if count > max_txs {
		return Err(refused());
	}
	let mut total = 0u64;
	for _ in 0..count {
		let Ok(Compact(len)) = Compact::<u32>::decode(&mut input) else { return Ok(()) };
		total = total.saturating_add(u64::from(len));
		if total > max_bytes {
			return Err(refused());
		}
		let Some(rest) = usize::try_from(len).ok().and_then(|len| input.get(len..)) else {
			return Ok(());
		};
		input = rest;
	}
	Ok(())
}

/// The request id and certificate at the head of a `SignRequest` payload, `input` left at the
/// transactions.
fn sign_request_head(input: &mut &[u8]) -> Option<(RequestId, BatchCertificate)> {
	let Compact(request_id) = Compact::<u32>::decode(input).ok()?;
	let cert = WireCertificate::decode(input).ok()?;
	ServerSignature::decode(input).ok()?;
	Some((request_id, cert.into()))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sign_request(txs: Option<Vec<Vec<u8>>>) -> (Uplink, Vec<u8>) {
		let request = Uplink::SignRequest {
			request_id: 77,
			cert: BatchCertificate {
				version: 1,
				genesis_hash: H256::repeat_byte(1),
				server_id: 3,
				sequence: 9,
				prev_batch: H256::zero(),
				batch_root: H256::repeat_byte(2),
				tx_count: 1,
				total_bytes: 1,
				issued_at_ms: 1_750_000_000_000,
			},
			server_signature: sp_core::ed25519::Signature::from_raw([5; 64]).into(),
			txs,
		};
		let payload = request.encode_payload();
		(request, payload)
	}

	fn refused(request: &Uplink) -> Result<(), Downlink> {
		let Uplink::SignRequest { request_id, cert, .. } = request else { unreachable!() };
		Err(Downlink::Rejected {
			request_id: *request_id,
			batch_id: cert.batch_id(),
			reason: RejectReason::BoundsExceeded,
		})
	}

	#[test]
	fn uplinked_transactions_are_counted_and_measured_before_decoding() {
		let txs = vec![vec![1u8; 10], vec![2u8; 20], vec![3u8; 30]];
		let (request, payload) = sign_request(Some(txs));
		assert_eq!(uplinked_bounds(&payload, 3, 60), Ok(()));
		assert_eq!(uplinked_bounds(&payload, 2, 60), refused(&request));
		assert_eq!(uplinked_bounds(&payload, 3, 59), refused(&request));
		// Certificate-only requests uplink nothing to bound.
		let (_, payload) = sign_request(None);
		assert_eq!(uplinked_bounds(&payload, 1, 0), Ok(()));
	}

	/// Issue 20: a sign request of empty transactions, one byte each on the wire, decoded to 24
	/// bytes per transaction before the bounds were checked.
	#[test]
	fn a_sign_request_of_empty_transactions_is_refused_by_its_declared_count() {
		let (request, payload) = sign_request(Some(vec![Vec::new(); 100_000]));
		assert_eq!(uplinked_bounds(&payload, 10_000, 1 << 20), refused(&request));
		// A count declared beyond the payload is refused without reading further.
		let (_, mut payload) = sign_request(None);
		payload.pop();
		payload.push(1);
		payload.extend_from_slice(&codec::Encode::encode(&Compact(u32::MAX)));
		let Err(Downlink::Rejected {
			request_id: 77, reason: RejectReason::BoundsExceeded, ..
		}) = uplinked_bounds(&payload, 10_000, 1 << 20)
		else {
			panic!("not refused")
		};
	}

	#[test]
	fn what_does_not_parse_is_left_to_the_decoder() {
		let (_, payload) = sign_request(Some(vec![vec![1u8; 10]]));
		for cut in 0..payload.len() {
			// Never a refusal for a prefix of a request within bounds; the decoder says Malformed.
			assert_eq!(uplinked_bounds(&payload[..cut], 10, 100), Ok(()), "cut at {cut}");
		}
	}
}
