//! # Space Notary primitives
//!
//! The one home of the contract that the chain, the ground station and the satellite share
//! (`docs/design.md`): the batch certificate v1, its identifier and signing payloads, the merkle
//! tree over a batch's transactions, the signature checks, and the space-link frames.
//!
//! The crate is `no_std` (with a `std` feature) so that the very same code runs in the runtime,
//! on the ground and on flight software.
//!
//! # Layout
//!
//! - [`certificate`]: [`BatchCertificate`], [`BatchId`], the server and satellite payloads, the
//!   signature checks, and the certificate over a batch's transactions
//!   ([`BatchCertificate::over_transactions`], [`BatchCertificate::check_transactions`]).
//! - [`countersignature`]: a server's satellites, the v2 countersignature (which satellite,
//!   its clock at signing) and the attestation the chain records for each one it accepts.
//! - [`merkle`]: the batch root over transaction leaves and per-transaction inclusion proofs,
//!   built with polkadot-sdk's `binary-merkle-tree` and verified only along the exact path of
//!   the claimed leaf (the module docs say why).
//! - [`ground_station`]: the HTTP API between the off-chain worker and the bridge (the URL rule,
//!   the JSON bodies), and the off-chain storage key of the ground station's URL.
//! - [`records`]: what the runtime API returns (a server, a batch and its status, why a query
//!   found nothing): the contract between the pallet and the ground station.
//! - [`link`]: CCSDS Space Packet framing with a CRC-16/CCITT-FALSE trailer, segmentation with a
//!   CRC-32C over each message, the uplink/downlink messages, the packet scanner and a streaming
//!   decoder.
//! - [`receipt`]: receipts, the proof that a transaction was certified which anyone can check
//!   offline against the chain's genesis and GRANDPA authority set (`docs/receipts.md`).
//! - [`text`] (`std` only): the text forms of hashes and keys (`0x<hex>`, `scheme:0x<hex>`) that
//!   the tools on the ground read and print.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod certificate;
pub mod countersignature;
pub mod ground_station;
pub mod link;
pub mod merkle;
pub mod receipt;
pub mod records;
#[cfg(feature = "std")]
pub mod text;

pub use certificate::{
	satellite_payload, total_bytes, verify_satellite_signature, verify_server_signature,
	BatchCertificate, BatchId, SatelliteKey, SatelliteSignature, ServerId, ServerKey,
	ServerSignature, SignatureError, TransactionsError, CERTIFICATE_VERSION, SATELLITE_DOMAIN,
	SERVER_DOMAIN,
};
pub use countersignature::{
	satellite_payload_v2, Attestation, Countersignature, MaxSatellitesPerServer, SatelliteId,
	MAX_SATELLITES_PER_SERVER, SATELLITE_DOMAIN_V2,
};
pub use merkle::{batch_root, leaf_hash, InclusionProof};

/// Prefix of the off-chain index key under which the chain stores a batch's transactions.
pub const OFFCHAIN_TXS_PREFIX: &[u8] = b"space-notary/txs/";

/// The off-chain index key of `batch_id`'s transactions: [`OFFCHAIN_TXS_PREFIX`] `++ batch_id`.
///
/// The value is `SCALE(Vec<Vec<u8>>)`, the transactions in batch order. The off-chain worker and
/// the bridge (through the `offchain_localStorageGet` RPC, `PERSISTENT` kind) read it from there;
/// the node must run with `--enable-offchain-indexing true`.
pub fn offchain_txs_key(batch_id: &BatchId) -> alloc::vec::Vec<u8> {
	let mut key = alloc::vec::Vec::with_capacity(OFFCHAIN_TXS_PREFIX.len() + 32);
	key.extend_from_slice(OFFCHAIN_TXS_PREFIX);
	key.extend_from_slice(batch_id.as_bytes());
	key
}
