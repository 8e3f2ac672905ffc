//! Provisioning: the per-server satellite keys and the server keys they answer to.
//!
//! ```text
//! <state-dir>/
//!   servers/<server-id>/satellite.key      ed25519 secret seed, hex, mode 0600
//!   servers/<server-id>/server.pub         the server's key, `scheme:0x<hex>` (see
//!                                          `space_notary_primitives::text`)
//!   servers/<server-id>/previous-server.pub   optional: the key `reprovision` replaced and the
//!                                          last sequence it may sign, `scheme:0x<hex> until <n>`
//!   servers/<server-id>/archive/satellite-<unix-ms>.key   keys retired by `rotate-key`, 0600
//!   signing.redb                           the signing record (see `signing_store`)
//! ```
//!
//! A server is provisioned by building its directory under a temporary name and renaming it
//! into place, so a crash never leaves a half-provisioned server behind and two concurrent
//! `provision` runs for one ID cannot both succeed. Each file is written to a temporary file,
//! synced, and renamed over the old one; the directory is synced after.
//!
//! The secret seed never leaves the state directory: commands print public keys only.

use rand::RngCore;
use sp_core::{ed25519, Pair};
use space_notary_primitives::{text::TextFormError, SatelliteKey, ServerId, ServerKey};
use std::{
	collections::BTreeMap,
	fmt,
	fs::{self, File, OpenOptions},
	io::{self, Write},
	os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
	path::{Path, PathBuf},
	time::{SystemTime, UNIX_EPOCH},
};

const SERVERS_DIR: &str = "servers";
const SATELLITE_KEY_FILE: &str = "satellite.key";
const SERVER_KEY_FILE: &str = "server.pub";
const PREVIOUS_SERVER_KEY_FILE: &str = "previous-server.pub";
const ARCHIVE_DIR: &str = "archive";
const SIGNING_DB_FILE: &str = "signing.redb";

/// A provisioning or state-directory operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisioningError {
	/// `provision` for a server that already has keys; use `reprovision` or `rotate-key`.
	#[error("server {0} is already provisioned; use `reprovision` to record a new server key or `rotate-key` for a new satellite key")]
	AlreadyProvisioned(ServerId),
	/// `reprovision` or `rotate-key` for a server that was never provisioned.
	#[error("server {0} is not provisioned")]
	NotProvisioned(ServerId),
	/// A stored server key does not parse.
	#[error("{path}: {source}")]
	BadServerKeyFile {
		/// The file.
		path: PathBuf,
		/// Why it does not parse.
		source: TextFormError,
	},
	/// A stored previous server key is not `scheme:0x<hex> until <sequence>`.
	#[error("{0}: not `<scheme>:0x<hex> until <sequence>`")]
	BadPreviousServerKeyFile(PathBuf),
	/// A stored satellite key is not a 32-byte hex seed.
	#[error("{0}: not a 32-byte hex ed25519 seed")]
	BadSatelliteKeyFile(PathBuf),
	/// A secret key file can be read by other users: refused, as ssh refuses such keys.
	#[error(
		"{path} has mode {mode:o}; a satellite key must be readable by its owner only (chmod 600)"
	)]
	KeyFileExposed {
		/// The file.
		path: PathBuf,
		/// Its permission bits.
		mode: u32,
	},
	/// A file-system operation failed.
	#[error("{path}: {source}")]
	Io {
		/// The path involved.
		path: PathBuf,
		/// The operating system's error.
		source: io::Error,
	},
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ProvisioningError + '_ {
	move |source| ProvisioningError::Io { path: path.to_owned(), source }
}

/// A server key replaced by `reprovision`, still valid for the batches the server signed with
/// it before its key was rotated on chain (`set_server_key`), so that none of them is stranded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousServerKey {
	/// The replaced key.
	pub key: ServerKey,
	/// The last sequence it may sign: the server's `last_sequence` on chain at the rotation.
	/// Anything later must be signed by the current key, so a leaked old key signs nothing new.
	pub until_sequence: u64,
}

impl PreviousServerKey {
	/// Whether this key may have signed the certificate at `sequence`.
	pub fn covers(&self, sequence: u64) -> bool {
		sequence <= self.until_sequence
	}
}

impl fmt::Display for PreviousServerKey {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "{} until {}", self.key, self.until_sequence)
	}
}

