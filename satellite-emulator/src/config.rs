//! `run`'s flags ([`RunArgs`]) and the validated configuration they become
//! ([`EmulatorConfig`]) before any socket is opened or file touched.

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use sp_core::H256;
use space_notary_primitives::{text::parse_h256, SatelliteId};
use std::{net::SocketAddr, num::NonZeroU64, path::PathBuf, time::Duration};

use crate::{
	link_model::LinkParams,
	orbit::{GroundStation, OrbitError, Satellite, Tle},
	pass::{OrbitPasses, PassSchedule},
	policy::PolicyLimits,
	provisioning::StateDir,
};

/// A named set of link parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LinkProfile {
	/// No bandwidth limit, no latency, no loss, always in view.
	Ideal,
	/// Amateur-band UHF (435 MHz) at 9.6 kbit/s, GMSK, as flown by most cubesats.
	Uhf,
	/// S-band (2.2 GHz) at 1 Mbit/s, as on larger small satellites.
	Sband,
}

impl LinkProfile {
	/// The profile's parameters.
	///
	/// Latency is the one-way time from the first bit sent to the first bit out of the
	/// receiver's modem: 2 to 10 ms of propagation at LEO ranges (500 to 3000 km) plus the
	/// radios' turnaround and modem delay, which dominates at UHF (keying and training a
	/// half-duplex radio takes 100 ms or so). Loss and corruption are per packet after the
	/// radio's own coding, on a pass at moderate elevation.
	pub fn params(self) -> LinkParams {
		match self {
			Self::Ideal => LinkParams {
				bandwidth_bps: None,
				latency: Duration::ZERO,
				loss: 0.0,
				corruption: 0.0,
			},
			Self::Uhf => LinkParams {
				bandwidth_bps: NonZeroU64::new(9_600),
				latency: Duration::from_millis(150),
				loss: 0.02,
				corruption: 0.01,
			},
			Self::Sband => LinkParams {
				bandwidth_bps: NonZeroU64::new(1_000_000),
				latency: Duration::from_millis(20),
				loss: 0.001,
				corruption: 0.001,
			},
		}
	}
}

/// Default freshness window, seconds: 13 h.
///
/// Rule (docs/design.md, "Time"): the satellite's freshness window for `issued_at_ms` must be at
/// least the chain's `BatchTtl` (12 h in the runtime) plus the time a server takes to submit a
/// batch after issuing its certificate, or a batch still pending on chain could be refused as
/// `Stale` on the pass that finally reaches it. 13 h leaves the server an hour.
pub const DEFAULT_FRESHNESS_S: u64 = 13 * 60 * 60;

/// Default `--max-connections`: a few ground stations, each with a spare connection while it
/// reconnects. Every connection holds bounded buffers (see `connection`), so the cap bounds the
/// satellite's memory for links.
pub const DEFAULT_MAX_CONNECTIONS: usize = 16;

/// Default `--idle-timeout-secs`: 5 minutes, far above the gaps of a working ground station
/// (a UHF packet takes at most a second of air time) and short enough that connections whose
/// peer vanished without a FIN do not hold the connection slots for long.
pub const DEFAULT_IDLE_TIMEOUT_S: u64 = 300;

