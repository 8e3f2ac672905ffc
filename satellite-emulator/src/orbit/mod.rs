//! Satellite pass prediction: when a satellite described by a TLE is above a ground
//! station's elevation mask, and where to point at it.
//!
//! The emulated link is up only while the satellite is in view (docs/design.md, "Space link"),
//! so `satellite-emulator passes` prints these windows and `run --tle` opens the link
//! during them.
//!
//! # Pipeline
//!
//! 1. [`Tle`] text → `sgp4::Elements` → `sgp4::Constants` (the `sgp4` crate, a pure Rust
//!    SGP4/SDP4). The WGS-72 constants are used because TLEs are fitted with them; this is
//!    also what the reference implementations (Vallado's, Skyfield's) do.
//! 2. SGP4 gives the position in TEME (true equator, mean equinox of date), km.
//! 3. TEME → Earth-fixed: rotation about z by Greenwich mean sidereal time (IAU 1982, from
//!    UTC). Polar motion (metres) and UT1 − UTC (under 0.004° of Earth rotation) are
//!    ignored.
//! 4. The station's WGS-84 geodetic position → Earth-fixed; the difference vector is
//!    projected on the station's East-North-Up axes → azimuth, elevation, range. Elevation
//!    is geometric, without atmospheric refraction.
//! 5. Passes: the elevation is sampled every 30 s, local maxima are refined by golden
//!    section, crossings of the station's minimum elevation by bisection to 10 ms (see
//!    `search`).
//!
//! Checked against Skyfield: `tests/orbit.rs` and `PASSES.md`.
//!
//! Several satellites over several stations, and the wait for the next contact of any
//! pair: [`constellation`].

pub mod constellation;
mod frames;
mod search;

use chrono::{DateTime, TimeDelta, Utc};
use std::{fmt, str::FromStr};

use frames::Topocentric;

/// The longest prediction window accepted, in hours (a leap year). SGP4 itself is only
/// worth trusting for days to a few weeks from the TLE epoch.
pub const MAX_WINDOW_HOURS: f64 = 366.0 * 24.0;

/// Errors from parsing orbital or station data and from propagating an orbit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OrbitError {
	/// The text does not hold exactly one element set: 2 lines, or 3 with a name first.
	#[error("a TLE has 2 lines, or 3 with the name first; found {0} non-empty lines")]
	TleLineCount(usize),
	/// A TLE line is malformed: length, first character, checksum, a field, or the two
	/// lines name different satellites.
	#[error("invalid TLE")]
	InvalidTle(#[source] sgp4::TleError),
	/// The elements parse but cannot start SGP4 (for example an eccentricity outside [0, 1)).
	#[error("the TLE's elements cannot be propagated")]
	InvalidElements(#[source] sgp4::ElementsError),
	/// SGP4 diverged: the orbit has decayed by then, or the TLE is far too old or new.
	#[error("SGP4 propagation failed at {at} ({minutes_since_epoch:.1} min from the TLE epoch); the orbit has decayed or the elements are stale")]
	Propagation {
		/// The instant that could not be propagated to.
		at: DateTime<Utc>,
		/// The same instant, in minutes from the TLE epoch.
		minutes_since_epoch: f64,
		/// What SGP4 reported.
		#[source]
		source: sgp4::Error,
	},
	/// The instant is too far from the TLE epoch to be counted in nanoseconds (±292 years).
	#[error("{at} is too far from the TLE epoch")]
	TimeOutOfRange {
		/// The instant asked for.
		at: DateTime<Utc>,
	},
	/// A ground station is not `LAT,LON,ALT`, or a value is out of range.
	#[error("invalid ground station {input:?}: {reason}")]
	InvalidStation {
		/// The text given (or the station's own `LAT,LON,ALT` form).
		input: String,
		/// What is wrong with it.
		reason: String,
	},
	/// The prediction window is negative, not a number, or longer than [`MAX_WINDOW_HOURS`].
	#[error("prediction window of {hours} h is outside 0 to {MAX_WINDOW_HOURS} h")]
	InvalidWindow {
		/// The length asked for.
		hours: f64,
	},
}

/// A two-line element set, optionally with the satellite's name (the "3-line" format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tle {
	/// The satellite's name, from the line before the elements (a leading `0 ` is dropped).
	pub name: Option<String>,
	/// Element line 1 (starts with `1 `), 69 characters.
	pub line1: String,
	/// Element line 2 (starts with `2 `), 69 characters.
	pub line2: String,
}

