//! The checks the space node makes before every signature (docs/design.md, flow step 4), as one
//! pure function of the request, what is known about the server, the limits and the clock.
//!
//! Order, cheapest and least trusting first, so that nobody can make the satellite spend
//! work (or raise an equivocation alarm) without a valid server signature:
//!
//! | # | check | refusal |
//! |---|---|---|
//! | 1 | certificate version is 1 | `UnsupportedVersion` |
//! | 2 | a satellite key is provisioned for `server_id` | `UnknownServer` |
//! | 3 | `genesis_hash` is the chain this satellite serves | `GenesisMismatch` |
//! | 4 | `1 <= tx_count <= max_txs`, `total_bytes <= max_bytes` | `BoundsExceeded` |
//! | 5 | the signature's scheme is the provisioned key's scheme | `ServerKeyMismatch` |
//! | 6 | the server signature verifies under the provisioned key (or the previous one, below) | `BadServerSignature` |
//! | 7 | full mode: the uplinked transactions are the certificate's (count, bytes, root) | `RootMismatch` |
//! | 8 | a sequence already signed: the same batch is a repeat, another is equivocation | `Equivocation` |
//! | 9 | otherwise the sequence is above the last signed for the server | `SequenceNotAbove` |
//! | 10 | `now - freshness <= issued_at_ms <= now + max_skew` | `Stale` / `FromFuture` |
//!
//! Check 7 is `BatchCertificate::check_transactions`, the rule the chain applies at submission;
//! every way it can fail is one `RootMismatch` on the wire.
//!
//! The certificate carries no key, so "the server key matches the provisioning" means: the
//! signature is of the provisioned key's scheme (else `ServerKeyMismatch`) and verifies under
//! that key (else `BadServerSignature`); a signature by some other key of the same scheme is
//! indistinguishable from a forgery and is `BadServerSignature`.
//!
//! After `reprovision --previous-key-until N` the replaced server key is also accepted at
//! checks 5 and 6, but only for `sequence <= N`: batches the server submitted before its key
//! was rotated on chain stay signable, and the old key cannot sign anything newer. A
//! certificate that verifies under neither key is refused with the current key's reason.
//!
//! A repeat (same sequence, same batch id, same server signature) returns the recorded
//! countersignature and skips the freshness check: it creates nothing new, and a bridge that
//! lost the answer may only get to ask again a pass later. (If the recorded signature was made
//! with a key since retired by `rotate-key`, the signer signs the batch again with the current
//! key: see `signer`.) The same batch with a *different*
//! valid server signature (sr25519 and ecdsa signing are randomised, so a server that signs
//! twice gets two signatures) is signed again, fresh: the satellite payload covers the server
//! signature, so the recorded countersignature would not verify for it, and it is the same
//! batch, so no conflicting certificate is created.

use sp_core::H256;
use space_notary_primitives::{
	verify_server_signature, BatchCertificate, SatelliteSignature, ServerKey, ServerSignature,
	SignatureError, CERTIFICATE_VERSION,
};

use crate::{provisioning::PreviousServerKey, signing_store::SignedRecord};
pub use space_notary_primitives::link::RejectReason;

/// The satellite's side of the checks: which chain, how fresh, how big.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyLimits {
	/// The chain whose certificates this satellite signs.
	pub genesis_hash: H256,
	/// How old `issued_at_ms` may be, in milliseconds.
	pub freshness_ms: u64,
	/// How far ahead of the satellite's clock `issued_at_ms` may be, in milliseconds.
	pub max_skew_ms: u64,
	/// Most transactions in one batch.
	pub max_txs: u32,
	/// Most bytes in one batch.
	pub max_bytes: u64,
}

/// What the satellite knows about the certificate's server.
#[derive(Clone, Copy, Debug)]
pub struct ServerView<'a> {
	/// The key recorded at provisioning.
	pub server_key: &'a ServerKey,
	/// The key it replaced, valid up to a sequence, if one was kept.
	pub previous_key: Option<&'a PreviousServerKey>,
	/// The highest sequence signed for this server.
	pub last_signed: Option<u64>,
	/// What was signed at the certificate's sequence, if anything.
	pub at_sequence: Option<&'a SignedRecord>,
}

/// A sign request as the checks see it.
#[derive(Clone, Copy, Debug)]
pub struct SignRequest<'a> {
	/// The certificate.
	pub cert: &'a BatchCertificate,
	/// The server's signature over its server payload.
	pub server_signature: &'a ServerSignature,
	/// Full mode: the batch's transactions.
	pub txs: Option<&'a [Vec<u8>]>,
}