/// Flags of `satellite-emulator run`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
	/// Address to serve the space link on (CCSDS packets over TCP). Repeat it for several
	/// ground stations: each address is one station's link, the first station 0, each with its
	/// own passes (see `--station` and `--pass-period`).
	#[arg(long = "listen", default_value = "127.0.0.1:7700")]
	pub listen: Vec<SocketAddr>,
	/// State directory made by `provision`.
	#[arg(long)]
	pub state_dir: PathBuf,
	/// Genesis hash of the chain whose certificates are signed (0x + 64 hex digits).
	#[arg(long, value_parser = parse_h256)]
	pub genesis_hash: H256,
	/// This satellite's number, as the registrar gave it on chain (`add_satellite`); every
	/// countersignature names it.
	#[arg(long, default_value_t = 0)]
	pub satellite_id: SatelliteId,
	/// Link profile; the flags below override its values.
	#[arg(long, value_enum, default_value = "ideal")]
	pub profile: LinkProfile,
	/// Bandwidth in bit/s, each direction.
	#[arg(long)]
	pub bandwidth: Option<u64>,
	/// One-way latency in milliseconds.
	#[arg(long)]
	pub latency_ms: Option<u64>,
	/// Probability that a packet is lost, 0 to 1.
	#[arg(long)]
	pub loss: Option<f64>,
	/// Probability that a packet arrives with flipped bits, 0 to 1.
	#[arg(long)]
	pub corruption: Option<f64>,
	/// Fixed pass windows: orbit period in (orbit) seconds.
	#[arg(long)]
	pub pass_period: Option<f64>,
	/// Fixed pass windows: pass length in (orbit) seconds, at the start of each period.
	#[arg(long)]
	pub pass_duration: Option<f64>,
	/// Passes from this TLE file (2 or 3 lines) over `--station`.
	#[arg(long)]
	pub tle: Option<PathBuf>,
	/// Ground station for `--tle`: LAT,LON,ALT (degrees, degrees, metres). Repeat it, once for
	/// each `--listen`, in the same order: station k's link follows the passes over station k.
	/// A southern latitude may follow the flag as it is (`--station -3.0,40.19,10`).
	#[arg(long = "station", allow_hyphen_values = true)]
	pub station: Vec<GroundStation>,
	/// Elevation mask of the ground station, degrees.
	#[arg(long, default_value_t = GroundStation::DEFAULT_MIN_ELEVATION_DEG)]
	pub min_elevation: f64,
	/// Orbit time at start-up (RFC 3339); defaults to now.
	#[arg(long)]
	pub orbit_start: Option<DateTime<Utc>>,
	/// The wall-clock time (RFC 3339) at which orbit time is `--orbit-start`, instead of
	/// start-up: emulated satellites started one after the other share one orbit clock when
	/// given the same anchor (with `--time-scale` above 1, a start-up a second apart would put
	/// them minutes of orbit apart). Before the anchor, orbit time stands at `--orbit-start`.
	#[arg(long, requires = "orbit_start")]
	pub orbit_anchor: Option<DateTime<Utc>>,
	/// Orbit time runs this many times faster than the wall clock (passes only).
	#[arg(long, default_value_t = 1.0)]
	pub time_scale: f64,
	/// Seed of the loss and corruption draws; random (and logged) if absent.
	#[arg(long)]
	pub seed: Option<u64>,
	/// How old a certificate's `issued_at_ms` may be, seconds (see [`DEFAULT_FRESHNESS_S`]).
	#[arg(long, default_value_t = DEFAULT_FRESHNESS_S)]
	pub freshness_s: u64,
	/// How far ahead of the satellite clock `issued_at_ms` may be, seconds.
	#[arg(long, default_value_t = 30)]
	pub max_skew_s: u64,
	/// Most transactions in one batch.
	#[arg(long, default_value_t = 10_000)]
	pub max_txs: u32,
	/// Most bytes in one batch.
	#[arg(long, default_value_t = 1 << 20)]
	pub max_bytes: u64,
	/// Sign requests that may wait for the signer; beyond, the answer is `Busy`.
	#[arg(long, default_value_t = 64)]
	pub queue_depth: usize,
	/// `retry_after_ms` suggested in `Busy`.
	#[arg(long, default_value_t = 500)]
	pub busy_retry_ms: u32,
	/// Ground station connections served at once; beyond, new ones are closed on arrival.
	#[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS)]
	pub max_connections: usize,
	/// Close a connection whose ground station has sent nothing, or taken nothing sent to it,
	/// for this many seconds.
	#[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT_S)]
	pub idle_timeout_secs: u64,
	/// Serve Prometheus metrics on this address (`GET /metrics`).
	#[arg(long)]
	pub metrics: Option<SocketAddr>,
}

