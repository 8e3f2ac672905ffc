//! Contact between several satellites and several ground stations.
//!
//! A batch waits for the next pass of *any* (station, satellite) pair. [`Constellation`]
//! predicts every pair's passes over a window; their union, merged into disjoint windows
//! sorted by time, is a [`ContactWindows`], which answers "how long until contact?" for an
//! instant by binary search ([`ContactWindows::wait_at`]).
//!
//! This is geometry only: the wait it gives is the least the pass geometry allows, not the
//! time a batch takes to be certified (the link, the queue and the chain come on top).

use chrono::{DateTime, TimeDelta, Utc};

use super::{GroundStation, OrbitError, Pass, Satellite, MAX_WINDOW_HOURS};

/// Errors from building a constellation, predicting its contacts or merging windows.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConstellationError {
	/// No satellite was added: there is nothing to wait for.
	#[error("a constellation needs at least one satellite")]
	NoSatellites,
	/// No ground station was added: there is nothing to wait for.
	#[error("a constellation needs at least one ground station")]
	NoStations,
	/// A ground station or the prediction window is invalid; nothing was predicted.
	#[error(transparent)]
	Input(#[from] OrbitError),
	/// Predicting one pair's passes failed (SGP4 diverged, for example).
	#[error("predicting the passes of {satellite} over {station} failed")]
	Prediction {
		/// The satellite's label.
		satellite: String,
		/// The station's label.
		station: String,
		/// Why.
		#[source]
		source: OrbitError,
	},
	/// A contact window ends before it starts.
	#[error("a contact window ends at {end}, before it starts at {start}")]
	ReversedWindow {
		/// The window's start.
		start: DateTime<Utc>,
		/// The window's end.
		end: DateTime<Utc>,
	},
}

/// A closed interval of time, both ends included (as [`Pass`] counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeWindow {
	/// The first instant.
	pub start: DateTime<Utc>,
	/// The last instant.
	pub end: DateTime<Utc>,
}

impl TimeWindow {
	/// The window `[start, end]`; refused if it ends before it starts.
	pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, ConstellationError> {
		if end < start {
			return Err(ConstellationError::ReversedWindow { start, end });
		}
		Ok(Self { start, end })
	}

	/// How long it lasts.
	pub fn duration(&self) -> TimeDelta {
		self.end - self.start
	}

	/// Whether `at` falls within it (both ends included).
	pub fn contains(&self, at: DateTime<Utc>) -> bool {
		self.start <= at && at <= self.end
	}

	/// The part of it inside `within`, if any.
	pub fn clip(&self, within: &TimeWindow) -> Option<TimeWindow> {
		let start = self.start.max(within.start);
		let end = self.end.min(within.end);
		(start <= end).then_some(TimeWindow { start, end })
	}
}

impl From<&Pass> for TimeWindow {
	fn from(pass: &Pass) -> Self {
		Self { start: pass.start, end: pass.end }
	}
}

/// When at least one pair is in contact, over a known span of time: disjoint windows in time
/// order, each the union of overlapping or touching passes.
///
/// Outside [`ContactWindows::span`] nothing is known: windows are clipped to it, and a wait
/// that would end beyond it is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactWindows {
	span: TimeWindow,
	/// Disjoint, in time order, each within `span`, separated by gaps of no contact.
	windows: Vec<TimeWindow>,
}

impl ContactWindows {
	/// The union of `windows` over `span`, in O(n log n): sorted by start, then each merged
	/// into the last when it overlaps or touches it. Parts outside `span` are dropped.
	pub fn merge(span: TimeWindow, windows: impl IntoIterator<Item = TimeWindow>) -> Self {
		let mut sorted: Vec<TimeWindow> =
			windows.into_iter().filter_map(|window| window.clip(&span)).collect();
		sorted.sort_unstable();
		let mut merged: Vec<TimeWindow> = Vec::with_capacity(sorted.len());
		for window in sorted {
			match merged.last_mut() {
				Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
				_ => merged.push(window),
			}
		}
		Self { span, windows: merged }
	}

	/// The span of time the windows describe.
	pub fn span(&self) -> TimeWindow {
		self.span
	}

