//! Bytes on the link per certificate exchange in certificate-only mode, from the real
//! encoders (CCSDS header, message check and CRC included), for each server signature scheme.
//!
//! `cargo bench -p satellite-emulator --bench link_budget`
//!
//! Exits with status 1 if a bounded exchange exceeds the budget (204 B up, 125 B down).

use sp_core::{ecdsa, ed25519, sr25519, Pair, H256};
use space_notary_primitives::{
	link::{Downlink, RejectReason, SequenceCounter, Uplink},
	BatchCertificate, ServerSignature, CERTIFICATE_VERSION,
};

/// 200 B until every message carried a 4-byte CRC-32C: the bounded ecdsa request went from
/// 200 B to 204 B, 3.3 ms more air time at 9.6 kbit/s.
const UPLINK_BUDGET: usize = 204;
/// 120 B until countersignatures named the satellite and its clock (link protocol 2): the
/// bounded countersignature went from 113 B to 125 B, 10 ms more air time at 9.6 kbit/s.
const DOWNLINK_BUDGET: usize = 125;

fn wire_len(packets: Vec<Vec<u8>>) -> usize {
	packets.iter().map(Vec::len).sum()
}

/// How big the variable-length (SCALE compact) fields of a request are.
#[derive(Clone, Copy)]
enum Size {
	/// A server of a few hundred batches a day, some years in.
	Typical,
	/// Every ID at `u32::MAX`, four billion batches, the emulator's default bounds
	/// (10 000 transactions, 1 MiB), issued before the year 2100.
	Bounded,
	/// Every integer at its type's maximum: an encoding limit no signed certificate reaches
	/// (the timestamp alone would be 584 million years ahead).
	EncodingMax,
}

fn request_id(size: Size) -> u32 {
	match size {
		Size::Typical => 1_000,
		Size::Bounded | Size::EncodingMax => u32::MAX,
	}
}

fn certificate(size: Size) -> BatchCertificate {
	let (server_id, sequence, tx_count, total_bytes, issued_at_ms) = match size {
		Size::Typical => (42, 123_456, 500, 250_000, 1_767_225_600_000),
		Size::Bounded => (u32::MAX, u64::from(u32::MAX), 10_000, 1 << 20, 4_102_444_800_000),
		Size::EncodingMax => (u32::MAX, u64::MAX, u32::MAX, u64::MAX, u64::MAX),
	};
	BatchCertificate {
		version: CERTIFICATE_VERSION,
		genesis_hash: H256::repeat_byte(0x11),
		server_id,
		sequence,
		prev_batch: H256::repeat_byte(0x22),
		batch_root: H256::repeat_byte(0x33),
		tx_count,
		total_bytes,
		issued_at_ms,
	}
}

fn main() {
	let schemes: [(&str, fn(&[u8]) -> ServerSignature); 3] = [
		("ed25519", |m| ed25519::Pair::from_seed(&[1; 32]).sign(m).into()),
		("sr25519", |m| sr25519::Pair::from_seed(&[2; 32]).sign(m).into()),
		("ecdsa", |m| ecdsa::Pair::from_seed(&[3; 32]).sign(m).into()),
	];
	let mut over_budget = false;
	println!(
		"certificate-only exchange, bytes on the link (CCSDS header + SCALE payload + CRC-32C + CRC)"
	);
	println!(
		"{:<8} {:>14} {:>14} {:>14} {:>18} {:>10}",
		"scheme", "up typical", "up bounded", "up encoding max", "down countersig.", "rejected"
	);
	for (name, sign) in schemes {
		let mut row = Vec::new();
		for size in [Size::Typical, Size::Bounded, Size::EncodingMax] {
			let cert = certificate(size);
			let request = Uplink::SignRequest {
				request_id: request_id(size),
				cert: cert.clone(),
				server_signature: sign(&cert.server_payload()),
				txs: None,
			};
			row.push(wire_len(request.to_packets(&mut SequenceCounter::default())));
		}
		let countersignature = Downlink::Countersignature {
			request_id: u32::MAX,
			batch_id: certificate(Size::Bounded).batch_id(),
			satellite_id: u32::MAX,
			signed_at_ms: certificate(Size::Bounded).issued_at_ms,
			signature: ed25519::Signature::from_raw([7; 64]),
		};
		let rejected = Downlink::Rejected {
			request_id: u32::MAX,
			batch_id: certificate(Size::Bounded).batch_id(),
			reason: RejectReason::Equivocation,
		};
		let down = wire_len(countersignature.to_packets(&mut SequenceCounter::default()));
		let rejected = wire_len(rejected.to_packets(&mut SequenceCounter::default()));
		println!(
			"{name:<8} {:>12} B {:>12} B {:>13} B {down:>16} B {rejected:>8} B",
			row[0], row[1], row[2]
		);
		// The budget holds for every certificate the emulator can sign with its defaults.
		over_budget |= row[1] > UPLINK_BUDGET || down.max(rejected) > DOWNLINK_BUDGET;
	}
	println!("budget: {UPLINK_BUDGET} B uplink, {DOWNLINK_BUDGET} B downlink");
	if over_budget {
		eprintln!("over budget");
		std::process::exit(1);
	}
}
