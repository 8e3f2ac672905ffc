//! Pass windows: when the satellite is in view of the ground station and the link is up.
//!
//! Windows are defined in *orbit time*, which runs `time_scale` times faster than the wall
//! clock from the moment the emulator starts (at `orbit_start`): with `--time-scale 60` a
//! 90-minute orbit goes by in 90 s. Only the pass schedule is compressed; bandwidth and
//! latency stay real, since they are what the ground station's pipelining has to cope with.

use chrono::{DateTime, TimeDelta, Utc};
use std::{sync::Mutex, time::Duration};
use tokio::time::Instant;

use crate::orbit::{GroundStation, OrbitError, Satellite};

/// How far ahead orbit passes are predicted at a time, in orbit hours.
const PREDICTION_HOURS: f64 = 24.0;

/// When the link is up, in orbit time.
pub enum PassSchedule {
	/// Always in view (no pass limits).
	Always,
	/// A pass of `duration` at the start of every `period`, the first `offset` after the orbit
	/// start.
	Fixed {
		/// Orbit period (orbit time).
		period: Duration,
		/// Pass length at the start of each period (orbit time).
		duration: Duration,
		/// When the first pass begins after the orbit start (orbit time): several stations on
		/// one satellite's fixed schedule lie apart along its track.
		offset: Duration,
	},
	/// Passes of a TLE's satellite over a ground station, predicted with SGP4.
	Orbit(Box<OrbitPasses>),
}

/// Pass windows predicted from a TLE, extended a day at a time as orbit time goes on.
pub struct OrbitPasses {
	satellite: Satellite,
	station: GroundStation,
	predicted: Mutex<Predicted>,
}

struct Predicted {
	/// Merged, ordered `[start, end]` windows.
	windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
	/// Predictions cover orbit time up to here.
	until: DateTime<Utc>,
}

impl OrbitPasses {
	/// Predicts the first day of passes from `from`, so that a bad TLE fails at start-up.
	pub fn new(
		satellite: Satellite,
		station: GroundStation,
		from: DateTime<Utc>,
	) -> Result<Self, OrbitError> {
		let passes = Self { satellite, station, predicted: Mutex::new(Predicted::empty(from)) };
		let mut predicted = passes.lock();
		passes.extend(&mut predicted)?;
		drop(predicted);
		Ok(passes)
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, Predicted> {
		// The data is a cache of predictions: one left by a panicking thread is still valid.
		self.predicted.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	fn extend(&self, predicted: &mut Predicted) -> Result<(), OrbitError> {
		let from = predicted.until;
		let passes = self.satellite.predict_passes(&self.station, from, PREDICTION_HOURS)?;
		predicted.until = from + TimeDelta::seconds((PREDICTION_HOURS * 3600.0) as i64);
		for pass in passes {
			match predicted.windows.last_mut() {
				// A pass cut at the previous prediction's end continues here.
				Some(last) if pass.start <= last.1 => last.1 = last.1.max(pass.end),
				_ => predicted.windows.push((pass.start, pass.end)),
			}
		}
		Ok(())
	}

	/// Whether `at` is in a pass, and the orbit time until that changes (if known).
	fn state_at(&self, at: DateTime<Utc>) -> (bool, Option<TimeDelta>) {
		let mut predicted = self.lock();
		// Look one prediction beyond `at`, so that the next change is known.
		while predicted.until <= at + TimeDelta::hours(PREDICTION_HOURS as i64) {
			if let Err(error) = self.extend(&mut predicted) {
				tracing::warn!(target: "satellite::pass", %error, "pass prediction failed; the link stays down");
				return (false, None);
			}
		}
		// Forget windows long gone, so the list stays short however long the emulator runs.
		predicted.windows.retain(|(_, end)| *end >= at - TimeDelta::hours(1));
		for (start, end) in &predicted.windows {
			if at < *start {
				return (false, Some(*start - at));
			}
			if at <= *end {
				return (true, Some(*end - at));
			}
		}
		(false, None)
	}
}

impl Predicted {
	fn empty(from: DateTime<Utc>) -> Self {
		Self { windows: Vec::new(), until: from }
	}
}

/// The link's pass state at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassState {
	/// Whether the satellite is in view.
	pub in_pass: bool,
	/// Wall-clock time until that changes; `None` if it never does (or is not known).
	pub change_in: Option<Duration>,
}

/// Maps the emulator's wall clock to orbit time and answers "is the link up?".
pub struct PassClock {
	started: Instant,
	orbit_start: DateTime<Utc>,
	time_scale: f64,
	schedule: PassSchedule,
}

impl PassClock {
	/// A clock whose orbit time is `orbit_start` at `started` and runs `time_scale` times
	/// faster than the wall clock.
	pub fn new(
		schedule: PassSchedule,
		started: Instant,
		orbit_start: DateTime<Utc>,
		time_scale: f64,
	) -> Self {
		Self { started, orbit_start, time_scale, schedule }
	}

	/// Orbit seconds elapsed at `at`.
	fn orbit_elapsed(&self, at: Instant) -> f64 {
		at.saturating_duration_since(self.started).as_secs_f64() * self.time_scale
	}

	/// Orbit time at `at`.
	pub fn orbit_time(&self, at: Instant) -> DateTime<Utc> {
		self.orbit_start + TimeDelta::microseconds((self.orbit_elapsed(at) * 1e6) as i64)
	}

	fn to_wall(&self, orbit_seconds: f64) -> Duration {
		Duration::from_secs_f64((orbit_seconds / self.time_scale).max(0.0))
	}

