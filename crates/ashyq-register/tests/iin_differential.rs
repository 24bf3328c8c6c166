//! Differential test of `ashyq_core::iin` against the independent Python package
//! `kz-iin-validator` (PyPI 0.7.1) via `scripts/differential_iin.py`, on 200,000 inputs drawn
//! from a fixed seed: uniformly random 12-digit strings (mostly invalid), valid IINs built from
//! random dates and serials, the same with one digit changed, every century digit, 29 February
//! in leap and common years, wrong lengths and letters.
//!
//! Skipped (stderr says so) without the package, except under CI (`CI` set), where it fails.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use ashyq_core::iin::{check_digit, Iin, IinError, Sex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CASES: usize = 200_000;
const SEED: u64 = 20_261_127;

fn python_has_package() -> bool {
    Command::new("python3")
        .args(["-c", "import kz_iin_validator"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

fn input(rng: &mut ChaCha8Rng) -> String {
    match rng.gen_range(0..10) {
        0..=2 => digits(rng, 12),
        3..=6 => {
            // A valid IIN (when the serial has a check digit), maybe with one digit changed.
            let year = rng.gen_range(1800..2100u16);
            let month = rng.gen_range(1..=12u8);
            let day = rng.gen_range(1..=ashyq_core::iin::days_in_month(year, month));
            let c = (year / 100 - 18) as u8 * 2 + 1 + rng.gen_range(0..2u8);
            let serial = rng.gen_range(0..10_000u16);
            let yy = (year % 100) as u8;
            let p = [
                yy / 10,
                yy % 10,
                month / 10,
                month % 10,
                day / 10,
                day % 10,
                c,
                (serial / 1000) as u8,
                (serial / 100 % 10) as u8,
                (serial / 10 % 10) as u8,
                (serial % 10) as u8,
            ];
            let k = check_digit(&p).unwrap_or(rng.gen_range(0..10));
            let mut s: Vec<u8> = p.iter().chain(std::iter::once(&k)).map(|d| b'0' + d).collect();
            if rng.gen_bool(0.4) {
                let pos = rng.gen_range(0..12);
                s[pos] = b'0' + rng.gen_range(0..10u8);
            }
            String::from_utf8(s).unwrap_or_default()
        }
        7 => {
            // 29 February of a random year with a random century digit.
            let yy = rng.gen_range(0..100u8);
            format!("{yy:02}0229{}{}", rng.gen_range(0..10u8), digits(rng, 5))
        }
        8 => {
            let n = [0usize, 1, 11, 13, 24][rng.gen_range(0..5)];
            digits(rng, n)
        }
        _ => {
            let mut s = digits(rng, 12).into_bytes();
            s[rng.gen_range(0..12)] = [b'a', b'O', b' ', b'-', b'+'][rng.gen_range(0..5)];
            String::from_utf8(s).unwrap_or_default()
        }
    }
}

/// The package's exception class for each of our errors.
fn class(e: &IinError) -> &'static str {
    match e {
        IinError::Length { .. } | IinError::NotDigit { .. } => "NonValidIINValue",
        IinError::NotAPerson { .. } | IinError::Date { .. } => "IINParseError",
        IinError::NeverIssued => "NonActiveIIN",
        IinError::CheckDigit { .. } => "IncorrectIINChecksum",
    }
}

#[test]
fn agrees_with_kz_iin_validator() {
    if !python_has_package() {
        let how = "install it with `pip install kz-iin-validator==0.7.1` (python3 must be on PATH)";
        if std::env::var_os("CI").is_some() {
            panic!("python package kz-iin-validator not installed; {how}");
        }
        eprintln!("skipped: python package kz-iin-validator not installed; {how}");
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    // An empty input would be an empty line, which the driver skips.
    let inputs: Vec<String> =
        (0..CASES).map(|_| input(&mut rng)).filter(|s| !s.is_empty()).collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/differential_iin.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    let mut stdin = child.stdin.take().expect("stdin");
    let text = inputs.join("\n");
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("python output");
    writer.join().expect("writer").expect("write inputs");
    assert!(out.status.success(), "driver failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let answers: Vec<&str> = stdout.lines().collect();
    assert_eq!(answers.len(), inputs.len());
    let (mut valid, mut disagreements) = (0usize, Vec::new());
    for (inp, theirs) in inputs.iter().zip(&answers) {
        let ours = match Iin::parse(inp) {
            Ok(iin) => {
                valid += 1;
                let sex = if iin.sex() == Sex::Male { "M" } else { "F" };
                format!("ok,{},{sex}", iin.birth_date())
            }
            Err(e) => format!("err,{}", class(&e)),
        };
        if ours != *theirs {
            disagreements.push(format!("{inp}: ours {ours}, theirs {theirs}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first: {:?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(10)]
    );
    // The inputs exercise both sides.
    assert!(valid > 30_000 && valid < inputs.len() / 2, "{valid} valid of {}", inputs.len());
    eprintln!("kz-iin-validator agrees on {} inputs ({valid} valid)", inputs.len());
}
