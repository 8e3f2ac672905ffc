//! # satellite-emulator
//!
//! The Space Notary space node (docs/design.md, flow step 4 and "Space link") on a simulated radio
//! link: it holds one ed25519 key per ground server, checks every certificate before it
//! signs, records each signature durably before it leaves, and talks CCSDS Space Packets
//! over TCP through a model of a slow, lossy, intermittent radio.
//!
//! # Layout
//!
//! - [`commands`]: the CLI's commands (`provision`, `reprovision`, `rotate-key`, `run`,
//!   `status`, `passes`), each a `run(args, out)`.
//! - [`config`]: `run`'s flags and the validated [`config::EmulatorConfig`]; link profiles.
//! - [`provisioning`]: the state directory, satellite key files (0600), rotation.
//! - [`signing_store`]: the durable record of every signature (redb).
//! - [`policy`]: the step-4 checks, a pure function.
//! - [`signer`]: the one signing thread: checks, records (fsync), signs, answers.
//! - [`server`]: [`server::run`], the daemon: accept loop, connection cap and shutdown.
//! - [`connection`]: one ground station connection: radio directions, the session, the idle
//!   timeout; every buffer bounded, so TCP pushes back on a ground station that does not read.
//! - [`link_model`]: bandwidth, latency, loss, corruption per packet, a bounded air; the
//!   modem's packet cutter (the link's own `PacketScanner`).
//! - [`pass`]: pass windows (fixed or from a TLE) in compressed orbit time.
//! - [`orbit`]: SGP4 pass prediction over a ground station; contact windows of several
//!   satellites over several stations (`orbit::constellation`).
//! - [`telemetry`]: counters, the `Status` answer and the Prometheus exposition.
//! - [`metrics_http`]: `GET /metrics` (axum).
//! - [`client`]: a small ground-side link client (for `status`, tests and benchmarks).

pub mod client;
pub mod commands;
pub mod config;
pub mod connection;
pub mod link_model;
pub mod metrics_http;
pub mod orbit;
pub mod pass;
pub mod policy;
pub mod provisioning;
pub mod server;
pub mod signer;
pub mod signing_store;
pub mod telemetry;
