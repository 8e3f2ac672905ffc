//! The ground-station API: what the pallet's off-chain worker and the bridge say to each other
//! over HTTP, defined once for both.
//!
//! The bridge serves it (`satellite-bridge relay --http ADDR`); the off-chain worker calls it at
//! the URL it finds in the node's persistent off-chain local storage under
//! [`GROUND_STATION_URL_KEY`] (written by the node's `--ground-station-url` flag, changed at run
//! time with the `offchain_localStorageSet` RPC).
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | `POST` | `/batches` | [`PostBatch`] → `202` (new) or `200` (known) with a [`BatchView`]; `400` with an [`ApiError`] |
//! | `GET` | `/batches/0x{batch id}` | → `200` with a [`BatchView`]; `404` if the bridge does not hold it |
//!
//! Bytes travel as `0x`-prefixed hex: the certificate and the server signature as their SCALE
//! encoding, transactions and a countersignature's signature raw. A countersignature is a
//! [`CountersignatureView`]: `{"satellite_id": n, "signed_at_ms": t, "signature": "0x…"}` (v2).

use crate::{
	BatchCertificate, BatchId, Countersignature, SatelliteId, SatelliteSignature, ServerId,
	ServerSignature,
};
use alloc::{format, string::String, vec::Vec};
use codec::Encode;
use serde::{Deserialize, Serialize};

/// Key of the ground station's base URL in the node's persistent off-chain local storage
/// (`PERSISTENT` kind for the RPC). The value is the URL's bytes, e.g. `http://127.0.0.1:9955`.
pub const GROUND_STATION_URL_KEY: &[u8] = b"space-notary/ground-station-url";

/// Key of the ground station's bearer token in the node's persistent off-chain local storage
/// (`PERSISTENT` kind for the RPC; the token's bytes). When set, the off-chain worker sends
/// `Authorization: Bearer <token>` with every request (`satellite-bridge relay
/// --http-token-file`).
pub const GROUND_STATION_TOKEN_KEY: &[u8] = b"space-notary/ground-station-token";

/// Longest URL accepted: a base URL, not a document.
pub const MAX_URL_LEN: usize = 256;

/// Why a ground-station URL is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum GroundStationUrlError {
	/// Not UTF-8.
	#[error("not UTF-8")]
	NotUtf8,
	/// Longer than [`MAX_URL_LEN`].
	#[error("longer than {MAX_URL_LEN} bytes")]
	TooLong,
	/// Neither `http://` nor `https://`.
	#[error("expected an http:// or https:// URL")]
	Scheme,
	/// Nothing after the scheme.
	#[error("no host after the scheme")]
	NoHost,
	/// Whitespace, a control character, a query or a fragment.
	#[error("whitespace, control characters, queries and fragments are not allowed")]
	BadCharacter,
}

/// A ground station's base URL: `http(s)://host[:port][/path]`, kept without a trailing slash.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GroundStationUrl(String);

impl GroundStationUrl {
	/// Checks `bytes` as a base URL. The one rule for the node's flag, the RPC-set value the
	/// off-chain worker reads, and anyone else.
	pub fn parse(bytes: &[u8]) -> Result<Self, GroundStationUrlError> {
		if bytes.len() > MAX_URL_LEN {
			return Err(GroundStationUrlError::TooLong);
		}
		let url = core::str::from_utf8(bytes).map_err(|_| GroundStationUrlError::NotUtf8)?;
		let rest = url
			.strip_prefix("http://")
			.or_else(|| url.strip_prefix("https://"))
			.ok_or(GroundStationUrlError::Scheme)?;
		if rest.chars().any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#') {
			return Err(GroundStationUrlError::BadCharacter);
		}
		let rest = rest.trim_end_matches('/');
		if rest.is_empty() || rest.starts_with('/') {
			return Err(GroundStationUrlError::NoHost);
		}
		Ok(Self(String::from(url.trim_end_matches('/'))))
	}

	/// The URL, without a trailing slash.
	pub fn as_str(&self) -> &str {
		&self.0
	}

	/// Where batches are posted.
	pub fn batches(&self) -> String {
		format!("{}/batches", self.0)
	}

	/// Where one batch is asked for.
	pub fn batch(&self, batch_id: &BatchId) -> String {
		format!("{}/batches/{}", self.0, to_hex(batch_id.as_bytes()))
	}
}

