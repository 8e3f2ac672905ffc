//! `passes`: upcoming passes of satellites over ground stations (SGP4, `orbit`), and when at
//! least one pair is in contact.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use clap::Args;
use std::{io::Write, path::PathBuf};

use super::CommandError;
use crate::orbit::{
	constellation::{Constellation, TimeWindow},
	GroundStation, Satellite, Tle,
};

/// Flags of `passes`.
#[derive(Args, Debug, Clone)]
pub struct PassesArgs {
	/// TLE file (2 lines, or 3 with the name first); repeat for several satellites.
	#[arg(long, required = true)]
	pub tle: Vec<PathBuf>,
	/// Ground station: LAT,LON,ALT (degrees, degrees, metres); repeat for several stations.
	/// A southern latitude may follow the flag as it is (`--station -3.0,40.19,10`).
	#[arg(long, required = true, allow_hyphen_values = true)]
	pub station: Vec<GroundStation>,
	/// Start of the search (RFC 3339); defaults to now.
	#[arg(long)]
	pub from: Option<DateTime<Utc>>,
	/// Length of the search, hours.
	#[arg(long, default_value_t = 24.0)]
	pub hours: f64,
	/// Elevation mask of every station, degrees.
	#[arg(long, default_value_t = GroundStation::DEFAULT_MIN_ELEVATION_DEG)]
	pub min_elevation: f64,
}

/// Prints each (satellite, station) pair's passes, one line each (start, end, duration,
/// highest elevation and when), then the windows when at least one pair is in contact and
/// the longest gap between them.
pub fn run(args: PassesArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let mut constellation = Constellation::new();
	for path in &args.tle {
		let text = std::fs::read_to_string(path)
			.map_err(|source| CommandError::Read { path: path.clone(), source })?;
		let tle =
			Tle::parse(&text).map_err(|source| CommandError::Tle { path: path.clone(), source })?;
		let satellite = Satellite::new(&tle)
			.map_err(|source| CommandError::Tle { path: path.clone(), source })?;
		// A TLE without a name line is known by its file.
		let label = tle.name.clone().unwrap_or_else(|| path.display().to_string());
		constellation.add_satellite(label, satellite);
	}
	for station in &args.station {
		let station = station.with_min_elevation(args.min_elevation);
		constellation.add_station(station.to_string(), station)?;
	}
	let from = args.from.unwrap_or_else(Utc::now);
	let plan = constellation.predict(from, args.hours)?;

	let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
	for (i, pair) in plan.pairs.iter().enumerate() {
		if i > 0 {
			writeln!(out)?;
		}
		writeln!(
			out,
			"# {} over {} (mask {}°), {} h from {}: {} passes",
			pair.satellite,
			pair.station,
			args.min_elevation,
			args.hours,
			time(from),
			pair.passes.len()
		)?;
		writeln!(
			out,
			"{:<21} {:<21} {:>9} {:>8}  {:<21}",
			"start", "end", "duration", "max_el", "max_at"
		)?;
		for pass in &pair.passes {
			writeln!(
				out,
				"{:<21} {:<21} {:>9} {:>7.1}°  {:<21}",
				time(pass.start),
				time(pass.end),
				minutes_seconds(pass.duration()),
				pass.max_elevation_deg,
				time(pass.max_elevation_at)
			)?;
		}
	}

	let contacts = &plan.contacts;
	let span = contacts.span();
	let in_contact = contacts.contact_time(&span);
	let share = if span.duration() > TimeDelta::zero() {
		100.0 * in_contact.as_seconds_f64() / span.duration().as_seconds_f64()
	} else {
		0.0
	};
	writeln!(out)?;
	writeln!(
		out,
		"# contact, any pair ({} × {}): {} windows, {} in contact ({share:.1} %)",
		count(args.tle.len(), "satellite"),
		count(args.station.len(), "station"),
		contacts.windows().len(),
		hours_minutes_seconds(in_contact),
	)?;
	writeln!(out, "{:<8} {:<21} {:<21} {:>9}", "contact", "start", "end", "duration")?;
	for window in contacts.windows() {
		writeln!(
			out,
			"{:<8} {:<21} {:<21} {:>9}",
			"contact",
			time(window.start),
			time(window.end),
			minutes_seconds(window.duration())
		)?;
	}
	match contacts.longest_gap() {
		Some(TimeWindow { start, end }) => writeln!(
			out,
			"longest gap: {} from {} to {}{}",
			hours_minutes_seconds(end - start),
			time(start),
			time(end),
			// A gap touching either end of the search may go on beyond it.
			if start == span.start || end == span.end { " (cut by the search window)" } else { "" }
		)?,
		None => writeln!(out, "longest gap: none, in contact throughout")?,
	}
	Ok(())
}

/// `1 satellite`, `3 satellites`.
fn count(n: usize, noun: &str) -> String {
	format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `12m05s`.
fn minutes_seconds(duration: TimeDelta) -> String {
	let seconds = duration.num_seconds();
	format!("{}m{:02}s", seconds / 60, seconds % 60)
}

/// `3h07m12s`.
fn hours_minutes_seconds(duration: TimeDelta) -> String {
	let seconds = duration.num_seconds();
	format!("{}h{:02}m{:02}s", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}
