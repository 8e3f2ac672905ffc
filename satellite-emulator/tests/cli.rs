//! The binary as an operator uses it: provisioning commands, `run` + `status`, `passes`, and
//! exit codes.

use std::{
	io::{BufRead, BufReader},
	process::{Child, Command, Output, Stdio},
	time::Duration,
};

const BIN: &str = env!("CARGO_BIN_EXE_satellite-emulator");
const GENESIS: &str = "0x6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e";
const SERVER_KEY: &str =
	"sr25519:0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
const OTHER_KEY: &str =
	"ed25519:0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee";

fn emulator(args: &[&str]) -> Output {
	Command::new(BIN).args(args).env("RUST_LOG", "warn").output().unwrap()
}

fn stdout(output: &Output) -> String {
	String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
	String::from_utf8(output.stderr.clone()).unwrap()
}

fn is_public_key(line: &str) -> bool {
	line.len() == 66 && line.starts_with("0x") && line[2..].chars().all(|c| c.is_ascii_hexdigit())
}

#[test]
fn provisioning_commands_print_keys_and_refuse_what_is_not_explicit() {
	let dir = tempfile::tempdir().unwrap();
	let state = dir.path().to_str().unwrap();
	let provision = |id: &str, key: &str| {
		emulator(&["provision", "--state-dir", state, "--server-id", id, "--server-key", key])
	};
	let first = provision("1", SERVER_KEY);
	assert!(first.status.success(), "{}", stderr(&first));
	let key = stdout(&first).trim().to_owned();
	assert!(is_public_key(&key), "{key:?}");
	// The secret stays in the state directory and is not what was printed.
	let secret = std::fs::read_to_string(dir.path().join("servers/1/satellite.key")).unwrap();
	assert!(!stdout(&first).contains(secret.trim()));

	let again = provision("1", OTHER_KEY);
	assert_eq!(again.status.code(), Some(2));
	assert!(stderr(&again).contains("already provisioned"), "{}", stderr(&again));

	let reprovision = emulator(&[
		"reprovision",
		"--state-dir",
		state,
		"--server-id",
		"1",
		"--server-key",
		OTHER_KEY,
	]);
	assert!(reprovision.status.success(), "{}", stderr(&reprovision));
	assert_eq!(stdout(&reprovision).trim(), key, "reprovision keeps the satellite key");

	// Back to the first key, keeping the replaced one for the batches it signed up to 4.
	let reprovision_keeping = |until: &str| {
		emulator(&[
			"reprovision",
			"--state-dir",
			state,
			"--server-id",
			"1",
			"--server-key",
			SERVER_KEY,
			"--previous-key-until",
			until,
		])
	};
	let not_a_sequence = reprovision_keeping("-1");
	assert_eq!(not_a_sequence.status.code(), Some(2), "{}", stderr(&not_a_sequence));
	let keeping = reprovision_keeping("4");
	assert!(keeping.status.success(), "{}", stderr(&keeping));
	assert_eq!(stdout(&keeping).trim(), key);
	let previous =
		std::fs::read_to_string(dir.path().join("servers/1/previous-server.pub")).unwrap();
	assert!(previous.ends_with(" until 4\n"), "{previous:?}");

	let rotate = emulator(&["rotate-key", "--state-dir", state, "--server-id", "1"]);
	assert!(rotate.status.success(), "{}", stderr(&rotate));
	let rotated = stdout(&rotate).trim().to_owned();
	assert!(is_public_key(&rotated) && rotated != key);
	assert_eq!(std::fs::read_dir(dir.path().join("servers/1/archive")).unwrap().count(), 1);

	let missing = emulator(&["rotate-key", "--state-dir", state, "--server-id", "5"]);
	assert_eq!(missing.status.code(), Some(2));
	let bad_key = provision("2", "sr25519:0x1234");
	assert_eq!(bad_key.status.code(), Some(2));
	assert!(stderr(&bad_key).contains("32 bytes"), "{}", stderr(&bad_key));
}

