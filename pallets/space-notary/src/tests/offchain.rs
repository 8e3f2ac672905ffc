//! The off-chain worker: its decisions as tables, its HTTP exchanges with `TestOffchainExt`
//! (answers the test scripts, and a double for what that extension cannot do: a deadline or a
//! status other than 200), its submissions with `TestTransactionPoolExt`.

use super::*;
use crate::offchain::{
	plan, read_reply, record, Failure, Handed, Outcome, Plan, RECHECK_FINAL_AFTER,
	RECHECK_REFUSED_AFTER, RESUBMIT_AFTER,
};
use alloc::collections::BTreeMap;
use codec::Decode;
use frame_support::traits::Get;
use parking_lot::RwLock;
use sp_core::offchain::{
	testing::{OffchainState, PendingRequest, TestOffchainExt, TestTransactionPoolExt},
	HttpError, HttpRequestId, HttpRequestStatus, OffchainDbExt, OffchainWorkerExt, StorageKind,
	Timestamp, TransactionPoolExt,
};
use space_notary_primitives::{
	ground_station::{
		stage, to_hex, BatchView, CountersignatureView, PostBatch, ViewError,
		GROUND_STATION_TOKEN_KEY, GROUND_STATION_URL_KEY,
	},
	Countersignature,
};
use std::sync::{
	atomic::{AtomicUsize, Ordering},
	Arc,
};

const URL: &str = "http://gs.test:9955";
/// In the plan's table: a handed-over batch whose transactions the ground station wants.
const WANTS_TXS: u64 = u64::MAX;

fn id(n: u8) -> BatchId {
	BatchId::repeat_byte(n)
}

#[test]
fn the_plan_posts_new_batches_first_and_asks_for_the_due_ones_within_the_budget() {
	let handed = |entries: &[(u8, u64)]| -> BTreeMap<BatchId, Handed> {
		entries
			.iter()
			.map(|(n, next_ask)| {
				let wants_txs = *next_ask == WANTS_TXS;
				(id(*n), Handed { posted_at: 0, next_ask: *next_ask, wants_txs })
			})
			.collect()
	};
	let ids = |ns: &[u8]| ns.iter().map(|n| id(*n)).collect::<Vec<_>>();
	// (pending, handed (id, next_ask), now, budget) → (post, ask)
	let cases: &[(&[u8], &[(u8, u64)], u64, usize, &[u8], &[u8])] = &[
		(&[1, 2, 3], &[], 5, 10, &[1, 2, 3], &[]),
		(&[1, 2, 3], &[], 5, 2, &[1, 2], &[]),
		(&[1, 2, 3], &[(1, 5), (2, 6)], 5, 10, &[3], &[1]),
		(&[1, 2, 3], &[(1, 5), (2, 5)], 6, 10, &[3], &[1, 2]),
		(&[1, 2], &[(1, 0), (2, 0)], 0, 0, &[], &[]),
		// More due than the budget: the asks rotate with the block.
		(&[1, 2, 3], &[(1, 0), (2, 0), (3, 0)], 4, 2, &[], &[2, 3]),
		(&[1, 2, 3], &[(1, 0), (2, 0), (3, 0)], 5, 2, &[], &[3, 1]),
		// Handed over but no longer pending: nothing.
		(&[2], &[(1, 0)], 9, 10, &[2], &[]),
		// The ground station asked for the transactions: posted again, whatever the next ask.
		(&[1, 2], &[(1, WANTS_TXS), (2, 0)], 3, 10, &[1], &[2]),
	];
	for (pending, given, now, budget, post, ask) in cases {
		assert_eq!(
			plan(&ids(pending), &handed(given), *now, *budget),
			Plan { post: ids(post), ask: ids(ask) },
			"pending {pending:?}, handed {given:?}, block {now}, budget {budget}"
		);
	}
}

fn view(batch: BatchId, stage: &str, countersignature: Option<Countersignature>) -> Vec<u8> {
	serde_json::to_vec(&BatchView {
		batch_id: to_hex(batch.as_bytes()),
		stage: stage.into(),
		countersignature: countersignature.as_ref().map(CountersignatureView::from),
		..Default::default()
	})
	.unwrap()
}

