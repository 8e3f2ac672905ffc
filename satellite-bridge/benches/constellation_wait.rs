//! The wait for a pass, measured: a day of real orbits, time compressed, through the real
//! emulated satellites and the bridge's own link clients, beside the bound the pass geometry
//! alone allows.
//!
//! ```sh
//! cargo bench -p satellite-emulator --bench pass_wait          # the geometry, and its JSON
//! cargo bench -p satellite-bridge --bench constellation_wait   # the measurement
//! ```
//!
//! The day, the satellites (TLE files), the stations, the submission rate and the four
//! configurations (1 satellite × 1 station, 3 × 1, 1 × 3, 3 × 3) are read from the geometry
//! benchmark's JSON (`$PASS_WAIT_JSON`, else `pass_wait.json` in the target directory), so that
//! both measure the same day, and each batch's measured wait is set beside its geometric one.
//!
//! For each configuration: one `satellite-emulator run` per satellite (its own number, TLE and
//! keys), with one link per station (`--listen` and `--station` for each), all on one orbit
//! clock (`--orbit-start` the day's start at a common `--orbit-anchor`), compressed
//! `BENCH_TIME_SCALE` times (default 360: the day in 4 minutes), `ideal` link profile; and one
//! ground station per station, each the bridge's [`Links`] with a link to every satellite
//! (`status_every` 20 ms of wall clock). A batch is handed to every station at its submission
//! time, one each orbit minute, from 32 servers in turn; its wait ends when the first
//! countersignature that verifies comes down at any station (it is then withdrawn from all, as
//! the relay does when the chain settles it). The four configurations run side by side.
//!
//! What this measures beyond the geometry: a station learns that a pass has begun from a status
//! answer (it probes every `status_every` out of view), then sends what it holds. The `ideal`
//! profile stands in for the radio because compression shrinks a pass's air time and not the
//! link's rate; the UHF link's capacity over a pass is measured apart (`--bench link -- uhf`) and
//! carries far more than a day of batches in one pass. The chain's part (a countersignature to a
//! certification: three 6-second blocks, `--bench certify_latency`) comes on top and is not
//! compressed, so it is added to the figures, not measured here.
//!
//! Resolution: orbit time is wall time × the scale, so a millisecond of scheduling delay is a
//! third of a second of orbit at 360×, and the probe interval 7.2 s of orbit.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use satellite_bridge::{
	keys::ServerPair,
	link::{LinkConfig, LinkEvent, LinkIndex, Links, SignJob},
};
use sp_core::H256;
use space_notary_primitives::{BatchCertificate, BatchId, SatelliteKey, ServerSignature};
use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	time::{Duration, Instant},
};
use tokio::sync::mpsc;

const GENESIS: H256 = H256::repeat_byte(0xc0);
const SERVERS: usize = 32;
const EMULATOR_CRATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../satellite-emulator");
/// Wall-clock time given to every process to start before the day begins.
const START_LEAD: Duration = Duration::from_secs(5);
/// The chain's share after a countersignature: three 6-second blocks (`certify_latency`).
const CHAIN_S: f64 = 18.0;

/// What the geometry benchmark wrote.
struct Day {
	from: chrono::DateTime<chrono::Utc>,
	interval_s: f64,
	submissions: usize,
	/// `(name, TLE path relative to the emulator crate)`.
	satellites: Vec<(String, String)>,
	/// `(name, "LAT,LON,ALT")`.
	stations: Vec<(String, String)>,
	configurations: Vec<Configuration>,
}

struct Configuration {
	name: String,
	satellites: Vec<usize>,
	stations: Vec<usize>,
	/// The geometric wait of each batch, seconds.
	bound_s: Vec<f64>,
}

