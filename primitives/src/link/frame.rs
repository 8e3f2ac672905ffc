//! CCSDS Space Packets with a CRC-16/CCITT-FALSE trailer, message segmentation, and the 32-bit
//! check that ends every message.
//!
//! # Packet layout
//!
//! ```text
//! +-------------------------------- primary header, 6 bytes, big-endian --------------------------------+
//! | version (3) = 0 | type (1) | sec. hdr (1) = 0 | APID (11) | seq. flags (2) | seq. count (14) | data length − 1 (16) |
//! +-------------------------------------------------------------------------------------------------------+
//! | payload segment (0 ..= MAX_SEGMENT_LEN bytes)                                                       |
//! +-------------------------------------------------------------------------------------------------------+
//! | CRC-16/CCITT-FALSE over header ++ segment, big-endian (2)                                           |
//! +-------------------------------------------------------------------------------------------------------+
//! ```
//!
//! - *type* is 1 (telecommand) on the uplink and 0 (telemetry) on the downlink, so a packet
//!   looped back into the wrong direction is refused rather than misread.
//! - *APID* names the message kind ([`super::apid`]); the payload therefore needs no tag.
//! - *sequence flags* segment a message larger than one packet: `0b11` unsegmented, `0b01`
//!   first, `0b00` continuation, `0b10` last. The segments of one message carry consecutive
//!   sequence counts, which lets the receiver notice a lost segment.
//! - The packet data field is the payload segment followed by the CRC, so the CCSDS data length
//!   counts the CRC too and is never zero (an empty segment still has its 2-byte CRC).
//! - The CRC covers the primary header as well: a flipped APID or sequence bit must not
//!   deliver a valid-looking packet of the wrong kind. CRC-16/CCITT-FALSE is what the CCSDS
//!   telecommand and PUS standards use, and it detects every single-bit and every burst error
//!   up to 16 bits in a packet.
//!
//! # Message layout
//!
//! ```text
//! message = SCALE payload ++ CRC-32C(APID as big-endian u16 ++ SCALE payload), big-endian (4)
//! ```
//!
//! The message, not the payload, is what [`encode_message`] cuts into segments, so the check
//! sits at the end of the last segment. It is there because a 16-bit check per packet is not
//! enough on this link: the radio damages packets all day, and a CRC-16 lets about one damaged
//! packet in 65 536 through (a packet cut short and glued to the start of the next one passes
//! its CRC now and then), which would then come out as a well-formed message of whatever it
//! happened to decode to. The 32-bit check over the whole reassembled message makes that one in
//! four billion. CRC-32C (Castagnoli, `crc::CRC_32_ISCSI`) detects every burst up to 32 bits and
//! is what iSCSI, SCTP and ext4 use; covering the APID too ties the payload to its kind. It is a
//! check against radio damage only: every received message is still untrusted (signatures are
//! verified, `Busy` is capped, `Rejected` is matched to a request in flight).
//!
//! # Sizes
//!
//! A packet is at most [`MAX_PACKET_LEN`] = 1024 bytes. That is small enough that a lost or
//! corrupted packet costs little on a 9.6 kbit/s UHF link (under a second of air time) and that
//! a receiver needs only a couple of kilobytes to find packet boundaries, yet large enough that a
//! certificate-only exchange fits one packet with room to spare. Larger messages (full-mode sign
//! requests carrying transactions, telemetry) are split into segments of at most
//! [`MAX_SEGMENT_LEN`] bytes. [`wire_len`] gives the bytes on the wire for a payload, every
//! header, CRC and the message check included.
//!
//! # Why part of this is by hand
//!
//! The primary header is read and written with the `spacepackets` crate's [`SpHeader`]. Its
//! packet creator and reader (which also handle a CRC-16 trailer) are not used:
//! `CcsdsPacketCreator` sizes a packet with empty user data as 7 bytes even with a checksum
//! (so the CRC would overwrite the header of a `StatusRequest`), `to_vec` needs its `alloc`
//! feature, and `CcsdsPacketReader` slices `len - 2` of a 1-byte data field, which panics on a
//! hostile header with data length 0. The data field is two lines of code; both CRCs come from
//! the `crc` crate's catalogue (the same `CRC_16_IBM_3740` that `spacepackets` uses).

use alloc::vec::Vec;
use spacepackets::{
	CcsdsPacket, PacketId, PacketSequenceControl, PacketType, SequenceFlags, SpHeader,
};