impl core::str::FromStr for GroundStationUrl {
	type Err = GroundStationUrlError;

	fn from_str(s: &str) -> Result<Self, Self::Err> {
		Self::parse(s.as_bytes())
	}
}

impl core::fmt::Display for GroundStationUrl {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(&self.0)
	}
}

/// `0x` + lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// The bytes of `0x`-prefixed (or bare) hex; `None` if it is not hex.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
	hex::decode(s.strip_prefix("0x").unwrap_or(s)).ok()
}

/// Most transactions a post may list, whatever the chain's bound (the runtime's is 1,024).
pub const MAX_POSTED_TXS: usize = 65_536;

/// Reads `txs` refusing more than [`MAX_POSTED_TXS`] entries as they come: a list of a million
/// empty strings fits in a few megabytes of JSON but would take tens of megabytes as `String`s.
fn bounded_txs<'de, D: serde::Deserializer<'de>>(
	deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
	struct Bounded(Vec<String>);
	impl<'de> Deserialize<'de> for Bounded {
		fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
			struct Visitor;
			impl<'de> serde::de::Visitor<'de> for Visitor {
				type Value = Bounded;
				fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
					write!(f, "at most {MAX_POSTED_TXS} transactions")
				}
				fn visit_seq<A: serde::de::SeqAccess<'de>>(
					self,
					mut seq: A,
				) -> Result<Bounded, A::Error> {
					let mut txs = Vec::new();
					while let Some(tx) = seq.next_element::<String>()? {
						if txs.len() == MAX_POSTED_TXS {
							return Err(serde::de::Error::invalid_length(txs.len() + 1, &self));
						}
						txs.push(tx);
					}
					Ok(Bounded(txs))
				}
			}
			deserializer.deserialize_seq(Visitor)
		}
	}
	Ok(Option::<Bounded>::deserialize(deserializer)?.map(|b| b.0))
}

/// A v2 countersignature as the API carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountersignatureView {
	/// The satellite that signed.
	pub satellite_id: SatelliteId,
	/// The satellite's clock when it signed, unix milliseconds.
	pub signed_at_ms: u64,
	/// `0x` + the 64 bytes of its ed25519 signature over the v2 satellite payload.
	pub signature: String,
}

impl From<&Countersignature> for CountersignatureView {
	fn from(cs: &Countersignature) -> Self {
		Self {
			satellite_id: cs.satellite_id,
			signed_at_ms: cs.signed_at_ms,
			signature: to_hex(&cs.signature.0),
		}
	}
}

impl CountersignatureView {
	/// The countersignature; `None` if the signature is not `0x` + 64 bytes of hex. Whether it
	/// verifies is the caller's to check.
	pub fn parse(&self) -> Option<Countersignature> {
		let bytes: [u8; 64] = from_hex(&self.signature)?.try_into().ok()?;
		Some(Countersignature {
			satellite_id: self.satellite_id,
			signed_at_ms: self.signed_at_ms,
			signature: SatelliteSignature::from_raw(bytes),
		})
	}
}

/// The body of `POST /batches`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostBatch {
	/// `0x` + SCALE of the certificate.
	pub cert: String,
	/// `0x` + SCALE of the server's `MultiSignature`.
	pub server_signature: String,
	/// The transactions, `0x` + bytes each; only for a satellite that checks the root. At most
	/// [`MAX_POSTED_TXS`]: a longer list is refused while it is read, before it is held.
	#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "bounded_txs")]
	pub txs: Option<Vec<String>>,
	/// A countersignature the ground station gave for this batch that does not verify under
	/// the on-chain key of the satellite it names (the satellite's key was rotated, the server
	/// has no such satellite, or the answer was forged): the ground station drops it and asks
	/// the satellite again.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub refused_countersignature: Option<CountersignatureView>,
}