#[test]
fn bad_run_flags_fail_before_anything_starts() {
	let dir = tempfile::tempdir().unwrap();
	let state = dir.path().to_str().unwrap();
	let base = ["run", "--listen", "127.0.0.1:0", "--state-dir", state, "--genesis-hash", GENESIS];
	for (extra, message) in [
		(&["--loss", "2"][..], "--loss must be within 0 and 1"),
		(&["--bandwidth", "0"][..], "--bandwidth must be above 0"),
		(
			&["--pass-period", "60", "--pass-duration", "10", "--tle", "x", "--station", "1,2,3"][..],
			"not both",
		),
	] {
		let output = emulator(&[&base[..], extra].concat());
		assert_eq!(output.status.code(), Some(2), "{extra:?}");
		assert!(stderr(&output).contains(message), "{extra:?}: {}", stderr(&output));
	}
	// Nothing was created: the flags were refused before the state directory was touched.
	assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

struct Running(Child);

impl Drop for Running {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

#[test]
fn run_serves_status_and_stops_on_sigterm() {
	let dir = tempfile::tempdir().unwrap();
	let state = dir.path().to_str().unwrap();
	let provision = emulator(&[
		"provision",
		"--state-dir",
		state,
		"--server-id",
		"1",
		"--server-key",
		SERVER_KEY,
	]);
	assert!(provision.status.success());
	let mut child = Running(
		Command::new(BIN)
			.args([
				"run",
				"--listen",
				"127.0.0.1:0",
				"--state-dir",
				state,
				"--genesis-hash",
				GENESIS,
			])
			.args(["--profile", "sband", "--loss", "0", "--corruption", "0", "--seed", "1"])
			.env("RUST_LOG", "warn")
			.stdout(Stdio::piped())
			.spawn()
			.unwrap(),
	);
	let mut line = String::new();
	BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
	let addr = line.trim().strip_prefix("listening on ").expect(&line).to_owned();

	let status = emulator(&["status", "--connect", &addr]);
	assert!(status.status.success(), "{}", stderr(&status));
	let text = stdout(&status);
	assert!(text.contains("signed: 0\n"), "{text}");
	assert!(text.contains("in_pass: true\n"), "{text}");
	assert!(text.contains("pass_change_in_ms: never\n"), "{text}");
	// The status exchange itself went over the link.
	assert!(!text.contains("bytes_up: 0\n"), "{text}");

	let pid = child.0.id().to_string();
	assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
	let deadline = std::time::Instant::now() + Duration::from_secs(10);
	loop {
		if let Some(exit) = child.0.try_wait().unwrap() {
			assert!(exit.success(), "{exit:?}");
			break;
		}
		assert!(std::time::Instant::now() < deadline, "did not stop on SIGTERM");
		std::thread::sleep(Duration::from_millis(50));
	}
}

#[test]
fn passes_prints_the_predicted_windows() {
	let tle = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iss_2018-07-03.tle");
	let output = emulator(&[
		"passes",
		"--tle",
		tle,
		"--station",
		"51.5,-0.1,20",
		"--from",
		"2018-07-03T12:00:00Z",
		"--hours",
		"24",
	]);
	assert!(output.status.success(), "{}", stderr(&output));
	let text = stdout(&output);
	let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("2018-07-0")).collect();
	assert!(!rows.is_empty(), "{text}");
	// Each row: start < end, both in the window, a positive elevation above the mask.
	for row in rows {
		let fields: Vec<&str> = row.split_whitespace().collect();
		assert!(fields[0] < fields[1], "{row}");
		let elevation: f64 = fields[3].trim_end_matches('°').parse().unwrap();
		assert!((10.0..=90.0).contains(&elevation), "{row}");
	}
	let bad = emulator(&["passes", "--tle", tle, "--station", "91,0,0"]);
	assert_eq!(bad.status.code(), Some(2));
}

/// The constellation data: every TLE under `data/tle` and every station in `data/stations.txt`.
fn constellation_flags() -> Vec<String> {
	let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
	let mut flags = Vec::new();
	for name in ["qb50p1_2015-03-02.tle", "aist-2_2015-03-02.tle", "flock-1b-27_2015-03-02.tle"] {
		flags.extend(["--tle".to_owned(), format!("{data}/tle/{name}")]);
	}
	let stations = std::fs::read_to_string(format!("{data}/stations.txt")).unwrap();
	for line in stations.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()) {
		// The southernmost starts with a minus sign, given as it is after the flag.
		flags.extend(["--station".to_owned(), line.split_whitespace().next().unwrap().to_owned()]);
	}
	flags
}

