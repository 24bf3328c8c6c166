//! `/api/v1/register/…`: the voter register by role, and the registration checks (issue 12
//! items 4 and 5; `docs/registers.md`).
//!
//! **Invariant: no personal data on any public endpoint.** The register (names, IINs, dates of
//! birth) lives in its own database ([`ashyq_store::register::RegisterStore`], `--register-db`),
//! never in the record. Every request that reads it needs a bearer token whose role
//! [`ashyq_register::privacy::allowed`] admits (401 without one, 403 when the role may not), and
//! what it returns is at most a station id and counts: no endpoint returns a name, an IIN or a
//! date of birth. The registration checks (`…/checks/…`) are public: they read only the
//! document sent with the request and return the rules it fails.
//!
//! Roles: a `cec` token acts for the commission that operates the register, `commission` for a
//! territorial or precinct commission (its counts are limited to its unit), `observer` for an
//! accredited observer; a request without a token is the public.

use std::collections::BTreeSet;
use std::sync::Arc;

use ashyq_register::candidates::{check_candidate, check_signatures, CandidateFile, Office};
use ashyq_register::lists::{check_list, check_mandates, ListCandidate, MandateChoice};
use ashyq_register::parties::{check_party, PartyApplication, PartyRules};
use ashyq_register::privacy::{self, membership_digest, RegisterRequest};
use ashyq_register::{Date, Finding, Findings, Iin};
use ashyq_store::register::{RegisterImportRecord, RegisterStore};
use ashyq_store::{Role, StoreError, TokenInfo};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::api::authenticate;
use crate::error::{ApiError, ErrorBody};
use crate::limit::{Limiter, Rate};
use crate::pool::Pool;
use crate::AppState;

/// Membership questions per token: a burst of 60, then one a second. A membership answer is
/// about one person; the limit lets an observer check the voters they have doubts about and
/// stops a token from sweeping the register (every valid IIN of a birth date, say).
pub const MEMBERSHIP_RATE: Rate = Rate { per_second: 1.0, burst: 60.0 };

/// The register as the server reaches it: a pool of connections to the register database and
/// the membership limiter.
#[derive(Clone)]
pub struct Register {
    pool: Pool<RegisterStore>,
    membership: Arc<Limiter>,
}

impl Register {
    /// Opens `connections` (at least one) connections to an existing register database
    /// (`sqlite:PATH` or `postgres://…`; never the record's). Open it outside the async runtime:
    /// the synchronous PostgreSQL client runs a runtime of its own.
    pub fn open(url: &str, connections: usize) -> Result<Register, StoreError> {
        let stores = (0..connections.max(1))
            .map(|_| RegisterStore::open_existing(url))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Register {
            pool: Pool::from_stores(stores),
            membership: Arc::new(Limiter::new(MEMBERSHIP_RATE)),
        })
    }
}

/// Every register route, each with its body limit.
pub fn routes() -> Router<AppState> {
    let reads = Router::new()
        .route("/api/v1/register/stations", get(stations))
        .route("/api/v1/register/membership", post(membership))
        .layer(DefaultBodyLimit::max(4 * 1024));
    let checks = Router::new()
        .route("/api/v1/register/checks/party", post(check_party_route))
        .route("/api/v1/register/checks/list", post(check_list_route))
        .route("/api/v1/register/checks/mandates", post(check_mandates_route))
        .route("/api/v1/register/checks/candidate", post(check_candidate_route))
        .route("/api/v1/register/checks/nomination", post(check_nomination_route))
        .layer(DefaultBodyLimit::max(1024 * 1024));
    reads.merge(checks)
}

/// The register's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        stations,
        membership,
        check_party_route,
        check_list_route,
        check_mandates_route,
        check_candidate_route,
        check_nomination_route
    ),
    components(schemas(
        StationCountsJson,
        StationCount,
        RegisterImportJson,
        MembershipQuestion,
        MembershipAnswer,
        MembershipStatus,
        PartyCheck,
        ListCheck,
        MandatesCheck,
        CandidateCheck,
        NominationCheck,
        RegionSignatures,
        Findings,
        Finding,
        ashyq_register::Verdict,
        PartyApplication,
        ashyq_register::parties::Branch,
        ListCandidate,
        CandidateFile,
        Office
    ))
)]
pub struct RegisterDoc;

