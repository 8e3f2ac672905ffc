//! Admission on the ground-station API: what a posted batch must pass before the bridge stores
//! it. A pure function of the post and what the bridge knows, tested by a table; the relay calls
//! it, the HTTP server maps a refusal to its status code.
//!
//! Whatever reaches `POST /batches` is untrusted: server ids and sequences are public on chain,
//! so anyone can post a certificate for a real server's next sequence. A post is therefore
//! checked for what it claims (version, chain, server, signature, sequence) against the best
//! authority the bridge has, and counted against bounds, before it costs the bridge anything:
//!
//! - **With `--chain`**: the server as the chain holds it at the last finalized block: known and
//!   active, the server signature valid under its key on chain, and the batch either pending on
//!   chain or ahead of the chain's last sequence (a post may outrun the block that carries it).
//! - **HTTP-only with `--servers FILE`**: the server listed, the signature valid under its key.
//! - **HTTP-only without it**: the version and genesis only; the bounds below keep junk from
//!   costing more than its share of the queue, and the off-chain worker posts again whatever the
//!   bridge does not hold. The bridge says at start that posts are not authenticated.
//!
//! Bounds: open posted batches per server (the chain's `MaxPendingPerServer`, or
//! `--max-posted-per-server`) and in total (`--max-posted`), refused with `429`; transactions
//! only with `--uplink-txs`, and only up to the chain's bounds (`413`).

use crate::chain::ServerInfoOf;
use sp_core::H256;
use space_notary_primitives::records::ServerStatus;
use space_notary_primitives::{
	verify_server_signature, BatchCertificate, ServerKey, ServerSignature, CERTIFICATE_VERSION,
};

/// Why a post is refused. The name is the API's `error` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
	/// The certificate's version is not one this bridge relays.
	#[error("certificate version is not {CERTIFICATE_VERSION}")]
	UnsupportedVersion,
	/// The certificate is for another chain.
	#[error("the certificate's genesis hash is not this bridge's chain")]
	WrongGenesis,
	/// No such server (on chain, or in `--servers`).
	#[error("no such server")]
	UnknownServer,
	/// The server is suspended on chain.
	#[error("the server is suspended")]
	ServerSuspended,
	/// The server signature does not verify under the server's key.
	#[error("the server signature does not verify under the server's key")]
	BadServerSignature,
	/// The sequence is used on chain by another batch (or this batch is no longer pending).
	#[error("the batch is not pending on chain and its sequence is taken")]
	NotPending,
	/// The server has as many open posted batches as allowed.
	#[error("too many open batches for this server; try again later")]
	TooManyForServer,
	/// The bridge holds as many open posted batches as allowed.
	#[error("the ground station's queue is full; try again later")]
	QueueFull,
	/// More transactions or bytes than the chain allows in a batch.
	#[error("the batch's transactions exceed the chain's bounds")]
	TooLarge,
}

impl Refusal {
	/// The API's name for it.
	pub fn name(&self) -> &'static str {
		match self {
			Self::UnsupportedVersion => "UnsupportedVersion",
			Self::WrongGenesis => "WrongGenesis",
			Self::UnknownServer => "UnknownServer",
			Self::ServerSuspended => "ServerSuspended",
			Self::BadServerSignature => "BadServerSignature",
			Self::NotPending => "NotPending",
			Self::TooManyForServer => "TooManyForServer",
			Self::QueueFull => "QueueFull",
			Self::TooLarge => "TooLarge",
		}
	}

	/// The HTTP status code: `429` for a bound that frees up, `413` for size, `422` otherwise.
	pub fn status(&self) -> u16 {
		match self {
			Self::TooManyForServer | Self::QueueFull => 429,
			Self::TooLarge => 413,
			_ => 422,
		}
	}
}

