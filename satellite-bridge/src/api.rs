//! What the HTTP server asks of the relay and what the relay answers: the messages between the
//! two tasks, and the status both the API and the console show. Their own module, so that the
//! HTTP server and the console (which the HTTP server mounts) both use them without depending on
//! each other.

use crate::admission::Refusal;
use serde::{Deserialize, Serialize};
use space_notary_primitives::{
	ground_station::BatchView, BatchCertificate, BatchId, Countersignature, SatelliteId, ServerId,
	ServerSignature,
};
use std::collections::BTreeMap;
use tokio::sync::oneshot;

/// One server in [`StatusView`].
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ServerView {
	/// Batches in the queue not yet final.
	pub open: u64,
	/// Certified.
	pub certified: u64,
	/// Refused by the satellite or with a bad countersignature.
	pub refused: u64,
	/// On chain: last sequence.
	pub last_sequence: Option<u64>,
	/// On chain: pending batches.
	pub pending_on_chain: Option<u64>,
	/// On chain: active (not suspended).
	pub active: Option<bool>,
	/// The certified batch of highest sequence in the queue, `0x` hex.
	#[serde(default)]
	pub last_certified: Option<String>,
}

/// The bridge at a glance.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct StatusView {
	/// The chain served.
	pub genesis_hash: Option<String>,
	/// Latest finalized block read.
	pub finalized: Option<u64>,
	/// Best block.
	pub best: Option<u64>,
	/// Any satellite link up.
	pub link_up: bool,
	/// Each satellite link, in `--satellite` order.
	#[serde(default)]
	pub links: Vec<LinkView>,
	/// Seconds to the next pass (0 during one).
	pub next_pass_seconds: Option<f64>,
	/// Sign requests in flight on the link.
	pub in_flight: u64,
	/// Batches by stage.
	pub stages: BTreeMap<String, u64>,
	/// Refusals by reason.
	pub refused: BTreeMap<String, u64>,
	/// Pending batches that will expire before the next pass.
	pub at_risk: u64,
	/// Per server.
	pub servers: BTreeMap<ServerId, ServerView>,
	/// Posts to the API refused since start, by reason.
	#[serde(default)]
	pub posts_refused: BTreeMap<String, u64>,
	/// Servers left out of `servers` (beyond [`STATUS_SERVERS_MAX`], those neither on chain nor
	/// in `--servers`, highest ids first): their batches still count in `stages`.
	#[serde(default)]
	pub servers_omitted: u64,
}

/// One satellite link, in the status.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkView {
	/// The satellite's address.
	pub address: String,
	/// Its number, once a countersignature on this link has verified.
	pub satellite: Option<SatelliteId>,
	/// Connected and heard from recently.
	pub up: bool,
	/// In view now.
	pub in_pass: bool,
	/// Seconds until the pass under way ends (in view) or the next begins (out of view).
	pub change_in_seconds: Option<f64>,
	/// Countersignatures from it that verified, since the bridge started.
	#[serde(default)]
	pub countersigned: u64,
}

/// Most servers listed in a status: every server the chain or `--servers` knows, then others
/// (only an unauthenticated HTTP-only bridge holds batches of unknown servers) by id up to this,
/// so that a flood of posts for random server ids cannot make the status, which the console
/// streams several times a second, grow with it.
pub const STATUS_SERVERS_MAX: usize = 256;

/// The answer to a post, given after the commit.
#[derive(Debug)]
pub struct PostReply {
	/// The batch as it now stands.
	pub view: BatchView,
	/// Whether the post added it (else the bridge already held it).
	pub new: bool,
}

/// What the HTTP server asks of the relay.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per request, moved once into the relay
pub enum ApiRequest {
	/// A batch posted by the off-chain worker.
	Post {
		/// Its certificate.
		cert: BatchCertificate,
		/// The server's signature.
		server_signature: ServerSignature,
		/// Its transactions, for full mode.
		txs: Option<Vec<Vec<u8>>>,
		/// A countersignature of the batch that the poster found not to verify.
		refused_countersignature: Option<Countersignature>,
		/// Answered once committed, or at once when refused.
		reply: oneshot::Sender<Result<PostReply, Refusal>>,
	},
	/// A batch's view.
	Get {
		/// The batch.
		batch_id: BatchId,
		/// `None` if unknown.
		reply: oneshot::Sender<Option<BatchView>>,
	},
	/// The status.
	Status {
		/// The answer.
		reply: oneshot::Sender<StatusView>,
	},
}
