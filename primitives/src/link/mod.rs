//! The space link: CCSDS Space Packets carrying SCALE messages, with a CRC-16/CCITT-FALSE
//! trailer.
//!
//! - [`message`]: the uplink and downlink messages and their payloads.
//! - [`frame`]: the packet layout, CRC, sequence counts and segmentation of a message into
//!   packets ([`encode_message`], `Uplink::to_packets`, `Downlink::to_packets`).
//! - [`decoder`]: [`Deframer`], which finds packets in a byte stream, resynchronises after
//!   damage and reassembles messages.

pub mod decoder;
pub mod frame;
pub mod message;

pub use decoder::{Deframer, DeframerStats};
pub use frame::{
	crc16, encode_message, encode_packet, parse_header, parse_packet, wire_len, Direction,
	FrameError, PacketHeader, Segment, SequenceCounter, DEFAULT_MAX_MESSAGE_LEN, MAX_PACKET_LEN,
	MAX_SEGMENT_LEN,
};
pub use message::{
	apid, Downlink, MessageError, RejectReason, RequestId, Telemetry, Uplink, WireCertificate,
	PROTOCOL_VERSION,
};
