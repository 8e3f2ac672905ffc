//! A test double of the space node for what the real emulator cannot do on demand: answer
//! every sign request with a countersignature that does not verify.
//!
//! It speaks the real link (primitives' frames and messages) on 127.0.0.1:0, answers `Hello`,
//! `StatusRequest` (always in a pass) and `Ping` as the emulator does, and signs every request
//! with a key that is not the server's satellite key.

use sp_core::{ed25519, Pair};
use space_notary_primitives::link::{
	Deframer, Direction, Downlink, SequenceCounter, Telemetry, Uplink, DEFAULT_MAX_MESSAGE_LEN,
	PROTOCOL_VERSION,
};
use std::net::SocketAddr;
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::TcpListener,
};

/// A running fake satellite; stops when dropped.
pub struct FakeSatellite {
	/// Its address.
	pub addr: SocketAddr,
	task: tokio::task::JoinHandle<()>,
}

impl FakeSatellite {
	/// Starts one that signs everything with the wrong key.
	pub async fn wrong_key() -> Self {
		let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		let task = tokio::spawn(async move {
			let wrong = ed25519::Pair::from_seed(&[0xEE; 32]);
			loop {
				let Ok((mut stream, _)) = listener.accept().await else { return };
				let wrong = wrong.clone();
				tokio::spawn(async move {
					let mut deframer = Deframer::new(Direction::Uplink, DEFAULT_MAX_MESSAGE_LEN);
					let mut seq = SequenceCounter::default();
					let mut buf = vec![0u8; 4096];
					loop {
						let n = match stream.read(&mut buf).await {
							Ok(0) | Err(_) => return,
							Ok(n) => n,
						};
						deframer.push(&buf[..n]);
						while let Some((apid, payload)) = deframer.next_message() {
							let answer = match Uplink::decode_payload(apid, &payload) {
								Ok(Uplink::Hello { .. }) => Downlink::HelloAck {
									protocol_version: PROTOCOL_VERSION,
									accepted: true,
								},
								Ok(Uplink::StatusRequest) => Downlink::Status(Telemetry {
									in_pass: true,
									..Default::default()
								}),
								Ok(Uplink::Ping { nonce }) => Downlink::Pong { nonce },
								Ok(Uplink::SignRequest {
									request_id,
									cert,
									server_signature,
									..
								}) => Downlink::Countersignature {
									request_id,
									batch_id: cert.batch_id(),
									signature: wrong
										.sign(&cert.satellite_payload(&server_signature)),
								},
								Err(_) => continue,
							};
							for packet in answer.to_packets(&mut seq) {
								if stream.write_all(&packet).await.is_err() {
									return;
								}
							}
						}
					}
				});
			}
		});
		Self { addr, task }
	}
}

impl Drop for FakeSatellite {
	fn drop(&mut self) {
		self.task.abort();
	}
}
