//! Receipts (`docs/receipts.md`): built from a real state trie, real headers and real GRANDPA
//! signatures; a valid one verifies, every tampered one is refused by its name, the layout and
//! the signing payload are polkadot-sdk's own, and no changed byte ever verifies.
//!
//! The same fixture writes `test-vectors/receipt-v2.json` (the valid receipt, its anchor and the
//! tampered receipts with the error each must get), which implementations that do not use this
//! crate check themselves against; `a_receipt_vector_file_matches_this_crate` fails when the file
//! and the code disagree (`UPDATE_RECEIPT_VECTORS=1` rewrites it).

mod fixture;

use fixture::*;
use std::sync::OnceLock;

use codec::{Decode, Encode};
use proptest::prelude::*;
use serde_json::{json, Value};
use sp_core::{ed25519, Pair, H256};
use sp_io::hashing::{blake2_128, twox_128};
use sp_runtime::MultiSignature;
use space_notary_primitives::{
	receipt::{
		batch_record_key, server_key_owner_key, verify, Check, Header, Receipt, ReceiptError,
		TrustAnchor,
	},
	ServerKey,
};

fn valid() -> &'static Fixture {
	static FIXTURE: OnceLock<Fixture> = OnceLock::new();
	FIXTURE.get_or_init(|| build(Shape::valid()))
}

/// A receipt finalized by set 2, with the two set changes from the genesis set (delays 0 and 1).
fn with_set_changes() -> &'static Fixture {
	static FIXTURE: OnceLock<Fixture> = OnceLock::new();
	FIXTURE.get_or_init(|| build(Shape { set_changes: 2, ..Shape::valid() }))
}

#[test]
fn a_receipt_after_set_changes_verifies_under_the_genesis_set() {
	let f = with_set_changes();
	let verified = verify(&f.receipt, Some(&f.tx), &f.anchor).expect("valid");
	assert_eq!(f.anchor.set_id, 0);
	assert_eq!(verified.set_id, 2);
	assert_eq!(valid().receipt.chain.set_changes.len(), 0);
	assert_eq!(verify(&valid().receipt, None, &valid().anchor).unwrap().set_id, 0);
	// The scheduling digest is GRANDPA's own consensus log.
	for (k, change) in f.receipt.chain.set_changes.iter().enumerate() {
		let logs: Vec<_> = change
			.header
			.digest
			.logs
			.iter()
			.filter_map(|item| {
				item.consensus_try_to::<sp_consensus_grandpa::ConsensusLog<u32>>(
					&sp_consensus_grandpa::GRANDPA_ENGINE_ID,
				)
			})
			.collect();
		let [sp_consensus_grandpa::ConsensusLog::ScheduledChange(change_log)] = &logs[..] else {
			panic!("change {k}: one ScheduledChange, found {logs:?}");
		};
		assert_eq!(change_log.delay as usize, change.descendants.len());
		let next: Vec<_> = voters(4, k as u8 + 1).iter().map(|v| (v.public().into(), 1)).collect();
		assert_eq!(change_log.next_authorities, next);
	}
}

/// Set changes altered, on the receipt with two of them.
fn tampered_set_changes() -> Vec<(&'static str, Tamper, ReceiptError)> {
	use ReceiptError::*;
	vec![
		(
			"a set change left out",
			|r, _| {
				r.chain.set_changes.remove(0);
			},
			BadSetChange,
		),
		("every set change left out", |r, _| r.chain.set_changes.clear(), UnknownAuthoritySet),
		("set changes out of order", |r, _| r.chain.set_changes.swap(0, 1), BadSetChange),
		(
			"set change's next authorities",
			|r, _| {
				let logs = &mut r.chain.set_changes[0].header.digest.logs;
				if let Some(sp_runtime::DigestItem::Consensus(_, data)) = logs.last_mut() {
					data[10] ^= 1;
				}
			},
			BadSetChange,
		),
		(
			"set change's header without the change",
			|r, _| {
				r.chain.set_changes[0].header.digest.logs.pop();
			},
			BadSetChange,
		),
		(
			"set change enacted before its delay",
			|r, _| {
				r.chain.set_changes[1].descendants.pop();
			},
			BadSetChange,
		),
		(
			"set change's precommit signature",
			|r, _| r.chain.set_changes[0].justification.commit.precommits[0].signature.0[0] ^= 1,
			BadSetChange,
		),
		(
			"set change finalized by too few",
			|r, _| {
				r.chain.set_changes[1].justification.commit.precommits.truncate(2);
			},
			BadSetChange,
		),
		(
			"anchor of set 1 with the change to it still carried",
			|_, a| {
				a.set_id = 1;
				a.authorities = voters(4, 1).iter().map(|v| (v.public(), 1)).collect();
			},
			BadSetChange,
		),
	]
}

