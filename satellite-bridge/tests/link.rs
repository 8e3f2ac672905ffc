//! The link client against a hostile downlink: `Busy` with an absurd wait is capped, and a
//! `Rejected` that matches no request in flight (another request id, or the right id with
//! another batch) counts for nothing.

#[path = "support/fake_satellite.rs"]
mod fake_satellite;

use fake_satellite::{Behaviour, FakeSatellite};
use satellite_bridge::{
	keys::ServerPair,
	link::{self, LinkConfig, LinkEvent, SignJob},
};
use sp_core::{ed25519, Pair, H256};
use space_notary_primitives::{verify_satellite_signature, BatchCertificate};
use std::time::Duration;

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

	let mut unsolicited = 0;
	let mut busy = 0;
	// A `Busy` of u32::MAX ms (49 days) honoured in full would never let this finish.
	let signature = tokio::time::timeout(Duration::from_secs(60), async {
		loop {
			match events.recv().await.expect("link client stopped") {
				LinkEvent::Countersignature { batch_id, signature, .. } => {
					assert_eq!(batch_id, cert.batch_id());
					break signature;
				},
				LinkEvent::Rejected { batch_id, reason } => {
					panic!("a rejection that matched no request in flight counted: {batch_id:?} {reason:?}")
				},
				LinkEvent::Unsolicited => unsolicited += 1,
				LinkEvent::Busy => busy += 1,
				_ => {},
			}
		}
	})
	.await
	.expect("timed out after 60 s waiting for the countersignature past a capped Busy");
	assert_eq!(busy, 1);
	assert_eq!(unsolicited, 2, "both unmatched rejections dropped");
	assert_eq!(
		verify_satellite_signature(&cert.batch_id(), &server_signature, &signature, &key.public()),
		Ok(())
	);
}