impl Tle {
	/// Parses one element set of 2 lines, or 3 with the name first, and checks it (line
	/// lengths, checksums, fields). Blank lines and surrounding whitespace are ignored.
	pub fn parse(text: &str) -> Result<Tle, OrbitError> {
		let lines: Vec<&str> =
			text.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
		let (name, line1, line2) = match lines.as_slice() {
			[line1, line2] => (None, *line1, *line2),
			[name, line1, line2] => {
				// Space-Track's 3LE format writes the name line as "0 NAME".
				let name = name.strip_prefix("0 ").unwrap_or(name).trim();
				(Some(name.to_owned()), *line1, *line2)
			},
			other => return Err(OrbitError::TleLineCount(other.len())),
		};
		let tle = Tle { name, line1: line1.to_owned(), line2: line2.to_owned() };
		tle.elements()?;
		Ok(tle)
	}

	/// The element set's epoch.
	pub fn epoch(&self) -> Result<DateTime<Utc>, OrbitError> {
		Ok(self.elements()?.datetime.and_utc())
	}

	fn elements(&self) -> Result<sgp4::Elements, OrbitError> {
		sgp4::Elements::from_tle(self.name.clone(), self.line1.as_bytes(), self.line2.as_bytes())
			.map_err(OrbitError::InvalidTle)
	}
}

impl FromStr for Tle {
	type Err = OrbitError;

	fn from_str(text: &str) -> Result<Tle, OrbitError> {
		Tle::parse(text)
	}
}

/// A ground station: WGS-84 geodetic position and the elevation mask its antenna needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroundStation {
	/// Geodetic latitude, degrees, north positive, within [-90, 90].
	pub latitude_deg: f64,
	/// Longitude, degrees, east positive, within [-180, 360].
	pub longitude_deg: f64,
	/// Height above the WGS-84 ellipsoid, metres.
	pub altitude_m: f64,
	/// A pass is the time the satellite spends at or above this elevation, degrees.
	pub min_elevation_deg: f64,
}

impl GroundStation {
	/// The elevation mask a station gets unless told otherwise, degrees. Below about 10°
	/// terrain, buildings and the long path through the atmosphere usually block or fade a
	/// UHF or S-band link, so 10° is the usual planning figure.
	pub const DEFAULT_MIN_ELEVATION_DEG: f64 = 10.0;

	/// A station at this position with the default elevation mask.
	pub fn new(latitude_deg: f64, longitude_deg: f64, altitude_m: f64) -> Self {
		Self {
			latitude_deg,
			longitude_deg,
			altitude_m,
			min_elevation_deg: Self::DEFAULT_MIN_ELEVATION_DEG,
		}
	}

	/// The same station with another elevation mask, degrees.
	pub fn with_min_elevation(self, min_elevation_deg: f64) -> Self {
		Self { min_elevation_deg, ..self }
	}

	/// Checks every field is a number in its range.
	pub fn validate(&self) -> Result<(), OrbitError> {
		let checks = [
			(self.latitude_deg, -90.0, 90.0, "latitude must be within [-90, 90] degrees"),
			(self.longitude_deg, -180.0, 360.0, "longitude must be within [-180, 360] degrees"),
			// From the Dead Sea shore to well above any mountain.
			(self.altitude_m, -500.0, 10_000.0, "altitude must be within [-500, 10000] metres"),
			(
				self.min_elevation_deg,
				-90.0,
				90.0,
				"minimum elevation must be within [-90, 90] degrees",
			),
		];
		for (value, low, high, reason) in checks {
			// NaN fails both comparisons, so it is refused too.
			if !(value >= low && value <= high) {
				return Err(OrbitError::InvalidStation {
					input: self.to_string(),
					reason: reason.to_owned(),
				});
			}
		}
		Ok(())
	}
}

