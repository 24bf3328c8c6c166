//! The choropleth map of Kazakhstan's first-level units, as inline SVG.
//!
//! The shapes are committed, generated assets (`assets/map/kz-adm1-2018.tsv` with the 17 units
//! of 2018 – 7 June 2022, `kz-adm1-2024.tsv` with the 20 units since the split of 8 June 2022)
//! made by `scripts/gen-map-shapes.py` from the simplified GeoJSON of geokz by Alexander
//! Rodionov (CC BY 4.0, boundaries based on the Bureau of National Statistics of Kazakhstan);
//! every page that draws the map carries the attribution. Each shape is keyed by its ISO
//! 3166-2 code, which is also the unit id of the packages (`KZ-AST`, `KZ-ABY` …), and carries
//! `data-unit="UNIT_ID"`.

use std::sync::OnceLock;

use maud::{html, Markup};

use crate::i18n::{Lang, Msg};

/// One first-level unit's shape.
#[derive(Clone, Debug)]
pub struct Shape {
    /// ISO 3166-2 code (= the unit id).
    pub iso: String,
    /// KATO code.
    pub kato: String,
    /// Name in English, Kazakh and Russian (GeoJSON `ADM1_EN`, `ADM1_KK`, `ADM1_RU`).
    pub name_en: String,
    /// Kazakh name.
    pub name_kk: String,
    /// Russian name (an adjective for regions: `Абайская`).
    pub name_ru: String,
    /// Label point (area centroid of the largest ring).
    pub label: (i32, i32),
    /// SVG path data.
    pub path: String,
    /// Too small to see or click at map scale (the three cities): drawn with a marker too.
    pub small: bool,
}

/// A map layout: the units of one period.
#[derive(Clone, Debug)]
pub struct Layout {
    /// `2018` (17 units) or `2024` (20 units).
    pub year: &'static str,
    /// viewBox width.
    pub width: u32,
    /// viewBox height.
    pub height: u32,
    /// The shapes, in the source's order.
    pub shapes: Vec<Shape>,
}

impl Layout {
    /// The shape of a unit id.
    pub fn shape(&self, iso: &str) -> Option<&Shape> {
        self.shapes.iter().find(|s| s.iso == iso)
    }
}

const TSV_2018: &str = include_str!("../assets/map/kz-adm1-2018.tsv");
const TSV_2024: &str = include_str!("../assets/map/kz-adm1-2024.tsv");

fn parse(year: &'static str, tsv: &str) -> Layout {
    let mut width = 1000;
    let mut height = 552;
    let mut shapes = Vec::new();
    for line in tsv.lines() {
        if let Some(vb) = line.strip_prefix("# viewBox ") {
            let v: Vec<u32> = vb.split(' ').filter_map(|x| x.parse().ok()).collect();
            if let [_, _, w, h] = v[..] {
                width = w;
                height = h;
            }
            continue;
        }
        if line.starts_with('#') || line.starts_with("iso\t") || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 8 {
            continue;
        }
        let (mut minx, mut miny, mut maxx, mut maxy) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for pt in f[7].split(['M', 'L', 'Z']).filter(|s| !s.is_empty()) {
            if let Some((x, y)) = pt.split_once(',') {
                if let (Ok(x), Ok(y)) = (x.parse::<i32>(), y.parse::<i32>()) {
                    minx = minx.min(x);
                    maxx = maxx.max(x);
                    miny = miny.min(y);
                    maxy = maxy.max(y);
                }
            }
        }
        shapes.push(Shape {
            iso: f[0].to_owned(),
            kato: f[1].to_owned(),
            name_en: f[2].to_owned(),
            name_kk: f[3].to_owned(),
            name_ru: f[4].to_owned(),
            label: (f[5].parse().unwrap_or(0), f[6].parse().unwrap_or(0)),
            path: f[7].to_owned(),
            small: (maxx - minx) < 24 && (maxy - miny) < 24,
        });
    }
    Layout { year, width, height, shapes }
}

/// The layout in force on `date` (`YYYY-MM-DD`): the 17 units before 8 June 2022 (when the
/// Abai, Zhetysu and Ulytau regions were formed), the 20 units from then on.
pub fn layout_for(date: &str) -> &'static Layout {
    static L2018: OnceLock<Layout> = OnceLock::new();
    static L2024: OnceLock<Layout> = OnceLock::new();
    if date < "2022-06-08" {
        L2018.get_or_init(|| parse("2018", TSV_2018))
    } else {
        L2024.get_or_init(|| parse("2024", TSV_2024))
    }
}

