//! The emulator daemon: accepts ground station connections and runs the signer until told
//! to stop.
//!
//! At most `max_connections` connections are served at once; one arriving beyond is closed as
//! soon as it is accepted, counted (`connections_refused_total`) and logged, at most once a
//! second with the number refused since the last line, so a flood of connections cannot flood
//! the log either.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{
	net::TcpListener,
	sync::{oneshot, Semaphore},
	task::JoinSet,
	time::Instant,
};

use crate::{
	config::EmulatorConfig,
	connection::{self, Closed, Shared},
	metrics_http,
	pass::{PassClock, PassSchedule},
	provisioning::ProvisioningError,
	signer::Signer,
	signing_store::{SigningStore, StoreError},
	telemetry::Metrics,
};

/// The emulator could not start or stopped on an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
	/// The provisioned keys could not be loaded.
	#[error(transparent)]
	Provisioning(#[from] ProvisioningError),
	/// The signing record could not be opened.
	#[error(transparent)]
	Store(#[from] StoreError),
	/// A listening socket could not be opened.
	#[error("cannot listen on {addr}: {source}")]
	Bind {
		/// The address.
		addr: SocketAddr,
		/// Why.
		source: std::io::Error,
	},
	/// The state directory could not be created.
	#[error("cannot create state directory: {0}")]
	StateDir(#[source] std::io::Error),
	/// The signer thread died.
	#[error("the signer stopped unexpectedly")]
	SignerPanicked,
}

/// Runs the emulator on `listener` until `shutdown` completes. Serves metrics on
/// `config.metrics` if set.
pub async fn run(
	config: EmulatorConfig,
	listener: TcpListener,
	shutdown: impl Future,
) -> Result<(), ServerError> {
	run_stations_bound(config, vec![listener], shutdown).await
}

/// Like [`run`], with every station's listener bound by the caller (`listeners[k]` station k's).
pub async fn run_stations_bound(
	config: EmulatorConfig,
	listeners: Vec<TcpListener>,
	shutdown: impl Future,
) -> Result<(), ServerError> {
	let metrics_listener = match config.metrics {
		Some(addr) => Some(
			TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?,
		),
		None => None,
	};
	run_stations(config, listeners, metrics_listener, shutdown).await
}

/// Like [`run`], with the metrics listener given (tests bind it on port 0).
pub async fn run_with_metrics(
	config: EmulatorConfig,
	listener: TcpListener,
	metrics_listener: Option<TcpListener>,
	shutdown: impl Future,
) -> Result<(), ServerError> {
	run_stations(config, vec![listener], metrics_listener, shutdown).await
}

/// Like [`run_with_metrics`], with a listener for each ground station: `listeners[0]` is
/// station 0's link (`config.passes`), `listeners[k]` station k's (`config.more_stations[k-1]`);
/// a station without a listener given is bound at its `listen` address.
///
/// One satellite, several links: every station's connections share the signer, its signing
/// record and the connection cap; each link is up only during its own station's passes, and a
/// station's `StatusRequest` is answered with its own pass state. The metrics' `in_pass` is the
/// satellite in view of any station.
pub async fn run_stations(
	mut config: EmulatorConfig,
	mut listeners: Vec<TcpListener>,
	metrics_listener: Option<TcpListener>,
	shutdown: impl Future,
) -> Result<(), ServerError> {
	let more_stations = std::mem::take(&mut config.more_stations);
	for station in more_stations.iter().skip(listeners.len().saturating_sub(1)) {
		let addr = station.listen;
		listeners.push(
			TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?,
		);
	}
	std::fs::create_dir_all(config.state_dir.path()).map_err(ServerError::StateDir)?;
	let keyring = config.state_dir.load_keyring()?;
	if keyring.is_empty() {
		tracing::warn!(target: "satellite", dir = %config.state_dir.path().display(), "no server is provisioned: every request will be refused as UnknownServer");
	}
	let servers: Vec<_> = keyring.ids().collect();
	let store = SigningStore::open(&config.state_dir.signing_db_path())?;
	let metrics = Arc::new(Metrics::new());
	// Each station's schedule moves into the clock that its connections share; orbit time is
	// `orbit_start` at start-up, or at the anchor given.
	let started = match config.orbit_anchor {
		None => Instant::now(),
		Some(anchor) => {
			let (now, wall) = (Instant::now(), chrono::Utc::now());
			match (anchor - wall).to_std() {
				Ok(ahead) => now + ahead,
				Err(_) => {
					let behind = (wall - anchor).to_std().unwrap_or_default();
					now.checked_sub(behind).unwrap_or(now)
				},
			}
		},
	};
	let schedule = std::mem::replace(&mut config.passes, PassSchedule::Always);
	let clocks: Vec<Arc<PassClock>> = std::iter::once(schedule)
		.chain(more_stations.into_iter().map(|station| station.passes))
		.take(listeners.len())
		.map(|schedule| {
			Arc::new(PassClock::new(schedule, started, config.orbit_start, config.time_scale))
		})
		.collect();

	let (signer_handle, jobs) = Signer::channel(config.queue_depth);
	let signer = Signer::new(
		config.satellite_id,
		keyring,
		store,
		config.limits.clone(),
		metrics.clone(),
		config.busy_retry_ms,
	);
	let signer_thread = tokio::task::spawn_blocking(move || signer.run(jobs));
	let shared: Vec<Arc<Shared>> = clocks
		.iter()
		.map(|clock| {
			Arc::new(Shared::new(&config, clock.clone(), metrics.clone(), signer_handle.clone()))
		})
		.collect();
	drop(signer_handle);

	let mut background = JoinSet::new();
	// Dropped at shutdown, which tells the metrics server to stop.
	let (stop_metrics, metrics_stopped) = oneshot::channel::<()>();
	if let Some(listener) = metrics_listener {
		if let Ok(addr) = listener.local_addr() {
			tracing::info!(target: "satellite", %addr, "metrics at GET /metrics");
		}
		let stopped = async move {
			let _ = metrics_stopped.await;
		};
		let serve = metrics_http::serve(listener, metrics.clone(), clocks.clone(), stopped);
		background.spawn(async move {
			if let Err(error) = serve.await {
				tracing::warn!(target: "satellite::metrics", %error, "metrics server stopped");
			}
		});
	}
	for (station, clock) in clocks.iter().enumerate() {
		background.spawn(log_passes(station, clock.clone()));
	}
	let addrs: Vec<_> = listeners.iter().filter_map(|l| l.local_addr().ok()).collect();
	tracing::info!(
		target: "satellite",
		stations = ?addrs,
		satellite = config.satellite_id,
		?servers,
		seed = config.seed,
		genesis = ?config.limits.genesis_hash,
		"space link up"
	);

	let mut connections = JoinSet::new();
	// One permit per connection served, held by its task until it ends.
	let slots = Arc::new(Semaphore::new(config.max_connections));
	let mut refusals = RefusalLog::default();
	// Every station's listener feeds one accept queue, each connection tagged with its station.
	let (accepted_tx, mut accepted_rx) = tokio::sync::mpsc::channel(1);
	for (station, listener) in listeners.into_iter().enumerate() {
		let accepted_tx = accepted_tx.clone();
		background.spawn(async move {
			loop {
				let accepted = listener.accept().await;
				if accepted_tx.send((station, accepted)).await.is_err() {
					return;
				}
			}
		});
	}
	drop(accepted_tx);
	tokio::pin!(shutdown);
	loop {
		tokio::select! {
			_ = &mut shutdown => break,
			Some((station, accepted)) = accepted_rx.recv() => match accepted {
				Ok((stream, peer)) => {
					let Ok(slot) = slots.clone().try_acquire_owned() else {
						// Dropping the stream closes it.
						drop(stream);
						metrics.connection_refused();
						refusals.refused(peer, config.max_connections);
						continue;
					};
					tracing::info!(target: "satellite::link", %peer, station, "ground station connected");
					let shared = shared[station].clone();
					connections.spawn(async move {
						let closed = connection::serve(stream, shared).await;
						drop(slot);
						match closed {
							Closed::ByPeer => tracing::info!(target: "satellite::link", %peer, "ground station disconnected"),
							Closed::Idle => tracing::info!(target: "satellite::link", %peer, "ground station sent nothing for the idle timeout: disconnected"),
							Closed::Stalled => tracing::warn!(target: "satellite::link", %peer, "ground station took nothing for the idle timeout: disconnected"),
						}
					});
				},
				Err(error) => {
					// Out of file descriptors and the like: back off instead of spinning.
					tracing::warn!(target: "satellite::link", %error, "accept failed");
					tokio::time::sleep(Duration::from_millis(100)).await;
				},
			},
			Some(_) = connections.join_next(), if !connections.is_empty() => {},
		}
	}
	tracing::info!(target: "satellite", "shutting down");
	drop(stop_metrics);
	connections.shutdown().await;
	background.shutdown().await;
	// The last queue handle goes with `shared`; the signer then finishes what it holds and
	// returns, releasing the signing record's lock.
	drop(shared);
	signer_thread.await.map_err(|_| ServerError::SignerPanicked)
}

/// Logs refused connections at most once a second.
#[derive(Default)]
struct RefusalLog {
	last: Option<Instant>,
	/// Refused since the last line.
	unlogged: u64,
}

impl RefusalLog {
	const EVERY: Duration = Duration::from_secs(1);

	fn refused(&mut self, peer: SocketAddr, max_connections: usize) {
		self.unlogged += 1;
		let now = Instant::now();
		if self.last.is_some_and(|last| now.duration_since(last) < Self::EVERY) {
			return;
		}
		tracing::warn!(
			target: "satellite::link",
			%peer,
			max_connections,
			refused = self.unlogged,
			"connection refused: --max-connections are open (count since the last such line)"
		);
		self.last = Some(now);
		self.unlogged = 0;
	}
}

/// Logs each of `station`'s passes as it begins and ends.
async fn log_passes(station: usize, passes: Arc<PassClock>) {
	loop {
		let state = passes.state_at(Instant::now());
		tracing::info!(
			target: "satellite::pass",
			station,
			in_pass = state.in_pass,
			change_in_s = state.change_in.map(|d| d.as_secs_f64()),
			"{}",
			if state.in_pass { "in view" } else { "out of view" }
		);
		let Some(change_in) = state.change_in else { return };
		// A little past the change, so the next state is the new one.
		tokio::time::sleep(change_in + Duration::from_millis(5)).await;
	}
}
