//! The streaming decoder: messages from a byte stream.
//!
//! [`Deframer`] takes the packets that [`PacketScanner`] finds (see [`super::scanner`] for the
//! resynchronising scan, its memory and its cost) and puts their segments back together, one
//! message at a time, in sequence-count order. Anything out of order (a continuation without
//! its first segment, a gap in the counts, another APID, a new message while one is open) drops
//! the open message, counted in [`DeframerStats::messages_dropped`]; retransmission is the
//! sender's business.
//!
//! # The message check
//!
//! Every message ends with a 32-bit check ([`super::frame::message_check`], CRC-32C over the
//! APID and the payload), verified here and stripped before the message is handed out. The
//! CRC-16 of each packet lets one damaged packet in 65 536 through, and the radio damages
//! packets all day: a packet cut short and glued to the start of the next one, or garbage that
//! happens to look like a packet, would otherwise come out as a well-formed message now and
//! then. A message whose check fails is dropped and counted in
//! [`DeframerStats::messages_corrupted`], and the packet that completed it is handed back to the
//! scanner as a false boundary, so a real packet hidden behind it is still found. What comes out
//! is still untrusted: the check only makes radio damage visible, it proves nothing about who
//! sent the message (signatures do that).
//!
//! # Memory
//!
//! - Unconsumed input is kept in the scanner's window of at most [`WINDOW_LEN`] bytes.
//! - A message being reassembled grows only with valid segments, up to the `max_message_len`
//!   given to [`Deframer::new`] (plus its check); a message that would exceed it is dropped.
//! - Completed messages wait in a queue for [`Deframer::next_message`]. Their payloads are
//!   never larger than the bytes pushed since they were last taken, so a caller that takes the
//!   messages after each `push` holds no more than its own reads.

use alloc::{collections::VecDeque, vec::Vec};

pub use super::scanner::WINDOW_LEN;
use super::{
	frame::{
		message_check, next_sequence_count, Direction, PacketHeader, Segment, MESSAGE_CHECK_LEN,
	},
	scanner::{Boundary, PacketScanner},
};

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
	/// Messages whose 32-bit check failed: damage that every packet's CRC-16 missed.
	pub messages_corrupted: u64,
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

/// Puts segments back together into checked messages.
#[derive(Debug)]
struct Reassembler {
	/// Bound on a message with its check.
	max_len: usize,
	state: Reassembly,
	ready: VecDeque<(u16, Vec<u8>)>,
	messages_dropped: u64,
	messages_corrupted: u64,
}

/// Streaming decoder for one direction of the link: bytes in, `(apid, payload)` out.
#[derive(Debug)]
pub struct Deframer {
	scanner: PacketScanner,
	reassembler: Reassembler,
}

impl Deframer {
	/// A decoder for packets travelling `direction`, reassembling messages of at most
	/// `max_message_len` payload bytes (see [`super::DEFAULT_MAX_MESSAGE_LEN`]).
	pub fn new(direction: Direction, max_message_len: usize) -> Self {
		Self {
			scanner: PacketScanner::new(direction),
			reassembler: Reassembler {
				max_len: max_message_len.saturating_add(MESSAGE_CHECK_LEN),
				state: Reassembly::Idle,
				ready: VecDeque::new(),
				messages_dropped: 0,
				messages_corrupted: 0,
			},
		}
	}

	/// Feeds bytes as they arrive, in any chunking; complete messages become available from
	/// [`Self::next_message`].
	pub fn push(&mut self, bytes: &[u8]) {
		let reassembler = &mut self.reassembler;
		self.scanner.push(bytes, |packet| reassembler.add(packet.header, packet.segment()));
	}

	/// The next complete message, oldest first: its APID and its payload (checked, without the
	/// check).
	pub fn next_message(&mut self) -> Option<(u16, Vec<u8>)> {
		self.reassembler.ready.pop_front()
	}

	/// What the decoder has seen so far.
	pub fn stats(&self) -> DeframerStats {
		let scan = self.scanner.stats();
		DeframerStats {
			packets_ok: scan.packets_ok,
			packets_corrupted: scan.packets_corrupted,
			bytes_skipped: scan.bytes_skipped,
			messages_dropped: self.reassembler.messages_dropped,
			messages_corrupted: self.reassembler.messages_corrupted,
		}
	}

	/// Bytes received but not yet part of a packet: a partial packet waiting for the rest.
	pub fn pending_len(&self) -> usize {
		self.scanner.pending_len()
	}

	/// Declares that no more bytes are coming for now, so a packet still waiting for its rest
	/// is treated as damaged and the input after its first byte rescanned
	/// ([`PacketScanner::resync_stalled`]).
	///
	/// Call it after an idle timeout longer than the air time of a
	/// [`super::MAX_PACKET_LEN`] packet: a header corrupted into a longer length would otherwise
	/// hold back the packets behind it.
	pub fn resync_stalled(&mut self) {
		let reassembler = &mut self.reassembler;
		self.scanner.resync_stalled(|packet| reassembler.add(packet.header, packet.segment()));
	}
}

impl Reassembler {
	fn drop_message(&mut self) {
		self.messages_dropped = self.messages_dropped.saturating_add(1);
	}

	/// Ends the message under way, if any: an open one has lost its end (counted), the rest of
	/// a discarded one is simply over.
	fn abandon(&mut self) {
		if let Reassembly::Open { .. } = core::mem::replace(&mut self.state, Reassembly::Idle) {
			self.drop_message();
		}
	}

