//! The CLI's commands, one module each, each with a `run(args, out)` that prints to `out`.

pub mod passes;
pub mod provision;
pub mod run;
pub mod status;

use crate::{
	client::ClientError,
	config::ConfigError,
	orbit::{constellation::ConstellationError, OrbitError},
	provisioning::ProvisioningError,
	server::ServerError,
};

/// A command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
	/// Bad flags for `run`.
	#[error(transparent)]
	Config(#[from] ConfigError),
	/// Provisioning failed.
	#[error(transparent)]
	Provisioning(#[from] ProvisioningError),
	/// The emulator failed.
	#[error(transparent)]
	Server(#[from] ServerError),
	/// The link client failed.
	#[error(transparent)]
	Client(#[from] ClientError),
	/// Pass prediction failed.
	#[error(transparent)]
	Orbit(#[from] OrbitError),
	/// Predicting the contacts of several satellites and stations failed.
	#[error(transparent)]
	Constellation(#[from] ConstellationError),
	/// A TLE file does not hold a usable element set.
	#[error("cannot use the TLE in {path}")]
	Tle {
		/// The file.
		path: std::path::PathBuf,
		/// What is wrong with it.
		source: OrbitError,
	},
	/// A file could not be read.
	#[error("cannot read {path}: {source}")]
	Read {
		/// The file.
		path: std::path::PathBuf,
		/// Why.
		source: std::io::Error,
	},
	/// Writing the output failed.
	#[error("cannot write output: {0}")]
	Output(#[from] std::io::Error),
}

impl CommandError {
	/// The process exit code for this error: 2 for what the user asked wrongly (as clap
	/// does for bad flags), 1 for everything that went wrong while doing it.
	pub fn exit_code(&self) -> u8 {
		match self {
			Self::Config(_)
			| Self::Provisioning(
				ProvisioningError::AlreadyProvisioned(_) | ProvisioningError::NotProvisioned(_),
			)
			| Self::Orbit(OrbitError::InvalidStation { .. } | OrbitError::InvalidWindow { .. })
			| Self::Constellation(
				ConstellationError::NoSatellites
				| ConstellationError::NoStations
				| ConstellationError::Input(
					OrbitError::InvalidStation { .. } | OrbitError::InvalidWindow { .. },
				),
			) => 2,
			_ => 1,
		}
	}
}