#[test]
fn a_valid_receipt_verifies_and_says_what_it_proves() {
	let f = valid();
	let verified = verify(&f.receipt, Some(&f.tx), &f.anchor).expect("valid");
	let cert = &f.receipt.batch.cert;
	assert_eq!(verified.batch_id, cert.batch_id());
	assert_eq!(verified.server_id, SERVER_ID);
	assert_eq!(verified.sequence, 7);
	assert_eq!(verified.leaf_index, 2);
	assert_eq!(verified.certified_at, CERTIFIED_AT);
	// The time window: the ground's claim, and the satellites' clocks that bound it above.
	assert_eq!(verified.issued_at_ms, cert.issued_at_ms);
	assert_eq!(
		verified.satellites,
		vec![
			(SATELLITE_IDS[0], Some(cert.issued_at_ms + 60_000)),
			(SATELLITE_IDS[1], Some(cert.issued_at_ms + 2_700_000))
		]
	);
	assert_eq!(verified.block, (13, f.receipt.chain.header.hash()));
	assert_eq!(verified.finalized.0, 15);
	assert_eq!(verified.signed_weight, (3, 3));
	// Without the transaction given or carried, the leaf alone is proven.
	let mut bare = f.receipt.clone();
	bare.tx.tx = None;
	assert!(verify(&bare, None, &f.anchor).is_ok());
	// The binary form reads back to the same receipt.
	assert_eq!(Receipt::from_bytes(&f.receipt.to_bytes()), Ok(f.receipt.clone()));
}

type Tamper = fn(&mut Receipt, &mut TrustAnchor);