/// What to do with a request that passed the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
	/// Record the sequence, then sign.
	Sign,
	/// Already signed: answer with the recorded countersignature, if it still verifies.
	Repeat {
		/// The recorded signature.
		signature: SatelliteSignature,
		/// The satellite's clock it was made at; `None` for a v1 record, to be signed again.
		signed_at_ms: Option<u64>,
	},
}

/// Runs the step-4 checks in the order of the module table.
pub fn check(
	request: SignRequest<'_>,
	server: Option<ServerView<'_>>,
	limits: &PolicyLimits,
	now_ms: u64,
) -> Result<Verdict, RejectReason> {
	let cert = request.cert;
	if cert.version != CERTIFICATE_VERSION {
		return Err(RejectReason::UnsupportedVersion);
	}
	let server = server.ok_or(RejectReason::UnknownServer)?;
	if cert.genesis_hash != limits.genesis_hash {
		return Err(RejectReason::GenesisMismatch);
	}
	if cert.tx_count == 0 || cert.tx_count > limits.max_txs || cert.total_bytes > limits.max_bytes {
		return Err(RejectReason::BoundsExceeded);
	}
	let by_current = verify_server_signature(cert, request.server_signature, server.server_key);
	let by_previous = || {
		server.previous_key.is_some_and(|previous| {
			previous.covers(cert.sequence)
				&& verify_server_signature(cert, request.server_signature, &previous.key).is_ok()
		})
	};
	if let Err(e) = by_current {
		if !by_previous() {
			return Err(match e {
				SignatureError::SchemeMismatch | SignatureError::UnsupportedScheme => {
					RejectReason::ServerKeyMismatch
				},
				SignatureError::BadSignature => RejectReason::BadServerSignature,
			});
		}
	}
	if let Some(txs) = request.txs {
		// Every way the transactions can differ from the certificate is one refusal on the wire.
		cert.check_transactions(txs).map_err(|_| RejectReason::RootMismatch)?;
	}
	match server.at_sequence {
		Some(record) if record.batch_id != cert.batch_id() => {
			return Err(RejectReason::Equivocation)
		},
		Some(record) if record.server_signature == *request.server_signature => {
			return Ok(Verdict::Repeat {
				signature: record.signature,
				signed_at_ms: record.signed_at_ms,
			})
		},
		// Same batch, another valid server signature: signed afresh (see module docs).
		Some(_) => {},
		None => {
			if server.last_signed.is_some_and(|last| cert.sequence <= last) {
				return Err(RejectReason::SequenceNotAbove);
			}
		},
	}
	if cert.issued_at_ms < now_ms.saturating_sub(limits.freshness_ms) {
		return Err(RejectReason::Stale);
	}
	if cert.issued_at_ms > now_ms.saturating_add(limits.max_skew_ms) {
		return Err(RejectReason::FromFuture);
	}
	Ok(Verdict::Sign)
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{ecdsa, ed25519, sr25519, Pair};

	const NOW: u64 = 1_750_000_000_000;

	fn limits() -> PolicyLimits {
		PolicyLimits {
			genesis_hash: H256::repeat_byte(0x6e),
			freshness_ms: 60_000,
			max_skew_ms: 5_000,
			max_txs: 10,
			max_bytes: 100,
		}
	}

	fn txs() -> Vec<Vec<u8>> {
		vec![b"alpha".to_vec(), b"beta".to_vec(), b"gamma".to_vec()]
	}

	fn cert(sequence: u64) -> BatchCertificate {
		BatchCertificate::over_transactions(
			limits().genesis_hash,
			4,
			sequence,
			H256::zero(),
			NOW - 1_000,
			&txs(),
		)
		.unwrap()
	}

	fn server_pair() -> sr25519::Pair {
		sr25519::Pair::from_seed(&[9; 32])
	}

	fn sign(cert: &BatchCertificate) -> ServerSignature {
		server_pair().sign(&cert.server_payload()).into()
	}

	fn recorded(cert: &BatchCertificate, sig: &ServerSignature, sat: u8) -> SignedRecord {
		SignedRecord {
			batch_id: cert.batch_id(),
			server_signature: sig.clone(),
			signature: ed25519::Signature::from_raw([sat; 64]),
			signed_at_ms: Some(NOW - 1_000),
		}
	}

	/// One row: how to bend the request and the server's state, and what must come out.
	struct Case {
		name: &'static str,
		/// Changes the certificate *before* the server signs it.
		cert: fn(&mut BatchCertificate),
		/// Replaces the signature (after signing).
		signature: fn(&BatchCertificate, ServerSignature) -> ServerSignature,
		txs: Option<fn() -> Vec<Vec<u8>>>,
		known: bool,
		last_signed: Option<u64>,
		/// A record at the request's sequence: `Some(true)` = this very request, `Some(false)`
		/// = another certificate.
		at_sequence: Option<bool>,
		expect: Result<Verdict, RejectReason>,
	}

	fn keep_cert(_: &mut BatchCertificate) {}
	fn keep_sig(_: &BatchCertificate, s: ServerSignature) -> ServerSignature {
		s
	}

	const BASE: Case = Case {
		name: "",
		cert: keep_cert,
		signature: keep_sig,
		txs: None,
		known: true,
		last_signed: None,
		at_sequence: None,
		expect: Ok(Verdict::Sign),
	};

	#[test]
	fn every_rule_of_step_four() {
		let cases = [
			Case { name: "fresh first batch", ..BASE },
			Case { name: "full mode, matching txs", txs: Some(txs), ..BASE },
			Case { name: "above the last", last_signed: Some(4), cert: |c| c.sequence = 5, ..BASE },
			Case {
				name: "gap above the last is fine",
				last_signed: Some(1),
				cert: |c| c.sequence = 9,
				..BASE
			},
			Case {
				name: "version 2",
				cert: |c| c.version = 2,
				expect: Err(RejectReason::UnsupportedVersion),
				..BASE
			},
			Case {
				name: "unknown server",
				known: false,
				expect: Err(RejectReason::UnknownServer),
				..BASE
			},
			Case {
				name: "other chain",
				cert: |c| c.genesis_hash = H256::repeat_byte(1),
				expect: Err(RejectReason::GenesisMismatch),
				..BASE
			},
			Case {
				name: "empty batch",
				cert: |c| c.tx_count = 0,
				expect: Err(RejectReason::BoundsExceeded),
				..BASE
			},
			Case {
				name: "too many txs",
				cert: |c| c.tx_count = 11,
				expect: Err(RejectReason::BoundsExceeded),
				..BASE
			},
			Case {
				name: "too many bytes",
				cert: |c| c.total_bytes = 101,
				expect: Err(RejectReason::BoundsExceeded),
				..BASE
			},
			Case {
				name: "ed25519 signature against an sr25519 key",
				signature: |c, _| {
					ed25519::Pair::from_seed(&[9; 32]).sign(&c.server_payload()).into()
				},
				expect: Err(RejectReason::ServerKeyMismatch),
				..BASE
			},
			Case {
				name: "ecdsa signature against an sr25519 key",
				signature: |c, _| ecdsa::Pair::from_seed(&[9; 32]).sign(&c.server_payload()).into(),
				expect: Err(RejectReason::ServerKeyMismatch),
				..BASE
			},
			Case {
				name: "another sr25519 key",
				signature: |c, _| {
					sr25519::Pair::from_seed(&[8; 32]).sign(&c.server_payload()).into()
				},
				expect: Err(RejectReason::BadServerSignature),
				..BASE
			},
			Case {
				name: "signature over another certificate",
				signature: |c, _| {
					let mut other = c.clone();
					other.sequence += 1;
					sign(&other)
				},
				expect: Err(RejectReason::BadServerSignature),
				..BASE
			},
			Case {
				name: "full mode, a tx altered",
				txs: Some(|| vec![b"alpha".to_vec(), b"betA".to_vec(), b"gamma".to_vec()]),
				expect: Err(RejectReason::RootMismatch),
				..BASE
			},
			Case {
				name: "full mode, a tx missing",
				txs: Some(|| vec![b"alpha".to_vec(), b"beta".to_vec()]),
				expect: Err(RejectReason::RootMismatch),
				..BASE
			},
			Case {
				name: "full mode, bytes claimed wrong",
				cert: |c| c.total_bytes += 1,
				txs: Some(txs),
				expect: Err(RejectReason::RootMismatch),
				..BASE
			},
			Case {
				name: "replayed lower sequence",
				last_signed: Some(3),
				cert: |c| c.sequence = 2,
				expect: Err(RejectReason::SequenceNotAbove),
				..BASE
			},
			Case {
				name: "same sequence as the last, no record of it",
				last_signed: Some(3),
				cert: |c| c.sequence = 3,
				expect: Err(RejectReason::SequenceNotAbove),
				..BASE
			},
			Case {
				name: "another certificate at a signed sequence",
				last_signed: Some(1),
				at_sequence: Some(false),
				expect: Err(RejectReason::Equivocation),
				..BASE
			},
			Case {
				name: "repeat, even when stale",
				cert: |c| c.issued_at_ms = NOW - 3_600_000,
				last_signed: Some(5),
				at_sequence: Some(true),
				expect: Ok(Verdict::Repeat {
					signature: ed25519::Signature::from_raw([7; 64]),
					signed_at_ms: Some(NOW - 1_000),
				}),
				..BASE
			},
			Case {
				name: "stale",
				cert: |c| c.issued_at_ms = NOW - 60_001,
				expect: Err(RejectReason::Stale),
				..BASE
			},
			Case {
				name: "exactly at the freshness edge",
				cert: |c| c.issued_at_ms = NOW - 60_000,
				..BASE
			},
			Case {
				name: "from the future",
				cert: |c| c.issued_at_ms = NOW + 5_001,
				expect: Err(RejectReason::FromFuture),
				..BASE
			},
			Case { name: "within the skew", cert: |c| c.issued_at_ms = NOW + 5_000, ..BASE },
		];
		let key: ServerKey = server_pair().public().into();
		for case in cases {
			let mut c = cert(1);
			(case.cert)(&mut c);
			let sig = (case.signature)(&c, sign(&c));
			let txs = case.txs.map(|f| f());
			let record = match case.at_sequence {
				Some(true) => Some(recorded(&c, &sig, 7)),
				Some(false) => {
					let mut other = c.clone();
					other.issued_at_ms -= 1;
					Some(recorded(&other, &sign(&other), 7))
				},
				None => None,
			};
			let view = ServerView {
				server_key: &key,
				previous_key: None,
				last_signed: case.last_signed,
				at_sequence: record.as_ref(),
			};
			let request = SignRequest { cert: &c, server_signature: &sig, txs: txs.as_deref() };
			let got = check(request, case.known.then_some(view), &limits(), NOW);
			assert_eq!(got, case.expect, "case {:?}", case.name);
		}
	}

	#[test]
	fn same_batch_with_a_fresh_server_signature_is_signed_again() {
		let key: ServerKey = server_pair().public().into();
		let c = cert(3);
		let first = sign(&c);
		let second = sign(&c);
		// sr25519 signing is randomised: two signatures over the same payload differ.
		assert_ne!(first, second);
		let record = recorded(&c, &first, 7);
		let view = ServerView {
			server_key: &key,
			previous_key: None,
			last_signed: Some(3),
			at_sequence: Some(&record),
		};
		let request = SignRequest { cert: &c, server_signature: &second, txs: None };
		assert_eq!(check(request, Some(view), &limits(), NOW), Ok(Verdict::Sign));
	}

	/// Regression: `reprovision` with a new server key stranded every pending batch the server
	/// had signed with the old one. Kept with `--previous-key-until 5`, the old key signs up to
	/// sequence 5 and nothing after (whatever its scheme); the new key signs everything.
	#[test]
	fn a_replaced_server_key_signs_only_up_to_its_bound() {
		#[derive(Clone, Copy, Debug)]
		enum Signer {
			/// The old sr25519 key, `server_pair()`.
			Old,
			/// An old ecdsa key: the rotation changed the scheme.
			OldEcdsa,
			/// The new sr25519 key.
			New,
		}
		let old_ecdsa = ecdsa::Pair::from_seed(&[11; 32]);
		let new_pair = sr25519::Pair::from_seed(&[10; 32]);
		let new_key: ServerKey = new_pair.public().into();
		let cases = [
			// (sequence, signer, previous key kept, expected)
			(3, Signer::Old, true, Ok(Verdict::Sign)),
			(5, Signer::Old, true, Ok(Verdict::Sign)),
			(6, Signer::Old, true, Err(RejectReason::BadServerSignature)),
			(3, Signer::Old, false, Err(RejectReason::BadServerSignature)),
			(5, Signer::OldEcdsa, true, Ok(Verdict::Sign)),
			(6, Signer::OldEcdsa, true, Err(RejectReason::ServerKeyMismatch)),
			(3, Signer::New, true, Ok(Verdict::Sign)),
			(6, Signer::New, true, Ok(Verdict::Sign)),
			(6, Signer::New, false, Ok(Verdict::Sign)),
		];
		for (sequence, signer, kept, expect) in cases {
			let c = cert(sequence);
			let (old_key, sig): (ServerKey, ServerSignature) = match signer {
				Signer::Old => (server_pair().public().into(), sign(&c)),
				Signer::OldEcdsa => {
					(old_ecdsa.public().into(), old_ecdsa.sign(&c.server_payload()).into())
				},
				Signer::New => {
					(server_pair().public().into(), new_pair.sign(&c.server_payload()).into())
				},
			};
			let previous = PreviousServerKey { key: old_key, until_sequence: 5 };
			let view = ServerView {
				server_key: &new_key,
				previous_key: kept.then_some(&previous),
				last_signed: Some(sequence - 1),
				at_sequence: None,
			};
			let request = SignRequest { cert: &c, server_signature: &sig, txs: None };
			assert_eq!(
				check(request, Some(view), &limits(), NOW),
				expect,
				"sequence {sequence}, {signer:?}, previous key kept: {kept}"
			);
		}
	}
}
