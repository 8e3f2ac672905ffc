//! Countersignatures: who among a server's satellites signed a batch, and when.
//!
//! ```text
//! satellite payload v1 = b"space-notary/v1/satellite" ++ batch_id ++ SCALE(server_signature)
//! satellite payload v2 = b"space-notary/v2/satellite" ++ batch_id ++ SCALE(server_signature)
//!                        ++ SCALE(satellite_id: u32) ++ SCALE(signed_at_ms: u64)
//! ```
//!
//! A server is served by up to [`MAX_SATELLITES_PER_SERVER`] satellites. Each holds its own
//! ed25519 key for that server alone, and is named by a [`SatelliteId`] that the registrar gives
//! it (a constellation-wide number: a NORAD catalogue number fits). A v2 countersignature
//! ([`Countersignature`]) names the satellite and carries the satellite's own clock at signing,
//! so a certified batch has a time that its ground server does not hold: the certificate's
//! `issued_at_ms` is what the ground claims, `signed_at_ms` is when a satellite saw the
//! certificate, and the chain checks `issued_at_ms <= signed_at_ms <= block time + tolerance`.
//!
//! v1 (no satellite, no time) stays accepted during the transition (`docs/design.md`,
//! "Countersignatures"): only from a server with exactly one satellite and a quorum of one, where
//! it cannot be mistaken for another satellite's.
//!
//! What the chain records for each countersignature it accepted is an [`Attestation`]; its
//! [`Attestation::verify`] is the one check of a recorded countersignature that the pallet, the
//! receipts and the ground station share.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::ConstU32;

use crate::certificate::{
	satellite_payload, verify_satellite_signature, BatchId, SatelliteKey, SatelliteSignature,
	ServerSignature, SignatureError,
};

/// Domain tag of the v2 payload a satellite signs.
pub const SATELLITE_DOMAIN_V2: &[u8] = b"space-notary/v2/satellite";

/// A satellite's number, given by the registrar; the same satellite has the same number for
/// every server it serves (with a different key for each).
pub type SatelliteId = u32;

/// The most satellites one server can have.
pub const MAX_SATELLITES_PER_SERVER: u32 = 8;

/// [`MAX_SATELLITES_PER_SERVER`] as a type, the bound of every list of a server's satellites
/// and of a batch's attestations.
pub type MaxSatellitesPerServer = ConstU32<MAX_SATELLITES_PER_SERVER>;

/// The bytes a satellite signs in v2: [`SATELLITE_DOMAIN_V2`] `++ batch_id ++
/// SCALE(server_signature) ++ SCALE(satellite_id) ++ SCALE(signed_at_ms)`.
pub fn satellite_payload_v2(
	batch_id: &BatchId,
	server_signature: &ServerSignature,
	satellite_id: SatelliteId,
	signed_at_ms: u64,
) -> Vec<u8> {
	let mut payload =
		Vec::with_capacity(SATELLITE_DOMAIN_V2.len() + 32 + server_signature.encoded_size() + 12);
	payload.extend_from_slice(SATELLITE_DOMAIN_V2);
	payload.extend_from_slice(batch_id.as_bytes());
	server_signature.encode_to(&mut payload);
	satellite_id.encode_to(&mut payload);
	signed_at_ms.encode_to(&mut payload);
	payload
}

/// A v2 countersignature as a satellite gives it and a relay sends it: which satellite, its clock
/// at signing, and its signature over [`satellite_payload_v2`].
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Countersignature {
	/// The satellite that signed.
	pub satellite_id: SatelliteId,
	/// The satellite's clock when it signed, unix milliseconds.
	pub signed_at_ms: u64,
	/// Its ed25519 signature over the v2 payload.
	pub signature: SatelliteSignature,
}

impl Countersignature {
	/// Checks the signature under `key` (the named satellite's key for the batch's server).
	pub fn verify(
		&self,
		batch_id: &BatchId,
		server_signature: &ServerSignature,
		key: &SatelliteKey,
	) -> Result<(), SignatureError> {
		let payload =
			satellite_payload_v2(batch_id, server_signature, self.satellite_id, self.signed_at_ms);
		if sp_io::crypto::ed25519_verify(&self.signature, &payload, key) {
			Ok(())
		} else {
			Err(SignatureError::BadSignature)
		}
	}
}

/// A countersignature the chain accepted for a batch, as it records it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Attestation {
	/// The satellite that signed.
	pub satellite_id: SatelliteId,
	/// The key it verified under: that satellite's key for the batch's server at the time.
	pub satellite_key: SatelliteKey,
	/// The satellite's clock at signing (v2), or `None` for a v1 countersignature.
	pub signed_at_ms: Option<u64>,
	/// The signature: over the v2 payload when `signed_at_ms` is set, over the v1 payload
	/// otherwise.
	pub signature: SatelliteSignature,
}

impl Attestation {
	/// The attestation a v2 countersignature makes, under `satellite_key`.
	pub fn v2(countersignature: &Countersignature, satellite_key: SatelliteKey) -> Self {
		Self {
			satellite_id: countersignature.satellite_id,
			satellite_key,
			signed_at_ms: Some(countersignature.signed_at_ms),
			signature: countersignature.signature,
		}
	}

