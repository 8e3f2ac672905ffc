//! The bridge's tests against real processes, in one binary: one link in the build instead of
//! five, and one pool of test threads, so that the slow tests of different files (each waits on
//! a dev chain's 6-second blocks) run side by side.
//!
//! ```sh
//! cargo test --release -p satellite-bridge --test integration            # all
//! cargo test --release -p satellite-bridge --test integration -- relay::  # one file
//! ```

#[path = "common/mod.rs"]
mod common;
#[path = "support/fake_satellite.rs"]
mod fake_satellite;

#[path = "cli.rs"]
mod cli;
#[path = "console.rs"]
mod console;
#[path = "constellation.rs"]
mod constellation;
#[path = "hostile.rs"]
mod hostile;
#[path = "http_api.rs"]
mod http_api;
#[path = "link.rs"]
mod link;
#[path = "relay.rs"]
mod relay;
