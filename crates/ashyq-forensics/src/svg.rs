//! Figures as hand-written SVG (no plotting stack): the fingerprint heat-map, the turnout
//! histogram with integer-percent ticks, and the per-region comparison. Pure: each function
//! returns the SVG text; the caller writes it.

use std::fmt::Write;

use crate::Report;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn header(w: u32, h: u32, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<title>{}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n",
        esc(title)
    )
}

/// A perceptual colour ramp (dark blue → yellow), t in [0, 1].
fn ramp(t: f64) -> String {
    let stops = [
        (0.0, (68.0, 1.0, 84.0)),
        (0.25, (59.0, 82.0, 139.0)),
        (0.5, (33.0, 145.0, 140.0)),
        (0.75, (94.0, 201.0, 98.0)),
        (1.0, (253.0, 231.0, 37.0)),
    ];
    let t = t.clamp(0.0, 1.0);
    let mut k = 0;
    while k + 2 < stops.len() && t > stops[k + 1].0 {
        k += 1;
    }
    let (t0, a) = stops[k];
    let (t1, b) = stops[k + 1];
    let f = (t - t0) / (t1 - t0);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The fingerprint: stations per 1 pp × 1 pp cell, log colour scale.
pub fn fingerprint(r: &Report) -> String {
    let fp = &r.fingerprint.result;
    let (cell, left, top) = (5u32, 60u32, 40u32);
    let size = cell * 100;
    let title = format!(
        "{} — {}: polling stations by turnout and {}'s share",
        r.election, r.contest, r.leader.name
    );
    let mut s = header(left + size + 90, top + size + 50, &title);
    let _ = writeln!(s, "<text x=\"{left}\" y=\"20\" font-size=\"14\">{}</text>", esc(&title));
    let max = fp.counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let _ = writeln!(
        s,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{size}\" height=\"{size}\" fill=\"{}\"/>",
        ramp(0.0)
    );
    for (t, row) in fp.counts.iter().enumerate() {
        for (v, &n) in row.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let x = left + t as u32 * cell;
            let y = top + size - (v as u32 + 1) * cell;
            let c = ramp((n as f64).ln_1p() / max.ln_1p());
            let _ = writeln!(s, "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{c}\"><title>turnout {t}–{}%, share {v}–{}%: {n} stations</title></rect>", t + 1, v + 1);
        }
    }
    for k in (0..=100).step_by(10) {
        let x = left + k * cell;
        let y = top + size - k * cell;
        let _ = writeln!(
            s,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{k}</text>",
            top + size + 15
        );
        let _ =
            writeln!(s, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{k}</text>", left - 5, y + 4);
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">Turnout (%)</text>",
        left + size / 2,
        top + size + 35
    );
    let _ = writeln!(s, "<text x=\"15\" y=\"{}\" transform=\"rotate(-90 15 {})\" text-anchor=\"middle\">{} (% of ballots)</text>", top + size / 2, top + size / 2, esc(&r.leader.name));
    // Legend.
    let lx = left + size + 20;
    for i in 0..100u32 {
        let _ = writeln!(
            s,
            "<rect x=\"{lx}\" y=\"{}\" width=\"15\" height=\"{cell}\" fill=\"{}\"/>",
            top + size - cell * (i + 1),
            ramp(i as f64 / 99.0)
        );
    }
    let _ = writeln!(s, "<text x=\"{}\" y=\"{}\">{}</text>", lx + 20, top + 10, max as u64);
    let _ = writeln!(s, "<text x=\"{}\" y=\"{}\">0</text>", lx + 20, top + size);
    let _ = writeln!(s, "<text x=\"{}\" y=\"{}\">stations (log)</text>", lx - 5, top + size + 35);
    s.push_str("</svg>\n");
    s
}

/// Turnout histogram in 0.1 pp bins with a tick at every whole percent: integer peaks stand out.
pub fn turnout(r: &Report) -> String {
    let h = &r.turnout_hist;
    let (w, ht, left, top) = (1000u32, 300u32, 60u32, 40u32);
    let title =
        format!("{} — {}: polling stations by turnout (0.1-point bins)", r.election, r.contest);
    let mut s = header(left + w + 20, top + ht + 50, &title);
    let _ = writeln!(s, "<text x=\"{left}\" y=\"20\" font-size=\"14\">{}</text>", esc(&title));
    // The scale ignores the 0% and 100% bins, where tiny and special stations pile up; they are
    // clipped and labelled.
    let max = h[1..h.len().saturating_sub(1)].iter().copied().max().unwrap_or(0).max(1) as f64;
    for (i, &n) in h.iter().enumerate() {
        if n as f64 > max {
            let x = left as usize + i;
            let _ = writeln!(s, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#c00\">{n} stations at {:.1}% (clipped)</text>", x.saturating_sub(4), top + 30, i as f64 / 10.0);
        }
    }
    for k in 0..=100u32 {
        let x = left + k * 10;
        let len = if k % 10 == 0 { 8 } else { 3 };
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#999\"/>",
            top + ht,
            top + ht + len
        );
        if k % 10 == 0 {
            let _ = writeln!(
                s,
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{k}</text>",
                top + ht + 22
            );
        }
    }
    let mut path = String::new();
    for (i, &n) in h.iter().enumerate() {
        let x = left as f64 + i as f64;
        let y = top as f64 + ht as f64 * (1.0 - (n as f64 / max).min(1.0));
        let _ = write!(path, "{}{x:.1},{y:.1} ", if i == 0 { "M" } else { "L" });
    }
    let _ = writeln!(s, "<path d=\"{path}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1\"/>");
    let _ = writeln!(s, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">Turnout (%) — ticks at whole percentages</text>", left + w / 2, top + ht + 40);
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        left - 5,
        top + 4,
        max as u64
    );
    let _ = writeln!(s, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>", left - 5, top + ht);
    let ip = &r.integer_percentages.result;
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\">integer turnout: {} stations, {:.0} expected by chance (p = {:.4})</text>",
        left + 10,
        top + 15,
        ip.turnout.observed,
        ip.turnout.expected,
        ip.turnout.p_value
    );
    s.push_str("</svg>\n");
    s
}

