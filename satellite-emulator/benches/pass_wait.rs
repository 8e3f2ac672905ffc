//! How long a batch waits for a pass, from the pass geometry alone: the least the orbits
//! allow, not a measured certification latency (the link, the queues and the chain come on
//! top of it).
//!
//! `cargo bench -p satellite-emulator --bench pass_wait [-- --json PATH]`
//!
//! Over the 24 hours from the latest epoch of the TLEs in `data/tle/`, a batch is submitted
//! every minute (1 440 in all). Each waits until some (satellite, station) pair is in a pass:
//! zero if one is under way, else the time to the earliest next pass start of any pair
//! (`orbit::constellation::ContactWindows::wait_at`). Passes are predicted 24 h further, so
//! that the day's last batches see their pass too. Four configurations: 1 satellite × 1
//! station, 3 × 1, 1 × 3 and 3 × 3 (the single satellite is the sun-synchronous QB50P1, the
//! single station Oberpfaffenhofen, 48° N). Mask 10°.
//!
//! Prints a table (median, 95th percentile, worst and mean wait; passes of every pair in the
//! day; merged contact windows; the share of the day in contact; the longest gap that opens in
//! the day, to its end) and writes
//! the same as JSON, with every batch's submission time and wait, to `--json PATH`, else
//! `$PASS_WAIT_JSON`, else `pass_wait.json` in the target directory. In it, each
//! configuration's `waits_s[k]` is the wait of the batch submitted at
//! `from + k × submission_interval_s`, in seconds to the millisecond. The result depends on the
//! data alone: no wall clock, no randomness.
//!
//! Percentiles are nearest-rank: the p-th is the smallest wait that at least p % of the
//! batches do not exceed.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use satellite_emulator::orbit::{
	constellation::{Constellation, ContactWindows, TimeWindow},
	GroundStation, Satellite, Tle,
};
use std::{fmt::Write as _, path::PathBuf, process::ExitCode};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
/// The satellites, by TLE file under `data/tle/`: sun-synchronous first.
const TLE_FILES: [&str; 3] =
	["qb50p1_2015-03-02.tle", "flock-1b-27_2015-03-02.tle", "aist-2_2015-03-02.tle"];
/// The station of the single-station configurations, by name in `data/stations.txt`.
const SINGLE_STATION: &str = "Oberpfaffenhofen";
/// Batches are submitted over this many hours…
const DAY_HOURS: i64 = 24;
/// …one every this many seconds.
const SUBMISSION_INTERVAL_S: i64 = 60;
/// Passes are predicted this much beyond the day, so the last batches' waits are known.
const LOOKAHEAD_HOURS: i64 = 24;

struct Site {
	name: String,
	station: GroundStation,
}

struct Orbit {
	name: String,
	file: &'static str,
	epoch: DateTime<Utc>,
	satellite: Satellite,
}

/// One configuration's figures.
struct Figures {
	name: String,
	satellites: Vec<String>,
	stations: Vec<String>,
	/// Every pair's passes that overlap the day.
	pair_passes: usize,
	/// Merged contact windows that overlap the day.
	contact_windows: usize,
	/// The share of the day some pair is in contact.
	contact_fraction: f64,
	/// The longest time without contact that begins in the day (the first is cut at its start).
	longest_gap: TimeDelta,
	/// One per batch, in submission order.
	waits: Vec<TimeDelta>,
	median: TimeDelta,
	p95: TimeDelta,
	worst: TimeDelta,
	mean: TimeDelta,
}

fn main() -> ExitCode {
	match run() {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("pass_wait: {error}");
			ExitCode::FAILURE
		},
	}
}

