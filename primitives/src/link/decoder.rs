//! The streaming decoder: packet boundaries from a byte stream, and message reassembly.
//!
//! TCP (the emulator's carrier) delivers bytes, not packets, and the emulated radio link in
//! front of it drops and corrupts them. [`Deframer`] therefore finds the packets itself: at
//! each position it reads a primary header; if the header is implausible for its direction
//! (version, packet type, secondary header flag, length, an APID that no message kind of the
//! direction uses) or the packet's CRC fails, it drops one byte and looks again. Checking the
//! APID as well means that fewer than one random offset in 700 000 even looks like a header, so
//! garbage rarely makes the decoder wait for a packet that is not there (see below). A CRC-16 over the header makes a false packet boundary in garbage
//! a one-in-65536 event per plausible header, and one byte at a time means a good packet right
//! after a damaged one is never lost.
//!
//! Segments are put back together one message at a time, in sequence-count order. Anything
//! out of order (a continuation without its first segment, a gap in the counts, another APID,
//! a new message while one is open) drops the open message, counted in
//! [`DeframerStats::messages_dropped`]; retransmission is the sender's business.
//!
//! # Memory
//!
//! - Unconsumed input is kept in a window of at most [`WINDOW_LEN`] bytes: `push` feeds large
//!   inputs through it in pieces, taking packets out as it goes.
//! - A message being reassembled grows only with valid segments, up to the `max_message_len`
//!   given to [`Deframer::new`]; a message that would exceed it is dropped.
//! - Completed messages wait in a queue for [`Deframer::next_message`]. Their payloads are
//!   never larger than the bytes pushed since they were last taken, so a caller that takes the
//!   messages after each `push` holds no more than its own reads.
//!
//! Time is linear in the input too: at worst (input forged so that every offset holds a
//! plausible header of a full-length packet with a wrong CRC) each skipped byte costs one CRC
//! over [`MAX_PACKET_LEN`] bytes.
//!
//! # A stalled packet
//!
//! A header whose packet has not fully arrived waits for more bytes. If the header was
//! corrupted into a longer length and the link then goes quiet, the packets behind it wait too,
//! until more bytes arrive or the caller, after an idle timeout longer than one packet's air
//! time, calls [`Deframer::resync_stalled`].

use alloc::{collections::VecDeque, vec::Vec};

use super::{
	frame::{
		next_sequence_count, parse_header, parse_packet, Direction, FrameError, PacketHeader,
		Segment, HEADER_LEN, MAX_PACKET_LEN,
	},
	message::{Downlink, MessageError, Uplink},
};

/// Size of the input window: room for one whole packet behind a partial one, so every refill
/// makes progress.
pub const WINDOW_LEN: usize = 2 * MAX_PACKET_LEN;

/// Counters of what a [`Deframer`] has seen since it was created.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct DeframerStats {
	/// Packets whose header and CRC were valid.
	pub packets_ok: u64,
	/// Plausible headers whose packet failed the CRC.
	pub packets_corrupted: u64,
	/// Bytes dropped while looking for a packet boundary (garbage and damaged packets).
	pub bytes_skipped: u64,
	/// Messages lost: segments out of order or missing, or longer than the bound.
	pub messages_dropped: u64,
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

/// Where reassembly stands.
#[derive(Debug)]
enum Reassembly {
	/// Between messages.
	Idle,
	/// Collecting the segments of one message.
	Open {
		/// APID of the first segment; every other segment must carry it.
		apid: u16,
		/// Sequence count the next segment must carry.
		expected_count: u16,
		/// The segments so far.
		payload: Vec<u8>,
	},
	/// The rest of a message already counted as dropped: its remaining segments are ignored
	/// quietly, so one lost message is counted once.
	Discarding,
}

/// Streaming decoder for one direction of the link: bytes in, `(apid, payload)` out.
#[derive(Debug)]
pub struct Deframer {
	direction: Direction,
	max_message_len: usize,
	/// Unconsumed input; `window[start..]` is live.
	window: Vec<u8>,
	start: usize,
	reassembly: Reassembly,
	ready: VecDeque<(u16, Vec<u8>)>,
	stats: DeframerStats,
}

impl Deframer {
	/// A decoder for packets travelling `direction`, reassembling messages of at most
	/// `max_message_len` payload bytes (see [`super::DEFAULT_MAX_MESSAGE_LEN`]).
	pub fn new(direction: Direction, max_message_len: usize) -> Self {
		Self {
			direction,
			max_message_len,
			window: Vec::with_capacity(WINDOW_LEN),
			start: 0,
			reassembly: Reassembly::Idle,
			ready: VecDeque::new(),
			stats: DeframerStats::default(),
		}
	}

