//! The batch root and per-transaction inclusion proofs.
//!
//! `batch_root = binary_merkle_tree::merkle_root::<BlakeTwo256, _>(txs)`: each leaf is
//! `blake2_256(tx)`, a node is `blake2_256(left ++ right)`, an odd node is promoted unchanged,
//! one transaction's root is its leaf, and no transaction gives the zero hash (which no batch
//! may carry: a batch holds at least one transaction).

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::traits::BlakeTwo256;

/// `blake2_256(tx)`: a transaction's leaf in the batch tree.
pub fn leaf_hash(tx: &[u8]) -> H256 {
	H256(sp_io::hashing::blake2_256(tx))
}

/// The merkle root over `txs` as DESIGN.md pins it.
pub fn batch_root<I>(txs: I) -> H256
where
	I: IntoIterator,
	I::Item: AsRef<[u8]>,
{
	binary_merkle_tree::merkle_root::<BlakeTwo256, _>(txs)
}

/// Proves that one transaction is part of a batch whose root is known.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct InclusionProof {
	/// Position of the transaction in the batch, from 0.
	pub leaf_index: u32,
	/// Number of transactions in the batch (the certificate's `tx_count`).
	pub number_of_leaves: u32,
	/// Sibling hashes from the leaf up, the root excluded.
	pub proof: Vec<H256>,
}

impl InclusionProof {
	/// Builds the proof for `txs[leaf_index]`, or `None` if there is no such transaction.
	pub fn generate<T: AsRef<[u8]>>(txs: &[T], leaf_index: u32) -> Option<Self> {
		if usize::try_from(leaf_index).ok()? >= txs.len() {
			return None;
		}
		let proof = binary_merkle_tree::merkle_proof::<BlakeTwo256, _, _>(
			txs.iter().map(AsRef::as_ref),
			leaf_index,
		);
		Some(Self {
			leaf_index: proof.leaf_index,
			number_of_leaves: proof.number_of_leaves,
			proof: proof.proof,
		})
	}

	/// Whether the transaction `tx` is at `leaf_index` in the tree with `root`.
	pub fn verify(&self, root: &H256, tx: &[u8]) -> bool {
		self.verify_leaf(root, leaf_hash(tx))
	}

	/// Like [`Self::verify`], for a leaf hash rather than the transaction bytes.
	pub fn verify_leaf(&self, root: &H256, leaf: H256) -> bool {
		// A tree of n leaves is never deeper than 32 levels (n is a u32); a longer proof is junk.
		if self.proof.len() > 32 {
			return false;
		}
		binary_merkle_tree::verify_proof::<BlakeTwo256, _, _>(
			root,
			self.proof.iter().copied(),
			self.number_of_leaves,
			self.leaf_index,
			binary_merkle_tree::Leaf::Hash(leaf),
		)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn node(l: H256, r: H256) -> H256 {
		let mut b = [0u8; 64];
		b[..32].copy_from_slice(l.as_bytes());
		b[32..].copy_from_slice(r.as_bytes());
		H256(sp_io::hashing::blake2_256(&b))
	}

	#[test]
	fn root_follows_the_pinned_construction() {
		let txs: [&[u8]; 3] = [b"a", b"b", b"c"];
		let (a, b, c) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"));
		assert_eq!(batch_root(&txs[..1]), a, "one transaction's root is its leaf");
		assert_eq!(batch_root(&txs[..2]), node(a, b));
		assert_eq!(batch_root(&txs[..]), node(node(a, b), c), "odd node promoted unchanged");
		assert_eq!(batch_root(Vec::<Vec<u8>>::new()), H256::zero());
	}

	#[test]
	fn proof_for_missing_leaf_is_none() {
		assert_eq!(InclusionProof::generate::<&[u8]>(&[], 0), None);
		assert_eq!(InclusionProof::generate(&[b"x"], 1), None);
	}

	proptest! {
		#[test]
		fn every_leaf_proves_and_nothing_else_does(
			txs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..40),
			pick in any::<prop::sample::Index>(),
		) {
			let root = batch_root(&txs);
			let i = pick.index(txs.len());
			let proof = InclusionProof::generate(&txs, i as u32).unwrap();
			prop_assert!(proof.verify(&root, &txs[i]));
			prop_assert_eq!(proof.number_of_leaves as usize, txs.len());
			// Another transaction's bytes, another position or another root: refused.
			let mut forged = txs[i].clone();
			forged.push(0xff);
			prop_assert!(!proof.verify(&root, &forged));
			prop_assert!(!proof.verify(&H256::repeat_byte(0xee), &txs[i]));
			if txs.len() > 1 && txs[(i + 1) % txs.len()] != txs[i] {
				let mut moved = proof.clone();
				moved.leaf_index = ((i + 1) % txs.len()) as u32;
				prop_assert!(!moved.verify(&root, &txs[i]));
			}
			// The SCALE round trip keeps the proof valid.
			let decoded = InclusionProof::decode(&mut &proof.encode()[..]).unwrap();
			prop_assert!(decoded.verify(&root, &txs[i]));
		}
	}
}
