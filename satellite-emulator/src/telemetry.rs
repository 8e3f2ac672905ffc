//! Counters of what the satellite did, answered to `StatusRequest` as [`Telemetry`] and
//! exported in the Prometheus text format (`prometheus-client`).
//!
//! Frame counts are the link model's: `frames_dropped` are packets lost to noise or sent out
//! of a pass, `frames_corrupted` are packets whose bits the model flipped, in either
//! direction. A corrupted uplink packet is also seen by the satellite's decoder, which is
//! exported separately (`decoder_*`), so nothing is counted twice in [`Telemetry`].
//! `bytes_up` and `bytes_down` count every byte put on the air, delivered or not.

use prometheus_client::{
	encoding::EncodeLabelSet,
	metrics::{counter::Counter, family::Family, gauge::Gauge},
	registry::Registry,
};
use space_notary_primitives::link::{DeframerStats, Direction, RejectReason, Telemetry};

use crate::pass::PassState;

/// Every refusal reason, in wire order.
pub const ALL_REASONS: [RejectReason; 12] = [
	RejectReason::UnsupportedVersion,
	RejectReason::UnknownServer,
	RejectReason::ServerKeyMismatch,
	RejectReason::BadServerSignature,
	RejectReason::GenesisMismatch,
	RejectReason::SequenceNotAbove,
	RejectReason::Equivocation,
	RejectReason::Stale,
	RejectReason::FromFuture,
	RejectReason::BoundsExceeded,
	RejectReason::RootMismatch,
	RejectReason::Malformed,
];

/// The metric label of a refusal reason.
pub fn reason_label(reason: RejectReason) -> &'static str {
	// Exhaustive on purpose: a new reason must get a label here.
	match reason {
		RejectReason::UnsupportedVersion => "unsupported_version",
		RejectReason::UnknownServer => "unknown_server",
		RejectReason::ServerKeyMismatch => "server_key_mismatch",
		RejectReason::BadServerSignature => "bad_server_signature",
		RejectReason::GenesisMismatch => "genesis_mismatch",
		RejectReason::SequenceNotAbove => "sequence_not_above",
		RejectReason::Equivocation => "equivocation",
		RejectReason::Stale => "stale",
		RejectReason::FromFuture => "from_future",
		RejectReason::BoundsExceeded => "bounds_exceeded",
		RejectReason::RootMismatch => "root_mismatch",
		RejectReason::Malformed => "malformed",
	}
}

