//! Plausibility warnings on a station protocol (codes W1–W3 of core's catalogue, run by
//! [`ashyq_core::checks::check_protocol`] for stations): possible, but unusual enough that a
//! person must acknowledge them before the protocol is accepted.

pub use ashyq_core::checks::PlausibilityLimits;
