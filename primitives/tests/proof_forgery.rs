//! Regression tests for forged inclusion proofs (issue 11).
//!
//! Leaves and inner nodes hash alike, so the 64 bytes `left ++ right` of two sibling nodes hash
//! to their parent. binary-merkle-tree's `verify_proof` does not bind a proof's length to the
//! leaf's depth, so those bytes, claimed with the parent's (shorter) path, passed for a
//! transaction the batch never held. `InclusionProof::verify` must accept exactly the path that
//! `(leaf_index, number_of_leaves)` determines, and nothing else.

use proptest::prelude::*;
use sp_core::H256;
use sp_runtime::traits::BlakeTwo256;
use space_notary_primitives::{batch_root, leaf_hash, BatchCertificate, InclusionProof};

fn node(left: H256, right: H256) -> H256 {
	H256(sp_io::hashing::blake2_256(&glue(left, right)))
}

/// The 64 bytes that hash to the parent of `left` and `right`.
fn glue(left: H256, right: H256) -> Vec<u8> {
	[left.as_bytes(), right.as_bytes()].concat()
}

/// The tree's rows, leaves first, root last, built here independently of the crate.
fn rows(txs: &[Vec<u8>]) -> Vec<Vec<H256>> {
	let mut rows = vec![txs.iter().map(|tx| leaf_hash(tx)).collect::<Vec<_>>()];
	while rows.last().unwrap().len() > 1 {
		let up = rows
			.last()
			.unwrap()
			.chunks(2)
			.map(|pair| if let [l, r] = pair { node(*l, *r) } else { pair[0] })
			.collect();
		rows.push(up);
	}
	rows
}

/// The honest sibling path of node `index` of row `level`, up to the root.
fn path(rows: &[Vec<H256>], level: usize, mut index: usize) -> Vec<H256> {
	let mut siblings = Vec::new();
	for row in &rows[level..rows.len() - 1] {
		if index ^ 1 < row.len() {
			siblings.push(row[index ^ 1]);
		}
		index /= 2;
	}
	siblings
}

/// `n` distinct transactions.
fn batch(n: usize) -> Vec<Vec<u8>> {
	(0..n).map(|i| format!("transaction {i}").into_bytes()).collect()
}

fn proof(leaf_index: usize, number_of_leaves: usize, siblings: Vec<H256>) -> InclusionProof {
	InclusionProof {
		leaf_index: leaf_index as u32,
		number_of_leaves: number_of_leaves as u32,
		proof: siblings,
	}
}

/// What binary-merkle-tree's own `verify_proof` says: the check this crate used to rely on.
fn upstream_accepts(root: &H256, p: &InclusionProof, tx: &[u8]) -> bool {
	binary_merkle_tree::verify_proof::<BlakeTwo256, _, _>(
		root,
		p.proof.iter().copied(),
		p.number_of_leaves,
		p.leaf_index,
		binary_merkle_tree::Leaf::Value(tx),
	)
}

#[test]
fn the_reference_tree_here_is_the_crates_tree() {
	for n in 1..=17 {
		let txs = batch(n);
		let rows = rows(&txs);
		assert_eq!(rows.last().unwrap(), &vec![batch_root(&txs)], "{n} leaves");
		for i in 0..n {
			let generated = InclusionProof::generate(&txs, i as u32).unwrap();
			assert_eq!(generated, proof(i, n, path(&rows, 0, i)), "{n} leaves, leaf {i}");
			assert!(generated.verify(&batch_root(&txs), &txs[i]), "{n} leaves, leaf {i}");
		}
	}
}

#[test]
fn glued_sibling_leaves_never_pass_for_a_transaction() {
	for n in 2..=9 {
		let txs = batch(n);
		let rows = rows(&txs);
		let root = batch_root(&txs);
		// Every pair of sibling leaves, and (the same attack one level up) every pair of
		// sibling inner nodes, glued into 64 bytes that hash to their parent.
		for level in 1..rows.len() {
			for parent in 0..rows[level].len() {
				let (l, r) = (2 * parent, 2 * parent + 1);
				let Some(&right) = rows[level - 1].get(r) else { continue }; // promoted
				let forged = glue(rows[level - 1][l], right);
				assert!(!txs.contains(&forged));
				let short = path(&rows, level, parent);
				let mut accepted_upstream = false;
				for claimed in 0..n {
					let p = proof(claimed, n, short.clone());
					assert!(
						!p.verify(&root, &forged),
						"{n} leaves: the glue of nodes {l} and {r} of row {} at index {claimed}",
						level - 1
					);
					accepted_upstream |= upstream_accepts(&root, &p, &forged);
				}
				if level == 1 {
					// The attack is real: binary-merkle-tree's verifier takes the glued leaves.
					assert!(accepted_upstream, "{n} leaves: upstream refuses leaves {l}, {r}");
				}
			}
		}
	}
}

#[test]
fn a_proof_one_level_short_is_refused() {
	for n in 2..=17 {
		let txs = batch(n);
		let root = batch_root(&txs);
		for i in 0..n {
			let honest = InclusionProof::generate(&txs, i as u32).unwrap();
			for dropped in 0..honest.proof.len() {
				let mut short = honest.clone();
				short.proof.remove(dropped);
				assert!(!short.verify(&root, &txs[i]), "{n} leaves, leaf {i}, without {dropped}");
			}
		}
	}
}