	/// The contact windows: disjoint, in time order, within the span.
	pub fn windows(&self) -> &[TimeWindow] {
		&self.windows
	}

	/// The index of the first window that has not ended by `at`.
	fn first_not_ended(&self, at: DateTime<Utc>) -> usize {
		// Merged windows are disjoint and sorted, so their ends are sorted too.
		self.windows.partition_point(|window| window.end < at)
	}

	/// Whether some pair is in contact at `at`.
	pub fn in_contact(&self, at: DateTime<Utc>) -> bool {
		self.wait_at(at) == Some(TimeDelta::zero())
	}

	/// Time until contact from `at`: zero within a window, else the time to the next
	/// window's start; `None` if no window starts between `at` and the span's end (the
	/// answer lies beyond what was predicted). O(log n).
	pub fn wait_at(&self, at: DateTime<Utc>) -> Option<TimeDelta> {
		let next = self.windows.get(self.first_not_ended(at))?;
		Some((next.start - at).max(TimeDelta::zero()))
	}

	/// The spans within [`ContactWindows::span`] with no contact, in time order. The first and
	/// last are cut by the span's ends (the true gap may be longer).
	pub fn gaps(&self) -> Vec<TimeWindow> {
		let mut gaps = Vec::with_capacity(self.windows.len() + 1);
		let mut from = self.span.start;
		for window in &self.windows {
			if window.start > from {
				gaps.push(TimeWindow { start: from, end: window.start });
			}
			from = window.end;
		}
		if self.span.end > from {
			gaps.push(TimeWindow { start: from, end: self.span.end });
		}
		gaps
	}

	/// The longest span without contact (the earliest of equals); `None` if contact never
	/// breaks.
	pub fn longest_gap(&self) -> Option<TimeWindow> {
		self.gaps().into_iter().rev().max_by_key(TimeWindow::duration)
	}

	/// Total time in contact within `within`.
	pub fn contact_time(&self, within: &TimeWindow) -> TimeDelta {
		self.windows
			.iter()
			.filter_map(|window| window.clip(within))
			.map(|window| window.duration())
			.sum()
	}
}

/// One (satellite, station) pair's passes.
#[derive(Debug, Clone, PartialEq)]
pub struct PairPasses {
	/// The satellite's label.
	pub satellite: String,
	/// The station's label.
	pub station: String,
	/// Its passes, in time order.
	pub passes: Vec<Pass>,
}

/// Every pair's passes over one window, and their union.
#[derive(Debug, Clone)]
pub struct ContactPlan {
	/// Satellite by satellite, then station by station within each.
	pub pairs: Vec<PairPasses>,
	/// When some pair is in contact.
	pub contacts: ContactWindows,
}

/// Several satellites and several ground stations: every satellite can be reached from every
/// station.
#[derive(Debug, Clone, Default)]
pub struct Constellation {
	satellites: Vec<(String, Satellite)>,
	stations: Vec<(String, GroundStation)>,
}

impl Constellation {
	/// A constellation with no satellites and no stations yet.
	pub fn new() -> Self {
		Self::default()
	}

	/// Adds a satellite, labelled for reports (its name, typically).
	pub fn add_satellite(&mut self, label: impl Into<String>, satellite: Satellite) -> &mut Self {
		self.satellites.push((label.into(), satellite));
		self
	}

	/// Adds a ground station, labelled for reports; refused if its fields are out of range.
	pub fn add_station(
		&mut self,
		label: impl Into<String>,
		station: GroundStation,
	) -> Result<&mut Self, ConstellationError> {
		station.validate()?;
		self.stations.push((label.into(), station));
		Ok(self)
	}

