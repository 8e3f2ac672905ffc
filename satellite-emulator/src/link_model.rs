//! The radio between the ground station and the satellite, applied to every packet in each
//! direction: bandwidth, one-way latency, loss, corruption and pass windows.
//!
//! A direction is a FIFO. A packet occupies the link for `len * 8 / bandwidth` (it waits for
//! the packets before it), then arrives `latency` later, unless:
//! - the satellite is out of view when its transmission starts or ends: it is lost, like a
//!   radio transmitting into nothing (the TCP connection, the ground station's modem, stays
//!   open; nothing is held back for the next pass);
//! - the loss draw says so: lost;
//! - the corruption draw says so: one to three random bits are flipped, and it is delivered
//!   (the receiver's CRC finds it).
//!
//! Every packet takes the same draws from its direction's ChaCha8 generator, whatever
//! happens to it, so for one seed the n-th packet of a direction always meets the same fate,
//! however the packets are timed, and a run is repeatable.
//!
//! # Memory
//!
//! A direction holds at most [`LinkParams::air_budget`] bytes on the air (sent, not yet taken
//! by the receiver): its bandwidth-delay product and one packet, at least [`MIN_AIR_BYTES`], at
//! most [`MAX_AIR_BYTES`]. A paced link never has more in flight, so the budget does not slow
//! it; it only bites when the receiver stops taking packets, or when bandwidth is unlimited
//! (the `ideal` profile), where it carries at most `MIN_AIR_BYTES` per latency. A full air
//! stops the radio taking from its input queue, so a receiver that does not keep up pushes back
//! all the way to the sender instead of piling packets up here.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use space_notary_primitives::link::{Boundary, Direction, PacketScanner, MAX_PACKET_LEN};
use std::{collections::VecDeque, num::NonZeroU64, sync::Arc, time::Duration};
use tokio::{
	sync::{mpsc, OwnedSemaphorePermit, Semaphore},
	time::Instant,
};

use crate::{pass::PassClock, telemetry::Metrics};

/// Below this, the pacer does not sleep: the timer could not honour it anyway, and the
/// bandwidth accounting makes up for it on the next packet.
const TIMER_RESOLUTION: Duration = Duration::from_millis(1);

/// The least a direction may hold on the air: 64 packets of the largest size.
pub const MIN_AIR_BYTES: usize = 64 * MAX_PACKET_LEN;

/// The most a direction may hold on the air, whatever its bandwidth-delay product: 16 MiB (a
/// 1 Gbit/s link with 130 ms of latency).
pub const MAX_AIR_BYTES: usize = 16 << 20;

/// The physical parameters of one direction of the link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkParams {
	/// Bits per second; `None` is unlimited.
	pub bandwidth_bps: Option<NonZeroU64>,
	/// One-way latency.
	pub latency: Duration,
	/// Probability that a packet is lost, in `[0, 1]`.
	pub loss: f64,
	/// Probability that a packet arrives with flipped bits, in `[0, 1]`.
	pub corruption: f64,
}

impl LinkParams {
	/// How long a packet of `len` bytes occupies the link.
	pub fn airtime(&self, len: usize) -> Duration {
		match self.bandwidth_bps {
			None => Duration::ZERO,
			Some(bps) => Duration::from_secs_f64(len as f64 * 8.0 / bps.get() as f64),
		}
	}

	/// The bytes a direction may hold on the air: what the link carries in one latency, plus
	/// the packet being received, within [`MIN_AIR_BYTES`] and [`MAX_AIR_BYTES`].
	pub fn air_budget(&self) -> usize {
		let in_flight = match self.bandwidth_bps {
			None => 0,
			// Saturating float to integer conversion: an absurd link gets the maximum.
			Some(bps) => (bps.get() as f64 * self.latency.as_secs_f64() / 8.0).ceil() as usize,
		};
		in_flight.saturating_add(MAX_PACKET_LEN).clamp(MIN_AIR_BYTES, MAX_AIR_BYTES)
	}
}

/// What the link did to one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
	/// Delivered intact.
	Delivered,
	/// Lost to noise.
	Lost,
	/// Delivered with this many bits flipped.
	Corrupted(u8),
}

/// The random part of one direction of the link: which packets are lost or corrupted.
pub struct Impairments {
	loss: f64,
	corruption: f64,
	rng: ChaCha8Rng,
}

impl Impairments {
	/// The generator for `direction` of a link seeded with `seed`.
	pub fn new(params: &LinkParams, seed: u64, direction: Direction) -> Self {
		let mut key = [0u8; 32];
		key[..8].copy_from_slice(&seed.to_le_bytes());
		// The two directions must not mirror each other's draws.
		key[8] = match direction {
			Direction::Uplink => 1,
			Direction::Downlink => 2,
		};
		Self { loss: params.loss, corruption: params.corruption, rng: ChaCha8Rng::from_seed(key) }
	}