impl PostBatch {
	/// The body for a batch as the chain holds it.
	pub fn new(
		cert: &BatchCertificate,
		server_signature: &ServerSignature,
		txs: Option<&[Vec<u8>]>,
	) -> Self {
		Self {
			cert: to_hex(&cert.encode()),
			server_signature: to_hex(&server_signature.encode()),
			txs: txs.map(|txs| txs.iter().map(|tx| to_hex(tx)).collect()),
			refused_countersignature: None,
		}
	}

	/// The same body, telling the ground station that `countersignature` does not verify.
	pub fn refusing(mut self, countersignature: &Countersignature) -> Self {
		self.refused_countersignature = Some(countersignature.into());
		self
	}

	/// The JSON body.
	pub fn to_json(&self) -> Vec<u8> {
		// A struct of strings always serializes; the empty body would be refused as `BadJson`.
		serde_json::to_vec(self).unwrap_or_default()
	}
}

/// Where a batch stands at a ground station: the `stage` of a [`BatchView`], and the ground
/// station's own record. One list, for the bridge that reports it and the off-chain worker that
/// reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stage {
	/// Waiting for the satellite or in flight to it.
	Queued,
	/// Countersigned and verified (with a chain, about to be submitted).
	Countersigned,
	/// Submitted to the chain by the bridge.
	Submitted,
	/// Certified on chain.
	Certified,
	/// Refused by the satellite (`reason` says why); asked again after a backoff.
	Refused,
	/// The satellite's answer did not verify; asked again after a backoff.
	BadCountersignature,
	/// Expired on chain.
	Expired,
	/// Posted, never on chain: the chain gave its sequence to another batch.
	Superseded,
}

impl Stage {
	/// Every stage.
	pub const ALL: [Stage; 8] = [
		Stage::Queued,
		Stage::Countersigned,
		Stage::Submitted,
		Stage::Certified,
		Stage::Refused,
		Stage::BadCountersignature,
		Stage::Expired,
		Stage::Superseded,
	];

	/// The name the API uses.
	pub const fn as_str(&self) -> &'static str {
		match self {
			Stage::Queued => "queued",
			Stage::Countersigned => "countersigned",
			Stage::Submitted => "submitted",
			Stage::Certified => "certified",
			Stage::Refused => "refused",
			Stage::BadCountersignature => "bad_countersignature",
			Stage::Expired => "expired",
			Stage::Superseded => "superseded",
		}
	}

	/// The stage of `name`; `None` for a name this version does not know.
	pub fn parse(name: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|s| s.as_str() == name)
	}

	/// Whether the chain has finished with the batch (nothing more will happen to it at the
	/// ground station): certified, expired, superseded.
	pub const fn is_final(&self) -> bool {
		matches!(self, Stage::Certified | Stage::Expired | Stage::Superseded)
	}

	/// Whether the ground station is to ask the satellite again (refused, bad countersignature).
	pub const fn is_retrying(&self) -> bool {
		matches!(self, Stage::Refused | Stage::BadCountersignature)
	}
}

/// The stage names, as constants (`Stage::as_str`).
pub mod stage {
	use super::Stage;

	/// [`Stage::Queued`].
	pub const QUEUED: &str = Stage::Queued.as_str();
	/// [`Stage::Countersigned`].
	pub const COUNTERSIGNED: &str = Stage::Countersigned.as_str();
	/// [`Stage::Submitted`].
	pub const SUBMITTED: &str = Stage::Submitted.as_str();
	/// [`Stage::Certified`].
	pub const CERTIFIED: &str = Stage::Certified.as_str();
	/// [`Stage::Refused`].
	pub const REFUSED: &str = Stage::Refused.as_str();
	/// [`Stage::BadCountersignature`].
	pub const BAD_COUNTERSIGNATURE: &str = Stage::BadCountersignature.as_str();
	/// [`Stage::Expired`].
	pub const EXPIRED: &str = Stage::Expired.as_str();
	/// [`Stage::Superseded`].
	pub const SUPERSEDED: &str = Stage::Superseded.as_str();
}

