//! The operator CLI (`server …`, `batch …`) against the real dev node, each refusal checked by
//! the name it is printed with and its exit code.
//!
//! One node serves the whole file: the commands run as one test in steps, the steps of
//! different accounts at the same time (each account's transactions in order, so nonces never
//! race), which keeps the file near two minutes on a busy 2-core machine. Checks that need no
//! node run as their own tests.

use crate::common::{batch_dir, bridge, bridge_async, BridgeRun, Node};
use satellite_bridge::{
	chain::{self, AccountSigner, Call},
	keys::ServerPair,
};
use serde_json::Value;
use sp_core::{crypto::Ss58Codec, ed25519, Pair, H256};
use space_notary_primitives::{
	batch_root, satellite_payload, text::parse_h256, BatchId, InclusionProof, ServerId,
};
use std::time::Duration;

/// Runs `satellite-bridge GROUP COMMAND --chain URL ARGS…` on a blocking thread.
async fn cli(node: &Node, command: &[&str], args: &[&str]) -> BridgeRun {
	let mut all: Vec<String> = command.iter().map(|s| s.to_string()).collect();
	all.push("--chain".into());
	all.push(node.ws_url().to_string());
	all.extend(args.iter().map(|s| s.to_string()));
	bridge_async(all).await
}

/// The value of the `key: value` line `key` in `text`.
fn field<'a>(text: &'a str, key: &str) -> &'a str {
	let prefix = format!("{key}: ");
	text.lines()
		.find_map(|line| line.strip_prefix(&prefix))
		.unwrap_or_else(|| panic!("no {key:?} line in:\n{text}"))
}

fn hex32(hash: &H256) -> String {
	format!("{hash:?}")
}

fn satellite(seed: u8) -> ed25519::Pair {
	ed25519::Pair::from_seed(&[seed; 32])
}

