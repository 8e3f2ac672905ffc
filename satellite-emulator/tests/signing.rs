//! Step 4 over the wire: the emulator is started in-process on 127.0.0.1:0 and driven with the
//! primitives' framing, on the ideal link.

mod common;

use common::*;
use sp_core::{ed25519, Pair, H256};
use space_notary_primitives::{
	link::{
		apid, encode_message, Direction, Downlink, RejectReason, SequenceCounter, Uplink,
		PROTOCOL_VERSION,
	},
	BatchCertificate, Countersignature,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Unix milliseconds by the host's clock, which the emulated satellite signs with.
fn unix_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

/// The countersignature an answer carries, if it is one.
fn countersignature(answer: &Downlink) -> Countersignature {
	answer.countersignature().unwrap_or_else(|| panic!("not signed: {answer:?}")).1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn countersignature_verifies_as_v2_under_the_provisioned_key_with_the_satellite_and_its_clock(
) {
	let servers = [ServerPair::sr(1), ServerPair::ed(2), ServerPair::ec(3)];
	let (state, keys) = State::provisioned(&[(1, &servers[0]), (2, &servers[1]), (3, &servers[2])]);
	let mut config = state.config();
	config.satellite_id = 25_544;
	let emulator = Emulator::start(config).await;
	let mut client = emulator.connect().await;

	client
		.send(&Uplink::Hello { protocol_version: PROTOCOL_VERSION, genesis_hash: GENESIS })
		.await
		.unwrap();
	assert_eq!(
		client.recv_timeout(Duration::from_secs(5)).await.unwrap(),
		Some(Downlink::HelloAck { protocol_version: PROTOCOL_VERSION, accepted: true })
	);

	for (i, (server, key)) in servers.iter().zip(&keys).enumerate() {
		let id = i as u32 + 1;
		let c = cert(id, 1);
		let request = request(10 + id, &c, server);
		let Uplink::SignRequest { server_signature, .. } = &request else { unreachable!() };
		let before = unix_ms();
		let answer = ask(&mut client, &request).await;
		let after = unix_ms();
		let Downlink::Countersignature { request_id, batch_id, .. } = answer else {
			panic!("server {id}: not signed: {answer:?}");
		};
		let cs = countersignature(&answer);
		assert_eq!(request_id, 10 + id);
		assert_eq!(batch_id, c.batch_id());
		assert_eq!(cs.satellite_id, 25_544, "the configured satellite number");
		assert!((before..=after).contains(&cs.signed_at_ms), "{before} {cs:?} {after}");
		assert_eq!(cs.verify(&batch_id, server_signature, key), Ok(()));
		// The number and the time are signed: neither can be changed on the ground.
		assert!(Countersignature { satellite_id: 0, ..cs }
			.verify(&batch_id, server_signature, key)
			.is_err());
		assert!(Countersignature { signed_at_ms: before - 1, ..cs }
			.verify(&batch_id, server_signature, key)
			.is_err());
		// Not a v1 signature.
		assert!(!ed25519::Pair::verify(&cs.signature, c.satellite_payload(server_signature), key));
		// Each server's satellite key is its own: no other verifies it.
		for other in keys.iter().filter(|k| *k != key) {
			assert!(cs.verify(&batch_id, server_signature, other).is_err());
		}
	}

	// Full mode: the transactions travel with the certificate and are checked.
	let c = cert(1, 2);
	let full = Uplink::SignRequest {
		request_id: 20,
		cert: c.clone(),
		server_signature: servers[0].sign(&c),
		txs: Some(txs(2)),
	};
	assert!(matches!(ask(&mut client, &full).await, Downlink::Countersignature { .. }));

	let t = telemetry(&mut client).await;
	assert_eq!(t.signed, 4);
	assert!(t.refused.is_empty());
	assert!(t.in_pass);
	assert!(t.bytes_up > 0 && t.bytes_down > 0);
	emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_has_its_reason_code() {
	let server = ServerPair::sr(1);
	let ed_server = ServerPair::ed(2);
	let (state, _) = State::provisioned(&[(1, &server), (2, &ed_server)]);
	let mut config = state.config();
	config.limits.max_txs = 5;
	config.limits.freshness_ms = 60_000;
	config.limits.max_skew_ms = 5_000;
	let emulator = Emulator::start(config).await;
	let mut client = emulator.connect().await;

	// Sign sequences 1 and 3 first, so that the record has something to conflict with.
	let first = cert(1, 1);
	let third = cert(1, 3);
	for (id, c) in [(1, &first), (2, &third)] {
		assert!(matches!(
			ask(&mut client, &request(id, c, &server)).await,
			Downlink::Countersignature { .. }
		));
	}

	let with = |f: fn(&mut BatchCertificate)| {
		let mut c = cert(1, 4);
		f(&mut c);
		c
	};
	let mut cases: Vec<(&str, Uplink, RejectReason)> = vec![
		(
			"version",
			request(100, &with(|c| c.version = 2), &server),
			RejectReason::UnsupportedVersion,
		),
		(
			"unknown server",
			request(101, &with(|c| c.server_id = 9), &server),
			RejectReason::UnknownServer,
		),
		(
			"other chain",
			request(102, &with(|c| c.genesis_hash = H256::repeat_byte(1)), &server),
			RejectReason::GenesisMismatch,
		),
		("empty", request(103, &with(|c| c.tx_count = 0), &server), RejectReason::BoundsExceeded),
		(
			"too many txs",
			request(104, &with(|c| c.tx_count = 6), &server),
			RejectReason::BoundsExceeded,
		),
		// Server 2 is provisioned with an ed25519 key: an sr25519 signature is of the wrong scheme.
		(
			"scheme",
			request(105, &with(|c| c.server_id = 2), &server),
			RejectReason::ServerKeyMismatch,
		),
		(
			"another key",
			request(106, &with(|_| {}), &ServerPair::sr(7)),
			RejectReason::BadServerSignature,
		),
		(
			"replay below",
			request(107, &with(|c| c.sequence = 2), &server),
			RejectReason::SequenceNotAbove,
		),
		(
			"equivocation",
			request(108, &with(|c| c.sequence = 1), &server),
			RejectReason::Equivocation,
		),
		("stale", request(109, &with(|c| c.issued_at_ms -= 120_000), &server), RejectReason::Stale),
		(
			"future",
			request(110, &with(|c| c.issued_at_ms += 60_000), &server),
			RejectReason::FromFuture,
		),
	];
	// A signature over another certificate.
	let c = cert(1, 4);
	cases.push((
		"forged",
		Uplink::SignRequest {
			request_id: 111,
			cert: c.clone(),
			server_signature: server.sign(&first),
			txs: None,
		},
		RejectReason::BadServerSignature,
	));
	// Full mode with a transaction altered.
	let mut bad_txs = txs(4);
	bad_txs[1].push(b'!');
	cases.push((
		"root",
		Uplink::SignRequest {
			request_id: 112,
			cert: c.clone(),
			server_signature: server.sign(&c),
			txs: Some(bad_txs),
		},
		RejectReason::RootMismatch,
	));
	for (name, request, expected) in &cases {
		let Uplink::SignRequest { request_id, cert, .. } = request else { unreachable!() };
		match ask(&mut client, request).await {
			Downlink::Rejected { request_id: id, batch_id, reason } => {
				assert_eq!(reason, *expected, "case {name}");
				assert_eq!(id, *request_id, "case {name}");
				assert_eq!(batch_id, cert.batch_id(), "case {name}");
			},
			other => panic!("case {name}: expected {expected:?}, got {other:?}"),
		}
	}

	// A sign request whose payload is not a sign request: Malformed, request id 0.
	let mut raw = Vec::new();
	for packet in encode_message(
		Direction::Uplink,
		apid::SIGN_REQUEST,
		b"\x01\x02junk",
		&mut SequenceCounter::starting_at(9000),
	) {
		raw.extend_from_slice(&packet);
	}
	let mut stream = tokio::net::TcpStream::connect(emulator.addr).await.unwrap();
	stream.write_all(&raw).await.unwrap();
	let mut reply = vec![0u8; 64];
	let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut reply))
		.await
		.unwrap()
		.unwrap();
	let mut deframer = space_notary_primitives::link::Deframer::new(Direction::Downlink, 1024);
	deframer.push(&reply[..n]);
	let (apid, payload) = deframer.next_message().expect("an answer");
	assert_eq!(
		Downlink::decode_payload(apid, &payload).unwrap(),
		Downlink::Rejected {
			request_id: 0,
			batch_id: H256::zero(),
			reason: RejectReason::Malformed
		}
	);

	// Telemetry counts every refusal by its reason.
	let t = telemetry(&mut client).await;
	assert_eq!(t.signed, 2);
	let count = |r: RejectReason| t.refused.iter().find(|(x, _)| *x == r).map_or(0, |(_, n)| *n);
	assert_eq!(count(RejectReason::BoundsExceeded), 2);
	assert_eq!(count(RejectReason::BadServerSignature), 2);
	assert_eq!(count(RejectReason::Malformed), 1);
	assert_eq!(count(RejectReason::Equivocation), 1);
	assert_eq!(t.refused.iter().map(|(_, n)| n).sum::<u64>(), cases.len() as u64 + 1);
	emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_for_another_chain_is_refused_and_requests_are_still_judged_one_by_one() {
	let server = ServerPair::sr(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let emulator = Emulator::start(state.config()).await;
	let mut client = emulator.connect().await;
	let other = H256::repeat_byte(2);
	for (version, genesis) in [(PROTOCOL_VERSION, other), (PROTOCOL_VERSION + 1, GENESIS)] {
		client
			.send(&Uplink::Hello { protocol_version: version, genesis_hash: genesis })
			.await
			.unwrap();
		assert_eq!(
			client.recv_timeout(Duration::from_secs(5)).await.unwrap(),
			Some(Downlink::HelloAck { protocol_version: PROTOCOL_VERSION, accepted: false })
		);
	}
	let mut c = cert(1, 1);
	c.genesis_hash = other;
	assert!(matches!(
		ask(&mut client, &request(1, &c, &server)).await,
		Downlink::Rejected { reason: RejectReason::GenesisMismatch, .. }
	));
	assert!(matches!(
		ask(&mut client, &request(2, &cert(1, 1), &server)).await,
		Downlink::Countersignature { .. }
	));
	emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_the_record_no_equivocation_same_signature() {
	let server = ServerPair::sr(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let first = cert(1, 1);
	let second = cert(1, 2);
	let first_request = request(1, &first, &server);
	let second_request = request(2, &second, &server);

	let emulator = Emulator::start(state.config()).await;
	let mut client = emulator.connect().await;
	let signed_first = ask(&mut client, &first_request).await;
	let signed_second = ask(&mut client, &second_request).await;
	assert!(matches!(signed_first, Downlink::Countersignature { .. }));
	// Asked again before the restart: the same answer.
	assert_eq!(ask(&mut client, &first_request).await, signed_first);
	drop(client);
	emulator.stop().await;

	let emulator = Emulator::start(state.config()).await;
	let mut client = emulator.connect().await;
	assert_eq!(
		ask(&mut client, &first_request).await,
		signed_first,
		"same certificate, same signature"
	);
	assert_eq!(ask(&mut client, &second_request).await, signed_second);
	let mut conflicting = cert(1, 2);
	conflicting.issued_at_ms += 1;
	assert!(matches!(
		ask(&mut client, &request(3, &conflicting, &server)).await,
		Downlink::Rejected { reason: RejectReason::Equivocation, .. }
	));
	let gap = cert(1, 0);
	assert!(matches!(
		ask(&mut client, &request(4, &gap, &server)).await,
		Downlink::Rejected { reason: RejectReason::SequenceNotAbove, .. }
	));
	assert!(matches!(
		ask(&mut client, &request(5, &cert(1, 3), &server)).await,
		Downlink::Countersignature { .. }
	));
	emulator.stop().await;
}

/// Regression: after `rotate-key` a repeat used to get the signature recorded under the old key,
/// which the chain (checking the current key) refuses, stranding the pending batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_after_rotate_key_is_signed_with_the_new_key() {
	let server = ServerPair::ed(1);
	let (state, keys) = State::provisioned(&[(1, &server)]);
	let c = cert(1, 1);
	let req = request(1, &c, &server);
	let Uplink::SignRequest { server_signature, .. } = &req else { unreachable!() };

	let emulator = Emulator::start(state.config()).await;
	let mut client = emulator.connect().await;
	let old = countersignature(&ask(&mut client, &req).await);
	assert_eq!(old.verify(&c.batch_id(), server_signature, &keys[0]), Ok(()));
	drop(client);
	emulator.stop().await;

	let rotation =
		satellite_emulator::provisioning::StateDir::new(state.path()).rotate_key(1).unwrap();
	assert_eq!(rotation.old, keys[0]);

	let emulator = Emulator::start(state.config()).await;
	let mut client = emulator.connect().await;
	let answer = ask(&mut client, &req).await;
	let new = countersignature(&answer);
	assert_ne!(new.signature, old.signature);
	assert!(new.signed_at_ms >= old.signed_at_ms, "signed again, at the satellite's time");
	assert_eq!(new.verify(&c.batch_id(), server_signature, &rotation.new), Ok(()));
	// And it is the recorded answer from now on.
	assert_eq!(ask(&mut client, &req).await, answer);
	emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_busy_and_every_request_gets_an_answer() {
	let server = ServerPair::ec(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let mut config = state.config();
	config.queue_depth = 1;
	config.busy_retry_ms = 123;
	let emulator = Emulator::start(config).await;
	let mut client = emulator.connect().await;
	let n = 200u32;
	// All in one write: the session queues faster than the signer can verify and fsync.
	let requests: Vec<Uplink> =
		(1..=n).map(|i| request(i, &cert(1, u64::from(i)), &server)).collect();
	client.send_all(&requests).await.unwrap();
	let (mut busy, mut signed) = (0, 0);
	for _ in 0..n {
		match client
			.recv_timeout(Duration::from_secs(10))
			.await
			.unwrap()
			.expect("an answer for each")
		{
			Downlink::Busy { retry_after_ms } => {
				assert_eq!(retry_after_ms, 123);
				busy += 1;
			},
			Downlink::Countersignature { .. } => signed += 1,
			other => panic!("unexpected {other:?}"),
		}
	}
	assert!(busy > 0, "a queue of 1 must overflow under 200 pipelined requests");
	assert!(signed > 0);
	emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_endpoint_serves_the_counters() {
	let server = ServerPair::sr(1);
	let (state, _) = State::provisioned(&[(1, &server)]);
	let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let metrics_addr = metrics.local_addr().unwrap();
	let link = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = link.local_addr().unwrap();
	let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
	let task = tokio::spawn(satellite_emulator::server::run_with_metrics(
		state.config(),
		link,
		Some(metrics),
		async {
			let _ = stopped.await;
		},
	));
	let mut client = satellite_emulator::client::LinkClient::connect(addr).await.unwrap();
	assert!(matches!(
		ask(&mut client, &request(1, &cert(1, 1), &server)).await,
		Downlink::Countersignature { .. }
	));
	let mut stale = cert(1, 2);
	stale.issued_at_ms = 1;
	assert!(matches!(
		ask(&mut client, &request(2, &stale, &server)).await,
		Downlink::Rejected { .. }
	));

	let scrape = |path: &'static str| async move {
		let mut http = tokio::net::TcpStream::connect(metrics_addr).await.unwrap();
		http.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
		let mut text = String::new();
		http.read_to_string(&mut text).await.unwrap();
		text
	};
	let text = scrape("/metrics").await;
	assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
	assert!(text.contains("space_notary_satellite_signed_total 1\n"), "{text}");
	assert!(text.contains("space_notary_satellite_refused_total{reason=\"stale\"} 1\n"), "{text}");
	assert!(text.contains("space_notary_satellite_in_pass 1\n"), "{text}");
	assert!(text.contains("space_notary_satellite_bytes_total{direction=\"uplink\"}"), "{text}");
	assert!(scrape("/").await.starts_with("HTTP/1.1 404"));
	drop(client);
	let _ = stop.send(());
	task.await.unwrap().unwrap();
}
