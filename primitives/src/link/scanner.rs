//! Packet boundaries in a byte stream: the one resynchronising scan of the link.
//!
//! TCP (the emulator's carrier) delivers bytes, not packets, and the radio in front of it drops
//! and corrupts them. [`PacketScanner`] therefore finds the packets itself: at each position it
//! reads a primary header; if the header is implausible for its direction (version, packet
//! type, secondary header flag, length, an APID that no message kind of the direction uses) or
//! the packet's CRC fails, it drops one byte and looks again. Checking the APID as well means
//! that fewer than one random offset in 700 000 even looks like a header, so garbage rarely
//! makes the scanner wait for a packet that is not there (see below). The CRC-16 over the header
//! makes a false packet boundary in garbage a one-in-65536 event per plausible header, and one
//! byte at a time means a good packet right after a damaged one is never lost.
//!
//! A packet that passes all of this can still be a false boundary: a packet cut short and glued
//! to the start of the next one passes its CRC-16 once in 65536 tries. Whoever takes the packet
//! may find out later (the 32-bit check of the message it completes fails, see
//! [`super::decoder`]) and answer [`Boundary::False`]: the scanner then goes on from the
//! packet's second byte, exactly as if its CRC had failed, so the real packet hidden behind it
//! is still found.
//!
//! The [`super::Deframer`] reassembles messages from these packets; the satellite emulator's
//! radio model uses the same scan to cut a ground station's byte stream into the packets it
//! puts on the air.
//!
//! # Memory and time
//!
//! Unconsumed input is kept in a window of at most [`WINDOW_LEN`] bytes: [`PacketScanner::push`]
//! feeds large inputs through it in pieces, handing packets out as it goes. The window is a
//! buffer with a read offset; consumed bytes are dropped in bulk, and only when the window must
//! make room, so the cost is linear in the input. At worst (input forged so that every offset
//! holds a plausible header of a full-length packet with a wrong CRC) each skipped byte costs one
//! CRC over [`MAX_PACKET_LEN`] bytes.
//!
//! # A stalled packet
//!
//! A header whose packet has not fully arrived waits for more bytes. If the header was
//! corrupted into a longer length and the link then goes quiet, the packets behind it wait too,
//! until more bytes arrive or the caller, after an idle timeout longer than one packet's air
//! time, calls [`PacketScanner::resync_stalled`].

use alloc::vec::Vec;

use super::{
	frame::{
		parse_header, parse_packet, Direction, FrameError, PacketHeader, CRC_LEN, HEADER_LEN,
		MAX_PACKET_LEN,
	},
	message::{Downlink, MessageError, Uplink},
};

/// Size of the input window: room for one whole packet behind a partial one, so every refill
/// makes progress.
pub const WINDOW_LEN: usize = 2 * MAX_PACKET_LEN;

/// A packet found in the stream: its checked header and all its bytes, header and CRC included.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RawPacket<'a> {
	/// The primary header, checked for the scanner's direction.
	pub header: PacketHeader,
	/// The whole packet as it was received, `header.packet_len` bytes.
	pub bytes: &'a [u8],
}

impl<'a> RawPacket<'a> {
	/// The payload segment: the bytes between the primary header and the CRC.
	pub fn segment(&self) -> &'a [u8] {
		let end = self.bytes.len().saturating_sub(CRC_LEN);
		self.bytes.get(HEADER_LEN..end).unwrap_or_default()
	}
}

/// What the taker of a [`RawPacket`] made of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Boundary {
	/// A real packet: the scan goes on after it.
	Real,
	/// Not a packet after all (a later check failed): the scan goes on from its second byte.
	False,
}

/// Counters of what a [`PacketScanner`] has seen since it was created.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct ScanStats {
	/// Packets whose header and CRC were valid.
	pub packets_ok: u64,
	/// Plausible headers whose packet failed the CRC.
	pub packets_corrupted: u64,
	/// Bytes dropped while looking for a packet boundary (garbage and damaged packets).
	pub bytes_skipped: u64,
}

