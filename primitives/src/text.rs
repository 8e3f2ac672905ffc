//! The text forms of the contract's keys and hashes, read and printed in one place for the tools
//! on the ground (the bridge, the emulator): their flags, their files, their output. `std` only.
//!
//! ```text
//! hash, satellite key    0x<32-byte hex>
//! server key             ed25519:0x<32-byte hex>
//!                        sr25519:0x<32-byte hex>
//!                        ecdsa:0x<33-byte hex>     (compressed secp256k1 public key)
//! ```
//!
//! Reading forgives what cannot be ambiguous: whitespace around the text, a missing `0x`, hex
//! digits and a scheme in either case. Printing has one form: the scheme in lower case, `0x`,
//! lower-case hex.
//!
//! A server key's scheme prefix is required: 32 bytes alone could be an ed25519 or an sr25519
//! key, and guessing would make the satellite refuse every signature of the real scheme as
//! `ServerKeyMismatch`.
//!
//! A [`TextFormError`] never repeats the text it was given: a secret pasted where a public key
//! belongs must not end up in a terminal or a log. It names at most the scheme, and only if the
//! scheme looks like a scheme name.

use core::{fmt, str::FromStr};
use sp_core::{ecdsa, ed25519, sr25519, H256};

use crate::{SatelliteKey, ServerKey};

/// A key or a hash could not be read from its text form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextFormError {
	/// A server key without its `scheme:` prefix.
	#[error("a server key needs its scheme: ed25519:0x…, sr25519:0x… or ecdsa:0x…")]
	MissingScheme,
	/// A server key whose prefix is not `ed25519`, `sr25519` or `ecdsa`.
	#[error("unknown server key scheme{}; expected ed25519, sr25519 or ecdsa", shown_scheme(.0))]
	UnknownScheme(
		/// The scheme given, in lower case; `None` if it does not look like a scheme name (it is
		/// then not shown: it could be part of a secret).
		Option<String>,
	),
	/// The bytes are not hex.
	#[error("{what} is not hex (an optional 0x, then pairs of hex digits)")]
	NotHex {
		/// What was being read: `hash`, `satellite key`, `sr25519 server key`, …
		what: &'static str,
	},
	/// The bytes are hex, but not as many as the value has.
	#[error("{what} must be {expected} bytes ({} hex digits), found {found}", expected * 2)]
	WrongLength {
		/// What was being read: `hash`, `satellite key`, `sr25519 server key`, …
		what: &'static str,
		/// The bytes it has.
		expected: usize,
		/// The bytes given.
		found: usize,
	},
}

/// ` "name"` for a scheme shown in [`TextFormError::UnknownScheme`], or nothing.
fn shown_scheme(scheme: &Option<String>) -> String {
	scheme.as_ref().map(|name| format!(" {name:?}")).unwrap_or_default()
}

/// The longest text taken for a scheme name in an error message.
const MAX_SHOWN_SCHEME: usize = 16;

/// The `N` bytes of `text`: `0x`-prefixed or bare hex, surrounding whitespace ignored.
fn hex_array<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N], TextFormError> {
	let text = text.trim();
	let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text))
		.map_err(|_| TextFormError::NotHex { what })?;
	let found = bytes.len();
	bytes.try_into().map_err(|_| TextFormError::WrongLength { what, expected: N, found })
}

/// Reads a 32-byte hash (a genesis hash, a batch ID, a merkle node): `0x` + 64 hex digits, the
/// `0x` optional.
pub fn parse_h256(text: &str) -> Result<H256, TextFormError> {
	hex_array(text, "hash").map(H256)
}

/// Reads a satellite public key (ed25519): `0x` + 64 hex digits, the `0x` optional.
pub fn parse_satellite_key(text: &str) -> Result<SatelliteKey, TextFormError> {
	hex_array(text, "satellite key").map(ed25519::Public::from_raw)
}

impl ServerKey {
	/// The scheme's name in the text form: `ed25519`, `sr25519` or `ecdsa`.
	pub fn scheme(&self) -> &'static str {
		match self {
			Self::Ed25519(_) => "ed25519",
			Self::Sr25519(_) => "sr25519",
			Self::Ecdsa(_) => "ecdsa",
		}
	}
}

impl FromStr for ServerKey {
	type Err = TextFormError;

	/// Reads `scheme:0x<hex>` (see the [module docs](self)): the `0x` optional, the scheme in
	/// either case, surrounding whitespace ignored.
	fn from_str(text: &str) -> Result<Self, TextFormError> {
		let (scheme, hex_part) = text.trim().split_once(':').ok_or(TextFormError::MissingScheme)?;
		match scheme.to_ascii_lowercase().as_str() {
			"ed25519" => hex_array(hex_part, "ed25519 server key")
				.map(|raw| Self::Ed25519(ed25519::Public::from_raw(raw))),
			"sr25519" => hex_array(hex_part, "sr25519 server key")
				.map(|raw| Self::Sr25519(sr25519::Public::from_raw(raw))),
			"ecdsa" => hex_array(hex_part, "ecdsa server key")
				.map(|raw| Self::Ecdsa(ecdsa::Public::from_raw(raw))),
			other => {
				let name = !other.is_empty()
					&& other.len() <= MAX_SHOWN_SCHEME
					&& other.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
				Err(TextFormError::UnknownScheme(name.then(|| other.to_owned())))
			},
		}
	}
}

impl fmt::Display for ServerKey {
	/// `scheme:0x<hex>`, lower case: the form [`ServerKey::from_str`] reads.
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let bytes: &[u8] = match self {
			Self::Ed25519(key) => key.as_ref(),
			Self::Sr25519(key) => key.as_ref(),
			Self::Ecdsa(key) => key.as_ref(),
		};
		write!(f, "{}:0x{}", self.scheme(), hex::encode(bytes))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;
	use sp_core::Pair;

