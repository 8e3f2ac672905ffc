//! The relay's decisions about chain state, apart from the calls that read it: given what the
//! relay holds and what the chain says at a finalized block, what is new, what changed expiry,
//! what is gone and must be looked up, what is due to be submitted again, and whose held
//! countersignatures must be verified (again). [`settle`] then says what a looked-up batch's
//! record means for its entry. Both are pure, and tested by tables below, as the off-chain
//! worker's `plan` is.

use crate::{
	chain::ServerInfoOf,
	store::{Entry, Stage},
};
use space_notary_primitives::{
	records::{BatchRecord, BatchStatus, ServerSatellite},
	BatchId, Countersignature, SatelliteId, ServerId,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The chain at one finalized block, as the relay read it.
pub(super) struct ChainState<'a> {
	/// Every registered server.
	pub servers: &'a BTreeMap<ServerId, ServerInfoOf>,
	/// Every pending batch, with the block at which it expires when the chain says.
	pub pending: &'a HashMap<BatchId, Option<u64>>,
	/// The satellites whose countersignatures a pending batch holds already (under a quorum
	/// above one, a batch stays pending after this relay's countersignature is recorded).
	pub attested: &'a HashMap<BatchId, BTreeSet<SatelliteId>>,
	/// The block's number.
	pub finalized: u64,
}

/// What to do after reading the chain; every list in a stable order.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Plan {
	/// Pending on chain and not held: to take on and send to the satellite.
	pub new: Vec<BatchId>,
	/// Held, pending, with an expiry the entry does not have yet.
	pub expiry: Vec<(BatchId, Option<u64>)>,
	/// Held and open, no longer pending, at or below its server's last sequence (or its server
	/// gone): certified, expired or superseded; its record to be looked up and [`settle`]d.
	pub gone: Vec<BatchId>,
	/// Submitted, and still pending `resubmit_after` blocks later without the countersignature
	/// recorded: to check and submit again.
	pub resubmit: Vec<BatchId>,
	/// Submitted, still pending `resubmit_after` blocks later with its countersignature
	/// recorded: the quorum waits for other satellites, to be asked again.
	pub quorum_wait: Vec<BatchId>,
	/// Servers whose satellites on chain (numbers and keys) differ from those the relay last
	/// verified its held countersignatures under (every server, the first time it is read):
	/// those are to be verified again.
	pub rekeyed: BTreeSet<ServerId>,
}

/// Compares what the relay holds (`entries`, and `verified` — the satellites each server's held
/// countersignatures were last verified under) with `chain`.
///
/// A batch posted to the API ahead of its server's last sequence on chain is not "gone": the
/// chain has not reached it yet.
pub(super) fn reconcile(
	entries: &HashMap<BatchId, Entry>,
	verified: &HashMap<ServerId, Vec<ServerSatellite>>,
	chain: &ChainState<'_>,
	resubmit_after: u64,
) -> Plan {
	let mut plan = Plan::default();
	for (batch_id, expires_at) in chain.pending {
		match entries.get(batch_id) {
			None => plan.new.push(*batch_id),
			Some(entry) if entry.expires_at != *expires_at => {
				plan.expiry.push((*batch_id, *expires_at))
			},
			Some(_) => {},
		}
	}
	for (batch_id, entry) in entries {
		let pending = chain.pending.contains_key(batch_id);
		if pending {
			if let Stage::Submitted { at_block, countersignature } = entry.stage {
				let recorded = chain
					.attested
					.get(batch_id)
					.is_some_and(|by| by.contains(&countersignature.satellite_id));
				if chain.finalized >= at_block.saturating_add(resubmit_after) {
					if recorded {
						plan.quorum_wait.push(*batch_id);
					} else {
						plan.resubmit.push(*batch_id);
					}
				}
			}
			continue;
		}
		let reached = chain
			.servers
			.get(&entry.cert.server_id)
			.is_none_or(|s| entry.cert.sequence <= s.last_sequence);
		if !entry.stage.is_final() && reached {
			plan.gone.push(*batch_id);
		}
	}
	plan.rekeyed = chain
		.servers
		.iter()
		.filter(|(id, info)| verified.get(*id) != Some(&info.satellites))
		.map(|(id, _)| *id)
		.collect();
	plan.new.sort();
	plan.expiry.sort();
	plan.gone.sort();
	plan.resubmit.sort();
	plan.quorum_wait.sort();
	plan
}

/// What a batch that left the pending list became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Settled {
	/// Certified at `at`; `by_us` when this relay's submission was out (as far as it can tell).
	Certified {
		/// The block.
		at: u64,
		/// Whether the entry was `Submitted`.
		by_us: bool,
		/// The countersignature the chain recorded last (the one that reached the quorum), when
		/// it is v2.
		countersignature: Option<Countersignature>,
	},
	/// Expired at `at`, never certified.
	Expired {
		/// The block.
		at: u64,
	},
	/// The chain holds no such batch: its sequence went to another (or its server is gone).
	Superseded,
	/// Still pending after all (read between two blocks): nothing to do.
	Pending,
}

