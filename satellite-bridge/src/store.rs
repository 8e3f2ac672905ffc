//! The durable queue: every batch the bridge has taken on and where it stands.
//!
//! A [`redb`] database, `<data-dir>/bridge.redb`. A write transaction is durable (fsync) when
//! `commit` returns and a crash rolls back to the last commit, so the relay's rule is simple:
//! a change is committed before anything that depends on it happens outside (a batch is
//! recorded before the HTTP API acknowledges it or the link sends it; a countersignature is
//! recorded before it is submitted; a submission is recorded before the next is made). After a
//! `kill -9` the relay reopens the file and continues from the last commit: a batch that was
//! in flight is asked for again (the satellite answers the same certificate with the same
//! signature), a countersignature that was received is submitted without asking again.
//!
//! The file is locked: two bridges never share one data directory (each runs its own).
//! Many changes share one commit: the relay commits once per turn of its loop.
//!
//! Each value is the SCALE-encoded [`Entry`] followed by its [`Times`] (two `u64`s); a value
//! written before the times existed decodes with none, and the relay takes "now" for them. Entries
//! are removed ([`Store::commit`]'s `removed`) when the relay prunes them after their retention,
//! so the file does not grow with every batch ever seen.
//!
//! The file records its layout (`"format"` in the meta table, [`FORMAT`]): an older file is
//! rewritten in the new layout when opened, in the same transaction that records the new format;
//! a newer one is refused by name ([`StoreError::NewerFormat`]) rather than misread. Formats 1
//! and 2 held v1 countersignatures (link protocol 1); such a countersignature, held to submit or
//! held as bad, becomes a batch to ask the satellite again, which answers the same certificate
//! in v2.

use codec::{Decode, Encode};
use redb::{ReadableTable, TableDefinition};
use space_notary_primitives::{
	ground_station::Stage as ReportedStage, link::RejectReason, BatchCertificate, BatchId,
	Countersignature, SatelliteSignature, ServerSignature,
};
use std::path::Path;

/// `batch_id` → SCALE-encoded [`Entry`].
const BATCHES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("batches");
/// Bookkeeping: `"last_finalized"` → SCALE `u64`; `"format"` → SCALE `u32`.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// The layout of the values this bridge writes: 3 since stages keep v2 countersignatures (the
/// satellite's number and clock). A file without a format is format 1; formats 1 and 2 are
/// brought to 3 when opened.
pub const FORMAT: u32 = 3;

/// Format 1's layout, read only to bring a file to [`FORMAT`].
mod v1 {
	use super::{BatchCertificate, RejectReason, SatelliteSignature, ServerSignature, Source};
	use codec::Decode;

	// A held signature is read for its length only: it is v1, and asked for again in v2.
	#[allow(dead_code)]
	#[derive(Decode)]
	pub(super) enum Stage {
		Queued,
		Countersigned { signature: SatelliteSignature },
		Submitted { signature: SatelliteSignature, at_block: u64 },
		Refused { reason: RejectReason },
		BadCountersignature { signature: SatelliteSignature },
		Certified { at_block: u64, by_us: bool },
		Expired { at_block: u64 },
		Superseded,
	}

	#[derive(Decode)]
	pub(super) struct Entry {
		cert: BatchCertificate,
		server_signature: ServerSignature,
		txs: Option<Vec<Vec<u8>>>,
		source: Source,
		stage: Stage,
		expires_at: Option<u64>,
		sends: u32,
		submissions: u32,
	}

	impl From<Entry> for super::Entry {
		fn from(e: Entry) -> Self {
			use super::Stage as S;
			let stage = match e.stage {
				// A v1 countersignature, held to submit or as bad: asked for again, in v2.
				Stage::Queued
				| Stage::Countersigned { .. }
				| Stage::Submitted { .. }
				| Stage::BadCountersignature { .. } => S::Queued,
				Stage::Refused { reason } => S::Refused { reason },
				Stage::Certified { at_block, by_us } => {
					S::Certified { at_block, by_us, countersignature: None }
				},
				Stage::Expired { at_block } => S::Expired { at_block },
				Stage::Superseded => S::Superseded,
			};
			Self {
				cert: e.cert,
				server_signature: e.server_signature,
				txs: e.txs,
				source: e.source,
				stage,
				expires_at: e.expires_at,
				sends: e.sends,
				submissions: e.submissions,
			}
		}
	}
}

