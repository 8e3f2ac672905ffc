//! Checks every vector of `test-vectors/v1.json` against this crate's implementation.

use codec::{Decode, Encode};
use serde_json::Value;
use sp_core::{ecdsa, ed25519, sr25519, Pair, H256};
use sp_runtime::MultiSignature;
use space_notary_primitives::{
	batch_root, leaf_hash, satellite_payload_v2, verify_satellite_signature,
	verify_server_signature, BatchCertificate, Countersignature, InclusionProof, ServerKey,
	SATELLITE_DOMAIN, SERVER_DOMAIN,
};

fn vectors() -> Value {
	let text = include_str!("../test-vectors/v1.json");
	serde_json::from_str(text).expect("valid JSON")
}

fn bytes(v: &Value) -> Vec<u8> {
	let s = v.as_str().expect("hex string");
	hex::decode(s.trim_start_matches("0x")).expect("valid hex")
}

fn h256(v: &Value) -> H256 {
	H256::from_slice(&bytes(v))
}

fn seed(v: &Value) -> [u8; 32] {
	bytes(v).try_into().expect("32-byte seed")
}

#[test]
fn domains_match() {
	let v = vectors();
	assert_eq!(bytes(&v["domains"]["server"]), SERVER_DOMAIN);
	assert_eq!(bytes(&v["domains"]["satellite"]), SATELLITE_DOMAIN);
}

#[test]
fn certificates_encode_hash_and_sign_as_recorded() {
	let v = vectors();
	let certs = v["certificates"].as_array().expect("array");
	assert_eq!(certs.len(), 3);
	for c in certs {
		let name = c["name"].as_str().unwrap();
		let f = &c["cert"];
		let cert = BatchCertificate {
			version: f["version"].as_u64().unwrap() as u8,
			genesis_hash: h256(&f["genesis_hash"]),
			server_id: f["server_id"].as_u64().unwrap() as u32,
			sequence: f["sequence"].as_u64().unwrap(),
			prev_batch: h256(&f["prev_batch"]),
			batch_root: h256(&f["batch_root"]),
			tx_count: f["tx_count"].as_u64().unwrap() as u32,
			total_bytes: f["total_bytes"].as_u64().unwrap(),
			issued_at_ms: f["issued_at_ms"].as_u64().unwrap(),
		};
		assert_eq!(cert.encode(), bytes(&c["scale"]), "{name}: SCALE");
		assert_eq!(BatchCertificate::decode(&mut &bytes(&c["scale"])[..]).unwrap(), cert);
		assert_eq!(cert.batch_id(), h256(&c["batch_id"]), "{name}: batch id");
		assert_eq!(cert.server_payload(), bytes(&c["server_payload"]), "{name}: server payload");

		// Seed → key.
		let server_seed = seed(&c["server_seed"]);
		let key: ServerKey = match c["server_scheme"].as_str().unwrap() {
			"ed25519" => ed25519::Pair::from_seed(&server_seed).public().into(),
			"sr25519" => sr25519::Pair::from_seed(&server_seed).public().into(),
			"ecdsa" => ecdsa::Pair::from_seed(&server_seed).public().into(),
			other => panic!("unknown scheme {other}"),
		};
		assert_eq!(key.encode(), bytes(&c["server_key"]), "{name}: server key");

		// The recorded server signature verifies; deterministic schemes reproduce it.
		let sig = MultiSignature::decode(&mut &bytes(&c["server_signature"])[..]).unwrap();
		assert_eq!(verify_server_signature(&cert, &sig, &key), Ok(()), "{name}: server sig");
		if c["server_signature_deterministic"].as_bool().unwrap() {
			let again: MultiSignature = match c["server_scheme"].as_str().unwrap() {
				"ed25519" => {
					ed25519::Pair::from_seed(&server_seed).sign(&cert.server_payload()).into()
				},
				_ => ecdsa::Pair::from_seed(&server_seed).sign(&cert.server_payload()).into(),
			};
			assert_eq!(again, sig, "{name}: deterministic server signature");
		}

		// Satellite payload and signature (ed25519: deterministic).
		assert_eq!(cert.satellite_payload(&sig), bytes(&c["satellite_payload"]), "{name}");
		let satellite = ed25519::Pair::from_seed(&seed(&c["satellite_seed"]));
		assert_eq!(satellite.public().0.to_vec(), bytes(&c["satellite_key"]), "{name}");
		let sat_sig = satellite.sign(&cert.satellite_payload(&sig));
		assert_eq!(sat_sig.0.to_vec(), bytes(&c["satellite_signature"]), "{name}: sat sig");
		assert_eq!(
			verify_satellite_signature(&cert.batch_id(), &sig, &sat_sig, &satellite.public()),
			Ok(())
		);

		// v2: the satellite's number and clock join the payload.
		let satellite_id = c["satellite_id"].as_u64().unwrap() as u32;
		let signed_at_ms = c["signed_at_ms"].as_u64().unwrap();
		let v2 = satellite_payload_v2(&cert.batch_id(), &sig, satellite_id, signed_at_ms);
		assert_eq!(v2, bytes(&c["satellite_payload_v2"]), "{name}: v2 payload");
		let v2_sig = satellite.sign(&v2);
		assert_eq!(v2_sig.0.to_vec(), bytes(&c["satellite_signature_v2"]), "{name}: v2 sig");
		let countersignature = Countersignature { satellite_id, signed_at_ms, signature: v2_sig };
		assert_eq!(countersignature.verify(&cert.batch_id(), &sig, &satellite.public()), Ok(()));
	}
}