/// A ground station's view of a batch it holds without transactions and wants them.
fn wants_txs(batch: BatchId) -> Vec<u8> {
	serde_json::to_vec(&BatchView {
		batch_id: to_hex(batch.as_bytes()),
		stage: stage::QUEUED.into(),
		needs_transactions: true,
		..Default::default()
	})
	.unwrap()
}

#[test]
fn answers_are_read_by_status_and_body() {
	let b = id(1);
	let sig = Countersignature {
		satellite_id: 25_544,
		signed_at_ms: ISSUED_AT,
		signature: [7u8; 64].into(),
	};
	let cases: Vec<(u16, Vec<u8>, Outcome)> = vec![
		(202, view(b, stage::QUEUED, None), Outcome::Waiting(stage::QUEUED.into())),
		(200, view(b, stage::COUNTERSIGNED, Some(sig)), Outcome::Countersigned(sig)),
		(200, view(b, stage::CERTIFIED, Some(sig)), Outcome::Countersigned(sig)),
		(200, view(b, stage::REFUSED, None), Outcome::Waiting(stage::REFUSED.into())),
		(404, br#"{"error":"UnknownBatch","message":"..."}"#.to_vec(), Outcome::Unknown),
		(500, b"oops".to_vec(), Outcome::Failed(Failure::Status(500))),
		(
			400,
			br#"{"error":"BadJson","message":"..."}"#.to_vec(),
			Outcome::Failed(Failure::Status(400)),
		),
		(200, b"{not json".to_vec(), Outcome::Failed(Failure::View(ViewError::Malformed))),
		(
			200,
			view(id(2), stage::QUEUED, None),
			Outcome::Failed(Failure::View(ViewError::OtherBatch)),
		),
		(202, wants_txs(b), Outcome::WantsTransactions),
	];
	for (code, body, expected) in cases {
		assert_eq!(
			read_reply(&b, code, &body),
			expected,
			"{code} {}",
			String::from_utf8_lossy(&body)
		);
	}
}

#[test]
fn what_an_answer_makes_of_a_batch_entry() {
	let now = 50;
	let was = Handed { posted_at: 40, next_ask: 42, wants_txs: false };
	let wanted = Handed { wants_txs: true, ..was };
	let at = |next_ask| Some(Handed { posted_at: 40, next_ask, wants_txs: false });
	let new = |next_ask| Some(Handed { posted_at: now, next_ask, wants_txs: false });
	let sig = Outcome::Countersigned(Countersignature {
		satellite_id: 0,
		signed_at_ms: 0,
		signature: [0; 64].into(),
	});
	let waiting = |s: &str| Outcome::Waiting(s.into());
	// (entry before, answer, entry after)
	let cases = [
		(Some(was), sig.clone(), at(now + RESUBMIT_AFTER)),
		(None, sig, new(now + RESUBMIT_AFTER)),
		(Some(was), waiting(stage::QUEUED), at(now + 1)),
		(None, waiting(stage::QUEUED), new(now + 1)),
		(Some(wanted), waiting(stage::QUEUED), at(now + 1)),
		(Some(was), waiting(stage::REFUSED), at(now + RECHECK_REFUSED_AFTER)),
		(Some(was), waiting(stage::EXPIRED), at(now + RECHECK_FINAL_AFTER)),
		(Some(was), waiting(stage::SUPERSEDED), at(now + RECHECK_FINAL_AFTER)),
		(Some(was), waiting(stage::BAD_COUNTERSIGNATURE), at(now + RECHECK_REFUSED_AFTER)),
		(Some(was), Outcome::Failed(Failure::TooLarge), Some(was)),
		(Some(was), Outcome::WantsTransactions, Some(Handed { next_ask: now, ..wanted })),
		(Some(was), Outcome::Unknown, None),
		(Some(was), Outcome::Failed(Failure::Deadline), Some(was)),
		(Some(wanted), Outcome::Failed(Failure::Status(500)), Some(wanted)),
		(None, Outcome::Failed(Failure::Io), None),
		(Some(wanted), Outcome::Failed(Failure::NoTransactions), at(now + RECHECK_FINAL_AFTER)),
	];
	for (before, outcome, expected) in cases {
		assert_eq!(record(before, &outcome, now), expected, "{before:?} then {outcome:?}");
	}
}

/// How a scripted ground station misbehaves while sending a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyFault {
	/// Sends nothing more until the reader's deadline.
	Stall,
	/// Sends bytes without end.
	Endless,
}