/// Every field altered, with the error it must get: the rows of the vector file.
fn tampered() -> Vec<(&'static str, Tamper, ReceiptError)> {
	use ReceiptError::*;
	vec![
		("format 1", |r, _| r.version = 1, UnsupportedVersion(1)),
		("anchor of another chain", |_, a| a.genesis_hash = H256::repeat_byte(1), WrongGenesis),
		("certificate's genesis", |r, _| r.batch.cert.genesis_hash = H256::zero(), WrongGenesis),
		("leaf", |r, _| r.tx.leaf.0[0] ^= 1, LeafMismatch),
		("transaction carried", |r, _| r.tx.tx.as_mut().unwrap()[0] ^= 1, LeafMismatch),
		("leaf index", |r, _| r.tx.proof.leaf_index = 3, TxNotInBatch),
		("proof node", |r, _| r.tx.proof.proof[0].0[0] ^= 1, TxNotInBatch),
		(
			"proof one level short",
			|r, _| {
				r.tx.proof.proof.pop();
			},
			TxNotInBatch,
		),
		("leaf count", |r, _| r.tx.proof.number_of_leaves = 4, TxNotInBatch),
		("batch root", |r, _| r.batch.cert.batch_root.0[0] ^= 1, TxNotInBatch),
		("sequence", |r, _| r.batch.cert.sequence += 1, BadServerSignature),
		(
			"server signature",
			|r, _| {
				if let MultiSignature::Ed25519(s) = &mut r.batch.server_signature {
					s.0[0] ^= 1;
				}
			},
			BadServerSignature,
		),
		(
			"server key",
			|r, _| r.batch.server_key = ServerKey::Ed25519(pair(9).public()),
			BadServerSignature,
		),
		(
			"satellite signature",
			|r, _| r.batch.attestations[0].signature.0[0] ^= 1,
			BadSatelliteSignature,
		),
		(
			"second satellite's signature",
			|r, _| r.batch.attestations[1].signature.0[0] ^= 1,
			BadSatelliteSignature,
		),
		(
			"satellite key",
			|r, _| r.batch.attestations[0].satellite_key = pair(9).public(),
			BadSatelliteSignature,
		),
		(
			"satellite number",
			|r, _| r.batch.attestations[0].satellite_id += 1,
			BadSatelliteSignature,
		),
		(
			"satellite time moved",
			|r, _| r.batch.attestations[1].signed_at_ms = Some(1),
			BadSatelliteSignature,
		),
		(
			"v2 countersignature read as v1",
			|r, _| r.batch.attestations[0].signed_at_ms = None,
			BadSatelliteSignature,
		),
		("no countersignature", |r, _| r.batch.attestations.clear(), BadSatelliteSignature),
		(
			"one of the quorum left out",
			|r, _| {
				r.batch.attestations.pop();
			},
			NotCertified,
		),
		("attestations reordered", |r, _| r.batch.attestations.swap(0, 1), NotCertified),
		("state root", |r, _| r.chain.header.state_root.0[0] ^= 1, StorageProofInvalid),
		(
			"state proof without a node",
			|r, _| {
				r.chain.state_proof.pop();
			},
			StorageProofInvalid,
		),
		(
			"state proof node",
			|r, _| {
				let node = &mut r.chain.state_proof[0];
				let last = node.len() - 1;
				node[last] ^= 1;
			},
			StorageProofInvalid,
		),
		("block number", |r, _| r.chain.header.number += 1, BadAncestry),
		("descendant's parent", |r, _| r.chain.descendants[0].parent_hash.0[0] ^= 1, BadAncestry),
		(
			"last descendant left out",
			|r, _| {
				r.chain.descendants.pop();
			},
			NotFinalized,
		),
		("commit target", |r, _| r.chain.justification.commit.target_hash.0[0] ^= 1, NotFinalized),
		("round", |r, _| r.chain.justification.round += 1, BadJustification),
		(
			"precommit signature",
			|r, _| r.chain.justification.commit.precommits[1].signature.0[0] ^= 1,
			BadJustification,
		),
		(
			"precommit target",
			|r, _| {
				let p = &mut r.chain.justification.commit.precommits[1].precommit;
				p.target_number += 1;
			},
			BadJustification,
		),
		(
			"signer outside the set",
			|r, _| r.chain.justification.commit.precommits[1].id = pair(9).public(),
			UnknownAuthoritySet,
		),
		(
			"a signer twice",
			|r, _| {
				let precommits = &mut r.chain.justification.commit.precommits;
				precommits[2] = precommits[1].clone();
			},
			BadJustification,
		),
		(
			"too few signatures",
			|r, _| {
				r.chain.justification.commit.precommits.pop();
			},
			NotFinalized,
		),
		(
			"ancestry left out",
			|r, _| r.chain.justification.votes_ancestries.clear(),
			BadJustification,
		),
		("justification from another set", |_, a| a.set_id = 1, BadJustification),
		(
			"anchor of another authority set",
			|_, a| a.authorities = (0..4).map(|i| (pair(0x90 + i).public(), 1)).collect(),
			UnknownAuthoritySet,
		),
		(
			"anchor weights the signers below two thirds",
			|_, a| a.authorities[3].1 = 4,
			NotFinalized,
		),
	]
}

#[test]
fn every_tampered_receipt_is_refused_by_name() {
	let f = valid();
	for (what, tamper, expected) in tampered() {
		let (mut receipt, mut anchor) = (f.receipt.clone(), f.anchor.clone());
		tamper(&mut receipt, &mut anchor);
		assert_eq!(verify(&receipt, None, &anchor).map(|_| ()), Err(expected), "{what}");
		assert!(expected.to_string().starts_with(expected.name()), "{what}");
	}
	let f = with_set_changes();
	for (what, tamper, expected) in tampered_set_changes() {
		let (mut receipt, mut anchor) = (f.receipt.clone(), f.anchor.clone());
		tamper(&mut receipt, &mut anchor);
		assert_eq!(verify(&receipt, None, &anchor).map(|_| ()), Err(expected), "{what}");
	}
	let f = valid();
	// The transaction handed to the verifier wins over the one carried.
	let other = b"another transaction".to_vec();
	assert_eq!(
		verify(&f.receipt, Some(&other), &f.anchor).map(|_| ()),
		Err(ReceiptError::LeafMismatch)
	);
	// The error names its check, and the checks run in the documented order.
	assert_eq!(ReceiptError::TxNotInBatch.check(), Check::Transaction);
	assert_eq!(ReceiptError::NotFinalized.check(), Check::Finality);
	assert_eq!(Check::ALL.first(), Some(&Check::Format));
}

