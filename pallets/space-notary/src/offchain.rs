//! The off-chain worker: hands pending batches to a ground station and submits the
//! countersignatures it brings back, from inside a validator that runs beside the station.
//!
//! # A run (each imported block)
//!
//! 1. The ground station's URL comes from the node's persistent off-chain local storage under
//!    [`GROUND_STATION_URL_KEY`]: the node's `--ground-station-url` flag writes it at start, the
//!    standard `offchain_localStorageSet` RPC (`PERSISTENT` kind) changes it at run time. Unset
//!    or not a URL ([`GroundStationUrl::parse`]): the worker does nothing, and says so in the log
//!    once, not every block.
//! 2. A [`StorageLock`] keeps two runs (blocks can import faster than a run ends) from working at
//!    once, so two runs never do the same batch.
//! 3. [`plan`] picks the work: every pending batch of an active server that this URL has not
//!    been handed is posted (`POST /batches`); every one handed over and due is asked for
//!    (`GET /batches/{id}`); at most `MaxOffchainRequests` requests a run, posts first, asks
//!    rotated over the blocks so that none waits for ever.
//! 4. The requests of a phase share one deadline ([`HTTP_DEADLINE_MS`]), for the whole response:
//!    headers and body alike, and a body is read to at most [`MAX_REPLY_BYTES`]. A ground station
//!    that stalls mid-body or streams without end costs a run at most its two deadlines, and the
//!    next run starts afresh (sc-offchain sets no body deadline of its own, and each stalled run
//!    would hold one of its worker threads for good). Such runs are logged once each. When the
//!    node's off-chain storage holds a token under [`GROUND_STATION_TOKEN_KEY`], every request
//!    carries it as `Authorization: Bearer`. Asks go out together.
//!    Posts go in rounds, a server's batches in sequence order, each after the answer to the one
//!    before: the satellite signs a server's sequences only upwards, and the ground station
//!    forwards batches in the order they reach it (posting a server's batches at once let a
//!    later one overtake, and the earlier ones were refused for good). [`read_reply`] decides
//!    what each answer means.
//! 5. Every countersignature (v2: the satellite's number, its clock, its signature) is checked
//!    against the batch and the key of the satellite it names among its server's
//!    ([`Pallet::check_attestation`] with [`Claim::V2`], the chain's own check) before it is
//!    submitted; one that does not verify, or names a satellite the server does not have, is
//!    logged, never submitted, and posted back to the ground station as
//!    `refused_countersignature`, which drops it and asks the satellite again (its key may have
//!    been rotated, or the answer forged): the batch is asked about again after
//!    [`RECHECK_REFUSED_AFTER`] blocks. One signed ahead of the chain's clock is neither
//!    submitted nor sent back, and asked about again after as many blocks. The valid ones go as
//!    bare v4 transactions:
//!    `submit_attestation` for one, `submit_attestations` bundles of up to
//!    `MaxCountersignaturesPerCall` for more. A bundle the pool refuses (an entry certified
//!    meanwhile by another relay) is sent again as singles.
//! 6. What was handed over is recorded per server ([`Roster`], persistent local storage): it
//!    survives a node restart, is kept to the server's pending batches so it does not grow, and
//!    belongs to one URL (a new URL gets every pending batch posted again).
//!
//! Why v4: the runtime builds the bare extrinsic with `UncheckedExtrinsic::new_bare_legacy`
//! (`CreateBare`), because @polkadot/api 16.5 and polkadot.js Apps decode v4 extrinsics only: a
//! v5 one in a block breaks their block views.
//!
//! Duplicates: several validators may run the worker against one ground station. Each batch has
//! one pool tag (its id) whoever relays it, so copies die in the pools; a valid countersignature
//! certifies exactly once, and the block builder drops one that became stale.

