//! `GET /metrics` over HTTP/1.1, for Prometheus to scrape.
//!
//! The exposition text comes from `prometheus-client`; the HTTP around it is axum (HTTP/1.1
//! only), the same server stack as the bridge's HTTP API, rather than a hand-written request
//! parser. Every response closes its connection: a scraper calls every 15 s or so, and an idle
//! keep-alive connection would only hold a task open between scrapes and through shutdown.

use axum::{
	extract::State,
	http::{header, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	routing::get,
	Router,
};
use std::{future::Future, sync::Arc};
use tokio::{net::TcpListener, time::Instant};

use crate::{
	pass::{PassClock, PassState},
	telemetry::Metrics,
};

/// The OpenMetrics text format, as `prometheus-client` writes it.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What a scrape reads.
#[derive(Clone)]
struct Scraped {
	metrics: Arc<Metrics>,
	/// Each station's pass clock.
	passes: Vec<Arc<PassClock>>,
}

/// The routes: `GET /metrics`, and a hint for anything else.
fn router(metrics: Arc<Metrics>, passes: Vec<Arc<PassClock>>) -> Router {
	Router::new()
		.route("/metrics", get(scrape))
		.fallback(|| async { (StatusCode::NOT_FOUND, "try GET /metrics\n") })
		.layer(axum::middleware::map_response(close_connection))
		.with_state(Scraped { metrics, passes })
}

async fn scrape(State(scraped): State<Scraped>) -> impl IntoResponse {
	// In view of any station; the soonest change at any.
	let now = Instant::now();
	let pass = PassState::any(scraped.passes.iter().map(|clock| clock.state_at(now)));
	let body = scraped.metrics.encode(pass);
	([(header::CONTENT_TYPE, OPENMETRICS)], body)
}

/// `Connection: close` on every response (see the module docs).
async fn close_connection(mut response: Response) -> Response {
	response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
	response
}

/// Serves metrics on `listener` until `shutdown` completes; a scrape under way is answered
/// first.
pub async fn serve(
	listener: TcpListener,
	metrics: Arc<Metrics>,
	passes: Vec<Arc<PassClock>>,
	shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
	axum::serve(listener, router(metrics, passes)).with_graceful_shutdown(shutdown).await
}