/// A batch as the API shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
	/// `0x…`.
	pub batch_id: String,
	/// The issuing server.
	pub server_id: Option<ServerId>,
	/// The certificate's sequence.
	pub sequence: Option<u64>,
	/// A [`Stage`]'s name (kept a string, so that a worker reads views of a newer ground station
	/// that knows more stages).
	pub stage: String,
	/// The satellite's countersignature, once verified; for a certified batch, the v2 one the
	/// chain recorded last.
	pub countersignature: Option<CountersignatureView>,
	/// Why it was refused.
	pub reason: Option<String>,
	/// Block at which the chain expires it.
	pub expires_at: Option<u64>,
	/// Block of certification.
	pub certified_at: Option<u64>,
	/// The ground station uplinks transactions for the satellite's root check and holds none
	/// for this batch: post it again with them.
	#[serde(default)]
	pub needs_transactions: bool,
}

/// What is wrong with a [`BatchView`] a ground station sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ViewError {
	/// Not JSON of a batch view.
	#[error("not JSON of a batch view")]
	Malformed,
	/// A view of another batch than the one asked for.
	#[error("a view of another batch")]
	OtherBatch,
	/// The countersignature's signature is not `0x` + 64 bytes of hex.
	#[error("the countersignature's signature is not 0x + 64 bytes of hex")]
	BadCountersignature,
}

impl BatchView {
	/// Reads a view of `batch_id` from JSON, with its countersignature if it carries one.
	/// Whether the countersignature verifies is the caller's to check.
	pub fn parse(
		json: &[u8],
		batch_id: &BatchId,
	) -> Result<(Self, Option<Countersignature>), ViewError> {
		let view: Self = serde_json::from_slice(json).map_err(|_| ViewError::Malformed)?;
		let id = from_hex(&view.batch_id).ok_or(ViewError::Malformed)?;
		if id.as_slice() != batch_id.as_bytes() {
			return Err(ViewError::OtherBatch);
		}
		let countersignature = match &view.countersignature {
			None => None,
			Some(cs) => Some(cs.parse().ok_or(ViewError::BadCountersignature)?),
		};
		Ok((view, countersignature))
	}
}