use crate::{pallet::*, Call, Claim, Error, ServerStatus};
use alloc::{collections::BTreeMap, string::String, vec::Vec};
use codec::{Decode, Encode};
use frame_support::traits::Get;
use frame_system::{offchain::SubmitTransaction, pallet_prelude::BlockNumberFor};
use sp_core::offchain::StorageKind;
use sp_runtime::{
	offchain::{
		http,
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration, Timestamp,
	},
	traits::UniqueSaturatedInto,
	BoundedVec,
};
use space_notary_primitives::{
	ground_station::{
		BatchView, GroundStationUrl, PostBatch, Stage, ViewError, GROUND_STATION_TOKEN_KEY,
		GROUND_STATION_URL_KEY,
	},
	offchain_txs_key, BatchId, Countersignature, ServerId,
};

/// Deadline of each phase of HTTP requests (posts, then asks), from its start: for the whole
/// response, body included.
pub const HTTP_DEADLINE_MS: u64 = 3_000;
/// Largest answer body read: a batch's view is a few hundred bytes.
pub const MAX_REPLY_BYTES: usize = 16 * 1024;
/// Longest bearer token sent: a token, not a document.
pub const MAX_TOKEN_LEN: usize = 256;
/// Blocks before a batch the ground station reports refused or badly countersigned (which it asks
/// the satellite again about by itself), or whose countersignature did not verify here, is asked
/// about again.
pub const RECHECK_REFUSED_AFTER: u64 = 5;
/// Blocks before a countersignature submitted and not yet on chain is asked for and sent again.
pub const RESUBMIT_AFTER: u64 = 10;
/// Blocks before a batch the ground station reports expired or superseded (stages it does not
/// leave), or whose transactions the off-chain index lacks, is asked about again.
pub const RECHECK_FINAL_AFTER: u64 = 100;

/// The lock's key, and how long it holds at most if a run dies holding it.
const LOCK_KEY: &[u8] = b"space-notary/ocw/lock";
const LOCK_BLOCKS: u32 = 5;
const LOCK_MS: u64 = 4 * HTTP_DEADLINE_MS;
/// What the worker last said about its URL, so that it says it once.
const SAID_KEY: &[u8] = b"space-notary/ocw/said";
/// Prefix of a server's [`Roster`]: `++ SCALE(server id)`.
const ROSTER_PREFIX: &[u8] = b"space-notary/ocw/handed/";

/// A batch handed to the ground station.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Handed {
	/// Block of the run that posted it.
	pub posted_at: u64,
	/// First block at which to ask for it again.
	pub next_ask: u64,
	/// The ground station asked for its transactions: post it again with them.
	pub wants_txs: bool,
}

/// What one server's batches are at the ground station at `url`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct Roster {
	/// `blake2_256` of the URL the batches were handed to.
	pub url: [u8; 32],
	/// Its pending batches that were handed over.
	pub handed: Vec<(BatchId, Handed)>,
}

/// The requests of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
	/// Batches to post, oldest first.
	pub post: Vec<BatchId>,
	/// Batches to ask for.
	pub ask: Vec<BatchId>,
}

/// Picks a run's requests from the pending batches (in order) and what was handed over: every
/// batch not handed over, or whose transactions the ground station asked for, is posted; every
/// other handed-over batch whose `next_ask` has come is asked for; at most `budget` requests,
/// posts first (a batch reaches the satellite sooner), then asks starting at an offset that
/// moves with the block, so all are asked in turn.
pub fn plan(
	pending: &[BatchId],
	handed: &BTreeMap<BatchId, Handed>,
	now: u64,
	budget: usize,
) -> Plan {
	let mut post = Vec::new();
	let mut ask = Vec::new();
	for id in pending {
		match handed.get(id) {
			None => post.push(*id),
			Some(h) if h.wants_txs => post.push(*id),
			Some(h) if now >= h.next_ask => ask.push(*id),
			Some(_) => {},
		}
	}
	post.truncate(budget);
	let room = budget - post.len();
	if ask.len() > room {
		let start = (now % ask.len() as u64) as usize;
		ask.rotate_left(start);
		ask.truncate(room);
	}
	Plan { post, ask }
}

