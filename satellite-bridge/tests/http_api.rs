//! The ground-station API in HTTP-only mode (no chain): what the off-chain worker will use.
//! A posted batch is countersigned by the real emulator and its status shows the signature;
//! bad input is refused with a named error and changes nothing; a restart keeps what was
//! posted.

use crate::common::*;
use codec::Encode;
use satellite_bridge::{
	http::{BatchView, PostBatch},
	keys::ServerPair,
};
use sp_core::H256;
use space_notary_primitives::{BatchCertificate, ServerSignature};
use std::time::Duration;

const GENESIS: H256 = H256::repeat_byte(0x42);

fn post_body(
	cert: &BatchCertificate,
	signature: &ServerSignature,
	txs: Option<&[Vec<u8>]>,
) -> serde_json::Value {
	serde_json::to_value(PostBatch::new(cert, signature, txs)).unwrap()
}

/// The emulator with server 0 provisioned for `pair`, and the bridge in HTTP-only mode (plus
/// `extra` flags) in front of it, answering on `base`.
struct HttpOnly {
	satellite_key: space_notary_primitives::SatelliteKey,
	_emulator: Emulator,
	bridge: BridgeProcess,
	args: Vec<String>,
	base: String,
	client: reqwest::Client,
	_dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl HttpOnly {
	async fn start(pair: &ServerPair, extra: &[&str]) -> Self {
		let state = tempfile::tempdir().unwrap();
		let satellite_key = Emulator::provision(state.path(), 0, &pair.public());
		let emulator = Emulator::start(state.path(), GENESIS, &[]).await;
		let data = tempfile::tempdir().unwrap();
		let http = free_port();
		let mut args = http_only_args(&emulator.url(), GENESIS, data.path(), http);
		args.extend(extra.iter().map(|s| s.to_string()));
		let (bridge, base, client) = start_http_bridge(&args, http).await;
		Self {
			satellite_key,
			_emulator: emulator,
			bridge,
			args,
			base,
			client,
			_dirs: (state, data),
		}
	}

	/// The bridge's view of `batch_id`, once `until` holds for it.
	async fn view_until(
		&self,
		what: &str,
		batch_id: &H256,
		until: impl Fn(&BatchView) -> bool,
	) -> BatchView {
		wait_for(what, Duration::from_secs(60), || async {
			let url = format!("{}/batches/{batch_id:?}", self.base);
			let view: BatchView = self.client.get(url).send().await.ok()?.json().await.ok()?;
			until(&view).then_some(view)
		})
		.await
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_batches_are_countersigned_and_bad_input_is_refused_by_name() {
	let pair: ServerPair = "sr25519://http-api-server".parse().unwrap();
	let mut station = HttpOnly::start(&pair, &[]).await;
	let (base, client, satellite_key) =
		(station.base.clone(), station.client.clone(), station.satellite_key);

	let txs = vec![b"first".to_vec(), b"second".to_vec()];
	let cert =
		BatchCertificate::over_transactions(GENESIS, 0, 1, H256::zero(), now_ms(), &txs).unwrap();
	let batch_id = cert.batch_id();
	// sr25519 signatures are randomised: sign once, post the same bytes every time.
	let server_signature = pair.sign(&cert);

	// Bad input: each refused by name, and the bridge holds nothing afterwards.
	let wrong_txs = vec![b"first".to_vec(), b"sec0nd".to_vec()];
	let refusals = [
		(serde_json::json!({"cert": "0x00"}), "BadJson"),
		(serde_json::json!({"cert": "0x0102", "server_signature": "0x00"}), "BadCertificate"),
		(
			serde_json::json!({"cert": format!("0x{}", hex::encode(cert.encode())), "server_signature": "0x09"}),
			"BadServerSignature",
		),
		(post_body(&cert, &server_signature, Some(&wrong_txs)), "RootMismatch"),
		(post_body(&cert, &server_signature, Some(&txs[..1])), "CountMismatch"),
	];
	for (body, name) in refusals {
		let response = client.post(format!("{base}/batches")).json(&body).send().await.unwrap();
		assert_eq!(response.status(), 400, "{name}");
		let error: serde_json::Value = response.json().await.unwrap();
		assert_eq!(error["error"], name, "{error}");
	}
	let unknown = client.get(format!("{base}/batches/{batch_id:?}")).send().await.unwrap();
	assert_eq!(unknown.status(), 404);

	// A good post: accepted once, known the second time.
	let body = post_body(&cert, &server_signature, Some(&txs));
	let first = client.post(format!("{base}/batches")).json(&body).send().await.unwrap();
	assert_eq!(first.status(), 202);
	let again = client.post(format!("{base}/batches")).json(&body).send().await.unwrap();
	assert_eq!(again.status(), 200);

	let view = station
		.view_until("the posted batch to be countersigned", &batch_id, |v| {
			v.stage == "countersigned"
		})
		.await;
	let countersignature = view.countersignature.as_ref().and_then(|cs| cs.parse()).unwrap();
	assert_eq!(
		countersignature.verify(&batch_id, &server_signature, &satellite_key),
		Ok(()),
		"the countersignature is the satellite's, for this batch"
	);

	// Durable: a killed and restarted bridge still holds it.
	station.bridge.kill();
	let args: Vec<&str> = station.args.iter().map(String::as_str).collect();
	station.bridge = BridgeProcess::start(&args);
	let view = station
		.view_until("the restarted bridge to answer for the batch", &batch_id, |_| true)
		.await;
	assert_eq!(view.stage, "countersigned");
}

/// With `--uplink-txs` and no chain, the posts are the only source of transactions: a batch
/// posted without them is held, and its view asks for them (what the off-chain worker reads),
/// until it is posted with them; then it is countersigned over its root.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_uplink_txs_a_batch_posted_without_its_transactions_waits_for_them() {
	let pair: ServerPair = "ed25519://http-api-full-mode".parse().unwrap();
	let station = HttpOnly::start(&pair, &["--uplink-txs"]).await;
	let (base, client) = (&station.base, &station.client);

	let txs = vec![b"full".to_vec(), b"mode".to_vec()];
	let cert =
		BatchCertificate::over_transactions(GENESIS, 0, 1, H256::zero(), now_ms(), &txs).unwrap();
	let batch_id = cert.batch_id();
	let server_signature = pair.sign(&cert);

	let posted = client
		.post(format!("{base}/batches"))
		.json(&post_body(&cert, &server_signature, None))
		.send()
		.await
		.unwrap();
	assert_eq!(posted.status(), 202);
	let view: BatchView = posted.json().await.unwrap();
	assert!(view.needs_transactions, "{view:?}");
	assert_eq!(view.stage, "queued");
	// Held, not sent: on the ideal link an answer would come back in milliseconds.
	tokio::time::sleep(Duration::from_secs(2)).await;
	let view: BatchView = client
		.get(format!("{base}/batches/{batch_id:?}"))
		.send()
		.await
		.unwrap()
		.json()
		.await
		.unwrap();
	assert_eq!((view.stage.as_str(), view.needs_transactions), ("queued", true));

	let again = client
		.post(format!("{base}/batches"))
		.json(&post_body(&cert, &server_signature, Some(&txs)))
		.send()
		.await
		.unwrap();
	assert_eq!(again.status(), 200, "known already");
	let view = station
		.view_until("the batch to be countersigned once its transactions came", &batch_id, |v| {
			v.stage == "countersigned"
		})
		.await;
	assert!(!view.needs_transactions);
}
