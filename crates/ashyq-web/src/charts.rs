//! Charts as HTML and inline SVG, drawn on the server: result bars, the turnout histogram and
//! the turnout × share heat-map. Every chart has a text equivalent next to it (the tables of
//! the page, or a caption with the numbers), so nothing is only in a picture.

use maud::{html, Markup};

/// Colours of options by their position on the ballot: dark enough for 3:1 against white
/// (WCAG 1.4.11) and told apart by people with the common colour-vision deficiencies in the
/// first few; "against all" is grey, a referendum's yes green and no red.
pub const PALETTE: [&str; 10] = [
    "#0b5fa5", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#be185d", "#0e7490", "#4d7c0f",
    "#b91c1c", "#4338ca",
];

/// Grey for "against all".
pub const AGAINST_ALL: &str = "#525252";
/// Referendum "yes".
pub const YES: &str = "#15803d";
/// Referendum "no".
pub const NO: &str = "#b91c1c";

/// One bar.
pub struct Bar {
    /// Label (the option's name).
    pub label: String,
    /// The value as text (votes).
    pub value: String,
    /// The share as text (`55,2 %`), or empty.
    pub share: String,
    /// Width, 0–100.
    pub width: f64,
    /// Colour.
    pub color: &'static str,
    /// Bold (the winner, the passing lists …).
    pub strong: bool,
}

/// Horizontal result bars (HTML, readable without CSS as a list of "name: votes, share").
pub fn bars(items: &[Bar]) -> Markup {
    html! {
        ul.bars {
            @for b in items {
                li.strong[b.strong] {
                    span.bar-label { (b.label) }
                    span.bar-track aria-hidden="true" {
                        span.bar-fill style=(format!("width:{:.2}%;background:{}", b.width.clamp(0.0, 100.0), b.color)) {}
                    }
                    span.bar-value { (b.value) @if !b.share.is_empty() { " · " strong { (b.share) } } }
                }
            }
        }
    }
}

/// A histogram of counts over 0–100% in 1-point bins (SVG), with axis ticks every 10 points.
/// `title` names it for screen readers; `desc` says what it shows in numbers.
pub fn histogram(bins: &[u64], color: &str, title: &str, desc: &str, x_label: &str) -> Markup {
    let (w, h, left, bottom, top) = (600.0, 220.0, 44.0, 30.0, 10.0);
    let max = bins.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = bins.len().max(1) as f64;
    let bw = (w - left - 10.0) / n;
    let ph = h - bottom - top;
    html! {
        svg.chart viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            desc { (desc) }
            line x1=(left) y1=(h - bottom) x2=(w - 10.0) y2=(h - bottom) stroke="#333" {}
            line x1=(left) y1=(top) x2=(left) y2=(h - bottom) stroke="#333" {}
            text x=(left - 6.0) y=(top + 4.0) text-anchor="end" font-size="11" { (max as u64) }
            text x=(left - 6.0) y=(h - bottom) text-anchor="end" font-size="11" { "0" }
            @for (i, &c) in bins.iter().enumerate() {
                @if c > 0 {
                    @let bh = c as f64 / max * ph;
                    rect x=(format!("{:.1}", left + i as f64 * bw)) y=(format!("{:.1}", h - bottom - bh)) width=(format!("{:.2}", bw.max(0.5))) height=(format!("{:.1}", bh)) fill=(color) {}
                }
            }
            @for t in (0..=100).step_by(10) {
                @let x = left + t as f64 / 100.0 * n * bw;
                line x1=(format!("{x:.1}")) y1=(h - bottom) x2=(format!("{x:.1}")) y2=(h - bottom + 4.0) stroke="#333" {}
                text x=(format!("{x:.1}")) y=(h - bottom + 16.0) text-anchor="middle" font-size="11" { (t) }
            }
            text x=(w / 2.0) y=(h - 2.0) text-anchor="middle" font-size="11" { (x_label) }
        }
    }
}

/// The turnout × share heat-map (`counts[turnout][share]`, 1-point cells), log-scaled, with
/// turnout on the x axis and the leader's share on the y axis.
pub fn heatmap(
    counts: &[Vec<u64>],
    title: &str,
    desc: &str,
    x_label: &str,
    y_label: &str,
) -> Markup {
    let (size, left, bottom) = (400.0, 40.0, 34.0);
    let n = counts.len().max(1) as f64;
    let cell = size / n;
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let lmax = (1.0 + max).ln();
    html! {
        svg.chart.heatmap viewBox=(format!("0 0 {} {}", size + left + 10.0, size + bottom + 10.0)) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            desc { (desc) }
            rect x=(left) y="10" width=(size) height=(size) fill="#f8fafc" stroke="#333" {}
            @for (t, row) in counts.iter().enumerate() {
                @for (v, &c) in row.iter().enumerate() {
                    @if c > 0 {
                        @let k = (1.0 + c as f64).ln() / lmax;
                        @let light = 92.0 - 70.0 * k;
                        rect x=(format!("{:.1}", left + t as f64 * cell)) y=(format!("{:.1}", 10.0 + size - (v + 1) as f64 * cell)) width=(format!("{:.2}", cell)) height=(format!("{:.2}", cell)) fill=(format!("hsl(215,80%,{light:.0}%)")) {}
                    }
                }
            }
            @for t in (0..=100).step_by(20) {
                @let p = t as f64 / 100.0 * size;
                text x=(format!("{:.1}", left + p)) y=(size + 26.0) text-anchor="middle" font-size="11" { (t) }
                text x=(left - 6.0) y=(format!("{:.1}", 14.0 + size - p)) text-anchor="end" font-size="11" { (t) }
            }
            text x=(left + size / 2.0) y=(size + bottom + 6.0) text-anchor="middle" font-size="11" { (x_label) }
            text x="10" y=(10.0 + size / 2.0) text-anchor="middle" font-size="11" transform=(format!("rotate(-90 10 {})", 10.0 + size / 2.0)) { (y_label) }
        }
    }
}