use super::message::{Downlink, Uplink};

/// Length of the CCSDS primary header.
pub const HEADER_LEN: usize = 6;

/// Length of the CRC trailer.
pub const CRC_LEN: usize = 2;

/// The largest packet on the link, primary header and CRC included.
pub const MAX_PACKET_LEN: usize = 1024;

/// The largest payload segment one packet carries.
pub const MAX_SEGMENT_LEN: usize = MAX_PACKET_LEN - HEADER_LEN - CRC_LEN;

/// The smallest packet: a header and a CRC around an empty payload segment.
pub const MIN_PACKET_LEN: usize = HEADER_LEN + CRC_LEN;

/// Suggested bound on a reassembled message for [`super::Deframer::new`]: 1 MiB.
///
/// Enough for a full-mode sign request of a generous batch; anything larger would take more
/// than 14 minutes of UHF air time and belongs in several batches.
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 1 << 20;

/// The sequence count is 14 bits wide and wraps to 0 after `SEQUENCE_COUNT_MODULUS - 1`.
pub const SEQUENCE_COUNT_MODULUS: u16 = 1 << 14;

/// The largest APID (11 bits).
pub const MAX_APID: u16 = 0x7FF;

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor).
pub const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);

/// CRC-16/CCITT-FALSE of `bytes`, as carried in the packet trailer.
pub fn crc16(bytes: &[u8]) -> u16 {
	CRC.checksum(bytes)
}

/// Length of the check at the end of every message.
pub const MESSAGE_CHECK_LEN: usize = 4;

/// CRC-32C (Castagnoli: poly 0x1EDC6F41, reflected, init and final xor 0xFFFFFFFF).
pub const CRC32C: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

/// The check that ends a message of kind `apid`: CRC-32C over the APID (11 bits, as a
/// big-endian `u16`) and `payload`, big-endian.
pub fn message_check(apid: u16, payload: &[u8]) -> [u8; MESSAGE_CHECK_LEN] {
	let mut digest = CRC32C.digest();
	digest.update(&(apid & MAX_APID).to_be_bytes());
	digest.update(payload);
	digest.finalize().to_be_bytes()
}

/// Which way a packet travels; sets the CCSDS packet type.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Direction {
	/// Ground to space: telecommand, packet type 1.
	Uplink,
	/// Space to ground: telemetry, packet type 0.
	Downlink,
}

impl Direction {
	/// The CCSDS packet type of this direction.
	pub fn packet_type(self) -> PacketType {
		match self {
			Self::Uplink => PacketType::Tc,
			Self::Downlink => PacketType::Tm,
		}
	}
}

/// Where a packet's payload segment sits in its message (the CCSDS sequence flags).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Segment {
	/// The whole message in one packet (`0b11`).
	Unsegmented,
	/// The first segment of a longer message (`0b01`).
	First,
	/// A middle segment (`0b00`).
	Continuation,
	/// The final segment (`0b10`).
	Last,
}

impl From<Segment> for SequenceFlags {
	fn from(segment: Segment) -> Self {
		match segment {
			Segment::Unsegmented => Self::Unsegmented,
			Segment::First => Self::FirstSegment,
			Segment::Continuation => Self::ContinuationSegment,
			Segment::Last => Self::LastSegment,
		}
	}
}

impl From<SequenceFlags> for Segment {
	fn from(flags: SequenceFlags) -> Self {
		match flags {
			SequenceFlags::Unsegmented => Self::Unsegmented,
			SequenceFlags::FirstSegment => Self::First,
			SequenceFlags::ContinuationSegment => Self::Continuation,
			SequenceFlags::LastSegment => Self::Last,
		}
	}
}

/// The 14-bit CCSDS packet sequence count of one direction of a link; wraps around.
///
/// One counter per direction and connection: every packet sent takes the next value, so the
/// segments of one message carry consecutive counts.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SequenceCounter(u16);

impl SequenceCounter {
	/// A counter whose next value is `start` (reduced to 14 bits).
	pub fn starting_at(start: u16) -> Self {
		Self(start % SEQUENCE_COUNT_MODULUS)
	}

	/// Returns the count for the next packet and advances, wrapping after `2^14 - 1`.
	#[allow(clippy::should_implement_trait)] // not an iterator: it never ends, and is not `Option`
	pub fn next(&mut self) -> u16 {
		let count = self.0;
		self.0 = (count + 1) % SEQUENCE_COUNT_MODULUS;
		count
	}