/// Why a request brought nothing usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
	/// Not answered before the deadline.
	Deadline,
	/// The connection failed.
	Io,
	/// An answer with this unexpected status code.
	Status(u16),
	/// A `200`/`202` whose body is not a view of the batch.
	View(ViewError),
	/// The ground station wants transactions the off-chain index does not hold (a node that ran
	/// without indexing when the batch was submitted): not posted.
	NoTransactions,
	/// The answer's body is longer than [`MAX_REPLY_BYTES`]: not read further.
	TooLarge,
}

/// What an answer about one batch means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
	/// The ground station holds a countersignature (still to be checked here).
	Countersigned(Countersignature),
	/// It holds the batch, without a countersignature, at this stage.
	Waiting(String),
	/// It holds the batch and wants its transactions (for the satellite's root check).
	WantsTransactions,
	/// It does not hold the batch (`404`): post it again.
	Unknown,
	/// Nothing usable: try again next run.
	Failed(Failure),
}

/// Reads the answer to a post or an ask about `batch_id`.
pub fn read_reply(batch_id: &BatchId, code: u16, body: &[u8]) -> Outcome {
	match code {
		200 | 202 => match BatchView::parse(body, batch_id) {
			Ok((_, Some(countersignature))) => Outcome::Countersigned(countersignature),
			Ok((view, None)) if view.needs_transactions => Outcome::WantsTransactions,
			Ok((view, None)) => Outcome::Waiting(view.stage),
			Err(e) => Outcome::Failed(Failure::View(e)),
		},
		404 => Outcome::Unknown,
		code => Outcome::Failed(Failure::Status(code)),
	}
}

/// Whether a stage without a countersignature is one the ground station will not leave by
/// itself (expired, superseded): asked about again only rarely.
fn is_final(stage: &str) -> bool {
	Stage::parse(stage).is_some_and(|s| s.is_final())
}

/// Whether a stage says the ground station is asking the satellite again after a refusal or a
/// bad answer: asked about again after [`RECHECK_REFUSED_AFTER`].
fn is_retrying(stage: &str) -> bool {
	Stage::parse(stage).is_some_and(|s| s.is_retrying())
}

/// What an answer to a post or an ask at block `now` makes of a batch's entry (`None`: not
/// handed over, or forgotten so that it is posted again next run).
pub fn record(entry: Option<Handed>, outcome: &Outcome, now: u64) -> Option<Handed> {
	let fresh = Handed { posted_at: now, next_ask: now.saturating_add(1), wants_txs: false };
	let asked = |next_ask: u64| Handed { next_ask, wants_txs: false, ..entry.unwrap_or(fresh) };
	match outcome {
		// Submitted (or found not to verify) by the caller, who may push it further.
		Outcome::Countersigned(_) => Some(asked(now.saturating_add(RESUBMIT_AFTER))),
		Outcome::Waiting(stage) if is_final(stage) => {
			Some(asked(now.saturating_add(RECHECK_FINAL_AFTER)))
		},
		Outcome::Waiting(stage) if is_retrying(stage) => {
			Some(asked(now.saturating_add(RECHECK_REFUSED_AFTER)))
		},
		Outcome::Waiting(_) => Some(asked(now.saturating_add(1))),
		Outcome::WantsTransactions => Some(Handed { wants_txs: true, ..asked(now) }),
		Outcome::Unknown => None,
		// Asked about again later, without transactions: the ground station may do without.
		Outcome::Failed(Failure::NoTransactions) => {
			Some(asked(now.saturating_add(RECHECK_FINAL_AFTER)))
		},
		// Kept as it was: a batch whose post failed stays not handed over.
		Outcome::Failed(_) => entry,
	}
}