	/// Checks and strips a complete message's 32-bit check; queues it if it holds.
	fn complete(&mut self, apid: u16, mut message: Vec<u8>) -> Boundary {
		let Some(body_len) = message.len().checked_sub(MESSAGE_CHECK_LEN) else {
			self.messages_corrupted = self.messages_corrupted.saturating_add(1);
			return Boundary::False;
		};
		let (payload, check) = message.split_at(body_len);
		if check != message_check(apid, payload) {
			self.messages_corrupted = self.messages_corrupted.saturating_add(1);
			return Boundary::False;
		}
		message.truncate(body_len);
		self.ready.push_back((apid, message));
		Boundary::Real
	}

	/// Adds one valid packet's segment to the message under way. A packet that completes a
	/// message whose check fails is a [`Boundary::False`].
	fn add(&mut self, header: PacketHeader, segment: &[u8]) -> Boundary {
		if header.segment == Segment::Unsegmented {
			// Checked before it touches the message under way: an unsegmented packet that
			// fails its check is treated as never received, so a false boundary in the middle
			// of a message costs nothing but a rescan.
			if segment.len() > self.max_len {
				self.abandon();
				self.drop_message();
				return Boundary::Real;
			}
			let verdict = self.complete(header.apid, segment.to_vec());
			if verdict == Boundary::Real {
				self.abandon();
			}
			return verdict;
		}
		let state = core::mem::replace(&mut self.state, Reassembly::Idle);
		if let Reassembly::Open { .. } = state {
			if header.segment == Segment::First {
				// A new message while one is open: the open one lost its end.
				self.drop_message();
			}
		}
		let mut verdict = Boundary::Real;
		self.state = match (header.segment, state) {
			(Segment::First, _) => {
				if segment.len() <= self.max_len {
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
				&& payload.len().saturating_add(segment.len()) <= self.max_len =>
			{
				payload.extend_from_slice(segment);
				if header.segment == Segment::Last {
					verdict = self.complete(apid, payload);
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
		verdict
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::link::frame::{
		encode_packet, SequenceCounter, HEADER_LEN, MAX_PACKET_LEN, MAX_SEGMENT_LEN,
	};
	use crate::link::message::apid;
	use alloc::vec;

	fn packet(segment: Segment, count: u16, apid: u16, data: &[u8]) -> Vec<u8> {
		let mut out = Vec::new();
		encode_packet(Direction::Downlink, apid, segment, count, data, &mut out).unwrap();
		out
	}

	/// `message`'s last segment `tail`, followed by the message's check.
	fn sealed(apid: u16, message: &[u8], tail: &[u8]) -> Vec<u8> {
		[tail, &message_check(apid, message)].concat()
	}

	#[test]
	fn continuation_without_first_is_dropped_once() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&packet(Segment::Continuation, 5, apid::PONG, b"a"));
		d.push(&packet(Segment::Continuation, 6, apid::PONG, b"b"));
		d.push(&packet(Segment::Last, 7, apid::PONG, b"c"));
		d.push(&packet(Segment::Unsegmented, 8, apid::BUSY, &sealed(apid::BUSY, b"ok", b"ok")));
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
		d.push(&packet(Segment::Last, 5, apid::PONG, &sealed(apid::PONG, b"xy", b"y")));
		assert_eq!(d.next_message(), Some((apid::PONG, b"xy".to_vec())));
	}

	#[test]
	fn new_first_while_open_drops_the_open_message() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&packet(Segment::First, 1, apid::PONG, b"a"));
		d.push(&packet(Segment::First, 2, apid::PONG, b"x"));
		d.push(&packet(Segment::Last, 3, apid::PONG, &sealed(apid::PONG, b"xy", b"y")));
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
		d.push(&packet(Segment::Unsegmented, 0, apid::BUSY, &sealed(apid::BUSY, b"down", b"down")));
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
		assert!(d.pending_len() < HEADER_LEN + MAX_PACKET_LEN);
	}

	#[test]
	fn a_message_failing_its_check_is_dropped_and_counted() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		let mut bad = sealed(apid::BUSY, b"ok", b"ok");
		bad[0] ^= 1;
		d.push(&packet(Segment::Unsegmented, 0, apid::BUSY, &bad));
		// Too short to hold a check at all.
		d.push(&packet(Segment::Unsegmented, 1, apid::BUSY, b"ok"));
		d.push(&packet(Segment::First, 2, apid::PONG, b"x"));
		d.push(&packet(Segment::Last, 3, apid::PONG, &sealed(apid::PONG, b"xz", b"y")));
		assert_eq!(d.next_message(), None);
		assert_eq!(d.stats().messages_corrupted, 3);
		assert_eq!(d.stats().messages_dropped, 0);
		assert_eq!(d.stats().packets_ok, 4);
	}

	#[test]
	fn an_unsegmented_packet_failing_its_check_leaves_the_open_message_alone() {
		let mut d = Deframer::new(Direction::Downlink, 1 << 16);
		d.push(&packet(Segment::First, 1, apid::PONG, b"x"));
		d.push(&packet(Segment::Unsegmented, 9, apid::BUSY, b"not a message"));
		d.push(&packet(Segment::Last, 2, apid::PONG, &sealed(apid::PONG, b"xy", b"y")));
		assert_eq!(d.next_message(), Some((apid::PONG, b"xy".to_vec())));
		assert_eq!(d.stats().messages_corrupted, 1);
		assert_eq!(d.stats().messages_dropped, 0);
	}
}