fn run() -> Result<(), String> {
	let json_path = json_path()?;
	let orbits = load_orbits()?;
	let sites = load_sites()?;
	let from = orbits.iter().map(|orbit| orbit.epoch).max().ok_or("no TLE")?;
	let single_station = sites
		.iter()
		.position(|site| site.name == SINGLE_STATION)
		.ok_or(format!("no station named {SINGLE_STATION} in data/stations.txt"))?;
	let all_satellites: Vec<usize> = (0..orbits.len()).collect();
	let all_stations: Vec<usize> = (0..sites.len()).collect();
	let configurations = [
		(vec![0], vec![single_station]),
		(all_satellites.clone(), vec![single_station]),
		(vec![0], all_stations.clone()),
		(all_satellites, all_stations),
	];
	let mut results = Vec::new();
	for (satellites, stations) in configurations {
		results.push(measure(&orbits, &sites, &satellites, &stations, from)?);
	}

	print_table(&orbits, &sites, from, &results);
	let json = to_json(&orbits, &sites, from, &results);
	if let Some(dir) = json_path.parent() {
		std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
	}
	std::fs::write(&json_path, json).map_err(|e| format!("{}: {e}", json_path.display()))?;
	println!("\nJSON: {}", json_path.display());
	Ok(())
}

/// `--json PATH`, else `$PASS_WAIT_JSON`, else `pass_wait.json` in the target directory.
fn json_path() -> Result<PathBuf, String> {
	let mut args = std::env::args().skip(1);
	while let Some(arg) = args.next() {
		// Cargo adds `--bench`; anything else unknown is a mistake worth stopping for.
		match arg.as_str() {
			"--json" => return args.next().map(PathBuf::from).ok_or("--json needs a path".into()),
			"--bench" => {},
			other => return Err(format!("unknown argument {other:?} (only --json PATH)")),
		}
	}
	if let Some(path) = std::env::var_os("PASS_WAIT_JSON") {
		return Ok(PathBuf::from(path));
	}
	let target = match std::env::var_os("CARGO_TARGET_DIR") {
		Some(dir) => PathBuf::from(dir),
		// The bench runs as <target>/<profile>/deps/pass_wait-<hash>.
		None => std::env::current_exe()
			.ok()
			.and_then(|exe| {
				let deps = exe.parent()?;
				(deps.file_name()? == "deps").then(|| deps.parent()?.parent().map(PathBuf::from))?
			})
			.unwrap_or_else(|| PathBuf::from("target")),
	};
	Ok(target.join("pass_wait.json"))
}

fn load_orbits() -> Result<Vec<Orbit>, String> {
	TLE_FILES
		.iter()
		.map(|file| {
			let path = format!("{DATA}/tle/{file}");
			let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
			let tle = Tle::parse(&text).map_err(|e| format!("{path}: {e}"))?;
			let satellite = Satellite::new(&tle).map_err(|e| format!("{path}: {e}"))?;
			Ok(Orbit {
				name: tle.name.clone().unwrap_or_else(|| (*file).to_owned()),
				file,
				epoch: satellite.epoch(),
				satellite,
			})
		})
		.collect()
}

/// `data/stations.txt`: `LAT,LON,ALT NAME` a line, `#` comments.
fn load_sites() -> Result<Vec<Site>, String> {
	let path = format!("{DATA}/stations.txt");
	let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
	text.lines()
		.map(str::trim)
		.filter(|line| !line.is_empty() && !line.starts_with('#'))
		.map(|line| {
			let (position, name) = line
				.split_once(' ')
				.ok_or(format!("{path}: {line:?} is not `LAT,LON,ALT NAME`"))?;
			let station = position.parse().map_err(|e| format!("{path}: {e}"))?;
			Ok(Site { name: name.trim().to_owned(), station })
		})
		.collect()
}