/// `TestOffchainExt` answers every request with 200 and panics on one without an answer; this
/// double passes everything to it but answers the requests it is told to (by URI, or by a piece
/// of the body) with a given status (a deadline reached, a 500) instead, and can make every body
/// stall or never end. It counts the requests started and the body reads without a deadline.
#[derive(Clone)]
struct ScriptedHttp {
	inner: TestOffchainExt,
	overrides: Arc<RwLock<BTreeMap<String, HttpRequestStatus>>>,
	started: Arc<AtomicUsize>,
	body_fault: Arc<RwLock<Option<BodyFault>>>,
	reads_without_deadline: Arc<AtomicUsize>,
	headers: Arc<RwLock<Vec<(String, String)>>>,
}

impl sp_core::offchain::Externalities for ScriptedHttp {
	fn is_validator(&self) -> bool {
		self.inner.is_validator()
	}
	fn network_state(&self) -> Result<sp_core::offchain::OpaqueNetworkState, ()> {
		self.inner.network_state()
	}
	fn timestamp(&mut self) -> Timestamp {
		self.inner.timestamp()
	}
	fn sleep_until(&mut self, deadline: Timestamp) {
		self.inner.sleep_until(deadline)
	}
	fn random_seed(&mut self) -> [u8; 32] {
		self.inner.random_seed()
	}
	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		meta: &[u8],
	) -> Result<HttpRequestId, ()> {
		self.started.fetch_add(1, Ordering::SeqCst);
		self.inner.http_request_start(method, uri, meta)
	}
	fn http_request_add_header(
		&mut self,
		id: HttpRequestId,
		name: &str,
		value: &str,
	) -> Result<(), ()> {
		self.headers.write().push((name.into(), value.into()));
		// The scripted requests name only the content type: other headers are checked here.
		if name == "Authorization" {
			return Ok(());
		}
		self.inner.http_request_add_header(id, name, value)
	}
	fn http_request_write_body(
		&mut self,
		id: HttpRequestId,
		chunk: &[u8],
		deadline: Option<Timestamp>,
	) -> Result<(), HttpError> {
		self.inner.http_request_write_body(id, chunk, deadline)
	}
	fn http_response_wait(
		&mut self,
		ids: &[HttpRequestId],
		deadline: Option<Timestamp>,
	) -> Vec<HttpRequestStatus> {
		ids.iter()
			.map(|id| {
				// Matched by URI, or by a piece of the request body (a certificate's hex).
				let request =
					self.inner.0.read().requests.get(id).map(|r| (r.uri.clone(), r.body.clone()));
				let scripted = request.and_then(|(uri, body)| {
					let body = String::from_utf8_lossy(&body).into_owned();
					let overrides = self.overrides.read();
					overrides.get(&uri).copied().or_else(|| {
						overrides.iter().find(|(k, _)| body.contains(k.as_str())).map(|(_, v)| *v)
					})
				});
				match scripted {
					Some(status) => status,
					None => self.inner.http_response_wait(&[*id], deadline)[0],
				}
			})
			.collect()
	}
	fn http_response_headers(&mut self, id: HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
		self.inner.http_response_headers(id)
	}
	fn http_response_read_body(
		&mut self,
		id: HttpRequestId,
		buffer: &mut [u8],
		deadline: Option<Timestamp>,
	) -> Result<usize, HttpError> {
		if deadline.is_none() {
			self.reads_without_deadline.fetch_add(1, Ordering::SeqCst);
		}
		match *self.body_fault.read() {
			// A real stalled read blocks until the deadline, and for ever without one.
			Some(BodyFault::Stall) => Err(HttpError::DeadlineReached),
			Some(BodyFault::Endless) => {
				buffer.fill(b' ');
				Ok(buffer.len())
			},
			None => self.inner.http_response_read_body(id, buffer, deadline),
		}
	}
	fn set_authorized_nodes(&mut self, nodes: Vec<sp_core::OpaquePeerId>, authorized_only: bool) {
		self.inner.set_authorized_nodes(nodes, authorized_only)
	}
}