impl FromStr for GroundStation {
	type Err = OrbitError;

	/// Parses `LAT,LON,ALT`: degrees, degrees, metres. The elevation mask is
	/// [`GroundStation::DEFAULT_MIN_ELEVATION_DEG`].
	fn from_str(text: &str) -> Result<Self, OrbitError> {
		let invalid =
			|reason: String| OrbitError::InvalidStation { input: text.to_owned(), reason };
		let fields: Vec<&str> = text.split(',').map(str::trim).collect();
		let [lat, lon, alt] = fields.as_slice() else {
			return Err(invalid(format!(
				"expected LAT,LON,ALT (degrees, degrees, metres), found {} fields",
				fields.len()
			)));
		};
		let number = |what: &str, field: &str| {
			field.parse::<f64>().map_err(|_| invalid(format!("{what} {field:?} is not a number")))
		};
		let station = GroundStation::new(
			number("latitude", lat)?,
			number("longitude", lon)?,
			number("altitude", alt)?,
		);
		station.validate().map_err(|error| match error {
			OrbitError::InvalidStation { reason, .. } => invalid(reason),
			other => other,
		})?;
		Ok(station)
	}
}

impl fmt::Display for GroundStation {
	/// `LAT,LON,ALT`, the form [`GroundStation::from_str`] reads.
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "{},{},{}", self.latitude_deg, self.longitude_deg, self.altitude_m)
	}
}

/// Where a station sees the satellite at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookAngles {
	/// Degrees clockwise from true north, within [0, 360).
	pub azimuth_deg: f64,
	/// Degrees above the station's geodetic horizon (negative below it), no refraction.
	pub elevation_deg: f64,
	/// Straight-line distance, km.
	pub range_km: f64,
}

/// One pass: the time the satellite spends at or above the station's minimum elevation.
///
/// A pass already under way when the search window opens starts at the window's start; one
/// still under way when it closes ends at the window's end. Their maximum is the highest
/// point within the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pass {
	/// When the satellite rises through the minimum elevation (or the window opens).
	pub start: DateTime<Utc>,
	/// When it sets through the minimum elevation (or the window closes).
	pub end: DateTime<Utc>,
	/// The highest elevation reached, degrees.
	pub max_elevation_deg: f64,
	/// When that elevation is reached.
	pub max_elevation_at: DateTime<Utc>,
}

impl Pass {
	/// How long the satellite is in view.
	pub fn duration(&self) -> TimeDelta {
		self.end - self.start
	}

	/// Whether `at` falls within the pass (both ends included).
	pub fn contains(&self, at: DateTime<Utc>) -> bool {
		self.start <= at && at <= self.end
	}
}

/// A satellite ready to propagate: its TLE parsed and SGP4 initialised once, for callers
/// that ask many times (the link model, a pass search).
#[derive(Debug, Clone)]
pub struct Satellite {
	elements: sgp4::Elements,
	constants: sgp4::Constants,
}

impl Satellite {
	/// Initialises SGP4 from a TLE.
	pub fn new(tle: &Tle) -> Result<Self, OrbitError> {
		let elements = tle.elements()?;
		let constants = sgp4::Constants::from_elements_afspc_compatibility_mode(&elements)
			.map_err(OrbitError::InvalidElements)?;
		Ok(Self { elements, constants })
	}

	/// The satellite's name, if the TLE had one.
	pub fn name(&self) -> Option<&str> {
		self.elements.object_name.as_deref()
	}

	/// The TLE epoch, where SGP4 is most accurate.
	pub fn epoch(&self) -> DateTime<Utc> {
		self.elements.datetime.and_utc()
	}

	/// Where `station` sees the satellite at `at`.
	pub fn look_angles(
		&self,
		station: &GroundStation,
		at: DateTime<Utc>,
	) -> Result<LookAngles, OrbitError> {
		station.validate()?;
		let frame =
			Topocentric::new(station.latitude_deg, station.longitude_deg, station.altitude_m);
		let instant = self.instant(at)?;
		self.look_from(&frame, instant, at)
	}