/// A Unix time as RFC 3339 UTC text (`2023-03-19T15:04:05Z`); the date from core's
/// civil-from-days ([`ashyq_core::iin::Date`]), empty outside years 1–9999.
pub fn utc_text(unix: i64) -> String {
    let secs = unix.rem_euclid(86_400);
    match ashyq_core::iin::Date::from_days_since_epoch(unix.div_euclid(86_400)) {
        Some(d) => format!("{d}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60),
        None => String::new(),
    }
}

/// Protocols received over time: the cumulative count as a step line against time (SVG), with
/// the number expected as a dashed line on top. `points` are (Unix second, protocols received
/// in it) in time order, spanning more than one second; at most 400 steps are drawn (the count
/// at the end of each of 400 equal slices of the night), so a large night stays a small
/// picture. Time ticks are `HH:MM` UTC.
pub fn arrivals(
    points: &[(i64, u64)],
    expected: u64,
    title: &str,
    desc: &str,
    x_label: &str,
) -> Markup {
    let (w, h, left, bottom, top, right) = (600.0, 220.0, 56.0, 34.0, 12.0, 14.0);
    let (Some(&(t0, _)), Some(&(t1, _))) = (points.first(), points.last()) else {
        return html! {};
    };
    let span = (t1 - t0).max(1) as f64;
    let total: u64 = points.iter().map(|p| p.1).sum();
    let top_value = total.max(expected).max(1) as f64;
    let (pw, ph) = (w - left - right, h - bottom - top);
    let x = |t: i64| left + (t - t0) as f64 / span * pw;
    let y = |n: u64| h - bottom - n as f64 / top_value * ph;
    // The cumulative count at the end of each slice.
    let slices = 400usize.min(points.len());
    let mut steps: Vec<(i64, u64)> = Vec::with_capacity(slices + 1);
    let mut cum = 0u64;
    let mut it = points.iter().peekable();
    for k in 1..=slices {
        let end = t0 + ((t1 - t0) as f64 * k as f64 / slices as f64).round() as i64;
        while let Some(&&(t, n)) = it.peek() {
            if t > end {
                break;
            }
            cum += n;
            it.next();
        }
        steps.push((end, cum));
    }
    let mut path = format!("M{:.1},{:.1}", x(t0), y(0));
    let mut last = 0u64;
    for &(t, n) in &steps {
        if n != last {
            path.push_str(&format!(" H{:.1} V{:.1}", x(t), y(n)));
            last = n;
        }
    }
    path.push_str(&format!(" H{:.1}", x(t1)));
    let hm = |t: i64| utc_text(t).get(11..16).unwrap_or_default().to_owned();
    html! {
        svg.chart data-chart="arrivals" viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            desc { (desc) }
            line x1=(left) y1=(h - bottom) x2=(w - right) y2=(h - bottom) stroke="#333" {}
            line x1=(left) y1=(top) x2=(left) y2=(h - bottom) stroke="#333" {}
            @if expected > 0 {
                line x1=(left) y1=(format!("{:.1}", y(expected))) x2=(w - right) y2=(format!("{:.1}", y(expected))) stroke="#525252" stroke-dasharray="4 3" {}
            }
            text x=(left - 6.0) y=(format!("{:.1}", y(top_value as u64) + 4.0)) text-anchor="end" font-size="11" { (top_value as u64) }
            text x=(left - 6.0) y=(h - bottom) text-anchor="end" font-size="11" { "0" }
            path d=(path) fill="none" stroke=(PALETTE[0]) stroke-width="2" {}
            @for k in 0..=4 {
                @let t = t0 + (t1 - t0) * k / 4;
                line x1=(format!("{:.1}", x(t))) y1=(h - bottom) x2=(format!("{:.1}", x(t))) y2=(h - bottom + 4.0) stroke="#333" {}
                text x=(format!("{:.1}", x(t))) y=(h - bottom + 16.0) text-anchor="middle" font-size="11" { (hm(t)) }
            }
            text x=(left + pw / 2.0) y=(h - 2.0) text-anchor="middle" font-size="11" { (x_label) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_draws_one_rect_per_non_empty_bin() {
        let mut bins = vec![0u64; 100];
        bins[50] = 3;
        bins[70] = 1;
        let svg = histogram(&bins, "#000", "t", "d", "x").into_string();
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("role=\"img\""));
    }

    #[test]
    fn the_heatmap_puts_high_share_at_the_top() {
        let mut counts = vec![vec![0u64; 100]; 100];
        counts[99][99] = 5;
        let svg = heatmap(&counts, "t", "d", "x", "y").into_string();
        // One cell plus the frame; the cell at share 99 sits at the top (y = 10).
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("y=\"10.0\" width=\"4.00\""), "{svg}");
    }

    #[test]
    fn utc_text_is_the_civil_date() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(1_679_241_600), "2023-03-19T16:00:00Z");
        assert_eq!(utc_text(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_text(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn the_arrivals_chart_steps_up_to_the_total() {
        let points: Vec<(i64, u64)> = (0..1000).map(|i| (1_679_241_600 + i * 30, 2)).collect();
        let svg = arrivals(&points, 2500, "t", "d", "x").into_string();
        assert!(svg.contains("data-chart=\"arrivals\""));
        assert!(svg.contains("16:00") && svg.contains("00:19"), "{svg}");
        assert!(svg.contains(">2500<"), "the expected count is the top of the scale");
        assert_eq!(arrivals(&[], 1, "t", "d", "x").into_string(), "");
    }
}