/// Externalities with the off-chain worker's extensions; the handles to script and inspect them.
struct Offchain {
	ext: CheckedExt,
	http: Arc<RwLock<OffchainState>>,
	overrides: Arc<RwLock<BTreeMap<String, HttpRequestStatus>>>,
	pool: Arc<RwLock<sp_core::offchain::testing::PoolState>>,
	/// HTTP requests started so far (one without a scripted answer fails the test).
	started: Arc<AtomicUsize>,
	/// Makes every body stall or never end.
	body_fault: Arc<RwLock<Option<BodyFault>>>,
	/// Body reads made without a deadline.
	reads_without_deadline: Arc<AtomicUsize>,
	/// Every header added to a request.
	headers: Arc<RwLock<Vec<(String, String)>>>,
}

fn offchain_ext() -> Offchain {
	let mut ext = new_test_ext();
	// The worker's off-chain storage is the one the chain's off-chain index writes to.
	let (inner, http) = TestOffchainExt::with_offchain_db(ext.offchain_db());
	let overrides = Arc::new(RwLock::new(BTreeMap::new()));
	let started = Arc::new(AtomicUsize::new(0));
	let body_fault = Arc::new(RwLock::new(None));
	let reads_without_deadline = Arc::new(AtomicUsize::new(0));
	let headers = Arc::new(RwLock::new(Vec::new()));
	let scripted = ScriptedHttp {
		inner: inner.clone(),
		overrides: overrides.clone(),
		started: started.clone(),
		body_fault: body_fault.clone(),
		reads_without_deadline: reads_without_deadline.clone(),
		headers: headers.clone(),
	};
	let (pool_ext, pool) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainWorkerExt::new(scripted));
	ext.register_extension(OffchainDbExt::new(inner));
	ext.register_extension(TransactionPoolExt::new(pool_ext));
	Offchain { ext, http, overrides, pool, started, body_fault, reads_without_deadline, headers }
}

fn set_url(url: &str) {
	sp_io::offchain::local_storage_set(
		StorageKind::PERSISTENT,
		GROUND_STATION_URL_KEY,
		url.as_bytes(),
	);
}

/// Sets the ground station's URL, registers a server and submits a one-transaction batch for
/// each of `txs`; the server and the batches' ids.
fn relaying(txs: &[&[u8]]) -> (Server, Vec<BatchId>) {
	set_url(URL);
	// The chain's clock a minute after the certificates were issued.
	NowMs::set(ISSUED_AT + 60_000);
	let mut server = register(1);
	let ids = txs.iter().map(|tx| submit(&mut server, &[*tx])).collect();
	(server, ids)
}

/// The tests' certificates are issued at this time (`cert_for`).
const ISSUED_AT: u64 = 1_800_000_000_000;

/// The v2 countersignature of a stored batch by `satellite` as satellite `id`, a second after
/// the certificate was issued.
fn attest_as(satellite: &ed25519::Pair, id: SatelliteId, batch_id: BatchId) -> Countersignature {
	let at = ISSUED_AT + 1_000;
	let payload = Notary::satellite_payload_v2(batch_id, id, at).expect("batch exists");
	Countersignature { satellite_id: id, signed_at_ms: at, signature: satellite.sign(&payload) }
}

/// The countersignature of a stored batch by `server`'s satellite.
fn attest(server: &Server, batch_id: BatchId) -> Countersignature {
	attest_as(&server.satellite, FIRST_SATELLITE, batch_id)
}

fn run_worker() {
	Notary::offchain_worker(System::block_number());
}

fn expect_post(http: &Arc<RwLock<OffchainState>>, batch: BatchId, answer: Vec<u8>) {
	expect_post_with(http, URL, batch, None, answer)
}

/// A post of `batch` (with `txs`) to the ground station at `url`, answered with `answer`.
fn expect_post_with(
	http: &Arc<RwLock<OffchainState>>,
	url: &str,
	batch: BatchId,
	txs: Option<&[Vec<u8>]>,
	answer: Vec<u8>,
) {
	let record = Batches::<Test>::get(batch).unwrap();
	http.write().expect_request(PendingRequest {
		method: "POST".into(),
		uri: format!("{url}/batches"),
		headers: vec![("Content-Type".into(), "application/json".into())],
		body: PostBatch::new(&record.cert, &record.server_signature, txs).to_json(),
		response: Some(answer),
		sent: true,
		..Default::default()
	});
}