/// The body of every refusal: `{"error": name, "message": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
	/// A name to match on (`BadJson`, `UnknownBatch`, …).
	pub error: String,
	/// For people.
	pub message: String,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn urls_are_checked_by_one_rule() {
		use GroundStationUrlError::*;
		let cases: &[(&[u8], Result<&str, GroundStationUrlError>)] = &[
			(b"http://127.0.0.1:9955", Ok("http://127.0.0.1:9955")),
			(b"http://127.0.0.1:9955/", Ok("http://127.0.0.1:9955")),
			(b"https://gs.example/api/", Ok("https://gs.example/api")),
			(b"ftp://127.0.0.1", Err(Scheme)),
			(b"127.0.0.1:9955", Err(Scheme)),
			(b"http://", Err(NoHost)),
			(b"http:///batches", Err(NoHost)),
			(b"http://host/a b", Err(BadCharacter)),
			(b"http://host/?q=1", Err(BadCharacter)),
			(b"http://host\n", Err(BadCharacter)),
			(&[0xff, 0xfe], Err(NotUtf8)),
			(&[b'h'; MAX_URL_LEN + 1], Err(TooLong)),
		];
		for (input, expected) in cases {
			let got = GroundStationUrl::parse(input);
			assert_eq!(got.as_ref().map(|u| u.as_str()).map_err(|e| *e), *expected, "{input:?}");
		}
		let url = GroundStationUrl::parse(b"http://h:1/").unwrap();
		assert_eq!(url.batches(), "http://h:1/batches");
		assert_eq!(
			url.batch(&BatchId::repeat_byte(0xab)),
			format!("http://h:1/batches/0x{}", "ab".repeat(32))
		);
	}

	#[test]
	fn views_are_read_with_their_countersignature_and_checked_for_the_batch() {
		let id = BatchId::repeat_byte(7);
		let signed = Countersignature {
			satellite_id: 25_544,
			signed_at_ms: 1_800_000_000_000,
			signature: SatelliteSignature::from_raw([0x11; 64]),
		};
		let sig = CountersignatureView::from(&signed);
		let json = |batch: &str, cs: Option<&CountersignatureView>| {
			serde_json::to_vec(&BatchView {
				batch_id: batch.into(),
				stage: stage::COUNTERSIGNED.into(),
				countersignature: cs.cloned(),
				..Default::default()
			})
			.unwrap()
		};
		let body = String::from_utf8(json(&to_hex(id.as_bytes()), Some(&sig))).unwrap();
		let expected = format!(
			"\"countersignature\":{{\"satellite_id\":25544,\"signed_at_ms\":1800000000000,\"signature\":\"0x{}\"}}",
			"11".repeat(64)
		);
		assert!(body.contains(&expected), "{body}");
		let (view, cs) = BatchView::parse(body.as_bytes(), &id).unwrap();
		assert_eq!(view.stage, stage::COUNTERSIGNED);
		let many = format!(
			"{{\"cert\":\"0x\",\"server_signature\":\"0x\",\"txs\":[{}\"\"]}}",
			"\"\",".repeat(MAX_POSTED_TXS)
		);
		assert!(serde_json::from_str::<PostBatch>(&many).is_err(), "one too many");
		let enough = many.replacen("\"\",", "", 1);
		let post: PostBatch = serde_json::from_str(&enough).unwrap();
		assert_eq!(post.txs.map(|t| t.len()), Some(MAX_POSTED_TXS));
		let none: PostBatch =
			serde_json::from_str("{\"cert\":\"0x\",\"server_signature\":\"0x\",\"txs\":null}")
				.unwrap();
		assert_eq!(none.txs, None);
		for s in Stage::ALL {
			assert_eq!(Stage::parse(s.as_str()), Some(s));
		}
		assert_eq!(Stage::parse("launched"), None);
		assert_eq!(cs, Some(signed));
		let (_, none) = BatchView::parse(&json(&to_hex(id.as_bytes()), None), &id).unwrap();
		assert_eq!(none, None);
		let other = to_hex(BatchId::repeat_byte(8).as_bytes());
		assert_eq!(BatchView::parse(&json(&other, None), &id), Err(ViewError::OtherBatch));
		let short = CountersignatureView { signature: "0x1111".into(), ..sig.clone() };
		assert_eq!(
			BatchView::parse(&json(&to_hex(id.as_bytes()), Some(&short)), &id),
			Err(ViewError::BadCountersignature)
		);
		// A bare signature (link protocol 1's form) is not a countersignature.
		let bare = format!(
			"{{\"batch_id\":\"{}\",\"stage\":\"countersigned\",\"countersignature\":\"0x{}\"}}",
			to_hex(id.as_bytes()),
			"11".repeat(64)
		);
		assert_eq!(BatchView::parse(bare.as_bytes(), &id), Err(ViewError::Malformed));
		assert_eq!(BatchView::parse(b"{\"batch_id\":", &id), Err(ViewError::Malformed));
		assert_eq!(BatchView::parse(b"<html>500</html>", &id), Err(ViewError::Malformed));
	}

	#[test]
	fn a_post_carries_scale_as_hex_and_leaves_out_absent_transactions() {
		let cert = BatchCertificate::default();
		let sig = ServerSignature::Ed25519(Default::default());
		let body = serde_json::to_string(&PostBatch::new(&cert, &sig, None)).unwrap();
		assert!(!body.contains("txs"), "{body}");
		let post: PostBatch = serde_json::from_str(&body).unwrap();
		assert_eq!(from_hex(&post.cert), Some(cert.encode()));
		let with = PostBatch::new(&cert, &sig, Some(&[b"hi".to_vec()]));
		assert_eq!(with.txs, Some(alloc::vec![String::from("0x6869")]));
		let refused = Countersignature {
			satellite_id: 3,
			signed_at_ms: 4,
			signature: SatelliteSignature::from_raw([5; 64]),
		};
		let body = PostBatch::new(&cert, &sig, None).refusing(&refused).to_json();
		let post: PostBatch = serde_json::from_slice(&body).unwrap();
		assert_eq!(post.refused_countersignature.and_then(|cs| cs.parse()), Some(refused));
	}
}