/// Format 2's layout (format 1 with the chain's countersignature kept for a certified batch),
/// read only to bring a file to [`FORMAT`].
mod v2 {
	use super::{BatchCertificate, RejectReason, SatelliteSignature, ServerSignature, Source};
	use codec::Decode;

	// A held signature is read for its length only: it is v1, and asked for again in v2.
	#[allow(dead_code)]
	#[derive(Decode)]
	pub(super) enum Stage {
		Queued,
		Countersigned { signature: SatelliteSignature },
		Submitted { signature: SatelliteSignature, at_block: u64 },
		Refused { reason: RejectReason },
		BadCountersignature { signature: SatelliteSignature },
		Certified { at_block: u64, by_us: bool, signature: Option<SatelliteSignature> },
		Expired { at_block: u64 },
		Superseded,
	}

	#[derive(Decode)]
	pub(super) struct Entry {
		cert: BatchCertificate,
		server_signature: ServerSignature,
		txs: Option<Vec<Vec<u8>>>,
		source: Source,
		stage: Stage,
		expires_at: Option<u64>,
		sends: u32,
		submissions: u32,
	}

	impl From<Entry> for super::Entry {
		fn from(e: Entry) -> Self {
			use super::Stage as S;
			let stage = match e.stage {
				// A v1 countersignature, held to submit or as bad: asked for again, in v2.
				Stage::Queued
				| Stage::Countersigned { .. }
				| Stage::Submitted { .. }
				| Stage::BadCountersignature { .. } => S::Queued,
				Stage::Refused { reason } => S::Refused { reason },
				// The chain's record has it; a v1 signature alone cannot be shown as v2.
				Stage::Certified { at_block, by_us, signature: _ } => {
					S::Certified { at_block, by_us, countersignature: None }
				},
				Stage::Expired { at_block } => S::Expired { at_block },
				Stage::Superseded => S::Superseded,
			};
			Self {
				cert: e.cert,
				server_signature: e.server_signature,
				txs: e.txs,
				source: e.source,
				stage,
				expires_at: e.expires_at,
				sends: e.sends,
				submissions: e.submissions,
			}
		}
	}
}

/// Where a batch came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Source {
	/// Found pending on chain.
	Chain,
	/// Posted to the ground-station API (by an off-chain worker).
	Http,
}

/// When an entry was taken on and when it became final (unix ms; `0`: not final).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct Times {
	/// Taken on.
	pub created_ms: u64,
	/// Became final, `0` while it is not.
	pub settled_ms: u64,
}

/// Where a batch stands in the bridge.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Stage {
	/// Waiting for (or in flight to) the satellite.
	Queued,
	/// Countersigned and verified against the on-chain satellite key; to be submitted (or, for a
	/// posted batch without a chain, to be collected).
	Countersigned {
		/// The satellite's countersignature.
		countersignature: Countersignature,
	},
	/// Submitted to the chain when its finalized head was `at_block`.
	Submitted {
		/// The satellite's countersignature.
		countersignature: Countersignature,
		/// Finalized block number at the (last) submission.
		at_block: u64,
	},
	/// The satellite refused to sign (or something that claimed to be it did): asked again after
	/// a backoff while the batch can still be certified.
	Refused {
		/// Its reason.
		reason: RejectReason,
	},
	/// The satellite's answer did not verify under the key on chain of the satellite it names
	/// (or names a satellite the server does not have, or the off-chain worker said it does not
	/// verify): nothing was submitted; asked again after a backoff, and checked again when the
	/// server's satellites on chain change.
	BadCountersignature {
		/// What came down.
		countersignature: Countersignature,
	},
	/// Certified at a finalized block.
	Certified {
		/// Block of certification.
		at_block: u64,
		/// Whether this bridge's submission was the one (as far as it can tell: it submitted
		/// and nobody else's countersignature differs, which for ed25519 it cannot).
		by_us: bool,
		/// The v2 countersignature the chain recorded last (whoever relayed it); `None` when
		/// that was a v1 one, and for an entry certified before the file's format 3.
		countersignature: Option<Countersignature>,
	},
	/// Expired on chain, never certified.
	Expired {
		/// Block of expiry.
		at_block: u64,
	},
	/// Never on this chain and never will be: a batch posted to the API whose sequence the chain
	/// has given to another batch (or whose record the chain pruned).
	Superseded,
}