fn expect_ask(http: &Arc<RwLock<OffchainState>>, batch: BatchId, answer: Vec<u8>) {
	http.write().expect_request(PendingRequest {
		method: "GET".into(),
		uri: format!("{URL}/batches/{}", to_hex(batch.as_bytes())),
		response: Some(answer),
		sent: true,
		..Default::default()
	});
}

/// The calls the worker put in the pool, in order; each checked to be a bare v4 extrinsic.
fn submitted(pool: &Arc<RwLock<sp_core::offchain::testing::PoolState>>) -> Vec<crate::Call<Test>> {
	pool.read()
		.transactions
		.iter()
		.map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).expect("an extrinsic");
			assert_eq!(xt.preamble, sp_runtime::generic::Preamble::Bare(4), "bare, v4");
			match xt.function {
				RuntimeCall::SpaceNotary(call) => call,
				other => panic!("not a notary call: {other:?}"),
			}
		})
		.collect()
}

#[test]
fn batches_are_posted_then_asked_for_and_their_countersignatures_submitted_as_one_bundle() {
	let Offchain { mut ext, http, pool, started, .. } = offchain_ext();
	ext.execute_with(|| {
		let (a, ids) = relaying(&[b"one", b"two"]);
		let (first, second) = (ids[0], ids[1]);

		// Block 1: both posted; the ground station queues them.
		expect_post(&http, first, view(first, stage::QUEUED, None));
		expect_post(&http, second, view(second, stage::QUEUED, None));
		run_worker();
		assert!(submitted(&pool).is_empty());

		// Block 2: both asked for; both countersigned: one bundle of two.
		run_to_block(2);
		let sigs = [attest(&a, first), attest(&a, second)];
		expect_ask(&http, first, view(first, stage::COUNTERSIGNED, Some(sigs[0])));
		expect_ask(&http, second, view(second, stage::COUNTERSIGNED, Some(sigs[1])));
		run_worker();
		let entries = BoundedVec::truncate_from(vec![(first, sigs[0]), (second, sigs[1])]);
		assert_eq!(submitted(&pool), vec![crate::Call::submit_attestations { entries }]);

		// Block 3: submitted, not on chain yet: not asked again before RESUBMIT_AFTER.
		run_to_block(3);
		run_worker();
		assert_eq!(started.load(Ordering::SeqCst), 4, "no new request");
	});
}

#[test]
fn one_countersignature_goes_as_the_single_call() {
	let Offchain { mut ext, http, pool, .. } = offchain_ext();
	ext.execute_with(|| {
		let (a, ids) = relaying(&[b"one"]);
		let batch = ids[0];
		// A ground station that has it countersigned already answers the post with it.
		let sig = attest(&a, batch);
		expect_post(&http, batch, view(batch, stage::COUNTERSIGNED, Some(sig)));
		run_worker();
		assert_eq!(
			submitted(&pool),
			vec![crate::Call::submit_attestation { batch_id: batch, countersignature: sig }]
		);
	});
}

#[test]
fn a_countersignature_that_does_not_verify_is_never_submitted_and_is_sent_back() {
	let Offchain { mut ext, http, pool, started, .. } = offchain_ext();
	ext.execute_with(|| {
		let (a, ids) = relaying(&[b"one"]);
		let batch = ids[0];
		expect_post(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();
		run_to_block(2);
		let forged = attest_as(&satellite_pair(99), FIRST_SATELLITE, batch);
		expect_ask(&http, batch, view(batch, stage::COUNTERSIGNED, Some(forged)));
		// The ground station is told, so that it asks the satellite again.
		let record = Batches::<Test>::get(batch).unwrap();
		let refusal =
			PostBatch::new(&record.cert, &record.server_signature, None).refusing(&forged);
		http.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: format!("{URL}/batches"),
			headers: vec![("Content-Type".into(), "application/json".into())],
			body: refusal.to_json(),
			response: Some(view(batch, stage::BAD_COUNTERSIGNATURE, None)),
			sent: true,
			..Default::default()
		});
		run_worker();
		assert!(submitted(&pool).is_empty());
		assert_eq!(started.load(Ordering::SeqCst), 3);
		// Asked about again after RECHECK_REFUSED_AFTER blocks, not before; then it verifies.
		run_to_block(2 + RECHECK_REFUSED_AFTER - 1);
		run_worker();
		assert_eq!(started.load(Ordering::SeqCst), 3);
		run_to_block(2 + RECHECK_REFUSED_AFTER);
		let good = attest(&a, batch);
		expect_ask(&http, batch, view(batch, stage::COUNTERSIGNED, Some(good)));
		run_worker();
		assert_eq!(submitted(&pool).len(), 1);
		assert!(matches!(status(batch), BatchStatus::Pending { .. }));
	});
}