/// Reads the `Display` form of a [`PreviousServerKey`], `scheme:0x<hex> until <sequence>`.
fn parse_previous_server_key(text: &str) -> Option<PreviousServerKey> {
	let mut words = text.split_whitespace();
	let (Some(key), Some("until"), Some(until), None) =
		(words.next(), words.next(), words.next(), words.next())
	else {
		return None;
	};
	Some(PreviousServerKey { key: key.parse().ok()?, until_sequence: until.parse().ok()? })
}

/// One provisioned server, as the signer needs it.
pub struct ProvisionedServer {
	/// The key the server's signatures must verify under.
	pub server_key: ServerKey,
	/// The key it replaced, valid up to a sequence, if `reprovision` was told to keep it.
	pub previous_key: Option<PreviousServerKey>,
	satellite: ed25519::Pair,
}

impl ProvisionedServer {
	/// The public half of this server's satellite key, registered on chain.
	pub fn satellite_key(&self) -> SatelliteKey {
		self.satellite.public()
	}

	/// Signs a satellite payload with this server's satellite key.
	pub fn sign(&self, payload: &[u8]) -> ed25519::Signature {
		self.satellite.sign(payload)
	}
}

/// Every provisioned server, loaded once when the emulator starts.
#[derive(Default)]
pub struct Keyring {
	servers: BTreeMap<ServerId, ProvisionedServer>,
}

impl Keyring {
	/// The server with this ID, if provisioned.
	pub fn get(&self, id: ServerId) -> Option<&ProvisionedServer> {
		self.servers.get(&id)
	}

	/// How many servers are provisioned.
	pub fn len(&self) -> usize {
		self.servers.len()
	}

	/// Whether no server is provisioned.
	pub fn is_empty(&self) -> bool {
		self.servers.is_empty()
	}

	/// The provisioned server IDs, ascending.
	pub fn ids(&self) -> impl Iterator<Item = ServerId> + '_ {
		self.servers.keys().copied()
	}
}

/// What `rotate-key` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
	/// The retired key.
	pub old: SatelliteKey,
	/// The key now in use.
	pub new: SatelliteKey,
	/// Where the retired secret was moved.
	pub archived_to: PathBuf,
}

/// The emulator's state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
	root: PathBuf,
}

impl StateDir {
	/// The state directory at `root` (created on first provisioning).
	pub fn new(root: impl Into<PathBuf>) -> Self {
		Self { root: root.into() }
	}

	/// The directory itself.
	pub fn path(&self) -> &Path {
		&self.root
	}

	/// Where the signing record lives.
	pub fn signing_db_path(&self) -> PathBuf {
		self.root.join(SIGNING_DB_FILE)
	}

	fn server_dir(&self, id: ServerId) -> PathBuf {
		self.root.join(SERVERS_DIR).join(id.to_string())
	}

	/// Makes a new satellite key for server `id` from OS randomness and records `server_key`.
	///
	/// Refused if `id` is already provisioned.
	pub fn provision(
		&self,
		id: ServerId,
		server_key: &ServerKey,
	) -> Result<SatelliteKey, ProvisioningError> {
		let servers = self.root.join(SERVERS_DIR);
		create_private_dir_all(&servers)?;
		let target = self.server_dir(id);
		if target.exists() {
			return Err(ProvisioningError::AlreadyProvisioned(id));
		}
		// Build the whole directory aside, then rename it into place in one step.
		let staging = servers.join(format!(".{id}.staging-{}", std::process::id()));
		if staging.exists() {
			fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
		}
		create_private_dir(&staging)?;
		let pair = generate_satellite_pair();
		write_secret(&staging.join(SATELLITE_KEY_FILE), &pair)?;
		write_file_durably(
			&staging.join(SERVER_KEY_FILE),
			format!("{server_key}\n").as_bytes(),
			0o644,
		)?;
		sync_dir(&staging)?;
		match fs::rename(&staging, &target) {
			Ok(()) => {},
			Err(e) if target.exists() => {
				let _ = fs::remove_dir_all(&staging);
				tracing::debug!(target: "satellite::provisioning", error = %e, "lost a provisioning race");
				return Err(ProvisioningError::AlreadyProvisioned(id));
			},
			Err(e) => return Err(io_error(&target)(e)),
		}
		sync_dir(&servers)?;
		Ok(pair.public())
	}