impl Stage {
	/// Whether nothing more will happen to the batch: only the chain ends a batch (certified,
	/// expired, its sequence taken), never an answer from the link, which anyone could forge.
	pub fn is_final(&self) -> bool {
		self.reported().is_final()
	}

	/// Whether the batch waits to be asked of the satellite again (refused, or answered with a
	/// countersignature that does not verify).
	pub fn is_retry(&self) -> bool {
		self.reported().is_retrying()
	}

	/// The stage as the API reports it.
	pub fn reported(&self) -> ReportedStage {
		match self {
			Self::Queued => ReportedStage::Queued,
			Self::Countersigned { .. } => ReportedStage::Countersigned,
			Self::Submitted { .. } => ReportedStage::Submitted,
			Self::Refused { .. } => ReportedStage::Refused,
			Self::BadCountersignature { .. } => ReportedStage::BadCountersignature,
			Self::Certified { .. } => ReportedStage::Certified,
			Self::Expired { .. } => ReportedStage::Expired,
			Self::Superseded => ReportedStage::Superseded,
		}
	}

	/// A short name for status output and the API.
	pub fn name(&self) -> &'static str {
		self.reported().as_str()
	}

	/// The countersignature to show: the one held, or the one the chain certified with
	/// (`None` while there is none, and for a held one that does not verify).
	pub fn shown_countersignature(&self) -> Option<Countersignature> {
		match self {
			Self::Certified { countersignature, .. } => *countersignature,
			Self::BadCountersignature { .. } => None,
			other => other.countersignature(),
		}
	}

	/// The countersignature held to be submitted (or held as bad), once there is one.
	pub fn countersignature(&self) -> Option<Countersignature> {
		match self {
			Self::Countersigned { countersignature }
			| Self::Submitted { countersignature, .. }
			| Self::BadCountersignature { countersignature } => Some(*countersignature),
			_ => None,
		}
	}
}

/// One batch in the queue.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Entry {
	/// The certificate.
	pub cert: BatchCertificate,
	/// The server's signature over it.
	pub server_signature: ServerSignature,
	/// Full mode: the transactions (posted ones, or read from the off-chain index).
	pub txs: Option<Vec<Vec<u8>>>,
	/// Where it came from.
	pub source: Source,
	/// Where it stands.
	pub stage: Stage,
	/// Block at which the chain expires it, when known.
	pub expires_at: Option<u64>,
	/// Times it was handed to the link (across restarts).
	pub sends: u32,
	/// Times it was submitted to the chain.
	pub submissions: u32,
}

impl Entry {
	/// A new queued batch.
	pub fn queued(
		cert: BatchCertificate,
		server_signature: ServerSignature,
		txs: Option<Vec<Vec<u8>>>,
		source: Source,
		expires_at: Option<u64>,
	) -> Self {
		Self {
			cert,
			server_signature,
			txs,
			source,
			stage: Stage::Queued,
			expires_at,
			sends: 0,
			submissions: 0,
		}
	}
}