/// A countersignature naming a satellite the server does not have is handled as one that does
/// not verify: never submitted, sent back; one ahead of the chain's clock is neither (it turns
/// valid when the clock catches up) and is asked for again.
#[test]
fn a_countersignature_of_another_satellite_is_sent_back_and_one_from_the_future_waits() {
	let Offchain { mut ext, http, pool, .. } = offchain_ext();
	ext.execute_with(|| {
		let (a, ids) = relaying(&[b"one", b"two"]);
		let (stranger, early) = (ids[0], ids[1]);
		// Signed with the server's satellite key, but naming another satellite.
		let other = attest_as(&a.satellite, FIRST_SATELLITE + 1, stranger);
		expect_post(&http, stranger, view(stranger, stage::COUNTERSIGNED, Some(other)));
		let ahead = ISSUED_AT + 60_000 + 120_001;
		let payload = Notary::satellite_payload_v2(early, FIRST_SATELLITE, ahead).unwrap();
		let future = Countersignature {
			satellite_id: FIRST_SATELLITE,
			signed_at_ms: ahead,
			signature: a.satellite.sign(&payload),
		};
		expect_post(&http, early, view(early, stage::COUNTERSIGNED, Some(future)));
		let record = Batches::<Test>::get(stranger).unwrap();
		let refusal = PostBatch::new(&record.cert, &record.server_signature, None).refusing(&other);
		http.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: format!("{URL}/batches"),
			headers: vec![("Content-Type".into(), "application/json".into())],
			body: refusal.to_json(),
			response: Some(view(stranger, stage::BAD_COUNTERSIGNATURE, None)),
			sent: true,
			..Default::default()
		});
		run_worker();
		assert!(submitted(&pool).is_empty());

		// The chain's clock catches up: the same countersignature is submitted when asked for
		// (and the other batch, asked about again, is still being asked of the satellite).
		NowMs::set(ahead);
		run_to_block(1 + RECHECK_REFUSED_AFTER);
		expect_ask(&http, stranger, view(stranger, stage::QUEUED, None));
		expect_ask(&http, early, view(early, stage::COUNTERSIGNED, Some(future)));
		run_worker();
		assert_eq!(
			submitted(&pool),
			vec![crate::Call::submit_attestation { batch_id: early, countersignature: future }]
		);
	});
}

#[test]
fn a_ground_station_that_stalls_mid_body_or_streams_without_end_costs_one_run() {
	for fault in [BodyFault::Stall, BodyFault::Endless] {
		let Offchain { mut ext, http, pool, body_fault, reads_without_deadline, .. } =
			offchain_ext();
		ext.execute_with(|| {
			let (a, ids) = relaying(&[b"one"]);
			let batch = ids[0];
			*body_fault.write() = Some(fault);
			expect_post(&http, batch, view(batch, stage::QUEUED, None));
			run_worker();
			// The run ended (this test would hang or run out of memory otherwise), gave up on the
			// body, and never read one without a deadline.
			assert_eq!(reads_without_deadline.load(Ordering::SeqCst), 0, "{fault:?}");
			assert!(submitted(&pool).is_empty());

			// The next run is unaffected: the batch, never handed over, is posted again.
			*body_fault.write() = None;
			run_to_block(2);
			let sig = attest(&a, batch);
			expect_post(&http, batch, view(batch, stage::COUNTERSIGNED, Some(sig)));
			run_worker();
			assert_eq!(submitted(&pool).len(), 1, "{fault:?}");
		});
	}
}

#[test]
fn the_bearer_token_in_off_chain_storage_goes_with_every_request() {
	let Offchain { mut ext, http, headers, .. } = offchain_ext();
	ext.execute_with(|| {
		let (_, ids) = relaying(&[b"one"]);
		let batch = ids[0];
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			GROUND_STATION_TOKEN_KEY,
			b"s3cret-token\n",
		);
		expect_post(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();
		let sent = headers.read().clone();
		assert!(sent.contains(&("Authorization".into(), "Bearer s3cret-token".into())), "{sent:?}");

		// A value that is no token (spaces, control characters) is not sent.
		headers.write().clear();
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			GROUND_STATION_TOKEN_KEY,
			b"two words",
		);
		run_to_block(2);
		expect_ask(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();
		assert!(!headers.read().iter().any(|(name, _)| name == "Authorization"));
	});
}

