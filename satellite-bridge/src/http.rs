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
//! A posted batch is admitted first ([`crate::admission`]: `422` for a post that fails its
//! checks, `429` when a bound is reached, `413` for transactions beyond the chain's bounds) and
//! committed to the durable queue before the answer is sent: a `202` means the bridge will not
//! forget it. The certificate and signature travel as hex of their SCALE encoding, the form an
//! off-chain worker already has. The server handles no secrets and listens on loopback unless
//! told otherwise.
//!
//! # Limits
//!
//! Every connection is untrusted. The server (hyper, under axum's router) closes a connection
//! that does not finish a request's headers within [`HttpLimits::header_timeout`] (which also
//! ends idle keep-alive connections), answers `408` to a request not served within
//! [`HttpLimits::request_timeout`] (every route but the `/events` stream), caps bodies at
//! [`MAX_BODY`], holds at most [`HttpLimits::max_connections`] connections (more are closed at
//! once) and the console at most [`HttpLimits::max_event_streams`] event streams (`503`). A
//! request whose `Host` or `Origin` names a host other than an IP address, `localhost` or an
//! `--allowed-host` is refused (`403`), so a web page cannot reach the API through DNS
//! rebinding. With `--http-token-file`, `/batches` needs `Authorization: Bearer TOKEN` (`401`).