/// What `record` (the chain's, `None` when it has none) means for an entry at `stage`.
pub(super) fn settle<BlockNumber: Copy + Into<u64>>(
	stage: &Stage,
	record: Option<&BatchRecord<BlockNumber>>,
) -> Settled {
	let Some(record) = record else { return Settled::Superseded };
	match record.status {
		BatchStatus::Certified { certified_at, ref attestations } => Settled::Certified {
			at: certified_at.into(),
			by_us: matches!(stage, Stage::Submitted { .. }),
			countersignature: attestations
				.last()
				.filter(|a| a.signed_at_ms.is_some())
				.map(|a| Countersignature::from(*a)),
		},
		BatchStatus::Expired { at, .. } => Settled::Expired { at: at.into() },
		BatchStatus::Pending { .. } => Settled::Pending,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::store::Source;
	use sp_core::{crypto::AccountId32, ed25519, sr25519, H256};
	use space_notary_primitives::{
		records::{ExpiryReason, ServerStatus},
		Attestation, BatchCertificate, SatelliteKey, ServerKey, ServerSignature,
		CERTIFICATE_VERSION,
	};

	fn key(byte: u8) -> SatelliteKey {
		ed25519::Public::from_raw([byte; 32])
	}

	fn server(last_sequence: u64, satellite: u8) -> ServerInfoOf {
		ServerInfoOf {
			operator: AccountId32::new([1; 32]),
			server_key: ServerKey::Sr25519(sr25519::Public::from_raw([2; 32])),
			satellites: vec![ServerSatellite { id: 0, key: key(satellite) }],
			quorum: 1,
			status: ServerStatus::Active,
			last_sequence,
			last_batch: H256::zero(),
			pending: Vec::new(),
		}
	}

	fn entry(server_id: ServerId, sequence: u64, stage: Stage, expires_at: Option<u64>) -> Entry {
		let cert = BatchCertificate {
			version: CERTIFICATE_VERSION,
			genesis_hash: H256::zero(),
			server_id,
			sequence,
			prev_batch: H256::zero(),
			batch_root: H256::zero(),
			tx_count: 1,
			total_bytes: 1,
			issued_at_ms: 0,
		};
		let signature: ServerSignature = sr25519::Signature::from_raw([0; 64]).into();
		let mut entry = Entry::queued(cert, signature, None, Source::Chain, expires_at);
		entry.stage = stage;
		entry
	}

	fn id(n: u8) -> BatchId {
		H256::repeat_byte(n)
	}

	fn sig() -> space_notary_primitives::SatelliteSignature {
		ed25519::Signature::from_raw([7; 64])
	}

	fn cs() -> Countersignature {
		Countersignature { satellite_id: 0, signed_at_ms: 5, signature: sig() }
	}

	fn satellites(info: &ServerInfoOf) -> Vec<ServerSatellite> {
		info.satellites.clone()
	}

	/// One row: an entry (or none) for batch `n`, whether it is pending on chain, and which list
	/// of the plan it must land in.
	#[test]
	fn each_batch_lands_in_the_list_its_chain_state_calls_for() {
		let servers = BTreeMap::from([(0, server(5, 1)), (1, server(2, 1))]);
		let submitted = |at_block| Stage::Submitted { countersignature: cs(), at_block };
		// (batch, held entry, pending on chain with this expiry, expected list)
		let rows: Vec<(u8, Option<Entry>, Option<Option<u64>>, &str)> = vec![
			(1, None, Some(Some(100)), "new"),
			(2, Some(entry(0, 5, Stage::Queued, Some(100))), Some(Some(100)), "none"),
			(3, Some(entry(0, 4, Stage::Queued, None)), Some(Some(90)), "expiry"),
			(4, Some(entry(0, 3, Stage::Queued, Some(80))), None, "gone"),
			(5, Some(entry(0, 3, submitted(10), Some(80))), None, "gone"),
			// Ahead of its server's last sequence: the chain has not reached it.
			(6, Some(entry(0, 6, Stage::Queued, None)), None, "none"),
			// Its server is gone from the chain.
			(7, Some(entry(9, 1, Stage::Queued, None)), None, "gone"),
			// Final already: nothing to look up.
			(8, Some(entry(1, 1, Stage::Expired { at_block: 3 }, None)), None, "none"),
			(9, Some(entry(1, 2, Stage::Superseded, None)), None, "none"),
			// Submitted at 10, pending at 20: due with resubmit_after 10, not at 11.
			(10, Some(entry(1, 2, submitted(10), Some(99))), Some(Some(99)), "resubmit"),
			(11, Some(entry(1, 2, submitted(11), Some(99))), Some(Some(99)), "none"),
			// Submitted at 10, pending at 20, its satellite's countersignature recorded: the
			// batch waits for the quorum's other satellites, not for a resubmission; they are
			// asked again, no sooner than a resubmission would be.
			(13, Some(entry(1, 2, submitted(10), Some(99))), Some(Some(99)), "quorum_wait"),
			(14, Some(entry(1, 2, submitted(11), Some(99))), Some(Some(99)), "none"),
			(
				12,
				Some(entry(0, 2, Stage::BadCountersignature { countersignature: cs() }, None)),
				None,
				"gone",
			),
		];
		let mut entries = HashMap::new();
		let mut pending = HashMap::new();
		for (n, held, on_chain, _) in &rows {
			if let Some(e) = held {
				entries.insert(id(*n), e.clone());
			}
			if let Some(expiry) = on_chain {
				pending.insert(id(*n), *expiry);
			}
		}
		let verified =
			HashMap::from([(0, satellites(&servers[&0])), (1, satellites(&servers[&1]))]);
		let attested = HashMap::from([
			(id(13), BTreeSet::from([0])),
			(id(14), BTreeSet::from([0])),
			(id(10), BTreeSet::from([5])),
		]);
		let chain =
			ChainState { servers: &servers, pending: &pending, attested: &attested, finalized: 20 };
		let plan = reconcile(&entries, &verified, &chain, 10);
		for (n, _, _, list) in &rows {
			let b = id(*n);
			let found = [
				("new", plan.new.contains(&b)),
				("expiry", plan.expiry.iter().any(|(x, _)| *x == b)),
				("gone", plan.gone.contains(&b)),
				("resubmit", plan.resubmit.contains(&b)),
				("quorum_wait", plan.quorum_wait.contains(&b)),
			]
			.iter()
			.filter(|(_, is)| *is)
			.map(|(name, _)| *name)
			.collect::<Vec<_>>();
			let expected: Vec<&str> = if *list == "none" { vec![] } else { vec![list] };
			assert_eq!(found, expected, "batch {n}");
		}
		assert_eq!(plan.expiry, vec![(id(3), Some(90))]);
		assert!(plan.rekeyed.is_empty(), "no key changed");
	}

	#[test]
	fn servers_are_rekeyed_when_first_read_and_when_their_satellites_change() {
		let mut added = server(0, 4);
		added.satellites.push(ServerSatellite { id: 7, key: key(5) });
		let mut renumbered = server(0, 6);
		renumbered.satellites[0].id = 8;
		let servers = BTreeMap::from([
			(0, server(0, 1)),
			(1, server(0, 2)),
			(2, server(0, 3)),
			(3, added.clone()),
			(4, renumbered),
		]);
		let pending = HashMap::new();
		let attested = HashMap::new();
		let chain =
			ChainState { servers: &servers, pending: &pending, attested: &attested, finalized: 1 };
		let entries = HashMap::new();
		let first = reconcile(&entries, &HashMap::new(), &chain, 10);
		assert_eq!(first.rekeyed, BTreeSet::from([0, 1, 2, 3, 4]), "after a start all are new");
		let verified = HashMap::from([
			(0, satellites(&server(0, 1))),
			// Satellite 0's key rotated.
			(1, satellites(&server(0, 9))),
			(2, satellites(&server(0, 3))),
			// A satellite added.
			(3, satellites(&server(0, 4))),
			// The same key under another number.
			(4, satellites(&server(0, 6))),
		]);
		let later = reconcile(&entries, &verified, &chain, 10);
		assert_eq!(later.rekeyed, BTreeSet::from([1, 3, 4]), "only the changed servers");
	}

	#[test]
	fn a_record_settles_an_entry_by_what_the_chain_says() {
		let record = |status| BatchRecord::<u32> {
			cert: entry(0, 1, Stage::Queued, None).cert,
			server_signature: sr25519::Signature::from_raw([0; 64]).into(),
			submitted_at: 1,
			status,
		};
		let attestation = Attestation {
			satellite_id: 0,
			satellite_key: key(1),
			signed_at_ms: Some(5),
			signature: sig(),
		};
		let certified = record(BatchStatus::Certified {
			certified_at: 7,
			attestations: vec![attestation].try_into().expect("one fits"),
		});
		let submitted = Stage::Submitted { countersignature: cs(), at_block: 3 };
		let v1 = Attestation { signed_at_ms: None, ..attestation };
		let certified_v1 = record(BatchStatus::Certified {
			certified_at: 8,
			attestations: vec![v1].try_into().expect("one fits"),
		});
		let rows = [
			(
				Stage::Queued,
				Some(&certified),
				Settled::Certified { at: 7, by_us: false, countersignature: Some(cs()) },
			),
			(
				submitted,
				Some(&certified),
				Settled::Certified { at: 7, by_us: true, countersignature: Some(cs()) },
			),
			// The last one recorded was v1: no v2 countersignature to show.
			(
				Stage::Queued,
				Some(&certified_v1),
				Settled::Certified { at: 8, by_us: false, countersignature: None },
			),
			(
				Stage::Queued,
				Some(&record(BatchStatus::Expired { at: 9, reason: ExpiryReason::TtlElapsed })),
				Settled::Expired { at: 9 },
			),
			(
				Stage::Queued,
				Some(&record(BatchStatus::Pending {
					expires_at: 9,
					attestations: Default::default(),
				})),
				Settled::Pending,
			),
			(Stage::Queued, None, Settled::Superseded),
		];
		for (stage, record, expected) in rows {
			assert_eq!(settle(&stage, record), expected, "{stage:?}");
		}
	}
}