	/// Feeds bytes as they arrive, in any chunking; complete messages become available from
	/// [`Self::next_message`].
	pub fn push(&mut self, mut bytes: &[u8]) {
		while !bytes.is_empty() {
			// Moving the live bytes costs up to a packet's length, so only when needed: a
			// caller feeding one byte at a time must not pay that per byte.
			if self.window.len().saturating_add(bytes.len()) > WINDOW_LEN {
				self.compact();
			}
			let room = WINDOW_LEN.saturating_sub(self.window.len());
			let (now, later) = bytes.split_at(room.min(bytes.len()));
			self.window.extend_from_slice(now);
			bytes = later;
			self.scan();
		}
	}

	/// The next complete message, oldest first: its APID and its reassembled payload.
	pub fn next_message(&mut self) -> Option<(u16, Vec<u8>)> {
		self.ready.pop_front()
	}

	/// What the decoder has seen so far.
	pub fn stats(&self) -> DeframerStats {
		self.stats
	}

	/// Bytes received but not yet part of a packet: a partial packet waiting for the rest.
	pub fn pending_len(&self) -> usize {
		self.window.len().saturating_sub(self.start)
	}

	/// Declares that no more bytes are coming for now, so a packet still waiting for its rest
	/// is treated as damaged: one byte is skipped and the remaining input rescanned, until what
	/// is left is shorter than a header.
	///
	/// Call it after an idle timeout longer than the air time of a [`MAX_PACKET_LEN`] packet: a
	/// header corrupted into a longer length would otherwise hold back the packets behind it.
	pub fn resync_stalled(&mut self) {
		while self.pending_len() >= HEADER_LEN {
			self.skip_one();
			self.scan();
		}
	}

	/// Takes every complete packet from the window, skipping bytes where none starts.
	fn scan(&mut self) {
		loop {
			// Taken out for the duration, so that the segment can borrow it while the
			// reassembler updates `self`; moving a `Vec` copies no bytes.
			let window = core::mem::take(&mut self.window);
			let live = window.get(self.start..).unwrap_or_default();
			// Before waiting for a packet's rest, make sure its kind exists at all.
			let parsed = match parse_header(self.direction, live) {
				Ok(header) if !apid_known(self.direction, header.apid) => {
					Err(FrameError::UnknownApid)
				},
				_ => parse_packet(self.direction, live),
			};
			let outcome = parsed.map(|(header, segment)| {
				self.stats.packets_ok = self.stats.packets_ok.saturating_add(1);
				self.start = self.start.saturating_add(header.packet_len);
				self.reassemble(header, segment);
			});
			self.window = window;
			match outcome {
				Ok(()) => {},
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

	/// Moves the live bytes to the front of the window, so it never grows past [`WINDOW_LEN`].
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

	fn drop_message(&mut self) {
		self.stats.messages_dropped = self.stats.messages_dropped.saturating_add(1);
	}

	/// Adds one valid packet's segment to the message under way.
	fn reassemble(&mut self, header: PacketHeader, segment: &[u8]) {
		let state = core::mem::replace(&mut self.reassembly, Reassembly::Idle);
		if let Reassembly::Open { .. } = state {
			if matches!(header.segment, Segment::Unsegmented | Segment::First) {
				// A new message while one is open: the open one lost its end.
				self.drop_message();
			}
		}
		self.reassembly = match (header.segment, state) {
			(Segment::Unsegmented, _) => {
				if segment.len() <= self.max_message_len {
					self.ready.push_back((header.apid, segment.to_vec()));
				} else {
					self.drop_message();
				}
				Reassembly::Idle
			},
			(Segment::First, _) => {
				if segment.len() <= self.max_message_len {
					Reassembly::Open {
						apid: header.apid,
						expected_count: next_sequence_count(header.sequence_count),
						payload: segment.to_vec(),
					}
				} else {
					self.drop_message();
					Reassembly::Discarding
				}
			},
			(
				Segment::Continuation | Segment::Last,
				Reassembly::Open { apid, expected_count, mut payload },
			) if apid == header.apid
				&& expected_count == header.sequence_count
				&& payload.len().saturating_add(segment.len()) <= self.max_message_len =>
			{
				payload.extend_from_slice(segment);
				if header.segment == Segment::Last {
					self.ready.push_back((apid, payload));
					Reassembly::Idle
				} else {
					Reassembly::Open {
						apid,
						expected_count: next_sequence_count(header.sequence_count),
						payload,
					}
				}
			},
			(Segment::Continuation | Segment::Last, Reassembly::Discarding) => {
				if header.segment == Segment::Last {
					Reassembly::Idle
				} else {
					Reassembly::Discarding
				}
			},
			// Out of order, another APID, over the bound, or no first segment: the message
			// is lost; skip its remaining segments without counting it again.
			(segment_kind, _) => {
				self.drop_message();
				if segment_kind == Segment::Last {
					Reassembly::Idle
				} else {
					Reassembly::Discarding
				}
			},
		};
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::link::frame::{encode_packet, SequenceCounter, MAX_SEGMENT_LEN};
	use crate::link::message::apid;
	use alloc::vec;

	fn packet(segment: Segment, count: u16, apid: u16, data: &[u8]) -> Vec<u8> {
		let mut out = Vec::new();
		encode_packet(Direction::Downlink, apid, segment, count, data, &mut out).unwrap();
		out
	}

	#[test]
	fn continuation_without_first_is_dropped_once() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&packet(Segment::Continuation, 5, apid::PONG, b"a"));
		d.push(&packet(Segment::Continuation, 6, apid::PONG, b"b"));
		d.push(&packet(Segment::Last, 7, apid::PONG, b"c"));
		d.push(&packet(Segment::Unsegmented, 8, apid::BUSY, b"ok"));
		assert_eq!(d.next_message(), Some((apid::BUSY, b"ok".to_vec())));
		assert_eq!(d.next_message(), None);
		assert_eq!(d.stats().messages_dropped, 1);
		assert_eq!(d.stats().packets_ok, 4);
	}

	#[test]
	fn gap_in_sequence_drops_the_open_message() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&packet(Segment::First, 1, apid::PONG, b"a"));
		d.push(&packet(Segment::Last, 3, apid::PONG, b"c"));
		assert_eq!(d.next_message(), None);
		assert_eq!(d.stats().messages_dropped, 1);
		// Reassembly carries on with the next message.
		d.push(&packet(Segment::First, 4, apid::PONG, b"x"));
		d.push(&packet(Segment::Last, 5, apid::PONG, b"y"));
		assert_eq!(d.next_message(), Some((apid::PONG, b"xy".to_vec())));
	}