fn pass_wait_json() -> PathBuf {
	if let Some(path) = std::env::var_os("PASS_WAIT_JSON") {
		return PathBuf::from(path);
	}
	let target = std::env::var_os("CARGO_TARGET_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
	target.join("pass_wait.json")
}

fn load_day(path: &Path) -> Result<Day, String> {
	let text = std::fs::read_to_string(path).map_err(|e| {
		format!(
			"{}: {e}; run `cargo bench -p satellite-emulator --bench pass_wait` first",
			path.display()
		)
	})?;
	let json: serde_json::Value =
		serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
	let field = |value: &serde_json::Value, name: &str| -> Result<serde_json::Value, String> {
		value.get(name).cloned().ok_or(format!("{}: no {name:?}", path.display()))
	};
	let text_of = |v: serde_json::Value| v.as_str().map(str::to_owned).ok_or("not a string");
	let from = text_of(field(&json, "from")?)?
		.parse()
		.map_err(|e| format!("{}: from: {e}", path.display()))?;
	let interval_s = field(&json, "submission_interval_s")?.as_f64().ok_or("interval")?;
	let submissions = field(&json, "submissions")?.as_u64().ok_or("submissions")? as usize;
	let list = |name: &str| -> Result<Vec<serde_json::Value>, String> {
		field(&json, name)?.as_array().cloned().ok_or(format!("{name} is not a list"))
	};
	let mut satellites = Vec::new();
	for s in list("satellites")? {
		satellites.push((text_of(field(&s, "name")?)?, text_of(field(&s, "tle")?)?));
	}
	let mut stations = Vec::new();
	for s in list("stations")? {
		let number = |name: &str| field(&s, name).map(|v| v.to_string());
		let position = format!(
			"{},{},{}",
			number("latitude_deg")?,
			number("longitude_deg")?,
			number("altitude_m")?
		);
		stations.push((text_of(field(&s, "name")?)?, position));
	}
	let mut configurations = Vec::new();
	for c in list("configurations")? {
		let names = |name: &str, known: &[(String, String)]| -> Result<Vec<usize>, String> {
			let values = field(&c, name)?;
			let values = values.as_array().ok_or(format!("{name} is not a list"))?;
			values
				.iter()
				.map(|v| {
					let v = v.as_str().unwrap_or_default();
					known.iter().position(|(n, _)| n == v).ok_or(format!("unknown {name} {v:?}"))
				})
				.collect()
		};
		let bound_s = field(&c, "waits_s")?
			.as_array()
			.ok_or("waits_s is not a list")?
			.iter()
			.map(|v| v.as_f64().ok_or("a wait is not a number"))
			.collect::<Result<Vec<_>, _>>()?;
		configurations.push(Configuration {
			name: text_of(field(&c, "name")?)?,
			satellites: names("satellites", &satellites)?,
			stations: names("stations", &stations)?,
			bound_s,
		});
	}
	Ok(Day { from, interval_s, submissions, satellites, stations, configurations })
}

struct Batch {
	id: BatchId,
	job: SignJob,
	server_signature: ServerSignature,
}

/// `count` batches from [`SERVERS`] servers in turn, each server provisioned in every state
/// directory; the satellite keys, `keys[satellite][server]`.
fn batches(state_dirs: &[PathBuf], count: usize) -> (Vec<Batch>, Vec<Vec<SatelliteKey>>) {
	let now = common::now_ms();
	let pairs: Vec<ServerPair> =
		(0..SERVERS).map(|s| format!("sr25519://wait-server-{s}").parse().unwrap()).collect();
	let keys = state_dirs
		.iter()
		.map(|dir| {
			pairs
				.iter()
				.enumerate()
				.map(|(s, pair)| common::Emulator::provision(dir, s as u32, &pair.public()))
				.collect()
		})
		.collect();
	let mut previous = vec![H256::zero(); SERVERS];
	let batches = (0..count)
		.map(|i| {
			let server = i % SERVERS;
			let sequence = (i / SERVERS) as u64 + 1;
			let txs = [format!("server {server} batch {sequence}").into_bytes()];
			let cert = BatchCertificate::over_transactions(
				GENESIS,
				server as u32,
				sequence,
				previous[server],
				now,
				&txs,
			)
			.unwrap();
			previous[server] = cert.batch_id();
			let server_signature = pairs[server].sign(&cert);
			Batch {
				id: cert.batch_id(),
				job: SignJob { cert, server_signature: server_signature.clone(), txs: None },
				server_signature,
			}
		})
		.collect();
	(batches, keys)
}

/// One configuration's measurement: each batch's wait in orbit seconds (`None`: not
/// countersigned by the deadline), and the countersignatures that came down per satellite.
struct Measured {
	waits_s: Vec<Option<f64>>,
	by_satellite: Vec<usize>,
	rejected: usize,
}

/// A configuration ready to run: its satellites' state directories with every server
/// provisioned, and the day's batches.
struct Prepared {
	dirs: Vec<tempfile::TempDir>,
	batches: Vec<Batch>,
	keys: Vec<Vec<SatelliteKey>>,
}

fn prepare(day: &Day, config: &Configuration) -> Prepared {
	let dirs: Vec<tempfile::TempDir> =
		config.satellites.iter().map(|_| tempfile::tempdir().unwrap()).collect();
	let paths: Vec<PathBuf> = dirs.iter().map(|d| d.path().to_path_buf()).collect();
	let (batches, keys) = batches(&paths, day.submissions);
	Prepared { dirs, batches, keys }
}

async fn measure(day: &Day, config: &Configuration, prepared: Prepared, scale: f64) -> Measured {
	let Prepared { dirs, batches, keys } = prepared;
	let paths: Vec<PathBuf> = dirs.iter().map(|d| d.path().to_path_buf()).collect();

	// The day starts at the anchor, a little after every process has started.
	let anchor = chrono::Utc::now() + START_LEAD;
	let start = Instant::now() + START_LEAD;
	let from = day.from.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
	let anchor_text = anchor.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
	let scale_text = scale.to_string();
	let mut emulators = Vec::new();
	// `links[station][satellite]`: the address of that satellite's link to that station.
	let mut links = vec![Vec::new(); config.stations.len()];
	for (k, &satellite) in config.satellites.iter().enumerate() {
		let tle = format!("{EMULATOR_CRATE}/{}", day.satellites[satellite].1);
		let extra_addrs: Vec<String> = (1..config.stations.len())
			.map(|_| format!("127.0.0.1:{}", common::free_port()))
			.collect();
		let mut args = vec!["--satellite-id".to_string(), k.to_string(), "--tle".into(), tle];
		for (j, &station) in config.stations.iter().enumerate() {
			if j > 0 {
				args.extend(["--listen".into(), extra_addrs[j - 1].clone()]);
			}
			args.push(format!("--station={}", day.stations[station].1));
		}
		args.extend([
			"--orbit-start".into(),
			from.clone(),
			"--orbit-anchor".into(),
			anchor_text.clone(),
			"--time-scale".into(),
			scale_text.clone(),
		]);
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		let emulator = common::Emulator::start(&paths[k], GENESIS, &args).await;
		links[0].push(emulator.addr().to_string());
		for (j, addr) in extra_addrs.into_iter().enumerate() {
			links[j + 1].push(addr);
		}
		emulators.push(emulator);
	}
	let (events_tx, mut events) = mpsc::unbounded_channel::<(usize, LinkIndex, LinkEvent)>();
	let mut stations = Vec::new();
	for (j, addresses) in links.iter().enumerate() {
		let configs = addresses
			.iter()
			.map(|address| {
				let mut link = LinkConfig::new(address.clone(), GENESIS);
				link.window = 64;
				link.status_every = Duration::from_millis(20);
				link.rto_min = Duration::from_millis(50);
				link.rto_max = Duration::from_secs(2);
				link
			})
			.collect();
		let (tx, mut rx) = mpsc::unbounded_channel();
		let (handle, _tasks) = Links::spawn(configs, tx);
		let events_tx = events_tx.clone();
		tokio::spawn(async move {
			while let Some((index, event)) = rx.recv().await {
				let _ = events_tx.send((j, index, event));
			}
		});
		stations.push((handle, _tasks));
	}

	let orbit_s = |at: Instant| at.saturating_duration_since(start).as_secs_f64() * scale;
	let due = |i: usize| start + Duration::from_secs_f64(i as f64 * day.interval_s / scale);
	// Batches still waiting at twice the day's end are left uncounted.
	let deadline =
		start + Duration::from_secs_f64(2.0 * day.submissions as f64 * day.interval_s / scale);
	let index: HashMap<BatchId, usize> =
		batches.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
	let mut waits_s = vec![None; batches.len()];
	let mut by_satellite = vec![0; config.satellites.len()];
	let mut rejected = 0;
	let mut next = 0;
	let mut open = batches.len();
	while open > 0 {
		let wake = if next < batches.len() { due(next).min(deadline) } else { deadline };
		tokio::select! {
			_ = tokio::time::sleep_until(wake.into()) => {
				if Instant::now() >= deadline {
					break;
				}
				while next < batches.len() && due(next) <= Instant::now() {
					for (handle, _) in &stations {
						handle.sign(batches[next].id, batches[next].job.clone());
					}
					next += 1;
				}
			},
			Some((_, _, event)) = events.recv() => match event {
				LinkEvent::Countersignature { batch_id, countersignature, .. } => {
					let Some(&i) = index.get(&batch_id) else { continue };
					let satellite = countersignature.satellite_id as usize;
					let Some(key) = keys.get(satellite).map(|k| k[i % SERVERS]) else { continue };
					let valid = countersignature.verify(&batch_id, &batches[i].server_signature, &key).is_ok();
					if valid && waits_s[i].is_none() {
						let submitted = orbit_s(due(i));
						waits_s[i] = Some((orbit_s(Instant::now()) - submitted).max(0.0));
						by_satellite[satellite] += 1;
						open -= 1;
						for (handle, _) in &stations {
							handle.cancel(batch_id);
						}
					}
				},
				LinkEvent::Rejected { .. } => rejected += 1,
				_ => {},
			},
		}
	}
	for emulator in &emulators {
		emulator.assert_running();
	}
	drop(stations);
	Measured { waits_s, by_satellite, rejected }
}

/// The nearest-rank `p`-th percentile of sorted `values`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
	let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
	sorted[rank.min(sorted.len()) - 1]
}