	/// Decides the fate of the next packet and applies it to `packet`.
	pub fn apply(&mut self, packet: &mut [u8]) -> Fate {
		// Always the same draws, in the same order, whatever the outcome (see module docs).
		let lost = self.rng.gen::<f64>() < self.loss;
		let corrupted = self.rng.gen::<f64>() < self.corruption;
		let flips: u8 = self.rng.gen_range(1..=3);
		let bits = packet.len() * 8;
		let positions: [usize; 3] =
			std::array::from_fn(|_| if bits == 0 { 0 } else { self.rng.gen_range(0..bits) });
		if lost {
			return Fate::Lost;
		}
		if !corrupted || bits == 0 {
			return Fate::Delivered;
		}
		for &bit in &positions[..usize::from(flips)] {
			packet[bit / 8] ^= 1 << (bit % 8);
		}
		Fate::Corrupted(flips)
	}
}

/// One direction of the radio link.
pub struct Radio {
	/// Which way it carries packets.
	pub direction: Direction,
	/// Its physical parameters.
	pub params: LinkParams,
	/// Its loss and corruption draws.
	pub impairments: Impairments,
	/// When the satellite is in view.
	pub passes: Arc<PassClock>,
	/// Where frame counts go.
	pub metrics: Arc<Metrics>,
}

impl Radio {
	/// Carries packets from `input` to `output` until `input` closes and everything in
	/// flight has arrived, or `output` closes. Each packet comes with the instant it was queued
	/// for the radio, from which it is paced (see `Pacer`).
	pub async fn run(
		self,
		mut input: mpsc::Receiver<(Instant, Vec<u8>)>,
		output: mpsc::Sender<Vec<u8>>,
	) {
		let Radio { direction, params, mut impairments, passes, metrics } = self;
		// The air: a packet holds its length in permits from transmission until the receiver
		// takes it, so the channel below never holds more than the budget (see module docs).
		let air = Arc::new(Semaphore::new(params.air_budget()));
		let (air_tx, mut air_rx) =
			mpsc::unbounded_channel::<(Instant, Vec<u8>, OwnedSemaphorePermit)>();
		// Latency stage: packets leave the air in order, each `latency` after it was sent.
		let deliver = async move {
			while let Some((arrival, packet, on_air)) = air_rx.recv().await {
				tokio::time::sleep_until(arrival).await;
				if output.send(packet).await.is_err() {
					break;
				}
				drop(on_air);
			}
		};
		// Bandwidth stage: one packet on the air at a time.
		let transmit = async move {
			let mut pacer = Pacer { free_at: Instant::now() };
			while let Some((mut queued_at, mut packet)) = input.recv().await {
				// A packet is at most `MAX_PACKET_LEN`, far below both the budget and `u32::MAX`.
				let len = u32::try_from(packet.len()).unwrap_or(u32::MAX);
				let on_air = match air.clone().try_acquire_many_owned(len) {
					Ok(permit) => permit,
					Err(_) => {
						// The receiver is not keeping up: the packet waits here, and the input
						// queue behind it fills. It counts as queued once the air has room, or the
						// pacer would backdate it into the time it spent waiting.
						let Ok(permit) = air.clone().acquire_many_owned(len).await else { break };
						queued_at = Instant::now();
						permit
					},
				};
				let now = Instant::now();
				let (start, end) = pacer.schedule(queued_at, params.airtime(packet.len()));
				if end > now + TIMER_RESOLUTION {
					tokio::time::sleep_until(end).await;
				}
				metrics.frame_sent(direction, packet.len());
				let fate = impairments.apply(&mut packet);
				if !(passes.in_pass(start) && passes.in_pass(end)) {
					metrics.frame_out_of_pass(direction);
					continue;
				}
				match fate {
					Fate::Lost => {
						metrics.frame_lost(direction);
						continue;
					},
					Fate::Corrupted(_) => metrics.frame_corrupted(direction),
					Fate::Delivered => {},
				}
				if air_tx.send((end + params.latency, packet, on_air)).is_err() {
					break;
				}
			}
		};
		tokio::join!(transmit, deliver);
	}
}

/// One direction's transmit queue: when each packet goes on the air.
///
/// A packet starts when the link is free or when it was queued, whichever is later; not when
/// the pacer's timer happens to wake. A radio sends what is queued back to back, while a tokio
/// timer wakes a millisecond or more after its deadline (much more on a busy machine): counting
/// that lateness as air time made the modelled link slower than its nominal rate, by about 1 %
/// at 9.6 kbit/s where a packet takes 150 ms. A pacer that has fallen behind catches up without
/// sleeping, and no packet starts before the one ahead of it ends, so the link never carries
/// more than its bandwidth.
struct Pacer {
	free_at: Instant,
}

