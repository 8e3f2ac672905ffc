//! Coordinate frames: TEME (SGP4's output) → Earth-fixed → topocentric look angles.
//!
//! All positions are in kilometres. Polar motion (tens of metres) and UT1 − UTC (under a
//! second of Earth rotation, about 0.004°) are ignored: both are far below what a pass
//! window or an antenna pointing needs, and using them would take tables we do not ship.

use super::LookAngles;

/// WGS-84 equatorial radius in km.
const WGS84_A_KM: f64 = 6378.137;
/// WGS-84 flattening.
const WGS84_F: f64 = 1.0 / 298.257223563;

/// Greenwich mean sidereal time (IAU 1982) in radians for a UTC instant given as Julian
/// years since J2000 (2000-01-01 12:00 UTC), which is how the `sgp4` crate counts epochs.
pub(super) fn gmst_rad(years_since_j2000: f64) -> f64 {
	sgp4::iau_epoch_to_sidereal_time(years_since_j2000)
}

/// Rotates a TEME position into the Earth-fixed (pseudo Earth-fixed, no polar motion)
/// frame: TEME's x axis points at the mean equinox, so a rotation by GMST about z
/// brings it onto the Greenwich meridian.
pub(super) fn teme_to_ecef(teme_km: [f64; 3], gmst_rad: f64) -> [f64; 3] {
	let (sin, cos) = gmst_rad.sin_cos();
	let [x, y, z] = teme_km;
	[cos * x + sin * y, -sin * x + cos * y, z]
}

/// Earth-fixed position in km of a point given by WGS-84 geodetic latitude and longitude
/// (degrees) and height above the ellipsoid (metres).
pub(super) fn geodetic_to_ecef(latitude_deg: f64, longitude_deg: f64, altitude_m: f64) -> [f64; 3] {
	let e2 = WGS84_F * (2.0 - WGS84_F);
	let (sin_lat, cos_lat) = latitude_deg.to_radians().sin_cos();
	let (sin_lon, cos_lon) = longitude_deg.to_radians().sin_cos();
	// Prime vertical radius of curvature.
	let n = WGS84_A_KM / (1.0 - e2 * sin_lat * sin_lat).sqrt();
	let h = altitude_m / 1000.0;
	[(n + h) * cos_lat * cos_lon, (n + h) * cos_lat * sin_lon, (n * (1.0 - e2) + h) * sin_lat]
}

/// A ground station's local East-North-Up frame, built once and reused for every sample
/// of a pass search.
#[derive(Debug, Clone, Copy)]
pub(super) struct Topocentric {
	origin_ecef_km: [f64; 3],
	sin_lat: f64,
	cos_lat: f64,
	sin_lon: f64,
	cos_lon: f64,
}

impl Topocentric {
	/// The ENU frame at a WGS-84 geodetic position; "up" is the ellipsoid normal, so
	/// elevation is measured from the local horizon as an antenna sees it.
	pub(super) fn new(latitude_deg: f64, longitude_deg: f64, altitude_m: f64) -> Self {
		let (sin_lat, cos_lat) = latitude_deg.to_radians().sin_cos();
		let (sin_lon, cos_lon) = longitude_deg.to_radians().sin_cos();
		Self {
			origin_ecef_km: geodetic_to_ecef(latitude_deg, longitude_deg, altitude_m),
			sin_lat,
			cos_lat,
			sin_lon,
			cos_lon,
		}
	}

	/// Azimuth (clockwise from true north), elevation and range of an Earth-fixed point.
	pub(super) fn look_at(&self, target_ecef_km: [f64; 3]) -> LookAngles {
		let [dx, dy, dz] = [
			target_ecef_km[0] - self.origin_ecef_km[0],
			target_ecef_km[1] - self.origin_ecef_km[1],
			target_ecef_km[2] - self.origin_ecef_km[2],
		];
		let east = -self.sin_lon * dx + self.cos_lon * dy;
		let north = -self.sin_lat * self.cos_lon * dx - self.sin_lat * self.sin_lon * dy
			+ self.cos_lat * dz;
		let up =
			self.cos_lat * self.cos_lon * dx + self.cos_lat * self.sin_lon * dy + self.sin_lat * dz;
		let horizontal = east.hypot(north);
		LookAngles {
			azimuth_deg: east.atan2(north).to_degrees().rem_euclid(360.0),
			elevation_deg: up.atan2(horizontal).to_degrees(),
			range_km: horizontal.hypot(up),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn close(a: f64, b: f64, tolerance: f64) -> bool {
		(a - b).abs() <= tolerance
	}

	#[test]
	fn geodetic_to_ecef_matches_the_wgs84_axes() {
		let [x, y, z] = geodetic_to_ecef(0.0, 0.0, 0.0);
		assert!(close(x, WGS84_A_KM, 1e-9) && close(y, 0.0, 1e-9) && close(z, 0.0, 1e-9));
		// Polar radius b = a (1 - f) = 6356.752 km.
		let [x, y, z] = geodetic_to_ecef(90.0, 0.0, 1000.0);
		assert!(close(x, 0.0, 1e-9) && close(y, 0.0, 1e-9) && close(z, 6357.752314, 1e-6));
		let [x, y, _] = geodetic_to_ecef(0.0, 90.0, 0.0);
		assert!(close(x, 0.0, 1e-9) && close(y, WGS84_A_KM, 1e-9));
	}

	#[test]
	fn teme_to_ecef_rotates_by_sidereal_angle() {
		// At GMST = 90° the equinox direction lies over longitude -90°.
		let [x, y, z] = teme_to_ecef([7000.0, 0.0, 10.0], std::f64::consts::FRAC_PI_2);
		assert!(close(x, 0.0, 1e-9) && close(y, -7000.0, 1e-9) && close(z, 10.0, 1e-12));
	}

	#[test]
	fn look_angles_of_points_around_a_station() {
		let station = Topocentric::new(49.8728, 8.6512, 144.0);
		let overhead = geodetic_to_ecef(49.8728, 8.6512, 400_144.0);
		let look = station.look_at(overhead);
		assert!(close(look.elevation_deg, 90.0, 1e-6), "{look:?}");
		assert!(close(look.range_km, 400.0, 1e-6), "{look:?}");

		// Slightly north and east at the same height: azimuths of 0° and 90°, just below the
		// horizon because the Earth curves away.
		let north = station.look_at(geodetic_to_ecef(50.8728, 8.6512, 144.0));
		assert!(close(north.azimuth_deg, 0.0, 1e-6) || close(north.azimuth_deg, 360.0, 1e-6));
		assert!(north.elevation_deg < 0.0 && north.elevation_deg > -1.0, "{north:?}");
		let east = station.look_at(geodetic_to_ecef(49.8728, 9.6512, 144.0));
		assert!(close(east.azimuth_deg, 90.0, 0.5), "{east:?}");
	}
}