/// The queue could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
	/// Another bridge holds this data directory.
	#[error("the queue in {0} is in use by another process (is a bridge already running on this data directory?)")]
	Locked(std::path::PathBuf),
	/// The database reported an error.
	#[error("queue database: {0}")]
	Database(#[source] Box<redb::Error>),
	/// A stored entry does not decode: the file was altered or damaged.
	#[error("queue entry {0} is corrupt")]
	Corrupt(BatchId),
	/// The file was written by a newer bridge, in a format this one does not know.
	#[error("the queue file is in format {found}; this bridge reads format {FORMAT} and older (run the newer bridge, or move the data directory aside)")]
	NewerFormat {
		/// The file's format.
		found: u32,
	},
	/// The data directory cannot be created.
	#[error("cannot create data directory {path}: {source}")]
	DataDir {
		/// The directory.
		path: std::path::PathBuf,
		/// Why.
		source: std::io::Error,
	},
}

fn db_error(e: impl Into<redb::Error>) -> StoreError {
	StoreError::Database(Box::new(e.into()))
}

/// The durable queue of one data directory.
pub struct Store {
	db: redb::Database,
}

impl Store {
	/// Opens (or creates) `<data_dir>/bridge.redb`, taking its lock.
	pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
		std::fs::create_dir_all(data_dir)
			.map_err(|source| StoreError::DataDir { path: data_dir.to_path_buf(), source })?;
		let path = data_dir.join("bridge.redb");
		let db = redb::Database::create(&path).map_err(|e| match e {
			redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked(path.clone()),
			other => db_error(other),
		})?;
		let txn = db.begin_write().map_err(db_error)?;
		{
			let mut batches = txn.open_table(BATCHES).map_err(db_error)?;
			let mut meta = txn.open_table(META).map_err(db_error)?;
			let found = match meta.get("format").map_err(db_error)? {
				Some(v) => u32::decode(&mut v.value()).unwrap_or(u32::MAX),
				None => 1,
			};
			if found > FORMAT {
				return Err(StoreError::NewerFormat { found });
			}
			if found < FORMAT {
				migrate(found, &mut batches)?;
				meta.insert("format", FORMAT.encode().as_slice()).map_err(db_error)?;
			}
		}
		txn.commit().map_err(db_error)?;
		Ok(Self { db })
	}

	/// Every entry, as committed, with its times (`None` for an entry written without them).
	pub fn load(&self) -> Result<Vec<(BatchId, Entry, Option<Times>)>, StoreError> {
		let txn = self.db.begin_read().map_err(db_error)?;
		let table = txn.open_table(BATCHES).map_err(db_error)?;
		let mut entries = Vec::new();
		for item in table.iter().map_err(db_error)? {
			let (key, value) = item.map_err(db_error)?;
			let batch_id = BatchId::from(*key.value());
			let mut input = value.value();
			let entry = Entry::decode(&mut input).map_err(|_| StoreError::Corrupt(batch_id))?;
			let times = Times::decode(&mut input).ok();
			entries.push((batch_id, entry, times));
		}
		Ok(entries)
	}

	/// The last finalized block the relay processed.
	pub fn last_finalized(&self) -> Result<Option<u64>, StoreError> {
		let txn = self.db.begin_read().map_err(db_error)?;
		let table = txn.open_table(META).map_err(db_error)?;
		let value = table.get("last_finalized").map_err(db_error)?;
		Ok(value.and_then(|v| u64::decode(&mut v.value()).ok()))
	}

	/// Writes `entries`, removes `removed` (and records the last finalized block, if given) in
	/// one durable commit.
	pub fn commit<'a>(
		&self,
		entries: impl IntoIterator<Item = (&'a BatchId, &'a Entry, Times)>,
		removed: &[BatchId],
		last_finalized: Option<u64>,
	) -> Result<(), StoreError> {
		let txn = self.db.begin_write().map_err(db_error)?;
		{
			let mut table = txn.open_table(BATCHES).map_err(db_error)?;
			for (batch_id, entry, times) in entries {
				let mut value = entry.encode();
				times.encode_to(&mut value);
				table.insert(&batch_id.0, value.as_slice()).map_err(db_error)?;
			}
			for batch_id in removed {
				table.remove(&batch_id.0).map_err(db_error)?;
			}
			if let Some(number) = last_finalized {
				let mut meta = txn.open_table(META).map_err(db_error)?;
				meta.insert("last_finalized", number.encode().as_slice()).map_err(db_error)?;
			}
		}
		txn.commit().map_err(db_error)
	}
}