fn measure(
	orbits: &[Orbit],
	sites: &[Site],
	satellites: &[usize],
	stations: &[usize],
	from: DateTime<Utc>,
) -> Result<Figures, String> {
	let mut constellation = Constellation::new();
	for &i in satellites {
		constellation.add_satellite(orbits[i].name.clone(), orbits[i].satellite.clone());
	}
	for &i in stations {
		constellation
			.add_station(sites[i].name.clone(), sites[i].station)
			.map_err(|e| e.to_string())?;
	}
	let plan = constellation
		.predict(from, (DAY_HOURS + LOOKAHEAD_HOURS) as f64)
		.map_err(|e| format!("{e}: {:?}", std::error::Error::source(&e).map(|s| s.to_string())))?;
	let day = TimeWindow { start: from, end: from + TimeDelta::hours(DAY_HOURS) };

	let submissions = DAY_HOURS * 3600 / SUBMISSION_INTERVAL_S;
	let waits = (0..submissions)
		.map(|k| {
			let at = from + TimeDelta::seconds(k * SUBMISSION_INTERVAL_S);
			plan.contacts.wait_at(at).ok_or(format!(
				"no pass within {LOOKAHEAD_HOURS} h of {at}: lengthen LOOKAHEAD_HOURS"
			))
		})
		.collect::<Result<Vec<_>, _>>()?;
	let mut sorted = waits.clone();
	sorted.sort_unstable();
	let total: TimeDelta = waits.iter().sum();

	let in_day = ContactWindows::merge(day, plan.contacts.windows().iter().copied());
	Ok(Figures {
		name: format!("{} × {}", satellites.len(), stations.len()),
		satellites: satellites.iter().map(|&i| orbits[i].name.clone()).collect(),
		stations: stations.iter().map(|&i| sites[i].name.clone()).collect(),
		pair_passes: plan
			.pairs
			.iter()
			.flat_map(|pair| &pair.passes)
			.filter(|pass| pass.start <= day.end)
			.count(),
		contact_windows: in_day.windows().len(),
		contact_fraction: in_day.contact_time(&day).as_seconds_f64()
			/ day.duration().as_seconds_f64(),
		// Gaps that open within the day, measured to their end in the next day's predictions.
		longest_gap: plan
			.contacts
			.gaps()
			.iter()
			.filter(|gap| gap.start < day.end)
			.map(TimeWindow::duration)
			.max()
			.unwrap_or_default(),
		median: nearest_rank(&sorted, 50),
		p95: nearest_rank(&sorted, 95),
		worst: sorted.last().copied().unwrap_or_default(),
		mean: total / waits.len().max(1) as i32,
		waits,
	})
}

/// The smallest value that at least `percent` % of `sorted` do not exceed.
fn nearest_rank(sorted: &[TimeDelta], percent: usize) -> TimeDelta {
	let rank = (percent * sorted.len()).div_ceil(100).max(1);
	sorted.get(rank - 1).copied().unwrap_or_default()
}

/// `1 h 02 m 03 s`, `4 m 10 s`, `0 s`.
fn human(duration: TimeDelta) -> String {
	let s = duration.num_seconds();
	match (s / 3600, s % 3600 / 60, s % 60) {
		(0, 0, sec) => format!("{sec} s"),
		(0, min, sec) => format!("{min} m {sec:02} s"),
		(h, min, sec) => format!("{h} h {min:02} m {sec:02} s"),
	}
}