/// Adds the register's paths and schemas to the API's OpenAPI document.
pub struct RegisterPaths;

impl utoipa::Modify for RegisterPaths {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.merge(RegisterDoc::openapi());
    }
}

/// The register's policy role of a token: the CEC operates the register, so a `cec` token
/// acts as the commission.
fn policy_role(token: &TokenInfo) -> privacy::Role {
    match token.role {
        Role::Cec | Role::Commission => privacy::Role::Commission,
        Role::Observer => privacy::Role::Observer,
    }
}

/// The token of a register request, if its role may make `request` (401 without a token,
/// 403 when the role may not).
async fn admitted(
    state: &AppState,
    headers: &HeaderMap,
    request: RegisterRequest,
    what: &str,
) -> Result<TokenInfo, ApiError> {
    if !headers.contains_key(header::AUTHORIZATION) {
        // The public: privacy::allowed(Public, _) is false for every request.
        return Err(ApiError::unauthorized(format!(
            "{what} is for commissions and accredited observers: this request needs a bearer token (Authorization: Bearer …); the register is personal data and nothing of it is public"
        )));
    }
    let token = authenticate(state, headers).await?;
    if !privacy::allowed(policy_role(&token), request) {
        return Err(ApiError::forbidden(format!(
            "a {} token may not ask for {what}",
            token.role.name()
        )));
    }
    Ok(token)
}

fn register(state: &AppState) -> Result<&Register, ApiError> {
    state.register.as_ref().ok_or_else(|| {
        ApiError::not_found(
            "this server has no voter register: it runs without --register-db (the register is a database of its own, filled by `ashyq register import`)",
        )
    })
}

fn no_register_imported() -> ApiError {
    ApiError::not_found(
        "the register database holds no register yet: `ashyq register import` fills it",
    )
}

/// Answers that name what the register holds are never cached by intermediaries.
fn private(body: impl Serialize) -> Response {
    let mut resp = Json(body).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Which register the answer comes from.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegisterImportJson {
    /// The import's number (1 = first); the membership salt changes with every import.
    pub import: i64,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// The election day the voters' ages were checked against (YYYY-MM-DD).
    pub election_date: String,
}

impl From<RegisterImportRecord> for RegisterImportJson {
    fn from(r: RegisterImportRecord) -> Self {
        RegisterImportJson {
            import: r.seq,
            imported_at: r.imported_at,
            election_date: r.election_date,
        }
    }
}

/// Voters registered at one polling station.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StationCount {
    /// The station's id (a unit id of the elections, as in the register's stations file).
    pub station: String,
    /// Voters on the register there.
    pub registered: u64,
}

/// `GET /api/v1/register/stations`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StationCountsJson {
    /// The unit the counts are limited to (a commission token's), or `null`: every station.
    pub scope: Option<String>,
    /// Every station of the register (within the scope), by id; stations without voters too.
    pub stations: Vec<StationCount>,
    /// Voters at the stations listed.
    pub total: u64,
    /// The register they come from.
    pub register: RegisterImportJson,
}

/// The unit ids within a commission token's unit, from every election of the record that has
/// that unit (the token's election only, when it has one); `None`: every station (`cec` and
/// `observer` tokens, per the policy in [`stations`]).
fn station_scope(
    state: &AppState,
    token: &TokenInfo,
) -> Result<Option<BTreeSet<String>>, ApiError> {
    let (Role::Commission, Some(unit)) = (token.role, &token.unit) else { return Ok(None) };
    let elections = match &token.election {
        Some(e) => vec![e.clone()],
        None => state.views.elections(),
    };
    let mut inside = BTreeSet::new();
    let mut found = false;
    for e in elections {
        let Some(s) = state.views.get(&e) else { continue };
        let Some(root) = s.tree.index_of(unit) else { continue };
        found = true;
        inside.extend(
            s.tree.subtree(root).into_iter().map(|u| s.tree.unit(u).id.as_str().to_owned()),
        );
    }
    if !found {
        return Err(ApiError::forbidden(format!(
            "this token is scoped to unit {unit}, which is in no election of the record, so its polling stations are not known"
        )));
    }
    Ok(Some(inside))
}

