//! The round-trip estimate (RFC 6298) behind the retransmission timeout.

use std::time::Duration;

/// Round-trip estimate, as RFC 6298 computes it.
pub(super) struct RttEstimate {
	/// Smoothed round trip, once sampled.
	pub(super) srtt: Option<Duration>,
	/// Its variation.
	pub(super) rttvar: Duration,
}

impl RttEstimate {
	pub(super) fn sample(&mut self, rtt: Duration) {
		match self.srtt {
			None => {
				self.srtt = Some(rtt);
				self.rttvar = rtt / 2;
			},
			Some(srtt) => {
				let delta = srtt.abs_diff(rtt);
				self.rttvar = self.rttvar * 3 / 4 + delta / 4;
				self.srtt = Some(srtt * 7 / 8 + rtt / 8);
			},
		}
	}

	pub(super) fn rto(&self, min: Duration, max: Duration) -> Duration {
		let rto = match self.srtt {
			None => min.max(Duration::from_secs(3)),
			// At least 1.5 × srtt: on a saturated link the round trip is mostly queueing, its
			// variance is small, and `srtt + 4·rttvar` alone times out requests that are only
			// waiting their turn (each spurious retransmission then lengthens the queue).
			Some(srtt) => (srtt + self.rttvar * 4).max(srtt * 3 / 2),
		};
		rto.clamp(min, max)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_timeout_follows_the_round_trip_within_its_bounds() {
		let (min, max) = (Duration::from_secs(1), Duration::from_secs(60));
		let mut rtt = RttEstimate { srtt: None, rttvar: Duration::ZERO };
		assert_eq!(rtt.rto(min, max), Duration::from_secs(3), "no sample yet");
		rtt.sample(Duration::from_secs(2));
		// srtt 2 s, rttvar 1 s: 2 + 4·1 = 6 s.
		assert_eq!(rtt.rto(min, max), Duration::from_secs(6));
		for _ in 0..50 {
			rtt.sample(Duration::from_secs(2));
		}
		// A steady round trip: the variance fades, 1.5 × srtt holds the floor.
		assert_eq!(rtt.rto(min, max), Duration::from_secs(3));
		rtt.sample(Duration::from_secs(600));
		assert_eq!(rtt.rto(min, max), max);
	}
}
