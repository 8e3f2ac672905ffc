//! Pass prediction checked against an independent reference, and the edges of the API.
//!
//! The reference is `tests/data/reference_passes.json`: the passes of the ISS over ESOC
//! Darmstadt in the 24 h after its TLE epoch, and look angles at some instants, computed
//! with Skyfield by `tests/data/reference_passes.py` (run by hand, not by this test; see
//! PASSES.md).

use chrono::{DateTime, TimeDelta, Utc};
use satellite_emulator::orbit::{
	look_angles, predict_passes, GroundStation, OrbitError, Pass, Satellite, Tle, MAX_WINDOW_HOURS,
};

const REFERENCE_JSON: &str = include_str!("data/reference_passes.json");
const ISS_TLE: &str = include_str!("data/iss_2018-07-03.tle");

/// Largest allowed difference from Skyfield in a pass's start or end, seconds. Skyfield's
/// own search stops at half a second; we agree to 0.2 s.
const TIME_TOLERANCE_S: f64 = 1.0;
/// Largest allowed difference from Skyfield in a pass's maximum elevation, degrees (we
/// agree to 0.002°).
const MAX_ELEVATION_TOLERANCE_DEG: f64 = 0.01;

fn utc(text: &str) -> DateTime<Utc> {
	match DateTime::parse_from_rfc3339(text) {
		Ok(time) => time.with_timezone(&Utc),
		Err(error) => panic!("bad time {text:?} in the reference: {error}"),
	}
}

fn seconds_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
	(a - b).num_microseconds().expect("a few days fit in microseconds") as f64 / 1e6
}

struct Reference {
	json: json::Value,
}

impl Reference {
	fn load() -> Self {
		Self { json: json::parse(REFERENCE_JSON).expect("reference_passes.json is JSON") }
	}

	fn tle(&self) -> Tle {
		let lines: Vec<&str> = self.json["tle"].array().iter().map(|line| line.str()).collect();
		Tle::parse(&lines.join("\n")).expect("the reference TLE parses")
	}

	fn station(&self) -> GroundStation {
		let station = &self.json["station"];
		GroundStation::new(
			station["latitude_deg"].num(),
			station["longitude_deg"].num(),
			station["altitude_m"].num(),
		)
		.with_min_elevation(self.json["min_elevation_deg"].num())
	}

	fn from(&self) -> DateTime<Utc> {
		utc(self.json["from"].str())
	}

	fn hours(&self) -> f64 {
		self.json["hours"].num()
	}

	fn passes(&self) -> Vec<Pass> {
		self.json["passes"]
			.array()
			.iter()
			.map(|pass| Pass {
				start: utc(pass["start"].str()),
				end: utc(pass["end"].str()),
				max_elevation_deg: pass["max_elevation_deg"].num(),
				max_elevation_at: utc(pass["max_elevation_at"].str()),
			})
			.collect()
	}
}

fn iss() -> Tle {
	Tle::parse(ISS_TLE).expect("the ISS TLE parses")
}

fn esoc() -> GroundStation {
	"49.8728,8.6512,144".parse().expect("ESOC's position parses")
}

#[test]
fn reference_was_made_from_the_committed_tle() {
	let reference = Reference::load();
	assert_eq!(reference.tle(), iss());
	assert_eq!(reference.station(), esoc());
	// The reference window starts at the TLE epoch, written to the millisecond.
	let epoch = iss().epoch().expect("epoch");
	assert!(seconds_between(utc(reference.json["tle_epoch"].str()), epoch).abs() < 1e-3);
	assert!(seconds_between(reference.from(), epoch).abs() < 1e-3);
}