#[test]
fn what_the_chain_holds_decides() {
	use OnChain::*;
	use ReceiptError::*;
	let cases = [
		(Pending, Err(NotCertified)),
		(Expired, Err(NotCertified)),
		(CertifiedOtherSignature, Err(NotCertified)),
		(OtherServerSignature, Err(RecordMismatch)),
		(KeyOfAnotherServer, Err(ServerKeyNotProven)),
		(KeyUnregistered, Err(StorageProofInvalid)),
		(OtherBatch, Err(StorageProofInvalid)),
		(Certified, Ok(())),
	];
	for (on_chain, expected) in cases {
		let f = build(Shape { on_chain, filler: 8, ..Shape::valid() });
		assert_eq!(verify(&f.receipt, None, &f.anchor).map(|_| ()), expected, "{on_chain:?}");
	}
}

#[test]
fn finality_needs_more_than_two_thirds_of_the_set_on_the_block_s_chain() {
	use ReceiptError::*;
	let cases = [
		// (validators, signers, descendants, fork, expected)
		(1, 1, 0, false, Ok(())),
		(1, 0, 0, false, Err(NotFinalized)),
		(3, 3, 1, false, Ok(())),
		(3, 2, 1, false, Err(NotFinalized)),
		(4, 3, 0, false, Ok(())),
		(4, 2, 0, false, Err(NotFinalized)),
		(6, 5, 3, false, Ok(())),
		(6, 4, 3, false, Err(NotFinalized)),
		// A fork of the block finalized instead: the block itself never was.
		(4, 4, 2, true, Err(NotFinalized)),
	];
	for (validators, signers, descendants, fork, expected) in cases {
		let shape = Shape { validators, signers, descendants, fork, filler: 8, ..Shape::valid() };
		let f = build(shape);
		assert_eq!(verify(&f.receipt, None, &f.anchor).map(|_| ()), expected, "{shape:?}");
	}
}

#[test]
fn the_justification_is_grandpa_s_own_layout_and_signing_payload() {
	let f = valid();
	let justification = &f.receipt.chain.justification;
	let bytes = justification.encode();
	let theirs =
		sp_consensus_grandpa::GrandpaJustification::<Header>::decode(&mut &bytes[..]).unwrap();
	assert_eq!(theirs.encode(), bytes);
	assert_eq!(theirs.round, ROUND);
	for (ours, signed) in justification.commit.precommits.iter().zip(&theirs.commit.precommits) {
		let message = finality_grandpa::Message::Precommit(signed.precommit.clone());
		assert_eq!(
			sp_consensus_grandpa::localized_payload(ROUND, 0, &message),
			ours.precommit.signed_payload(ROUND, 0)
		);
		assert!(sp_consensus_grandpa::check_message_signature(
			&message,
			&signed.id,
			&signed.signature,
			ROUND,
			0
		)
		.is_valid());
	}
}

#[test]
fn the_storage_keys_are_frame_s() {
	// `StorageMap<_, Identity, BatchId, _>` and `StorageMap<_, Blake2_128Concat, ServerKey, _>`
	// of a pallet named `SpaceNotary`: the pallet's own test pins the same against
	// `hashed_key_for`.
	let id = H256::repeat_byte(5);
	let key = batch_record_key(&id);
	assert_eq!(&key[..16], &twox_128(b"SpaceNotary"));
	assert_eq!(&key[16..32], &twox_128(b"Batches"));
	assert_eq!(&key[32..], id.as_bytes());
	let server_key = ServerKey::Ed25519(pair(1).public());
	let key = server_key_owner_key(&server_key);
	assert_eq!(&key[16..32], &twox_128(b"ServerKeyOwner"));
	assert_eq!(&key[32..48], &blake2_128(&server_key.encode()));
	assert_eq!(&key[48..], &server_key.encode()[..]);
}

