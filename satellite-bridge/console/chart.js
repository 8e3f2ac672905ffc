// Inline SVG charts for the console: bars (certified per minute, per pass) and the pass
// timeline. Each draws into an <svg> at its laid-out size (the style sheet sets its height and
// lets it take the card's width), so a redraw after a resize keeps the text its size.

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes, and text content when `text` is given. */
function node(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The svg's size in CSS pixels, made its viewBox: text keeps its size at any width. */
function size(svg) {
  const w = Math.max(200, Math.round(svg.clientWidth || svg.parentElement.clientWidth || 600));
  const h = Math.round(svg.clientHeight || 120);
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  return { w, h };
}

/** Hours and minutes (and seconds) in local time. */
export function clock(ms, seconds = false) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? ':' + pad(d.getSeconds()) : ''}`;
}

/**
 * Bars: `bars` is `[{ label, value, title }]`, oldest first; every `labelEvery`-th label is
 * written under its bar. Sets `data-total` and `data-bars` on the svg (the sum, the count).
 */
export function barChart(svg, bars, { labelEvery = 1, empty = 'no data yet' } = {}) {
  const { w, h } = size(svg);
  svg.replaceChildren();
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  svg.dataset.total = String(total);
  svg.dataset.bars = String(bars.length);
  const top = 14;
  const bottom = h - 18;
  svg.append(node('line', { x1: 0, x2: w, y1: bottom, y2: bottom, class: 'axis' }));
  if (bars.length === 0) {
    svg.append(node('text', { x: w / 2, y: h / 2, 'text-anchor': 'middle', class: 'label' }, empty));
    return;
  }
  const max = Math.max(1, ...bars.map((b) => b.value));
  svg.append(node('text', { x: 2, y: top - 3, class: 'label' }, `max ${max}`));
  const slot = w / bars.length;
  const gap = Math.min(4, slot * 0.2);
  bars.forEach((b, i) => {
    const height = ((bottom - top) * b.value) / max;
    const x = i * slot + gap / 2;
    const bar = node('rect', { x, y: bottom - height, width: Math.max(1, slot - gap), height, class: 'bar' });
    bar.append(node('title', {}, b.title ?? `${b.label}: ${b.value}`));
    svg.append(bar);
    if (b.value > 0 && slot >= 14) {
      svg.append(node('text', { x: x + (slot - gap) / 2, y: bottom - height - 2, 'text-anchor': 'middle', class: 'value' }, b.value));
    }
    const last = i === bars.length - 1;
    if (i % labelEvery === 0 || last) {
      // The outermost labels are kept inside the chart.
      const [lx, anchor] = i === 0 ? [x, 'start'] : last ? [x + slot - gap, 'end'] : [x + (slot - gap) / 2, 'middle'];
      if (last && i > 0 && i % labelEvery !== 0 && (i % labelEvery) * slot < 40) return;
      svg.append(node('text', { x: lx, y: h - 4, 'text-anchor': anchor, class: 'label' }, b.label));
    }
  });
}

/**
 * The pass timeline around `now` (ms, the bridge's clock): the passes seen, the one under way,
 * the next one predicted, and a line at now.
 */
export function timeline(svg, link, now) {
  const { w, h } = size(svg);
  svg.replaceChildren();
  const passes = link.passes ?? [];
  // The window reaches past the next predicted change, and as far back as it reaches ahead.
  const ahead = Math.max(
    60_000,
    ...[link.next_end_ms, link.next_start_ms, passes.at(-1)?.end_ms]
      .filter((t) => typeof t === 'number' && t > now)
      .map((t) => (t - now) * 1.15),
  );
  const from = now - ahead * 1.6;
  const to = now + ahead;
  const x = (t) => ((Math.min(Math.max(t, from), to) - from) / (to - from)) * w;
  const band = { y: 10, height: h - 34 };
  svg.append(node('rect', { x: 0, y: band.y, width: w, height: band.height, class: 'sky' }));
  for (const p of passes) {
    const end = p.end_ms ?? (p.ended ? p.start_ms : to);
    if (end < from) continue;
    const cls = p.ended ? 'pass' : 'pass current';
    const rect = node('rect', { x: x(p.start_ms), y: band.y, width: Math.max(2, x(end) - x(p.start_ms)), height: band.height, class: cls });
    rect.append(node('title', {}, `pass ${clock(p.start_ms, true)}–${p.end_ms ? clock(p.end_ms, true) : '?'}: ${p.certified} certified`));
    svg.append(rect);
  }
  if (link.next_start_ms) {
    const end = link.next_end_ms ?? link.next_start_ms + 0.05 * (to - from);
    const rect = node('rect', { x: x(link.next_start_ms), y: band.y, width: Math.max(2, x(end) - x(link.next_start_ms)), height: band.height, class: 'pass next' });
    rect.append(node('title', {}, `next pass ${clock(link.next_start_ms, true)}${link.next_end_ms ? '–' + clock(link.next_end_ms, true) : ''} (predicted)`));
    svg.append(rect);
  }
  svg.append(node('line', { x1: x(now), x2: x(now), y1: 4, y2: band.y + band.height + 4, class: 'now' }));
  for (const t of [from, now, to]) {
    const anchor = t === from ? 'start' : t === to ? 'end' : 'middle';
    svg.append(node('text', { x: x(t), y: h - 4, 'text-anchor': anchor, class: 'label' }, t === now ? `now ${clock(now, true)}` : clock(t, true)));
  }
}
