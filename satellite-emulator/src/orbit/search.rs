//! Finding the intervals where a sampled function stays at or above a threshold.
//!
//! The pass search works on plain seconds from the window start and any elevation
//! function, so that the search itself is tested on functions whose answers are known
//! exactly, apart from SGP4 and the frames.
//!
//! Method: sample every [`COARSE_STEP_S`]; refine every sampled local maximum by golden
//! section search (so a pass that peaks above the threshold between two samples, all of
//! them below it, is still found); then bisect every threshold crossing between
//! neighbouring points. An orbit's elevation curve rises and falls once per pass over
//! many minutes, far wider than the step, which is what makes sampled maxima reliable.

/// Coarse sampling step, seconds. A LEO pass lasts minutes and the elevation bump around
/// it (horizon to horizon, below the mask too) lasts tens of minutes.
pub(super) const COARSE_STEP_S: f64 = 30.0;
/// Bisection stops when a crossing is bracketed this tightly, seconds.
const CROSSING_TOLERANCE_S: f64 = 0.01;
/// Golden section search stops when a maximum is bracketed this tightly, seconds. The
/// elevation curve is flat at its top, so this is far more precise in degrees than in time.
const PEAK_TOLERANCE_S: f64 = 0.05;

/// One interval at or above the threshold, in seconds from the window start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Interval {
	/// First instant at or above the threshold (0 if the window starts inside it).
	pub start_s: f64,
	/// Last instant at or above the threshold (the window length if it ends inside it).
	pub end_s: f64,
	/// Where the function is highest within the interval.
	pub peak_s: f64,
	/// The function's value there.
	pub peak: f64,
}

/// Every interval of `[0, span_s]` where `f >= threshold`, in time order.
///
/// Errors from `f` (a failed propagation) end the search and are returned as they are.
pub(super) fn intervals_above<E>(
	span_s: f64,
	threshold: f64,
	mut f: impl FnMut(f64) -> Result<f64, E>,
) -> Result<Vec<Interval>, E> {
	if span_s.is_nan() || span_s <= 0.0 {
		return Ok(Vec::new());
	}
	// The last step is shortened so that the window's end is sampled exactly.
	let steps = (span_s / COARSE_STEP_S).ceil().max(1.0) as usize;
	let mut points = Vec::with_capacity(steps + 1 + steps / 100);
	for i in 0..=steps {
		let t = (i as f64 * COARSE_STEP_S).min(span_s);
		points.push((t, f(t)?));
	}

	let mut peaks = Vec::new();
	for window in points.windows(3) {
		let [(before, v0), (_, v1), (after, v2)] = [window[0], window[1], window[2]];
		if v0 < v1 && v1 >= v2 {
			peaks.push(golden_section_max(before, after, &mut f)?);
		}
	}
	points.extend(peaks);
	points.sort_by(|a, b| a.0.total_cmp(&b.0));

	let mut intervals = Vec::new();
	let mut open: Option<f64> = (points[0].1 >= threshold).then_some(0.0);
	for pair in points.windows(2) {
		let [(t0, v0), (t1, v1)] = [pair[0], pair[1]];
		let (above0, above1) = (v0 >= threshold, v1 >= threshold);
		if above0 == above1 {
			continue;
		}
		let crossing = bisect_crossing(t0, t1, above0, threshold, &mut f)?;
		match open.take() {
			None => open = Some(crossing),
			Some(start_s) => intervals.push(close_interval(start_s, crossing, &points)),
		}
	}
	if let Some(start_s) = open {
		intervals.push(close_interval(start_s, span_s, &points));
	}
	Ok(intervals)
}

/// Builds the interval `[start_s, end_s]`, its peak being the highest known point in it.
/// Every interval holds at least one point at or above the threshold (the crossings were
/// found between points on either side of it), so the peak is always one of them.
fn close_interval(start_s: f64, end_s: f64, points: &[(f64, f64)]) -> Interval {
	let (peak_s, peak) = points
		.iter()
		.filter(|(t, _)| *t >= start_s && *t <= end_s)
		.copied()
		.max_by(|a, b| a.1.total_cmp(&b.1))
		.unwrap_or((start_s, f64::NAN));
	Interval { start_s, end_s, peak_s, peak }
}

