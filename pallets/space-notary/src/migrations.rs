//! Storage migrations: each takes a chain from one storage version of this pallet to the next.
//!
//! Add each to the runtime's `Executive` migrations; a migration that finds the chain at another
//! version does nothing (`VersionedMigration`).

/// Version 1 to 2: a server's one satellite key becomes a list of satellites with a quorum, and
/// a batch's countersignature becomes a list of attestations.
///
/// - `Servers`: the server's `satellite_key` becomes its satellite number 0 with that key, and
///   its quorum 1 (a server served as before);
/// - `SatelliteKeyOwner`: `server_id` becomes `(server_id, 0)`;
/// - `Batches`: a pending batch holds no attestations yet; a certified batch's signature and key
///   become one v1 attestation of satellite 0 (no satellite time: v1 carried none).
///
/// It translates every record in one block: `Servers` and `SatelliteKeyOwner` grow with the
/// registered servers, `Batches` with every batch ever certified. That fits a block for the tens
/// of thousands of batches a test or early network holds (about 2 reads and writes of ~300 bytes
/// each); a chain with more needs it as a multi-block migration (`pallet-migrations`) instead,
/// and `try-runtime` checks the weight before an upgrade.
pub mod v2 {
	use crate::{
		pallet::{Batches, Config, Pallet, SatelliteKeyOwner, Servers},
		types::{BatchRecord, BatchStatus, ServerRecord, ServerSatellite, ServerStatus},
		ExpiryReason, LOG_TARGET,
	};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use space_notary_primitives::{
		Attestation, BatchCertificate, BatchId, SatelliteKey, SatelliteSignature, ServerId,
		ServerKey, ServerSignature,
	};

	/// The number a migrated server's one satellite gets.
	pub const MIGRATED_SATELLITE: u32 = 0;

	/// The version 1 layouts, as they were encoded. Their fields mean what the current types'
	/// fields of the same names mean.
	#[allow(missing_docs)]
	pub mod old {
		use super::*;

		/// A server record of version 1.
		#[derive(Encode, Decode)]
		pub struct ServerRecord<AccountId> {
			pub operator: AccountId,
			pub server_key: ServerKey,
			pub satellite_key: SatelliteKey,
			pub status: ServerStatus,
			pub last_sequence: u64,
			pub last_batch: BatchId,
			pub pending: alloc::vec::Vec<BatchId>,
		}

		/// A batch status of version 1.
		#[derive(Encode, Decode)]
		pub enum BatchStatus<BlockNumber> {
			Pending {
				expires_at: BlockNumber,
			},
			Certified {
				satellite_signature: SatelliteSignature,
				satellite_key: SatelliteKey,
				certified_at: BlockNumber,
			},
			Expired {
				at: BlockNumber,
				reason: ExpiryReason,
			},
		}

		/// A batch record of version 1.
		#[derive(Encode, Decode)]
		pub struct BatchRecord<BlockNumber> {
			pub cert: BatchCertificate,
			pub server_signature: ServerSignature,
			pub submitted_at: BlockNumber,
			pub status: BatchStatus<BlockNumber>,
		}
	}

	/// The translation, without the version check: use [`MigrateV1ToV2`].
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);
			let mut failed = 0u32;
			Servers::<T>::translate::<old::ServerRecord<T::AccountId>, _>(|_, old| {
				reads += 1;
				writes += 1;
				let pending = BoundedVec::try_from(old.pending).ok();
				if pending.is_none() {
					failed += 1;
				}
				Some(ServerRecord {
					operator: old.operator,
					server_key: old.server_key,
					satellites: BoundedVec::truncate_from(alloc::vec![ServerSatellite {
						id: MIGRATED_SATELLITE,
						key: old.satellite_key,
					}]),
					quorum: 1,
					status: old.status,
					last_sequence: old.last_sequence,
					last_batch: old.last_batch,
					pending: pending.unwrap_or_default(),
				})
			});
			SatelliteKeyOwner::<T>::translate::<ServerId, _>(|_, server_id| {
				reads += 1;
				writes += 1;
				Some((server_id, MIGRATED_SATELLITE))
			});
			Batches::<T>::translate::<old::BatchRecord<BlockNumberFor<T>>, _>(|_, old| {
				reads += 1;
				writes += 1;
				let status = match old.status {
					old::BatchStatus::Pending { expires_at } => {
						BatchStatus::Pending { expires_at, attestations: Default::default() }
					},
					old::BatchStatus::Certified {
						satellite_signature,
						satellite_key,
						certified_at,
					} => BatchStatus::Certified {
						attestations: BoundedVec::truncate_from(alloc::vec![Attestation {
							satellite_id: MIGRATED_SATELLITE,
							satellite_key,
							signed_at_ms: None,
							signature: satellite_signature,
						}]),
						certified_at,
					},
					old::BatchStatus::Expired { at, reason } => BatchStatus::Expired { at, reason },
				};
				Some(BatchRecord {
					cert: old.cert,
					server_signature: old.server_signature,
					submitted_at: old.submitted_at,
					status,
				})
			});
			if failed > 0 {
				// A version 1 pending list is bounded by the same `MaxPendingPerServer`, so this
				// cannot happen unless the bound was lowered in the same upgrade.
				log::error!(target: LOG_TARGET, "{failed} servers had more pending than the bound");
			}
			log::info!(target: LOG_TARGET, "migrated {reads} records to storage version 2");
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let counts = (
				Servers::<T>::iter_keys().count() as u64,
				Batches::<T>::iter_keys().count() as u64,
			);
			Ok(counts.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (servers, batches) = <(u64, u64)>::decode(&mut &state[..])
				.map_err(|_| "pre_upgrade state does not decode")?;
			ensure!(Servers::<T>::iter().count() as u64 == servers, "a server record was lost");
			ensure!(Batches::<T>::iter().count() as u64 == batches, "a batch record was lost");
			Pallet::<T>::do_try_state()
		}
	}

	/// Storage version 1 to 2, run once: see the [module docs](self).
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