/// Rewrites every value of format `found` (1 or 2) in the new layout, its times (if any) kept
/// as they were.
fn migrate(found: u32, batches: &mut redb::Table<&[u8; 32], &[u8]>) -> Result<(), StoreError> {
	let mut rewritten = Vec::new();
	for item in batches.iter().map_err(db_error)? {
		let (key, value) = item.map_err(db_error)?;
		let batch_id = BatchId::from(*key.value());
		let mut input = value.value();
		let old = match found {
			1 => v1::Entry::decode(&mut input).map(Entry::from),
			_ => v2::Entry::decode(&mut input).map(Entry::from),
		};
		let mut new = old.map_err(|_| StoreError::Corrupt(batch_id))?.encode();
		new.extend_from_slice(input);
		rewritten.push((*key.value(), new));
	}
	for (key, value) in rewritten {
		batches.insert(&key, value.as_slice()).map_err(db_error)?;
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{ed25519, H256};

	fn entry(n: u8) -> (BatchId, Entry) {
		let cert = BatchCertificate { sequence: n.into(), ..Default::default() };
		let sig = ed25519::Signature::from_raw([n; 64]).into();
		(cert.batch_id(), Entry::queued(cert, sig, None, Source::Chain, Some(10)))
	}

	#[test]
	fn committed_entries_survive_reopening_and_the_file_is_locked() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		assert!(matches!(Store::open(dir.path()), Err(StoreError::Locked(_))));
		let (id1, mut e1) = entry(1);
		let (id2, e2) = entry(2);
		let (id3, e3) = entry(3);
		let t = Times { created_ms: 5, settled_ms: 0 };
		store.commit([(&id1, &e1, t), (&id2, &e2, t), (&id3, &e3, t)], &[], Some(7)).unwrap();
		e1.stage = Stage::Countersigned {
			countersignature: Countersignature {
				satellite_id: 25_544,
				signed_at_ms: 1_800_000_000_000,
				signature: ed25519::Signature::from_raw([9; 64]),
			},
		};
		store.commit([(&id1, &e1, t)], &[id3], None).unwrap();
		drop(store);

		let store = Store::open(dir.path()).unwrap();
		let mut loaded = store.load().unwrap();
		loaded.sort_by_key(|(_, e, _)| e.cert.sequence);
		assert_eq!(loaded, vec![(id1, e1, Some(t)), (id2, e2, Some(t))]);
		assert_eq!(store.last_finalized().unwrap(), Some(7));
		assert_ne!(id1, H256::zero());
	}

	#[test]
	fn a_format_1_file_is_brought_to_format_3_and_a_newer_one_is_refused() {
		let dir = tempfile::tempdir().unwrap();
		let (id, e) = entry(1);
		// Format 1: no format key, the certified stage without its countersignature (variant 5:
		// at_block, by_us), then the times.
		{
			let db = redb::Database::create(dir.path().join("bridge.redb")).unwrap();
			let txn = db.begin_write().unwrap();
			{
				let mut value = Vec::new();
				e.cert.encode_to(&mut value);
				e.server_signature.encode_to(&mut value);
				e.txs.encode_to(&mut value);
				e.source.encode_to(&mut value);
				(5u8, 42u64, true).encode_to(&mut value);
				(e.expires_at, 3u32, 1u32).encode_to(&mut value);
				Times { created_ms: 5, settled_ms: 6 }.encode_to(&mut value);
				txn.open_table(BATCHES).unwrap().insert(&id.0, value.as_slice()).unwrap();
			}
			txn.commit().unwrap();
		}
		let store = Store::open(dir.path()).unwrap();
		let expected = Entry {
			stage: Stage::Certified { at_block: 42, by_us: true, countersignature: None },
			sends: 3,
			submissions: 1,
			..e
		};
		let times = Some(Times { created_ms: 5, settled_ms: 6 });
		assert_eq!(store.load().unwrap(), vec![(id, expected.clone(), times)]);
		drop(store);
		assert_eq!(Store::open(dir.path()).unwrap().load().unwrap(), vec![(id, expected, times)]);

		let store = Store::open(dir.path()).unwrap();
		let txn = store.db.begin_write().unwrap();
		txn.open_table(META).unwrap().insert("format", 4u32.encode().as_slice()).unwrap();
		txn.commit().unwrap();
		drop(store);
		assert!(matches!(Store::open(dir.path()), Err(StoreError::NewerFormat { found: 4 })));
	}

	/// Regression guard for the upgrade to link protocol 2: a format-2 file holds v1
	/// countersignatures. Each one held (to submit, submitted, or as bad) becomes a batch to ask
	/// again; the rest keeps its stage.
	#[test]
	fn a_format_2_file_is_brought_to_format_3_and_its_v1_countersignatures_asked_again() {
		let dir = tempfile::tempdir().unwrap();
		let v1 = ed25519::Signature::from_raw([9; 64]);
		// (format-2 stage bytes, the stage it becomes)
		let rows: Vec<(Vec<u8>, Stage)> = vec![
			((0u8,).encode(), Stage::Queued),
			((1u8, v1).encode(), Stage::Queued),
			((2u8, v1, 17u64).encode(), Stage::Queued),
			((3u8, RejectReason::Stale).encode(), Stage::Refused { reason: RejectReason::Stale }),
			((4u8, v1).encode(), Stage::Queued),
			(
				(5u8, 42u64, true, Some(v1)).encode(),
				Stage::Certified { at_block: 42, by_us: true, countersignature: None },
			),
			((6u8, 43u64).encode(), Stage::Expired { at_block: 43 }),
			((7u8,).encode(), Stage::Superseded),
		];
		let mut expected = Vec::new();
		{
			let db = redb::Database::create(dir.path().join("bridge.redb")).unwrap();
			let txn = db.begin_write().unwrap();
			{
				let mut table = txn.open_table(BATCHES).unwrap();
				for (n, (stage, becomes)) in (1u8..).zip(&rows) {
					let (id, e) = entry(n);
					let mut value = Vec::new();
					e.cert.encode_to(&mut value);
					e.server_signature.encode_to(&mut value);
					e.txs.encode_to(&mut value);
					e.source.encode_to(&mut value);
					value.extend_from_slice(stage);
					(e.expires_at, 3u32, 2u32).encode_to(&mut value);
					Times { created_ms: 5, settled_ms: 0 }.encode_to(&mut value);
					table.insert(&id.0, value.as_slice()).unwrap();
					let e = Entry { stage: becomes.clone(), sends: 3, submissions: 2, ..e };
					expected.push((id, e, Some(Times { created_ms: 5, settled_ms: 0 })));
				}
				let mut meta = txn.open_table(META).unwrap();
				meta.insert("format", 2u32.encode().as_slice()).unwrap();
			}
			txn.commit().unwrap();
		}
		let store = Store::open(dir.path()).unwrap();
		let mut loaded = store.load().unwrap();
		loaded.sort_by_key(|(_, e, _)| e.cert.sequence);
		assert_eq!(loaded, expected);
		let txn = store.db.begin_read().unwrap();
		let format = txn.open_table(META).unwrap().get("format").unwrap().unwrap().value().to_vec();
		assert_eq!(format, FORMAT.encode());
	}

	#[test]
	fn entries_written_without_times_still_load() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let (id, e) = entry(1);
		let txn = store.db.begin_write().unwrap();
		txn.open_table(BATCHES).unwrap().insert(&id.0, e.encode().as_slice()).unwrap();
		txn.commit().unwrap();
		assert_eq!(store.load().unwrap(), vec![(id, e, None)]);
	}
}