#[test]
fn bytes_that_are_not_a_receipt_are_refused_by_name() {
	let bytes = valid().receipt.to_bytes();
	assert_eq!(Receipt::from_bytes(&[]), Err(ReceiptError::Malformed));
	assert_eq!(Receipt::from_bytes(&bytes[..bytes.len() - 1]), Err(ReceiptError::Malformed));
	let mut longer = bytes.clone();
	longer.push(0);
	assert_eq!(Receipt::from_bytes(&longer), Err(ReceiptError::Malformed));
	for version in [1, 3] {
		let mut other = bytes.clone();
		other[0] = version;
		assert_eq!(Receipt::from_bytes(&other), Err(ReceiptError::UnsupportedVersion(version)));
	}
	let huge = vec![1u8; space_notary_primitives::receipt::MAX_RECEIPT_BYTES + 1];
	assert_eq!(Receipt::from_bytes(&huge), Err(ReceiptError::Malformed));
}

fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn anchor_json(anchor: &TrustAnchor) -> Value {
	json!({
		"genesis_hash": hex0x(anchor.genesis_hash.as_bytes()),
		"set_id": anchor.set_id,
		"authorities": anchor.authorities.iter()
			.map(|(id, weight)| json!([hex0x(id.as_ref()), weight]))
			.collect::<Vec<_>>(),
	})
}

fn anchor_from_json(v: &Value) -> TrustAnchor {
	let bytes = |v: &Value| hex::decode(v.as_str().unwrap().trim_start_matches("0x")).unwrap();
	TrustAnchor {
		genesis_hash: H256::from_slice(&bytes(&v["genesis_hash"])),
		set_id: v["set_id"].as_u64().unwrap(),
		authorities: v["authorities"]
			.as_array()
			.unwrap()
			.iter()
			.map(|a| {
				let id: [u8; 32] = bytes(&a[0]).try_into().unwrap();
				(ed25519::Public::from_raw(id), a[1].as_u64().unwrap())
			})
			.collect(),
	}
}

/// The vector file's content, from the fixture.
fn vector_file() -> Value {
	let f = valid();
	let tampered: Vec<Value> = tampered()
		.into_iter()
		.map(|(what, tamper, expected)| {
			let (mut receipt, mut anchor) = (f.receipt.clone(), f.anchor.clone());
			tamper(&mut receipt, &mut anchor);
			json!({
				"name": what,
				"receipt": hex0x(&receipt.to_bytes()),
				"anchor": anchor_json(&anchor),
				"error": expected.name(),
			})
		})
		.collect();
	// What the chain holds, wrong for the receipt: whole fixtures of their own.
	let chain_state = [
		("record pending", OnChain::Pending, ReceiptError::NotCertified),
		(
			"record certified with another countersignature",
			OnChain::CertifiedOtherSignature,
			ReceiptError::NotCertified,
		),
		(
			"record with another server signature",
			OnChain::OtherServerSignature,
			ReceiptError::RecordMismatch,
		),
		(
			"server key registered to another server",
			OnChain::KeyOfAnotherServer,
			ReceiptError::ServerKeyNotProven,
		),
		("server key not registered", OnChain::KeyUnregistered, ReceiptError::StorageProofInvalid),
		("the record of another batch", OnChain::OtherBatch, ReceiptError::StorageProofInvalid),
	];
	let changed = with_set_changes();
	let set_changes = tampered_set_changes().into_iter().map(|(what, tamper, expected)| {
		let (mut receipt, mut anchor) = (changed.receipt.clone(), changed.anchor.clone());
		tamper(&mut receipt, &mut anchor);
		json!({
			"name": what,
			"receipt": hex0x(&receipt.to_bytes()),
			"anchor": anchor_json(&anchor),
			"error": expected.name(),
		})
	});
	let tampered: Vec<Value> = tampered
		.into_iter()
		.chain(set_changes)
		.chain(chain_state.into_iter().map(|(what, on_chain, expected)| {
			let f = build(Shape { on_chain, filler: 8, ..Shape::valid() });
			json!({
				"name": what,
				"receipt": hex0x(&f.receipt.to_bytes()),
				"anchor": anchor_json(&f.anchor),
				"error": expected.name(),
			})
		}))
		.collect();
	json!({
		"description": "Receipt format 2 (docs/receipts.md): a valid receipt, certified by two satellites, with its trust anchor and transaction, a valid one finalized after two authority set changes, and tampered receipts with the error each must be refused with. Written by primitives/tests/receipts.rs.",
		"valid": {
			"receipt": hex0x(&f.receipt.to_bytes()),
			"anchor": anchor_json(&f.anchor),
			"tx": hex0x(&f.tx),
			"batch_id": hex0x(f.receipt.batch.cert.batch_id().as_bytes()),
			"certified_at": CERTIFIED_AT,
			"issued_at_ms": f.receipt.batch.cert.issued_at_ms,
			"satellites": f.receipt.batch.attestations.iter()
				.map(|a| json!({ "id": a.satellite_id, "signed_at_ms": a.signed_at_ms }))
				.collect::<Vec<_>>(),
			"block": f.receipt.chain.header.number,
			"finalized": f.receipt.chain.justification.commit.target_number,
		},
		"valid_set_changes": {
			"receipt": hex0x(&changed.receipt.to_bytes()),
			"anchor": anchor_json(&changed.anchor),
			"tx": hex0x(&changed.tx),
			"batch_id": hex0x(changed.receipt.batch.cert.batch_id().as_bytes()),
			"set_id": 2,
			"finalized": changed.receipt.chain.justification.commit.target_number,
		},
		"tampered": tampered,
	})
}