	/// The count the next packet will get, without advancing.
	pub fn peek(&self) -> u16 {
		self.0
	}
}

/// The sequence count after `count`, modulo 2^14.
pub fn next_sequence_count(count: u16) -> u16 {
	(count % SEQUENCE_COUNT_MODULUS + 1) % SEQUENCE_COUNT_MODULUS
}

/// A decoded and checked primary header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PacketHeader {
	/// From the packet type.
	pub direction: Direction,
	/// The message kind.
	pub apid: u16,
	/// From the sequence flags.
	pub segment: Segment,
	/// The 14-bit sequence count.
	pub sequence_count: u16,
	/// Length of the whole packet, header and CRC included.
	pub packet_len: usize,
}

/// Why bytes are not a valid packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum FrameError {
	/// Not enough bytes yet: the packet (or its header) needs `needed` bytes in total.
	#[error("incomplete packet: {needed} bytes needed")]
	Incomplete {
		/// Bytes the packet (or header) needs in total.
		needed: usize,
	},
	/// The CCSDS version is not 0.
	#[error("CCSDS version is not 0")]
	BadVersion,
	/// The packet type is not that of the expected direction.
	#[error("packet type of the other direction")]
	WrongDirection,
	/// The secondary header flag is set; this link uses none.
	#[error("secondary header flag set")]
	SecondaryHeader,
	/// The data length is too small to hold the CRC, or the packet exceeds [`MAX_PACKET_LEN`].
	#[error("packet length out of bounds")]
	BadLength,
	/// The CRC trailer does not match the header and payload segment.
	#[error("packet CRC mismatch")]
	BadCrc,
	/// No message kind of the direction uses the APID (checked by the decoder, which knows
	/// the message kinds; [`parse_packet`] itself accepts any APID).
	#[error("no message kind uses this APID")]
	UnknownApid,
}

/// Checks the primary header at the start of `bytes` for a packet travelling `direction`.
///
/// Only the six header bytes are needed; the CRC is not checked here (see [`parse_packet`]).
pub fn parse_header(direction: Direction, bytes: &[u8]) -> Result<PacketHeader, FrameError> {
	let (header, _) = SpHeader::from_be_bytes(bytes)
		.map_err(|_| FrameError::Incomplete { needed: HEADER_LEN })?;
	if header.ccsds_version().value() != 0 {
		return Err(FrameError::BadVersion);
	}
	if header.packet_type() != direction.packet_type() {
		return Err(FrameError::WrongDirection);
	}
	if header.sec_header_flag() {
		return Err(FrameError::SecondaryHeader);
	}
	let packet_len = header.packet_len();
	if !(MIN_PACKET_LEN..=MAX_PACKET_LEN).contains(&packet_len) {
		return Err(FrameError::BadLength);
	}
	Ok(PacketHeader {
		direction,
		apid: header.packet_id_raw() & MAX_APID,
		segment: header.sequence_flags().into(),
		sequence_count: header.seq_count().value(),
		packet_len,
	})
}

/// Checks the packet at the start of `bytes` (header and CRC) and returns its header and its
/// payload segment. Bytes after the packet are ignored.
pub fn parse_packet(
	direction: Direction,
	bytes: &[u8],
) -> Result<(PacketHeader, &[u8]), FrameError> {
	let header = parse_header(direction, bytes)?;
	let packet = bytes
		.get(..header.packet_len)
		.ok_or(FrameError::Incomplete { needed: header.packet_len })?;
	// `packet_len >= MIN_PACKET_LEN` was checked, so both halves exist.
	let (covered, trailer) = packet.split_at(header.packet_len - CRC_LEN);
	if trailer != crc16(covered).to_be_bytes() {
		return Err(FrameError::BadCrc);
	}
	Ok((header, covered.get(HEADER_LEN..).unwrap_or_default()))
}

