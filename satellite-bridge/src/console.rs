//! The ground-station console: a read-only web page on the `--http` address, beside `/metrics`
//! and the ground-station API, for the operator to keep open during a pass.
//!
//! | method | path | answer |
//! |---|---|---|
//! | `GET` | `/` | the page |
//! | `GET` | `/console/{file}` | its ES modules and style sheet |
//! | `GET` | `/console/state` | the console's state as JSON ([`ConsoleState`]) |
//! | `GET` | `/events` | server-sent events: `state`, the same JSON, on connect and on every change |
//! | `GET` | `/chain/batches/{batch_id}` | the batch at the finalized block, as `batch status` reads it, in JSON, with the bridge's own view (`bridge`, or `null`) |
//! | `GET` | `/chain/batches/{batch_id}/proof?index=N` | the inclusion proof of its transaction `N`, byte for byte what `batch proof --index N` prints, as a download |
//! | `GET` | `/chain/batches/{batch_id}/receipt?index=N[&format=json]` | the receipt of its transaction `N` (`docs/receipts.md`), what `receipt make --index N` writes (binary, or with `format=json` the JSON form), as a download; `400` `NoReceipt` with the reason when none can be made yet |
//!
//! The page and its modules are compiled into the binary (`include_str!`) and load nothing from
//! elsewhere (a `Content-Security-Policy` of `'self'` says so to the browser): ground stations
//! often run offline. Nothing on it is secret: the bridge holds no key but an optional
//! `--signer`, which no answer includes. The relay publishes a new state at most four times a
//! second, and only when something changed (or every few seconds, to refresh the clock);
//! `/chain/…` reads the chain through the relay's own connection and answers `503` `NoChain`
//! when the bridge runs HTTP-only.

use crate::{
	activity::{now_ms, Activity, ActivityEvent, MinuteCount, PassTimeline},
	api::{ApiRequest, StatusView},
	chain::Chain,
	commands::{
		batch::{BatchReport, ProofDocument, TxChoice},
		receipt,
	},
};
use axum::{
	extract::{Path, Query, State},
	http::{header, HeaderValue, StatusCode},
	response::{
		sse::{Event, KeepAlive, Sse},
		IntoResponse, Response,
	},
	routing::get,
	Json, Router,
};
use serde::{Deserialize, Serialize};
use std::{convert::Infallible, sync::Arc, time::Duration};
use tokio::{
	sync::{mpsc, oneshot, watch},
	time::Instant,
};

const LOG: &str = "bridge::console";

/// Recent events the page gets.
pub const EVENTS_SHOWN: usize = 50;
/// Minutes of the per-minute chart.
pub const MINUTES_SHOWN: usize = 30;
/// Shortest time between two published states.
const MIN_INTERVAL: Duration = Duration::from_millis(250);
/// Longest time without one (the page's clock and countdowns follow `now_ms`).
const MAX_INTERVAL: Duration = Duration::from_secs(5);

/// The page, its modules and its style sheet: `(name, content type, body)`.
const ASSETS: &[(&str, &str, &str)] = &[
	("app.js", "text/javascript; charset=utf-8", include_str!("../console/app.js")),
	("chart.js", "text/javascript; charset=utf-8", include_str!("../console/chart.js")),
	("batch.js", "text/javascript; charset=utf-8", include_str!("../console/batch.js")),
	("console.css", "text/css; charset=utf-8", include_str!("../console/console.css")),
];
const INDEX: &str = include_str!("../console/index.html");
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Everything the page shows but the batch view.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ConsoleState {
	/// The bridge's clock, Unix ms, when the state was made.
	pub now_ms: u64,
	/// Whether the bridge follows a chain (`--chain`); `false`: HTTP-only.
	pub chain: bool,
	/// Link, queue and servers, as `/status` has them.
	pub status: StatusView,
	/// Batches in the queue not yet final (`space_notary_bridge_queue_depth`).
	pub queue_depth: u64,
	/// Batches in the queue seen certified (durable across restarts).
	pub certified: u64,
	/// Passes seen and the next one.
	pub link: PassTimeline,
	/// Certifications per minute, the last [`MINUTES_SHOWN`], oldest first.
	pub per_minute: Vec<MinuteCount>,
	/// The last [`EVENTS_SHOWN`] events, newest first.
	pub events: Vec<ActivityEvent>,
}

impl ConsoleState {
	/// The state from the relay's status (without the best block: it costs a chain call) and
	/// its activity.
	pub fn new(status: StatusView, queue_depth: u64, activity: &mut Activity, chain: bool) -> Self {
		let now = now_ms();
		Self {
			now_ms: now,
			chain,
			certified: status.stages.get("certified").copied().unwrap_or_default(),
			status,
			queue_depth,
			link: activity.timeline(now),
			per_minute: activity.per_minute(now, MINUTES_SHOWN),
			events: activity.recent(EVENTS_SHOWN),
		}
	}
}

