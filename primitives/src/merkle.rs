//! The batch root and per-transaction inclusion proofs.
//!
//! `batch_root = binary_merkle_tree::merkle_root::<BlakeTwo256, _>(txs)`: each leaf is
//! `blake2_256(tx)`, a node is `blake2_256(left ++ right)`, an odd node is promoted unchanged,
//! one transaction's root is its leaf, and no transaction gives the zero hash (which no batch
//! may carry: a batch holds at least one transaction).
//!
//! # Why a proof must have exactly its leaf's path
//!
//! A leaf and an inner node are hashed alike (certificate v1 pins the root, so no domain tag can
//! be added). The 64 bytes `left ++ right` of two sibling nodes are therefore a "transaction"
//! whose leaf hash is their parent node. `binary_merkle_tree::verify_proof` folds however many
//! sibling hashes a proof carries, so such bytes, claimed at a suitable index with a proof one
//! level short, reach the root: a proof that the batch held a transaction it never held.
//!
//! The tree's shape is fixed by its number of leaves, and with it the path from each leaf to the
//! root: at each level the node at index `i` of a row of `width` nodes has a sibling if
//! `i ^ 1 < width` (on the left if `i` is odd), and is promoted unchanged otherwise; the row
//! above has `ceil(width / 2)` nodes. [`InclusionProof::verify`] walks that path for
//! `(leaf_index, number_of_leaves)` and accepts one sibling per step that has one, hashed on its
//! side, no more and no fewer, with `leaf_index < number_of_leaves`. A path then ends at a leaf,
//! never at an inner node, and glued hashes prove nothing short of a blake2 collision.
//!
//! The root does not commit to the number of leaves, so `number_of_leaves` is part of what a
//! proof claims: checked against a root alone, a proof may claim a smaller tree whose leaves are
//! inner nodes of the real one. Take the count from the certificate's `tx_count`, as
//! [`InclusionProof::verify_in`] and the pallet's `verify_inclusion` do.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::traits::BlakeTwo256;

/// `blake2_256(tx)`: a transaction's leaf in the batch tree.
pub fn leaf_hash(tx: &[u8]) -> H256 {
	H256(sp_io::hashing::blake2_256(tx))
}

/// `blake2_256(left ++ right)`: an inner node of the batch tree.
fn node_hash(left: &H256, right: &H256) -> H256 {
	let mut pair = [0u8; 64];
	pair[..32].copy_from_slice(left.as_bytes());
	pair[32..].copy_from_slice(right.as_bytes());
	H256(sp_io::hashing::blake2_256(&pair))
}

/// The merkle root over `txs` as docs/design.md pins it.
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
	/// Sibling hashes from the leaf up, the root excluded; none for a level where the node is
	/// promoted unchanged.
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

	/// Whether the transaction `tx` is at `leaf_index` in the tree of `number_of_leaves` leaves
	/// with `root`. The proof must follow that leaf's path exactly (see the module docs); the
	/// leaf count is taken from the proof, so check it against the certificate, or use
	/// [`Self::verify_in`].
	pub fn verify(&self, root: &H256, tx: &[u8]) -> bool {
		self.verify_leaf(root, leaf_hash(tx))
	}

	/// Like [`Self::verify`], for the leaf hash `blake2_256(tx)` rather than the transaction.
	pub fn verify_leaf(&self, root: &H256, leaf: H256) -> bool {
		if self.leaf_index >= self.number_of_leaves {
			return false; // also refuses an empty tree
		}
		let mut siblings = self.proof.iter();
		let (mut node, mut index, mut width) = (leaf, self.leaf_index, self.number_of_leaves);
		while width > 1 {
			if index ^ 1 < width {
				let Some(sibling) = siblings.next() else {
					return false; // shorter than the path
				};
				node = if index % 2 == 1 {
					node_hash(sibling, &node)
				} else {
					node_hash(&node, sibling)
				};
			}
			index /= 2;
			width = width.div_ceil(2);
		}
		siblings.next().is_none() && node == *root
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn node(l: H256, r: H256) -> H256 {
		node_hash(&l, &r)
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