#[test]
fn iss_passes_over_esoc_match_skyfield() {
	let reference = Reference::load();
	let expected = reference.passes();
	let ours =
		predict_passes(&reference.tle(), &reference.station(), reference.from(), reference.hours())
			.expect("prediction succeeds");

	// The rows of the table in PASSES.md (`-- --nocapture` shows them).
	let time = |at: DateTime<Utc>| at.format("%Y-%m-%d %H:%M:%S%.3f").to_string();
	for (i, (our, their)) in ours.iter().zip(&expected).enumerate() {
		eprintln!(
			"| {} | {} | {} | {:+.3} | {} | {} | {:+.3} | {:.4} | {:.4} | {:+.4} |",
			i + 1,
			time(our.start),
			time(their.start),
			seconds_between(our.start, their.start),
			time(our.end),
			time(their.end),
			seconds_between(our.end, their.end),
			our.max_elevation_deg,
			their.max_elevation_deg,
			our.max_elevation_deg - their.max_elevation_deg,
		);
	}
	assert_eq!(ours.len(), expected.len(), "ours: {ours:#?}\nSkyfield's: {expected:#?}");
	assert!(!expected.is_empty(), "a day of ISS passes over Europe is never empty");
	for (our, their) in ours.iter().zip(&expected) {
		assert!(
			seconds_between(our.start, their.start).abs() <= TIME_TOLERANCE_S,
			"{our:?} vs {their:?}"
		);
		assert!(
			seconds_between(our.end, their.end).abs() <= TIME_TOLERANCE_S,
			"{our:?} vs {their:?}"
		);
		assert!(
			(our.max_elevation_deg - their.max_elevation_deg).abs() <= MAX_ELEVATION_TOLERANCE_DEG,
			"{our:?} vs {their:?}"
		);
		// The culmination time is poorly defined (the curve is flat there), so only loosely.
		assert!(
			seconds_between(our.max_elevation_at, their.max_elevation_at).abs() <= 5.0,
			"{our:?} vs {their:?}"
		);
	}
}

#[test]
fn look_angles_match_skyfield() {
	let reference = Reference::load();
	let (tle, station) = (reference.tle(), reference.station());
	let samples = reference.json["look_angles"].array();
	assert!(samples.len() >= 10);
	for sample in samples {
		let at = utc(sample["at"].str());
		let ours = look_angles(&tle, &station, at).expect("propagation succeeds");
		let their_azimuth = sample["azimuth_deg"].num();
		// Azimuth wraps at 360°; near the zenith it is ill-defined, so weigh it by the cosine
		// of the elevation (the angle actually subtended on the sky).
		let azimuth_error = ((ours.azimuth_deg - their_azimuth + 540.0).rem_euclid(360.0) - 180.0)
			* ours.elevation_deg.to_radians().cos();
		eprintln!(
			"{at}: az {:.4} ({:+.4}) el {:.4} ({:+.4}) range {:.3} km ({:+.3})",
			ours.azimuth_deg,
			azimuth_error,
			ours.elevation_deg,
			ours.elevation_deg - sample["elevation_deg"].num(),
			ours.range_km,
			ours.range_km - sample["range_km"].num(),
		);
		assert!(azimuth_error.abs() < 0.01, "{at}: {ours:?}");
		assert!(
			(ours.elevation_deg - sample["elevation_deg"].num()).abs() < 0.01,
			"{at}: {ours:?}"
		);
		assert!((ours.range_km - sample["range_km"].num()).abs() < 0.1, "{at}: {ours:?}");
	}
}

#[test]
fn pass_ends_lie_on_the_elevation_mask() {
	let (tle, station) = (iss(), esoc());
	let from = iss().epoch().expect("epoch");
	let passes = predict_passes(&tle, &station, from, 24.0).expect("prediction succeeds");
	assert!(!passes.is_empty());
	let elevation = |at| look_angles(&tle, &station, at).expect("look angles").elevation_deg;
	let second = TimeDelta::seconds(1);
	for pass in &passes {
		assert!(pass.start < pass.max_elevation_at && pass.max_elevation_at < pass.end, "{pass:?}");
		assert!(elevation(pass.start) >= station.min_elevation_deg, "{pass:?}");
		assert!(elevation(pass.start - second) < station.min_elevation_deg, "{pass:?}");
		assert!(elevation(pass.end) >= station.min_elevation_deg, "{pass:?}");
		assert!(elevation(pass.end + second) < station.min_elevation_deg, "{pass:?}");
		// No instant of the pass is higher than its reported maximum.
		let mut at = pass.start;
		while at <= pass.end {
			assert!(elevation(at) <= pass.max_elevation_deg + 1e-6, "{pass:?} at {at}");
			at += TimeDelta::seconds(5);
		}
	}
	for pair in passes.windows(2) {
		assert!(pair[0].end < pair[1].start, "passes overlap: {pair:?}");
	}
}

