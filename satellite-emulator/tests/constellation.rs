//! The constellation data under `data/` and contact windows from real orbits: the TLEs are
//! usable together, the stations parse, and with SGP4's passes a pair added never lengthens
//! the wait for contact.

use chrono::{DateTime, TimeDelta, Utc};
use satellite_emulator::orbit::{
	constellation::{Constellation, ContactPlan},
	GroundStation, Satellite, Tle,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
const TLE_FILES: [&str; 3] =
	["qb50p1_2015-03-02.tle", "flock-1b-27_2015-03-02.tle", "aist-2_2015-03-02.tle"];

fn tles() -> Vec<Tle> {
	TLE_FILES
		.iter()
		.map(|file| {
			let text = std::fs::read_to_string(format!("{DATA}/tle/{file}")).unwrap();
			Tle::parse(&text).unwrap_or_else(|error| panic!("{file}: {error:?}"))
		})
		.collect()
}

fn stations() -> Vec<(String, GroundStation)> {
	std::fs::read_to_string(format!("{DATA}/stations.txt"))
		.unwrap()
		.lines()
		.filter(|line| !line.starts_with('#') && !line.trim().is_empty())
		.map(|line| {
			let (position, name) = line.split_once(' ').expect("LAT,LON,ALT NAME");
			(name.to_owned(), position.parse().expect("a valid station"))
		})
		.collect()
}

/// Inclination in degrees, columns 9–16 of element line 2.
fn inclination_deg(tle: &Tle) -> f64 {
	tle.line2[8..16].trim().parse().unwrap()
}

#[test]
fn the_tles_parse_and_their_epochs_are_close() {
	let tles = tles();
	let epochs: Vec<DateTime<Utc>> = tles.iter().map(|tle| tle.epoch().unwrap()).collect();
	let spread = *epochs.iter().max().unwrap() - *epochs.iter().min().unwrap();
	assert!(spread < TimeDelta::hours(2), "epochs spread over {spread}");
	// One sun-synchronous, one mid-inclination, and three planes in all.
	let inclinations: Vec<f64> = tles.iter().map(inclination_deg).collect();
	assert!(inclinations.iter().any(|i| (97.0..=98.5).contains(i)), "{inclinations:?}");
	assert!(inclinations.iter().any(|i| (40.0..=52.0).contains(i)), "{inclinations:?}");
	for (i, a) in inclinations.iter().enumerate() {
		for b in &inclinations[i + 1..] {
			assert!((a - b).abs() > 5.0, "{inclinations:?}");
		}
	}
}

#[test]
fn the_stations_parse_at_three_distinct_latitudes() {
	let stations = stations();
	let latitudes: Vec<f64> = stations.iter().map(|(_, station)| station.latitude_deg).collect();
	assert_eq!(latitudes.len(), 3);
	assert!(latitudes.iter().any(|lat| *lat > 70.0), "a high-latitude station: {latitudes:?}");
	assert!(latitudes.iter().any(|lat| (40.0..55.0).contains(lat)), "{latitudes:?}");
	assert!(latitudes.iter().any(|lat| lat.abs() < 10.0), "a near-equatorial one: {latitudes:?}");
}

/// The first `satellites` TLEs over the first `stations` stations, over 36 h from `from`.
fn plan(satellites: usize, stations: usize, from: DateTime<Utc>) -> ContactPlan {
	let mut constellation = Constellation::new();
	for tle in tles().iter().take(satellites) {
		constellation.add_satellite(tle.name.clone().unwrap(), Satellite::new(tle).unwrap());
	}
	for (name, station) in self::stations().into_iter().take(stations) {
		constellation.add_station(name, station).unwrap();
	}
	constellation.predict(from, 36.0).unwrap()
}

#[test]
fn with_real_orbits_a_pair_added_never_lengthens_the_wait() {
	let from = tles().iter().map(|tle| tle.epoch().unwrap()).max().unwrap();
	// Nested: each configuration holds the pairs of the one before.
	let nested = [(1, 1), (1, 2), (2, 2), (3, 2), (3, 3)].map(|(s, g)| plan(s, g, from));
	for plan in &nested {
		// The union holds every pass, and each window starts when some pass does.
		for pass in plan.pairs.iter().flat_map(|pair| &pair.passes) {
			assert!(plan
				.contacts
				.windows()
				.iter()
				.any(|w| w.start <= pass.start && pass.end <= w.end));
		}
		for window in plan.contacts.windows() {
			assert!(plan
				.pairs
				.iter()
				.flat_map(|pair| &pair.passes)
				.any(|p| p.start == window.start));
		}
	}
	let mut shortened = [0; 4];
	for minute in 0..24 * 60 {
		let at = from + TimeDelta::minutes(minute);
		let waits: Vec<Option<TimeDelta>> =
			nested.iter().map(|plan| plan.contacts.wait_at(at)).collect();
		for (step, pair) in waits.windows(2).enumerate() {
			let (fewer, more) = (pair[0].expect("a pass within 36 h"), pair[1].unwrap());
			assert!(more <= fewer, "at {at}: {waits:?}");
			shortened[step] += usize::from(more < fewer);
		}
	}
	// Not vacuous: each pair added shortens the wait at many instants.
	assert!(
		shortened.iter().all(|&n| n >= 60),
		"minutes with a shorter wait, step by step: {shortened:?}"
	);
}