	#[test]
	fn new_first_while_open_drops_the_open_message() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&packet(Segment::First, 1, apid::PONG, b"a"));
		d.push(&packet(Segment::First, 2, apid::PONG, b"x"));
		d.push(&packet(Segment::Last, 3, apid::PONG, b"y"));
		assert_eq!(d.next_message(), Some((apid::PONG, b"xy".to_vec())));
		assert_eq!(d.stats().messages_dropped, 1);
	}

	#[test]
	fn other_apid_mid_message_drops_it() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&packet(Segment::First, 1, apid::PONG, b"a"));
		d.push(&packet(Segment::Last, 2, apid::STATUS, b"b"));
		assert_eq!(d.next_message(), None);
		assert_eq!(d.stats().messages_dropped, 1);
	}

	#[test]
	fn message_over_the_bound_is_dropped_without_growing() {
		let max = 2 * MAX_SEGMENT_LEN;
		let mut d = Deframer::new(Direction::Downlink, max);
		let mut seq = SequenceCounter::default();
		let big = vec![1u8; max + 1];
		let fits = vec![2u8; max];
		for p in
			super::super::frame::encode_message(Direction::Downlink, apid::PONG, &big, &mut seq)
		{
			d.push(&p);
		}
		for p in
			super::super::frame::encode_message(Direction::Downlink, apid::PONG, &fits, &mut seq)
		{
			d.push(&p);
		}
		assert_eq!(d.next_message(), Some((apid::PONG, fits)));
		assert_eq!(d.next_message(), None);
		assert_eq!(d.stats().messages_dropped, 1);
	}

	#[test]
	fn wrong_direction_is_skipped() {
		let mut up = Vec::new();
		encode_packet(Direction::Uplink, apid::PING, Segment::Unsegmented, 0, b"up", &mut up)
			.unwrap();
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&up);
		d.push(&packet(Segment::Unsegmented, 0, apid::BUSY, b"down"));
		assert_eq!(d.next_message(), Some((apid::BUSY, b"down".to_vec())));
		assert_eq!(d.next_message(), None);
		assert_eq!(d.stats().packets_ok, 1);
		assert_eq!(d.stats().bytes_skipped, up.len() as u64);
	}

	#[test]
	fn window_stays_bounded_on_a_large_push() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		let garbage = vec![0x08u8; 10 * WINDOW_LEN];
		d.push(&garbage);
		assert!(d.window.capacity() <= WINDOW_LEN);
		assert!(d.pending_len() < HEADER_LEN + MAX_PACKET_LEN);
	}
}