fn time(at: DateTime<Utc>) -> String {
	at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn print_table(orbits: &[Orbit], sites: &[Site], from: DateTime<Utc>, results: &[Figures]) {
	println!(
		"Geometric wait for a pass: a batch every {SUBMISSION_INTERVAL_S} s for {DAY_HOURS} h from {} (the latest TLE epoch), mask {}°",
		time(from),
		GroundStation::DEFAULT_MIN_ELEVATION_DEG
	);
	for orbit in orbits {
		println!(
			"  satellite {:<12} epoch {}  (data/tle/{})",
			orbit.name,
			time(orbit.epoch),
			orbit.file
		);
	}
	for site in sites {
		println!("  station   {:<17} {}", site.name, site.station);
	}
	println!();
	println!(
		"{:<6} {:>6} {:>8} {:>8} {:>15} {:>15} {:>15} {:>15} {:>15}",
		"config", "passes", "windows", "contact", "median", "p95", "worst", "mean", "longest gap"
	);
	for figures in results {
		println!(
			"{:<6} {:>6} {:>8} {:>7.1}% {:>15} {:>15} {:>15} {:>15} {:>15}",
			figures.name,
			figures.pair_passes,
			figures.contact_windows,
			100.0 * figures.contact_fraction,
			human(figures.median),
			human(figures.p95),
			human(figures.worst),
			human(figures.mean),
			human(figures.longest_gap),
		);
	}
	for figures in results {
		println!(
			"  {}: {} over {}",
			figures.name,
			figures.satellites.join(", "),
			figures.stations.join(", ")
		);
	}
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
	let mut out = String::with_capacity(text.len() + 2);
	out.push('"');
	for c in text.chars() {
		match c {
			'"' => out.push_str("\\\""),
			'\\' => out.push_str("\\\\"),
			c if u32::from(c) < 0x20 => {
				let _ = write!(out, "\\u{:04x}", u32::from(c));
			},
			c => out.push(c),
		}
	}
	out.push('"');
	out
}

fn json_strings(items: &[String]) -> String {
	let quoted: Vec<String> = items.iter().map(|item| json_string(item)).collect();
	format!("[{}]", quoted.join(", "))
}

/// Seconds, to the millisecond.
fn seconds(duration: TimeDelta) -> String {
	format!("{:.3}", duration.as_seconds_f64())
}

/// The results as JSON. Written by hand: a fixed shape of numbers and short strings, and the
/// crate has no JSON dependency.
fn to_json(orbits: &[Orbit], sites: &[Site], from: DateTime<Utc>, results: &[Figures]) -> String {
	let mut out = String::new();
	let _ = writeln!(out, "{{");
	let _ = writeln!(out, "  \"benchmark\": \"pass_wait\",");
	let _ = writeln!(
		out,
		"  \"what\": \"geometric wait for the next pass of any (satellite, station) pair; a lower bound from the orbits, not a measured certification latency\","
	);
	let _ = writeln!(out, "  \"from\": {},", json_string(&time(from)));
	let _ = writeln!(out, "  \"day_hours\": {DAY_HOURS},");
	let _ = writeln!(out, "  \"submission_interval_s\": {SUBMISSION_INTERVAL_S},");
	let _ = writeln!(out, "  \"submissions\": {},", DAY_HOURS * 3600 / SUBMISSION_INTERVAL_S);
	let _ = writeln!(out, "  \"min_elevation_deg\": {},", GroundStation::DEFAULT_MIN_ELEVATION_DEG);
	let _ = writeln!(out, "  \"percentiles\": \"nearest-rank\",");
	let satellites: Vec<String> = orbits
		.iter()
		.map(|orbit| {
			format!(
				"{{\"name\": {}, \"tle\": {}, \"epoch\": {}}}",
				json_string(&orbit.name),
				json_string(&format!("data/tle/{}", orbit.file)),
				json_string(&time(orbit.epoch))
			)
		})
		.collect();
	let _ = writeln!(out, "  \"satellites\": [\n    {}\n  ],", satellites.join(",\n    "));
	let stations: Vec<String> = sites
		.iter()
		.map(|site| {
			format!(
				"{{\"name\": {}, \"latitude_deg\": {}, \"longitude_deg\": {}, \"altitude_m\": {}}}",
				json_string(&site.name),
				site.station.latitude_deg,
				site.station.longitude_deg,
				site.station.altitude_m
			)
		})
		.collect();
	let _ = writeln!(out, "  \"stations\": [\n    {}\n  ],", stations.join(",\n    "));
	let configurations: Vec<String> = results
		.iter()
		.map(|figures| {
			let waits: Vec<String> = figures.waits.iter().map(|&wait| seconds(wait)).collect();
			format!(
				"{{\n      \"name\": {},\n      \"satellites\": {},\n      \"stations\": {},\n      \
				 \"pair_passes\": {},\n      \"contact_windows\": {},\n      \"contact_fraction\": {:.6},\n      \
				 \"longest_gap_s\": {},\n      \"wait_s\": {{\"median\": {}, \"p95\": {}, \"worst\": {}, \"mean\": {}}},\n      \
				 \"waits_s\": [{}]\n    }}",
				json_string(&figures.name),
				json_strings(&figures.satellites),
				json_strings(&figures.stations),
				figures.pair_passes,
				figures.contact_windows,
				figures.contact_fraction,
				seconds(figures.longest_gap),
				seconds(figures.median),
				seconds(figures.p95),
				seconds(figures.worst),
				seconds(figures.mean),
				waits.join(", ")
			)
		})
		.collect();
	let _ = writeln!(out, "  \"configurations\": [\n    {}\n  ]", configurations.join(",\n    "));
	let _ = writeln!(out, "}}");
	out
}