/// `GET /api/v1/register/stations`: voters registered at each polling station, and their
/// total — the numbers the protocols' `registered` line starts from.
///
/// Who may ask ([`privacy::allowed`] with `StationCounts`): `cec` and `observer` tokens get
/// every station — counts are not personal data, and observers compare them with the
/// protocols of any station; a `commission` token gets the stations inside its unit only (the
/// commission it stands for works there). Without a token: 401 — the register is never
/// public, even as counts (the public sees the `registered` line of each protocol in the
/// record). 404 when the server has no register (`--register-db`) or nothing was imported.
#[utoipa::path(get, path = "/api/v1/register/stations",
    responses((status = 200, body = StationCountsJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stations(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = admitted(
        &state,
        &headers,
        RegisterRequest::StationCounts,
        "the register's counts per station",
    )
    .await?;
    let reg = register(&state)?;
    let scope = station_scope(&state, &token)?;
    let (counts, latest) =
        reg.pool.run(|store| Ok((store.station_counts()?, store.imports()?.pop()))).await?;
    let latest = latest.ok_or_else(no_register_imported)?;
    let stations: Vec<StationCount> = counts
        .into_iter()
        .filter(|(s, _)| scope.as_ref().is_none_or(|inside| inside.contains(s)))
        .map(|(station, registered)| StationCount { station, registered })
        .collect();
    let total = stations.iter().map(|s| s.registered).sum();
    Ok(private(StationCountsJson {
        scope: scope.and(token.unit.clone()),
        stations,
        total,
        register: latest.into(),
    }))
}

/// `POST /api/v1/register/membership`: exactly one of the two keys.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipQuestion {
    /// The 12-digit IIN; the server computes its salted digest with the current register's salt
    /// (the IIN is neither stored nor logged).
    pub iin: Option<String>,
    /// The salted digest computed by the asker, 64 hex digits:
    /// `SHA-256("ashyq register membership v1\0" ‖ salt ‖ the 12 digits)` with the salt of the
    /// current register (the IIN never leaves the asker).
    pub digest: Option<String>,
}

/// Whether the voter is on the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MembershipStatus {
    /// On the register, at `station`.
    Registered,
    /// Not on the register (or, for a digest, computed with another register's salt).
    Absent,
}

/// The answer: a station or "not on the register", never a name or a date of birth.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MembershipAnswer {
    /// `registered` or `absent`.
    pub status: MembershipStatus,
    /// The polling station, when registered.
    pub station: Option<String>,
    /// A sentence.
    pub message: String,
    /// The register asked (digests are salted per import: a digest made with an earlier
    /// import's salt is absent from this one).
    pub register: RegisterImportJson,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("{field}: {message}"))
}