	fn keys() -> [ServerKey; 3] {
		[
			ed25519::Pair::from_seed(&[1; 32]).public().into(),
			sr25519::Pair::from_seed(&[2; 32]).public().into(),
			ecdsa::Pair::from_seed(&[3; 32]).public().into(),
		]
	}

	#[test]
	fn every_scheme_prints_its_name_and_lower_case_hex() {
		for key in keys() {
			let text = key.to_string();
			let (scheme, hex_part) = text.split_once(':').unwrap();
			assert_eq!(scheme, key.scheme());
			let bytes: &[u8] = match &key {
				ServerKey::Ed25519(k) => k.as_ref(),
				ServerKey::Sr25519(k) => k.as_ref(),
				ServerKey::Ecdsa(k) => k.as_ref(),
			};
			assert_eq!(hex_part, format!("0x{}", hex::encode(bytes)));
		}
	}

	#[test]
	fn every_scheme_round_trips_in_each_accepted_spelling() {
		for key in keys() {
			let text = key.to_string();
			assert_eq!(text.parse::<ServerKey>(), Ok(key.clone()));
			// Without 0x, in capitals, with surrounding whitespace (a file's newline).
			let bare = text.replacen(":0x", ":", 1).to_uppercase();
			assert_eq!(bare.parse::<ServerKey>(), Ok(key.clone()));
			assert_eq!(format!(" {text}\n").parse::<ServerKey>(), Ok(key));
		}
	}

	#[test]
	fn malformed_server_keys_get_named_errors() {
		let hex32 = "11".repeat(32);
		assert_eq!(format!("0x{hex32}").parse::<ServerKey>(), Err(TextFormError::MissingScheme));
		assert_eq!(
			"rsa:0x00".parse::<ServerKey>(),
			Err(TextFormError::UnknownScheme(Some("rsa".into())))
		);
		assert_eq!(
			"ed25519:0xzz".parse::<ServerKey>(),
			Err(TextFormError::NotHex { what: "ed25519 server key" })
		);
		assert_eq!(
			"sr25519:0x123".parse::<ServerKey>(),
			Err(TextFormError::NotHex { what: "sr25519 server key" }),
			"odd number of digits"
		);
		assert_eq!(
			format!("ecdsa:0x{hex32}").parse::<ServerKey>(),
			Err(TextFormError::WrongLength { what: "ecdsa server key", expected: 33, found: 32 })
		);
		assert_eq!(
			format!("sr25519:0x{hex32}11").parse::<ServerKey>(),
			Err(TextFormError::WrongLength { what: "sr25519 server key", expected: 32, found: 33 })
		);
		assert_eq!(
			"ed25519:".parse::<ServerKey>(),
			Err(TextFormError::WrongLength { what: "ed25519 server key", expected: 32, found: 0 })
		);
	}

	#[test]
	fn errors_do_not_repeat_what_could_be_a_secret() {
		let secret = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
		for text in [
			format!("sr25519:{secret}"),
			format!("{secret}///pass:word"),
			format!("{secret}:0x00"),
			secret.to_owned(),
		] {
			let message = text.parse::<ServerKey>().unwrap_err().to_string();
			assert!(!message.contains("curtain") && !message.contains("word"), "{message}");
			let message = parse_h256(&text).unwrap_err().to_string();
			assert!(!message.contains("curtain"), "{message}");
		}
		let message = "sr25519:0x1234".parse::<ServerKey>().unwrap_err().to_string();
		assert_eq!(message, "sr25519 server key must be 32 bytes (64 hex digits), found 2");
		let message = "rsa:0x00".parse::<ServerKey>().unwrap_err().to_string();
		assert!(message.contains("\"rsa\""), "{message}");
	}

	#[test]
	fn hashes_and_satellite_keys_have_32_bytes() {
		let hex32 = "ab".repeat(32);
		for text in [format!("0x{hex32}"), hex32.clone(), format!("0x{}\n", hex32.to_uppercase())] {
			assert_eq!(parse_h256(&text), Ok(H256::repeat_byte(0xab)));
			assert_eq!(parse_satellite_key(&text), Ok(ed25519::Public::from_raw([0xab; 32])));
		}
		assert_eq!(
			parse_h256("0x1234"),
			Err(TextFormError::WrongLength { what: "hash", expected: 32, found: 2 })
		);
		assert_eq!(
			parse_satellite_key(&format!("0x{hex32}00")),
			Err(TextFormError::WrongLength { what: "satellite key", expected: 32, found: 33 })
		);
		assert_eq!(parse_h256("zz"), Err(TextFormError::NotHex { what: "hash" }));
		assert_eq!(parse_h256("0X12"), Err(TextFormError::NotHex { what: "hash" }));
	}

	proptest! {
		#[test]
		fn any_bytes_round_trip(raw in any::<[u8; 32]>(), extra in any::<u8>()) {
			let mut compressed = [extra; 33];
			compressed[1..].copy_from_slice(&raw);
			for key in [
				ServerKey::Ed25519(ed25519::Public::from_raw(raw)),
				ServerKey::Sr25519(sr25519::Public::from_raw(raw)),
				ServerKey::Ecdsa(ecdsa::Public::from_raw(compressed)),
			] {
				prop_assert_eq!(key.to_string().parse::<ServerKey>(), Ok(key));
			}
			let hash = H256(raw);
			prop_assert_eq!(parse_h256(&format!("{hash:?}")), Ok(hash));
		}
	}
}
