// The timer timeline: one lane per timer (map[key]), arm->fire and
// arm->cancel/free spans on a time axis, program runs marked on their own
// lane. Pure functions from recorded events to SVG, and to a standalone HTML
// page that zooms (wheel) and pans (drag) — no dependencies, so it works in a
// browser bundle and in `tsbpf run --timeline`.

import { formatSeconds, type RunEvent, type TimerEvent } from '../timers/trace.js';

export interface TimelineOptions {
  /** page/SVG title */
  title?: string;
  /** drawing width in px (default 1000) */
  width?: number;
}

/** A span on a lane: armed from `from` until `to`, ended by `end`. */
export interface TimelineSpan {
  from: bigint;
  to: bigint;
  end: 'fire' | 'cancel' | 'free' | 'pending';
  /** the start event's detail (nsecs/flags) */
  label: string;
}

export interface TimelineLane {
  /** "flows[0a000001]" */
  name: string;
  spans: TimelineSpan[];
  /** times a callback ran */
  fires: bigint[];
  /** time the timer was freed, with why */
  frees: { time: bigint; reason: string }[];
}

export interface TimelineModel {
  start: bigint;
  end: bigint;
  lanes: TimelineLane[];
  runs: RunEvent[];
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Events -> lanes and spans (the part worth testing without a browser). */
export function timelineModel(events: readonly (TimerEvent | RunEvent)[]): TimelineModel {
  const lanes = new Map<string, TimelineLane & { open?: TimelineSpan }>();
  const runs: RunEvent[] = [];
  let start: bigint | undefined;
  let end: bigint | undefined;
  const see = (t: bigint): void => {
    if (start === undefined || t < start) start = t;
    if (end === undefined || t > end) end = t;
  };
  for (const e of events) {
    see(e.time);
    if (e.type === 'run') { runs.push(e); continue; }
    const name = `${e.map}[${hex(e.key)}]`;
    let lane = lanes.get(name);
    if (!lane) { lane = { name, spans: [], fires: [], frees: [] }; lanes.set(name, lane); }
    const close = (how: TimelineSpan['end']): void => {
      if (lane!.open) { lane!.open.to = e.time; lane!.open.end = how; lane!.open = undefined; }
    };
    switch (e.type) {
      case 'start': {
        close('cancel'); // a re-start moves an armed timer: the old span ends here
        const span: TimelineSpan = { from: e.time, to: e.expires ?? e.time, end: 'pending', label: `start ${e.nsecs}ns flags=${e.flags}` };
        lane.spans.push(span);
        lane.open = span;
        if (e.expires !== undefined) see(e.expires);
        break;
      }
      case 'fire': close('fire'); lane.fires.push(e.time); break;
      case 'cancel': if (e.ret === 1) close('cancel'); break;
      case 'free': close('free'); lane.frees.push({ time: e.time, reason: e.reason ?? '' }); break;
      default: break;
    }
  }
  const s = start ?? 0n;
  return { start: s, end: end ?? s, lanes: [...lanes.values()].map(({ open: _o, ...l }) => l), runs };
}

/** a time on the axis, relative to the first event: '0', '+250ns', '+1.5us', '+45ms', '+2.25s' (also sent to the page as source) */
const relFmt = (ns: number): string => {
  const a = Math.abs(ns);
  const u: [number, string] = a >= 1e9 ? [1e9, 's'] : a >= 1e6 ? [1e6, 'ms'] : a >= 1e3 ? [1e3, 'us'] : [1, 'ns'];
  return ns === 0 ? '0' : '+' + String(+(ns / u[0]).toFixed(3)) + u[1];
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The timeline as a standalone SVG document. */
export function renderTimelineSvg(events: readonly (TimerEvent | RunEvent)[], opts: TimelineOptions = {}): string {
  const m = timelineModel(events);
  const width = opts.width ?? 1200;
  const laneH = 22;
  const top = 40;
  const rows = ['program runs', ...m.lanes.map((l) => l.name)];
  // labels up to 56 characters (monospace 11px: ~6.7px each), longer ones cut with their full name on hover
  const MAX_LABEL = 56;
  const left = Math.max(120, Math.min(MAX_LABEL, Math.max(...rows.map((r) => r.length))) * 6.7 + 16);
  const plotW = width - left - 20;
  const span = m.end > m.start ? m.end - m.start : 1n;
  const x = (t: bigint): number => left + Number(((t - m.start) * 1_000_000n) / span) / 1_000_000 * plotW;
  const height = top + rows.length * laneH + 44;
  const axisY = top + rows.length * laneH + 4;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="tsbpf-timeline" data-start="${m.start}" data-span="${span}" data-left="${left}" data-plotw="${plotW}" data-axisy="${axisY}" data-top="${top}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`);
  out.push(`<title>${esc(opts.title ?? 'tsbpf timer timeline')}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="8" y="16" font-size="13" font-weight="bold">${esc(opts.title ?? 'tsbpf timer timeline')}</text>`);
  // axis: 5 ticks
  out.push(`<g class="axis"><line x1="${left}" y1="${axisY}" x2="${left + plotW}" y2="${axisY}" stroke="#888"/>`);
  for (let i = 0; i <= 4; i++) {
    const t = m.start + (span * BigInt(i)) / 4n;
    const tx = x(t);
    out.push(`<line x1="${tx.toFixed(1)}" y1="${top - 4}" x2="${tx.toFixed(1)}" y2="${axisY + 4}" stroke="#eee"/>`);
    out.push(`<text x="${tx.toFixed(1)}" y="${axisY + 16}" text-anchor="middle">${relFmt(Number(t - m.start))}</text>`);
  }
  out.push('</g>');
  out.push(`<text x="${left - 6}" y="${axisY + 16}" text-anchor="end" fill="#666">t0 = ${formatSeconds(m.start)}</text>`);
  rows.forEach((name, i) => {
    const y = top + i * laneH;
    const label = name.length > MAX_LABEL ? `${name.slice(0, MAX_LABEL - 1)}…` : name;
    out.push(`<text class="lane-name" x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(label)}<title>${esc(name)}</title></text>`);
    out.push(`<line x1="${left}" y1="${y + laneH - 1}" x2="${left + plotW}" y2="${y + laneH - 1}" stroke="#f0f0f0"/>`);
  });
  for (const r of m.runs) {
    const rx = x(r.time);
    out.push(`<rect class="run" data-t="${r.time - m.start}" x="${(rx - 1).toFixed(1)}" y="${top + 3}" width="3" height="${laneH - 6}" fill="#4a6fd1"><title>${esc(`run ${r.prog} retval=${r.retval} at ${formatSeconds(r.time)}`)}</title></rect>`);
  }
  m.lanes.forEach((lane, i) => {
    const y = top + (i + 1) * laneH;
    for (const s of lane.spans) {
      const x0 = x(s.from);
      const w = Math.max(2, x(s.to) - x0);
      const color = s.end === 'fire' ? '#3a9d5d' : s.end === 'pending' ? '#9bd3ae' : s.end === 'cancel' ? '#c8a03c' : '#c0504d';
      out.push(`<rect class="span span-${s.end}" data-t="${s.from - m.start}" data-t1="${s.to - m.start}" x="${x0.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${laneH - 10}" fill="${color}" rx="2"><title>${esc(`${lane.name}: ${s.label}, armed ${formatSeconds(s.from)}, ${s.end === 'pending' ? 'due' : s.end} ${formatSeconds(s.to)}`)}</title></rect>`);
    }
    for (const f of lane.fires) {
      const fx = x(f);
      out.push(`<circle class="fire" data-t="${f - m.start}" cx="${fx.toFixed(1)}" cy="${y + laneH / 2}" r="3.5" fill="#1f6b3a"><title>${esc(`${lane.name}: callback at ${formatSeconds(f)}`)}</title></circle>`);
    }
    for (const f of lane.frees) {
      const fx = x(f.time);
      out.push(`<path class="free" data-t="${f.time - m.start}" data-y="${y}" d="M${(fx - 4).toFixed(1)} ${y + 6}l8 10m0 -10l-8 10" stroke="#c0504d" stroke-width="2"><title>${esc(`${lane.name}: freed (${f.reason}) at ${formatSeconds(f.time)}`)}</title></path>`);
    }
  });
  out.push(`<g font-size="10" transform="translate(${left},${height - 6})">` +
    '<rect x="0" y="-8" width="10" height="8" fill="#3a9d5d"/><text x="14" y="0">armed until fired</text>' +
    '<rect x="130" y="-8" width="10" height="8" fill="#c8a03c"/><text x="144" y="0">cancelled/moved</text>' +
    '<rect x="260" y="-8" width="10" height="8" fill="#9bd3ae"/><text x="274" y="0">still armed</text>' +
    '<rect x="370" y="-8" width="10" height="8" fill="#4a6fd1"/><text x="384" y="0">program run</text></g>');
  out.push('</svg>');
  return out.join('\n');
}

/** The timeline as a standalone HTML page: the SVG, wheel to zoom, drag to pan, double-click to reset. */
export function renderTimelineHtml(events: readonly (TimerEvent | RunEvent)[], opts: TimelineOptions = {}): string {
  const svg = renderTimelineSvg(events, opts);
  const title = esc(opts.title ?? 'tsbpf timer timeline');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<style>body{margin:12px;font-family:sans-serif} #tl{border:1px solid #ddd;overflow:hidden;cursor:grab} p{color:#555;font-size:13px}</style>
</head><body>
<div id="tl">${svg}</div>
<p>${events.length} events. Wheel: zoom the time axis; drag: pan; double-click: reset. Hover a span or a dot for details.</p>
<script>
(() => {
  // zoom and pan the time axis only: every mark carries its time (ns after the first event) in data-t
  const svg = document.querySelector('#tl svg');
  const d = svg.dataset; const left = +d.left; const plotW = +d.plotw; const full = +d.span;
  let v0 = 0; let v1 = full; let drag = null;
  const X = (t) => left + (t - v0) / (v1 - v0) * plotW;
  const fmt = ${relFmt.toString()};
  const axis = svg.querySelector('g.axis');
  function draw() {
    for (const el of svg.querySelectorAll('[data-t]')) {
      const t = +el.dataset.t; const vis = t >= v0 - (v1 - v0) && t <= v1 + (v1 - v0);
      if (el.classList.contains('span')) {
        const a = Math.max(left, X(t)); const b = Math.min(left + plotW, X(+el.dataset.t1));
        el.setAttribute('x', a); el.setAttribute('width', Math.max(2, b - a));
        el.style.display = X(+el.dataset.t1) < left || X(t) > left + plotW ? 'none' : '';
      } else if (el.tagName === 'circle') { el.setAttribute('cx', X(t)); el.style.display = X(t) < left || X(t) > left + plotW ? 'none' : ''; }
      else if (el.tagName === 'path') { const x = X(t); const y = +el.dataset.y; el.setAttribute('d', 'M' + (x - 4) + ' ' + (y + 6) + 'l8 10m0 -10l-8 10'); el.style.display = x < left || x > left + plotW ? 'none' : ''; }
      else { el.setAttribute('x', X(t) - 1); el.style.display = X(t) < left || X(t) > left + plotW ? 'none' : ''; }
      void vis;
    }
    const texts = axis.querySelectorAll('text'); const lines = axis.querySelectorAll('line:not(:first-child)');
    texts.forEach((tx, i) => { const t = v0 + (v1 - v0) * i / 4; tx.setAttribute('x', X(t)); tx.textContent = fmt(t); });
    lines.forEach((ln, i) => { const t = v0 + (v1 - v0) * i / 4; ln.setAttribute('x1', X(t)); ln.setAttribute('x2', X(t)); });
  }
  svg.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect(); const px = (ev.clientX - r.left) * (svg.viewBox.baseVal.width / r.width);
    const at = v0 + (px - left) / plotW * (v1 - v0); const k = ev.deltaY < 0 ? 0.8 : 1.25;
    const w = Math.min(full, Math.max(full / 1e6, (v1 - v0) * k));
    v0 = Math.min(full - w, Math.max(0, at - (at - v0) * (w / (v1 - v0)))); v1 = v0 + w; draw();
  }, { passive: false });
  svg.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, v0, v1 }; });
  window.addEventListener('mouseup', () => { drag = null; });
  window.addEventListener('mousemove', (ev) => {
    if (!drag) return;
    const r = svg.getBoundingClientRect(); const dt = (ev.clientX - drag.x) * (svg.viewBox.baseVal.width / r.width) / plotW * (drag.v1 - drag.v0);
    const w = drag.v1 - drag.v0; v0 = Math.min(full - w, Math.max(0, drag.v0 - dt)); v1 = v0 + w; draw();
  });
  svg.addEventListener('dblclick', () => { v0 = 0; v1 = full; draw(); });
  window.tsbpfTimeline = { zoom: (a, b) => { v0 = a; v1 = b; draw(); }, draw };
})();
</script>
</body></html>
`;
}