	/// The passes over `station` that overlap `[from, from + hours]`, in time order.
	pub fn predict_passes(
		&self,
		station: &GroundStation,
		from: DateTime<Utc>,
		hours: f64,
	) -> Result<Vec<Pass>, OrbitError> {
		station.validate()?;
		if !(0.0..=MAX_WINDOW_HOURS).contains(&hours) {
			return Err(OrbitError::InvalidWindow { hours });
		}
		let frame =
			Topocentric::new(station.latitude_deg, station.longitude_deg, station.altitude_m);
		let origin = self.instant(from)?;
		let elevation = |offset_s: f64| {
			self.look_from(&frame, origin.plus_seconds(offset_s), at_offset(from, offset_s))
				.map(|look| look.elevation_deg)
		};
		let intervals =
			search::intervals_above(hours * 3600.0, station.min_elevation_deg, elevation)?;
		Ok(intervals
			.into_iter()
			.map(|interval| Pass {
				start: at_offset(from, interval.start_s),
				end: at_offset(from, interval.end_s),
				max_elevation_deg: interval.peak,
				max_elevation_at: at_offset(from, interval.peak_s),
			})
			.collect())
	}

	/// `at` in the two time scales SGP4 and GMST need; computed once per search so the
	/// inner loop adds seconds to floats instead of going through calendar dates.
	fn instant(&self, at: DateTime<Utc>) -> Result<Instant, OrbitError> {
		let minutes = self
			.elements
			.datetime_to_minutes_since_epoch(&at.naive_utc())
			.map_err(|_| OrbitError::TimeOutOfRange { at })?;
		Ok(Instant {
			minutes_since_epoch: minutes.0,
			years_since_j2000: sgp4::julian_years_since_j2000(&at.naive_utc()),
		})
	}

	/// Look angles at `instant`; `at` is the same instant, for error reports.
	fn look_from(
		&self,
		frame: &Topocentric,
		instant: Instant,
		at: DateTime<Utc>,
	) -> Result<LookAngles, OrbitError> {
		let prediction = self
			.constants
			.propagate(sgp4::MinutesSinceEpoch(instant.minutes_since_epoch))
			.map_err(|source| OrbitError::Propagation {
				at,
				minutes_since_epoch: instant.minutes_since_epoch,
				source,
			})?;
		let ecef =
			frames::teme_to_ecef(prediction.position, frames::gmst_rad(instant.years_since_j2000));
		Ok(frame.look_at(ecef))
	}
}

/// One instant as SGP4 (minutes from the TLE epoch) and GMST (Julian years from J2000,
/// UTC) count it.
#[derive(Debug, Clone, Copy)]
struct Instant {
	minutes_since_epoch: f64,
	years_since_j2000: f64,
}

impl Instant {
	fn plus_seconds(self, seconds: f64) -> Self {
		Self {
			minutes_since_epoch: self.minutes_since_epoch + seconds / 60.0,
			years_since_j2000: self.years_since_j2000 + seconds / (86_400.0 * 365.25),
		}
	}
}

/// `from` plus a number of seconds, to the microsecond.
fn at_offset(from: DateTime<Utc>, seconds: f64) -> DateTime<Utc> {
	// Offsets are bounded by MAX_WINDOW_HOURS, far inside TimeDelta's range.
	from + TimeDelta::microseconds((seconds * 1e6).round() as i64)
}

/// The passes of the satellite in `tle` over `station` that overlap `[from, from + hours]`,
/// in time order. See [`Pass`] for passes cut by the window's ends.
pub fn predict_passes(
	tle: &Tle,
	station: &GroundStation,
	from: DateTime<Utc>,
	hours: f64,
) -> Result<Vec<Pass>, OrbitError> {
	Satellite::new(tle)?.predict_passes(station, from, hours)
}

/// Where `station` sees the satellite in `tle` at `at`.
pub fn look_angles(
	tle: &Tle,
	station: &GroundStation,
	at: DateTime<Utc>,
) -> Result<LookAngles, OrbitError> {
	Satellite::new(tle)?.look_angles(station, at)
}
