//! A test double of the space node for what the real emulator cannot do on demand: answer
//! every sign request with a countersignature that does not verify, answer as a damaged or
//! hostile downlink would, or lose one chosen request.
//!
//! It speaks the real link (primitives' frames and messages) on 127.0.0.1:0 and answers
//! `Hello`, `StatusRequest` (always in a pass) and `Ping` as the emulator does.

use sp_core::{ed25519, Pair, H256};
use space_notary_primitives::{
	link::{
		Deframer, Direction, Downlink, RejectReason, SequenceCounter, Telemetry, Uplink,
		DEFAULT_MAX_MESSAGE_LEN, PROTOCOL_VERSION,
	},
	satellite_payload_v2, ServerId,
};
use std::{collections::HashSet, net::SocketAddr};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::TcpListener,
};

/// How the double answers sign requests.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // one per test
pub enum Behaviour {
	/// Signs with a key that is not the server's satellite key.
	WrongKey,
	/// The first copy of each request gets `Busy { retry_after_ms: u32::MAX }`, a `Rejected`
	/// for a request id not in flight and a `Rejected` for the right request id but another
	/// batch; a retransmitted copy is signed with `key`.
	Hostile {
		/// The real satellite key.
		key: ed25519::Pair,
	},
	/// Refuses the first sign request it hears (`Rejected: Stale`, as a forged downlink could),
	/// then answers every other one with a countersignature under a key that is not the server's.
	RefusesThenWrongKey,
	/// Signs with `key`, but the first copy of the first request of `server_id` is lost on the
	/// way up; `lost` hears when that happens.
	LosesFirstRequestOf {
		/// The real satellite key.
		key: ed25519::Pair,
		/// Whose request is lost.
		server_id: ServerId,
		/// Told of the loss.
		lost: tokio::sync::mpsc::UnboundedSender<()>,
	},
}

/// A running fake satellite; stops when dropped, closing its connections.
pub struct FakeSatellite {
	/// Its address.
	pub addr: SocketAddr,
	task: tokio::task::JoinHandle<()>,
	connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

/// The answers to one uplink message.
fn answer(message: Uplink, behaviour: &Behaviour, seen: &mut HashSet<u32>) -> Vec<Downlink> {
	match message {
		Uplink::Hello { .. } => {
			vec![Downlink::HelloAck { protocol_version: PROTOCOL_VERSION, accepted: true }]
		},
		Uplink::StatusRequest => {
			vec![Downlink::Status(Telemetry { in_pass: true, ..Default::default() })]
		},
		Uplink::Ping { nonce } => vec![Downlink::Pong { nonce }],
		Uplink::SignRequest { request_id, cert, server_signature, .. } => {
			let batch_id = cert.batch_id();
			// Satellite 0 (the one `register` names by default), signing at the certificate's time.
			let (satellite_id, signed_at_ms) = (0, cert.issued_at_ms);
			let payload =
				satellite_payload_v2(&batch_id, &server_signature, satellite_id, signed_at_ms);
			let countersign = |key: &ed25519::Pair| {
				vec![Downlink::Countersignature {
					request_id,
					batch_id,
					satellite_id,
					signed_at_ms,
					signature: key.sign(&payload),
				}]
			};
			match behaviour {
				Behaviour::WrongKey => countersign(&ed25519::Pair::from_seed(&[0xEE; 32])),
				Behaviour::RefusesThenWrongKey if seen.is_empty() => {
					seen.insert(request_id);
					vec![Downlink::Rejected { request_id, batch_id, reason: RejectReason::Stale }]
				},
				Behaviour::RefusesThenWrongKey => {
					countersign(&ed25519::Pair::from_seed(&[0xEE; 32]))
				},
				Behaviour::Hostile { key } if !seen.insert(request_id) => countersign(key),
				Behaviour::LosesFirstRequestOf { key, server_id, lost } => {
					if cert.server_id == *server_id && seen.is_empty() {
						seen.insert(request_id);
						let _ = lost.send(());
						return Vec::new();
					}
					countersign(key)
				},
				Behaviour::Hostile { .. } => vec![
					Downlink::Busy { retry_after_ms: u32::MAX },
					Downlink::Rejected {
						request_id: request_id.wrapping_add(1000),
						batch_id,
						reason: RejectReason::Stale,
					},
					Downlink::Rejected {
						request_id,
						batch_id: H256::repeat_byte(1),
						reason: RejectReason::Stale,
					},
				],
			}
		},
	}
}

impl FakeSatellite {
	/// Starts one that signs everything with the wrong key.
	pub async fn wrong_key() -> Self {
		Self::start(Behaviour::WrongKey).await
	}

	/// Starts one that behaves as `behaviour` says.
	pub async fn start(behaviour: Behaviour) -> Self {
		let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
		let held = connections.clone();
		let task = tokio::spawn(async move {
			loop {
				let Ok((mut stream, _)) = listener.accept().await else { return };
				let behaviour = behaviour.clone();
				let connection = tokio::spawn(async move {
					let mut deframer = Deframer::new(Direction::Uplink, DEFAULT_MAX_MESSAGE_LEN);
					let mut seq = SequenceCounter::default();
					let mut seen = HashSet::new();
					let mut buf = vec![0u8; 4096];
					loop {
						let n = match stream.read(&mut buf).await {
							Ok(0) | Err(_) => return,
							Ok(n) => n,
						};
						deframer.push(&buf[..n]);
						while let Some((apid, payload)) = deframer.next_message() {
							let Ok(message) = Uplink::decode_payload(apid, &payload) else {
								continue;
							};
							for downlink in answer(message, &behaviour, &mut seen) {
								for packet in downlink.to_packets(&mut seq) {
									if stream.write_all(&packet).await.is_err() {
										return;
									}
								}
							}
						}
					}
				});
				held.lock().unwrap().push(connection);
			}
		});
		Self { addr, task, connections }
	}
}

impl Drop for FakeSatellite {
	fn drop(&mut self) {
		self.task.abort();
		for connection in self.connections.lock().unwrap().drain(..) {
			connection.abort();
		}
	}
}