/// Per-region comparison: integer-percentage z-score and turnout, one row per region.
pub fn regions(r: &Report) -> String {
    let list = &r.regions.result.list;
    let row = 18u32;
    let (left, top, bar) = (330u32, 50u32, 300u32);
    let h = top + row * list.len() as u32 + 40;
    let title = format!("{} — {}: regions", r.election, r.contest);
    let mut s = header(left + 2 * bar + 120, h, &title);
    let _ = writeln!(s, "<text x=\"10\" y=\"20\" font-size=\"14\">{}</text>", esc(&title));
    let _ = writeln!(s, "<text x=\"{left}\" y=\"{}\">integer-percentage excess (z-score; |z| &gt; 3.3 ≈ p &lt; 0.001)</text>", top - 8);
    let _ = writeln!(s, "<text x=\"{}\" y=\"{}\">turnout (%)</text>", left + bar + 60, top - 8);
    let zmax = list.iter().map(|x| x.integer_z.abs()).fold(3.3f64, f64::max);
    let zero = left + bar / 2;
    let thr = (3.3 / zmax * (bar / 2) as f64) as u32;
    let _ = writeln!(s, "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#c00\" stroke-dasharray=\"3,3\"/>", zero + thr, top, top + row * list.len() as u32);
    for (i, reg) in list.iter().enumerate() {
        let y = top + i as u32 * row;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 8,
            y + 13,
            esc(&reg.name)
        );
        let wz = (reg.integer_z.abs() / zmax * (bar / 2) as f64) as u32;
        let (x, colour) = if reg.integer_z >= 0.0 {
            (zero, if reg.integer_z > 3.3 { "#d62728" } else { "#ff9896" })
        } else {
            (zero - wz, "#aec7e8")
        };
        let _ = writeln!(s, "<rect x=\"{x}\" y=\"{}\" width=\"{wz}\" height=\"{}\" fill=\"{colour}\"><title>{}: {} integer stations, {:.1} expected, z = {:.1}</title></rect>", y + 2, row - 4, esc(&reg.name), reg.integer_observed, reg.integer_expected, reg.integer_z);
        let tw = (reg.turnout / 100.0 * bar as f64) as u32;
        let _ = writeln!(s, "<rect x=\"{}\" y=\"{}\" width=\"{tw}\" height=\"{}\" fill=\"#1f77b4\"/><text x=\"{}\" y=\"{}\">{:.1}</text>", left + bar + 60, y + 2, row - 4, left + bar + 64 + tw, y + 13, reg.turnout);
    }
    let _ = writeln!(
        s,
        "<line x1=\"{zero}\" y1=\"{top}\" x2=\"{zero}\" y2=\"{}\" stroke=\"#333\"/>",
        top + row * list.len() as u32
    );
    s.push_str("</svg>\n");
    s
}