	/// Records a new server key for an already provisioned server; the satellite key and
	/// the signing record stay as they are.
	///
	/// With `keep_previous_until`, the key being replaced stays valid for sequences up to and
	/// including that bound (replacing any older previous key); without it, only the new key is
	/// kept. Giving the key already recorded changes nothing, so running the same command twice
	/// cannot turn the new key into the "previous" one and lose the old.
	pub fn reprovision(
		&self,
		id: ServerId,
		server_key: &ServerKey,
		keep_previous_until: Option<u64>,
	) -> Result<SatelliteKey, ProvisioningError> {
		let dir = self.existing_server_dir(id)?;
		let satellite = read_secret(&dir.join(SATELLITE_KEY_FILE))?.public();
		let current_path = dir.join(SERVER_KEY_FILE);
		// Without the flag a damaged `server.pub` is simply replaced, as before.
		let current = read_server_key(&current_path);
		if current.as_ref().is_ok_and(|current| current == server_key) {
			return Ok(satellite);
		}
		// The previous key first: a crash before the new key is written leaves the current key
		// recorded twice, which accepts exactly what it accepted before.
		let previous_path = dir.join(PREVIOUS_SERVER_KEY_FILE);
		match keep_previous_until {
			Some(until_sequence) => {
				let previous = PreviousServerKey { key: current?, until_sequence };
				write_file_durably(&previous_path, format!("{previous}\n").as_bytes(), 0o644)?;
			},
			None => match fs::remove_file(&previous_path) {
				Ok(()) => sync_dir(&dir)?,
				Err(e) if e.kind() == io::ErrorKind::NotFound => {},
				Err(e) => return Err(io_error(&previous_path)(e)),
			},
		}
		write_file_durably(&current_path, format!("{server_key}\n").as_bytes(), 0o644)?;
		Ok(satellite)
	}

	/// Replaces server `id`'s satellite key with a fresh one; the old secret is kept under
	/// `archive/`. The signing record is kept: sequences already signed stay signed.
	pub fn rotate_key(&self, id: ServerId) -> Result<Rotation, ProvisioningError> {
		let dir = self.existing_server_dir(id)?;
		let key_path = dir.join(SATELLITE_KEY_FILE);
		let old = read_secret(&key_path)?;
		let archive = dir.join(ARCHIVE_DIR);
		create_private_dir_all(&archive)?;
		let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
		let archived_to = archive.join(format!("satellite-{millis}.key"));
		// Archive first: if we crash after this, the live key is still the old one.
		write_secret(&archived_to, &old)?;
		sync_dir(&archive)?;
		let new = generate_satellite_pair();
		write_secret(&key_path, &new)?;
		Ok(Rotation { old: old.public(), new: new.public(), archived_to })
	}

	/// Loads every provisioned server.
	pub fn load_keyring(&self) -> Result<Keyring, ProvisioningError> {
		let servers_dir = self.root.join(SERVERS_DIR);
		let mut servers = BTreeMap::new();
		let entries = match fs::read_dir(&servers_dir) {
			Ok(entries) => entries,
			Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Keyring::default()),
			Err(e) => return Err(io_error(&servers_dir)(e)),
		};
		for entry in entries {
			let entry = entry.map_err(io_error(&servers_dir))?;
			let name = entry.file_name();
			// Staging directories of an interrupted `provision` start with a dot.
			let Some(id) = name.to_str().and_then(|n| n.parse::<ServerId>().ok()) else {
				continue;
			};
			let dir = entry.path();
			let server_key = read_server_key(&dir.join(SERVER_KEY_FILE))?;
			// Absent in state directories written before it existed, and when none was kept.
			let previous_key = read_previous_server_key(&dir.join(PREVIOUS_SERVER_KEY_FILE))?;
			let satellite = read_secret(&dir.join(SATELLITE_KEY_FILE))?;
			servers.insert(id, ProvisionedServer { server_key, previous_key, satellite });
		}
		Ok(Keyring { servers })
	}

	fn existing_server_dir(&self, id: ServerId) -> Result<PathBuf, ProvisioningError> {
		let dir = self.server_dir(id);
		if dir.join(SATELLITE_KEY_FILE).exists() {
			Ok(dir)
		} else {
			Err(ProvisioningError::NotProvisioned(id))
		}
	}
}

fn read_server_key(path: &Path) -> Result<ServerKey, ProvisioningError> {
	let text = fs::read_to_string(path).map_err(io_error(path))?;
	text.parse::<ServerKey>()
		.map_err(|source| ProvisioningError::BadServerKeyFile { path: path.to_owned(), source })
}

fn read_previous_server_key(path: &Path) -> Result<Option<PreviousServerKey>, ProvisioningError> {
	let text = match fs::read_to_string(path) {
		Ok(text) => text,
		Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
		Err(e) => return Err(io_error(path)(e)),
	};
	parse_previous_server_key(&text)
		.map(Some)
		.ok_or_else(|| ProvisioningError::BadPreviousServerKeyFile(path.to_owned()))
}