/// What the bridge can check a post's server against.
#[derive(Clone, Copy, Debug)]
pub enum Authority<'a> {
	/// The chain at the last finalized block: the server's record, `None` if unknown.
	Chain(Option<&'a ServerInfoOf>),
	/// `--servers`: the server's key, `None` if not listed.
	Listed(Option<&'a ServerKey>),
	/// Nothing: HTTP-only without `--servers`.
	Unchecked,
}

/// How many open posted batches the bridge holds now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
	/// Of the post's server.
	pub server: usize,
	/// In all.
	pub total: usize,
}

/// The bounds a post is counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
	/// Open posted batches per server.
	pub per_server: usize,
	/// Open posted batches in all.
	pub total: usize,
	/// Transactions in a batch.
	pub max_txs: u32,
	/// Bytes in a batch.
	pub max_bytes: u64,
}

/// Checks a new post: `cert` and `signature` from the body, `genesis` the bridge's chain,
/// `with_txs` whether the post carries transactions the bridge would keep. See the module docs.
pub fn admit(
	cert: &BatchCertificate,
	signature: &ServerSignature,
	with_txs: bool,
	genesis: H256,
	authority: Authority<'_>,
	counts: Counts,
	limits: &Limits,
) -> Result<(), Refusal> {
	if cert.version != CERTIFICATE_VERSION {
		return Err(Refusal::UnsupportedVersion);
	}
	if cert.genesis_hash != genesis {
		return Err(Refusal::WrongGenesis);
	}
	if with_txs && (cert.tx_count > limits.max_txs || cert.total_bytes > limits.max_bytes) {
		return Err(Refusal::TooLarge);
	}
	let key = match authority {
		Authority::Chain(None) | Authority::Listed(None) => return Err(Refusal::UnknownServer),
		Authority::Chain(Some(server)) => {
			if server.status != ServerStatus::Active {
				return Err(Refusal::ServerSuspended);
			}
			let batch_id = cert.batch_id();
			if cert.sequence <= server.last_sequence && !server.pending.contains(&batch_id) {
				return Err(Refusal::NotPending);
			}
			Some(&server.server_key)
		},
		Authority::Listed(Some(key)) => Some(key),
		Authority::Unchecked => None,
	};
	if let Some(key) = key {
		verify_server_signature(cert, signature, key).map_err(|_| Refusal::BadServerSignature)?;
	}
	if counts.total >= limits.total {
		return Err(Refusal::QueueFull);
	}
	if counts.server >= limits.per_server {
		return Err(Refusal::TooManyForServer);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{crypto::AccountId32, ed25519, sr25519, Pair};
	use space_notary_primitives::records::ServerSatellite;
	use space_notary_primitives::{BatchId, SatelliteKey};

	const GENESIS: H256 = H256::repeat_byte(7);

	fn limits() -> Limits {
		Limits { per_server: 2, total: 3, max_txs: 4, max_bytes: 100 }
	}

	fn signed(pair: &sr25519::Pair, sequence: u64) -> (BatchCertificate, ServerSignature) {
		let cert = BatchCertificate {
			version: CERTIFICATE_VERSION,
			genesis_hash: GENESIS,
			server_id: 0,
			sequence,
			tx_count: 1,
			total_bytes: 10,
			..Default::default()
		};
		let signature = pair.sign(&cert.server_payload()).into();
		(cert, signature)
	}

	fn server(pair: &sr25519::Pair, last_sequence: u64, pending: Vec<BatchId>) -> ServerInfoOf {
		ServerInfoOf {
			operator: AccountId32::new([1; 32]),
			server_key: pair.public().into(),
			satellites: vec![ServerSatellite { id: 0, key: SatelliteKey::from_raw([2; 32]) }],
			quorum: 1,
			status: ServerStatus::Active,
			last_sequence,
			last_batch: BatchId::zero(),
			pending,
		}
	}

	#[test]
	fn junk_posts_are_refused_by_name_before_they_are_stored() {
		let key = sr25519::Pair::from_seed(&[1; 32]);
		let other = sr25519::Pair::from_seed(&[2; 32]);
		let (cert, sig) = signed(&key, 3);
		let (pending_cert, pending_sig) = signed(&key, 2);
		let (_, junk_sig) = signed(&other, 3);
		let on_chain = server(&key, 2, vec![pending_cert.batch_id()]);
		let suspended = ServerInfoOf { status: ServerStatus::Suspended, ..on_chain.clone() };
		let listed: ServerKey = key.public().into();
		let ed: ServerKey = ed25519::Pair::from_seed(&[3; 32]).public().into();
		let none = Counts::default();
		let old_version = BatchCertificate { version: 9, ..cert.clone() };
		let other_chain = BatchCertificate { genesis_hash: H256::zero(), ..cert.clone() };
		let big = BatchCertificate { tx_count: 5, ..cert.clone() };
		let (taken, taken_sig) = signed(&key, 1);

		type Case<'a> = (
			&'a str,
			&'a BatchCertificate,
			&'a ServerSignature,
			bool,
			Authority<'a>,
			Counts,
			Result<(), Refusal>,
		);
		let table: Vec<Case> = vec![
			("next sequence", &cert, &sig, false, Authority::Chain(Some(&on_chain)), none, Ok(())),
			(
				"pending on chain",
				&pending_cert,
				&pending_sig,
				false,
				Authority::Chain(Some(&on_chain)),
				none,
				Ok(()),
			),
			("listed", &cert, &sig, true, Authority::Listed(Some(&listed)), none, Ok(())),
			("unchecked", &cert, &junk_sig, false, Authority::Unchecked, none, Ok(())),
			(
				"version",
				&old_version,
				&sig,
				false,
				Authority::Unchecked,
				none,
				Err(Refusal::UnsupportedVersion),
			),
			(
				"genesis",
				&other_chain,
				&sig,
				false,
				Authority::Unchecked,
				none,
				Err(Refusal::WrongGenesis),
			),
			("too large", &big, &sig, true, Authority::Unchecked, none, Err(Refusal::TooLarge)),
			("large, no txs kept", &big, &sig, false, Authority::Unchecked, none, Ok(())),
			(
				"unknown on chain",
				&cert,
				&sig,
				false,
				Authority::Chain(None),
				none,
				Err(Refusal::UnknownServer),
			),
			(
				"not listed",
				&cert,
				&sig,
				false,
				Authority::Listed(None),
				none,
				Err(Refusal::UnknownServer),
			),
			(
				"suspended",
				&cert,
				&sig,
				false,
				Authority::Chain(Some(&suspended)),
				none,
				Err(Refusal::ServerSuspended),
			),
			(
				"junk signature, chain",
				&cert,
				&junk_sig,
				false,
				Authority::Chain(Some(&on_chain)),
				none,
				Err(Refusal::BadServerSignature),
			),
			(
				"junk signature, listed",
				&cert,
				&junk_sig,
				false,
				Authority::Listed(Some(&listed)),
				none,
				Err(Refusal::BadServerSignature),
			),
			(
				"other scheme",
				&cert,
				&sig,
				false,
				Authority::Listed(Some(&ed)),
				none,
				Err(Refusal::BadServerSignature),
			),
			(
				"sequence taken",
				&taken,
				&taken_sig,
				false,
				Authority::Chain(Some(&on_chain)),
				none,
				Err(Refusal::NotPending),
			),
			(
				"server full",
				&cert,
				&sig,
				false,
				Authority::Unchecked,
				Counts { server: 2, total: 2 },
				Err(Refusal::TooManyForServer),
			),
			(
				"queue full",
				&cert,
				&sig,
				false,
				Authority::Unchecked,
				Counts { server: 0, total: 3 },
				Err(Refusal::QueueFull),
			),
		];
		for (name, cert, sig, with_txs, authority, counts, expected) in table {
			let got = admit(cert, sig, with_txs, GENESIS, authority, counts, &limits());
			assert_eq!(got, expected, "{name}");
		}
		assert_eq!(Refusal::QueueFull.status(), 429);
		assert_eq!(Refusal::TooLarge.status(), 413);
		assert_eq!(Refusal::BadServerSignature.status(), 422);
	}
}