	/// The bytes its signature covers: the v2 payload with `signed_at_ms`, the v1 payload
	/// without.
	pub fn payload(&self, batch_id: &BatchId, server_signature: &ServerSignature) -> Vec<u8> {
		match self.signed_at_ms {
			Some(at) => satellite_payload_v2(batch_id, server_signature, self.satellite_id, at),
			None => satellite_payload(batch_id, server_signature),
		}
	}

	/// Checks its signature under its own key, over the payload of its version.
	pub fn verify(
		&self,
		batch_id: &BatchId,
		server_signature: &ServerSignature,
	) -> Result<(), SignatureError> {
		match self.signed_at_ms {
			Some(_) => Countersignature::from(*self).verify(
				batch_id,
				server_signature,
				&self.satellite_key,
			),
			None => verify_satellite_signature(
				batch_id,
				server_signature,
				&self.signature,
				&self.satellite_key,
			),
		}
	}
}

impl From<Attestation> for Countersignature {
	/// The v2 countersignature an attestation was made from (`signed_at_ms` 0 for a v1 one,
	/// whose signature will not verify as v2).
	fn from(a: Attestation) -> Self {
		Self {
			satellite_id: a.satellite_id,
			signed_at_ms: a.signed_at_ms.unwrap_or(0),
			signature: a.signature,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::certificate::BatchCertificate;
	use sp_core::{ed25519, sr25519, Pair, H256};

	fn signed() -> (BatchId, ServerSignature) {
		let cert = BatchCertificate { issued_at_ms: 1_700_000_000_000, ..Default::default() };
		let server = sr25519::Pair::from_seed(&[1; 32]);
		(cert.batch_id(), server.sign(&cert.server_payload()).into())
	}

	#[test]
	fn v2_payload_layout_is_domain_batch_signature_satellite_time() {
		let (batch_id, server_sig) = signed();
		let payload = satellite_payload_v2(&batch_id, &server_sig, 0x0102_0304, 0x1122);
		let tail = &payload[payload.len() - 12..];
		assert_eq!(&payload[..SATELLITE_DOMAIN_V2.len()], SATELLITE_DOMAIN_V2);
		assert_eq!(
			&payload[SATELLITE_DOMAIN_V2.len()..SATELLITE_DOMAIN_V2.len() + 32],
			batch_id.as_bytes()
		);
		assert_eq!(tail, &[4, 3, 2, 1, 0x22, 0x11, 0, 0, 0, 0, 0, 0]);
		assert_eq!(payload.len(), SATELLITE_DOMAIN_V2.len() + 32 + server_sig.encoded_size() + 12);
	}

	#[test]
	fn a_v2_countersignature_binds_satellite_and_time_and_is_not_a_v1_one() {
		let (batch_id, server_sig) = signed();
		let sat = ed25519::Pair::from_seed(&[9; 32]);
		let at = 1_700_000_060_000;
		let signature = sat.sign(&satellite_payload_v2(&batch_id, &server_sig, 7, at));
		let cs = Countersignature { satellite_id: 7, signed_at_ms: at, signature };
		assert_eq!(cs.verify(&batch_id, &server_sig, &sat.public()), Ok(()));

		let bad = SignatureError::BadSignature;
		let other_satellite = Countersignature { satellite_id: 8, ..cs };
		assert_eq!(other_satellite.verify(&batch_id, &server_sig, &sat.public()), Err(bad));
		let moved_clock = Countersignature { signed_at_ms: at - 1, ..cs };
		assert_eq!(moved_clock.verify(&batch_id, &server_sig, &sat.public()), Err(bad));
		assert_eq!(cs.verify(&H256::repeat_byte(1), &server_sig, &sat.public()), Err(bad));

		// The same signature recorded as v1 does not verify: the domains differ.
		let v2 = Attestation::v2(&cs, sat.public());
		assert_eq!(v2.verify(&batch_id, &server_sig), Ok(()));
		let as_v1 = Attestation { signed_at_ms: None, ..v2 };
		assert_eq!(as_v1.verify(&batch_id, &server_sig), Err(bad));
	}

	#[test]
	fn a_v1_attestation_verifies_over_the_v1_payload() {
		let (batch_id, server_sig) = signed();
		let sat = ed25519::Pair::from_seed(&[9; 32]);
		let signature = sat.sign(&satellite_payload(&batch_id, &server_sig));
		let a = Attestation {
			satellite_id: 0,
			satellite_key: sat.public(),
			signed_at_ms: None,
			signature,
		};
		assert_eq!(a.verify(&batch_id, &server_sig), Ok(()));
		assert_eq!(a.payload(&batch_id, &server_sig), satellite_payload(&batch_id, &server_sig));
		let as_v2 = Attestation { signed_at_ms: Some(0), ..a };
		assert_eq!(as_v2.verify(&batch_id, &server_sig), Err(SignatureError::BadSignature));
	}
}