pub use crate::api::{ApiRequest, PostReply, ServerView, StatusView};
use crate::{config::HttpLimits, metrics::Metrics};
use axum::{
	extract::{DefaultBodyLimit, Path, Request, State},
	http::{header, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use codec::Decode;
use hyper_util::{
	rt::{TokioIo, TokioTimer},
	service::TowerToHyperService,
};
pub use space_notary_primitives::ground_station::{BatchView, PostBatch};
use space_notary_primitives::{ground_station::from_hex, BatchCertificate, ServerSignature};
use std::{net::IpAddr, sync::Arc};
use tokio::sync::{mpsc, oneshot, Semaphore};

const LOG: &str = "bridge::http";

/// Largest request body: a batch at the runtime's bound (1 MiB of transactions) as hex in JSON.
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// Posts handled at once; more wait for their turn (within the request timeout). Each may hold a
/// body of [`MAX_BODY`] and its parsed transactions.
pub const CONCURRENT_POSTS: usize = 4;

#[derive(Clone)]
struct AppState {
	relay: mpsc::Sender<ApiRequest>,
	metrics: Arc<Metrics>,
}

/// Serves the API and the console on `listener` until the task is aborted, within `limits`
/// (module docs, "Limits").
pub async fn serve(
	listener: tokio::net::TcpListener,
	relay: mpsc::Sender<ApiRequest>,
	metrics: Arc<Metrics>,
	console: crate::console::ConsoleFeed,
	limits: HttpLimits,
) {
	let limits = Arc::new(limits);
	let app = Router::new()
		.route("/metrics", get(metrics_text))
		.route("/status", get(status))
		.route(
			"/batches",
			post(post_batch).route_layer(middleware::from_fn_with_state(
				Arc::new(Semaphore::new(CONCURRENT_POSTS)),
				one_post_at_a_time,
			)),
		)
		.route("/batches/{batch_id}", get(get_batch))
		.with_state(AppState { relay: relay.clone(), metrics })
		.merge(crate::console::router(console, relay, limits.max_event_streams))
		.layer(middleware::from_fn_with_state(limits.clone(), guard))
		.layer(DefaultBodyLimit::max(MAX_BODY));
	let connections = Arc::new(Semaphore::new(limits.max_connections));
	let mut last_warned: Option<tokio::time::Instant> = None;
	loop {
		let (stream, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(error) => {
				// Out of file descriptors, say: wait rather than spin.
				tracing::warn!(target: LOG, %error, "accept failed");
				tokio::time::sleep(std::time::Duration::from_millis(100)).await;
				continue;
			},
		};
		let Ok(permit) = connections.clone().try_acquire_owned() else {
			if last_warned.is_none_or(|t| t.elapsed().as_secs() >= 10) {
				tracing::warn!(target: LOG, %peer, max = limits.max_connections, "too many HTTP connections; closing new ones");
				last_warned = Some(tokio::time::Instant::now());
			}
			drop(stream);
			continue;
		};
		let service = TowerToHyperService::new(app.clone());
		let header_timeout = limits.header_timeout;
		tokio::spawn(async move {
			let _permit = permit;
			let connection = hyper::server::conn::http1::Builder::new()
				.timer(TokioTimer::new())
				.header_read_timeout(header_timeout)
				.serve_connection(TokioIo::new(stream), service);
			if let Err(error) = connection.await {
				tracing::debug!(target: LOG, %peer, %error, "HTTP connection ended");
			}
		});
	}
}

/// Whether `host` (a `Host` header's value or an `Origin`'s host, with or without a port) is one
/// this server answers to: an IP address, `localhost`, or one of `allowed`.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
	let name = match host.strip_prefix('[') {
		// [v6]:port
		Some(rest) => match rest.split_once(']') {
			Some((v6, _)) => v6,
			None => return false,
		},
		None => match host.rsplit_once(':') {
			Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
			_ => host,
		},
	};
	name.parse::<IpAddr>().is_ok()
		|| name.eq_ignore_ascii_case("localhost")
		|| allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// The host of an `Origin` header (`scheme://host[:port]`), `None` for `null` or junk.
fn origin_host(origin: &str) -> Option<&str> {
	let (_, rest) = origin.split_once("://")?;
	Some(rest.split('/').next().unwrap_or(rest))
}

/// Access rules and the request deadline, before any route (module docs, "Limits").
async fn guard(State(limits): State<Arc<HttpLimits>>, request: Request, next: Next) -> Response {
	let headers = request.headers();
	let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
	if !host.is_some_and(|h| host_allowed(h, &limits.allowed_hosts)) {
		return error(
			StatusCode::FORBIDDEN,
			"ForeignHost",
			"the Host header names a host this ground station does not serve (see --allowed-host)",
		);
	}
	if let Some(origin) = headers.get(header::ORIGIN) {
		let allowed = origin
			.to_str()
			.ok()
			.and_then(origin_host)
			.is_some_and(|h| host_allowed(h, &limits.allowed_hosts));
		if !allowed {
			return error(
				StatusCode::FORBIDDEN,
				"ForeignOrigin",
				"requests from pages of other sites are refused",
			);
		}
	}
	let path = request.uri().path();
	if let (Some(token), true) = (&limits.token, path.starts_with("/batches")) {
		let given = headers
			.get(header::AUTHORIZATION)
			.and_then(|h| h.to_str().ok())
			.and_then(|h| h.strip_prefix("Bearer "));
		if !given.is_some_and(|g| same_secret(g.as_bytes(), token.as_bytes())) {
			return error(
				StatusCode::UNAUTHORIZED,
				"Unauthorized",
				"this ground station needs Authorization: Bearer <token>",
			);
		}
	}
	if path == "/events" {
		return next.run(request).await;
	}
	match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
		Ok(response) => response,
		Err(_) => error(StatusCode::REQUEST_TIMEOUT, "Timeout", "the request took too long"),
	}
}

/// Holds a post until one of [`CONCURRENT_POSTS`] permits is free: bodies are read and parsed
/// inside, so memory for posts stays bounded whatever the number of connections.
async fn one_post_at_a_time(
	State(posts): State<Arc<Semaphore>>,
	request: Request,
	next: Next,
) -> Response {
	let Ok(_permit) = posts.acquire().await else { return unavailable() };
	next.run(request).await
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
	a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An API error: `status` with `{"error": name, "message": …}`.
pub fn error(status: StatusCode, name: &str, message: impl Into<String>) -> Response {
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
	let Ok(batch_id) = space_notary_primitives::text::parse_h256(&batch_id) else {
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
	let refused_countersignature = match &body.refused_countersignature {
		None => None,
		Some(view) => match view.parse() {
			Some(countersignature) => Some(countersignature),
			None => {
				return error(
					StatusCode::BAD_REQUEST,
					"BadCountersignature",
					"refused_countersignature.signature: not 0x + 128 hex digits",
				)
			},
		},
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
	let request = ApiRequest::Post { cert, server_signature, txs, refused_countersignature, reply };
	if state.relay.send(request).await.is_err() {
		return unavailable();
	}
	match answer.await {
		Ok(Ok(PostReply { view, new })) => {
			let status = if new { StatusCode::ACCEPTED } else { StatusCode::OK };
			(status, Json(view)).into_response()
		},
		Ok(Err(refusal)) => {
			let status =
				StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
			error(status, refusal.name(), refusal.to_string())
		},
		Err(_) => unavailable(),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_addresses_localhost_and_allowed_names_are_served() {
		let allowed = vec!["station.example".to_string()];
		for host in ["127.0.0.1:9955", "127.0.0.1", "[::1]:9955", "localhost:80", "LOCALHOST"] {
			assert!(host_allowed(host, &[]), "{host}");
		}
		assert!(host_allowed("station.example:9955", &allowed));
		for host in ["evil.example:9955", "evil.example", "127.0.0.1.evil.example", "[::1", ""] {
			assert!(!host_allowed(host, &allowed), "{host}");
		}
		assert_eq!(origin_host("http://evil.example:80"), Some("evil.example:80"));
		assert_eq!(origin_host("null"), None);
		assert!(same_secret(b"abc", b"abc"));
		assert!(!same_secret(b"abc", b"abd") && !same_secret(b"abc", b"ab"));
	}
}
