//! The link client against a hostile downlink: `Busy` with an absurd wait is capped, and a
//! `Rejected` that matches no request in flight (another request id, or the right id with
//! another batch) counts for nothing. And against a lossy one: a request lost before a later
//! one was answered is sent again at once.

use crate::fake_satellite::{Behaviour, FakeSatellite};
use satellite_bridge::{
	keys::ServerPair,
	link::{self, LinkConfig, LinkEvent, SignJob},
};
use sp_core::{ed25519, Pair, H256};
use space_notary_primitives::BatchCertificate;
use std::time::Duration;
use tokio::{sync::mpsc, time::timeout};

#[tokio::test]
async fn busy_is_capped_and_unmatched_rejections_are_dropped() {
	let key = ed25519::Pair::from_seed(&[7; 32]);
	let fake = FakeSatellite::start(Behaviour::Hostile { key }).await;
	let pair: ServerPair = "ed25519://link-test".parse().unwrap();
	let cert =
		BatchCertificate::over_transactions(H256::zero(), 0, 1, H256::zero(), 1, &[b"tx"]).unwrap();
	let server_signature = pair.sign(&cert);

	let mut config = LinkConfig::new(fake.addr.to_string(), H256::zero());
	config.busy_cap = Duration::from_millis(500);
	config.rto_min = Duration::from_millis(200);
	let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
	let (handle, _task) = link::spawn(config, tx);
	handle.sign(
		cert.batch_id(),
		SignJob { cert: cert.clone(), server_signature: server_signature.clone(), txs: None },
	);

	// A `Busy` of u32::MAX ms (49 days) honoured in full would never let this finish.
	let countersignature = tokio::time::timeout(Duration::from_secs(60), async {
		loop {
			match events.recv().await.expect("link client stopped") {
				LinkEvent::Countersignature { batch_id, countersignature, .. } => {
					assert_eq!(batch_id, cert.batch_id());
					break countersignature;
				},
				LinkEvent::Rejected { batch_id, reason } => {
					panic!("a rejection that matched no request in flight counted: {batch_id:?} {reason:?}")
				},
				_ => {},
			}
		}
	})
	.await
	.expect("timed out after 60 s waiting for the countersignature past a capped Busy");
	let stats = handle.stats();
	assert_eq!(stats.busy, 1);
	assert_eq!(stats.unsolicited, 2, "both unmatched rejections dropped");
	assert_eq!(countersignature.verify(&cert.batch_id(), &server_signature, &key.public()), Ok(()));
}

/// A request lost on the way up is sent again as soon as a request sent after it is answered,
/// not when its retransmission timeout (here a minute) fires.
#[tokio::test]
async fn a_request_lost_before_a_later_one_was_answered_is_sent_again_at_once() {
	let key = ed25519::Pair::from_seed(&[7; 32]);
	let (lost_tx, mut lost) = mpsc::unbounded_channel();
	let fake =
		FakeSatellite::start(Behaviour::LosesFirstRequestOf { key, server_id: 1, lost: lost_tx })
			.await;
	let pair: ServerPair = "ed25519://link-test".parse().unwrap();
	let job = |server_id| {
		let cert = BatchCertificate::over_transactions(
			H256::zero(),
			server_id,
			1,
			H256::zero(),
			1,
			&[b"tx"],
		)
		.unwrap();
		let server_signature = pair.sign(&cert);
		(cert.batch_id(), SignJob { cert, server_signature, txs: None })
	};

	let mut config = LinkConfig::new(fake.addr.to_string(), H256::zero());
	config.rto_min = Duration::from_secs(60);
	config.rto_max = Duration::from_secs(120);
	let (tx, mut events) = mpsc::unbounded_channel();
	let (handle, _task) = link::spawn(config, tx);
	// One deadline for the whole wait (status and byte reports arrive all the time).
	let mut next_countersignature = async |what: &str| {
		timeout(Duration::from_secs(30), async {
			loop {
				if let LinkEvent::Countersignature { batch_id, countersignature, .. } =
					events.recv().await.expect("link client stopped")
				{
					break (batch_id, countersignature);
				}
			}
		})
		.await
		.unwrap_or_else(|_| panic!("timed out after 30 s waiting for {what}"))
	};

	// A first exchange measures the round trip, which sets the reordering window.
	let (first, first_job) = job(0);
	handle.sign(first, first_job);
	assert_eq!(next_countersignature("the first request's countersignature").await.0, first);
	let (victim, victim_job) = job(1);
	handle.sign(victim, victim_job.clone());
	timeout(Duration::from_secs(30), lost.recv())
		.await
		.expect("timed out after 30 s waiting for the fake satellite to lose the request");
	// Sent a second after the lost one: far more than a quarter of a loopback round trip.
	tokio::time::sleep(Duration::from_secs(1)).await;
	let (later, later_job) = job(2);
	handle.sign(later, later_job);
	assert_eq!(next_countersignature("the later request's countersignature").await.0, later);
	let (answered, countersignature) = next_countersignature(
		"the lost request's countersignature (its timeout is 60 s: the later answer did not \
		 reveal the loss)",
	)
	.await;
	assert_eq!(answered, victim);
	assert_eq!(handle.stats().retransmissions, 1);
	assert_eq!(
		countersignature.verify(&victim, &victim_job.server_signature, &key.public()),
		Ok(())
	);
}