/// Appends one packet to `out`: `payload_segment` as the `segment` part of a message.
///
/// `apid` is reduced to its 11 bits and `sequence_count` to its 14 bits. Fails with
/// [`FrameError::BadLength`], writing nothing, if `payload_segment` is longer than
/// [`MAX_SEGMENT_LEN`]; [`encode_message`] splits messages so that this never happens.
pub fn encode_packet(
	direction: Direction,
	apid: u16,
	segment: Segment,
	sequence_count: u16,
	payload_segment: &[u8],
	out: &mut Vec<u8>,
) -> Result<(), FrameError> {
	if payload_segment.len() > MAX_SEGMENT_LEN {
		return Err(FrameError::BadLength);
	}
	// The data field is the segment and the CRC; CCSDS stores its length minus one. At most
	// MAX_SEGMENT_LEN + 1, so it fits in 16 bits.
	let data_len = (payload_segment.len() + CRC_LEN - 1) as u16;
	let packet_id = PacketId::from(((direction.packet_type() as u16) << 12) | (apid & MAX_APID));
	let psc = PacketSequenceControl::from(
		((SequenceFlags::from(segment) as u16) << 14) | (sequence_count % SEQUENCE_COUNT_MODULUS),
	);
	let mut header = [0u8; HEADER_LEN];
	// Cannot fail: the buffer is exactly one header long.
	let written = SpHeader::new(packet_id, psc, data_len).write_to_slice(&mut header);
	debug_assert_eq!(written, Ok(HEADER_LEN));

	let start = out.len();
	out.reserve(HEADER_LEN + payload_segment.len() + CRC_LEN);
	out.extend_from_slice(&header);
	out.extend_from_slice(payload_segment);
	let crc = crc16(out.get(start..).unwrap_or_default());
	out.extend_from_slice(&crc.to_be_bytes());
	Ok(())
}

/// Splits `payload`, followed by its [`message_check`], into packets travelling `direction`
/// under `apid`, one `Vec` per packet in sending order, taking consecutive counts from `seq`.
///
/// A message (payload and check) of up to [`MAX_SEGMENT_LEN`] bytes is one unsegmented packet;
/// a longer one is a first segment, continuations, and a last segment, each full but the last.
/// The packets of one message must be sent back to back: the receiver reassembles one message
/// at a time.
pub fn encode_message(
	direction: Direction,
	apid: u16,
	payload: &[u8],
	seq: &mut SequenceCounter,
) -> Vec<Vec<u8>> {
	let mut message = Vec::with_capacity(payload.len().saturating_add(MESSAGE_CHECK_LEN));
	message.extend_from_slice(payload);
	message.extend_from_slice(&message_check(apid, payload));
	let packet = |segment, chunk: &[u8], seq: &mut SequenceCounter| {
		let mut bytes = Vec::new();
		// Cannot fail: every chunk is at most MAX_SEGMENT_LEN long.
		let encoded = encode_packet(direction, apid, segment, seq.next(), chunk, &mut bytes);
		debug_assert_eq!(encoded, Ok(()));
		bytes
	};
	if message.len() <= MAX_SEGMENT_LEN {
		return alloc::vec![packet(Segment::Unsegmented, &message, seq)];
	}
	let count = message.len().div_ceil(MAX_SEGMENT_LEN);
	message
		.chunks(MAX_SEGMENT_LEN)
		.enumerate()
		.map(|(i, chunk)| {
			let segment = match i {
				0 => Segment::First,
				i if i + 1 == count => Segment::Last,
				_ => Segment::Continuation,
			};
			packet(segment, chunk, seq)
		})
		.collect()
}

/// Bytes on the wire for a payload of `payload_len` bytes: the message check and the headers
/// and CRCs of every segment included.
pub fn wire_len(payload_len: usize) -> usize {
	let message_len = payload_len.saturating_add(MESSAGE_CHECK_LEN);
	let packets = message_len.div_ceil(MAX_SEGMENT_LEN);
	message_len.saturating_add(packets.saturating_mul(HEADER_LEN + CRC_LEN))
}

impl Uplink {
	/// This message as uplink packets, in sending order.
	pub fn to_packets(&self, seq: &mut SequenceCounter) -> Vec<Vec<u8>> {
		encode_message(Direction::Uplink, self.apid(), &self.encode_payload(), seq)
	}
}

