//! The commitment published before the audit's seed is drawn (Arlo issue #2351; P. B. Stark,
//! "Evidence-based elections": the sample must not be predictable when the data it checks is
//! fixed): the record's checkpoint (taken as opaque text: the signed tree head of the record),
//! the manifest of batches with their error bounds, the assertions with their margins, and the
//! audit parameters, each with its SHA-256, and the SHA-256 of that list, the bundle's digest.
//! After the digest is public, the seed is drawn in public (dice); anyone can then recompute the
//! sample from the bundle and the seed, and check that nothing in the bundle changed.

use sha2::{Digest, Sha256};

use crate::assertions::AssertionMargin;
use crate::macro_audit::MacroAudit;

/// The files of a bundle, in commitment order.
pub const FILES: [&str; 4] =
    ["checkpoint.txt", "manifest.csv", "assertions.csv", "parameters.toml"];

/// The name of the commitment file.
pub const COMMITMENT: &str = "commitment.txt";

/// A commitment bundle: its files and the commitment listing their hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// `(name, text)` of every file in [`FILES`] order.
    pub files: Vec<(&'static str, String)>,
    /// Text of `commitment.txt`.
    pub commitment: String,
    /// SHA-256 of `commitment.txt`: the value to publish before the seed is drawn.
    pub digest: String,
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Builds the commitment over the four texts.
pub fn make_bundle(checkpoint: &str, manifest: &str, assertions: &str, parameters: &str) -> Bundle {
    let files = vec![
        (FILES[0], checkpoint.to_owned()),
        (FILES[1], manifest.to_owned()),
        (FILES[2], assertions.to_owned()),
        (FILES[3], parameters.to_owned()),
    ];
    let mut commitment = String::from(
        "# Ashyq audit commitment: SHA-256 of each file of this bundle. Publish the SHA-256 of this\n# file before the seed is drawn; the sample is a function of the bundle and the seed only.\n",
    );
    for (name, text) in &files {
        commitment.push_str(&format!("{}  {name}\n", sha256(text)));
    }
    let digest = sha256(&commitment);
    Bundle { files, commitment, digest }
}

/// Checks files read back against a commitment: every listed file present with its hash.
/// Returns the digest, or one sentence per problem.
pub fn verify_bundle(files: &[(String, String)], commitment: &str) -> Result<String, Vec<String>> {
    let mut problems = Vec::new();
    let mut listed = 0;
    for line in commitment.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let Some((hash, name)) = line.split_once("  ") else {
            problems.push(format!("{COMMITMENT}: the line \"{line}\" is not \"SHA256  NAME\""));
            continue;
        };
        listed += 1;
        match files.iter().find(|(n, _)| n == name) {
            None => problems.push(format!("{name} is listed in {COMMITMENT} but missing")),
            Some((_, text)) if sha256(text) != hash => problems.push(format!(
                "{name} has changed since the commitment: SHA-256 {} instead of {hash}",
                sha256(text)
            )),
            Some(_) => {}
        }
    }
    if listed != FILES.len() {
        problems.push(format!("{COMMITMENT} lists {listed} files instead of {}", FILES.len()));
    }
    if problems.is_empty() {
        Ok(sha256(commitment))
    } else {
        Err(problems)
    }
}

/// `manifest.csv`: one line per batch in manifest (sampling) order: station, ballots, error
/// bound u_p as an exact fraction.
pub fn manifest_csv(audit: &MacroAudit) -> String {
    let mut s = String::from("batch,ballots,error_bound\n");
    for b in &audit.batches {
        s.push_str(&format!("{},{},{}\n", b.id, b.ballots, b.error_bound.text()));
    }
    s
}

/// `assertions.csv`: every assertion with its linear form, so that anyone can recompute the
/// margins and error bounds from the protocols: `coefficients` lists `option:c` pairs.
pub fn assertions_csv(
    margins: &[AssertionMargin],
    option_ids: &[String],
    unit_ids: &dyn Fn(usize) -> String,
) -> String {
    let mut s = String::from(
        "assertion,unit,per_ballot,coefficients,margin,ballots,ballots_to_flip,text\n",
    );
    for (k, m) in margins.iter().enumerate() {
        let a = &m.assertion;
        let coefs: Vec<String> = a
            .coefficients
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != 0)
            .map(|(j, c)| format!("{}:{c}", option_ids[j]))
            .collect();
        s.push_str(&format!(
            "{},{},{},{},{},{},{},\"{}\"\n",
            k + 1,
            unit_ids(a.unit),
            a.per_ballot,
            coefs.join(" "),
            m.total,
            m.ballots,
            m.ballots_to_flip,
            a.text.replace('"', "\"\"")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_detects_any_change() {
        let b = make_bundle(
            "checkpoint\n",
            "batch,ballots,error_bound\nS1,10,1/2\n",
            "a\n",
            "risk_limit = 5\n",
        );
        let files: Vec<(String, String)> =
            b.files.iter().map(|(n, t)| (n.to_string(), t.clone())).collect();
        assert_eq!(verify_bundle(&files, &b.commitment), Ok(b.digest.clone()));
        let mut changed = files.clone();
        changed[1].1.push_str("S2,5,1/3\n");
        let err = verify_bundle(&changed, &b.commitment).unwrap_err();
        assert!(err[0].starts_with("manifest.csv has changed"), "{err:?}");
        let missing: Vec<(String, String)> = files[..3].to_vec();
        assert!(verify_bundle(&missing, &b.commitment).is_err());
        assert_ne!(make_bundle("checkpoint 2\n", "", "", "").digest, b.digest);
    }
}
