//! The durable signing record: for every server, every sequence signed, with the batch id,
//! the server signature and the satellite signature given for it.
//!
//! It lives in a [`redb`] database (`<state-dir>/signing.redb`) rather than a hand-written
//! file because a signature must never leave before its sequence is on disk, and redb gives
//! exactly that with little code of ours: a write transaction is durable (fsync) when
//! `commit` returns, a crash rolls back to the last commit, several signatures can share one
//! commit (the signer batches what is queued), and the file is locked so two emulators can
//! never sign from one state directory.
//!
//! A record is the SCALE encoding of [`SignedRecord`]'s fields, the satellite's clock at
//! signing last. Records written before countersignatures carried the satellite's clock (link
//! protocol 1) end at the signature; they still load, with no time, and a repeat of one is
//! signed again in v2.

use codec::{Decode, DecodeAll, Encode};
use redb::{ReadableTable, TableDefinition};
use space_notary_primitives::{BatchId, SatelliteSignature, ServerId, ServerSignature};
use std::path::Path;

/// `(server_id, sequence)` → SCALE-encoded [`SignedRecord`].
const SIGNED: TableDefinition<(u32, u64), &[u8]> = TableDefinition::new("signed");

/// What the satellite signed at one sequence of one server.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignedRecord {
	/// The certificate's batch id.
	pub batch_id: BatchId,
	/// The server signature the countersignature covers.
	pub server_signature: ServerSignature,
	/// The countersignature returned.
	pub signature: SatelliteSignature,
	/// The satellite's clock when it signed (unix ms), part of the v2 payload; `None` for a
	/// v1 signature recorded by an emulator of link protocol 1.
	pub signed_at_ms: Option<u64>,
}

/// A record as stored now: the signature is over the v2 payload at `signed_at_ms`.
#[derive(Encode, Decode)]
struct StoredV2 {
	batch_id: BatchId,
	server_signature: ServerSignature,
	signature: SatelliteSignature,
	signed_at_ms: u64,
}

/// A record of link protocol 1: a v1 signature, no time.
#[derive(Encode, Decode)]
struct StoredV1 {
	batch_id: BatchId,
	server_signature: ServerSignature,
	signature: SatelliteSignature,
}

impl SignedRecord {
	/// The stored bytes: the form of its version (the signer records v2 only; a v1 record is
	/// written as the previous version wrote it, which the tests use).
	fn encode(&self) -> Vec<u8> {
		let (batch_id, server_signature, signature) =
			(self.batch_id, self.server_signature.clone(), self.signature);
		match self.signed_at_ms {
			Some(signed_at_ms) => {
				StoredV2 { batch_id, server_signature, signature, signed_at_ms }.encode()
			},
			None => StoredV1 { batch_id, server_signature, signature }.encode(),
		}
	}

	/// Reads the stored bytes of either form. Each decodes only exactly (no bytes left over),
	/// and a v1 record is shorter than any v2 record with the same server signature's scheme,
	/// so the two cannot be mistaken for each other.
	fn decode(bytes: &[u8]) -> Option<Self> {
		if let Ok(v2) = StoredV2::decode_all(&mut &bytes[..]) {
			return Some(Self {
				batch_id: v2.batch_id,
				server_signature: v2.server_signature,
				signature: v2.signature,
				signed_at_ms: Some(v2.signed_at_ms),
			});
		}
		let v1 = StoredV1::decode_all(&mut &bytes[..]).ok()?;
		Some(Self {
			batch_id: v1.batch_id,
			server_signature: v1.server_signature,
			signature: v1.signature,
			signed_at_ms: None,
		})
	}
}

/// The signing record could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
	/// Another process (an emulator already running?) holds the database.
	#[error("the signing record is in use by another process (is an emulator already running on this state directory?)")]
	Locked,
	/// The database reported an error.
	#[error("signing record: {0}")]
	Database(#[source] Box<redb::Error>),
	/// A stored record does not decode: the file was altered or damaged.
	#[error("signing record for server {server_id} sequence {sequence} is corrupt")]
	CorruptRecord {
		/// The server.
		server_id: ServerId,
		/// The sequence.
		sequence: u64,
	},
}