fn direction_label(direction: Direction) -> &'static str {
	match direction {
		Direction::Uplink => "uplink",
		Direction::Downlink => "downlink",
	}
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
	reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FrameLabels {
	direction: &'static str,
	outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DirectionLabels {
	direction: &'static str,
}

/// The satellite's counters, shared by every connection.
pub struct Metrics {
	registry: Registry,
	signed: Counter,
	refused: Family<ReasonLabels, Counter>,
	busy: Counter,
	frames: Family<FrameLabels, Counter>,
	bytes: Family<DirectionLabels, Counter>,
	decoder_corrupted: Counter,
	decoder_bytes_skipped: Counter,
	decoder_messages_dropped: Counter,
	decoder_messages_corrupted: Counter,
	connections: Gauge,
	connections_refused: Counter,
	connections_idled_out: Counter,
	store_commits: Counter,
	in_pass: Gauge,
	pass_change_in_ms: Gauge,
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

impl Metrics {
	/// Fresh counters, registered under the `space_notary_satellite` prefix.
	pub fn new() -> Self {
		let mut root = Registry::default();
		let registry = root.sub_registry_with_prefix("space_notary_satellite");
		let signed = Counter::default();
		registry.register("signed", "Countersignatures sent (repeats included)", signed.clone());
		let refused = Family::<ReasonLabels, Counter>::default();
		registry.register("refused", "Sign requests refused, by reason", refused.clone());
		for reason in ALL_REASONS {
			// Every reason shows up from the start, at zero, so dashboards see it.
			let _ = refused.get_or_create(&ReasonLabels { reason: reason_label(reason) });
		}
		let busy = Counter::default();
		registry.register("busy", "Sign requests answered Busy (queue full)", busy.clone());
		let frames = Family::<FrameLabels, Counter>::default();
		registry.register(
			"frames",
			"Packets put on the air, by direction and outcome (sent, lost, out_of_pass, corrupted)",
			frames.clone(),
		);
		let bytes = Family::<DirectionLabels, Counter>::default();
		registry.register("bytes", "Bytes put on the air, by direction", bytes.clone());
		let decoder_corrupted = Counter::default();
		registry.register(
			"decoder_packets_corrupted",
			"Uplink packets the satellite's decoder refused (bad CRC or header)",
			decoder_corrupted.clone(),
		);
		let decoder_bytes_skipped = Counter::default();
		registry.register(
			"decoder_bytes_skipped",
			"Uplink bytes skipped while looking for a packet",
			decoder_bytes_skipped.clone(),
		);
		let decoder_messages_dropped = Counter::default();
		registry.register(
			"decoder_messages_dropped",
			"Uplink messages dropped for a missing segment or excess length",
			decoder_messages_dropped.clone(),
		);
		let decoder_messages_corrupted = Counter::default();
		registry.register(
			"decoder_messages_corrupted",
			"Uplink messages whose CRC-32C failed: damage that every packet CRC missed",
			decoder_messages_corrupted.clone(),
		);
		let connections = Gauge::default();
		registry.register("connections", "Ground station connections open", connections.clone());
		let connections_refused = Counter::default();
		registry.register(
			"connections_refused",
			"Ground station connections closed on arrival: --max-connections were open",
			connections_refused.clone(),
		);
		let connections_idled_out = Counter::default();
		registry.register(
			"connections_idled_out",
			"Connections closed after --idle-timeout-secs without a byte received or taken",
			connections_idled_out.clone(),
		);
		let store_commits = Counter::default();
		registry.register(
			"store_commits",
			"Signing record commits (each an fsync); groups that signed nothing new commit nothing",
			store_commits.clone(),
		);
		let in_pass = Gauge::default();
		registry.register("in_pass", "1 while the satellite is in view, else 0", in_pass.clone());
		let pass_change_in_ms = Gauge::default();
		registry.register(
			"pass_change_in_ms",
			"Milliseconds until the pass state changes (-1: never)",
			pass_change_in_ms.clone(),
		);
		Self {
			registry: root,
			signed,
			refused,
			busy,
			frames,
			bytes,
			decoder_corrupted,
			decoder_bytes_skipped,
			decoder_messages_dropped,
			decoder_messages_corrupted,
			connections,
			connections_refused,
			connections_idled_out,
			store_commits,
			in_pass,
			pass_change_in_ms,
		}
	}

	/// A countersignature was sent.
	pub fn signed(&self) {
		self.signed.inc();
	}

	/// A request was refused.
	pub fn refused(&self, reason: RejectReason) {
		self.refused.get_or_create(&ReasonLabels { reason: reason_label(reason) }).inc();
	}

	/// A request was answered `Busy`.
	pub fn busy(&self) {
		self.busy.inc();
	}

	fn frame(&self, direction: Direction, outcome: &'static str) {
		self.frames
			.get_or_create(&FrameLabels { direction: direction_label(direction), outcome })
			.inc();
	}

	/// A packet of `len` bytes was put on the air.
	pub fn frame_sent(&self, direction: Direction, len: usize) {
		self.frame(direction, "sent");
		self.bytes
			.get_or_create(&DirectionLabels { direction: direction_label(direction) })
			.inc_by(len as u64);
	}

	/// A packet was lost to noise.
	pub fn frame_lost(&self, direction: Direction) {
		self.frame(direction, "lost");
	}

	/// A packet was sent while the satellite was out of view.
	pub fn frame_out_of_pass(&self, direction: Direction) {
		self.frame(direction, "out_of_pass");
	}

	/// A packet was delivered with flipped bits.
	pub fn frame_corrupted(&self, direction: Direction) {
		self.frame(direction, "corrupted");
	}

	/// Adds what an uplink decoder found since its last report.
	pub fn decoder(&self, found: DeframerStats) {
		self.decoder_corrupted.inc_by(found.packets_corrupted);
		self.decoder_bytes_skipped.inc_by(found.bytes_skipped);
		self.decoder_messages_dropped.inc_by(found.messages_dropped);
		self.decoder_messages_corrupted.inc_by(found.messages_corrupted);
	}

	/// A connection opened (`+1`) or closed (`-1`).
	pub fn connection(&self, delta: i64) {
		self.connections.inc_by(delta);
	}

	/// A connection was closed on arrival: the cap was reached.
	pub fn connection_refused(&self) {
		self.connections_refused.inc();
	}

	/// A connection was closed for idling.
	pub fn connection_idled_out(&self) {
		self.connections_idled_out.inc();
	}

	/// The signing record was committed.
	pub fn store_commit(&self) {
		self.store_commits.inc();
	}

	fn frame_count(&self, outcome: &'static str) -> u64 {
		[Direction::Uplink, Direction::Downlink]
			.into_iter()
			.map(|d| {
				self.frames
					.get_or_create(&FrameLabels { direction: direction_label(d), outcome })
					.get()
			})
			.sum()
	}

	fn bytes(&self, direction: Direction) -> u64 {
		self.bytes.get_or_create(&DirectionLabels { direction: direction_label(direction) }).get()
	}

	/// The counters as the link's [`Telemetry`] message.
	pub fn snapshot(&self, pass: PassState) -> Telemetry {
		let refused = ALL_REASONS
			.into_iter()
			.map(|r| {
				(r, self.refused.get_or_create(&ReasonLabels { reason: reason_label(r) }).get())
			})
			.filter(|(_, n)| *n > 0)
			.collect();
		Telemetry {
			signed: self.signed.get(),
			refused,
			frames_dropped: self.frame_count("lost") + self.frame_count("out_of_pass"),
			frames_corrupted: self.frame_count("corrupted"),
			bytes_up: self.bytes(Direction::Uplink),
			bytes_down: self.bytes(Direction::Downlink),
			in_pass: pass.in_pass,
			pass_change_in_ms: pass_change_ms(pass),
		}
	}

	/// The Prometheus text exposition of every metric.
	pub fn encode(&self, pass: PassState) -> String {
		self.in_pass.set(i64::from(pass.in_pass));
		self.pass_change_in_ms
			.set(pass.change_in.map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)));
		let mut text = String::new();
		// Writing into a String cannot fail.
		let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
		text
	}
}