	/// Pass state at `at`.
	pub fn state_at(&self, at: Instant) -> PassState {
		match &self.schedule {
			PassSchedule::Always => PassState { in_pass: true, change_in: None },
			PassSchedule::Fixed { period, duration, offset } => {
				let period = period.as_secs_f64();
				let duration = duration.as_secs_f64();
				let phase = (self.orbit_elapsed(at) - offset.as_secs_f64()).rem_euclid(period);
				let (in_pass, left) = if phase < duration {
					(true, duration - phase)
				} else {
					(false, period - phase)
				};
				PassState { in_pass, change_in: Some(self.to_wall(left)) }
			},
			PassSchedule::Orbit(passes) => {
				let (in_pass, change) = passes.state_at(self.orbit_time(at));
				let change_in = change.map(|d| self.to_wall(d.as_seconds_f64()));
				PassState { in_pass, change_in }
			},
		}
	}

	/// Whether the link is up at `at`.
	pub fn in_pass(&self, at: Instant) -> bool {
		self.state_at(at).in_pass
	}
}

impl PassState {
	/// The satellite as seen from any of several stations: in view of one at least, and the
	/// soonest time any station's view changes.
	pub fn any(states: impl IntoIterator<Item = PassState>) -> PassState {
		let mut any = PassState { in_pass: false, change_in: None };
		for state in states {
			any.in_pass |= state.in_pass;
			any.change_in = match (any.change_in, state.change_in) {
				(Some(a), Some(b)) => Some(a.min(b)),
				(a, b) => a.or(b),
			};
		}
		any
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::orbit::Tle;

	#[test]
	fn fixed_windows_repeat_every_period_in_compressed_time() {
		let start = Instant::now();
		// 90-minute orbit, 10-minute pass, 60x: a 90 s period with 10 s passes.
		let clock = PassClock::new(
			PassSchedule::Fixed {
				period: Duration::from_secs(90 * 60),
				duration: Duration::from_secs(600),
				offset: Duration::ZERO,
			},
			start,
			Utc::now(),
			60.0,
		);
		let at = |s: f64| start + Duration::from_secs_f64(s);
		assert!(clock.state_at(at(0.0)).in_pass);
		assert!(clock.state_at(at(9.9)).in_pass);
		assert!(!clock.state_at(at(10.1)).in_pass);
		assert!(!clock.state_at(at(89.0)).in_pass);
		assert!(clock.state_at(at(90.5)).in_pass);
		let change = clock.state_at(at(4.0)).change_in.unwrap();
		assert!((change.as_secs_f64() - 6.0).abs() < 1e-6, "{change:?}");
		let change = clock.state_at(at(30.0)).change_in.unwrap();
		assert!((change.as_secs_f64() - 60.0).abs() < 1e-6, "{change:?}");
	}

	#[test]
	fn a_second_station_on_a_fixed_schedule_sees_its_passes_later() {
		let start = Instant::now();
		// Station 1 of 2: its passes begin half a period (45 s at 60x) after station 0's.
		let clock = PassClock::new(
			PassSchedule::Fixed {
				period: Duration::from_secs(90 * 60),
				duration: Duration::from_secs(600),
				offset: Duration::from_secs(45 * 60),
			},
			start,
			Utc::now(),
			60.0,
		);
		let at = |s: f64| start + Duration::from_secs_f64(s);
		let before = clock.state_at(at(0.0));
		assert!(!before.in_pass);
		assert!((before.change_in.unwrap().as_secs_f64() - 45.0).abs() < 1e-6, "{before:?}");
		assert!(clock.state_at(at(46.0)).in_pass);
		assert!(!clock.state_at(at(56.0)).in_pass);
		assert!(clock.state_at(at(136.0)).in_pass);
		let both = PassState::any([
			clock.state_at(at(0.0)),
			PassState { in_pass: true, change_in: Some(Duration::from_secs(10)) },
		]);
		assert_eq!(both, PassState { in_pass: true, change_in: Some(Duration::from_secs(10)) });
	}

	#[test]
	fn orbit_windows_follow_the_predicted_passes() {
		let tle = Tle::parse(include_str!("../tests/data/iss_2018-07-03.tle")).unwrap();
		let station: GroundStation = "51.5,-0.1,20".parse().unwrap();
		let satellite = Satellite::new(&tle).unwrap();
		let from = satellite.epoch();
		let passes = satellite.predict_passes(&station, from, 24.0).unwrap();
		let first = passes.first().expect("the ISS passes over London within a day");
		let start = Instant::now();
		let clock = PassClock::new(
			PassSchedule::Orbit(Box::new(OrbitPasses::new(satellite, station, from).unwrap())),
			start,
			from,
			1000.0,
		);
		let wall = |t: DateTime<Utc>| {
			start + Duration::from_secs_f64((t - from).as_seconds_f64() / 1000.0)
		};
		let before = clock.state_at(wall(first.start - TimeDelta::seconds(60)));
		assert!(!before.in_pass);
		assert!((before.change_in.unwrap().as_secs_f64() - 0.06).abs() < 1e-3);
		let mid = first.start + first.duration() / 2;
		assert!(clock.state_at(wall(mid)).in_pass);
		assert!(!clock.state_at(wall(first.end + TimeDelta::seconds(60))).in_pass);
		// Far beyond the first prediction, passes are still predicted.
		let later = clock.state_at(wall(from + TimeDelta::hours(60)));
		assert!(later.change_in.is_some());
	}
}