fn db_error(e: impl Into<redb::Error>) -> StoreError {
	StoreError::Database(Box::new(e.into()))
}

/// The signing record of one state directory.
pub struct SigningStore {
	db: redb::Database,
}

impl SigningStore {
	/// Opens (or creates) the record at `path`, taking its lock.
	pub fn open(path: &Path) -> Result<Self, StoreError> {
		let db = redb::Database::create(path).map_err(|e| match e {
			redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked,
			other => db_error(other),
		})?;
		// Create the table up front so that read transactions never meet a missing table.
		let txn = db.begin_write().map_err(db_error)?;
		txn.open_table(SIGNED).map_err(db_error)?;
		txn.commit().map_err(db_error)?;
		Ok(Self { db })
	}

	/// Starts a write transaction; only one can be open at a time.
	pub fn begin(&self) -> Result<SigningTxn, StoreError> {
		Ok(SigningTxn { txn: self.db.begin_write().map_err(db_error)?, recorded: 0 })
	}

	/// The highest sequence signed for `server_id` and its record, from committed data.
	pub fn last_signed(
		&self,
		server_id: ServerId,
	) -> Result<Option<(u64, SignedRecord)>, StoreError> {
		let txn = self.db.begin_read().map_err(db_error)?;
		let table = txn.open_table(SIGNED).map_err(db_error)?;
		let last =
			table.range((server_id, 0)..=(server_id, u64::MAX)).map_err(db_error)?.next_back();
		match last {
			None => Ok(None),
			Some(entry) => {
				let (key, value) = entry.map_err(db_error)?;
				let (_, sequence) = key.value();
				Ok(Some((sequence, decode_record(server_id, sequence, value.value())?)))
			},
		}
	}
}

fn decode_record(
	server_id: ServerId,
	sequence: u64,
	bytes: &[u8],
) -> Result<SignedRecord, StoreError> {
	SignedRecord::decode(bytes).ok_or(StoreError::CorruptRecord { server_id, sequence })
}

/// A write transaction on the signing record: reads see its own uncommitted writes.
pub struct SigningTxn {
	txn: redb::WriteTransaction,
	recorded: usize,
}

impl SigningTxn {
	/// The highest sequence signed for `server_id`.
	pub fn last_sequence(&self, server_id: ServerId) -> Result<Option<u64>, StoreError> {
		let table = self.txn.open_table(SIGNED).map_err(db_error)?;
		let last =
			table.range((server_id, 0)..=(server_id, u64::MAX)).map_err(db_error)?.next_back();
		match last {
			None => Ok(None),
			Some(entry) => Ok(Some(entry.map_err(db_error)?.0.value().1)),
		}
	}

	/// What was signed at `sequence` for `server_id`, if anything.
	pub fn record_at(
		&self,
		server_id: ServerId,
		sequence: u64,
	) -> Result<Option<SignedRecord>, StoreError> {
		let table = self.txn.open_table(SIGNED).map_err(db_error)?;
		let value = table.get((server_id, sequence)).map_err(db_error)?;
		value.map(|v| decode_record(server_id, sequence, v.value())).transpose()
	}

	/// Records a signature (replacing the record at that sequence, if any).
	pub fn record(
		&mut self,
		server_id: ServerId,
		sequence: u64,
		record: &SignedRecord,
	) -> Result<(), StoreError> {
		let mut table = self.txn.open_table(SIGNED).map_err(db_error)?;
		table.insert((server_id, sequence), record.encode().as_slice()).map_err(db_error)?;
		self.recorded = self.recorded.saturating_add(1);
		Ok(())
	}

	/// Signatures recorded in this transaction so far.
	pub fn recorded(&self) -> usize {
		self.recorded
	}

	/// Makes every write of this transaction durable; returns once it is on disk.
	pub fn commit(self) -> Result<(), StoreError> {
		self.txn.commit().map_err(db_error)
	}