/// Whether some message kind travelling `direction` uses `apid`.
///
/// Asked of the message decoders themselves (an empty payload is refused as `BadPayload` by a
/// known kind, or accepted), so a kind added there is known here without further edits.
fn apid_known(direction: Direction, apid: u16) -> bool {
	let unknown = match direction {
		Direction::Uplink => {
			matches!(Uplink::decode_payload(apid, &[]), Err(MessageError::UnknownApid(_)))
		},
		Direction::Downlink => {
			matches!(Downlink::decode_payload(apid, &[]), Err(MessageError::UnknownApid(_)))
		},
	};
	!unknown
}

/// Finds whole, CRC-checked packets of one direction in a byte stream, skipping what is not one.
#[derive(Debug)]
pub struct PacketScanner {
	direction: Direction,
	/// Received bytes; `window[start..]` is not consumed yet.
	window: Vec<u8>,
	start: usize,
	stats: ScanStats,
}

impl PacketScanner {
	/// A scanner for packets travelling `direction`.
	pub fn new(direction: Direction) -> Self {
		Self {
			direction,
			window: Vec::with_capacity(WINDOW_LEN),
			start: 0,
			stats: ScanStats::default(),
		}
	}

	/// Feeds bytes as they arrive, in any chunking, and hands every whole packet found to
	/// `take`, in stream order; `take` says whether it was a real packet.
	pub fn push(&mut self, mut bytes: &[u8], mut take: impl FnMut(RawPacket<'_>) -> Boundary) {
		while !bytes.is_empty() {
			// Moving the live bytes costs up to a packet's length, so only when the window must
			// make room: a caller feeding one byte at a time must not pay that per byte.
			if self.window.len().saturating_add(bytes.len()) > WINDOW_LEN {
				self.compact();
			}
			let room = WINDOW_LEN.saturating_sub(self.window.len());
			let (now, later) = bytes.split_at(room.min(bytes.len()));
			self.window.extend_from_slice(now);
			bytes = later;
			self.scan(&mut take);
		}
	}

	/// Declares that no more bytes are coming for now, so a packet still waiting for its rest
	/// is treated as damaged: one byte is skipped and the remaining input rescanned (handing
	/// packets found to `take`), until what is left is shorter than a header.
	///
	/// Call it after an idle timeout longer than the air time of a [`MAX_PACKET_LEN`] packet: a
	/// header corrupted into a longer length would otherwise hold back the packets behind it.
	pub fn resync_stalled(&mut self, mut take: impl FnMut(RawPacket<'_>) -> Boundary) {
		while self.pending_len() >= HEADER_LEN {
			self.skip_one();
			self.scan(&mut take);
		}
	}

	/// Bytes received but not yet part of a packet: a partial packet waiting for the rest.
	pub fn pending_len(&self) -> usize {
		self.window.len().saturating_sub(self.start)
	}

	/// What the scanner has seen so far.
	pub fn stats(&self) -> ScanStats {
		self.stats
	}

	/// Hands every whole packet in the window to `take`, skipping bytes where none starts.
	fn scan(&mut self, take: &mut impl FnMut(RawPacket<'_>) -> Boundary) {
		loop {
			let live = self.window.get(self.start..).unwrap_or_default();
			// Before waiting for a packet's rest, make sure its kind exists at all.
			let parsed = match parse_header(self.direction, live) {
				Ok(header) if !apid_known(self.direction, header.apid) => {
					Err(FrameError::UnknownApid)
				},
				_ => parse_packet(self.direction, live),
			};
			match parsed {
				Ok((header, _)) => {
					self.stats.packets_ok = self.stats.packets_ok.saturating_add(1);
					let bytes = live.get(..header.packet_len).unwrap_or_default();
					match take(RawPacket { header, bytes }) {
						Boundary::Real => {
							self.start = self.start.saturating_add(header.packet_len);
						},
						Boundary::False => self.skip_one(),
					}
				},
				Err(FrameError::Incomplete { .. }) => {
					self.clear_if_consumed();
					return;
				},
				Err(FrameError::BadCrc) => {
					self.stats.packets_corrupted = self.stats.packets_corrupted.saturating_add(1);
					self.skip_one();
				},
				Err(_) => self.skip_one(),
			}
		}
	}

	fn skip_one(&mut self) {
		if self.start < self.window.len() {
			self.start += 1;
			self.stats.bytes_skipped = self.stats.bytes_skipped.saturating_add(1);
		}
	}

	/// Drops the consumed bytes in one go, so the window never grows past [`WINDOW_LEN`].
	fn compact(&mut self) {
		if self.start > 0 {
			self.window.drain(..self.start.min(self.window.len()));
			self.start = 0;
		}
	}

	/// Forgets consumed bytes when nothing is left after them; costs nothing to move.
	fn clear_if_consumed(&mut self) {
		if self.start >= self.window.len() {
			self.window.clear();
			self.start = 0;
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::link::{frame::SequenceCounter, message::Uplink};
	use alloc::{vec, vec::Vec};

	/// Every packet the scanner finds in `stream`, fed in one go, taken as real.
	fn packets(stream: &[u8]) -> (Vec<Vec<u8>>, ScanStats) {
		let mut scanner = PacketScanner::new(Direction::Uplink);
		let mut found = Vec::new();
		scanner.push(stream, |packet| {
			found.push(packet.bytes.to_vec());
			Boundary::Real
		});
		(found, scanner.stats())
	}

	#[test]
	fn a_packet_behind_a_mebibyte_of_garbage_is_found() {
		let packet =
			Uplink::Ping { nonce: 7 }.to_packets(&mut SequenceCounter::default()).remove(0);
		// Bytes that never start a plausible uplink header (version bits set), and then bytes
		// that do (type 1, APID of a sign request) with lengths whose packets fail the CRC.
		let mut stream = vec![0xE5u8; 1 << 19];
		stream.extend((0..1u32 << 19).map(|i| [0x10, 0x11, 0xC0, 0x00, 0x00][i as usize % 5]));
		let garbage = stream.len();
		stream.extend_from_slice(&packet);
		let (found, stats) = packets(&stream);
		assert_eq!(found, [packet]);
		assert_eq!(stats.bytes_skipped, garbage as u64);
		assert_eq!(stats.packets_ok, 1);
	}

	#[test]
	fn a_false_boundary_is_rescanned_from_its_second_byte() {
		let mut seq = SequenceCounter::default();
		let a = Uplink::Ping { nonce: 1 }.to_packets(&mut seq).remove(0);
		let b = Uplink::Ping { nonce: 2 }.to_packets(&mut seq).remove(0);
		// `a` with `b`'s bytes behind it: refusing `a` must not cost `b`.
		let stream = [a.clone(), b.clone()].concat();
		let mut scanner = PacketScanner::new(Direction::Uplink);
		let mut seen = Vec::new();
		scanner.push(&stream, |packet| {
			seen.push(packet.bytes.to_vec());
			if packet.bytes == a.as_slice() {
				Boundary::False
			} else {
				Boundary::Real
			}
		});
		assert_eq!(seen, [a.clone(), b]);
		assert_eq!(scanner.stats().bytes_skipped, a.len() as u64);
		assert_eq!(scanner.pending_len(), 0);
	}

	#[test]
	fn window_stays_bounded_on_a_large_push() {
		let mut scanner = PacketScanner::new(Direction::Downlink);
		scanner.push(&vec![0x08u8; 10 * WINDOW_LEN], |_| Boundary::Real);
		assert!(scanner.window.capacity() <= WINDOW_LEN);
		assert!(scanner.pending_len() < HEADER_LEN + MAX_PACKET_LEN);
	}

	#[test]
	fn segment_is_between_header_and_crc() {
		let packet =
			Uplink::Ping { nonce: 7 }.to_packets(&mut SequenceCounter::default()).remove(0);
		let (header, segment) = parse_packet(Direction::Uplink, &packet).unwrap();
		assert_eq!(RawPacket { header, bytes: &packet }.segment(), segment);
	}
}