/// The name of a first-level unit in `lang` from the map's GeoJSON names, with the kind word
/// the GeoJSON leaves out (`Абайская` → `Абайская область`, `Абай` → `Абай облысы`); cities
/// keep their names (`Астана`, `Алматы (қала)` → `Алматы қаласы`).
pub fn unit_name(date: &str, iso: &str, kind: &str, lang: Lang) -> Option<String> {
    let s = layout_for(date).shape(iso)?;
    Some(match (lang, kind) {
        (Lang::En, _) => s.name_en.clone(),
        (Lang::Ru, "region") => format!("{} область", s.name_ru),
        (Lang::Ru, _) => s.name_ru.clone(),
        (Lang::Kk, "region") => format!("{} облысы", s.name_kk),
        (Lang::Kk, _) => match s.name_kk.strip_suffix(" (қала)") {
            Some(city) => format!("{city} қаласы"),
            None => s.name_kk.clone(),
        },
    })
}

/// How one unit is drawn.
#[derive(Clone, Debug)]
pub struct Fill {
    /// Fill colour (`#rrggbb`).
    pub color: &'static str,
    /// Strength, 0.15–1.
    pub opacity: f64,
    /// Where the shape links to.
    pub href: String,
    /// The accessible name: the unit and its leader, e.g. `Abay Region: Amanat 55.2%`.
    pub label: String,
}

/// The map as inline SVG: every shape of `layout` with `data-unit`; units with a [`Fill`] are
/// links (keyboard reachable, named for screen readers), the others grey.
pub fn choropleth(
    lang: Lang,
    layout: &Layout,
    fill: &dyn Fn(&str) -> Option<Fill>,
    title_id: &str,
) -> Markup {
    let vb = format!("0 0 {} {}", layout.width, layout.height);
    html! {
        svg.map viewBox=(vb) role="group" aria-labelledby=(title_id) xmlns="http://www.w3.org/2000/svg" {
            @for s in &layout.shapes {
                @match fill(&s.iso) {
                    Some(f) => {
                        a href=(f.href) aria-label=(f.label) {
                            title { (f.label) }
                            path.unit data-unit=(s.iso) d=(s.path) fill=(f.color) fill-opacity=(format!("{:.2}", f.opacity)) {}
                            @if s.small {
                                circle.marker cx=(s.label.0) cy=(s.label.1) r="9" fill=(f.color) {}
                            }
                        }
                    }
                    None => {
                        g {
                            title { (lang.t(Msg::MapNoData)) }
                            path.unit.empty data-unit=(s.iso) d=(s.path) {}
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layouts_have_17_and_20_units_with_iso_codes() {
        let old = layout_for("2022-06-05");
        let new = layout_for("2022-11-20");
        assert_eq!((old.year, old.shapes.len()), ("2018", 17));
        assert_eq!((new.year, new.shapes.len()), ("2024", 20));
        for l in [old, new] {
            for s in &l.shapes {
                assert!(s.iso.starts_with("KZ-") && s.iso.len() == 6, "{}", s.iso);
                assert!(s.path.starts_with('M') && s.path.ends_with('Z'));
            }
            let small: Vec<&str> =
                l.shapes.iter().filter(|s| s.small).map(|s| s.iso.as_str()).collect();
            assert_eq!(small, ["KZ-AST", "KZ-ALA", "KZ-SHY"]);
        }
        assert!(new.shape("KZ-ULT").is_some() && old.shape("KZ-ULT").is_none());
    }

    #[test]
    fn names_carry_the_kind_word_in_each_language() {
        let d = "2023-03-19";
        assert_eq!(unit_name(d, "KZ-ABY", "region", Lang::Ru).as_deref(), Some("Абайская область"));
        assert_eq!(unit_name(d, "KZ-ABY", "region", Lang::Kk).as_deref(), Some("Абай облысы"));
        assert_eq!(unit_name(d, "KZ-ALA", "city", Lang::Kk).as_deref(), Some("Алматы қаласы"));
        assert_eq!(unit_name(d, "KZ-AST", "city", Lang::Ru).as_deref(), Some("Астана"));
        // Before September 2022 the capital was Nur-Sultan.
        assert_eq!(
            unit_name("2022-06-05", "KZ-AST", "city", Lang::Ru).as_deref(),
            Some("Нур-Султан")
        );
    }
}