#[test]
fn a_pass_under_way_at_the_start_begins_at_the_start() {
	let reference = Reference::load();
	let (tle, station) = (reference.tle(), reference.station());
	let whole = reference.passes()[1];
	// Half way between the rise and the culmination, and half way after it.
	for from in [
		whole.start + (whole.max_elevation_at - whole.start) / 2,
		whole.max_elevation_at + (whole.end - whole.max_elevation_at) / 2,
	] {
		let passes = predict_passes(&tle, &station, from, 2.0).expect("prediction succeeds");
		let first = passes[0];
		assert_eq!(first.start, from);
		assert!(seconds_between(first.end, whole.end).abs() <= TIME_TOLERANCE_S, "{first:?}");
		let highest = if from < whole.max_elevation_at {
			whole.max_elevation_deg
		} else {
			look_angles(&tle, &station, from).expect("look angles").elevation_deg
		};
		assert!(
			(first.max_elevation_deg - highest).abs() < MAX_ELEVATION_TOLERANCE_DEG,
			"{first:?}"
		);
	}
}

#[test]
fn a_pass_unfinished_at_the_end_ends_at_the_end() {
	let reference = Reference::load();
	let (tle, station) = (reference.tle(), reference.station());
	let whole = reference.passes()[1];
	let from = whole.start - TimeDelta::minutes(30);
	let until = whole.start + TimeDelta::minutes(2);
	let hours = seconds_between(until, from) / 3600.0;
	let passes = predict_passes(&tle, &station, from, hours).expect("prediction succeeds");
	assert_eq!(passes.len(), 1, "{passes:?}");
	assert!(seconds_between(passes[0].start, whole.start).abs() <= TIME_TOLERANCE_S);
	assert_eq!(passes[0].end, until);
	// Still rising: the highest point so far is the last one.
	assert_eq!(passes[0].max_elevation_at, until);
	assert!(passes[0].max_elevation_deg < whole.max_elevation_deg);
}

#[test]
fn a_lower_mask_gives_longer_passes_around_the_same_ones() {
	let (tle, from) = (iss(), iss().epoch().expect("epoch"));
	let high = predict_passes(&tle, &esoc(), from, 24.0).expect("prediction succeeds");
	let low = predict_passes(&tle, &esoc().with_min_elevation(0.0), from, 24.0)
		.expect("prediction succeeds");
	assert!(low.len() > high.len(), "low passes that never reach 10° add to the count");
	for pass in &high {
		let around = low.iter().find(|wider| wider.contains(pass.max_elevation_at));
		let around = around.unwrap_or_else(|| panic!("no 0° pass around {pass:?}"));
		assert!(around.start < pass.start && pass.end < around.end);
		assert!(around.duration() > pass.duration());
		assert!((around.max_elevation_deg - pass.max_elevation_deg).abs() < 1e-3);
	}
}

#[test]
fn a_satellite_reused_gives_the_same_answers() {
	let satellite = Satellite::new(&iss()).expect("SGP4 starts");
	assert_eq!(satellite.name(), Some("ISS (ZARYA)"));
	let from = satellite.epoch();
	assert_eq!(
		satellite.predict_passes(&esoc(), from, 24.0).expect("passes"),
		predict_passes(&iss(), &esoc(), from, 24.0).expect("passes")
	);
}

#[test]
fn an_empty_window_has_no_passes_and_a_bad_one_is_refused() {
	let (tle, from) = (iss(), iss().epoch().expect("epoch"));
	assert!(predict_passes(&tle, &esoc(), from, 0.0).expect("empty window").is_empty());
	for hours in [-1.0, f64::NAN, MAX_WINDOW_HOURS + 1.0] {
		let result = predict_passes(&tle, &esoc(), from, hours);
		assert!(matches!(result, Err(OrbitError::InvalidWindow { .. })), "{hours}: {result:?}");
	}
}

/// Replaces a TLE line's checksum digit (the last) with the right one for its contents.
fn with_checksum(line: &str) -> String {
	let body = &line[..68];
	let sum: u32 = body
		.chars()
		.map(|c| match c {
			'-' => 1,
			_ => c.to_digit(10).unwrap_or(0),
		})
		.sum();
	format!("{body}{}", sum % 10)
}

