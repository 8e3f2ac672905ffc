//! The space-link messages and their SCALE payloads.
//!
//! Each message kind has its own APID, so a packet's payload carries no enum tag: the
//! primary header already says what it is.
//!
//! A sign request carries the certificate as a [`WireCertificate`]: the same fields with
//! their integers SCALE-compact, so that a certificate-only exchange fits the link budget
//! (at most 204 B up and 125 B down, framing and the message check included). The satellite
//! rebuilds the exact [`BatchCertificate`] from it and signs over the canonical encoding;
//! nothing is lost.

use alloc::vec::Vec;
use codec::{Compact, Decode, DecodeWithMemTracking, Encode};
use sp_core::H256;

use crate::{
	certificate::{BatchCertificate, BatchId, SatelliteSignature, ServerSignature},
	countersignature::{Countersignature, SatelliteId},
};

/// Version of the link protocol, exchanged in `Hello`/`HelloAck`.
pub const PROTOCOL_VERSION: u16 = 2;

/// A request's identifier, chosen by the ground station and echoed by the satellite.
pub type RequestId = u32;

/// APIDs of the uplink messages (CCSDS packet type 1, telecommand).
pub mod apid {
	/// [`super::Uplink::Hello`]
	pub const HELLO: u16 = 0x010;
	/// [`super::Uplink::SignRequest`]
	pub const SIGN_REQUEST: u16 = 0x011;
	/// [`super::Uplink::Ping`]
	pub const PING: u16 = 0x012;
	/// [`super::Uplink::StatusRequest`]
	pub const STATUS_REQUEST: u16 = 0x013;
	/// [`super::Downlink::HelloAck`]
	pub const HELLO_ACK: u16 = 0x020;
	/// [`super::Downlink::Countersignature`]
	pub const COUNTERSIGNATURE: u16 = 0x021;
	/// [`super::Downlink::Rejected`]
	pub const REJECTED: u16 = 0x022;
	/// [`super::Downlink::Pong`]
	pub const PONG: u16 = 0x023;
	/// [`super::Downlink::Busy`]
	pub const BUSY: u16 = 0x024;
	/// [`super::Downlink::Status`]
	pub const STATUS: u16 = 0x025;
}

/// [`BatchCertificate`] as it travels on the link: same fields, compact integers.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, Debug)]
pub struct WireCertificate {
	/// See [`BatchCertificate::version`].
	pub version: u8,
	/// See [`BatchCertificate::genesis_hash`].
	pub genesis_hash: H256,
	/// See [`BatchCertificate::server_id`].
	#[codec(compact)]
	pub server_id: u32,
	/// See [`BatchCertificate::sequence`].
	#[codec(compact)]
	pub sequence: u64,
	/// See [`BatchCertificate::prev_batch`].
	pub prev_batch: H256,
	/// See [`BatchCertificate::batch_root`].
	pub batch_root: H256,
	/// See [`BatchCertificate::tx_count`].
	#[codec(compact)]
	pub tx_count: u32,
	/// See [`BatchCertificate::total_bytes`].
	#[codec(compact)]
	pub total_bytes: u64,
	/// See [`BatchCertificate::issued_at_ms`].
	#[codec(compact)]
	pub issued_at_ms: u64,
}

impl From<&BatchCertificate> for WireCertificate {
	fn from(c: &BatchCertificate) -> Self {
		Self {
			version: c.version,
			genesis_hash: c.genesis_hash,
			server_id: c.server_id,
			sequence: c.sequence,
			prev_batch: c.prev_batch,
			batch_root: c.batch_root,
			tx_count: c.tx_count,
			total_bytes: c.total_bytes,
			issued_at_ms: c.issued_at_ms,
		}
	}
}

impl From<WireCertificate> for BatchCertificate {
	fn from(c: WireCertificate) -> Self {
		Self {
			version: c.version,
			genesis_hash: c.genesis_hash,
			server_id: c.server_id,
			sequence: c.sequence,
			prev_batch: c.prev_batch,
			batch_root: c.batch_root,
			tx_count: c.tx_count,
			total_bytes: c.total_bytes,
			issued_at_ms: c.issued_at_ms,
		}
	}
}