impl Downlink {
	/// This message as downlink packets, in sending order.
	pub fn to_packets(&self, seq: &mut SequenceCounter) -> Vec<Vec<u8>> {
		encode_message(Direction::Downlink, self.apid(), &self.encode_payload(), seq)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn crc_check_value() {
		assert_eq!(crc16(b"123456789"), 0x29B1);
	}

	#[test]
	fn crc32c_check_value() {
		assert_eq!(CRC32C.checksum(b"123456789"), 0xE306_9283);
	}

	#[test]
	fn empty_payload_is_header_check_and_crc() {
		let packets = encode_message(Direction::Uplink, 0x13, &[], &mut SequenceCounter::default());
		assert_eq!(packets.len(), 1);
		assert_eq!(packets[0].len(), MIN_PACKET_LEN + MESSAGE_CHECK_LEN);
		// type 1, APID 0x013; unsegmented, count 0; data length 4 + 2 - 1.
		assert_eq!(packets[0][..HEADER_LEN], [0x10, 0x13, 0xC0, 0x00, 0x00, 0x05]);
		let (header, segment) = parse_packet(Direction::Uplink, &packets[0]).unwrap();
		assert_eq!(header.apid, 0x13);
		assert_eq!(header.segment, Segment::Unsegmented);
		assert_eq!(segment, message_check(0x13, &[]));
		// The check is CRC-32C over the APID and the payload, big-endian.
		assert_eq!(message_check(0x13, &[]), CRC32C.checksum(&[0x00, 0x13]).to_be_bytes());
		assert_ne!(message_check(0x13, b"x"), message_check(0x14, b"x"), "the APID is covered");
	}

	#[test]
	fn the_check_ends_the_last_segment() {
		// One byte too many for one segment: the check's last byte spills into a second packet.
		let payload = alloc::vec![3u8; MAX_SEGMENT_LEN - MESSAGE_CHECK_LEN + 1];
		let packets =
			encode_message(Direction::Downlink, 0x21, &payload, &mut SequenceCounter::default());
		assert_eq!(packets.len(), 2);
		let (_, last) = parse_packet(Direction::Downlink, &packets[1]).unwrap();
		assert_eq!(last.len(), 1);
		let (_, first) = parse_packet(Direction::Downlink, &packets[0]).unwrap();
		assert_eq!([first, last].concat()[payload.len()..], message_check(0x21, &payload));
	}

	#[test]
	fn sequence_counter_wraps_at_14_bits() {
		let mut seq = SequenceCounter::starting_at(SEQUENCE_COUNT_MODULUS - 1);
		assert_eq!(seq.next(), SEQUENCE_COUNT_MODULUS - 1);
		assert_eq!(seq.next(), 0);
		assert_eq!(seq.peek(), 1);
		assert_eq!(next_sequence_count(SEQUENCE_COUNT_MODULUS - 1), 0);
	}

	#[test]
	fn data_length_zero_is_refused_not_panicking() {
		// A data field of one byte cannot hold the CRC.
		let mut bytes = [0x10, 0x11, 0xC0, 0x00, 0x00, 0x00, 0xAB];
		assert_eq!(parse_packet(Direction::Uplink, &bytes), Err(FrameError::BadLength));
		// And one far beyond MAX_PACKET_LEN.
		bytes[4] = 0xFF;
		assert_eq!(parse_packet(Direction::Uplink, &bytes), Err(FrameError::BadLength));
	}

	#[test]
	fn an_oversized_segment_is_refused() {
		let mut out = alloc::vec![1, 2];
		let long = alloc::vec![0u8; MAX_SEGMENT_LEN + 1];
		let result = encode_packet(Direction::Uplink, 0x11, Segment::First, 0, &long, &mut out);
		assert_eq!(result, Err(FrameError::BadLength));
		assert_eq!(out, [1, 2]);
		let fits = &long[..MAX_SEGMENT_LEN];
		assert_eq!(
			encode_packet(Direction::Uplink, 0x11, Segment::First, 0, fits, &mut out),
			Ok(())
		);
		assert_eq!(out.len(), 2 + MAX_PACKET_LEN);
		assert_eq!(parse_packet(Direction::Uplink, &out[2..]).unwrap().1, fits);
	}

	#[test]
	fn wire_len_matches_encoding() {
		let fits_one = MAX_SEGMENT_LEN - MESSAGE_CHECK_LEN;
		for len in [0, 1, fits_one, fits_one + 1, MAX_SEGMENT_LEN, 3 * MAX_SEGMENT_LEN + 5] {
			let payload = alloc::vec![7u8; len];
			let packets =
				encode_message(Direction::Downlink, 1, &payload, &mut SequenceCounter::default());
			assert_eq!(packets.iter().map(Vec::len).sum::<usize>(), wire_len(len), "len {len}");
			assert!(packets.iter().all(|p| p.len() <= MAX_PACKET_LEN));
		}
	}
}