/// The relay's side: publishes the state and the chain connection to the console.
pub struct ConsolePublisher {
	state: watch::Sender<Arc<str>>,
	chain: watch::Sender<Option<Chain>>,
	/// The last published state without its clock, to skip publishing what did not change.
	compared: String,
	last_sent: Option<Instant>,
}

/// The HTTP server's side: what the relay published.
#[derive(Clone)]
pub struct ConsoleFeed {
	state: watch::Receiver<Arc<str>>,
	chain: watch::Receiver<Option<Chain>>,
	has_chain: bool,
}

impl ConsolePublisher {
	/// A publisher and the feed it fills; `has_chain`: the bridge runs with `--chain`.
	pub fn new(has_chain: bool) -> (Self, ConsoleFeed) {
		let (state, state_rx) = watch::channel(Arc::from("null"));
		let (chain, chain_rx) = watch::channel(None);
		let publisher = Self { state, chain, compared: String::new(), last_sent: None };
		(publisher, ConsoleFeed { state: state_rx, chain: chain_rx, has_chain })
	}

	/// The chain connection for the batch view (on connect and on every reconnect).
	pub fn set_chain(&self, chain: Chain) {
		self.chain.send_replace(Some(chain));
	}

	/// Whether a state may be published now.
	pub fn due(&self) -> bool {
		self.last_sent.is_none_or(|t| t.elapsed() >= MIN_INTERVAL)
	}

	/// Publishes `state` if it differs from the last one, or if the last is old.
	pub fn publish(&mut self, mut state: ConsoleState) {
		let now = state.now_ms;
		state.now_ms = 0;
		let Ok(compared) = serde_json::to_string(&state) else { return };
		let fresh = self.last_sent.is_some_and(|t| t.elapsed() < MAX_INTERVAL);
		if compared == self.compared && fresh {
			return;
		}
		state.now_ms = now;
		match serde_json::to_string(&state) {
			Ok(json) => {
				self.state.send_replace(Arc::from(json));
				self.compared = compared;
				self.last_sent = Some(Instant::now());
			},
			Err(error) => tracing::warn!(target: LOG, %error, "cannot encode the console state"),
		}
	}
}

#[derive(Clone)]
struct ConsoleApp {
	feed: ConsoleFeed,
	relay: mpsc::Sender<ApiRequest>,
	/// One permit per open `/events` stream.
	streams: Arc<tokio::sync::Semaphore>,
}

/// The console's routes, to merge beside the API's; at most `max_streams` `/events` streams at
/// once.
pub fn router(feed: ConsoleFeed, relay: mpsc::Sender<ApiRequest>, max_streams: usize) -> Router {
	let streams = Arc::new(tokio::sync::Semaphore::new(max_streams));
	Router::new()
		.route("/", get(index))
		.route("/console/state", get(state))
		.route("/console/{file}", get(asset))
		.route("/events", get(events))
		.route("/chain/batches/{batch_id}", get(chain_batch))
		.route("/chain/batches/{batch_id}/proof", get(chain_proof))
		.route("/chain/batches/{batch_id}/receipt", get(chain_receipt))
		.with_state(ConsoleApp { feed, relay, streams })
}