fn hms(seconds: f64) -> String {
	let s = seconds.round() as u64;
	format!("{}h{:02}m{:02}s", s / 3600, (s % 3600) / 60, s % 60)
}

fn summary(values: &[f64]) -> String {
	let mut sorted = values.to_vec();
	sorted.sort_by(f64::total_cmp);
	format!(
		"median {}, p95 {}, worst {}",
		hms(percentile(&sorted, 50.0)),
		hms(percentile(&sorted, 95.0)),
		hms(*sorted.last().unwrap_or(&0.0))
	)
}

async fn run() -> Result<(), String> {
	let path = pass_wait_json();
	let day = load_day(&path)?;
	let scale: f64 = std::env::var("BENCH_TIME_SCALE")
		.ok()
		.and_then(|v| v.parse().ok())
		.filter(|s: &f64| *s >= 1.0)
		.unwrap_or(360.0);
	println!(
		"day from {}, {} batches one every {} s, {}x, geometry from {}",
		day.from,
		day.submissions,
		day.interval_s,
		scale,
		path.display()
	);
	// Every server provisioned first, so that no configuration's day is held up by another's
	// preparation; then the four days side by side, each on its own task.
	let prepared: Vec<Prepared> = day.configurations.iter().map(|c| prepare(&day, c)).collect();
	let day = std::sync::Arc::new(day);
	let mut runs = Vec::new();
	for (i, prepared) in prepared.into_iter().enumerate() {
		let day = day.clone();
		runs.push(tokio::spawn(async move {
			measure(&day, &day.configurations[i], prepared, scale).await
		}));
	}
	let mut results = Vec::new();
	for run in runs {
		results.push(run.await.map_err(|e| format!("a configuration's run failed: {e}"))?);
	}
	println!(
		"\n| configuration | geometric bound | measured: submit → countersigned | + chain ({CHAIN_S} s): submit → certified | measured − bound | by satellite |"
	);
	println!("|---|---|---|---|---|---|");
	for (config, measured) in day.configurations.iter().zip(&results) {
		let missing = measured.waits_s.iter().filter(|w| w.is_none()).count();
		let waits: Vec<f64> = measured.waits_s.iter().flatten().copied().collect();
		let certified: Vec<f64> = waits.iter().map(|w| w + CHAIN_S).collect();
		let excess: Vec<f64> = measured
			.waits_s
			.iter()
			.zip(&config.bound_s)
			.filter_map(|(w, b)| w.map(|w| w - b))
			.collect();
		let mut sorted_excess = excess.clone();
		sorted_excess.sort_by(f64::total_cmp);
		println!(
			"| {} | {} | {}{} | {} | median {:+.0} s, p95 {:+.0} s, max {:+.0} s, min {:+.0} s | {:?}{} |",
			config.name,
			summary(&config.bound_s),
			summary(&waits),
			if missing > 0 { format!(" ({missing} not countersigned)") } else { String::new() },
			summary(&certified),
			percentile(&sorted_excess, 50.0),
			percentile(&sorted_excess, 95.0),
			sorted_excess.last().copied().unwrap_or_default(),
			sorted_excess.first().copied().unwrap_or_default(),
			measured.by_satellite,
			if measured.rejected > 0 { format!(", {} refused", measured.rejected) } else { String::new() },
		);
	}
	let missing: usize =
		results.iter().map(|m| m.waits_s.iter().filter(|w| w.is_none()).count()).sum();
	if missing > 0 {
		return Err(format!("{missing} batches were not countersigned by the deadline"));
	}
	Ok(())
}

fn main() -> std::process::ExitCode {
	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
	match runtime.block_on(run()) {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("constellation_wait: {error}");
			std::process::ExitCode::FAILURE
		},
	}
}