#[test]
fn a_deadline_a_500_and_malformed_json_submit_nothing_and_are_retried_next_block() {
	let Offchain { mut ext, http, pool, overrides, .. } = offchain_ext();
	ext.execute_with(|| {
		let (a, ids) = relaying(&[b"slow", b"failing", b"garbled"]);
		let (slow, failing, garbled) = (ids[0], ids[1], ids[2]);
		let ask_uri = |b: BatchId| format!("{URL}/batches/{}", to_hex(b.as_bytes()));

		for b in [slow, failing, garbled] {
			expect_post(&http, b, view(b, stage::QUEUED, None));
		}
		run_worker();

		run_to_block(2);
		overrides.write().insert(ask_uri(slow), HttpRequestStatus::DeadlineReached);
		overrides.write().insert(ask_uri(failing), HttpRequestStatus::Finished(500));
		expect_ask(&http, slow, vec![]);
		expect_ask(&http, failing, b"internal error".to_vec());
		expect_ask(&http, garbled, b"{\"batch_id\": 12".to_vec());
		run_worker();
		assert!(submitted(&pool).is_empty());

		// Next block: all three asked again; now they answer.
		run_to_block(3);
		overrides.write().clear();
		let sigs: Vec<_> = [slow, failing, garbled].iter().map(|b| attest(&a, *b)).collect();
		for (b, sig) in [slow, failing, garbled].iter().zip(&sigs) {
			expect_ask(&http, *b, view(*b, stage::COUNTERSIGNED, Some(*sig)));
		}
		run_worker();
		assert_eq!(submitted(&pool).len(), 1, "one bundle");
	});
}