fn page(content_type: &'static str, body: &'static str) -> Response {
	(
		[
			(header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
			(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
			(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
			(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
		],
		body,
	)
		.into_response()
}

async fn index() -> Response {
	page("text/html; charset=utf-8", INDEX)
}

async fn asset(Path(file): Path<String>) -> Response {
	match ASSETS.iter().find(|(name, _, _)| *name == file) {
		Some((_, content_type, body)) => page(content_type, body),
		None => error(StatusCode::NOT_FOUND, "NotFound", format!("no console file {file:?}")),
	}
}

fn json_text(body: Arc<str>) -> Response {
	([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn state(State(app): State<ConsoleApp>) -> Response {
	let current = app.feed.state.borrow().clone();
	json_text(current)
}

async fn events(State(app): State<ConsoleApp>) -> Response {
	// The permit lives as long as the stream: each open stream costs a copy of every state.
	let Ok(permit) = app.streams.clone().try_acquire_owned() else {
		return error(
			StatusCode::SERVICE_UNAVAILABLE,
			"TooManyStreams",
			"too many console event streams are open; try again later",
		);
	};
	let start = (app.feed.state, true, permit);
	let stream = futures::stream::unfold(start, |(mut rx, first, permit)| async move {
		// The first item is the current state; then one per change, until the relay stops.
		if !first && rx.changed().await.is_err() {
			return None;
		}
		let json = rx.borrow_and_update().clone();
		Some((
			Ok::<_, Infallible>(Event::default().event("state").data(&*json)),
			(rx, false, permit),
		))
	});
	Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

fn error(status: StatusCode, name: &str, message: impl Into<String>) -> Response {
	(status, Json(serde_json::json!({ "error": name, "message": message.into() }))).into_response()
}

impl ConsoleApp {
	/// The relay's chain connection, or the answer saying why there is none.
	fn chain(&self) -> Result<Chain, Box<Response>> {
		if !self.feed.has_chain {
			return Err(Box::new(error(
				StatusCode::SERVICE_UNAVAILABLE,
				"NoChain",
				"this bridge runs without --chain (HTTP-only): it does not read the chain",
			)));
		}
		self.feed.chain.borrow().clone().ok_or_else(|| {
			Box::new(error(
				StatusCode::SERVICE_UNAVAILABLE,
				"ChainUnavailable",
				"the bridge is connecting to the chain",
			))
		})
	}
}

fn parse_batch_id(text: &str) -> Result<sp_core::H256, Box<Response>> {
	space_notary_primitives::text::parse_h256(text).map_err(|_| {
		Box::new(error(StatusCode::BAD_REQUEST, "BadBatchId", "expected 0x + 64 hex digits"))
	})
}

async fn chain_batch(State(app): State<ConsoleApp>, Path(batch_id): Path<String>) -> Response {
	let (batch_id, chain) = match (parse_batch_id(&batch_id), app.chain()) {
		(Ok(id), Ok(chain)) => (id, chain),
		(Err(response), _) | (_, Err(response)) => return *response,
	};
	let report = match BatchReport::read(&chain, batch_id).await {
		Ok(Some(report)) => report,
		Ok(None) => {
			return error(
				StatusCode::NOT_FOUND,
				"UnknownBatch",
				format!("the chain has no batch {batch_id:?} at its finalized block"),
			)
		},
		Err(e) => return error(StatusCode::BAD_GATEWAY, "ChainError", e.to_string()),
	};
	let mut json = report.to_json();
	let (reply, answer) = oneshot::channel();
	if app.relay.send(ApiRequest::Get { batch_id, reply }).await.is_ok() {
		if let Ok(Some(view)) = answer.await {
			json["bridge"] = serde_json::to_value(view).unwrap_or_default();
		}
	}
	Json(json).into_response()
}

/// `?index=N` of the proof download.
#[derive(Debug, Deserialize)]
struct ProofQuery {
	index: u32,
}

async fn chain_proof(
	State(app): State<ConsoleApp>,
	Path(batch_id): Path<String>,
	query: Result<Query<ProofQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
	let Ok(Query(ProofQuery { index })) = query else {
		return error(StatusCode::BAD_REQUEST, "BadIndex", "expected ?index=N, N from 0");
	};
	let (batch_id, chain) = match (parse_batch_id(&batch_id), app.chain()) {
		(Ok(id), Ok(chain)) => (id, chain),
		(Err(response), _) | (_, Err(response)) => return *response,
	};
	match ProofDocument::make(&chain, batch_id, TxChoice::Index(index)).await {
		Ok(document) => {
			let disposition = format!("attachment; filename=\"proof-{batch_id:?}-{index}.json\"");
			let mut response =
				([(header::CONTENT_TYPE, "application/json")], document.to_text()).into_response();
			if let Ok(value) = HeaderValue::from_str(&disposition) {
				response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
			}
			response
		},
		Err(e) if e.exit_code() == 2 => error(StatusCode::BAD_REQUEST, "NoProof", e.to_string()),
		Err(e) => error(StatusCode::BAD_GATEWAY, "ChainError", e.to_string()),
	}
}

/// `?index=N[&format=json]` of the receipt download.
#[derive(Debug, Deserialize)]
struct ReceiptQuery {
	index: u32,
	#[serde(default)]
	format: Option<String>,
}

async fn chain_receipt(
	State(app): State<ConsoleApp>,
	Path(batch_id): Path<String>,
	query: Result<Query<ReceiptQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
	let Ok(Query(ReceiptQuery { index, format })) = query else {
		return error(StatusCode::BAD_REQUEST, "BadIndex", "expected ?index=N, N from 0");
	};
	let json = match format.as_deref() {
		None | Some("binary") => false,
		Some("json") => true,
		Some(_) => return error(StatusCode::BAD_REQUEST, "BadFormat", "format is binary or json"),
	};
	let (batch_id, chain) = match (parse_batch_id(&batch_id), app.chain()) {
		(Ok(id), Ok(chain)) => (id, chain),
		(Err(response), _) | (_, Err(response)) => return *response,
	};
	match receipt::make(&chain, batch_id, TxChoice::Index(index), true).await {
		Ok(made) => {
			let (content_type, extension, body) = if json {
				let mut text =
					serde_json::to_string_pretty(&receipt::to_json(&made)).unwrap_or_default();
				text.push('\n');
				("application/json", "json", text.into_bytes())
			} else {
				("application/octet-stream", "receipt", made.receipt.to_bytes())
			};
			let disposition =
				format!("attachment; filename=\"receipt-{batch_id:?}-{index}.{extension}\"");
			let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
			if let Ok(value) = HeaderValue::from_str(&disposition) {
				response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
			}
			response
		},
		Err(e) if e.exit_code() == 2 => error(StatusCode::BAD_REQUEST, "NoReceipt", e.to_string()),
		Err(e) => error(StatusCode::BAD_GATEWAY, "ChainError", e.to_string()),
	}
}