/// The ground station's URL, if one is set and valid; says in the log what changed since the
/// last run.
fn ground_station_url() -> Option<GroundStationUrl> {
	// Raw bytes, as the RPC and the node's flag write them (not SCALE).
	let raw = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, GROUND_STATION_URL_KEY);
	let (url, said) = match &raw {
		None => (None, String::from("unset")),
		Some(bytes) => match GroundStationUrl::parse(bytes) {
			Ok(url) => {
				let said = alloc::format!("relaying to {url}");
				(Some(url), said)
			},
			Err(e) => (None, alloc::format!("invalid ({e})")),
		},
	};
	let said_ref = StorageValueRef::persistent(SAID_KEY);
	if said_ref.get::<String>().ok().flatten().as_ref() != Some(&said) {
		match &url {
			Some(_) => log::info!(target: crate::LOG_TARGET, "off-chain worker: {said}"),
			None => log::info!(
				target: crate::LOG_TARGET,
				"off-chain worker idle: ground-station URL {said}; set it with \
				 --ground-station-url or offchain_localStorageSet(PERSISTENT, {:?})",
				core::str::from_utf8(GROUND_STATION_URL_KEY).unwrap_or_default(),
			),
		}
		said_ref.set(&said);
	}
	url
}

fn roster_key(server_id: ServerId) -> Vec<u8> {
	let mut key = ROSTER_PREFIX.to_vec();
	server_id.encode_to(&mut key);
	key
}

/// A server's stored roster, whatever its URL.
fn read_roster(server_id: ServerId) -> Option<Roster> {
	StorageValueRef::persistent(&roster_key(server_id)).get::<Roster>().ok().flatten()
}

/// Writes a server's roster for `url`, kept to its pending batches, when it differs from what
/// is stored (`stored`); removes it when empty. Most runs change nothing for most servers.
fn write_roster(
	server_id: ServerId,
	stored: Option<&Roster>,
	url: [u8; 32],
	pending: &[BatchId],
	handed: &BTreeMap<BatchId, Handed>,
) {
	let handed: Vec<_> =
		pending.iter().filter_map(|id| handed.get(id).map(|h| (*id, *h))).collect();
	let roster = (!handed.is_empty()).then_some(Roster { url, handed });
	if roster.as_ref() == stored {
		return;
	}
	let key = roster_key(server_id);
	let mut entry = StorageValueRef::persistent(&key);
	match roster {
		Some(roster) => entry.set(&roster),
		None => entry.clear(),
	}
}

/// The ground station's bearer token, if one is set in the node's persistent off-chain storage
/// (raw bytes, as the RPC writes them) and is a plausible token: printable ASCII, no spaces.
fn ground_station_token() -> Option<String> {
	let raw =
		sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, GROUND_STATION_TOKEN_KEY)?;
	let token = core::str::from_utf8(&raw).ok()?.trim();
	let plausible = !token.is_empty()
		&& token.len() <= MAX_TOKEN_LEN
		&& token.bytes().all(|b| b.is_ascii_graphic());
	plausible.then(|| String::from(token))
}

/// Reads a response's body until `deadline`, at most [`MAX_REPLY_BYTES`].
fn read_body(response: &http::Response, deadline: Timestamp) -> Result<Vec<u8>, Failure> {
	let mut body = response.body();
	body.deadline(deadline);
	let mut bytes = Vec::new();
	for byte in body.by_ref() {
		if bytes.len() >= MAX_REPLY_BYTES {
			return Err(Failure::TooLarge);
		}
		bytes.push(byte);
	}
	match body.error() {
		None => Ok(bytes),
		Some(sp_core::offchain::HttpError::DeadlineReached) => Err(Failure::Deadline),
		Some(_) => Err(Failure::Io),
	}
}