/// The crossing between `t0` and `t1` (one on each side of the threshold), returned as
/// the bracket end that lies at or above it, so the interval's ends are inside it.
fn bisect_crossing<E>(
	mut t0: f64,
	mut t1: f64,
	above0: bool,
	threshold: f64,
	f: &mut impl FnMut(f64) -> Result<f64, E>,
) -> Result<f64, E> {
	while t1 - t0 > CROSSING_TOLERANCE_S {
		let mid = 0.5 * (t0 + t1);
		if (f(mid)? >= threshold) == above0 {
			t0 = mid;
		} else {
			t1 = mid;
		}
	}
	Ok(if above0 { t0 } else { t1 })
}

/// The maximum of a function unimodal on `[a, b]`, as `(time, value)`.
fn golden_section_max<E>(
	mut a: f64,
	mut b: f64,
	f: &mut impl FnMut(f64) -> Result<f64, E>,
) -> Result<(f64, f64), E> {
	// 1/φ: each step keeps this fraction of the bracket and reuses one inner point.
	let inv_phi = (5f64.sqrt() - 1.0) / 2.0;
	let mut c = b - inv_phi * (b - a);
	let mut d = a + inv_phi * (b - a);
	let (mut fc, mut fd) = (f(c)?, f(d)?);
	while b - a > PEAK_TOLERANCE_S {
		if fc >= fd {
			b = d;
			(d, fd) = (c, fc);
			c = b - inv_phi * (b - a);
			fc = f(c)?;
		} else {
			a = c;
			(c, fc) = (d, fd);
			d = a + inv_phi * (b - a);
			fd = f(d)?;
		}
	}
	let t = 0.5 * (a + b);
	Ok((t, f(t)?))
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::convert::Infallible;

	/// A smooth bump of height `peak` centred on `centre`, about `width` seconds wide at half height.
	fn bump(t: f64, centre: f64, width: f64, peak: f64) -> f64 {
		let x = (t - centre) / width;
		peak / (1.0 + 4.0 * x * x) - 10.0
	}

	fn search(span: f64, threshold: f64, f: impl Fn(f64) -> f64) -> Vec<Interval> {
		let result: Result<_, Infallible> = intervals_above(span, threshold, |t| Ok(f(t)));
		match result {
			Ok(intervals) => intervals,
			Err(never) => match never {},
		}
	}

	#[test]
	fn finds_both_crossings_and_the_peak() {
		// bump = 0 where 4x² + 1 = 60/10, so x = ±sqrt(5)/2: crossings at 1000 ± 111.8 s.
		let found = search(3000.0, 0.0, |t| bump(t, 1000.0, 100.0, 60.0));
		assert_eq!(found.len(), 1);
		let half = 100.0 * 5f64.sqrt() / 2.0;
		assert!((found[0].start_s - (1000.0 - half)).abs() < 0.02, "{found:?}");
		assert!((found[0].end_s - (1000.0 + half)).abs() < 0.02, "{found:?}");
		assert!((found[0].peak_s - 1000.0).abs() < 0.1, "{found:?}");
		assert!((found[0].peak - 50.0).abs() < 1e-4, "{found:?}");
	}

	#[test]
	fn finds_a_grazing_peak_between_two_samples() {
		// Above 0 only for about 8 s around t = 1015, between the samples at 1000 and 1030.
		let found = search(3000.0, 0.0, |t| bump(t, 1015.0, 20.0, 10.5));
		assert_eq!(found.len(), 1, "{found:?}");
		assert!(found[0].start_s > 1000.0 && found[0].end_s < 1030.0, "{found:?}");
		assert!((found[0].peak - 0.5).abs() < 1e-3, "{found:?}");
	}

	#[test]
	fn clips_intervals_at_the_window_edges() {
		// Peaks before the window and after it: both intervals are cut by the edges.
		let f = |t: f64| bump(t, -50.0, 200.0, 60.0).max(bump(t, 1290.0, 200.0, 60.0));
		let found = search(1200.0, 0.0, f);
		assert_eq!(found.len(), 2, "{found:?}");
		assert_eq!((found[0].start_s, found[0].peak_s), (0.0, 0.0));
		assert_eq!(found[1].end_s, 1200.0);
		assert_eq!(found[1].peak_s, 1200.0);
	}

	#[test]
	fn an_empty_window_or_a_low_function_gives_nothing() {
		assert!(search(0.0, 0.0, |_| 90.0).is_empty());
		assert!(search(86_400.0, 0.0, |t| bump(t, 5000.0, 300.0, 9.9)).is_empty());
	}

	#[test]
	fn errors_from_the_function_stop_the_search() {
		let result = intervals_above(3000.0, 0.0, |t| if t > 100.0 { Err(t) } else { Ok(1.0) });
		assert_eq!(result, Err(120.0));
	}
}