#[test]
fn a_proof_one_level_long_is_refused() {
	for n in 1..=17 {
		let txs = batch(n);
		let root = batch_root(&txs);
		for i in 0..n {
			let honest = InclusionProof::generate(&txs, i as u32).unwrap();
			for extra in [root, leaf_hash(&txs[i]), H256::zero(), H256::repeat_byte(0x5a)] {
				for at in 0..=honest.proof.len() {
					let mut long = honest.clone();
					long.proof.insert(at, extra);
					assert!(!long.verify(&root, &txs[i]), "{n} leaves, leaf {i}, extra at {at}");
				}
			}
		}
	}
}

#[test]
fn a_wrong_index_is_refused() {
	for n in 1..=17 {
		let txs = batch(n);
		let root = batch_root(&txs);
		for i in 0..n {
			let honest = InclusionProof::generate(&txs, i as u32).unwrap();
			for claimed in (0..n + 3).filter(|&j| j != i) {
				let mut moved = honest.clone();
				moved.leaf_index = claimed as u32;
				assert!(!moved.verify(&root, &txs[i]), "{n} leaves, leaf {i} claimed at {claimed}");
			}
			let mut beyond = honest.clone();
			beyond.leaf_index = u32::MAX;
			assert!(!beyond.verify(&root, &txs[i]));
		}
	}
}

#[test]
fn an_empty_tree_proves_nothing() {
	let empty_root = batch_root(Vec::<Vec<u8>>::new());
	for tx in [&b""[..], b"x"] {
		assert!(!proof(0, 0, vec![]).verify(&empty_root, tx));
		assert!(!proof(0, 0, vec![]).verify_leaf(&empty_root, empty_root));
	}
}

#[test]
fn a_smaller_leaf_count_is_refused_against_the_certificate() {
	// Against a root alone, a proof may claim a smaller tree whose leaves are inner nodes of the
	// real one: of 4 transactions, "2 leaves" whose first is the glue of leaves 0 and 1.
	let txs = batch(4);
	let rows = rows(&txs);
	let forged = glue(rows[0][0], rows[0][1]);
	let claim = proof(0, 2, vec![rows[1][1]]);
	assert!(claim.verify(&batch_root(&txs), &forged), "the root does not fix the leaf count");

	let cert =
		BatchCertificate::over_transactions(H256::repeat_byte(1), 7, 1, H256::zero(), 0, &txs)
			.unwrap();
	assert!(!claim.verify_in(&cert, &forged), "the certificate does");
	for (i, tx) in txs.iter().enumerate() {
		assert!(InclusionProof::generate(&txs, i as u32).unwrap().verify_in(&cert, tx));
	}
}

/// 1 to 40 transactions of random bytes (64-byte ones included, the size of a glued pair).
fn any_batch() -> impl Strategy<Value = Vec<Vec<u8>>> {
	prop::collection::vec(
		prop_oneof![
			prop::collection::vec(any::<u8>(), 0..80),
			prop::collection::vec(any::<u8>(), 64..=64)
		],
		1..=40,
	)
}

proptest! {
	#[test]
	fn only_the_real_transaction_at_its_real_index_verifies(
		txs in any_batch(),
		pick in any::<prop::sample::Index>(),
		extra in any::<[u8; 32]>(),
	) {
		let n = txs.len();
		let root = batch_root(&txs);
		let i = pick.index(n);
		let honest = InclusionProof::generate(&txs, i as u32).unwrap();
		prop_assert!(honest.verify(&root, &txs[i]));

		// Another transaction of the batch, or its glued sibling hashes, at this index.
		for (j, other) in txs.iter().enumerate() {
			if other != &txs[i] {
				prop_assert!(!honest.verify(&root, other), "tx {} at index {}", j, i);
			}
		}
		let rows = rows(&txs);
		for level in 1..rows.len() {
			for parent in 0..rows[level].len() {
				if let Some(&right) = rows[level - 1].get(2 * parent + 1) {
					let forged = glue(rows[level - 1][2 * parent], right);
					let p = proof(i, n, path(&rows, level, parent));
					prop_assert!(!p.verify(&root, &forged) || txs[i] == forged);
				}
			}
		}
		// The real transaction at another index (unless the same bytes are there too).
		for j in (0..n + 2).filter(|&j| j != i && txs.get(j) != Some(&txs[i])) {
			let mut moved = honest.clone();
			moved.leaf_index = j as u32;
			prop_assert!(!moved.verify(&root, &txs[i]), "index {} claimed at {}", i, j);
		}
		// Truncated: every shorter prefix and every proof with one sibling left out.
		for len in 0..honest.proof.len() {
			let mut cut = honest.clone();
			cut.proof.truncate(len);
			prop_assert!(!cut.verify(&root, &txs[i]));
			let mut holed = honest.clone();
			holed.proof.remove(len);
			prop_assert!(!holed.verify(&root, &txs[i]));
		}
		// Extended: one more hash, at either end.
		for at in [0, honest.proof.len()] {
			let mut long = honest.clone();
			long.proof.insert(at, H256(extra));
			prop_assert!(!long.verify(&root, &txs[i]));
		}
	}
}