/// `Telemetry::pass_change_in_ms`: `u64::MAX` when the pass state never changes.
fn pass_change_ms(pass: PassState) -> u64 {
	pass.change_in.map_or(u64::MAX, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::time::Duration;

	#[test]
	fn snapshot_and_exposition_agree() {
		let m = Metrics::new();
		m.signed();
		m.signed();
		m.refused(RejectReason::Stale);
		m.frame_sent(Direction::Uplink, 100);
		m.frame_sent(Direction::Downlink, 30);
		m.frame_lost(Direction::Uplink);
		m.frame_out_of_pass(Direction::Downlink);
		m.frame_corrupted(Direction::Downlink);
		let pass = PassState { in_pass: true, change_in: Some(Duration::from_millis(1500)) };
		let t = m.snapshot(pass);
		assert_eq!(t.signed, 2);
		assert_eq!(t.refused, vec![(RejectReason::Stale, 1)]);
		assert_eq!((t.frames_dropped, t.frames_corrupted), (2, 1));
		assert_eq!((t.bytes_up, t.bytes_down), (100, 30));
		assert_eq!((t.in_pass, t.pass_change_in_ms), (true, 1500));
		let text = m.encode(pass);
		assert!(text.contains("space_notary_satellite_signed_total 2"), "{text}");
		assert!(
			text.contains("space_notary_satellite_refused_total{reason=\"stale\"} 1"),
			"{text}"
		);
		assert!(text.contains("space_notary_satellite_refused_total{reason=\"equivocation\"} 0"));
		assert!(text.contains("space_notary_satellite_in_pass 1"));
		m.connection_refused();
		m.connection_idled_out();
		m.store_commit();
		let text = m.encode(pass);
		assert!(text.contains("space_notary_satellite_connections_refused_total 1\n"), "{text}");
		assert!(text.contains("space_notary_satellite_connections_idled_out_total 1\n"), "{text}");
		assert!(text.contains("space_notary_satellite_store_commits_total 1\n"), "{text}");
		let always = m.snapshot(PassState { in_pass: true, change_in: None });
		assert_eq!(always.pass_change_in_ms, u64::MAX);
	}
}
