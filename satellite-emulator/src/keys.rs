//! The text form of a server's public key, as given to `provision` and stored in the state
//! directory.
//!
//! ```text
//! ed25519:0x<32-byte hex>
//! sr25519:0x<32-byte hex>
//! ecdsa:0x<33-byte hex>     (compressed secp256k1 public key)
//! ```
//!
//! The scheme prefix is required: 32 bytes alone could be an ed25519 or an sr25519 key, and
//! guessing would make the satellite refuse every signature of the real scheme as
//! `ServerKeyMismatch`.

use sp_core::{ecdsa, ed25519, sr25519};
use space_notary_primitives::ServerKey;
use std::fmt;

/// A server key could not be read from its text form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFormatError {
	/// No `scheme:` prefix.
	#[error(
		"server key {0:?} has no scheme prefix; expected ed25519:0x…, sr25519:0x… or ecdsa:0x…"
	)]
	MissingScheme(String),
	/// A prefix other than `ed25519`, `sr25519` or `ecdsa`.
	#[error("unknown server key scheme {0:?}; expected ed25519, sr25519 or ecdsa")]
	UnknownScheme(String),
	/// The key bytes are not hex.
	#[error("server key bytes are not hex: {0}")]
	NotHex(String),
	/// The key has the wrong number of bytes for its scheme.
	#[error("a {scheme} public key has {expected} bytes, found {found}")]
	WrongLength {
		/// The scheme named by the prefix.
		scheme: &'static str,
		/// Bytes the scheme needs.
		expected: usize,
		/// Bytes given.
		found: usize,
	},
}

/// Reads a server key from `scheme:0x<hex>` (the `0x` is optional).
pub fn parse_server_key(text: &str) -> Result<ServerKey, KeyFormatError> {
	let text = text.trim();
	let (scheme, hex_part) =
		text.split_once(':').ok_or_else(|| KeyFormatError::MissingScheme(text.to_owned()))?;
	let hex_part = hex_part.strip_prefix("0x").unwrap_or(hex_part);
	let bytes = hex::decode(hex_part).map_err(|e| KeyFormatError::NotHex(e.to_string()))?;
	let wrong_length =
		|scheme, expected| KeyFormatError::WrongLength { scheme, expected, found: bytes.len() };
	match scheme.to_ascii_lowercase().as_str() {
		"ed25519" => {
			let raw: [u8; 32] =
				bytes.as_slice().try_into().map_err(|_| wrong_length("ed25519", 32))?;
			Ok(ServerKey::Ed25519(ed25519::Public::from_raw(raw)))
		},
		"sr25519" => {
			let raw: [u8; 32] =
				bytes.as_slice().try_into().map_err(|_| wrong_length("sr25519", 32))?;
			Ok(ServerKey::Sr25519(sr25519::Public::from_raw(raw)))
		},
		"ecdsa" => {
			let raw: [u8; 33] =
				bytes.as_slice().try_into().map_err(|_| wrong_length("ecdsa", 33))?;
			Ok(ServerKey::Ecdsa(ecdsa::Public::from_raw(raw)))
		},
		other => Err(KeyFormatError::UnknownScheme(other.to_owned())),
	}
}

/// A server key in the text form [`parse_server_key`] reads.
pub struct ServerKeyText<'a>(pub &'a ServerKey);

impl fmt::Display for ServerKeyText<'_> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let (scheme, bytes): (&str, &[u8]) = match self.0 {
			ServerKey::Ed25519(key) => ("ed25519", key.as_ref()),
			ServerKey::Sr25519(key) => ("sr25519", key.as_ref()),
			ServerKey::Ecdsa(key) => ("ecdsa", key.as_ref()),
		};
		write!(f, "{scheme}:0x{}", hex::encode(bytes))
	}
}

/// The scheme name of a server key, for logs and error messages.
pub fn scheme_name(key: &ServerKey) -> &'static str {
	match key {
		ServerKey::Ed25519(_) => "ed25519",
		ServerKey::Sr25519(_) => "sr25519",
		ServerKey::Ecdsa(_) => "ecdsa",
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::Pair;

	#[test]
	fn every_scheme_round_trips_through_its_text_form() {
		let keys: [ServerKey; 3] = [
			ed25519::Pair::from_seed(&[1; 32]).public().into(),
			sr25519::Pair::from_seed(&[2; 32]).public().into(),
			ecdsa::Pair::from_seed(&[3; 32]).public().into(),
		];
		for key in keys {
			let text = ServerKeyText(&key).to_string();
			assert!(text.starts_with(scheme_name(&key)));
			assert_eq!(parse_server_key(&text), Ok(key.clone()));
			// Without 0x, and with the scheme in capitals, it still reads.
			let bare = text.replacen(":0x", ":", 1).to_uppercase();
			assert_eq!(parse_server_key(&bare), Ok(key));
		}
	}

	#[test]
	fn malformed_keys_are_named() {
		assert!(matches!(parse_server_key("0x1234"), Err(KeyFormatError::MissingScheme(_))));
		assert!(matches!(
			parse_server_key("rsa:0x00"),
			Err(KeyFormatError::UnknownScheme(s)) if s == "rsa"
		));
		assert!(matches!(parse_server_key("ed25519:0xzz"), Err(KeyFormatError::NotHex(_))));
		assert_eq!(
			parse_server_key(&format!("ecdsa:0x{}", "11".repeat(32))),
			Err(KeyFormatError::WrongLength { scheme: "ecdsa", expected: 33, found: 32 })
		);
	}
}
