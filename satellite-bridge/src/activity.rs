//! What the console shows beyond the queue: a bounded ring of recent outcomes, certifications
//! per minute and per pass, and the passes seen, all in memory.
//!
//! The relay feeds it where it already records outcomes (a certification or expiry read at a
//! finalized block, a refusal or countersignature from the link, a resubmission) and where the
//! satellite's status comes in. Nothing here is durable: a restarted bridge starts a new
//! history (the queue itself, and so every total, is durable in [`crate::store`]). Memory is
//! bounded: [`MAX_EVENTS`] events, [`MAX_MINUTES`] minutes, [`MAX_PASSES`] passes.
//!
//! A pass's certifications are those seen from its start until the next pass starts:
//! countersignatures come down during a pass, but the chain certifies them a few blocks later,
//! often after the satellite has set.

use serde::{Deserialize, Serialize};
use space_notary_primitives::{ground_station::to_hex, BatchId, ServerId};
use std::{
	collections::VecDeque,
	time::{Duration, SystemTime, UNIX_EPOCH},
};

/// Recent events kept.
pub const MAX_EVENTS: usize = 200;
/// Minutes of certification counts kept.
pub const MAX_MINUTES: usize = 60;
/// Passes kept.
pub const MAX_PASSES: usize = 24;

const MINUTE_MS: u64 = 60_000;

/// How long past its announced end a pass is taken to be over when the satellite is silent.
pub const END_SLACK_MS: u64 = 1_000;

/// Milliseconds since the Unix epoch, by the bridge's clock.
pub fn now_ms() -> u64 {
	SystemTime::now()
		.duration_since(UNIX_EPOCH)
		.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or(0)
}

/// What happened to a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
	/// Certified on chain, seen at a finalized block.
	Certified,
	/// The satellite refused to sign, or its answer did not verify.
	Refused,
	/// Expired on chain without a certificate.
	Expired,
	/// Still pending after its submission: checked and submitted again.
	Resubmitted,
	/// The satellite countersigned it (HTTP-only mode: for the off-chain worker to collect).
	Countersigned,
}

/// One entry of the recent-events ring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEvent {
	/// When the bridge saw it, Unix ms.
	pub at_ms: u64,
	/// What happened.
	pub kind: EventKind,
	/// The batch, `0x` hex.
	pub batch_id: String,
	/// Its server.
	pub server_id: ServerId,
	/// Its sequence.
	pub sequence: u64,
	/// A refusal's reason, or the block of a certification or expiry.
	pub detail: Option<String>,
}

/// A pass over the ground station, as the satellite's status reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRecord {
	/// Start, Unix ms (when the status first said "in a pass", or its predicted start).
	pub start_ms: u64,
	/// End, Unix ms: seen (`ended`) or predicted.
	pub end_ms: Option<u64>,
	/// Whether the pass is over.
	pub ended: bool,
	/// Batches certified from its start until the next pass began.
	pub certified: u64,
}

/// Certifications in one wall-clock minute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteCount {
	/// The minute's start, Unix ms.
	pub minute_ms: u64,
	/// Batches certified in it.
	pub certified: u64,
}

/// The link's timeline for the console.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassTimeline {
	/// Whether a pass is under way, per the last status (`None` before the first).
	pub in_pass: Option<bool>,
	/// The predicted start of the next pass, Unix ms.
	pub next_start_ms: Option<u64>,
	/// The predicted end of the next pass (its start plus the last pass's length), Unix ms.
	pub next_end_ms: Option<u64>,
	/// The passes seen, oldest first; the last may be under way.
	pub passes: Vec<PassRecord>,
}

/// The console's in-memory history.
#[derive(Debug, Default)]
pub struct Activity {
	events: VecDeque<ActivityEvent>,
	minutes: VecDeque<MinuteCount>,
	passes: VecDeque<PassRecord>,
	in_pass: Option<bool>,
	next_start_ms: Option<u64>,
}