/// A flag, or a combination of flags, that cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
	/// A probability outside `[0, 1]`.
	#[error("--{flag} must be within 0 and 1, got {value}")]
	BadRate {
		/// The flag.
		flag: &'static str,
		/// Its value.
		value: f64,
	},
	/// `--bandwidth 0`.
	#[error("--bandwidth must be above 0 bit/s")]
	ZeroBandwidth,
	/// Fixed windows and a TLE at once.
	#[error("give either --pass-period/--pass-duration or --tle/--station, not both")]
	BothPassKinds,
	/// Only one of `--pass-period` and `--pass-duration`.
	#[error("--pass-period and --pass-duration go together")]
	IncompletePassWindow,
	/// Only one of `--tle` and `--station`.
	#[error("--tle and --station go together")]
	IncompleteOrbit,
	/// With `--tle`, a `--station` count other than the `--listen` count.
	#[error("{stations} --station for {links} --listen: give one station for each link, in the same order")]
	StationsPerLink {
		/// `--station` given.
		stations: usize,
		/// `--listen` given.
		links: usize,
	},
	/// The same `--listen` address twice.
	#[error("--listen {0} is given twice: each station needs a link of its own")]
	DuplicateListen(SocketAddr),
	/// A pass that is empty, longer than its period, or not a number.
	#[error(
		"a pass of {duration} s every {period} s is not a pass window (0 < duration <= period)"
	)]
	BadPassWindow {
		/// `--pass-period`.
		period: f64,
		/// `--pass-duration`.
		duration: f64,
	},
	/// `--time-scale` not a positive number.
	#[error("--time-scale must be a positive number, got {0}")]
	BadTimeScale(f64),
	/// A limit of zero.
	#[error("--{0} must be above 0")]
	ZeroLimit(&'static str),
	/// The TLE file could not be read.
	#[error("cannot read TLE file {path}: {source}")]
	ReadTle {
		/// The file.
		path: PathBuf,
		/// Why.
		source: std::io::Error,
	},
	/// The TLE is invalid, the elevation mask is out of range, or passes cannot be predicted.
	#[error(transparent)]
	Orbit(#[from] OrbitError),
}

/// Everything `run` needs, checked.
pub struct EmulatorConfig {
	/// Keys and signing record.
	pub state_dir: StateDir,
	/// The number every countersignature names.
	pub satellite_id: SatelliteId,
	/// The step-4 limits.
	pub limits: PolicyLimits,
	/// Link parameters, the same in both directions.
	pub link: LinkParams,
	/// When the satellite is in view of station 0 (orbit time), the station whose link is the
	/// listener `server::run` is given.
	pub passes: PassSchedule,
	/// Stations 1, 2, …: each a link of its own, with its own passes.
	pub more_stations: Vec<StationLink>,
	/// Orbit time at start-up, or at `orbit_anchor`.
	pub orbit_start: DateTime<Utc>,
	/// The wall-clock time at which orbit time is `orbit_start` (`None`: start-up).
	pub orbit_anchor: Option<DateTime<Utc>>,
	/// Orbit time per wall-clock time.
	pub time_scale: f64,
	/// Seed of the loss and corruption draws.
	pub seed: u64,
	/// Sign requests that may wait for the signer.
	pub queue_depth: usize,
	/// `retry_after_ms` suggested in `Busy`.
	pub busy_retry_ms: u32,
	/// Connections served at once.
	pub max_connections: usize,
	/// How long a connection may go without receiving a byte, or with a write to its ground
	/// station stalled, before it is closed.
	pub idle_timeout: Duration,
	/// Where to serve metrics, if anywhere.
	pub metrics: Option<SocketAddr>,
}

/// A ground station's link beyond the first: where it is served and when the satellite is in
/// its view.
pub struct StationLink {
	/// Address of the station's link.
	pub listen: SocketAddr,
	/// Its passes (orbit time).
	pub passes: PassSchedule,
}

fn rate(flag: &'static str, value: f64) -> Result<f64, ConfigError> {
	if (0.0..=1.0).contains(&value) {
		Ok(value)
	} else {
		Err(ConfigError::BadRate { flag, value })
	}
}

impl EmulatorConfig {
	/// An `ideal`-profile configuration with default limits, for tests and embedding.
	pub fn ideal(state_dir: impl Into<PathBuf>, genesis_hash: H256) -> Self {
		Self {
			state_dir: StateDir::new(state_dir),
			satellite_id: 0,
			limits: PolicyLimits {
				genesis_hash,
				freshness_ms: DEFAULT_FRESHNESS_S * 1000,
				max_skew_ms: 30_000,
				max_txs: 10_000,
				max_bytes: 1 << 20,
			},
			link: LinkProfile::Ideal.params(),
			passes: PassSchedule::Always,
			more_stations: Vec::new(),
			orbit_start: Utc::now(),
			orbit_anchor: None,
			time_scale: 1.0,
			seed: 0,
			queue_depth: 64,
			busy_retry_ms: 500,
			max_connections: DEFAULT_MAX_CONNECTIONS,
			idle_timeout: Duration::from_secs(DEFAULT_IDLE_TIMEOUT_S),
			metrics: None,
		}
	}

	/// Checks `args` and builds the configuration; reads the TLE file if one is given.
	pub fn from_args(args: RunArgs) -> Result<Self, ConfigError> {
		let mut link = args.profile.params();
		if let Some(bps) = args.bandwidth {
			link.bandwidth_bps = Some(NonZeroU64::new(bps).ok_or(ConfigError::ZeroBandwidth)?);
		}
		if let Some(ms) = args.latency_ms {
			link.latency = Duration::from_millis(ms);
		}
		if let Some(loss) = args.loss {
			link.loss = rate("loss", loss)?;
		}
		if let Some(corruption) = args.corruption {
			link.corruption = rate("corruption", corruption)?;
		}
		if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
			return Err(ConfigError::BadTimeScale(args.time_scale));
		}
		if args.max_txs == 0 {
			return Err(ConfigError::ZeroLimit("max-txs"));
		}
		if args.queue_depth == 0 {
			return Err(ConfigError::ZeroLimit("queue-depth"));
		}
		if args.max_connections == 0 {
			return Err(ConfigError::ZeroLimit("max-connections"));
		}
		if args.idle_timeout_secs == 0 {
			return Err(ConfigError::ZeroLimit("idle-timeout-secs"));
		}
		let orbit_start = args.orbit_start.unwrap_or_else(Utc::now);
		let links = args.listen.len();
		for (k, addr) in args.listen.iter().enumerate() {
			if args.listen[..k].contains(addr) {
				return Err(ConfigError::DuplicateListen(*addr));
			}
		}
		let fixed = args.pass_period.is_some() || args.pass_duration.is_some();
		let orbit = args.tle.is_some() || !args.station.is_empty();
		// One schedule per link, station k's at index k.
		let mut schedules: Vec<PassSchedule> = match (fixed, orbit) {
			(true, true) => return Err(ConfigError::BothPassKinds),
			(false, false) => (0..links).map(|_| PassSchedule::Always).collect(),
			(true, false) => {
				let (Some(period), Some(duration)) = (args.pass_period, args.pass_duration) else {
					return Err(ConfigError::IncompletePassWindow);
				};
				let valid = period.is_finite() && duration > 0.0 && duration <= period;
				if !valid {
					return Err(ConfigError::BadPassWindow { period, duration });
				}
				// Station k's passes begin k/n of a period after station 0's: the stations lie
				// spread along the ground track, as stations at distinct longitudes do.
				(0..links)
					.map(|k| PassSchedule::Fixed {
						period: Duration::from_secs_f64(period),
						duration: Duration::from_secs_f64(duration),
						offset: Duration::from_secs_f64(period * k as f64 / links as f64),
					})
					.collect()
			},
			(false, true) => {
				let Some(path) = args.tle else { return Err(ConfigError::IncompleteOrbit) };
				if args.station.is_empty() {
					return Err(ConfigError::IncompleteOrbit);
				}
				if args.station.len() != links {
					return Err(ConfigError::StationsPerLink {
						stations: args.station.len(),
						links,
					});
				}
				let text = std::fs::read_to_string(&path)
					.map_err(|source| ConfigError::ReadTle { path, source })?;
				let tle = Tle::parse(&text)?;
				let mut schedules = Vec::with_capacity(links);
				for station in args.station {
					let satellite = Satellite::new(&tle)?;
					let station = station.with_min_elevation(args.min_elevation);
					station.validate()?;
					schedules.push(PassSchedule::Orbit(Box::new(OrbitPasses::new(
						satellite,
						station,
						orbit_start,
					)?)));
				}
				schedules
			},
		};
		let more_stations = args
			.listen
			.iter()
			.skip(1)
			.zip(schedules.drain(1..))
			.map(|(listen, passes)| StationLink { listen: *listen, passes })
			.collect();
		let passes = schedules.pop().unwrap_or(PassSchedule::Always);
		Ok(Self {
			state_dir: StateDir::new(args.state_dir),
			satellite_id: args.satellite_id,
			limits: PolicyLimits {
				genesis_hash: args.genesis_hash,
				freshness_ms: args.freshness_s.saturating_mul(1000),
				max_skew_ms: args.max_skew_s.saturating_mul(1000),
				max_txs: args.max_txs,
				max_bytes: args.max_bytes,
			},
			link,
			passes,
			more_stations,
			orbit_start,
			orbit_anchor: args.orbit_anchor,
			time_scale: args.time_scale,
			seed: args.seed.unwrap_or_else(rand::random),
			queue_depth: args.queue_depth,
			busy_retry_ms: args.busy_retry_ms,
			max_connections: args.max_connections,
			idle_timeout: Duration::from_secs(args.idle_timeout_secs),
			metrics: args.metrics,
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	#[derive(Parser)]
	struct Cli {
		#[command(flatten)]
		run: RunArgs,
	}

	fn config(extra: &[&str]) -> Result<EmulatorConfig, ConfigError> {
		let mut argv = vec!["x", "--state-dir", "/tmp/x", "--genesis-hash"];
		let genesis = format!("0x{}", "ab".repeat(32));
		argv.push(&genesis);
		argv.extend_from_slice(extra);
		EmulatorConfig::from_args(Cli::try_parse_from(argv).unwrap().run)
	}

	#[test]
	fn profiles_and_overrides() {
		let c = config(&["--profile", "uhf", "--loss", "0.5"]).unwrap();
		assert_eq!(c.link.bandwidth_bps, NonZeroU64::new(9600));
		assert_eq!(c.link.loss, 0.5);
		assert_eq!(c.link.corruption, LinkProfile::Uhf.params().corruption);
		assert!(matches!(c.passes, PassSchedule::Always));
		assert_eq!(c.limits.genesis_hash, H256::repeat_byte(0xab));
		assert_eq!(c.satellite_id, 0, "the satellite of a server registered with its default");
		assert_eq!(config(&["--satellite-id", "25544"]).unwrap().satellite_id, 25_544);
		let c = config(&["--pass-period", "5400", "--pass-duration", "600"]).unwrap();
		assert!(matches!(c.passes, PassSchedule::Fixed { .. }));
	}

	#[test]
	fn each_listen_is_a_station_with_its_own_passes() {
		let c = config(&[
			"--listen",
			"127.0.0.1:7700",
			"--listen",
			"127.0.0.1:7710",
			"--pass-period",
			"5400",
			"--pass-duration",
			"600",
		])
		.unwrap();
		assert!(matches!(c.passes, PassSchedule::Fixed { offset, .. } if offset.is_zero()));
		assert_eq!(c.more_stations.len(), 1);
		assert_eq!(c.more_stations[0].listen, "127.0.0.1:7710".parse().unwrap());
		assert!(matches!(
			c.more_stations[0].passes,
			PassSchedule::Fixed { offset, .. } if offset == Duration::from_secs(2700)
		));
		assert!(config(&[]).unwrap().more_stations.is_empty());
		assert!(matches!(
			config(&["--listen", "127.0.0.1:1", "--listen", "127.0.0.1:1"]),
			Err(ConfigError::DuplicateListen(_))
		));
		let tle = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iss_2018-07-03.tle");
		assert!(matches!(
			config(&[
				"--listen",
				"127.0.0.1:1",
				"--listen",
				"127.0.0.1:2",
				"--tle",
				tle,
				"--station",
				"1,2,3"
			]),
			Err(ConfigError::StationsPerLink { stations: 1, links: 2 })
		));
		let c = config(&[
			"--listen",
			"127.0.0.1:1",
			"--listen",
			"127.0.0.1:2",
			"--tle",
			tle,
			"--station",
			"51.5,-0.1,20",
			"--station",
			"78.2,15.4,500",
		])
		.unwrap();
		assert!(matches!(c.passes, PassSchedule::Orbit(_)));
		assert!(matches!(c.more_stations[0].passes, PassSchedule::Orbit(_)));
	}

	#[test]
	fn connection_cap_and_idle_timeout_have_small_defaults_and_flags() {
		let c = config(&[]).unwrap();
		assert_eq!(c.max_connections, DEFAULT_MAX_CONNECTIONS);
		assert_eq!(c.idle_timeout, Duration::from_secs(DEFAULT_IDLE_TIMEOUT_S));
		let c = config(&["--max-connections", "3", "--idle-timeout-secs", "7"]).unwrap();
		assert_eq!((c.max_connections, c.idle_timeout), (3, Duration::from_secs(7)));
		assert!(matches!(
			config(&["--max-connections", "0"]),
			Err(ConfigError::ZeroLimit("max-connections"))
		));
		assert!(matches!(
			config(&["--idle-timeout-secs", "0"]),
			Err(ConfigError::ZeroLimit("idle-timeout-secs"))
		));
	}

	#[test]
	fn bad_flags_are_named_before_anything_runs() {
		assert!(matches!(
			config(&["--loss", "1.5"]),
			Err(ConfigError::BadRate { flag: "loss", .. })
		));
		assert!(matches!(
			config(&["--corruption", "NaN"]),
			Err(ConfigError::BadRate { flag: "corruption", .. })
		));
		assert!(matches!(config(&["--bandwidth", "0"]), Err(ConfigError::ZeroBandwidth)));
		assert!(matches!(config(&["--time-scale", "0"]), Err(ConfigError::BadTimeScale(_))));
		assert!(matches!(config(&["--pass-period", "10"]), Err(ConfigError::IncompletePassWindow)));
		assert!(matches!(
			config(&["--pass-period", "10", "--pass-duration", "20"]),
			Err(ConfigError::BadPassWindow { .. })
		));
		assert!(matches!(
			config(&["--pass-period", "10", "--pass-duration", "5", "--tle", "x"]),
			Err(ConfigError::BothPassKinds)
		));
		assert!(matches!(config(&["--tle", "x"]), Err(ConfigError::IncompleteOrbit)));
		assert!(matches!(
			config(&["--tle", "/nonexistent/tle", "--station", "1,2,3"]),
			Err(ConfigError::ReadTle { .. })
		));
		assert!(matches!(config(&["--max-txs", "0"]), Err(ConfigError::ZeroLimit("max-txs"))));
		let tle = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iss_2018-07-03.tle");
		assert!(matches!(
			config(&["--tle", tle, "--station", "1,2,3", "--min-elevation", "91"]),
			Err(ConfigError::Orbit(OrbitError::InvalidStation { .. }))
		));
	}

	#[test]
	fn genesis_hash_and_station_are_typed_by_clap() {
		let parse = |extra: &[&str]| {
			let mut argv = vec!["x", "--state-dir", "/tmp/x"];
			argv.extend_from_slice(extra);
			Cli::try_parse_from(argv).map(|cli| cli.run)
		};
		let genesis = format!("0x{}", "ab".repeat(32));
		let args = parse(&["--genesis-hash", &genesis, "--station", "51.5, -0.1, 20"]).unwrap();
		assert_eq!(args.genesis_hash, H256::repeat_byte(0xab));
		assert_eq!(args.station, vec![GroundStation::new(51.5, -0.1, 20.0)]);
		// Bare hex, as before.
		assert!(parse(&["--genesis-hash", &genesis[2..]]).is_ok());
		// An anchor is the wall-clock time of `--orbit-start`: one without the other is refused.
		let anchor = ["--genesis-hash", &genesis, "--orbit-anchor", "2026-12-06T00:00:00Z"];
		let error = parse(&anchor).expect_err("--orbit-anchor alone");
		assert_eq!(error.kind(), clap::error::ErrorKind::MissingRequiredArgument);
		let both = [&anchor[..], &["--orbit-start", "2015-03-02T11:42:31Z"]].concat();
		let args = parse(&both).unwrap();
		assert_eq!(args.orbit_anchor.map(|a| a.timestamp()), Some(1_796_515_200));
		for bad in [
			&["--genesis-hash", "0x12"][..],
			&["--genesis-hash", "zz"][..],
			&["--genesis-hash", &genesis, "--station", "91,0,0"][..],
			&["--genesis-hash", &genesis, "--station", "1,2"][..],
			&["--genesis-hash", &genesis, "--satellite-id", "ISS"][..],
			&["--genesis-hash", &genesis, "--satellite-id", "4294967296"][..],
		] {
			let error = parse(bad).err().unwrap_or_else(|| panic!("{bad:?} parsed"));
			assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation, "{bad:?}");
		}
	}
}