/// Why the space node refused to sign. The SCALE index is the reason code on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, Debug, Hash)]
pub enum RejectReason {
	/// The certificate's version is not one the satellite implements.
	UnsupportedVersion,
	/// No satellite key is provisioned for this server ID.
	UnknownServer,
	/// The server signature is not from the server key recorded at provisioning.
	ServerKeyMismatch,
	/// The server signature does not verify over the certificate.
	BadServerSignature,
	/// The certificate is for another chain than the one the satellite serves.
	GenesisMismatch,
	/// The sequence is not above the last one signed for this server (a replay or a gap back).
	SequenceNotAbove,
	/// A different certificate at a sequence already signed for this server.
	Equivocation,
	/// `issued_at_ms` is older than the freshness window.
	Stale,
	/// `issued_at_ms` is further ahead of the satellite clock than the allowed skew.
	FromFuture,
	/// `tx_count` or `total_bytes` exceed the satellite's bounds, or the batch is empty.
	BoundsExceeded,
	/// Full mode: the uplinked transactions do not hash to `batch_root`, or do not match
	/// `tx_count`/`total_bytes`.
	RootMismatch,
	/// The message could not be decoded.
	Malformed,
}

/// Telemetry the space node reports on request.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, Debug, Default)]
pub struct Telemetry {
	/// Certificates countersigned (repeats of the same certificate included).
	pub signed: u64,
	/// Refusals, by reason: `(reason, count)` for every reason seen at least once.
	pub refused: Vec<(RejectReason, u64)>,
	/// Frames dropped by the link model or by the decoder.
	pub frames_dropped: u64,
	/// Frames corrupted by the link model or found corrupt by the decoder.
	pub frames_corrupted: u64,
	/// Bytes received from the ground.
	pub bytes_up: u64,
	/// Bytes sent to the ground.
	pub bytes_down: u64,
	/// Whether a pass is under way now.
	pub in_pass: bool,
	/// Milliseconds until the current pass ends (in a pass) or the next begins (outside).
	pub pass_change_in_ms: u64,
}

/// Ground to space.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Uplink {
	/// Opens a session: the protocol version and the chain the ground station serves.
	Hello {
		/// [`PROTOCOL_VERSION`] of the sender.
		protocol_version: u16,
		/// Genesis hash of the chain whose batches will be sent.
		genesis_hash: H256,
	},
	/// Asks for a countersignature.
	SignRequest {
		/// Echoed in the answer.
		request_id: RequestId,
		/// The certificate to countersign.
		cert: BatchCertificate,
		/// The server's signature over the certificate's server payload.
		server_signature: ServerSignature,
		/// Full mode: the batch's transactions, for the satellite to recompute the root.
		/// `None` in certificate-only mode.
		txs: Option<Vec<Vec<u8>>>,
	},
	/// Liveness probe.
	Ping {
		/// Echoed in `Pong`.
		nonce: u64,
	},
	/// Asks for [`Telemetry`].
	StatusRequest,
}

/// Space to ground.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Downlink {
	/// Answers `Hello`.
	HelloAck {
		/// [`PROTOCOL_VERSION`] of the satellite.
		protocol_version: u16,
		/// Whether the session is accepted (same protocol version and genesis hash).
		accepted: bool,
	},
	/// The satellite's v2 countersignature: its number, its clock and its signature over
	/// `satellite_payload_v2`.
	Countersignature {
		/// From the request.
		request_id: RequestId,
		/// The certificate's batch id.
		batch_id: BatchId,
		/// The satellite's number.
		satellite_id: SatelliteId,
		/// The satellite's clock when it signed, unix milliseconds.
		signed_at_ms: u64,
		/// Raw ed25519 signature with that server's satellite key.
		signature: SatelliteSignature,
	},
	/// The satellite refused to sign.
	Rejected {
		/// From the request (zero if the request could not be decoded).
		request_id: RequestId,
		/// The certificate's batch id (zero if unknown).
		batch_id: BatchId,
		/// Why.
		reason: RejectReason,
	},
	/// Answers `Ping`.
	Pong {
		/// From the ping.
		nonce: u64,
	},
	/// The satellite cannot take the request now; retry later.
	Busy {
		/// Suggested wait.
		retry_after_ms: u32,
	},
	/// Answers `StatusRequest`.
	Status(Telemetry),
}

/// A message payload could not be decoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MessageError {
	/// No message kind has this APID in this direction.
	#[error("no message kind has APID {0:#05x} in this direction")]
	UnknownApid(u16),
	/// The payload is not valid SCALE for the kind, or has trailing bytes.
	#[error("payload is not valid SCALE for its kind, or has trailing bytes")]
	BadPayload,
}

fn decode_exact<T: Decode>(mut bytes: &[u8]) -> Result<T, MessageError> {
	let value = T::decode(&mut bytes).map_err(|_| MessageError::BadPayload)?;
	if bytes.is_empty() {
		Ok(value)
	} else {
		Err(MessageError::BadPayload)
	}
}

