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
}
