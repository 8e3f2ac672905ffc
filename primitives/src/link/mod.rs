//! The space link: CCSDS Space Packets carrying SCALE messages, with a CRC-16/CCITT-FALSE
//! trailer.
//!
//! - [`message`]: the uplink and downlink messages and their payloads.

pub mod message;

pub use message::{
	apid, Downlink, MessageError, RejectReason, RequestId, Telemetry, Uplink, WireCertificate,
	PROTOCOL_VERSION,
};
