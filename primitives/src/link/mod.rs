//! The space link: CCSDS Space Packets with a CRC-16/CCITT-FALSE trailer, carrying SCALE
//! messages that each end with a CRC-32C.
//!
//! Two checks, because a 16-bit check per packet lets about one damaged packet in 65 536
//! through, and the radio damages packets all day: the CRC-16 finds packet boundaries and
//! throws out damaged packets cheaply, and the 32-bit check over each reassembled message keeps
//! what slips past it from coming out as a well-formed message. Neither makes a message
//! trustworthy: every downlink message is still untrusted (signatures verified, `Busy` capped,
//! `Rejected` matched to a request in flight).
//!
//! - [`message`]: the uplink and downlink messages and their payloads.
//! - [`frame`]: the packet layout, both CRCs, sequence counts and segmentation of a message into
//!   packets ([`encode_message`], `Uplink::to_packets`, `Downlink::to_packets`).
//! - [`scanner`]: [`PacketScanner`], which finds packets in a byte stream and resynchronises
//!   after damage; the decoder and the emulator's radio model both use it.
//! - [`decoder`]: [`Deframer`], which reassembles and checks messages from those packets.

pub mod decoder;
pub mod frame;
pub mod message;
pub mod scanner;

pub use decoder::{Deframer, DeframerStats};
pub use frame::{
	crc16, encode_message, encode_packet, message_check, parse_header, parse_packet, wire_len,
	Direction, FrameError, PacketHeader, Segment, SequenceCounter, DEFAULT_MAX_MESSAGE_LEN,
	MAX_PACKET_LEN, MAX_SEGMENT_LEN, MESSAGE_CHECK_LEN,
};
pub use message::{
	apid, Downlink, MessageError, RejectReason, RequestId, Telemetry, Uplink, WireCertificate,
	PROTOCOL_VERSION,
};
pub use scanner::{Boundary, PacketScanner, RawPacket, ScanStats};
