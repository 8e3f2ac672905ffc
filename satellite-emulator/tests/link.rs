//! The emulated radio over the wire: bandwidth and latency, loss and corruption with
//! retransmission, repeatability for a seed, and pass windows in compressed orbit time.

mod common;

use common::*;
use satellite_emulator::{
	client::LinkClient,
	config::{EmulatorConfig, StationLink},
	orbit::{GroundStation, Satellite, Tle},
	pass::{OrbitPasses, PassSchedule},
};
use space_notary_primitives::link::{Downlink, SequenceCounter, Uplink};
use std::{
	collections::BTreeSet,
	num::NonZeroU64,
	time::{Duration, Instant},
};

fn lossy(config: &mut EmulatorConfig, loss: f64, corruption: f64, seed: u64) {
	config.link.loss = loss;
	config.link.corruption = corruption;
	config.seed = seed;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bandwidth_and_latency_delay_every_exchange() {
	let server = ServerPair::sr(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let mut config = state.config();
	config.link.bandwidth_bps = NonZeroU64::new(9_600);
	config.link.latency = Duration::from_millis(100);
	let emulator = Emulator::start(config).await;
	let mut client = emulator.connect().await;

	let c = cert(1, 1);
	let sign = request(1, &c, &server);
	let up = sign.to_packets(&mut SequenceCounter::default()).concat().len();
	let started = Instant::now();
	let answer = ask(&mut client, &sign).await;
	let elapsed = started.elapsed();
	let down = answer.to_packets(&mut SequenceCounter::default()).concat().len();
	// Air time of both packets at 9.6 kbit/s plus two one-way latencies.
	let floor =
		Duration::from_secs_f64((up + down) as f64 * 8.0 / 9_600.0) + Duration::from_millis(200);
	assert!(matches!(answer, Downlink::Countersignature { .. }));
	assert!(elapsed >= floor.mul_f64(0.97), "{elapsed:?} < {floor:?}");
	assert!(elapsed < floor + Duration::from_secs(2), "{elapsed:?}");
	emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retransmitting_client_gets_through_loss_and_corruption() {
	let server = ServerPair::sr(1);
	let (state, keys) = State::provisioned(&[(1, &server)]);
	let mut config = state.config();
	// A seed whose draws corrupt downlink packets in the first dozen. (42 stopped doing so when
	// the message check made every packet 4 bytes longer: how many draws a bit position takes
	// depends on the packet's length, so the fates of later packets moved.)
	lossy(&mut config, 0.3, 0.2, 43);
	let emulator = Emulator::start(config).await;
	let mut client = emulator.connect().await;

	let mut retransmissions = 0;
	for sequence in 1..=10u64 {
		let c = cert(1, sequence);
		let sign = request(sequence as u32, &c, &server);
		let Uplink::SignRequest { server_signature, .. } = &sign else { unreachable!() };
		let mut answer = None;
		for _ in 0..50 {
			client.send(&sign).await.unwrap();
			answer = answer_to(&mut client, sequence as u32, Duration::from_millis(200)).await;
			if answer.is_some() {
				break;
			}
			retransmissions += 1;
		}
		// A lost answer means a retransmission that is a repeat: still the one signature.
		let Some((batch_id, cs)) = answer.as_ref().and_then(Downlink::countersignature) else {
			panic!("sequence {sequence}: {answer:?}");
		};
		assert_eq!(cs.verify(&batch_id, server_signature, &keys[0]), Ok(()));
	}
	assert!(retransmissions > 0, "30 % loss and no retransmission: the loss is not applied");

	let t = client.status(50, Duration::from_millis(200)).await.unwrap();
	assert!(t.frames_dropped > 0, "{t:?}");
	assert!(t.frames_corrupted > 0, "{t:?}");
	// Corrupted downlink packets reach the client and fail its CRC check, or are skipped.
	let stats = client.deframer_stats();
	assert!(stats.packets_corrupted + stats.bytes_skipped > 0, "{stats:?}");
	emulator.stop().await;
}

/// Sends 60 pings in one write and returns the nonces whose pongs came back.
async fn surviving_pings(seed: u64) -> BTreeSet<u64> {
	let (state, _) = State::provisioned(&[]);
	let mut config = state.config();
	lossy(&mut config, 0.25, 0.1, seed);
	let emulator = Emulator::start(config).await;
	let mut client = emulator.connect().await;
	let pings: Vec<Uplink> = (0..60).map(|nonce| Uplink::Ping { nonce }).collect();
	client.send_all(&pings).await.unwrap();
	let mut back = BTreeSet::new();
	while let Some(message) = client.recv_timeout(Duration::from_millis(500)).await.unwrap() {
		if let Downlink::Pong { nonce } = message {
			back.insert(nonce);
		}
	}
	drop(client);
	emulator.stop().await;
	back
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_seed_repeats_the_same_drops() {
	let first = surviving_pings(7).await;
	let second = surviving_pings(7).await;
	assert_eq!(first, second, "same seed, same input: same packets lost");
	assert!(!first.is_empty() && first.len() < 60, "{} of 60 came back", first.len());
	let other = surviving_pings(8).await;
	assert_ne!(first, other, "another seed, other drops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_crosses_outside_a_pass() {
	let server = ServerPair::sr(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let mut config = state.config();
	// A 6-minute orbit with a 2-minute pass, 60x: in view for 2 s out of every 6 s.
	config.passes = PassSchedule::Fixed {
		period: Duration::from_secs(360),
		duration: Duration::from_secs(120),
		offset: Duration::ZERO,
	};
	config.time_scale = 60.0;
	let emulator = Emulator::start(config).await;
	let mut client = emulator.connect().await;

	// In the first pass: answered, and told when it ends.
	let t = client.status(1, Duration::from_millis(1_000)).await.unwrap();
	assert!(t.in_pass);
	assert!(t.pass_change_in_ms <= 2_000, "{t:?}");
	let pass_ends = Instant::now() + Duration::from_millis(t.pass_change_in_ms);

	// Out of view (2 s to 6 s): a sign request goes nowhere.
	tokio::time::sleep_until((pass_ends + Duration::from_millis(300)).into()).await;
	let c = cert(1, 1);
	let sign = request(1, &c, &server);
	client.send(&sign).await.unwrap();
	assert_eq!(answer_to(&mut client, 1, Duration::from_millis(1_500)).await, None);

	// The next pass (6 s to 8 s): the same request is answered.
	tokio::time::sleep_until((pass_ends + Duration::from_millis(4_300)).into()).await;
	client.send(&sign).await.unwrap();
	let answer = answer_to(&mut client, 1, Duration::from_millis(1_000)).await;
	assert!(matches!(answer, Some(Downlink::Countersignature { .. })), "{answer:?}");
	let t = client.status(1, Duration::from_millis(500)).await.unwrap();
	assert!(t.in_pass);
	assert_eq!(t.signed, 1, "the request sent out of view never reached the signer");
	assert!(t.frames_dropped >= 1, "{t:?}");
	emulator.stop().await;
}

/// One satellite, two stations: each station's link is up during its own passes only, and the
/// signing record is the satellite's, shared by both links.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_station_has_its_own_link_and_passes() {
	let server = ServerPair::sr(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let mut config = state.config();
	// A 6-minute orbit with 2-minute passes, 30x: station 0 in view 0–4 s of every 12 s,
	// station 1 (half an orbit along the track) 6–10 s.
	let fixed = |offset| PassSchedule::Fixed {
		period: Duration::from_secs(360),
		duration: Duration::from_secs(120),
		offset: Duration::from_secs(offset),
	};
	config.passes = fixed(0);
	let unused = "127.0.0.1:1".parse().unwrap();
	config.more_stations = vec![StationLink { listen: unused, passes: fixed(180) }];
	config.time_scale = 30.0;
	let listeners = vec![
		tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
		tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
	];
	let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
	let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
	let task =
		tokio::spawn(satellite_emulator::server::run_stations(config, listeners, None, async {
			let _ = stopped.await;
		}));
	let mut station0 = LinkClient::connect(addrs[0]).await.unwrap();
	let mut station1 = LinkClient::connect(addrs[1]).await.unwrap();

	// Station 0 in view, station 1 not: station 0 is told when its pass ends, station 1 hears
	// nothing.
	let t = station0.status(1, Duration::from_millis(1_000)).await.unwrap();
	assert!(t.in_pass, "{t:?}");
	let pass0_ends = Instant::now() + Duration::from_millis(t.pass_change_in_ms);
	let c = cert(1, 1);
	// One server signature (sr25519 signs at random), sent under several request ids.
	let sign = request(1, &c, &server);
	let with_id = |request_id| match sign.clone() {
		Uplink::SignRequest { cert, server_signature, txs, .. } => {
			Uplink::SignRequest { request_id, cert, server_signature, txs }
		},
		_ => unreachable!(),
	};
	station1.send(&sign).await.unwrap();
	assert_eq!(answer_to(&mut station1, 1, Duration::from_millis(500)).await, None);

	// Station 1's pass (2 s after station 0's ends): its request is answered there.
	tokio::time::sleep_until((pass0_ends + Duration::from_millis(2_300)).into()).await;
	let t = station1.status(1, Duration::from_millis(1_000)).await.unwrap();
	assert!(t.in_pass, "station 1 in view half an orbit after station 0: {t:?}");
	station1.send(&with_id(2)).await.unwrap();
	let Some(Downlink::Countersignature { signature: first, .. }) =
		answer_to(&mut station1, 2, Duration::from_millis(1_000)).await
	else {
		panic!("station 1's request answered in its pass");
	};
	// Station 0 is out of view meanwhile.
	station0.send(&with_id(3)).await.unwrap();
	assert_eq!(answer_to(&mut station0, 3, Duration::from_millis(500)).await, None);

	// Station 0's next pass: the same certificate gets the same countersignature (one signing
	// record for the satellite, whichever station asks).
	tokio::time::sleep_until((pass0_ends + Duration::from_millis(8_300)).into()).await;
	station0.send(&with_id(4)).await.unwrap();
	let Some(Downlink::Countersignature { signature: again, .. }) =
		answer_to(&mut station0, 4, Duration::from_millis(1_000)).await
	else {
		panic!("station 0's request answered in its next pass");
	};
	assert_eq!(again, first);
	let _ = stop.send(());
	task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tle_passes_open_and_close_the_link() {
	let tle = Tle::parse(include_str!("data/iss_2018-07-03.tle")).unwrap();
	let station: GroundStation = "51.5,-0.1,20".parse().unwrap();
	let satellite = Satellite::new(&tle).unwrap();
	let epoch = satellite.epoch();
	// A whole pass (not one cut by the search window) of at least 3 minutes.
	let pass = satellite
		.predict_passes(&station, epoch, 24.0)
		.unwrap()
		.into_iter()
		.find(|p| {
			p.start > epoch + chrono::TimeDelta::minutes(10) && p.duration().num_seconds() >= 180
		})
		.expect("the ISS passes over London within a day");
	let (state, _) = State::provisioned(&[]);
	let mut config = state.config();
	// Orbit time starts 120 s before the pass; at 60x it rises after 2 s of wall time.
	config.orbit_start = pass.start - chrono::TimeDelta::seconds(120);
	config.time_scale = 60.0;
	config.passes = PassSchedule::Orbit(Box::new(
		OrbitPasses::new(satellite, station, config.orbit_start).unwrap(),
	));
	let started = tokio::time::Instant::now();
	let emulator = Emulator::start(config).await;
	let mut client: LinkClient = emulator.connect().await;

	client.send(&Uplink::Ping { nonce: 1 }).await.unwrap();
	assert_eq!(client.recv_timeout(Duration::from_millis(600)).await.unwrap(), None);
	tokio::time::sleep_until(started + Duration::from_millis(2_400)).await;
	let t = client.status(3, Duration::from_millis(300)).await.unwrap();
	assert!(t.in_pass);
	// The pass lasts as SGP4 says, in compressed time.
	let expected_ms = pass.duration().num_milliseconds() as f64 / 60.0;
	assert!((t.pass_change_in_ms as f64) < expected_ms, "{t:?}, pass {expected_ms} ms");
	assert!((t.pass_change_in_ms as f64) > expected_ms - 2_000.0, "{t:?}, pass {expected_ms} ms");
	emulator.stop().await;
}
