//! `GET /metrics` over HTTP/1.1, for Prometheus to scrape.
//!
//! The exposition text comes from `prometheus-client`; the HTTP around it is the few lines
//! below rather than a web framework, because one read-only endpoint needs no routing,
//! keep-alive or TLS, and the emulator is meant to stay small.

use std::{sync::Arc, time::Duration};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
	time::Instant,
};

use crate::{pass::PassClock, telemetry::Metrics};

/// A scraper that has not sent its request by then is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest request head read.
const MAX_REQUEST: usize = 8 * 1024;

/// Serves metrics on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>, passes: Arc<PassClock>) {
	loop {
		let (stream, _) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(error) => {
				tracing::warn!(target: "satellite::metrics", %error, "accept failed");
				tokio::time::sleep(Duration::from_millis(100)).await;
				continue;
			},
		};
		let metrics = metrics.clone();
		let passes = passes.clone();
		tokio::spawn(async move {
			let answered =
				tokio::time::timeout(REQUEST_TIMEOUT, answer(stream, &metrics, &passes)).await;
			if let Ok(Err(error)) = answered {
				tracing::debug!(target: "satellite::metrics", %error, "scrape failed");
			}
		});
	}
}

async fn answer(
	mut stream: TcpStream,
	metrics: &Metrics,
	passes: &PassClock,
) -> std::io::Result<()> {
	let mut head = Vec::new();
	let mut buf = [0u8; 1024];
	while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST {
		let n = stream.read(&mut buf).await?;
		if n == 0 {
			break;
		}
		head.extend_from_slice(&buf[..n]);
	}
	let request_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
	let mut parts = request_line.split(|b| *b == b' ');
	let (method, path) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
	let (status, content_type, body) = if method == b"GET" && path == b"/metrics" {
		let body = metrics.encode(passes.state_at(Instant::now()));
		("200 OK", "application/openmetrics-text; version=1.0.0; charset=utf-8", body)
	} else {
		("404 Not Found", "text/plain; charset=utf-8", "try GET /metrics\n".to_owned())
	};
	let response = format!(
		"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	stream.write_all(response.as_bytes()).await?;
	stream.shutdown().await
}