impl Pacer {
	/// Puts a packet queued at `queued_at` on the air for `airtime`: its start and end.
	fn schedule(&mut self, queued_at: Instant, airtime: Duration) -> (Instant, Instant) {
		let start = self.free_at.max(queued_at);
		self.free_at = start + airtime;
		(start, self.free_at)
	}
}

/// Cuts the ground station's byte stream into packets, the way a radio modem frames what it
/// transmits, with the link's own scan (`primitives::link::PacketScanner`, the one the
/// satellite's decoder uses): bytes where no whole, CRC-checked packet of the direction starts
/// are skipped, in time linear in the stream.
pub struct PacketCutter {
	scanner: PacketScanner,
	/// Packets found and not yet taken: at most what the last `push` brought.
	ready: VecDeque<Vec<u8>>,
}

impl PacketCutter {
	/// A cutter for packets travelling `direction`.
	pub fn new(direction: Direction) -> Self {
		Self { scanner: PacketScanner::new(direction), ready: VecDeque::new() }
	}

	/// Appends bytes from the stream.
	pub fn push(&mut self, bytes: &[u8]) {
		let ready = &mut self.ready;
		self.scanner.push(bytes, |packet| {
			ready.push_back(packet.bytes.to_vec());
			Boundary::Real
		});
	}

	/// The next whole packet, if the stream so far holds one.
	pub fn next_packet(&mut self) -> Option<Vec<u8>> {
		self.ready.pop_front()
	}