fn generate_satellite_pair() -> ed25519::Pair {
	let mut seed = [0u8; 32];
	rand::rngs::OsRng.fill_bytes(&mut seed);
	let pair = ed25519::Pair::from_seed(&seed);
	seed.fill(0);
	pair
}

fn write_secret(path: &Path, pair: &ed25519::Pair) -> Result<(), ProvisioningError> {
	let mut text = hex::encode(pair.seed());
	text.push('\n');
	let result = write_file_durably(path, text.as_bytes(), 0o600);
	// Best effort: do not leave the seed's text in freed memory.
	let mut bytes = text.into_bytes();
	bytes.fill(0);
	result
}

fn read_secret(path: &Path) -> Result<ed25519::Pair, ProvisioningError> {
	let metadata = fs::metadata(path).map_err(io_error(path))?;
	let mode = metadata.permissions().mode() & 0o777;
	if mode & 0o077 != 0 {
		return Err(ProvisioningError::KeyFileExposed { path: path.to_owned(), mode });
	}
	let text = fs::read_to_string(path).map_err(io_error(path))?;
	let seed: [u8; 32] = hex::decode(text.trim())
		.ok()
		.and_then(|bytes| bytes.try_into().ok())
		.ok_or_else(|| ProvisioningError::BadSatelliteKeyFile(path.to_owned()))?;
	Ok(ed25519::Pair::from_seed(&seed))
}

/// Writes `contents` to a temporary sibling with `mode`, syncs it, renames it over `path`
/// and syncs the directory: after this returns, a crash leaves either the old file or the new
/// one, never a torn one.
fn write_file_durably(path: &Path, contents: &[u8], mode: u32) -> Result<(), ProvisioningError> {
	let dir = path.parent().unwrap_or(Path::new("."));
	let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
	let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
	let _ = fs::remove_file(&tmp);
	{
		let mut file: File = OpenOptions::new()
			.write(true)
			.create_new(true)
			.mode(mode)
			.open(&tmp)
			.map_err(io_error(&tmp))?;
		file.write_all(contents).map_err(io_error(&tmp))?;
		file.sync_all().map_err(io_error(&tmp))?;
	}
	fs::rename(&tmp, path).map_err(io_error(path))?;
	sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), ProvisioningError> {
	File::open(dir).and_then(|d| d.sync_all()).map_err(io_error(dir))
}

fn create_private_dir(path: &Path) -> Result<(), ProvisioningError> {
	fs::DirBuilder::new().mode(0o700).create(path).map_err(io_error(path))
}