/// Sends requests together (with the bearer token, if any) and waits for all of them, bodies
/// included, until `deadline`; the answer of each as `(status, body)`.
fn exchange<B: IntoIterator<Item = I> + Default, I: AsRef<[u8]>>(
	requests: Vec<http::Request<'_, B>>,
	deadline: Timestamp,
) -> Vec<Result<(u16, Vec<u8>), Failure>> {
	let token = ground_station_token().map(|t| alloc::format!("Bearer {t}"));
	let mut sent = Vec::new();
	let mut slots = Vec::new();
	for request in requests {
		let request = match &token {
			Some(token) => request.add_header("Authorization", token),
			None => request,
		};
		match request.deadline(deadline).send() {
			Ok(pending) => {
				slots.push(Some(sent.len()));
				sent.push(pending);
			},
			Err(_) => slots.push(None),
		}
	}
	let mut answers: Vec<Option<Result<(u16, Vec<u8>), Failure>>> =
		http::PendingRequest::try_wait_all(sent, deadline)
			.into_iter()
			.map(|answer| {
				Some(match answer {
					Err(_still_pending) => Err(Failure::Deadline),
					Ok(Err(_)) => Err(Failure::Io),
					Ok(Ok(response)) => read_body(&response, deadline).map(|b| (response.code, b)),
				})
			})
			.collect();
	slots
		.into_iter()
		.map(|slot| match slot {
			Some(i) => answers[i].take().unwrap_or(Err(Failure::Io)),
			None => Err(Failure::Io),
		})
		.collect()
}

/// The deadline of a phase of requests that starts now.
fn phase_deadline() -> Timestamp {
	sp_io::offchain::timestamp().add(Duration::from_millis(HTTP_DEADLINE_MS))
}

/// What an exchange's answer about `batch_id` means.
fn outcome_of(batch_id: &BatchId, answer: Result<(u16, Vec<u8>), Failure>) -> Outcome {
	match answer {
		Ok((code, body)) => read_reply(batch_id, code, &body),
		Err(failure) => Outcome::Failed(failure),
	}
}

/// A batch's transactions from the off-chain index (the chain puts them there at submission).
fn indexed_transactions(batch_id: &BatchId) -> Option<Vec<Vec<u8>>> {
	let bytes =
		sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &offchain_txs_key(batch_id))?;
	Vec::<Vec<u8>>::decode(&mut &bytes[..]).ok()
}