#[test]
fn a_receipt_vector_file_matches_this_crate() {
	let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/receipt-v2.json");
	let expected = serde_json::to_string_pretty(&vector_file()).unwrap() + "\n";
	if std::env::var_os("UPDATE_RECEIPT_VECTORS").is_some() {
		std::fs::write(path, &expected).unwrap();
	}
	let found = std::fs::read_to_string(path)
		.expect("the vector file (UPDATE_RECEIPT_VECTORS=1 writes it)");
	assert!(
		found == expected,
		"{path} differs from what this crate builds; UPDATE_RECEIPT_VECTORS=1 rewrites it"
	);
	// Each row of the file is refused as it says, read back from its bytes.
	let file: Value = serde_json::from_str(&found).unwrap();
	for row in file["tampered"].as_array().unwrap() {
		let bytes = hex::decode(row["receipt"].as_str().unwrap().trim_start_matches("0x")).unwrap();
		let name = row["name"].as_str().unwrap();
		let anchor = anchor_from_json(&row["anchor"]);
		let verdict = Receipt::from_bytes(&bytes).and_then(|r| verify(&r, None, &anchor));
		assert_eq!(
			verdict.map(|_| ()).map_err(|e| e.name()),
			Err(row["error"].as_str().unwrap()),
			"{name}"
		);
	}
}

/// Whether the receipt `f` holds, with byte `at` changed by `xor`, still verifies.
fn changed_byte_verifies(f: &Fixture, at: prop::sample::Index, xor: u8) -> (usize, bool) {
	let mut bytes = f.receipt.to_bytes();
	let i = at.index(bytes.len());
	bytes[i] ^= xor;
	(i, Receipt::from_bytes(&bytes).and_then(|r| verify(&r, None, &f.anchor)).is_ok())
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

	/// No receipt that differs from a valid one in one byte verifies: every byte is evidence.
	#[test]
	fn no_changed_byte_verifies(at in any::<prop::sample::Index>(), xor in 1u8..=255) {
		let (i, verifies) = changed_byte_verifies(valid(), at, xor);
		prop_assert!(!verifies, "byte {} ^ {:#04x} still verifies", i, xor);
	}

	/// The same for a receipt that carries set changes.
	#[test]
	fn no_changed_byte_after_set_changes_verifies(at in any::<prop::sample::Index>(), xor in 1u8..=255) {
		let (i, verifies) = changed_byte_verifies(with_set_changes(), at, xor);
		prop_assert!(!verifies, "byte {} ^ {:#04x} still verifies", i, xor);
	}
}