/// `POST /api/v1/register/membership` with `{"iin": "…"}` or `{"digest": "…"}`: is this voter
/// on the register, and at which station?
///
/// Who may ask ([`privacy::allowed`] with `Membership`): `cec`, `commission` and `observer`
/// tokens; not the public (401). An IIN is widely known (it is printed on documents and serves
/// as the tax number), so a public membership answer would tell anyone where any person is
/// registered to vote, that is roughly where they live: personal data. Commissions need the
/// answer to run the lists (a voter at the wrong station, an additional list), and accredited
/// observers to check entries they doubt (the dead, the departed, people on two lists). The
/// answer is a station id or "not on the register", never a name or a date of birth; the
/// asker's token, role and the answer's status are logged (never the IIN or the digest), and
/// each token may ask [`MEMBERSHIP_RATE`] questions (429 beyond), apart from the limit per
/// client address every endpoint has.
#[utoipa::path(post, path = "/api/v1/register/membership", request_body = MembershipQuestion,
    responses((status = 200, body = MembershipAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn membership(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token =
        admitted(&state, &headers, RegisterRequest::Membership, "a membership check").await?;
    let reg = register(&state)?;
    if !reg.membership.allow(&token.id) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "this token asks too many membership questions (at most {} at once, then {} a second); slow down",
                MEMBERSHIP_RATE.burst, MEMBERSHIP_RATE.per_second
            ),
        ));
    }
    let q: MembershipQuestion = parse(&body)?;
    let question = match (q.iin, q.digest) {
        (Some(iin), None) => Question::Iin(Iin::parse(iin.trim()).map_err(|e| invalid("iin", e))?),
        (None, Some(d)) => {
            let d = d.trim().to_ascii_lowercase();
            if d.len() != 64 || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid("digest", "a membership digest is 64 hex digits"));
            }
            Question::Digest(d)
        }
        _ => return Err(invalid("the body", "give exactly one of iin and digest")),
    };
    let (station, latest) = reg
        .pool
        .run(move |store| {
            let Some(latest) = store.imports()?.pop() else { return Err(no_register_imported()) };
            let digest = match question {
                Question::Digest(d) => d,
                Question::Iin(iin) => {
                    let salt = store.salt()?.ok_or_else(no_register_imported)?;
                    let salt =
                        hex::decode(salt).map_err(|e| ApiError::internal("register salt", e))?;
                    membership_digest(&salt, iin)
                }
            };
            Ok((store.membership(&digest)?, latest))
        })
        .await?;
    let status =
        if station.is_some() { MembershipStatus::Registered } else { MembershipStatus::Absent };
    tracing::info!(token = %token.id, role = token.role.name(), answer = ?status, "register membership question");
    let message = match &station {
        Some(s) => format!("registered at polling station {s}"),
        None => "not on the register".to_owned(),
    };
    Ok(private(MembershipAnswer { status, station, message, register: latest.into() }))
}

enum Question {
    Iin(Iin),
    Digest(String),
}

/// Parses a JSON body: 400 when it is not JSON, 422 naming the field when a field is missing,
/// unknown or of the wrong kind.
fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, ApiError> {
    let not_json =
        |e: serde_json::Error| ApiError::bad_request(format!("the request body is not JSON: {e}"));
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            invalid(if path == "." { "the body" } else { &path }, inner)
        } else {
            not_json(inner)
        }
    })?;
    de.end().map_err(not_json)?;
    Ok(value)
}

/// Runs a check off the async threads (a body may hold thousands of candidates).
async fn checked(
    f: impl FnOnce() -> Result<Vec<Finding>, ApiError> + Send + 'static,
) -> Result<Json<Findings>, ApiError> {
    let findings =
        tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal("check task", e))??;
    Ok(Json(Findings::from(findings)))
}

fn regions_of(regions: &[String]) -> Result<(), ApiError> {
    if regions.is_empty() {
        return Err(invalid(
            "regions",
            "the list is empty; give the regions (a package's root's children: 20 since June 2022)",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, r) in regions.iter().enumerate() {
        if !seen.insert(r.as_str()) {
            return Err(invalid(&format!("regions[{i}]"), format!("{r} is listed twice")));
        }
    }
    Ok(())
}

/// `POST …/checks/party`: what `ashyq party check PARTY.toml --units UNITS.csv --on D --rules R`
/// takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyCheck {
    /// The party's registration file.
    pub party: PartyApplication,
    /// The regions, each of which needs a branch (the root's children of a package's
    /// units.csv: 20 since 8 June 2022).
    pub regions: Vec<String>,
    /// The day of the check (a branch not yet registered fails only once its term is over).
    #[serde(with = "ashyq_register::serde_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    /// Thresholds: `kz-2022` (the default: 5,000 / 200 / 700, 3 and 12 months) or `kz-2007`
    /// (before 2022).
    pub rules: Option<String>,
}

/// `POST /api/v1/register/checks/party`: party registration — members, initiative group,
/// founding congress, a branch of enough members in every region, branch deadlines (codes
/// P1–P6). Public; the answer is `ashyq party check --format json`'s.
#[utoipa::path(post, path = "/api/v1/register/checks/party", request_body = PartyCheck,
    responses((status = 200, description = "The rules the document fails or leaves undetermined", body = Findings),
        (status = 400, body = ErrorBody), (status = 413, description = "Body over 1 MiB"), (status = 422, body = ErrorBody)))]