impl<T: Config> Pallet<T> {
	/// One run of the off-chain worker at block `now`. See the module docs.
	pub(crate) fn relay_offchain(now: BlockNumberFor<T>) {
		let Some(url) = ground_station_url() else { return };
		let mut lock =
			StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
				LOCK_KEY,
				LOCK_BLOCKS,
				Duration::from_millis(LOCK_MS),
			);
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: crate::LOG_TARGET, "off-chain worker: a run is still working");
			return;
		};
		let now: u64 = now.unique_saturated_into();
		let url_hash = sp_io::hashing::blake2_256(url.as_str().as_bytes());

		// Every pending batch of an active server, and what was handed over of them.
		let mut servers: Vec<(ServerId, Vec<BatchId>)> = Servers::<T>::iter()
			.filter(|(_, server)| server.status == ServerStatus::Active)
			.filter(|(_, server)| !server.pending.is_empty())
			.map(|(server_id, server)| (server_id, server.pending.into_inner()))
			.collect();
		servers.sort_unstable_by_key(|(server_id, _)| *server_id); // oldest servers first
		let mut handed = BTreeMap::new();
		let mut pending = Vec::new();
		let mut stored = Vec::with_capacity(servers.len());
		for (server_id, batches) in &servers {
			let roster = read_roster(*server_id);
			// A roster of another URL counts as nothing handed over.
			if let Some(roster) = roster.as_ref().filter(|r| r.url == url_hash) {
				handed.extend(roster.handed.iter().copied());
			}
			stored.push(roster);
			pending.extend(batches.iter().copied());
		}
		let plan = plan(&pending, &handed, now, T::MaxOffchainRequests::get() as usize);
		if plan.post.is_empty() && plan.ask.is_empty() {
			return;
		}

		let mut countersigned = Vec::new();
		let posted = Self::post_batches(&url, &plan.post, &handed);
		let asked = Self::ask_for_batches(&url, &plan.ask);
		let (mut late, mut oversized) = (0u32, 0u32);
		for (batch_id, outcome) in posted.into_iter().chain(asked) {
			match &outcome {
				Outcome::Failed(failure) => {
					match failure {
						Failure::Deadline => late += 1,
						Failure::TooLarge => oversized += 1,
						_ => {},
					}
					log::debug!(
						target: crate::LOG_TARGET,
						"off-chain worker: {url} about {batch_id:?}: {failure:?}"
					)
				},
				Outcome::Countersigned(cs) => countersigned.push((batch_id, *cs)),
				_ => {},
			}
			match record(handed.get(&batch_id).copied(), &outcome, now) {
				Some(entry) => handed.insert(batch_id, entry),
				None => handed.remove(&batch_id),
			};
		}

		if late > 0 || oversized > 0 {
			log::warn!(
				target: crate::LOG_TARGET,
				"off-chain worker: {url} did not answer {late} request(s) within {HTTP_DEADLINE_MS} ms \
				 and sent {oversized} answer(s) over {MAX_REPLY_BYTES} bytes; given up for this run"
			);
		}

		// Only what verifies here is submitted; what does not goes back to the ground station.
		let mut valid = Vec::new();
		let mut refused = Vec::new();
		for (batch_id, cs) in countersigned {
			match Self::check_attestation(&batch_id, &Claim::V2(cs)) {
				Ok(_) => valid.push((batch_id, cs)),
				Err(Error::<T>::BadSatelliteSignature | Error::<T>::UnknownSatellite) => {
					log::warn!(target: crate::LOG_TARGET, "off-chain worker: {url} returned a countersignature of {batch_id:?} by satellite {} that does not verify (or the server has no such satellite); not submitted, sent back", cs.satellite_id);
					if let Some(entry) = handed.get_mut(&batch_id) {
						entry.next_ask = now.saturating_add(RECHECK_REFUSED_AFTER);
					}
					refused.push((batch_id, cs));
				},
				// Signed ahead of the chain's clock (a block's lag behind real time): valid once
				// the clock catches up, so asked about again soon rather than held as submitted.
				Err(Error::<T>::SignedInFuture) => {
					if let Some(entry) = handed.get_mut(&batch_id) {
						entry.next_ask = now.saturating_add(RECHECK_REFUSED_AFTER);
					}
				},
				// Certified, expired or already attested meanwhile: nothing to do.
				Err(_) => {},
			}
		}
		Self::submit_attestations_bare(valid);
		Self::refuse_countersignatures(&url, &refused);

		for ((server_id, pending), stored) in servers.into_iter().zip(stored) {
			write_roster(server_id, stored.as_ref(), url_hash, &pending, &handed);
		}
	}

	/// Posts batches (`POST /batches`), with their transactions from the off-chain index when the
	/// ground station asked for them; what each answer means.
	fn post_batches(
		url: &GroundStationUrl,
		ids: &[BatchId],
		handed: &BTreeMap<BatchId, Handed>,
	) -> Vec<(BatchId, Outcome)> {
		let mut outcomes = Vec::new();
		let mut posts: Vec<(BatchId, ServerId, Vec<u8>)> = Vec::new();
		for id in ids {
			let Some(batch) = Batches::<T>::get(id) else { continue };
			let txs = match handed.get(id) {
				Some(entry) if entry.wants_txs => match indexed_transactions(id) {
					Some(txs) => Some(txs),
					None => {
						log::warn!(target: crate::LOG_TARGET, "off-chain worker: {url} asks for the transactions of {id:?}, which the off-chain index does not hold");
						outcomes.push((*id, Outcome::Failed(Failure::NoTransactions)));
						continue;
					},
				},
				_ => None,
			};
			let body = PostBatch::new(&batch.cert, &batch.server_signature, txs.as_deref());
			posts.push((*id, batch.cert.server_id, body.to_json()));
		}
		// A satellite signs a server's sequences only upwards, and the ground station sends
		// batches to it in the order they reach it: so a server's batches go out one at a time,
		// each after the ground station has answered for the one before. Rounds: the first batch
		// of every server, then the second, ... within one deadline. A server whose post fails
		// waits for the next run with the rest of its batches.
		let mut queues: BTreeMap<ServerId, alloc::collections::VecDeque<(BatchId, Vec<u8>)>> =
			BTreeMap::new();
		for (id, server_id, body) in posts {
			queues.entry(server_id).or_default().push_back((id, body));
		}
		let batches_url = url.batches();
		let deadline = phase_deadline();
		loop {
			let round: Vec<(ServerId, BatchId, Vec<u8>)> = queues
				.iter_mut()
				.filter_map(|(server_id, queue)| {
					queue.pop_front().map(|(id, body)| (*server_id, id, body))
				})
				.collect();
			if round.is_empty() {
				break;
			}
			let requests = round
				.iter()
				.map(|(_, _, body)| {
					http::Request::post(&batches_url, alloc::vec![body.as_slice()])
						.add_header("Content-Type", "application/json")
				})
				.collect();
			for ((server_id, id, _), answer) in round.iter().zip(exchange(requests, deadline)) {
				let outcome = outcome_of(id, answer);
				if matches!(outcome, Outcome::Failed(_) | Outcome::Unknown) {
					queues.remove(server_id);
				}
				outcomes.push((*id, outcome));
			}
		}
		outcomes
	}

	/// Tells the ground station which countersignatures did not verify (a post of the batch with
	/// `refused_countersignature`), so that it asks the satellite again; answers are not needed.
	fn refuse_countersignatures(url: &GroundStationUrl, refused: &[(BatchId, Countersignature)]) {
		if refused.is_empty() {
			return;
		}
		let bodies: Vec<Vec<u8>> = refused
			.iter()
			.filter_map(|(id, cs)| {
				let batch = Batches::<T>::get(id)?;
				let body = PostBatch::new(&batch.cert, &batch.server_signature, None);
				Some(body.refusing(cs).to_json())
			})
			.collect();
		let batches_url = url.batches();
		let requests = bodies
			.iter()
			.map(|body| {
				http::Request::post(&batches_url, alloc::vec![body.as_slice()])
					.add_header("Content-Type", "application/json")
			})
			.collect();
		let _ = exchange(requests, phase_deadline());
	}

	/// Asks for batches (`GET /batches/{id}`); what each answer means.
	fn ask_for_batches(url: &GroundStationUrl, ids: &[BatchId]) -> Vec<(BatchId, Outcome)> {
		let urls: Vec<String> = ids.iter().map(|id| url.batch(id)).collect();
		let requests = urls.iter().map(|u| http::Request::get(u)).collect();
		ids.iter()
			.zip(exchange(requests, phase_deadline()))
			.map(|(id, answer)| (*id, outcome_of(id, answer)))
			.collect()
	}

	/// Submits countersignatures as bare v4 transactions (`submit_attestation[s]`): bundles when
	/// there are several, each bundle the pool refuses as singles.
	fn submit_attestations_bare(valid: Vec<(BatchId, Countersignature)>) {
		let submit = |call: Call<T>| {
			SubmitTransaction::<T, Call<T>>::submit_transaction(T::create_bare(call.into()))
		};
		let max = (T::MaxCountersignaturesPerCall::get() as usize).max(1);
		for chunk in valid.chunks(max) {
			if let [(batch_id, countersignature)] = chunk {
				if submit(Call::submit_attestation {
					batch_id: *batch_id,
					countersignature: *countersignature,
				})
				.is_err()
				{
					log::debug!(target: crate::LOG_TARGET, "off-chain worker: the pool refused the countersignature of {batch_id:?} (likely a copy from another relay)");
				}
				continue;
			}
			let bundle = BoundedVec::truncate_from(chunk.to_vec());
			if submit(Call::submit_attestations { entries: bundle }).is_ok() {
				continue;
			}
			for (batch_id, countersignature) in chunk {
				let _ = submit(Call::submit_attestation {
					batch_id: *batch_id,
					countersignature: *countersignature,
				});
			}
		}
	}
}
