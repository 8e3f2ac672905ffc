//! The bridge's Prometheus metrics, under the `space_notary_bridge` prefix.

use prometheus_client::{
	encoding::EncodeLabelSet,
	metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
	registry::Registry,
};
use std::sync::atomic::AtomicU64;

/// A label naming a reason (satellite refusals, bad countersignatures).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
	/// The reason.
	pub reason: String,
}

/// A label naming a direction of the link.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DirectionLabels {
	/// `up` or `down`.
	pub direction: String,
}

/// Every metric the bridge exports.
pub struct Metrics {
	registry: Registry,
	/// Batches in the queue that are not final.
	pub queue_depth: Gauge,
	/// Sign requests in flight on the link.
	pub in_flight: Gauge,
	/// Batches seen certified at a finalized block.
	pub certified: Counter,
	/// Batches the satellite refused, by reason.
	pub refused: Family<ReasonLabels, Counter>,
	/// Countersignatures that did not verify under the on-chain key.
	pub bad_countersignatures: Counter,
	/// Sign requests sent again after a timeout.
	pub retransmissions: Counter,
	/// Countersignatures submitted again after they did not land.
	pub resubmissions: Counter,
	/// Countersignatures submitted.
	pub submissions: Counter,
	/// Bundles (`submit_countersignatures`) the pool accepted.
	pub bundles: Counter,
	/// Races lost to another relay (already certified or already in the pool).
	pub lost_races: Counter,
	/// Countersignatures of a batch from another satellite than the first to answer: counted,
	/// not an error (submitted when a quorum above one needs them).
	pub other_satellite: Counter,
	/// `Busy` answers.
	pub busy: Counter,
	/// Downlink messages that matched no request in flight.
	pub unsolicited: Counter,
	/// Bytes on the link, by direction.
	pub bytes: Family<DirectionLabels, Counter>,
	/// Sign request round trips, seconds.
	pub rtt: Histogram,
	/// 1 while the link is up.
	pub link_up: Gauge,
	/// Seconds until the next pass begins (0 in a pass, -1 unknown).
	pub next_pass_seconds: Gauge<f64, AtomicU64>,
	/// Pending batches that will expire before the satellite can be reached.
	pub at_risk: Gauge,
	/// Batches that expired on chain while in the queue.
	pub expired: Counter,
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

impl Metrics {
	/// Fresh metrics, registered.
	pub fn new() -> Self {
		let mut top = Registry::default();
		let registry = top.sub_registry_with_prefix("space_notary_bridge");
		let queue_depth = Gauge::default();
		registry.register(
			"queue_depth",
			"Batches in the queue, not yet final",
			queue_depth.clone(),
		);
		let in_flight = Gauge::default();
		registry.register("in_flight", "Sign requests in flight on the link", in_flight.clone());
		let certified = Counter::default();
		registry.register(
			"certified",
			"Batches seen certified at a finalized block",
			certified.clone(),
		);
		let refused = Family::<ReasonLabels, Counter>::default();
		registry.register("refused", "Batches the satellite refused, by reason", refused.clone());
		let bad_countersignatures = Counter::default();
		registry.register(
			"bad_countersignatures",
			"Countersignatures that did not verify under the on-chain satellite key",
			bad_countersignatures.clone(),
		);
		let retransmissions = Counter::default();
		registry.register(
			"retransmissions",
			"Sign requests sent again after a timeout",
			retransmissions.clone(),
		);
		let resubmissions = Counter::default();
		registry.register(
			"resubmissions",
			"Countersignatures submitted again after they did not land",
			resubmissions.clone(),
		);
		let submissions = Counter::default();
		registry.register(
			"submissions",
			"Countersignatures submitted to the chain",
			submissions.clone(),
		);
		let bundles = Counter::default();
		registry.register(
			"bundles",
			"Bundles of several countersignatures submitted in one transaction",
			bundles.clone(),
		);
		let lost_races = Counter::default();
		registry.register(
			"lost_races",
			"Batches another relay certified first, or whose countersignature was already in the pool",
			lost_races.clone(),
		);
		let other_satellite = Counter::default();
		registry.register(
			"other_satellite_countersignatures",
			"Countersignatures of a batch from another satellite after the first (not an error)",
			other_satellite.clone(),
		);
		let busy = Counter::default();
		registry.register("busy", "Busy answers from the satellite", busy.clone());
		let unsolicited = Counter::default();
		registry.register(
			"unsolicited",
			"Downlink messages that matched no request in flight",
			unsolicited.clone(),
		);
		let bytes = Family::<DirectionLabels, Counter>::default();
		registry.register("link_bytes", "Bytes on the space link, by direction", bytes.clone());
		let rtt = Histogram::new(
			[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0].into_iter(),
		);
		registry.register("rtt_seconds", "Sign request round trips", rtt.clone());
		let link_up = Gauge::default();
		registry.register("link_up", "1 while the space link is up", link_up.clone());
		let next_pass_seconds = Gauge::<f64, AtomicU64>::default();
		registry.register(
			"next_pass_seconds",
			"Seconds until the next pass begins (0 during a pass, -1 unknown)",
			next_pass_seconds.clone(),
		);
		next_pass_seconds.set(-1.0);
		let at_risk = Gauge::default();
		registry.register(
			"batches_at_risk",
			"Pending batches that will expire before the satellite can be reached",
			at_risk.clone(),
		);
		let expired = Counter::default();
		registry.register("expired", "Batches that expired on chain while queued", expired.clone());
		Self {
			registry: top,
			queue_depth,
			in_flight,
			certified,
			refused,
			bad_countersignatures,
			retransmissions,
			resubmissions,
			submissions,
			bundles,
			lost_races,
			other_satellite,
			busy,
			unsolicited,
			bytes,
			rtt,
			link_up,
			next_pass_seconds,
			at_risk,
			expired,
		}
	}

	/// Counts one refusal.
	pub fn refused(&self, reason: &str) {
		self.refused.get_or_create(&ReasonLabels { reason: reason.to_string() }).inc();
	}

	/// Counts link bytes.
	pub fn link_bytes(&self, up: u64, down: u64) {
		self.bytes.get_or_create(&DirectionLabels { direction: "up".into() }).inc_by(up);
		self.bytes.get_or_create(&DirectionLabels { direction: "down".into() }).inc_by(down);
	}

	/// The Prometheus text exposition.
	pub fn encode(&self) -> String {
		let mut text = String::new();
		let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
		text
	}
}