#[test]
fn a_decaying_orbit_is_a_named_propagation_error() {
	let tle = iss();
	// The same orbit with a drag term 10 000 times the real one: SGP4 gives up within days.
	let draggy =
		Tle { line1: with_checksum(&tle.line1.replacen(" 31745-4 ", " 31745+0 ", 1)), ..tle };
	let draggy =
		Tle::parse(&format!("{}\n{}", draggy.line1, draggy.line2)).expect("still a valid TLE");
	let from = draggy.epoch().expect("epoch");
	assert!(predict_passes(&draggy, &esoc(), from, 1.0).is_ok(), "fine near the epoch");
	match predict_passes(&draggy, &esoc(), from, 30.0 * 24.0) {
		Err(OrbitError::Propagation { at, minutes_since_epoch, .. }) => {
			assert!(at > from && minutes_since_epoch > 60.0, "{at}");
			let error = look_angles(&draggy, &esoc(), at + TimeDelta::days(1));
			assert!(matches!(error, Err(OrbitError::Propagation { .. })), "{error:?}");
		},
		other => panic!("expected a propagation error, got {other:?}"),
	}
}

#[test]
fn tles_parse_in_two_and_three_line_forms() {
	let [name, line1, line2] =
		[0, 1, 2].map(|i| ISS_TLE.lines().nth(i).expect("3 lines").to_owned());
	let two = Tle::parse(&format!("{line1}\n{line2}\n")).expect("2 lines");
	assert_eq!(two, Tle { name: None, line1: line1.clone(), line2: line2.clone() });
	let three =
		Tle::parse(&format!("\r\n  {name}  \r\n{line1}\r\n{line2}\r\n\n")).expect("3 lines, CRLF");
	assert_eq!(three.name.as_deref(), Some("ISS (ZARYA)"));
	let space_track = Tle::parse(&format!("0 {name}\n{line1}\n{line2}")).expect("3LE");
	assert_eq!(space_track, three);
	let epoch = three.epoch().expect("epoch");
	assert_eq!(epoch.to_rfc3339(), "2018-07-03T19:25:57.304128+00:00");
}

#[test]
fn malformed_tles_are_named_errors() {
	let [_, line1, line2] = [0, 1, 2].map(|i| ISS_TLE.lines().nth(i).expect("3 lines").to_owned());
	for (text, lines) in
		[(line1.clone(), 1), (format!("a\nb\n{line1}\n{line2}"), 4), (String::new(), 0)]
	{
		let result = Tle::parse(&text);
		assert!(matches!(result, Err(OrbitError::TleLineCount(n)) if n == lines), "{result:?}");
	}
	let bad_checksum = format!("{}{}", &line1[..68], (line1.as_bytes()[68] - b'0' + 1) % 10);
	let swapped = format!("{line2}\n{line1}");
	let truncated = format!("{}\n{line2}", &line1[..60]);
	for text in [format!("{bad_checksum}\n{line2}"), swapped, truncated] {
		let result = Tle::parse(&text);
		assert!(matches!(result, Err(OrbitError::InvalidTle(_))), "{text}: {result:?}");
	}
}

#[test]
fn stations_parse_from_lat_lon_alt() {
	let station: GroundStation = " -33.1 , -70.5 , 1500.5 ".parse().expect("parses");
	assert_eq!(station, GroundStation::new(-33.1, -70.5, 1500.5));
	assert_eq!(station.min_elevation_deg, GroundStation::DEFAULT_MIN_ELEVATION_DEG);
	assert_eq!(station.to_string().parse::<GroundStation>().expect("round trip"), station);
	for text in [
		"49.8,8.6",
		"49.8,8.6,144,10",
		"north,8.6,144",
		"91,8.6,144",
		"49.8,181e3,0",
		"NaN,0,0",
		"",
	] {
		let result = text.parse::<GroundStation>();
		assert!(matches!(result, Err(OrbitError::InvalidStation { .. })), "{text:?}: {result:?}");
	}
	let masked_too_high = esoc().with_min_elevation(95.0);
	let result = predict_passes(&iss(), &masked_too_high, iss().epoch().expect("epoch"), 1.0);
	assert!(matches!(result, Err(OrbitError::InvalidStation { .. })), "{result:?}");
}

/// Just enough JSON to read the reference file: objects, arrays, strings without escapes
/// other than `\"` and `\\`, numbers, booleans and null. The crate has no JSON dependency.
mod json {
	use std::{collections::BTreeMap, ops::Index};

	#[derive(Debug, Clone, PartialEq)]
	pub enum Value {
		Null,
		Bool(bool),
		Number(f64),
		String(String),
		Array(Vec<Value>),
		Object(BTreeMap<String, Value>),
	}

	impl Value {
		pub fn str(&self) -> &str {
			match self {
				Value::String(text) => text,
				other => panic!("expected a string, found {other:?}"),
			}
		}