fn create_private_dir_all(path: &Path) -> Result<(), ProvisioningError> {
	fs::DirBuilder::new().mode(0o700).recursive(true).create(path).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::sr25519;

	fn server_key(seed: u8) -> ServerKey {
		sr25519::Pair::from_seed(&[seed; 32]).public().into()
	}

	#[test]
	fn provision_stores_a_private_key_and_refuses_a_second_time() {
		let tmp = tempfile::tempdir().unwrap();
		let state = StateDir::new(tmp.path());
		let public = state.provision(7, &server_key(1)).unwrap();
		let key_file = tmp.path().join("servers/7/satellite.key");
		let mode = fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
		assert_eq!(mode, 0o600);
		// The stored seed is the one behind the printed public key.
		let keyring = state.load_keyring().unwrap();
		assert_eq!(keyring.get(7).unwrap().satellite_key(), public);
		assert_eq!(keyring.get(7).unwrap().server_key, server_key(1));
		assert!(matches!(
			state.provision(7, &server_key(2)),
			Err(ProvisioningError::AlreadyProvisioned(7))
		));
		// Another server gets another key.
		assert_ne!(state.provision(8, &server_key(1)).unwrap(), public);
		assert_eq!(state.load_keyring().unwrap().ids().collect::<Vec<_>>(), vec![7, 8]);
	}

	#[test]
	fn reprovision_keeps_the_satellite_key_and_rotate_archives_it() {
		let tmp = tempfile::tempdir().unwrap();
		let state = StateDir::new(tmp.path());
		assert!(matches!(
			state.reprovision(1, &server_key(1), None),
			Err(ProvisioningError::NotProvisioned(1))
		));
		let first = state.provision(1, &server_key(1)).unwrap();
		assert_eq!(state.reprovision(1, &server_key(2), None).unwrap(), first);
		assert_eq!(state.load_keyring().unwrap().get(1).unwrap().server_key, server_key(2));

		let rotation = state.rotate_key(1).unwrap();
		assert_eq!(rotation.old, first);
		assert_ne!(rotation.new, first);
		assert_eq!(read_secret(&rotation.archived_to).unwrap().public(), first);
		assert_eq!(state.load_keyring().unwrap().get(1).unwrap().satellite_key(), rotation.new);
	}

	/// Regression: `reprovision` kept one server key, so rotating it stranded every batch the
	/// server had signed with the old key and not yet had countersigned.
	#[test]
	fn reprovision_keeps_the_replaced_key_only_when_asked() {
		struct Case {
			name: &'static str,
			/// `reprovision` runs after `provision` with key 1: (new key seed, bound).
			runs: &'static [(u8, Option<u64>)],
			/// The server key then in use.
			current: u8,
			/// The previous key kept: (seed, bound).
			previous: Option<(u8, u64)>,
		}
		let cases = [
			Case { name: "without the flag", runs: &[(2, None)], current: 2, previous: None },
			Case {
				name: "with the flag",
				runs: &[(2, Some(5))],
				current: 2,
				previous: Some((1, 5)),
			},
			Case {
				name: "bound 0: the server never submitted",
				runs: &[(2, Some(0))],
				current: 2,
				previous: Some((1, 0)),
			},
			Case {
				name: "a second rotation replaces the previous key",
				runs: &[(2, Some(5)), (3, Some(9))],
				current: 3,
				previous: Some((2, 9)),
			},
			Case {
				name: "the same command twice keeps the old key",
				runs: &[(2, Some(5)), (2, Some(5))],
				current: 2,
				previous: Some((1, 5)),
			},
			Case {
				name: "a later rotation without the flag drops it",
				runs: &[(2, Some(5)), (3, None)],
				current: 3,
				previous: None,
			},
			Case {
				name: "the key already in use changes nothing",
				runs: &[(1, Some(5))],
				current: 1,
				previous: None,
			},
		];
		for case in cases {
			let tmp = tempfile::tempdir().unwrap();
			let state = StateDir::new(tmp.path());
			let satellite = state.provision(1, &server_key(1)).unwrap();
			for &(seed, until) in case.runs {
				assert_eq!(state.reprovision(1, &server_key(seed), until).unwrap(), satellite);
			}
			let keyring = state.load_keyring().unwrap();
			let server = keyring.get(1).unwrap();
			assert_eq!(server.server_key, server_key(case.current), "case {:?}", case.name);
			let expected = case.previous.map(|(seed, until)| PreviousServerKey {
				key: server_key(seed),
				until_sequence: until,
			});
			assert_eq!(server.previous_key, expected, "case {:?}", case.name);
			let file = tmp.path().join("servers/1/previous-server.pub");
			match &expected {
				Some(previous) => assert_eq!(
					fs::read_to_string(&file).unwrap(),
					format!("{} until {}\n", previous.key, previous.until_sequence),
					"case {:?}",
					case.name
				),
				None => assert!(!file.exists(), "case {:?}", case.name),
			}
		}
	}

	#[test]
	fn a_damaged_previous_key_file_is_refused() {
		let tmp = tempfile::tempdir().unwrap();
		let state = StateDir::new(tmp.path());
		state.provision(1, &server_key(1)).unwrap();
		let file = tmp.path().join("servers/1/previous-server.pub");
		let key = server_key(2).to_string();
		for text in [
			String::new(),
			key.clone(),
			format!("{key} until"),
			format!("{key} until -1"),
			format!("{key} until 5 6"),
			format!("{key} upto 5"),
			"sr25519:0x1234 until 5".to_owned(),
		] {
			fs::write(&file, &text).unwrap();
			assert!(
				matches!(
					state.load_keyring(),
					Err(ProvisioningError::BadPreviousServerKeyFile(ref path)) if *path == file
				),
				"{text:?}"
			);
		}
		fs::write(&file, format!("{key} until 5\n")).unwrap();
		let keyring = state.load_keyring().unwrap();
		assert_eq!(
			keyring.get(1).unwrap().previous_key,
			Some(PreviousServerKey { key: server_key(2), until_sequence: 5 })
		);
	}

	#[test]
	fn exposed_key_files_are_refused() {
		let tmp = tempfile::tempdir().unwrap();
		let state = StateDir::new(tmp.path());
		state.provision(1, &server_key(1)).unwrap();
		let key_file = tmp.path().join("servers/1/satellite.key");
		fs::set_permissions(&key_file, fs::Permissions::from_mode(0o644)).unwrap();
		assert!(matches!(
			state.load_keyring(),
			Err(ProvisioningError::KeyFileExposed { mode: 0o644, .. })
		));
	}
}
