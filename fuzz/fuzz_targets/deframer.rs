//! Fuzzes the space-link `Deframer` in both directions.
//!
//! The input is either fed raw, or (so that the fuzzer reaches reassembly without having to
//! forge CRCs) read as a script that builds a stream of real packets and then damages it with
//! garbage, bit flips and cuts. Either way the stream goes to a decoder for each direction in
//! input-chosen chunks, and every message that comes out is decoded with
//! `Uplink::decode_payload` / `Downlink::decode_payload`.
//!
//! Checked besides "never panics": no message over the decoder's bound, the input window stays
//! bounded, a decoded message re-encodes to the same bytes (no malleable payloads), and a clean
//! stream (packets of one direction, undamaged) comes out exactly as it went in.

#![no_main]

use libfuzzer_sys::{
	arbitrary::{Result, Unstructured},
	fuzz_target,
};
use space_notary_primitives::link::{
	apid, decoder::WINDOW_LEN, encode_message, frame::HEADER_LEN, Deframer, Direction, Downlink,
	SequenceCounter, Uplink, DEFAULT_MAX_MESSAGE_LEN, MAX_SEGMENT_LEN,
};

const UPLINK_APIDS: [u16; 4] = [apid::HELLO, apid::SIGN_REQUEST, apid::PING, apid::STATUS_REQUEST];
const DOWNLINK_APIDS: [u16; 6] =
	[apid::HELLO_ACK, apid::COUNTERSIGNATURE, apid::REJECTED, apid::PONG, apid::BUSY, apid::STATUS];

/// A stream built from the input, and what a decoder must yield for it when it is clean.
struct Script {
	stream: Vec<u8>,
	/// `Some((direction, messages))` when the stream holds only undamaged packets of one
	/// direction with known APIDs.
	clean: Option<(Direction, Vec<(u16, Vec<u8>)>)>,
}

fn build(u: &mut Unstructured) -> Result<Script> {
	let mut stream = Vec::new();
	let mut sent: Vec<(Direction, u16, Vec<u8>)> = Vec::new();
	let mut damaged = false;
	let mut up = SequenceCounter::starting_at(u.arbitrary()?);
	let mut down = SequenceCounter::starting_at(u.arbitrary()?);
	for _ in 0..u.int_in_range(0..=12)? {
		match u.int_in_range(0..=5)? {
			0..=2 => {
				let direction =
					if u.arbitrary()? { Direction::Uplink } else { Direction::Downlink };
				let (apid, seq) = match direction {
					Direction::Uplink => (*u.choose(&UPLINK_APIDS)?, &mut up),
					Direction::Downlink => (*u.choose(&DOWNLINK_APIDS)?, &mut down),
				};
				let len = u.int_in_range(0..=3 * MAX_SEGMENT_LEN)?;
				let payload = u.bytes(len.min(u.len()))?.to_vec();
				stream.extend(encode_message(direction, apid, &payload, seq).concat());
				sent.push((direction, apid, payload));
			},
			3 => {
				let len = u.int_in_range(0..=64)?;
				stream.extend_from_slice(u.bytes(len.min(u.len()))?);
				damaged = true;
			},
			4 if !stream.is_empty() => {
				let bit = u.choose_index(stream.len() * 8)?;
				stream[bit / 8] ^= 1 << (bit % 8);
				damaged = true;
			},
			_ => {
				let cut = u.int_in_range(0..=stream.len())?;
				stream.truncate(stream.len() - cut);
				damaged |= cut > 0;
			},
		}
	}
	let single_direction = sent.windows(2).all(|w| w[0].0 == w[1].0);
	let clean = (!damaged && single_direction).then(|| {
		let direction = sent.first().map_or(Direction::Uplink, |m| m.0);
		(direction, sent.into_iter().map(|(_, apid, payload)| (apid, payload)).collect())
	});
	Ok(Script { stream, clean })
}

fn deframe(
	direction: Direction,
	stream: &[u8],
	chunks: &[usize],
	max: usize,
) -> Vec<(u16, Vec<u8>)> {
	let mut deframer = Deframer::new(direction, max);
	let mut out = Vec::new();
	let mut take = |deframer: &mut Deframer| {
		while let Some((apid, payload)) = deframer.next_message() {
			assert!(
				payload.len() <= max,
				"message of {} bytes over the bound {max}",
				payload.len()
			);
			let reencoded = match direction {
				Direction::Uplink => {
					Uplink::decode_payload(apid, &payload).ok().map(|m| m.encode_payload())
				},
				Direction::Downlink => {
					Downlink::decode_payload(apid, &payload).ok().map(|m| m.encode_payload())
				},
			};
			if let Some(bytes) = reencoded {
				assert_eq!(
					bytes, payload,
					"APID {apid:#x}: a payload that decodes but is not canonical"
				);
			}
			out.push((apid, payload));
		}
	};
	let mut rest = stream;
	for &size in chunks.iter().cycle() {
		if rest.is_empty() {
			break;
		}
		let (now, later) = rest.split_at(size.clamp(1, rest.len()));
		deframer.push(now);
		rest = later;
		assert!(deframer.pending_len() <= WINDOW_LEN);
		take(&mut deframer);
	}
	deframer.resync_stalled();
	assert!(deframer.pending_len() < HEADER_LEN);
	take(&mut deframer);
	out
}

fn run(data: &[u8]) -> Result<()> {
	let mut u = Unstructured::new(data);
	let max = if u.arbitrary()? {
		u.int_in_range(0..=4 * MAX_SEGMENT_LEN)?
	} else {
		DEFAULT_MAX_MESSAGE_LEN
	};
	let chunks: Vec<usize> =
		(0..u.int_in_range(1..=4)?).map(|_| u.int_in_range(1..=4096)).collect::<Result<_>>()?;
	let script = if u.arbitrary()? {
		build(&mut u)?
	} else {
		Script { stream: u.take_rest().to_vec(), clean: None }
	};
	for direction in [Direction::Uplink, Direction::Downlink] {
		let out = deframe(direction, &script.stream, &chunks, max);
		if let Some((clean_direction, sent)) = &script.clean {
			if *clean_direction == direction {
				let expected: Vec<_> =
					sent.iter().filter(|(_, p)| p.len() <= max).cloned().collect();
				assert_eq!(out, expected, "a clean stream must come out as it went in");
			}
		}
	}
	Ok(())
}

fuzz_target!(|data: &[u8]| {
	// `Err` only means the input ran out of bytes for the script: nothing to check.
	let _ = run(data);
});