		pub fn num(&self) -> f64 {
			match self {
				Value::Number(number) => *number,
				other => panic!("expected a number, found {other:?}"),
			}
		}

		pub fn array(&self) -> &[Value] {
			match self {
				Value::Array(items) => items,
				other => panic!("expected an array, found {other:?}"),
			}
		}
	}

	impl Index<&str> for Value {
		type Output = Value;

		fn index(&self, key: &str) -> &Value {
			match self {
				Value::Object(fields) => {
					fields.get(key).unwrap_or_else(|| panic!("no field {key:?}"))
				},
				other => panic!("expected an object with {key:?}, found {other:?}"),
			}
		}
	}

	pub fn parse(text: &str) -> Result<Value, String> {
		let mut parser = Parser { bytes: text.as_bytes(), at: 0 };
		let value = parser.value()?;
		parser.skip_space();
		if parser.at != parser.bytes.len() {
			return Err(format!("trailing text at byte {}", parser.at));
		}
		Ok(value)
	}

	struct Parser<'a> {
		bytes: &'a [u8],
		at: usize,
	}

	impl Parser<'_> {
		fn skip_space(&mut self) {
			while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
				self.at += 1;
			}
		}

		fn expect(&mut self, byte: u8) -> Result<(), String> {
			self.skip_space();
			if self.bytes.get(self.at) == Some(&byte) {
				self.at += 1;
				Ok(())
			} else {
				Err(format!("expected {:?} at byte {}", byte as char, self.at))
			}
		}

		fn value(&mut self) -> Result<Value, String> {
			self.skip_space();
			let rest = &self.bytes[self.at..];
			match rest.first() {
				Some(b'{') => {
					self.at += 1;
					let mut fields = BTreeMap::new();
					self.skip_space();
					if self.bytes.get(self.at) == Some(&b'}') {
						self.at += 1;
						return Ok(Value::Object(fields));
					}
					loop {
						self.skip_space();
						let key = self.string()?;
						self.expect(b':')?;
						fields.insert(key, self.value()?);
						self.skip_space();
						match self.bytes.get(self.at) {
							Some(b',') => self.at += 1,
							Some(b'}') => {
								self.at += 1;
								return Ok(Value::Object(fields));
							},
							_ => return Err(format!("expected , or }} at byte {}", self.at)),
						}
					}
				},
				Some(b'[') => {
					self.at += 1;
					let mut items = Vec::new();
					self.skip_space();
					if self.bytes.get(self.at) == Some(&b']') {
						self.at += 1;
						return Ok(Value::Array(items));
					}
					loop {
						items.push(self.value()?);
						self.skip_space();
						match self.bytes.get(self.at) {
							Some(b',') => self.at += 1,
							Some(b']') => {
								self.at += 1;
								return Ok(Value::Array(items));
							},
							_ => return Err(format!("expected , or ] at byte {}", self.at)),
						}
					}
				},
				Some(b'"') => Ok(Value::String(self.string()?)),
				_ if rest.starts_with(b"true") => {
					self.at += 4;
					Ok(Value::Bool(true))
				},
				_ if rest.starts_with(b"false") => {
					self.at += 5;
					Ok(Value::Bool(false))
				},
				_ if rest.starts_with(b"null") => {
					self.at += 4;
					Ok(Value::Null)
				},
				_ => {
					let len = rest
						.iter()
						.take_while(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
						.count();
					let number = std::str::from_utf8(&rest[..len]).map_err(|e| e.to_string())?;
					self.at += len;
					number
						.parse()
						.map(Value::Number)
						.map_err(|_| format!("bad value {number:?} at byte {}", self.at - len))
				},
			}
		}

		fn string(&mut self) -> Result<String, String> {
			self.expect(b'"')?;
			let mut out = Vec::new();
			loop {
				match self.bytes.get(self.at) {
					Some(b'"') => {
						self.at += 1;
						return String::from_utf8(out).map_err(|e| e.to_string());
					},
					Some(b'\\') if matches!(self.bytes.get(self.at + 1), Some(b'"' | b'\\')) => {
						out.push(self.bytes[self.at + 1]);
						self.at += 2;
					},
					Some(b'\\') => return Err(format!("unsupported escape at byte {}", self.at)),
					Some(&byte) => {
						out.push(byte);
						self.at += 1;
					},
					None => return Err("unterminated string".to_owned()),
				}
			}
		}
	}
}
