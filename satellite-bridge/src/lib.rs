//! # satellite-bridge
//!
//! Space Notary's ground station. It forwards every pending batch from the chain to the space
//! node over the space link and brings the countersignatures back to the chain, and it is the
//! operator's command line for routine chain work (registering servers, submitting batches,
//! inclusion proofs).
//!
//! # Layout
//!
//! - [`admission`]: what a batch posted to the ground-station API must pass before it is
//!   stored (a pure function, tested by a table).
//! - [`api`]: the messages between the HTTP server and the relay, and the status view.
//! - [`config`]: the `relay` flags, parsed into domain types and validated into
//!   [`config::RelayConfig`] before any work starts.
//! - [`chain`]: the subxt client (legacy backend) and the pallet's reads and calls.
//! - [`store`]: the durable queue (redb): every batch the bridge has taken on and where it
//!   stands, written before anything about it is acknowledged or sent.
//! - [`link`]: the space-link client: a pipelined window of sign requests over CCSDS frames
//!   (`space_notary_primitives::link`), retransmission with backoff, `Busy`, passes.
//! - [`relay`]: the daemon that joins them: follows finalized blocks, resyncs from chain state,
//!   verifies countersignatures, submits and resubmits.
//! - [`http`]: `/metrics`, `/status` and the ground-station API the off-chain worker uses.
//! - [`console`]: the operator's web page on the same address: live state over server-sent
//!   events, and a batch view read from the chain.
//! - [`activity`]: the console's in-memory history: recent events, certifications per minute
//!   and per pass, the passes seen.
//! - [`metrics`]: the Prometheus registry.
//! - [`keys`]: server and account keys from secret URIs.
//! - [`commands`]: one module per CLI command, each `run(args, out)`.

pub mod activity;
pub mod admission;
pub mod api;
pub mod chain;
pub mod commands;
pub mod config;
pub mod console;
pub mod http;
pub mod keys;
pub mod link;
pub mod metrics;
pub mod relay;
pub mod store;
