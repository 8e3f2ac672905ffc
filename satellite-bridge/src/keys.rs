//! Keys from secret URIs: a ground server's signing key (any of the three schemes) and the
//! account that pays for transactions.

use sp_core::{ecdsa, ed25519, sr25519, Pair};
use space_notary_primitives::{BatchCertificate, ServerKey, ServerSignature};
use std::str::FromStr;

/// A ground server's key pair, of the scheme it was registered with.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // one or two per process; boxing buys nothing
pub enum ServerPair {
	/// ed25519.
	Ed25519(ed25519::Pair),
	/// sr25519.
	Sr25519(sr25519::Pair),
	/// ecdsa (secp256k1).
	Ecdsa(ecdsa::Pair),
}

impl std::fmt::Debug for ServerPair {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "ServerPair({:?})", self.public())
	}
}

/// A server key flag that does not parse. It names the scheme it read, never the secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("bad server key (scheme {0}): expected SCHEME:SURI with SCHEME sr25519, ed25519 or ecdsa (e.g. sr25519://Alice); the secret is not shown")]
pub struct BadServerKey(pub &'static str);

impl FromStr for ServerPair {
	type Err = BadServerKey;

	/// `sr25519:SURI`, `ed25519:SURI` or `ecdsa:SURI`; a bare SURI is sr25519.
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		let (scheme, suri) = match s.split_once(':') {
			Some(("sr25519", suri)) => ("sr25519", suri),
			Some(("ed25519", suri)) => ("ed25519", suri),
			Some(("ecdsa", suri)) => ("ecdsa", suri),
			_ => ("sr25519", s),
		};
		let bad = || BadServerKey(scheme);
		Ok(match scheme {
			"ed25519" => Self::Ed25519(ed25519::Pair::from_string(suri, None).map_err(|_| bad())?),
			"ecdsa" => Self::Ecdsa(ecdsa::Pair::from_string(suri, None).map_err(|_| bad())?),
			_ => Self::Sr25519(sr25519::Pair::from_string(suri, None).map_err(|_| bad())?),
		})
	}
}

impl ServerPair {
	/// The public key, as registered on chain.
	pub fn public(&self) -> ServerKey {
		match self {
			Self::Ed25519(p) => p.public().into(),
			Self::Sr25519(p) => p.public().into(),
			Self::Ecdsa(p) => p.public().into(),
		}
	}

	/// Signs the certificate's server payload.
	pub fn sign(&self, cert: &BatchCertificate) -> ServerSignature {
		let payload = cert.server_payload();
		match self {
			Self::Ed25519(p) => p.sign(&payload).into(),
			Self::Sr25519(p) => p.sign(&payload).into(),
			Self::Ecdsa(p) => p.sign(&payload).into(),
		}
	}
}

/// Parses an account: SS58 (any network prefix) or `0x` + 64 hex digits.
pub fn parse_account(s: &str) -> Result<sp_core::crypto::AccountId32, String> {
	use sp_core::crypto::Ss58Codec;
	if s.starts_with("0x") {
		return space_notary_primitives::text::parse_h256(s)
			.map(|h| sp_core::crypto::AccountId32::new(h.0))
			.map_err(|_| format!("{s:?} is not an SS58 address or 0x + 64 hex digits"));
	}
	sp_core::crypto::AccountId32::from_ss58check(s)
		.map_err(|e| format!("{s:?} is not an SS58 address or 0x + 64 hex digits: {e:?}"))
}

/// Parses the secret URI of an account that signs transactions (`//Alice`, a mnemonic, …).
pub fn parse_signer(s: &str) -> Result<crate::chain::AccountSigner, String> {
	// The secret is never echoed: error messages end up in logs and terminals.
	// Not even the error's debug form: a mnemonic error carries the phrase it could not read.
	crate::chain::AccountSigner::from_suri(s).map_err(|_| {
		"not a secret URI of an sr25519 account (//Name, a mnemonic, or 0x + a 32-byte seed, \
		 with optional //derivations); the secret is not shown"
			.to_owned()
	})
}

/// Parses a satellite signature (raw ed25519) given as `0x` + 128 hex digits.
pub fn parse_signature(s: &str) -> Result<space_notary_primitives::SatelliteSignature, String> {
	let hex_digits = s.strip_prefix("0x").unwrap_or(s);
	let bytes = hex::decode(hex_digits).map_err(|e| format!("{s:?} is not hex: {e}"))?;
	let array: [u8; 64] =
		bytes.try_into().map_err(|_| format!("{s:?} is not 64 bytes (0x + 128 hex digits)"))?;
	Ok(ed25519::Signature::from_raw(array))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn schemes_parse_and_bare_suri_is_sr25519() {
		assert!(matches!("//Alice".parse::<ServerPair>(), Ok(ServerPair::Sr25519(_))));
		assert!(matches!("ed25519://Alice".parse::<ServerPair>(), Ok(ServerPair::Ed25519(_))));
		assert!(matches!("ecdsa://Alice".parse::<ServerPair>(), Ok(ServerPair::Ecdsa(_))));
		let error = "ed25519:not a secret".parse::<ServerPair>().unwrap_err().to_string();
		assert!(!error.contains("not a secret"), "the secret is echoed: {error}");
		let error = parse_signer("bottom drive obey lake curtain smoke").err().unwrap();
		assert!(!error.contains("curtain"), "the secret is echoed: {error}");
	}

	#[test]
	fn pairs_public_keys_read_back_from_their_text_form() {
		for suri in ["sr25519://Alice", "ed25519://Alice", "ecdsa://Alice"] {
			let key = suri.parse::<ServerPair>().unwrap().public();
			assert_eq!(key.to_string().parse::<ServerKey>(), Ok(key));
		}
	}

	#[test]
	fn accounts_parse_from_ss58_and_hex() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let account = parse_account(alice).unwrap();
		assert_eq!(
			parse_account(&format!("0x{}", hex::encode(account.as_ref() as &[u8]))),
			Ok(account)
		);
		assert!(parse_account("5Grwva").is_err());
	}
}
