//! Georgian CEC precinct results of the 26 October 2024 parliamentary election (proportional
//! part), as scraped from results.cec.gov.ge by foige (github.com/foige/georgian-elections-data,
//! `data/2024-parliamentary-round-1/cec_scrape_proportional.csv`, MIT). Column meanings are those
//! of that folder's README: `district_id`, `district_alt_id`, `division_id` (precinct),
//! `total_registered_voters`, `participated_cec` (CEC turnout), `c_participated` (CEC turnout,
//! else OCR of the protocol image), OCR'd `invalid_ballots`, `total_votes` (valid) and
//! `CANDn` = votes of the party with ballot number n.

use std::path::Path;

use ashyq_core::election::{ContestInfo, OptionInfo};
use ashyq_core::ids::check_id_syntax;
use ashyq_core::line::ProtocolLine;

use super::{display_name, grouped, open_input, parse_count, ConvertError, Draft, Progress};

/// Party names by ballot number (2024), from the dataset README (Georgian as on the ballot).
const PARTIES_2024: &[(u32, &str)] = &[
    (3, "საქართველოს ერთობისა და განვითარების პარტია"),
    (4, "კოალიცია ცვლილებისთვის გვარამია მელია გირჩი დროა"),
    (5, "ერთიანობა-ნაციონალური მოძრაობა"),
    (6, "ევროპელი დემოკრატები"),
    (8, "საქართველოს პატრიოტთა ალიანსი"),
    (9, "ძლიერი საქართველო-ლელო, ხალხისთვის, თავისუფლებისთვის!"),
    (10, "საქართველოს ლეიბორისტული პარტია"),
    (12, "ჩვენი გაერთიანებული საქართველო"),
    (16, "შეცვალე საქართველო"),
    (17, "საქართველო"),
    (20, "თავისუფალი საქართველო"),
    (21, "ტრიბუნა"),
    (23, "ჩვენ"),
    (25, "გახარია საქართველოსთვის"),
    (26, "მემარცხენე ალიანსი"),
    (27, "ქართველ ერთობა"),
    (36, "გირჩი"),
    (41, "ქართული ოცნება"),
];