	/// Every pair's passes over `[from, from + hours]` and their union. Costs one pass search
	/// per pair (satellites × stations).
	pub fn predict(
		&self,
		from: DateTime<Utc>,
		hours: f64,
	) -> Result<ContactPlan, ConstellationError> {
		if self.satellites.is_empty() {
			return Err(ConstellationError::NoSatellites);
		}
		if self.stations.is_empty() {
			return Err(ConstellationError::NoStations);
		}
		if !(0.0..=MAX_WINDOW_HOURS).contains(&hours) {
			return Err(OrbitError::InvalidWindow { hours }.into());
		}
		let span = TimeWindow {
			start: from,
			// Bounded by MAX_WINDOW_HOURS, far inside TimeDelta's range.
			end: from + TimeDelta::microseconds((hours * 3.6e9).round() as i64),
		};
		let mut pairs = Vec::with_capacity(self.satellites.len() * self.stations.len());
		for (satellite_label, satellite) in &self.satellites {
			for (station_label, station) in &self.stations {
				let passes = satellite.predict_passes(station, from, hours).map_err(|source| {
					ConstellationError::Prediction {
						satellite: satellite_label.clone(),
						station: station_label.clone(),
						source,
					}
				})?;
				pairs.push(PairPasses {
					satellite: satellite_label.clone(),
					station: station_label.clone(),
					passes,
				});
			}
		}
		let contacts = ContactWindows::merge(
			span,
			pairs.iter().flat_map(|pair| pair.passes.iter().map(TimeWindow::from)),
		);
		Ok(ContactPlan { pairs, contacts })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use rand::{Rng, SeedableRng};
	use rand_chacha::ChaCha8Rng;

	fn t0() -> DateTime<Utc> {
		DateTime::from_timestamp(1_425_296_551, 0).unwrap()
	}

	/// `t0` plus `minutes`.
	fn at(minutes: i64) -> DateTime<Utc> {
		t0() + TimeDelta::minutes(minutes)
	}

	fn window(start_min: i64, end_min: i64) -> TimeWindow {
		TimeWindow::new(at(start_min), at(end_min)).unwrap()
	}

	fn day() -> TimeWindow {
		window(0, 24 * 60)
	}

	fn wait_min(contacts: &ContactWindows, minute: i64) -> Option<i64> {
		contacts.wait_at(at(minute)).map(|wait| wait.num_minutes())
	}

	#[test]
	fn overlapping_and_touching_windows_merge_and_disjoint_ones_stay_apart() {
		// Given out of order, as passes of different pairs are.
		let contacts = ContactWindows::merge(
			day(),
			[window(100, 110), window(10, 20), window(15, 30), window(30, 40), window(50, 60)],
		);
		assert_eq!(contacts.windows(), [window(10, 40), window(50, 60), window(100, 110)]);
		// A window inside another changes nothing.
		let nested = ContactWindows::merge(day(), [window(10, 40), window(12, 13)]);
		assert_eq!(nested.windows(), [window(10, 40)]);
	}

	#[test]
	fn windows_are_clipped_to_the_span() {
		let span = window(0, 100);
		let contacts = ContactWindows::merge(
			span,
			[window(-30, 10), window(-50, -40), window(90, 130), window(200, 210)],
		);
		assert_eq!(contacts.windows(), [window(0, 10), window(90, 100)]);
		assert_eq!(contacts.span(), span);
	}

	#[test]
	fn the_wait_is_zero_in_contact_and_the_time_to_the_next_start_outside() {
		let contacts = ContactWindows::merge(day(), [window(10, 20), window(50, 60)]);
		let cases = [
			(0, Some(10)),  // before the first window
			(9, Some(1)),   // just before it
			(10, Some(0)),  // its start is in contact
			(15, Some(0)),  // inside
			(20, Some(0)),  // its end is in contact too
			(21, Some(29)), // in the gap: to the next start
			(60, Some(0)),  // the last window's end
			(61, None),     // nothing predicted after it
			(-100, Some(110)),
		];
		for (minute, expected) in cases {
			assert_eq!(wait_min(&contacts, minute), expected, "at minute {minute}");
		}
		assert!(contacts.in_contact(at(15)));
		assert!(!contacts.in_contact(at(21)));
		// To the microsecond, not rounded to minutes.
		let wait = contacts.wait_at(at(9) + TimeDelta::microseconds(1)).unwrap();
		assert_eq!(wait, TimeDelta::minutes(1) - TimeDelta::microseconds(1));
	}

	#[test]
	fn no_windows_means_no_contact_and_one_gap() {
		let contacts = ContactWindows::merge(day(), []);
		assert_eq!(contacts.wait_at(at(0)), None);
		assert_eq!(contacts.gaps(), [day()]);
		assert_eq!(contacts.longest_gap(), Some(day()));
		assert_eq!(contacts.contact_time(&day()), TimeDelta::zero());
	}

	#[test]
	fn gaps_include_the_span_edges_and_the_longest_is_found() {
		let contacts = ContactWindows::merge(window(0, 200), [window(10, 20), window(100, 150)]);
		assert_eq!(contacts.gaps(), [window(0, 10), window(20, 100), window(150, 200)]);
		assert_eq!(contacts.longest_gap(), Some(window(20, 100)));
		assert_eq!(contacts.contact_time(&window(0, 200)), TimeDelta::minutes(60));
		assert_eq!(contacts.contact_time(&window(15, 120)), TimeDelta::minutes(25));
		// In contact from start to end: no gap at all.
		let always = ContactWindows::merge(window(0, 200), [window(-10, 300)]);
		assert!(always.gaps().is_empty());
		assert_eq!(always.longest_gap(), None);
		// Two equal gaps: the earlier is reported.
		let even = ContactWindows::merge(window(0, 30), [window(10, 20)]);
		assert_eq!(even.longest_gap(), Some(window(0, 10)));
	}

	#[test]
	fn a_reversed_window_is_refused() {
		let result = TimeWindow::new(at(10), at(9));
		assert!(
			matches!(result, Err(ConstellationError::ReversedWindow { start, end }) if start == at(10) && end == at(9))
		);
		assert!(TimeWindow::new(at(10), at(10)).is_ok(), "an instant is a window");
	}

	#[test]
	fn an_empty_constellation_is_refused() {
		let result = Constellation::new().predict(t0(), 24.0);
		assert!(matches!(result, Err(ConstellationError::NoSatellites)), "{result:?}");
		let bad_station = GroundStation::new(91.0, 0.0, 0.0);
		let result = Constellation::new().add_station("north of the pole", bad_station).map(|_| ());
		assert!(
			matches!(result, Err(ConstellationError::Input(OrbitError::InvalidStation { .. }))),
			"{result:?}"
		);
	}

	/// A pair's passes over a day: a few random windows of 2 to 15 minutes.
	fn random_pair(rng: &mut ChaCha8Rng) -> Vec<TimeWindow> {
		let count = rng.gen_range(0..8);
		(0..count)
			.map(|_| {
				let start = rng.gen_range(-20..24 * 60);
				window(start, start + rng.gen_range(2..16))
			})
			.collect()
	}

	/// The wait from the windows by brute force: every instant is checked against every
	/// window, with no merge and no search.
	fn brute_force_wait(
		windows: &[TimeWindow],
		span: &TimeWindow,
		at: DateTime<Utc>,
	) -> Option<TimeDelta> {
		let clipped: Vec<TimeWindow> = windows.iter().filter_map(|w| w.clip(span)).collect();
		if clipped.iter().any(|w| w.contains(at)) {
			return Some(TimeDelta::zero());
		}
		clipped.iter().filter(|w| w.start > at).map(|w| w.start - at).min()
	}

	#[test]
	fn adding_a_pair_never_lengthens_the_wait_at_any_instant() {
		let mut rng = ChaCha8Rng::seed_from_u64(7);
		for case in 0..200 {
			let pairs: Vec<Vec<TimeWindow>> =
				(0..rng.gen_range(1..6)).map(|_| random_pair(&mut rng)).collect();
			let mut known: Vec<TimeWindow> = Vec::new();
			let mut before = ContactWindows::merge(day(), []);
			for pair in &pairs {
				known.extend(pair);
				let after = ContactWindows::merge(day(), known.iter().copied());
				// Every 20 s over the day and a little either side of it.
				for step in -30..(24 * 180 + 30) {
					let instant = t0() + TimeDelta::seconds(step * 20);
					let (old, new) = (before.wait_at(instant), after.wait_at(instant));
					// `None` (no contact predicted) is the longest wait of all.
					let longer = match (old, new) {
						(Some(old), Some(new)) => new > old,
						(Some(_), None) => true,
						(None, _) => false,
					};
					assert!(!longer, "case {case}: adding {pair:?} made the wait at {instant} {new:?}, was {old:?}");
					assert_eq!(
						new,
						brute_force_wait(&known, &day(), instant),
						"case {case} at {instant}"
					);
				}
				before = after;
			}
		}
	}
}
