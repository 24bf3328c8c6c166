//! Protocol lines: the named numbers of a polling-station protocol (law reference §8.1), and
//! option lines (one per party, candidate, `yes`/`no`, or "against all").

use std::fmt;

/// The fixed lines of a protocol. Everything else on a protocol is an option's votes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolLine {
    /// Voters on the lists.
    Registered,
    /// Ballots received by the commission.
    BallotsReceived,
    /// Ballots issued to voters = voters who took part. Turnout is issued / registered
    /// (law reference §8.1, \[S43\]\[S8\], H).
    BallotsIssued,
    /// Unused ballots cancelled before the count.
    BallotsCancelled,
    /// Ballots found in the boxes (stationary + mobile).
    BallotsFound,
    /// Invalid ballots.
    Invalid,
    /// Referendum only: valid but not counted (both options marked) (§1, \[S21\], H).
    NotCounted,
    /// Voters who voted with an absentee certificate (law reference §8.1, H).
    Absentee,
    /// Voters who voted outside the premises (mobile box) (law reference §8.1, H).
    Mobile,
    /// Absentee certificates presented at the station (check R6: `absentee` cannot exceed it;
    /// law reference §8.2 R6, §8.5, M). Added after the nine original lines, so every earlier
    /// column keeps its number.
    AbsenteeCertificates,
    /// Written applications to vote outside the premises (check R6: `mobile` cannot exceed it;
    /// law reference §8.2 R6, §8.5, M).
    MobileApplications,
}

impl ProtocolLine {
    /// All protocol lines, in their canonical order (their index is their column in
    /// [`crate::counts::ContestCounts`] rows). New lines are only ever appended, so the column
    /// of an existing protocol line never moves.
    pub const ALL: [ProtocolLine; 11] = [
        ProtocolLine::Registered,
        ProtocolLine::BallotsReceived,
        ProtocolLine::BallotsIssued,
        ProtocolLine::BallotsCancelled,
        ProtocolLine::BallotsFound,
        ProtocolLine::Invalid,
        ProtocolLine::NotCounted,
        ProtocolLine::Absentee,
        ProtocolLine::Mobile,
        ProtocolLine::AbsenteeCertificates,
        ProtocolLine::MobileApplications,
    ];

    /// Number of protocol lines.
    pub const COUNT: usize = ProtocolLine::ALL.len();

    /// The counts.csv spelling.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolLine::Registered => "registered",
            ProtocolLine::BallotsReceived => "ballots_received",
            ProtocolLine::BallotsIssued => "ballots_issued",
            ProtocolLine::BallotsCancelled => "ballots_cancelled",
            ProtocolLine::BallotsFound => "ballots_found",
            ProtocolLine::Invalid => "invalid",
            ProtocolLine::NotCounted => "not_counted",
            ProtocolLine::Absentee => "absentee",
            ProtocolLine::Mobile => "mobile",
            ProtocolLine::AbsenteeCertificates => "absentee_certificates",
            ProtocolLine::MobileApplications => "mobile_applications",
        }
    }

    /// Parses the counts.csv spelling.
    pub fn from_name(s: &str) -> Option<ProtocolLine> {
        ProtocolLine::ALL.into_iter().find(|l| l.name() == s)
    }

    /// Column of this line in a contest's row.
    pub fn column(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ProtocolLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A column of a contest's protocol: a fixed line or the votes of option `n` (package order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Line {
    /// A fixed protocol line.
    Protocol(ProtocolLine),
    /// Votes for the option at this index of the contest's options.
    Option(usize),
}

impl Line {
    /// Column in a contest row: protocol lines first, then options.
    pub fn column(self) -> usize {
        match self {
            Line::Protocol(p) => p.column(),
            Line::Option(i) => ProtocolLine::COUNT + i,
        }
    }

    /// Inverse of [`Line::column`].
    pub fn from_column(col: usize) -> Line {
        if col < ProtocolLine::COUNT {
            Line::Protocol(ProtocolLine::ALL[col])
        } else {
            Line::Option(col - ProtocolLine::COUNT)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_of_existing_lines_never_move() {
        // The nine original lines keep columns 0–8; lines added later are appended.
        let names: Vec<&str> = ProtocolLine::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(
            names,
            [
                "registered",
                "ballots_received",
                "ballots_issued",
                "ballots_cancelled",
                "ballots_found",
                "invalid",
                "not_counted",
                "absentee",
                "mobile",
                "absentee_certificates",
                "mobile_applications",
            ]
        );
        for (i, l) in ProtocolLine::ALL.iter().enumerate() {
            assert_eq!(l.column(), i);
            assert_eq!(ProtocolLine::from_name(l.name()), Some(*l));
            assert_eq!(Line::from_column(Line::Protocol(*l).column()), Line::Protocol(*l));
        }
        assert_eq!(Line::Option(0).column(), ProtocolLine::COUNT);
    }
}