pub(crate) fn read(path: &Path, progress: Progress<'_>) -> Result<Draft, ConvertError> {
    let file = display_name(path);
    let input = open_input(path)?;
    let size = input.size;
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(input.reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| ConvertError::at(&file, 1, None, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            ConvertError::at(
                &file,
                1,
                Some(name),
                format!(
                    "the header lacks the column {name}: not a foige cec_scrape_proportional file"
                ),
            )
        })
    };
    let c_district = col("district_id")?;
    let c_district_name = col("district_alt_id")?;
    let c_division = col("division_id")?;
    let c_registered = col("total_registered_voters")?;
    let c_participated = col("c_participated")?;
    let c_valid = col("total_votes")?;
    let c_election = col("election_numeric_id")?;
    let c_address = headers.iter().position(|h| h == "address_1");
    let c_ocr_invalid = headers.iter().position(|h| h == "c_invalid_ballots");
    let mut options = Vec::new();
    let mut option_cols = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(n) = h
            .strip_prefix("CAND")
            .and_then(|n| n.trim_start_matches('_').split('_').next()?.parse::<u32>().ok())
        {
            let name = PARTIES_2024
                .iter()
                .find(|(k, _)| *k == n)
                .map_or_else(|| h.clone(), |(_, s)| (*s).to_owned());
            options.push(OptionInfo {
                id: format!("party-{n}"),
                name,
                registered: None,
                kind: None,
                list_length: None,
            });
            option_cols.push(i);
        }
    }
    if options.is_empty() {
        return Err(ConvertError::at(&file, 1, None, "the header has no CANDn party column"));
    }
    let mut draft = Draft::new(&file);
    draft.unit("GE", "", "country", "საქართველო");
    let n_cols = ProtocolLine::COUNT + options.len();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut missing_participation = Vec::new();
    let mut valid_mismatch = 0u64;
    let mut ocr_invalid_sum = 0u64;
    let mut election_id: Option<String> = None;
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(ConvertError::at(&file, line, None, format!("malformed CSV: {e}")));
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let num = |i: usize| {
            parse_count(get(i).as_bytes()).ok_or_else(|| {
                ConvertError::at(
                    &file,
                    line,
                    Some(&headers[i]),
                    format!("field {}: \"{}\" is not a non-negative integer", headers[i], get(i)),
                )
            })
        };
        let e = get(c_election).to_owned();
        match &election_id {
            None => election_id = Some(e),
            Some(prev) if *prev != e => {
                return Err(ConvertError::at(&file, line, Some("election_numeric_id"), format!("field election_numeric_id: \"{e}\" differs from \"{prev}\" on earlier rows: one file must hold one election")));
            }
            Some(_) => {}
        }
        let district = get(c_district);
        let d_id = format!("GE-{district}");
        if check_id_syntax(&d_id).is_err() {
            return Err(ConvertError::at(&file, line, Some("district_id"), format!("field district_id: \"{district}\" cannot form an id (ASCII letters, digits, - _ . : only)")));
        }
        draft.unit(&d_id, "GE", "district", get(c_district_name));
        let division = get(c_division);
        let p_id = format!("GE-{division}");
        if check_id_syntax(&p_id).is_err() {
            return Err(ConvertError::at(&file, line, Some("division_id"), format!("field division_id: \"{division}\" cannot form an id (ASCII letters, digits, - _ . : only)")));
        }
        if draft.unit_index(&p_id).is_some() {
            return Err(ConvertError::at(
                &file,
                line,
                Some("division_id"),
                format!("field division_id: precinct \"{division}\" appears twice"),
            ));
        }
        let name = c_address
            .map(get)
            .filter(|a| !a.is_empty())
            .map_or_else(|| division.to_owned(), |a| format!("{division} {a}"));
        let p = draft.unit(&p_id, &d_id, "precinct", &name);
        let mut row = vec![None; n_cols];
        row[ProtocolLine::Registered.column()] = Some(num(c_registered)?);
        if get(c_participated).is_empty() {
            missing_participation.push(division.to_owned());
        } else {
            row[ProtocolLine::BallotsIssued.column()] = Some(num(c_participated)?);
        }
        let mut sum = 0u64;
        for (oi, &c) in option_cols.iter().enumerate() {
            let v = num(c)?;
            sum += v;
            row[ProtocolLine::COUNT + oi] = Some(v);
        }
        if num(c_valid)? != sum {
            valid_mismatch += 1;
        }
        if let Some(c) = c_ocr_invalid {
            if let Some(v) = parse_count(get(c).as_bytes()) {
                ocr_invalid_sum += v;
            }
        }
        rows.push((p, row));
    }
    progress(size, size);
    if rows.is_empty() {
        return Err(ConvertError::file(&file, "the file has a header but no precinct rows"));
    }
    let (date, name) = match election_id.as_deref() {
        Some("57") => ("2024-10-26", "არჩევნები საქართველოს პარლამენტში, 2024-10-26 (პროპორციული)"),
        other => {
            return Err(ConvertError::at(&file, 2, Some("election_numeric_id"), format!("field election_numeric_id: unknown election \"{}\"; known: 57 (parliamentary, 26 October 2024)", other.unwrap_or(""))));
        }
    };
    let n = rows.len();
    draft.comments = vec![
        format!("Converted by `ashyq convert --from georgia-cec` from {file}: {n} precincts of the Georgian"),
        "CEC's 26 Oct 2024 parliamentary election (proportional part), scraped from results.cec.gov.ge by".to_owned(),
        "foige, https://github.com/foige/georgian-elections-data (MIT). A near-final preliminary scrape.".to_owned(),
        "Rules \"none\": foreign data. seats = 150 (all proportional in 2024).".to_owned(),
        "Mapping: registered = total_registered_voters; ballots_issued = c_participated (CEC turnout,".to_owned(),
        "or the OCR of the protocol image where the CEC gave none: abroad precincts); party-N = CANDN.".to_owned(),
        format!(
            "Absent (unknown, not zero): ballots_issued of {} abroad precincts with neither: {}.",
            missing_participation.len(),
            missing_participation.join(" ")
        ),
        format!(
            "Not mapped: total_votes (valid; = sum of CAND columns at {} of {n} precincts); invalid ballots",
            n as u64 - valid_mismatch
        ),
        format!(
            "(only OCR'd from protocol images, often inconsistent with participated - valid; OCR sum {}); ",
            grouped(ocr_invalid_sum)
        ),
        "registered/participated by sex; coordinates; OCR confidence columns.".to_owned(),
        "Units: GE -> district (GE-<district_id>) -> precinct (GE-<division_id>).".to_owned(),
    ];
    draft.info.id = format!("ge-{date}");
    draft.info.name = name.to_owned();
    draft.info.date = date.to_owned();
    draft.info.rules = "none".to_owned();
    draft.info.contests = vec![ContestInfo {
        id: "parliament-proportional".to_owned(),
        kind: "party-list".to_owned(),
        name: Some("საქართველოს პარლამენტი, პროპორციული სისტემა".to_owned()),
        territory: "GE".to_owned(),
        seats: Some(150),
        options,
        ..Default::default()
    }];
    draft.rows = vec![rows];
    Ok(draft)
}