	/// Bytes skipped because no packet could start there.
	pub fn skipped(&self) -> u64 {
		self.scanner.stats().bytes_skipped
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use space_notary_primitives::link::{SequenceCounter, Uplink};

	fn params(loss: f64, corruption: f64) -> LinkParams {
		LinkParams { bandwidth_bps: None, latency: Duration::ZERO, loss, corruption }
	}

	fn fates(seed: u64, direction: Direction, n: usize) -> Vec<Fate> {
		let mut imp = Impairments::new(&params(0.3, 0.2), seed, direction);
		(0..n).map(|_| imp.apply(&mut [0u8; 40])).collect()
	}

	#[test]
	fn the_same_seed_gives_the_same_fates_and_another_does_not() {
		let a = fates(7, Direction::Uplink, 200);
		assert_eq!(a, fates(7, Direction::Uplink, 200));
		assert_ne!(a, fates(8, Direction::Uplink, 200));
		assert_ne!(a, fates(7, Direction::Downlink, 200));
		let lost = a.iter().filter(|f| **f == Fate::Lost).count();
		// 30 % of 200, give or take a lot: the rate is applied, not ignored.
		assert!((30..=90).contains(&lost), "{lost} lost");
	}

	#[test]
	fn corruption_flips_bits_and_nothing_else() {
		let mut imp = Impairments::new(&params(0.0, 1.0), 1, Direction::Uplink);
		let mut packet = vec![0u8; 64];
		let Fate::Corrupted(flips) = imp.apply(&mut packet) else { panic!("must corrupt") };
		let ones: u32 = packet.iter().map(|b| b.count_ones()).sum();
		// Two flips of one bit cancel out, so at most `flips` bits differ, and an odd count
		// leaves at least one.
		assert!(ones <= u32::from(flips));
		let mut clean = Impairments::new(&params(0.0, 0.0), 1, Direction::Uplink);
		let mut packet = vec![0u8; 64];
		assert_eq!(clean.apply(&mut packet), Fate::Delivered);
		assert!(packet.iter().all(|b| *b == 0));
	}

	#[test]
	fn queued_packets_go_out_back_to_back_whenever_the_pacer_wakes() {
		let t0 = Instant::now();
		// 100 B at 9.6 kbit/s: 83⅓ ms, which no millisecond timer can hit exactly.
		let airtime =
			LinkParams { bandwidth_bps: NonZeroU64::new(9600), ..params(0.0, 0.0) }.airtime(100);
		let mut pacer = Pacer { free_at: t0 };
		// Thirty packets queued at once end exactly thirty air times later: no timer lateness
		// between them, and none overlapping.
		let mut last_end = t0;
		for _ in 0..30 {
			let (start, end) = pacer.schedule(t0, airtime);
			assert_eq!(start, last_end);
			last_end = end;
		}
		assert_eq!(last_end, t0 + airtime * 30);
		// A packet queued after the link fell idle starts when it was queued, not earlier.
		let later = last_end + Duration::from_secs(1);
		assert_eq!(pacer.schedule(later, airtime), (later, later + airtime));
	}

	#[test]
	fn the_air_holds_the_bandwidth_delay_product_within_bounds() {
		let link = |bps: u64, latency_ms: u64| LinkParams {
			bandwidth_bps: NonZeroU64::new(bps),
			latency: Duration::from_millis(latency_ms),
			..params(0.0, 0.0)
		};
		// Unlimited bandwidth (`ideal`), UHF and S-band carry less than the floor in flight.
		assert_eq!(params(0.0, 0.0).air_budget(), MIN_AIR_BYTES);
		assert_eq!(link(9_600, 150).air_budget(), MIN_AIR_BYTES);
		assert_eq!(link(1_000_000, 20).air_budget(), MIN_AIR_BYTES);
		// 100 Mbit/s for 500 ms: 6.25 MB in flight, plus the packet being received.
		assert_eq!(link(100_000_000, 500).air_budget(), 6_250_000 + MAX_PACKET_LEN);
		assert_eq!(link(u64::MAX, 10_000).air_budget(), MAX_AIR_BYTES);
	}

	/// Issue 20: the latency stage was an unbounded channel. On a link without a bandwidth limit
	/// the radio took every packet it was given at once, so a receiver that stopped taking them
	/// (a ground station that never reads) made the satellite buffer without limit.
	#[tokio::test]
	async fn a_radio_whose_receiver_stops_taking_stops_taking_input() {
		let link = params(0.0, 0.0);
		let radio = Radio {
			direction: Direction::Downlink,
			params: link,
			impairments: Impairments::new(&link, 1, Direction::Downlink),
			passes: Arc::new(crate::pass::PassClock::new(
				crate::pass::PassSchedule::Always,
				Instant::now(),
				chrono::Utc::now(),
				1.0,
			)),
			metrics: Arc::new(Metrics::new()),
		};
		let (input, input_rx) = mpsc::channel(8);
		// Never read.
		let (output, _output_rx) = mpsc::channel(8);
		let carrying = tokio::spawn(radio.run(input_rx, output));
		let mut taken = 0usize;
		while taken < 10_000 {
			let packet = (Instant::now(), vec![0u8; MAX_PACKET_LEN]);
			match tokio::time::timeout(Duration::from_millis(300), input.send(packet)).await {
				Ok(sent) => sent.unwrap(),
				Err(_) => break,
			}
			taken += 1;
		}
		// The output queue, the air, the packet waiting for room and the input queue.
		let bound = 8 + MIN_AIR_BYTES / MAX_PACKET_LEN + 1 + 8;
		assert!(taken <= bound, "took {taken} packets nobody received (bound {bound})");
		carrying.abort();
	}

	#[test]
	fn airtime_follows_bandwidth() {
		let uhf = LinkParams { bandwidth_bps: NonZeroU64::new(9600), ..params(0.0, 0.0) };
		assert_eq!(uhf.airtime(120), Duration::from_millis(100));
		assert_eq!(params(0.0, 0.0).airtime(1_000_000), Duration::ZERO);
	}

	#[test]
	fn cutter_splits_a_stream_and_skips_garbage() {
		let mut seq = SequenceCounter::default();
		let a = Uplink::Ping { nonce: 1 }.to_packets(&mut seq).remove(0);
		let b = Uplink::StatusRequest.to_packets(&mut seq).remove(0);
		let mut cutter = PacketCutter::new(Direction::Uplink);
		cutter.push(&[0xFF, 0xFF, 0xFF]);
		cutter.push(&a[..5]);
		assert_eq!(cutter.next_packet(), None);
		cutter.push(&a[5..]);
		cutter.push(&b);
		assert_eq!(cutter.next_packet(), Some(a));
		assert_eq!(cutter.next_packet(), Some(b));
		assert_eq!(cutter.next_packet(), None);
		assert_eq!(cutter.skipped(), 3);
	}

	#[test]
	fn cutter_finds_a_packet_behind_a_mebibyte_of_garbage() {
		let packet =
			Uplink::Ping { nonce: 9 }.to_packets(&mut SequenceCounter::default()).remove(0);
		// 0xFF never starts a header (CCSDS version 7); the old cutter took this one byte at a
		// time off the front of its buffer, moving the rest each time.
		let garbage = vec![0xFFu8; 1 << 20];
		let mut cutter = PacketCutter::new(Direction::Uplink);
		cutter.push(&garbage);
		cutter.push(&packet);
		assert_eq!(cutter.next_packet(), Some(packet));
		assert_eq!(cutter.next_packet(), None);
		assert_eq!(cutter.skipped(), garbage.len() as u64);
	}
}