pub async fn check_party_route(body: Bytes) -> Result<Json<Findings>, ApiError> {
    checked(move || {
        let q: PartyCheck = parse(&body)?;
        let name = q.rules.as_deref().unwrap_or("kz-2022");
        let rules = PartyRules::from_name(name).ok_or_else(|| {
            invalid(
                "rules",
                format!("unknown rules \"{}\"; known: kz-2022, kz-2007", ashyq_record::quote(name)),
            )
        })?;
        regions_of(&q.regions)?;
        Ok(check_party(&q.party, &q.regions, &rules, q.on))
    })
    .await
}

fn list_names(list: &[ListCandidate]) -> Result<(), ApiError> {
    match list.iter().position(|c| c.name.trim().is_empty()) {
        Some(i) => Err(invalid(&format!("list[{i}].name"), "missing")),
        None => Ok(()),
    }
}

/// `POST …/checks/list`: what `ashyq party list LIST.csv --seats N --on D` takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListCheck {
    /// The party list, in its order.
    pub list: Vec<ListCandidate>,
    /// Seats of the contest (69 for the Mazhilis list tier since 2023).
    pub seats: u64,
    /// The day ages are taken on ("under 29"), e.g. election day.
    #[serde(with = "ashyq_register::serde_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
}

/// `POST /api/v1/register/checks/list`: a party list — members only, at most seats + 30%, at
/// least 30% women, under-29s and persons with disabilities combined (codes L0–L3). Public;
/// the answer is `ashyq party list --format json`'s.
#[utoipa::path(post, path = "/api/v1/register/checks/list", request_body = ListCheck,
    responses((status = 200, description = "The rules the list fails", body = Findings),
        (status = 400, body = ErrorBody), (status = 413, description = "Body over 1 MiB"), (status = 422, body = ErrorBody)))]
pub async fn check_list_route(body: Bytes) -> Result<Json<Findings>, ApiError> {
    checked(move || {
        let q: ListCheck = parse(&body)?;
        list_names(&q.list)?;
        Ok(check_list(&q.list, q.seats, q.on))
    })
    .await
}

/// `POST …/checks/mandates`: what `ashyq party mandates LIST.csv --chosen NAMES.txt --won N
/// --results D --decided D --on D` takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandatesCheck {
    /// The party list.
    pub list: Vec<ListCandidate>,
    /// The names chosen for the mandates.
    pub chosen: Vec<String>,
    /// Mandates the party won.
    pub won: u64,
    /// The day the CEC established the results.
    #[serde(with = "ashyq_register::serde_date")]
    #[schema(value_type = String, format = Date)]
    pub results: Date,
    /// The day the party's governing body decided.
    #[serde(with = "ashyq_register::serde_date")]
    #[schema(value_type = String, format = Date)]
    pub decided: Date,
    /// The day ages are taken on.
    #[serde(with = "ashyq_register::serde_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
}

/// `POST /api/v1/register/checks/mandates`: the deputies a party chose for its mandates — as
/// many as it won, from its list, at least 30% in the quota group, within 10 days of the
/// results (codes M1–M4). Public; the answer is `ashyq party mandates --format json`'s.
#[utoipa::path(post, path = "/api/v1/register/checks/mandates", request_body = MandatesCheck,
    responses((status = 200, description = "The rules the choice fails", body = Findings),
        (status = 400, body = ErrorBody), (status = 413, description = "Body over 1 MiB"), (status = 422, body = ErrorBody)))]