#[test]
fn a_failed_post_is_posted_again_and_a_batch_the_station_lost_too() {
	let Offchain { mut ext, http, overrides, .. } = offchain_ext();
	ext.execute_with(|| {
		let (_, ids) = relaying(&[b"one"]);
		let batch = ids[0];
		overrides.write().insert(format!("{URL}/batches"), HttpRequestStatus::IoError);
		expect_post(&http, batch, vec![]);
		run_worker();

		run_to_block(2);
		overrides.write().clear();
		expect_post(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();

		// The station restarted without its data: 404. Posted again the block after.
		run_to_block(3);
		expect_ask(&http, batch, br#"{"error":"UnknownBatch","message":""}"#.to_vec());
		overrides.write().insert(
			format!("{URL}/batches/{}", to_hex(batch.as_bytes())),
			HttpRequestStatus::Finished(404),
		);
		run_worker();
		run_to_block(4);
		overrides.write().clear();
		expect_post(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();
	});
}

#[test]
fn a_ground_station_that_wants_the_transactions_gets_them_from_the_off_chain_index() {
	let Offchain { mut ext, http, .. } = offchain_ext();
	let batch = ext.execute_with(|| {
		set_url(URL);
		let mut a = register(1);
		submit(&mut a, &[b"alpha", b"beta"])
	});
	ext.persist_offchain_overlay(); // what block import does with the off-chain index
	ext.execute_with(|| {
		expect_post(&http, batch, wants_txs(batch));
		run_worker();
		run_to_block(2);
		let txs = vec![b"alpha".to_vec(), b"beta".to_vec()];
		expect_post_with(&http, URL, batch, Some(&txs), view(batch, stage::QUEUED, None));
		run_worker();
		// Handed over with them: asked for from now on.
		run_to_block(3);
		expect_ask(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();
	});
}

#[test]
fn a_servers_batches_are_posted_in_order_and_a_failed_post_holds_back_the_rest() {
	let Offchain { mut ext, http, overrides, .. } = offchain_ext();
	ext.execute_with(|| {
		set_url(URL);
		let mut a = register(1);
		let mut b = register(2);
		let (a1, a2) = (submit(&mut a, &[b"a1"]), submit(&mut a, &[b"a2"]));
		let b1 = submit(&mut b, &[b"b1"]);
		// a1's post fails: a2 must not overtake it (the satellite would then refuse a1).
		let a1_cert = to_hex(&Batches::<Test>::get(a1).unwrap().cert.encode());
		overrides.write().insert(a1_cert, HttpRequestStatus::IoError);
		expect_post(&http, a1, vec![]);
		expect_post(&http, b1, view(b1, stage::QUEUED, None));
		run_worker();

		run_to_block(2);
		overrides.write().clear();
		expect_post(&http, a1, view(a1, stage::QUEUED, None));
		expect_post(&http, a2, view(a2, stage::QUEUED, None));
		expect_ask(&http, b1, view(b1, stage::QUEUED, None));
		run_worker();
	});
}

#[test]
fn without_a_valid_url_the_worker_does_nothing() {
	let Offchain { mut ext, pool, started, .. } = offchain_ext();
	ext.execute_with(|| {
		let mut a = register(1);
		submit(&mut a, &[b"one"]);
		run_worker();
		set_url("ftp://gs.test");
		run_worker();
		set_url("");
		run_worker();
		assert!(started.load(Ordering::SeqCst) == 0);
		assert!(submitted(&pool).is_empty());
	});
}

#[test]
fn a_run_that_finds_the_lock_taken_does_nothing() {
	let Offchain { mut ext, started, .. } = offchain_ext();
	ext.execute_with(|| {
		relaying(&[b"one"]);
		let mut lock = sp_runtime::offchain::storage_lock::StorageLock::<
			sp_runtime::offchain::storage_lock::BlockAndTime<System>,
		>::with_block_and_time_deadline(
			b"space-notary/ocw/lock",
			5,
			sp_runtime::offchain::Duration::from_millis(60_000),
		);
		let guard = lock.try_lock().expect("free");
		run_worker();
		assert!(started.load(Ordering::SeqCst) == 0);
		drop(guard);
	});
}

#[test]
fn what_was_handed_over_is_remembered_per_url_and_a_new_url_gets_everything_again() {
	let Offchain { mut ext, http, .. } = offchain_ext();
	ext.execute_with(|| {
		let (_, ids) = relaying(&[b"one"]);
		let batch = ids[0];
		expect_post(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();
		// The worker's memory is the node's persistent storage: a new run (as after a restart)
		// asks, it does not post again.
		run_to_block(2);
		expect_ask(&http, batch, view(batch, stage::QUEUED, None));
		run_worker();

		run_to_block(3);
		let other = "http://other.test";
		set_url(&format!("{other}/"));
		expect_post_with(&http, other, batch, None, view(batch, stage::QUEUED, None));
		run_worker();
	});
}

#[test]
fn work_per_run_is_bounded_by_max_offchain_requests() {
	let Offchain { mut ext, http, started, .. } = offchain_ext();
	ext.execute_with(|| {
		set_url(URL);
		// Five pending batches over two servers, four requests a run (the mock's bound).
		let mut a = register(1);
		let mut b = register(2);
		let mut ids =
			vec![submit(&mut a, &[b"a1"]), submit(&mut a, &[b"a2"]), submit(&mut a, &[b"a3"])];
		ids.push(submit(&mut b, &[b"b1"]));
		ids.push(submit(&mut b, &[b"b2"]));
		let bound: u32 = <Test as Config>::MaxOffchainRequests::get();
		let bound = bound as usize;
		// In rounds, each server's batches in sequence order: a1 and b1, then a2, then a3.
		for id in [ids[0], ids[3], ids[1], ids[2]] {
			expect_post(&http, id, view(id, stage::QUEUED, None));
		}
		run_worker();
		assert_eq!(started.load(Ordering::SeqCst), bound);

		// Next block: the last one posted first, then three asks.
		run_to_block(2);
		expect_post(&http, ids[4], view(ids[4], stage::QUEUED, None));
		let asks: Vec<BatchId> = {
			let handed: BTreeMap<_, _> = ids[..bound]
				.iter()
				.map(|id| (*id, Handed { posted_at: 1, next_ask: 2, wants_txs: false }))
				.collect();
			plan(&ids, &handed, 2, bound).ask
		};
		assert_eq!(asks.len(), bound - 1);
		for id in &asks {
			expect_ask(&http, *id, view(*id, stage::QUEUED, None));
		}
		run_worker();
		assert_eq!(started.load(Ordering::SeqCst), 2 * bound);
	});
}