#[test]
fn merkle_roots_and_proofs_match() {
	let v = vectors();
	let sets = v["merkle"].as_array().expect("array");
	let sizes: Vec<usize> = sets.iter().map(|s| s["txs"].as_array().unwrap().len()).collect();
	assert!(sizes.contains(&0) && sizes.contains(&1) && sizes.iter().any(|n| n % 2 == 1 && *n > 1));
	for set in sets {
		let txs: Vec<Vec<u8>> = set["txs"].as_array().unwrap().iter().map(bytes).collect();
		let root = batch_root(&txs);
		assert_eq!(root, h256(&set["root"]));
		for (tx, leaf) in txs.iter().zip(set["leaves"].as_array().unwrap()) {
			assert_eq!(leaf_hash(tx), h256(leaf));
		}
		let proofs = set["proofs"].as_array().unwrap();
		assert_eq!(proofs.len(), txs.len());
		for p in proofs {
			let i = p["leaf_index"].as_u64().unwrap() as usize;
			let proof = InclusionProof {
				leaf_index: i as u32,
				number_of_leaves: p["number_of_leaves"].as_u64().unwrap() as u32,
				proof: p["proof"].as_array().unwrap().iter().map(h256).collect(),
			};
			assert_eq!(InclusionProof::generate(&txs, i as u32).unwrap(), proof);
			assert_eq!(proof.encode(), bytes(&p["scale"]));
			assert!(proof.verify(&root, &txs[i]));
		}
	}
}

mod codec_properties {
	use super::*;
	use proptest::prelude::*;

	fn any_cert() -> impl Strategy<Value = BatchCertificate> {
		(
			any::<u8>(),
			any::<[u8; 32]>(),
			any::<u32>(),
			any::<u64>(),
			any::<[u8; 32]>(),
			any::<[u8; 32]>(),
			any::<u32>(),
			any::<u64>(),
			any::<u64>(),
		)
			.prop_map(|(v, g, s, q, p, r, n, b, t)| BatchCertificate {
				version: v,
				genesis_hash: H256(g),
				server_id: s,
				sequence: q,
				prev_batch: H256(p),
				batch_root: H256(r),
				tx_count: n,
				total_bytes: b,
				issued_at_ms: t,
			})
	}

	proptest! {
		#[test]
		fn certificate_round_trips_with_fixed_length(cert in any_cert()) {
			let bytes = cert.encode();
			prop_assert_eq!(bytes.len(), 129);
			prop_assert_eq!(BatchCertificate::decode(&mut &bytes[..]).unwrap(), cert);
		}

		#[test]
		fn any_changed_byte_changes_the_batch_id(cert in any_cert(), at in 0usize..129, flip in 1u8..=255) {
			let mut bytes = cert.encode();
			bytes[at] ^= flip;
			let other = BatchCertificate::decode(&mut &bytes[..]).unwrap();
			prop_assert_ne!(other.batch_id(), cert.batch_id());
		}

		#[test]
		fn truncated_encoding_is_refused(cert in any_cert(), cut in 0usize..129) {
			let bytes = cert.encode();
			prop_assert!(BatchCertificate::decode(&mut &bytes[..cut]).is_err());
		}
	}
}
