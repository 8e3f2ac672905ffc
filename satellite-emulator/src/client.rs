//! A minimal ground-side client of the space link, built from the primitives' framing: used
//! by `satellite-emulator status`, the tests and the benchmarks.
//!
//! It neither retransmits nor pipelines on its own; callers decide (the bridge is the real
//! ground station).

use space_notary_primitives::link::{
	Deframer, DeframerStats, Direction, Downlink, SequenceCounter, Telemetry, Uplink,
	DEFAULT_MAX_MESSAGE_LEN,
};
use std::{net::SocketAddr, time::Duration};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{
		tcp::{OwnedReadHalf, OwnedWriteHalf},
		TcpStream,
	},
};

/// The link client failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
	/// Could not connect.
	#[error("cannot connect to {addr}: {source}")]
	Connect {
		/// The address.
		addr: SocketAddr,
		/// Why.
		source: std::io::Error,
	},
	/// The connection failed.
	#[error("link connection: {0}")]
	Io(#[from] std::io::Error),
	/// The satellite closed the connection.
	#[error("the satellite closed the connection")]
	Closed,
	/// No telemetry arrived in time (out of pass, or lost on the way).
	#[error("no telemetry after {attempts} attempts of {timeout:?} (out of pass?)")]
	NoAnswer {
		/// Requests sent.
		attempts: u32,
		/// Wait after each.
		timeout: Duration,
	},
}

/// A ground station connection to the emulator.
pub struct LinkClient {
	read: OwnedReadHalf,
	write: OwnedWriteHalf,
	sequence: SequenceCounter,
	deframer: Deframer,
	undecodable: u64,
	bytes_sent: u64,
}

impl LinkClient {
	/// Connects to the emulator at `addr`.
	pub async fn connect(addr: SocketAddr) -> Result<Self, ClientError> {
		let stream = TcpStream::connect(addr)
			.await
			.map_err(|source| ClientError::Connect { addr, source })?;
		let _ = stream.set_nodelay(true);
		let (read, write) = stream.into_split();
		Ok(Self {
			read,
			write,
			sequence: SequenceCounter::default(),
			deframer: Deframer::new(Direction::Downlink, DEFAULT_MAX_MESSAGE_LEN),
			undecodable: 0,
			bytes_sent: 0,
		})
	}

	/// Sends one message; returns the bytes it took on the link.
	pub async fn send(&mut self, message: &Uplink) -> Result<usize, ClientError> {
		let bytes: Vec<u8> = message.to_packets(&mut self.sequence).concat();
		self.write.write_all(&bytes).await?;
		self.bytes_sent += bytes.len() as u64;
		Ok(bytes.len())
	}

	/// Sends several messages in one write (a pipelined window).
	pub async fn send_all(&mut self, messages: &[Uplink]) -> Result<usize, ClientError> {
		let mut bytes = Vec::new();
		for message in messages {
			for packet in message.to_packets(&mut self.sequence) {
				bytes.extend_from_slice(&packet);
			}
		}
		self.write.write_all(&bytes).await?;
		self.bytes_sent += bytes.len() as u64;
		Ok(bytes.len())
	}

	/// The next downlink message, waiting as long as it takes.
	pub async fn recv(&mut self) -> Result<Downlink, ClientError> {
		let mut buf = [0u8; 4096];
		loop {
			while let Some((apid, payload)) = self.deframer.next_message() {
				match Downlink::decode_payload(apid, &payload) {
					Ok(message) => return Ok(message),
					Err(_) => self.undecodable += 1,
				}
			}
			let n = self.read.read(&mut buf).await?;
			if n == 0 {
				return Err(ClientError::Closed);
			}
			self.deframer.push(&buf[..n]);
		}
	}

	/// The next downlink message, or `None` if none arrives within `timeout`.
	///
	/// On a timeout, a packet still waiting for the rest of its bytes is given up (its length
	/// field was corrupted on the way), so the packets behind it are not held back.
	pub async fn recv_timeout(
		&mut self,
		timeout: Duration,
	) -> Result<Option<Downlink>, ClientError> {
		// `recv` is cancel-safe: bytes read are in the deframer before the next await.
		match tokio::time::timeout(timeout, self.recv()).await {
			Ok(result) => result.map(Some),
			Err(_) => {
				self.deframer.resync_stalled();
				Ok(None)
			},
		}
	}

	/// Asks for telemetry up to `attempts` times, waiting `timeout` after each.
	pub async fn status(
		&mut self,
		attempts: u32,
		timeout: Duration,
	) -> Result<Telemetry, ClientError> {
		for _ in 0..attempts {
			self.send(&Uplink::StatusRequest).await?;
			let deadline = tokio::time::Instant::now() + timeout;
			while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
				match self.recv_timeout(left).await? {
					Some(Downlink::Status(telemetry)) => return Ok(telemetry),
					Some(_) => continue,
					None => break,
				}
			}
		}
		Err(ClientError::NoAnswer { attempts, timeout })
	}

	/// What the downlink decoder has seen.
	pub fn deframer_stats(&self) -> DeframerStats {
		self.deframer.stats()
	}

	/// Downlink messages that arrived intact but did not decode.
	pub fn undecodable(&self) -> u64 {
		self.undecodable
	}

	/// Bytes sent so far.
	pub fn bytes_sent(&self) -> u64 {
		self.bytes_sent
	}
}
