//! The bridge's HTTP server (axum): `/metrics`, `/status`, the ground-station API, and the
//! console ([`crate::console`]: `/`, `/events`, `/chain/…`).
//!
//! The API's bodies and the URL rule are `space_notary_primitives::ground_station`'s, shared with
//! the pallet's off-chain worker.
//!
//! | method | path | body / answer |
//! |---|---|---|
//! | `POST` | `/batches` | `{"cert": "0x<SCALE BatchCertificate>", "server_signature": "0x<SCALE MultiSignature>", "txs": ["0x…", …]?}` → `202` (new) or `200` (known) with the batch's view; `400` with `{"error": name, "message": …}` for bad input |
//! | `GET` | `/batches/{batch_id}` | the batch's view, `404` if the bridge does not hold it |
//! | `GET` | `/status` | link, queue and chain at a glance (what `satellite-bridge status` prints) |
//! | `GET` | `/metrics` | Prometheus text |
//!
//! A posted batch is committed to the durable queue before the answer is sent: a `202` means
//! the bridge will not forget it. The certificate and signature travel as hex of their SCALE
//! encoding, the form an off-chain worker already has. The server handles no secrets and
//! listens on loopback unless told otherwise.

use crate::metrics::Metrics;
use axum::{
	extract::{Path, State},
	http::{header, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use codec::Decode;
use serde::{Deserialize, Serialize};
pub use space_notary_primitives::ground_station::{BatchView, PostBatch};
use space_notary_primitives::{
	ground_station::from_hex, BatchCertificate, BatchId, ServerId, ServerSignature,
};
use std::{collections::BTreeMap, sync::Arc};
use tokio::sync::{mpsc, oneshot};

/// One server in [`StatusView`].
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ServerView {
	/// Batches in the queue not yet final.
	pub open: u64,
	/// Certified.
	pub certified: u64,
	/// Refused by the satellite or with a bad countersignature.
	pub refused: u64,
	/// On chain: last sequence.
	pub last_sequence: Option<u64>,
	/// On chain: pending batches.
	pub pending_on_chain: Option<u64>,
	/// On chain: active (not suspended).
	pub active: Option<bool>,
	/// The certified batch of highest sequence in the queue, `0x` hex.
	#[serde(default)]
	pub last_certified: Option<String>,
}

/// The bridge at a glance.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct StatusView {
	/// The chain served.
	pub genesis_hash: Option<String>,
	/// Latest finalized block read.
	pub finalized: Option<u64>,
	/// Best block.
	pub best: Option<u64>,
	/// Link up.
	pub link_up: bool,
	/// Seconds to the next pass (0 during one).
	pub next_pass_seconds: Option<f64>,
	/// Sign requests in flight on the link.
	pub in_flight: u64,
	/// Batches by stage.
	pub stages: BTreeMap<String, u64>,
	/// Refusals by reason.
	pub refused: BTreeMap<String, u64>,
	/// Pending batches that will expire before the next pass.
	pub at_risk: u64,
	/// Per server.
	pub servers: BTreeMap<ServerId, ServerView>,
}

/// The answer to a post, given after the commit.
#[derive(Debug)]
pub struct PostReply {
	/// The batch as it now stands.
	pub view: BatchView,
	/// Whether the post added it (else the bridge already held it).
	pub new: bool,
}

/// What the HTTP server asks of the relay.
#[derive(Debug)]
pub enum ApiRequest {
	/// A batch posted by the off-chain worker.
	Post {
		/// Its certificate.
		cert: BatchCertificate,
		/// The server's signature.
		server_signature: ServerSignature,
		/// Its transactions, for full mode.
		txs: Option<Vec<Vec<u8>>>,
		/// Answered once committed.
		reply: oneshot::Sender<PostReply>,
	},
	/// A batch's view.
	Get {
		/// The batch.
		batch_id: BatchId,
		/// `None` if unknown.
		reply: oneshot::Sender<Option<BatchView>>,
	},
	/// The status.
	Status {
		/// The answer.
		reply: oneshot::Sender<StatusView>,
	},
}

#[derive(Clone)]
struct AppState {
	relay: mpsc::Sender<ApiRequest>,
	metrics: Arc<Metrics>,
}

/// Serves the API and the console on `listener` until the task is aborted.
pub async fn serve(
	listener: tokio::net::TcpListener,
	relay: mpsc::Sender<ApiRequest>,
	metrics: Arc<Metrics>,
	console: crate::console::ConsoleFeed,
) {
	let app = Router::new()
		.route("/metrics", get(metrics_text))
		.route("/status", get(status))
		.route("/batches", post(post_batch))
		.route("/batches/{batch_id}", get(get_batch))
		.with_state(AppState { relay: relay.clone(), metrics })
		.merge(crate::console::router(console, relay));
	if let Err(error) = axum::serve(listener, app).await {
		tracing::error!(target: "bridge::http", %error, "HTTP server stopped");
	}
}

fn error(status: StatusCode, name: &str, message: impl Into<String>) -> Response {
	(status, Json(serde_json::json!({ "error": name, "message": message.into() }))).into_response()
}

fn unavailable() -> Response {
	error(StatusCode::SERVICE_UNAVAILABLE, "ShuttingDown", "the relay is stopping")
}

async fn metrics_text(State(state): State<AppState>) -> Response {
	(
		[(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
		state.metrics.encode(),
	)
		.into_response()
}

async fn status(State(state): State<AppState>) -> Response {
	let (reply, answer) = oneshot::channel();
	if state.relay.send(ApiRequest::Status { reply }).await.is_err() {
		return unavailable();
	}
	match answer.await {
		Ok(view) => Json(view).into_response(),
		Err(_) => unavailable(),
	}
}

async fn get_batch(State(state): State<AppState>, Path(batch_id): Path<String>) -> Response {
	let Ok(batch_id) = crate::keys::parse_h256(&batch_id) else {
		return error(StatusCode::BAD_REQUEST, "BadBatchId", "expected 0x + 64 hex digits");
	};
	let (reply, answer) = oneshot::channel();
	if state.relay.send(ApiRequest::Get { batch_id, reply }).await.is_err() {
		return unavailable();
	}
	match answer.await {
		Ok(Some(view)) => Json(view).into_response(),
		Ok(None) => {
			error(StatusCode::NOT_FOUND, "UnknownBatch", "the bridge does not hold this batch")
		},
		Err(_) => unavailable(),
	}
}

fn decode_exact<T: Decode>(bytes: &[u8]) -> Option<T> {
	let mut input = bytes;
	let value = T::decode(&mut input).ok()?;
	input.is_empty().then_some(value)
}

async fn post_batch(
	State(state): State<AppState>,
	body: Result<Json<PostBatch>, axum::extract::rejection::JsonRejection>,
) -> Response {
	let body = match body {
		Ok(Json(body)) => body,
		Err(rejection) => {
			let message = format!(
				"expected {{\"cert\", \"server_signature\", \"txs\"?}} as JSON: {}",
				rejection.body_text()
			);
			return error(StatusCode::BAD_REQUEST, "BadJson", message);
		},
	};
	let Some(cert) = from_hex(&body.cert).and_then(|b| decode_exact::<BatchCertificate>(&b)) else {
		return error(
			StatusCode::BAD_REQUEST,
			"BadCertificate",
			"cert: not hex of a SCALE BatchCertificate",
		);
	};
	let Some(server_signature) =
		from_hex(&body.server_signature).and_then(|b| decode_exact::<ServerSignature>(&b))
	else {
		return error(
			StatusCode::BAD_REQUEST,
			"BadServerSignature",
			"server_signature: not hex of a SCALE MultiSignature",
		);
	};
	let txs = match body.txs {
		None => None,
		Some(txs) => {
			let Some(txs) = txs.iter().map(|t| from_hex(t)).collect::<Option<Vec<_>>>() else {
				return error(StatusCode::BAD_REQUEST, "BadTransactions", "txs: not hex");
			};
			if let Err(e) = cert.check_transactions(&txs) {
				return error(StatusCode::BAD_REQUEST, &format!("{e:?}"), e.to_string());
			}
			Some(txs)
		},
	};
	let (reply, answer) = oneshot::channel();
	let request = ApiRequest::Post { cert, server_signature, txs, reply };
	if state.relay.send(request).await.is_err() {
		return unavailable();
	}
	match answer.await {
		Ok(PostReply { view, new }) => {
			let status = if new { StatusCode::ACCEPTED } else { StatusCode::OK };
			(status, Json(view)).into_response()
		},
		Err(_) => unavailable(),
	}
}