	/// Ends the transaction, discarding its writes, without touching the disk.
	pub fn abort(self) -> Result<(), StoreError> {
		self.txn.abort().map_err(db_error)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{ed25519, H256};

	fn record(byte: u8) -> SignedRecord {
		SignedRecord {
			batch_id: H256::repeat_byte(byte),
			server_signature: ed25519::Signature::from_raw([byte; 64]).into(),
			signature: ed25519::Signature::from_raw([byte.wrapping_add(1); 64]),
			signed_at_ms: Some(1_800_000_000_000 + u64::from(byte)),
		}
	}

	#[test]
	fn committed_records_survive_reopening_and_uncommitted_ones_do_not() {
		let tmp = tempfile::tempdir().unwrap();
		let path = tmp.path().join("signing.redb");
		{
			let store = SigningStore::open(&path).unwrap();
			assert!(matches!(SigningStore::open(&path), Err(StoreError::Locked)));
			let mut txn = store.begin().unwrap();
			txn.record(1, 5, &record(5)).unwrap();
			txn.record(1, 6, &record(6)).unwrap();
			txn.record(2, 9, &record(9)).unwrap();
			assert_eq!(txn.last_sequence(1).unwrap(), Some(6), "reads see own writes");
			txn.commit().unwrap();
			let mut txn = store.begin().unwrap();
			txn.record(1, 7, &record(7)).unwrap();
			assert_eq!(txn.recorded(), 1);
			txn.abort().unwrap();
			let mut txn = store.begin().unwrap();
			txn.record(1, 8, &record(8)).unwrap();
			drop(txn); // aborted too
		}
		let store = SigningStore::open(&path).unwrap();
		assert_eq!(store.last_signed(1).unwrap(), Some((6, record(6))));
		assert_eq!(store.last_signed(2).unwrap(), Some((9, record(9))));
		assert_eq!(store.last_signed(3).unwrap(), None);
		let txn = store.begin().unwrap();
		assert_eq!(txn.record_at(1, 5).unwrap(), Some(record(5)));
		assert_eq!(txn.record_at(1, 7).unwrap(), None);
		assert_eq!(txn.record_at(1, 8).unwrap(), None);
		assert_eq!(txn.recorded(), 0);
		assert_eq!(txn.last_sequence(0).unwrap(), None, "server 0 must not see server 1");
	}

	/// Regression guard for the upgrade to link protocol 2: a state directory signed by the
	/// previous version must still open and answer for what it signed.
	#[test]
	fn records_of_the_previous_version_load_without_a_time() {
		#[derive(Encode)]
		struct PreviousVersion {
			batch_id: BatchId,
			server_signature: ServerSignature,
			signature: SatelliteSignature,
		}
		let tmp = tempfile::tempdir().unwrap();
		let store = SigningStore::open(&tmp.path().join("signing.redb")).unwrap();
		let insert = |sequence: u64, bytes: &[u8]| {
			let txn = store.db.begin_write().unwrap();
			txn.open_table(SIGNED).unwrap().insert((1, sequence), bytes).unwrap();
			txn.commit().unwrap();
		};
		let server_signatures: [ServerSignature; 2] = [
			ed25519::Signature::from_raw([3; 64]).into(),
			sp_core::ecdsa::Signature::from_raw([3; 65]).into(),
		];
		for (sequence, server_signature) in (1..).zip(server_signatures) {
			let old = SignedRecord { server_signature, signed_at_ms: None, ..record(3) };
			let bytes = PreviousVersion {
				batch_id: old.batch_id,
				server_signature: old.server_signature.clone(),
				signature: old.signature,
			}
			.encode();
			insert(sequence, &bytes);
			assert_eq!(store.last_signed(1).unwrap(), Some((sequence, old.clone())));
			assert_eq!(old.encode(), bytes, "a record without a time keeps its old form");
			let mut txn = store.begin().unwrap();
			let new = SignedRecord { signed_at_ms: Some(1_800_000_000_000), ..old.clone() };
			txn.record(1, sequence, &new).unwrap();
			assert_eq!(txn.record_at(1, sequence).unwrap(), Some(new));
		}
		insert(5, &[0u8; 7]);
		assert!(matches!(
			store.last_signed(1),
			Err(StoreError::CorruptRecord { server_id: 1, sequence: 5 })
		));
		// A v2 record with a byte too many is no v1 record either.
		let mut long = record(4).encode();
		long.push(0);
		insert(6, &long);
		assert!(matches!(store.last_signed(1), Err(StoreError::CorruptRecord { sequence: 6, .. })));
	}
}
