//! `passes`: upcoming passes of a satellite over a ground station (SGP4, `orbit`).

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;
use std::{io::Write, path::PathBuf};

use super::CommandError;
use crate::orbit::{predict_passes, GroundStation, Tle};

/// Flags of `passes`.
#[derive(Args, Debug, Clone)]
pub struct PassesArgs {
	/// TLE file (2 lines, or 3 with the name first).
	#[arg(long)]
	pub tle: PathBuf,
	/// Ground station: LAT,LON,ALT (degrees, degrees, metres).
	#[arg(long)]
	pub station: GroundStation,
	/// Start of the search (RFC 3339); defaults to now.
	#[arg(long)]
	pub from: Option<DateTime<Utc>>,
	/// Length of the search, hours.
	#[arg(long, default_value_t = 24.0)]
	pub hours: f64,
	/// Elevation mask, degrees.
	#[arg(long, default_value_t = GroundStation::DEFAULT_MIN_ELEVATION_DEG)]
	pub min_elevation: f64,
}

/// Prints one line per pass: start, end, duration, highest elevation and when.
pub fn run(args: PassesArgs, out: &mut impl Write) -> Result<(), CommandError> {
	let text = std::fs::read_to_string(&args.tle)
		.map_err(|source| CommandError::Read { path: args.tle.clone(), source })?;
	let tle = Tle::parse(&text)?;
	let station = args.station.with_min_elevation(args.min_elevation);
	let from = args.from.unwrap_or_else(Utc::now);
	let passes = predict_passes(&tle, &station, from, args.hours)?;
	let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
	writeln!(
		out,
		"# {} over {station} (mask {}°), {} h from {}: {} passes",
		tle.name.as_deref().unwrap_or("satellite"),
		station.min_elevation_deg,
		args.hours,
		time(from),
		passes.len()
	)?;
	writeln!(
		out,
		"{:<21} {:<21} {:>9} {:>8}  {:<21}",
		"start", "end", "duration", "max_el", "max_at"
	)?;
	for pass in passes {
		let seconds = pass.duration().num_seconds();
		writeln!(
			out,
			"{:<21} {:<21} {:>5}m{:02}s {:>7.1}°  {:<21}",
			time(pass.start),
			time(pass.end),
			seconds / 60,
			seconds % 60,
			pass.max_elevation_deg,
			time(pass.max_elevation_at)
		)?;
	}
	Ok(())
}