impl Uplink {
	/// The APID this message travels under.
	pub fn apid(&self) -> u16 {
		match self {
			Self::Hello { .. } => apid::HELLO,
			Self::SignRequest { .. } => apid::SIGN_REQUEST,
			Self::Ping { .. } => apid::PING,
			Self::StatusRequest => apid::STATUS_REQUEST,
		}
	}

	/// The SCALE payload (no tag: the APID says the kind).
	pub fn encode_payload(&self) -> Vec<u8> {
		match self {
			Self::Hello { protocol_version, genesis_hash } => {
				(protocol_version, genesis_hash).encode()
			},
			Self::SignRequest { request_id, cert, server_signature, txs } => {
				(Compact(*request_id), WireCertificate::from(cert), server_signature, txs).encode()
			},
			Self::Ping { nonce } => nonce.encode(),
			Self::StatusRequest => Vec::new(),
		}
	}

	/// Decodes a payload received under `apid`.
	pub fn decode_payload(apid: u16, payload: &[u8]) -> Result<Self, MessageError> {
		Ok(match apid {
			apid::HELLO => {
				let (protocol_version, genesis_hash) = decode_exact(payload)?;
				Self::Hello { protocol_version, genesis_hash }
			},
			apid::SIGN_REQUEST => {
				let (request_id, cert, server_signature, txs): (
					Compact<u32>,
					WireCertificate,
					ServerSignature,
					Option<Vec<Vec<u8>>>,
				) = decode_exact(payload)?;
				Self::SignRequest {
					request_id: request_id.0,
					cert: cert.into(),
					server_signature,
					txs,
				}
			},
			apid::PING => Self::Ping { nonce: decode_exact(payload)? },
			apid::STATUS_REQUEST => {
				decode_exact::<()>(payload)?;
				Self::StatusRequest
			},
			other => return Err(MessageError::UnknownApid(other)),
		})
	}
}

impl Downlink {
	/// The countersignature a `Countersignature` answer carries, with its batch id.
	pub fn countersignature(&self) -> Option<(BatchId, Countersignature)> {
		match *self {
			Self::Countersignature { batch_id, satellite_id, signed_at_ms, signature, .. } => {
				Some((batch_id, Countersignature { satellite_id, signed_at_ms, signature }))
			},
			_ => None,
		}
	}

	/// The APID this message travels under.
	pub fn apid(&self) -> u16 {
		match self {
			Self::HelloAck { .. } => apid::HELLO_ACK,
			Self::Countersignature { .. } => apid::COUNTERSIGNATURE,
			Self::Rejected { .. } => apid::REJECTED,
			Self::Pong { .. } => apid::PONG,
			Self::Busy { .. } => apid::BUSY,
			Self::Status(_) => apid::STATUS,
		}
	}

	/// The SCALE payload (no tag: the APID says the kind).
	pub fn encode_payload(&self) -> Vec<u8> {
		match self {
			Self::HelloAck { protocol_version, accepted } => (protocol_version, accepted).encode(),
			Self::Countersignature {
				request_id,
				batch_id,
				satellite_id,
				signed_at_ms,
				signature,
			} => (Compact(*request_id), batch_id, satellite_id, signed_at_ms, signature).encode(),
			Self::Rejected { request_id, batch_id, reason } => {
				(Compact(*request_id), batch_id, reason).encode()
			},
			Self::Pong { nonce } => nonce.encode(),
			Self::Busy { retry_after_ms } => retry_after_ms.encode(),
			Self::Status(t) => t.encode(),
		}
	}

	/// Decodes a payload received under `apid`.
	pub fn decode_payload(apid: u16, payload: &[u8]) -> Result<Self, MessageError> {
		Ok(match apid {
			apid::HELLO_ACK => {
				let (protocol_version, accepted) = decode_exact(payload)?;
				Self::HelloAck { protocol_version, accepted }
			},
			apid::COUNTERSIGNATURE => {
				let (request_id, batch_id, satellite_id, signed_at_ms, signature): (
					Compact<u32>,
					_,
					_,
					_,
					_,
				) = decode_exact(payload)?;
				Self::Countersignature {
					request_id: request_id.0,
					batch_id,
					satellite_id,
					signed_at_ms,
					signature,
				}
			},
			apid::REJECTED => {
				let (request_id, batch_id, reason): (Compact<u32>, _, _) = decode_exact(payload)?;
				Self::Rejected { request_id: request_id.0, batch_id, reason }
			},
			apid::PONG => Self::Pong { nonce: decode_exact(payload)? },
			apid::BUSY => Self::Busy { retry_after_ms: decode_exact(payload)? },
			apid::STATUS => Self::Status(decode_exact(payload)?),
			other => return Err(MessageError::UnknownApid(other)),
		})
	}
}