impl Activity {
	/// Records an outcome at `at_ms`; a certification also counts for its minute and pass.
	pub fn record(
		&mut self,
		at_ms: u64,
		kind: EventKind,
		batch_id: &BatchId,
		server_id: ServerId,
		sequence: u64,
		detail: Option<String>,
	) {
		if self.events.len() == MAX_EVENTS {
			self.events.pop_front();
		}
		let batch_id = to_hex(batch_id.as_bytes());
		self.events.push_back(ActivityEvent { at_ms, kind, batch_id, server_id, sequence, detail });
		if kind != EventKind::Certified {
			return;
		}
		let minute_ms = at_ms - at_ms % MINUTE_MS;
		match self.minutes.back_mut() {
			Some(last) if last.minute_ms == minute_ms => last.certified += 1,
			_ => {
				if self.minutes.len() == MAX_MINUTES {
					self.minutes.pop_front();
				}
				self.minutes.push_back(MinuteCount { minute_ms, certified: 1 });
			},
		}
		if let Some(pass) = self.passes.back_mut().filter(|p| p.start_ms <= at_ms) {
			pass.certified += 1;
		}
	}

	/// Takes in the satellite's status at `now_ms`: whether a pass is under way and when that
	/// changes (`None`: not known, or never).
	///
	/// A satellite out of view usually says nothing (the emulator's link carries no frame
	/// between passes), so a pass is over once the end it announced is [`END_SLACK_MS`] past,
	/// and a status "in a pass" after that starts a new one.
	pub fn on_pass_status(&mut self, now_ms: u64, in_pass: bool, change_in: Option<Duration>) {
		let change_ms =
			change_in.map(|d| now_ms.saturating_add(u64::try_from(d.as_millis()).unwrap_or(0)));
		self.close_passes(now_ms);
		let current = self.passes.back_mut().filter(|p| !p.ended);
		match (current, in_pass) {
			(Some(pass), true) => pass.end_ms = change_ms,
			(None, true) => {
				// The predicted start, when a status out of view announced it, is closer to the
				// truth than the first status heard in the pass.
				let start_ms = self.next_start_ms.filter(|t| *t <= now_ms).unwrap_or(now_ms);
				if self.passes.len() == MAX_PASSES {
					self.passes.pop_front();
				}
				self.passes.push_back(PassRecord {
					start_ms,
					end_ms: change_ms,
					ended: false,
					certified: 0,
				});
			},
			(Some(pass), false) => {
				pass.end_ms = Some(pass.end_ms.filter(|t| *t <= now_ms).unwrap_or(now_ms));
				pass.ended = true;
			},
			(None, false) => {},
		}
		self.in_pass = Some(in_pass);
		self.next_start_ms = if in_pass { None } else { change_ms };
	}

	/// Ends the pass under way if the end it announced is past.
	fn close_passes(&mut self, now_ms: u64) {
		if let Some(pass) = self.passes.back_mut().filter(|p| !p.ended) {
			if pass.end_ms.is_some_and(|end| end.saturating_add(END_SLACK_MS) <= now_ms) {
				pass.ended = true;
			}
		}
	}

	/// The last `limit` events, newest first.
	pub fn recent(&self, limit: usize) -> Vec<ActivityEvent> {
		self.events.iter().rev().take(limit).cloned().collect()
	}

	/// Certifications in each of the `minutes` minutes up to `now_ms`, oldest first, zeros
	/// included.
	pub fn per_minute(&self, now_ms: u64, minutes: usize) -> Vec<MinuteCount> {
		let this_minute = now_ms - now_ms % MINUTE_MS;
		(0..minutes as u64)
			.rev()
			.map(|back| {
				let minute_ms = this_minute.saturating_sub(back * MINUTE_MS);
				let certified = self
					.minutes
					.iter()
					.find(|m| m.minute_ms == minute_ms)
					.map_or(0, |m| m.certified);
				MinuteCount { minute_ms, certified }
			})
			.collect()
	}

