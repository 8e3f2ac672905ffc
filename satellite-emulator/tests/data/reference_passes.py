#!/usr/bin/env python3
"""Reference passes of the ISS over ESOC Darmstadt, computed with Skyfield.

This is how `reference_passes.json` beside it was made; the Rust test
`tests/orbit.rs` compares `orbit::predict_passes` and `orbit::look_angles`
with that JSON and never runs this script.

    pip install skyfield==1.55          # brings its own SGP4 (the `sgp4` package)
    python3 satellite-emulator/tests/data/reference_passes.py \
        > satellite-emulator/tests/data/reference_passes.json

The TLE (`iss_2018-07-03.tle`) is a real ISS element set, copied from
Skyfield 1.55's own test suite (`skyfield/tests/test_earth_satellites.py`),
epoch 2018-07-03 19:25:57 UTC (day 184.80969102 of 2018).

Nothing here downloads anything: the timescale is Skyfield's built-in one,
and `EarthSatellite.find_events` needs no planetary ephemeris.
"""

import json
import pathlib

from skyfield import __version__ as skyfield_version
from skyfield.api import EarthSatellite, load, wgs84
from sgp4 import __version__ as sgp4_version

HERE = pathlib.Path(__file__).resolve().parent
TLE_FILE = HERE / "iss_2018-07-03.tle"

# ESOC, Darmstadt (geodetic WGS-84, metres above the ellipsoid).
STATION = {"name": "ESOC Darmstadt", "latitude_deg": 49.8728, "longitude_deg": 8.6512, "altitude_m": 144.0}
MIN_ELEVATION_DEG = 10.0
WINDOW_HOURS = 24.0
# Look angles are also sampled at these offsets from the epoch (minutes), plus at every culmination.
LOOK_ANGLE_OFFSETS_MIN = [0, 90, 180, 360, 540, 720, 900, 1080, 1260, 1440]


def iso(t):
    """UTC time as ISO 8601 with milliseconds and a Z suffix."""
    return t.utc_strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def main():
    lines = [line.rstrip() for line in TLE_FILE.read_text().splitlines() if line.strip()]
    name, line1, line2 = lines
    ts = load.timescale(builtin=True)
    satellite = EarthSatellite(line1, line2, name, ts)
    station = wgs84.latlon(STATION["latitude_deg"], STATION["longitude_deg"], elevation_m=STATION["altitude_m"])
    topocentric = satellite - station

    t0 = satellite.epoch
    t1 = ts.tt_jd(t0.tt + WINDOW_HOURS / 24.0)

    def elevation(t):
        return topocentric.at(t).altaz()[0].degrees

    times, events = satellite.find_events(station, t0, t1, altitude_degrees=MIN_ELEVATION_DEG)

    # Events come as rise (0), culmination (1), set (2). A pass cut by the window's
    # edges starts at t0 or ends at t1, the same convention as `predict_passes`.
    passes = []
    current = None
    if elevation(t0) >= MIN_ELEVATION_DEG:
        current = {"start": t0, "truncated_start": True, "culminations": []}
    for t, event in zip(times, events):
        if event == 0:
            current = {"start": t, "truncated_start": False, "culminations": []}
        elif event == 1:
            current["culminations"].append(t)
        else:
            current["end"] = t
            current["truncated_end"] = False
            passes.append(current)
            current = None
    if current is not None:
        current["end"] = t1
        current["truncated_end"] = True
        passes.append(current)

    reference_passes = []
    culmination_times = []
    for p in passes:
        peak = max(p["culminations"], key=elevation)
        culmination_times.append(peak)
        reference_passes.append({
            "start": iso(p["start"]),
            "end": iso(p["end"]),
            "max_elevation_deg": round(float(elevation(peak)), 4),
            "max_elevation_at": iso(peak),
            "truncated_start": p["truncated_start"],
            "truncated_end": p["truncated_end"],
        })

    sample_times = [ts.tt_jd(t0.tt + minutes / 1440.0) for minutes in LOOK_ANGLE_OFFSETS_MIN]
    look_angles = []
    for t in sorted(sample_times + culmination_times, key=lambda t: t.tt):
        alt, az, distance = topocentric.at(t).altaz()
        look_angles.append({
            "at": iso(t),
            "azimuth_deg": round(float(az.degrees), 4),
            "elevation_deg": round(float(alt.degrees), 4),
            "range_km": round(float(distance.km), 3),
        })

    print(json.dumps({
        "reference": f"Skyfield {skyfield_version} (sgp4 {sgp4_version}), EarthSatellite.find_events and altaz",
        "command": "python3 satellite-emulator/tests/data/reference_passes.py",
        "tle_source": "Skyfield 1.55 test suite, skyfield/tests/test_earth_satellites.py",
        "tle_epoch": iso(t0),
        "tle": [name, line1, line2],
        "station": STATION,
        "min_elevation_deg": MIN_ELEVATION_DEG,
        "from": iso(t0),
        "hours": WINDOW_HOURS,
        "passes": reference_passes,
        "look_angles": look_angles,
    }, indent=1))


if __name__ == "__main__":
    main()