#[test]
fn passes_of_several_satellites_and_stations_merge_into_contact_windows() {
	let mut args = vec!["passes".to_owned()];
	args.extend(constellation_flags());
	args.extend(["--from", "2015-03-02T11:42:31Z", "--hours", "24"].map(str::to_owned));
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let output = emulator(&args);
	assert!(output.status.success(), "{}", stderr(&output));
	let text = stdout(&output);

	// One section per pair, each labelled by satellite name and station.
	let headers: Vec<&str> =
		text.lines().filter(|l| l.starts_with("# ") && l.contains(" over ")).collect();
	assert_eq!(headers.len(), 9, "{text}");
	for satellite in ["# QB50P1 over ", "# AIST-2 over ", "# FLOCK-1B 27 over "] {
		assert_eq!(headers.iter().filter(|h| h.starts_with(satellite)).count(), 3, "{text}");
	}
	for station in ["over 78.23,15.4,450 ", "over 48.08,11.28,600 ", "over -3,40.19,10 "] {
		assert_eq!(headers.iter().filter(|h| h.contains(station)).count(), 3, "{text}");
	}

	// RFC 3339 times of one form compare as text.
	let passes: Vec<(&str, &str)> = text
		.lines()
		.filter(|l| l.starts_with("2015-03-0"))
		.map(|l| {
			let fields: Vec<&str> = l.split_whitespace().collect();
			(fields[0], fields[1])
		})
		.collect();
	let contacts: Vec<(&str, &str)> = text
		.lines()
		.filter(|l| l.starts_with("contact  2015"))
		.map(|l| {
			let fields: Vec<&str> = l.split_whitespace().collect();
			(fields[1], fields[2])
		})
		.collect();
	assert!(passes.len() > 9 && !contacts.is_empty(), "{text}");
	// Merged: fewer windows than passes, disjoint and in order, and every pass inside one.
	assert!(contacts.len() < passes.len(), "{text}");
	for pair in contacts.windows(2) {
		assert!(pair[0].1 < pair[1].0, "{pair:?} overlap or are out of order");
	}
	for (start, end) in &passes {
		assert!(
			contacts.iter().any(|(from, to)| from <= start && end <= to),
			"pass {start} to {end} is in no contact window"
		);
	}
	let gap = text.lines().find(|l| l.starts_with("longest gap: ")).expect("a longest gap line");
	assert!(!gap.contains("cut by the search window"), "{gap}");
}

#[test]
fn passes_names_the_tle_file_it_cannot_use() {
	let dir = tempfile::tempdir().unwrap();
	let bad = dir.path().join("bad-checksum.tle");
	let good = concat!(env!("CARGO_MANIFEST_DIR"), "/data/tle/qb50p1_2015-03-02.tle");
	let text = std::fs::read_to_string(good).unwrap();
	// The last digit of line 1 is its checksum.
	std::fs::write(&bad, text.replacen("0  9992", "0  9993", 1)).unwrap();
	let output = emulator(&[
		"passes",
		"--tle",
		good,
		"--tle",
		bad.to_str().unwrap(),
		"--station",
		"48,11,0",
	]);
	assert_eq!(output.status.code(), Some(1));
	assert!(stderr(&output).contains("bad-checksum.tle"), "{}", stderr(&output));
	// No station at all is a usage error.
	assert_eq!(emulator(&["passes", "--tle", good]).status.code(), Some(2));
}
