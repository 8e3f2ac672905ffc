//! Writes `test-vectors/v1.json`: fixed seeds → keys, certificates → SCALE bytes → batch id →
//! both payloads → signatures, and merkle roots and proofs.
//!
//! `cargo run -p space-notary-primitives --example gen_test_vectors > primitives/test-vectors/v1.json`
//!
//! ed25519 and ecdsa signatures are deterministic; sr25519 ones are not, so the file records one
//! and checkers verify it rather than recompute it.

use codec::Encode;
use serde_json::{json, Value};
use sp_core::{ecdsa, ed25519, sr25519, Pair, H256};
use sp_runtime::MultiSignature;
use space_notary_primitives::{
	batch_root, leaf_hash, satellite_payload_v2, BatchCertificate, InclusionProof, ServerKey,
};

fn hex(bytes: impl AsRef<[u8]>) -> String {
	format!("0x{}", ::hex::encode(bytes.as_ref()))
}

fn server(scheme: &str, seed: [u8; 32]) -> (ServerKey, Box<dyn Fn(&[u8]) -> MultiSignature>) {
	match scheme {
		"ed25519" => {
			let p = ed25519::Pair::from_seed(&seed);
			(p.public().into(), Box::new(move |m| p.sign(m).into()))
		},
		"sr25519" => {
			let p = sr25519::Pair::from_seed(&seed);
			(p.public().into(), Box::new(move |m| p.sign(m).into()))
		},
		_ => {
			let p = ecdsa::Pair::from_seed(&seed);
			(p.public().into(), Box::new(move |m| p.sign(m).into()))
		},
	}
}

fn certificate_vector(name: &str, scheme: &str, seed: u8, cert: BatchCertificate) -> Value {
	let server_seed = [seed; 32];
	let satellite_seed = [seed.wrapping_add(100); 32];
	let (key, sign) = server(scheme, server_seed);
	let satellite = ed25519::Pair::from_seed(&satellite_seed);
	let server_payload = cert.server_payload();
	let server_signature = sign(&server_payload);
	let satellite_payload = cert.satellite_payload(&server_signature);
	// v2: the satellite's number (a NORAD catalogue number) and its clock 90 s after issue.
	let (satellite_id, signed_at_ms) = (40_025u32, cert.issued_at_ms.saturating_add(90_000));
	let satellite_payload_v2 =
		satellite_payload_v2(&cert.batch_id(), &server_signature, satellite_id, signed_at_ms);
	json!({
		"name": name,
		"cert": {
			"version": cert.version,
			"genesis_hash": hex(cert.genesis_hash),
			"server_id": cert.server_id,
			"sequence": cert.sequence,
			"prev_batch": hex(cert.prev_batch),
			"batch_root": hex(cert.batch_root),
			"tx_count": cert.tx_count,
			"total_bytes": cert.total_bytes,
			"issued_at_ms": cert.issued_at_ms,
		},
		"scale": hex(cert.encode()),
		"batch_id": hex(cert.batch_id()),
		"server_scheme": scheme,
		"server_seed": hex(server_seed),
		"server_key": hex(key.encode()),
		"server_payload": hex(&server_payload),
		"server_signature": hex(server_signature.encode()),
		"server_signature_deterministic": scheme != "sr25519",
		"satellite_seed": hex(satellite_seed),
		"satellite_key": hex(satellite.public()),
		"satellite_payload": hex(&satellite_payload),
		"satellite_signature": hex(satellite.sign(&satellite_payload)),
		"satellite_id": satellite_id,
		"signed_at_ms": signed_at_ms,
		"satellite_payload_v2": hex(&satellite_payload_v2),
		"satellite_signature_v2": hex(satellite.sign(&satellite_payload_v2)),
	})
}

fn merkle_vector(txs: &[Vec<u8>]) -> Value {
	let proofs: Vec<Value> = (0..txs.len() as u32)
		.filter_map(|i| InclusionProof::generate(txs, i))
		.map(|p| {
			json!({
				"leaf_index": p.leaf_index,
				"number_of_leaves": p.number_of_leaves,
				"proof": p.proof.iter().map(hex).collect::<Vec<_>>(),
				"scale": hex(p.encode()),
			})
		})
		.collect();
	json!({
		"txs": txs.iter().map(hex).collect::<Vec<_>>(),
		"leaves": txs.iter().map(|t| hex(leaf_hash(t))).collect::<Vec<_>>(),
		"root": hex(batch_root(txs)),
		"proofs": proofs,
	})
}

fn main() {
	let genesis = H256::from(sp_io::hashing::blake2_256(b"space-notary test genesis"));
	let txs: Vec<Vec<u8>> = vec![b"transfer alice->bob 10".to_vec(), b"".to_vec(), vec![0xff; 40]];
	let first =
		BatchCertificate::over_transactions(genesis, 0, 1, H256::zero(), 1_795_000_000_000, &txs)
			.expect("three transactions");
	let second = BatchCertificate::over_transactions(
		genesis,
		7,
		2,
		first.batch_id(),
		1_795_000_060_000,
		&[b"one"],
	)
	.expect("one transaction");
	let third = BatchCertificate {
		server_id: u32::MAX,
		sequence: u64::MAX,
		tx_count: 1024,
		total_bytes: 1 << 20,
		..second.clone()
	};
	let merkle_sets: Vec<Vec<Vec<u8>>> = vec![
		vec![],
		vec![b"only".to_vec()],
		vec![b"a".to_vec(), b"b".to_vec()],
		vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()],
		(0u8..7).map(|i| vec![i; i as usize]).collect(),
	];
	let out = json!({
		"description": "Space Notary certificate v1 test vectors, with the v1 and v2 satellite payloads. Hex is 0x-prefixed. Seeds are raw 32-byte secret seeds (sp-core Pair::from_seed). server_key and server_signature are SCALE (MultiSigner/MultiSignature variant index first).",
		"domains": {
			"server": hex(b"space-notary/v1/server"),
			"satellite": hex(b"space-notary/v1/satellite"),
			"satellite_v2": hex(b"space-notary/v2/satellite"),
		},
		"certificates": [
			certificate_vector("first batch, ed25519 server", "ed25519", 1, first),
			certificate_vector("second batch, sr25519 server", "sr25519", 2, second),
			certificate_vector("extreme fields, ecdsa server", "ecdsa", 3, third),
		],
		"merkle": merkle_sets.iter().map(|s| merkle_vector(s)).collect::<Vec<_>>(),
	});
	println!("{}", serde_json::to_string_pretty(&out).expect("serialisable"));
}