	/// Time from `now_ms` until the next pass begins, zero during one (or when the start the
	/// satellite announced is due and it has not been heard yet); `None` before any status, or
	/// when nothing predicts it. A status heard in a pass says when it ends, not when the next
	/// begins, and a satellite out of view is silent: once the pass has ended, the period of the
	/// passes seen predicts the next. The bridge's status and its `next_pass_seconds` metric
	/// count down from this; the console's timeline draws the same passes.
	pub fn next_pass_in(&self, now_ms: u64) -> Option<Duration> {
		let until = |start: u64| Some(Duration::from_millis(start.saturating_sub(now_ms)));
		if self.in_pass? {
			match self.passes.back().filter(|p| !p.ended).map(|p| p.end_ms) {
				Some(None) => return Some(Duration::ZERO),
				Some(Some(end)) if now_ms < end => return Some(Duration::ZERO),
				_ => {},
			}
		} else if let Some(start) = self.next_start_ms {
			return until(start);
		}
		until(self.next_start_by_period(now_ms)?)
	}

	/// The next pass's start after `now_ms` by the period of the last two starts, for when the
	/// satellite has not said (it says when a pass ends, not when the next begins).
	fn next_start_by_period(&self, now_ms: u64) -> Option<u64> {
		let mut starts = self.passes.iter().rev().map(|p| p.start_ms);
		let (last, before) = (starts.next()?, starts.next()?);
		let period = last.checked_sub(before).filter(|p| *p > 0)?;
		let mut next = last.saturating_add(period);
		// Passes missed while the link was silent: the next one still to come.
		while next <= now_ms {
			next = next.saturating_add(period);
		}
		Some(next)
	}