fn ss58(suri: &str) -> String {
	AccountSigner::from_suri(suri).unwrap().account().to_ss58check()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_against_a_dev_node() {
	let started = std::time::Instant::now();
	let node = Node::dev().await;

	// Two servers: one sr25519 registered by its public key, operated by Bob; one ecdsa given
	// by its secret URI, operated by Charlie.
	let key1 = "sr25519://CliServer1";
	let key2 = "ecdsa://CliServer2";
	let public1 = key1.parse::<ServerPair>().unwrap().public();
	let public2 = key2.parse::<ServerPair>().unwrap().public();
	let (sat1, sat2, sat3) = (satellite(1), satellite(2), satellite(3));
	let hex_key = |pair: &ed25519::Pair| format!("0x{}", hex::encode(pair.public()));

	let run = cli(
		&node,
		&["server", "register"],
		&[
			"--operator",
			&ss58("//Bob"),
			"--server-key",
			&public1.to_string(),
			"--satellite-key",
			&hex_key(&sat1),
		],
	)
	.await
	.success();
	let server1: ServerId = run.last_line().parse().expect("server id on the last line");
	assert!(run.stdout.contains(&format!("server {server1} registered")), "{run}");
	let charlie_hex =
		format!("0x{}", hex::encode(AccountSigner::from_suri("//Charlie").unwrap().account()));
	let run = cli(
		&node,
		&["server", "register"],
		&["--operator", &charlie_hex, "--server-suri", key2, "--satellite-key", &hex_key(&sat2)],
	)
	.await
	.success();
	let server2: ServerId = run.last_line().parse().expect("server id on the last line");
	assert_ne!(server1, server2);

	let shown = cli(&node, &["server", "show"], &[&server1.to_string()]).await.success().stdout;
	assert_eq!(field(&shown, "operator"), ss58("//Bob"));
	assert_eq!(field(&shown, "server_key"), public1.to_string());
	assert_eq!(field(&shown, "satellite"), format!("0 {}", hex_key(&sat1)));
	assert_eq!(field(&shown, "quorum"), "1");
	assert_eq!(field(&shown, "status"), "active");
	assert_eq!(field(&shown, "last_sequence"), "0");
	assert_eq!(field(&shown, "last_batch"), hex32(&H256::zero()));
	assert_eq!(field(&shown, "pending"), "0");
	let shown = cli(&node, &["server", "show"], &[&server2.to_string()]).await.success().stdout;
	assert_eq!(field(&shown, "operator"), ss58("//Charlie"), "0x account given");
	assert_eq!(field(&shown, "server_key"), public2.to_string(), "--server-suri");
	cli(&node, &["server", "show"], &["999"]).await.refused(2, "no server 999");

	// Server 1's batches, Dave's intrusion and server 2's life run side by side.
	tokio::join!(
		batches_proofs_and_refusals(&node, server1, key1, &sat1),
		async {
			// Dave holds the server key but is not the server's operator.
			let dir = batch_dir(&[b"from the wrong operator"]);
			let args = ["--server-id", &server1.to_string(), "--key", key1, "--operator", "//Dave"]
				.map(str::to_string);
			let dir_arg = dir.path().display().to_string();
			let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
			args.push(&dir_arg);
			cli(&node, &["batch", "submit"], &args)
				.await
				.refused(2, "NotOperator")
				.refused(2, "The caller is not the server's operator.");
		},
		suspension_and_key_change(&node, server2, key2, &sat3),
	);
	eprintln!("every_command_against_a_dev_node took {:.0?}", started.elapsed());
}

/// Bob's batches for `server`: refusals before anything is sent, two batches back to back, a
/// countersignature, status, proofs and their checks.
async fn batches_proofs_and_refusals(
	node: &Node,
	server: ServerId,
	key: &str,
	sat: &ed25519::Pair,
) {
	let id = server.to_string();
	let txs: [&[u8]; 3] = [b"alpha", b"beta", b"gamma"];
	let dir = batch_dir(&txs);
	let dir_arg = dir.path().display().to_string();
	let submit = |server_id: &str, key: &str, files: Vec<String>| {
		let mut args =
			vec!["--server-id".to_string(), server_id.into(), "--key".into(), key.into()];
		args.extend(["--operator".to_string(), "//Bob".to_string()]);
		args.extend(files);
		async move {
			let args: Vec<&str> = args.iter().map(String::as_str).collect();
			cli(node, &["batch", "submit"], &args).await
		}
	};

	// Refused before anything is signed or sent.
	submit("999", key, vec![dir_arg.clone()]).await.refused(2, "no server 999");
	submit(&id, "sr25519://NotCliServer1", vec![dir_arg.clone()])
		.await
		.refused(2, &format!("is not server {server}'s key"));
	let empty = tempfile::tempdir().unwrap();
	submit(&id, key, vec![empty.path().display().to_string()]).await.refused(2, "no transactions");

	// Two batches back to back: the second chains onto the first.
	let run = submit(&id, key, vec![dir_arg.clone()]).await.success();
	let batch1: BatchId = parse_h256(run.last_line()).unwrap();
	let second = tempfile::tempdir().unwrap();
	let files: Vec<String> = ["one", "two"]
		.iter()
		.map(|name| {
			let path = second.path().join(name);
			std::fs::write(&path, format!("second batch, {name}")).unwrap();
			path.display().to_string()
		})
		.collect();
	let run = submit(&id, key, files).await.success();
	let batch2: BatchId = parse_h256(run.last_line()).unwrap();

	let status = cli(node, &["batch", "status"], &[&hex32(&batch1)]).await.success().stdout;
	assert!(field(&status, "status").starts_with("pending until block "), "{status}");
	assert_eq!(field(&status, "server_id"), id);
	assert_eq!(field(&status, "sequence"), "1");
	assert_eq!(field(&status, "prev_batch"), hex32(&H256::zero()));
	assert_eq!(field(&status, "tx_count"), "3");
	assert_eq!(field(&status, "total_bytes"), "14");
	assert_eq!(field(&status, "batch_root"), hex32(&batch_root(txs)));
	let status = cli(node, &["batch", "status"], &[&hex32(&batch2)]).await.success().stdout;
	assert_eq!(field(&status, "sequence"), "2");
	assert_eq!(field(&status, "prev_batch"), hex32(&batch1));
	assert_eq!(field(&status, "tx_count"), "2");
	let shown = cli(node, &["server", "show"], &[&id]).await.success().stdout;
	assert_eq!(field(&shown, "last_sequence"), "2");
	assert_eq!(field(&shown, "last_batch"), hex32(&batch2));
	assert_eq!(field(&shown, "pending"), "2");
	let unknown = hex32(&H256::repeat_byte(0xab));
	cli(node, &["batch", "status"], &[&unknown]).await.refused(2, &format!("no batch {unknown}"));

	// A pending batch proves nothing yet.
	cli(node, &["batch", "proof"], &[&hex32(&batch2), "--index", "0"])
		.await
		.refused(2, "is not certified");

	// The satellite's countersignature, made here with the key registered for the server and
	// relayed as a bare transaction, certifies batch 1.
	let chain = node.chain().await;
	let at = chain.finalized().await.unwrap();
	let record = chain::batch(&at, batch1).await.unwrap().expect("batch 1 on chain");
	let payload = satellite_payload(&batch1, &record.server_signature);
	// The pool refuses a countersignature by another key, and names the pallet error.
	let forged = satellite(9).sign(&payload);
	let refused = chain.submit(&at, &Call::countersignature(batch1, forged)).await.unwrap_err();
	assert_eq!(refused.refusal().map(|(name, _)| name), Some("BadSatelliteSignature"), "{refused}");
	let signature = sat.sign(&payload);
	chain.submit(&at, &Call::countersignature(batch1, signature)).await.unwrap();
	let status = crate::common::wait_for(
		"batch 1 certified at a finalized block",
		Duration::from_secs(120),
		|| async {
			let run = cli(node, &["batch", "status"], &[&hex32(&batch1)]).await.success();
			field(&run.stdout, "status").starts_with("certified at block ").then_some(run.stdout)
		},
	)
	.await;
	assert_eq!(field(&status, "satellite_signature"), format!("0x{}", hex::encode(signature)));
	assert_eq!(field(&status, "satellite_key"), format!("0x{}", hex::encode(sat.public())));
	assert_eq!(field(&status, "satellite_id"), "0");
	assert_eq!(field(&status, "satellite_signed_at_ms"), "none (v1)");
	let at = chain.finalized().await.unwrap();
	let again = chain.submit(&at, &Call::countersignature(batch1, signature)).await.unwrap_err();
	// Final, so banned: `Stale`, which the node words as "Transaction is outdated".
	let (reason, _) = again.refusal().expect("a pool refusal");
	assert!(reason.contains("outdated"), "{again}");

	// A proof by file and one by index.
	let beta = dir.path().join("tx-001");
	let proof_text =
		cli(node, &["batch", "proof"], &[&hex32(&batch1), &beta.display().to_string()])
			.await
			.success()
			.stdout;
	let proof: Value = serde_json::from_str(&proof_text).expect("the proof is JSON");
	assert_eq!(proof["batch_id"], hex32(&batch1));
	assert_eq!(proof["leaf_index"], 1);
	assert_eq!(proof["number_of_leaves"], 3);
	assert_eq!(proof["tx"], format!("0x{}", hex::encode(b"beta")));
	assert_eq!(proof["batch_root"], hex32(&batch_root(txs)));
	let expected = InclusionProof::generate(&txs, 1).unwrap();
	let siblings: Vec<String> = expected.proof.iter().map(hex32).collect();
	assert_eq!(proof["proof"], serde_json::json!(siblings));
	let by_index =
		cli(node, &["batch", "proof"], &[&hex32(&batch1), "--index", "2"]).await.success();
	let by_index: Value = serde_json::from_str(&by_index.stdout).unwrap();
	assert_eq!(by_index["leaf_index"], 2);
	assert_eq!(by_index["tx"], format!("0x{}", hex::encode(b"gamma")));
	cli(node, &["batch", "proof"], &[&hex32(&batch1), "--index", "3"])
		.await
		.refused(2, "no transaction 3");
	let stranger = empty.path().join("stranger");
	std::fs::write(&stranger, b"never submitted").unwrap();
	cli(node, &["batch", "proof"], &[&hex32(&batch1), &stranger.display().to_string()])
		.await
		.refused(2, "is not a transaction of batch");

	// The proof checks on chain and offline; tampered, it is refused both ways by name.
	let files = tempfile::tempdir().unwrap();
	let good = files.path().join("good.json");
	std::fs::write(&good, &proof_text).unwrap();
	let good = good.display().to_string();
	let root = hex32(&batch_root(txs));
	let run = cli(node, &["batch", "verify-proof"], &[&good]).await.success();
	assert_eq!(run.stdout.trim(), "valid");
	let run = cli(
		node,
		&["batch", "verify-proof"],
		&[&good, "--offline", &root, "--tx-count", &txs.len().to_string()],
	)
	.await
	.success();
	assert_eq!(run.stdout.trim(), "valid");

	let mut tampered = proof.clone();
	let sibling = tampered["proof"][0].as_str().unwrap().to_string();
	let flipped = if sibling.ends_with('0') { "1" } else { "0" };
	tampered["proof"][0] = Value::from(format!("{}{flipped}", &sibling[..sibling.len() - 1]));
	let bad = files.path().join("tampered.json");
	std::fs::write(&bad, tampered.to_string()).unwrap();
	let bad = bad.display().to_string();
	let run = cli(node, &["batch", "verify-proof"], &[&bad]).await.refused(2, "BadProof");
	assert_eq!(run.stdout.trim(), "invalid: BadProof");
	let count = txs.len().to_string();
	let run =
		cli(node, &["batch", "verify-proof"], &[&bad, "--offline", &root, "--tx-count", &count])
			.await
			.refused(2, "BadProof");
	assert_eq!(run.stdout.trim(), "invalid: BadProof");

	let mut miscounted = proof.clone();
	miscounted["number_of_leaves"] = Value::from(4);
	let miscounted_path = files.path().join("miscounted.json");
	std::fs::write(&miscounted_path, miscounted.to_string()).unwrap();
	cli(node, &["batch", "verify-proof"], &[&miscounted_path.display().to_string()])
		.await
		.refused(2, "invalid: LeafCountMismatch");

	// The pending batch 2: the chain says so by name.
	let mut pending = proof.clone();
	pending["batch_id"] = Value::from(hex32(&batch2));
	let pending_path = files.path().join("pending.json");
	std::fs::write(&pending_path, pending.to_string()).unwrap();
	cli(node, &["batch", "verify-proof"], &[&pending_path.display().to_string()])
		.await
		.refused(2, "invalid: NotCertified");
}

/// Alice suspends, resumes and re-keys `server` (ecdsa, Charlie's); Charlie submits while it is
/// suspended and after.
async fn suspension_and_key_change(
	node: &Node,
	server: ServerId,
	key: &str,
	new_sat: &ed25519::Pair,
) {
	let id = server.to_string();
	let dir = batch_dir(&[b"charlie's first", b"charlie's second"]);
	let dir_arg = dir.path().display().to_string();
	let charlie_submits = || async {
		cli(
			node,
			&["batch", "submit"],
			&["--server-id", &id, "--key", key, "--operator", "//Charlie", &dir_arg],
		)
		.await
	};

	let run = cli(node, &["server", "suspend"], &[&id]).await.success();
	assert!(run.stdout.contains(&format!("server {server} suspended")), "{run}");
	let shown = cli(node, &["server", "show"], &[&id]).await.success().stdout;
	assert_eq!(field(&shown, "status"), "suspended");
	charlie_submits().await.refused(2, "ServerSuspended").refused(2, "The server is suspended.");
	cli(node, &["server", "resume"], &[&id]).await.success();

	let new_key = format!("0x{}", hex::encode(new_sat.public()));
	tokio::join!(
		async {
			// Sudo.sudo succeeds when its inner call fails: the inner error is what is printed.
			cli(node, &["server", "resume"], &[&id])
				.await
				.refused(2, "ServerNotSuspended")
				.refused(2, "The server is not suspended.");
			cli(node, &["server", "set-satellite-key"], &[&id, &new_key]).await.success();
			let shown = cli(node, &["server", "show"], &[&id]).await.success().stdout;
			assert_eq!(field(&shown, "satellite"), format!("0 {new_key}"));
			cli(node, &["server", "set-satellite-key"], &["999", &new_key])
				.await
				.refused(2, "no server 999");
			cli(node, &["server", "suspend"], &["999"]).await.refused(2, "no server 999");
		},
		async {
			// Active again: the ecdsa server key signs a batch the chain takes.
			let run = charlie_submits().await.success();
			let batch: BatchId = parse_h256(run.last_line()).unwrap();
			let status = cli(node, &["batch", "status"], &[&hex32(&batch)]).await.success().stdout;
			assert_eq!(field(&status, "server_id"), id);
			assert_eq!(field(&status, "sequence"), "1");
		},
	);

	// A second satellite and a quorum of two, then back: what `server show` says, and what the
	// chain refuses by name.
	let second = format!("0x{}", hex::encode(ed25519::Pair::from_seed(&[0x77; 32]).public()));
	let run = cli(node, &["server", "add-satellite"], &[&id, &second, "--satellite-id", "7"]).await;
	assert!(run.success().stdout.contains("satellite 7 added with key"));
	cli(node, &["server", "add-satellite"], &[&id, &second, "--satellite-id", "8"])
		.await
		.refused(2, "SatelliteKeyInUse");
	cli(node, &["server", "set-quorum"], &[&id, "3"]).await.refused(2, "QuorumUnreachable");
	cli(node, &["server", "set-quorum"], &[&id, "2"]).await.success();
	let shown = cli(node, &["server", "show"], &[&id]).await.success().stdout;
	let satellites: Vec<&str> =
		shown.lines().filter_map(|l| l.strip_prefix("satellite: ")).collect();
	assert_eq!(satellites, [format!("0 {new_key}"), format!("7 {second}")]);
	assert_eq!(field(&shown, "quorum"), "2");
	cli(node, &["server", "remove-satellite"], &[&id, "--satellite-id", "7"])
		.await
		.refused(2, "QuorumUnreachable");
	cli(node, &["server", "set-quorum"], &[&id, "1"]).await.success();
	cli(node, &["server", "remove-satellite"], &[&id, "--satellite-id", "7"]).await.success();
	let shown = cli(node, &["server", "show"], &[&id]).await.success().stdout;
	assert_eq!(shown.lines().filter(|l| l.starts_with("satellite: ")).count(), 1, "{shown}");
}

#[test]
fn an_empty_batch_is_refused_before_connecting() {
	let empty = tempfile::tempdir().unwrap();
	// Nothing listens on port 1: a command that tried to connect would fail with exit 1.
	let args =
		["batch", "submit", "--chain", "ws://127.0.0.1:1", "--server-id", "0", "--key", "//Alice"];
	bridge(&args).refused(2, "no transactions");
	let mut with_dir = args.to_vec();
	let dir = empty.path().display().to_string();
	with_dir.push(&dir);
	bridge(&with_dir).refused(2, "no transactions");
}

#[test]
fn malformed_flags_exit_2() {
	let cases: [&[&str]; 5] = [
		&[
			"server",
			"register",
			"--operator",
			"5Grwva",
			"--server-suri",
			"//S",
			"--satellite-key",
			"0x00",
		],
		&["server", "show", "not-a-number"],
		&["batch", "submit", "--server-id", "0", "--key", "rsa://Alice", "file"],
		&["batch", "status", "0x1234"],
		&["server", "register", "--operator", "//Alice", "--satellite-key", "0x00"],
	];
	for args in cases {
		let run = bridge(args);
		assert_eq!(run.code, 2, "{args:?}:\n{run}");
	}
	// `server key` prints what `register` and the emulator's `provision` take, offline.
	let key = bridge(&["server", "key", "--key", "ed25519://Alice"]).success();
	let pair: satellite_bridge::keys::ServerPair = "ed25519://Alice".parse().unwrap();
	assert_eq!(key.last_line(), pair.public().to_string());
	assert!(key.last_line().starts_with("ed25519:0x"), "{key}");
	bridge(&["server", "key", "--key", "rsa://Alice"]).refused(2, "bad server key");
	// A node that is not there is a failure, not a bad request.
	bridge(&["server", "show", "--chain", "ws://127.0.0.1:1", "0"]).refused(1, "error");
}

#[test]
fn proofs_verify_offline_against_their_root_and_tampered_ones_do_not() {
	let txs: [&[u8]; 5] = [b"a", b"bb", b"ccc", b"dddd", b"eeeee"];
	let root = batch_root(txs);
	let proof = InclusionProof::generate(&txs, 3).unwrap();
	let document = serde_json::json!({
		"batch_id": hex32(&H256::repeat_byte(1)),
		"leaf_index": proof.leaf_index,
		"number_of_leaves": proof.number_of_leaves,
		"proof": proof.proof.iter().map(hex32).collect::<Vec<_>>(),
		"tx": format!("0x{}", hex::encode(txs[3])),
		"batch_root": hex32(&root),
	});
	let dir = tempfile::tempdir().unwrap();
	let write = |name: &str, value: &Value| {
		let path = dir.path().join(name);
		std::fs::write(&path, value.to_string()).unwrap();
		path.display().to_string()
	};
	let good = write("good.json", &document);
	let run =
		bridge(&["batch", "verify-proof", &good, "--offline", &hex32(&root), "--tx-count", "5"])
			.success();
	assert_eq!(run.stdout.trim(), "valid");
	// Another root, another transaction, another position: each refused.
	let other_root = hex32(&H256::repeat_byte(9));
	bridge(&["batch", "verify-proof", &good, "--offline", &other_root, "--tx-count", "5"])
		.refused(2, "invalid: BadProof");
	let mut other_tx = document.clone();
	other_tx["tx"] = Value::from(format!("0x{}", hex::encode(b"dddD")));
	let other_tx = write("other-tx.json", &other_tx);
	bridge(&["batch", "verify-proof", &other_tx, "--offline", &hex32(&root), "--tx-count", "5"])
		.refused(2, "invalid: BadProof");
	let mut moved = document.clone();
	moved["leaf_index"] = Value::from(2);
	let moved = write("moved.json", &moved);
	bridge(&["batch", "verify-proof", &moved, "--offline", &hex32(&root), "--tx-count", "5"])
		.refused(2, "invalid: BadProof");
	// The same leaves claimed as a tree of another size: refused before any hashing.
	let mut smaller = document.clone();
	smaller["number_of_leaves"] = Value::from(4);
	let smaller = write("smaller.json", &smaller);
	bridge(&["batch", "verify-proof", &smaller, "--offline", &hex32(&root), "--tx-count", "5"])
		.refused(2, "invalid: LeafCountMismatch");
	// --offline needs the certificate's transaction count.
	bridge(&["batch", "verify-proof", &good, "--offline", &hex32(&root)]).refused(2, "--tx-count");
	let not_json = write("not.json", &Value::from("just a string"));
	bridge(&["batch", "verify-proof", &not_json, "--offline", &hex32(&root), "--tx-count", "5"])
		.refused(2, "is not an inclusion proof");
}