pub async fn check_mandates_route(body: Bytes) -> Result<Json<Findings>, ApiError> {
    checked(move || {
        let q: MandatesCheck = parse(&body)?;
        list_names(&q.list)?;
        let chosen: Vec<String> = q
            .chosen
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        let choice = MandateChoice { won: q.won, chosen, results: q.results, decided: q.decided };
        Ok(check_mandates(&q.list, &choice, q.on))
    })
    .await
}

/// `POST …/checks/candidate`: what `ashyq candidate check CANDIDATES.csv --office O --on D`
/// takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateCheck {
    /// The candidates' files; a key left out or `null` means the file does not say.
    pub candidates: Vec<CandidateFile>,
    /// The office: `president`, `mazhilis`, `maslikhat`, `senate`, `rural-akim`, `kurultai`.
    pub office: Office,
    /// The day ages and years of residence are taken on (e.g. election day).
    #[serde(with = "ashyq_register::serde_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
}

/// `POST /api/v1/register/checks/candidate`: eligibility for an office — age, citizenship,
/// residence, education, service, language, convictions; what a file does not answer is
/// undetermined, never assumed met (codes `C-office`). Public; the answer is `ashyq candidate
/// check --format json`'s.
#[utoipa::path(post, path = "/api/v1/register/checks/candidate", request_body = CandidateCheck,
    responses((status = 200, description = "The requirements not met or not answered", body = Findings),
        (status = 400, body = ErrorBody), (status = 413, description = "Body over 1 MiB"), (status = 422, body = ErrorBody)))]
pub async fn check_candidate_route(body: Bytes) -> Result<Json<Findings>, ApiError> {
    checked(move || {
        let q: CandidateCheck = parse(&body)?;
        Ok(q.candidates.iter().flat_map(|c| check_candidate(c, q.office, q.on)).collect())
    })
    .await
}

/// Valid signatures collected in one region (a row of the CLI's `region,signatures` file).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionSignatures {
    /// The region's unit id.
    pub region: String,
    /// Valid signatures there.
    pub signatures: u64,
}

/// `POST …/checks/nomination`: what `ashyq candidate signatures SIGNATURES.csv --voters N
/// --units UNITS.csv` takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationCheck {
    /// Valid signatures per region, each region once.
    pub signatures: Vec<RegionSignatures>,
    /// Voters on the register at its reference date (11,827,277 on 1 July 2022).
    pub voters: u64,
    /// Every region (the root's children of a package's units.csv).
    pub regions: Vec<String>,
}

/// `POST /api/v1/register/checks/nomination`: the signatures of a presidential nomination — at
/// least 1% of the voters, from at least two thirds of the regions; "evenly" has no measure in
/// the law and is always reported undetermined (codes N0–N3). Public; the answer is `ashyq
/// candidate signatures --format json`'s.
#[utoipa::path(post, path = "/api/v1/register/checks/nomination", request_body = NominationCheck,
    responses((status = 200, description = "The rules the nomination fails or leaves undetermined", body = Findings),
        (status = 400, body = ErrorBody), (status = 413, description = "Body over 1 MiB"), (status = 422, body = ErrorBody)))]
pub async fn check_nomination_route(body: Bytes) -> Result<Json<Findings>, ApiError> {
    checked(move || {
        let q: NominationCheck = parse(&body)?;
        regions_of(&q.regions)?;
        let mut per = std::collections::BTreeMap::new();
        for (i, s) in q.signatures.iter().enumerate() {
            if per.insert(s.region.clone(), s.signatures).is_some() {
                return Err(invalid(
                    &format!("signatures[{i}].region"),
                    format!("{} is listed twice", s.region),
                ));
            }
        }
        Ok(check_signatures(&per, q.voters, &q.regions))
    })
    .await
}