	/// The passes seen and the next one predicted, at `now_ms`. The next pass's start is the
	/// satellite's word when it spoke out of view; otherwise the last two starts' period, from
	/// the last start.
	pub fn timeline(&mut self, now_ms: u64) -> PassTimeline {
		self.close_passes(now_ms);
		let in_pass =
			self.passes.back().is_some_and(|p| !p.ended && p.end_ms.is_none_or(|e| e > now_ms));
		let last_ended = self.passes.iter().rev().find(|p| p.ended);
		let last_length =
			last_ended.and_then(|p| p.end_ms.map(|end| end.saturating_sub(p.start_ms)));
		let next_start_ms = match self.next_start_ms.filter(|t| *t > now_ms) {
			Some(t) => Some(t),
			None if in_pass => None,
			None => self.next_start_by_period(now_ms),
		};
		PassTimeline {
			in_pass: self.in_pass.map(|_| in_pass),
			next_start_ms,
			next_end_ms: next_start_ms.zip(last_length).map(|(s, l)| s.saturating_add(l)),
			passes: self.passes.iter().cloned().collect(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::H256;

	fn certify(activity: &mut Activity, at_ms: u64) {
		activity.record(at_ms, EventKind::Certified, &H256::zero(), 0, 1, None);
	}

	#[test]
	fn certifications_count_per_minute_and_per_pass_and_the_ring_is_bounded() {
		let mut a = Activity::default();
		let t0 = 10 * MINUTE_MS;
		a.on_pass_status(t0, false, Some(Duration::from_secs(30)));
		certify(&mut a, t0 + 1_000); // before any pass: per minute only
		a.on_pass_status(t0 + 31_000, true, Some(Duration::from_secs(20)));
		assert_eq!(a.timeline(t0 + 31_000).passes[0].start_ms, t0 + 30_000, "the predicted start");
		certify(&mut a, t0 + 40_000);
		a.on_pass_status(t0 + 52_000, false, Some(Duration::from_secs(60)));
		certify(&mut a, t0 + MINUTE_MS + 5_000); // after the pass, before the next: still its
		let timeline = a.timeline(t0 + MINUTE_MS + 5_000);
		assert_eq!(timeline.passes.len(), 1);
		assert_eq!(timeline.in_pass, Some(false));
		let pass = &timeline.passes[0];
		assert_eq!((pass.end_ms, pass.ended, pass.certified), (Some(t0 + 51_000), true, 2));
		assert_eq!(timeline.next_start_ms, Some(t0 + 112_000));
		assert_eq!(timeline.next_end_ms, Some(t0 + 112_000 + 21_000));
		let minutes = a.per_minute(t0 + 2 * MINUTE_MS, 3);
		let counts: Vec<u64> = minutes.iter().map(|m| m.certified).collect();
		assert_eq!(counts, vec![2, 1, 0]);
		assert_eq!(minutes[0].minute_ms, t0);

		for i in 0..MAX_EVENTS as u64 + 5 {
			a.record(t0 + i, EventKind::Refused, &H256::zero(), 0, i, Some("Stale".into()));
		}
		assert_eq!(a.events.len(), MAX_EVENTS);
		let recent = a.recent(2);
		assert_eq!(recent[0].sequence, MAX_EVENTS as u64 + 4, "newest first");
		assert_eq!(recent[1].sequence, MAX_EVENTS as u64 + 3);
	}

	/// Regression: the emulator's link carries nothing between passes, so no status ever says
	/// "out of view"; passes must still end at their announced end, and the next start is
	/// predicted from the period.
	#[test]
	fn a_satellite_silent_between_passes_still_gives_a_timeline() {
		let mut a = Activity::default();
		let t0 = 1_000_000;
		a.on_pass_status(t0, true, Some(Duration::from_secs(10)));
		a.on_pass_status(t0 + 5_000, true, Some(Duration::from_secs(5)));
		let during = a.timeline(t0 + 6_000);
		assert_eq!((during.in_pass, during.passes.len()), (Some(true), 1));
		let after = a.timeline(t0 + 10_500);
		assert_eq!(after.in_pass, Some(false), "over at its announced end");
		assert!(!after.passes[0].ended, "within the slack the record stays open");
		assert_eq!(after.next_start_ms, None, "one pass: no period yet");
		a.on_pass_status(t0 + 30_000, true, Some(Duration::from_secs(10)));
		let second = a.timeline(t0 + 31_000);
		assert_eq!(second.passes.len(), 2);
		assert!(second.passes[0].ended);
		assert_eq!(second.passes[0].end_ms, Some(t0 + 10_000));
		assert_eq!(second.passes[1].start_ms, t0 + 30_000);
		let gap = a.timeline(t0 + 45_000);
		assert_eq!(gap.in_pass, Some(false));
		assert_eq!(gap.next_start_ms, Some(t0 + 60_000), "the last start plus the period");
		assert_eq!(gap.next_end_ms, Some(t0 + 70_000), "plus the last pass's length");
		let late = a.timeline(t0 + 75_000);
		assert_eq!(late.next_start_ms, Some(t0 + 90_000), "a missed pass is skipped");
		// The same prediction serves the bridge's status ("seconds to the next pass").
		assert_eq!(a.next_pass_in(t0 + 45_000), Some(Duration::from_secs(15)));
		assert_eq!(Activity::default().next_pass_in(t0), None, "no status yet");
	}

	#[test]
	fn the_countdown_to_the_next_pass_follows_the_satellites_word_first() {
		let mut a = Activity::default();
		let t0 = 1_000_000;
		a.on_pass_status(t0, true, None);
		assert_eq!(a.next_pass_in(t0 + 99_000), Some(Duration::ZERO), "always in view");
		a.on_pass_status(t0 + 1_000, true, Some(Duration::from_secs(10)));
		assert_eq!(a.next_pass_in(t0 + 5_000), Some(Duration::ZERO), "in a pass");
		assert_eq!(a.next_pass_in(t0 + 12_000), None, "one pass ended: no period yet");
		a.on_pass_status(t0 + 12_000, false, Some(Duration::from_secs(40)));
		assert_eq!(a.next_pass_in(t0 + 20_000), Some(Duration::from_secs(32)), "announced");
		assert_eq!(a.next_pass_in(t0 + 60_000), Some(Duration::ZERO), "due, not yet heard");
	}
}
