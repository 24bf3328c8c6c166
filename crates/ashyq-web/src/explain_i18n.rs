//! Why an outcome is undetermined, and the warnings on it, in Kazakh, Russian and English.
//!
//! Core keeps these as facts ([`Undetermined`], [`Warning`]: a case with its numbers, options
//! and units); this module says each case in the reader's language, with options and units by
//! their names in that language and numbers and dates in its format. Every case of core's enums
//! is matched here, so a new case does not compile until it is said in all three languages; a
//! statement of a rule set ([`Undetermined::ByLaw`]) is looked up by its English text, and a
//! test fails when a statement of any rule set has no translation or a translation loses a
//! citation (`§3.1`, `[?]`) or a number. A statement core changed since is shown in English.

use ashyq_core::apportionment::ApportionmentError;
use ashyq_core::election::UnitTest;
use ashyq_core::rules::{OtherTurnoutCount, ReferendumGap, RuleSetId, Undetermined, Warning};
use ashyq_core::units::UnitIdx;

use crate::i18n::Lang;

/// How the reader's page names options (by index in the contest) and units.
pub struct Names<'a> {
    /// Option `index` of the contest, in the page language.
    pub option: Box<dyn Fn(usize) -> String + 'a>,
    /// Unit `index` of the tree, in the page language.
    pub unit: Box<dyn Fn(UnitIdx) -> String + 'a>,
}

/// A sentence in the three languages, `[kk, ru, en]`, with `{name}` placeholders.
type Said = [&'static str; 3];

fn pick(lang: Lang, s: Said) -> &'static str {
    match lang {
        Lang::Kk => s[0],
        Lang::Ru => s[1],
        Lang::En => s[2],
    }
}

/// `s` in `lang` with its placeholders filled in.
fn fill(lang: Lang, s: Said, args: &[(&str, String)]) -> String {
    let mut out = pick(lang, s).to_owned();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// `a, b and c` in the reader's language.
fn and_list(lang: Lang, items: Vec<String>) -> String {
    let and = pick(lang, [" және ", " и ", " and "]);
    match items.len() {
        0 | 1 => items.concat(),
        n => format!("{}{and}{}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// `3 or 4` in the reader's language.
fn or_list(lang: Lang, items: Vec<String>) -> String {
    items.join(pick(lang, [" немесе ", " или ", " or "]))
}

/// The first letter in upper case, and a full stop at the end. (No sentence starts with a name
/// or an id, which must keep its case.)
fn sentence(s: String) -> String {
    let mut chars = s.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Why the outcome is undetermined, in `lang`, as a sentence; `None` when it quotes a
/// statement of a rule set that has no translation yet (show core's English then).
pub fn undetermined(u: &Undetermined, lang: Lang, names: &Names<'_>) -> Option<String> {
    let int = |n: u64| lang.int(n);
    let options = |o: &[ashyq_core::rules::OptionRef]| {
        and_list(lang, o.iter().map(|o| (names.option)(o.index)).collect())
    };
    let text = match u {
        Undetermined::ByLaw(why) => statement(why, lang)?.to_owned(),
        Undetermined::NoCounts => pick(
            lang,
            [
                "пакетте бұл дауыс беру бойынша есеп жоқ",
                "в пакете нет итогов по этому голосованию",
                "the package has no counts for this contest",
            ],
        )
        .to_owned(),
        Undetermined::VotesUnknown { options: o } => fill(
            lang,
            [
                "кейбір хаттамаларда {options} үшін берілген дауыстар белгісіз",
                "голоса за {options} неизвестны в части протоколов",
                "votes for {options} are unknown in some protocols",
            ],
            &[("options", options(o))],
        ),
        Undetermined::VotesOverflow => pick(
            lang,
            [
                "дауыстардың қосындысы 2^64-тен асады",
                "сумма голосов превышает 2^64",
                "the votes add up to more than 2^64",
            ],
        )
        .to_owned(),
        Undetermined::NoValidVotes => pick(
            lang,
            [
                "бірде-бір жарамды дауыс берілмеді",
                "не подано ни одного действительного голоса",
                "no valid votes were cast",
            ],
        )
        .to_owned(),
        Undetermined::NoCandidates => pick(
            lang,
            ["бюллетеньде кандидат жоқ", "в бюллетене нет кандидатов", "the contest has no candidates"],
        )
        .to_owned(),
        Undetermined::NoVotes => pick(
            lang,
            [
                "бірде-бір кандидат дауыс алған жоқ",
                "ни один кандидат не получил ни одного голоса",
                "no candidate received a vote",
            ],
        )
        .to_owned(),
        Undetermined::RunoffNotTwo { candidates } => fill(
            lang,
            [
                "қайта дауыс беру дәл екі кандидат арасында өтеді, ал мұнда кандидаттар саны — {n}",
                "повторное голосование проводится ровно между двумя кандидатами, а здесь их {n}",
                "a run-off is between exactly two candidates; this contest has {n}",
            ],
            &[("n", int(*candidates as u64))],
        ),
        Undetermined::RemainderTieUnordered { seats, lists, unregistered } => fill(
            lang,
            [
                "тең қалдықтар {lists} тізім арасында {seats} орынды шешеді, бірақ пакетте {unregistered} тіркелу реті жоқ, ал заң теңдікті сол бойынша шешеді",
                "равные остатки решают {seats} мандат(а) между {lists} списками, а в пакете нет порядка регистрации для {unregistered}, по которому закон разрешает равенство",
                "equal remainders decide {seats} seat(s) among {lists} lists, and the package does not give the registration order of {unregistered}, which the law uses to break the tie",
            ],
            &[
                ("seats", int(u64::from(*seats))),
                ("lists", int(*lists as u64)),
                ("unregistered", options(unregistered)),
            ],
        ),
        Undetermined::SeatAllocation(e) => seat_allocation(e, lang),
        Undetermined::RunnerUpMissing => pick(
            lang,
            [
                "шектен бір ғана тізім өтті, ал 2009 жылғы ереже бойынша қатысуға жіберілетін екінші тізім жоқ (заң анықтамасы, §3.3)",
                "барьер прошёл только один список, и нет второго списка, который допускается по правилу 2009 года (справочник по закону, §3.3)",
                "only one list passed the threshold and there is no runner-up to admit under the 2009 rule (law reference §3.3)",
            ],
        )
        .to_owned(),
        Undetermined::RunnerUpWithoutVotes => pick(
            lang,
            [
                "шектен бір ғана тізім өтті, ал басқа тізімдерде дауыс жоқ, сондықтан 2009 жылғы ереже бойынша екінші тізім жоқ (заң анықтамасы, §3.3)",
                "барьер прошёл только один список, а у остальных списков нет голосов, поэтому по правилу 2009 года некого допустить вторым (справочник по закону, §3.3)",
                "only one list passed the threshold and no other list has a vote, so the 2009 runner-up rule has no runner-up (law reference §3.3)",
            ],
        )
        .to_owned(),
        Undetermined::RunnerUpTie { tied, votes } => fill(
            lang,
            [
                "екінші орынды {tied} бөліседі, әрқайсысында {votes} дауыс, ал 2009 жылғы ереже олардың қайсысы жіберілетінін айтпайды (заң анықтамасы, §3.3, [?])",
                "второе место делят {tied}, у каждого по {votes} голосов, и правило 2009 года не говорит, какой из них допускается (справочник по закону, §3.3, [?])",
                "a tie for second place at {votes} votes between {tied}, and the 2009 runner-up rule does not say which is admitted (law reference §3.3, [?])",
            ],
            &[("tied", options(tied)), ("votes", int(*votes))],
        ),
        Undetermined::RunnerUpReadings { runner_up, corrected, integer_seats, remaining, seats } => {
            fill(
                lang,
                [
                    "шектен бір ғана тізім өтті, сондықтан 2009 жылғы ереже екінші тізімді — {runner_up} — жібереді; оның түзетілген бөліндісі {corrected} бүтін бөлігі бойынша {integer} орын береді, тағы {remaining} орын қалады; оның қалдықтар бойынша бөлуге қатысуына және қалдық орындардың қалай бөлінуіне қарай ол {seats} орын алады, ал бұл туралы заң мәтіні табылмады (заң анықтамасы, §3.3, [?])",
                    "барьер прошёл только один список, поэтому по правилу 2009 года допускается второй — {runner_up}; его поправленное частное {corrected} даёт {integer} мандат(а) по целой части, и остаётся {remaining} мандат(а); в зависимости от того, участвует ли он в распределении по остаткам и как делятся мандаты по остаткам, он получает {seats} мандата, а текст закона об этом не найден (справочник по закону, §3.3, [?])",
                    "only one list passed the threshold, so the 2009 rule admits the runner-up {runner_up}; its corrected quotient {corrected} gives {integer} seat(s) by the integer part, and {remaining} seat(s) remain; depending on whether it takes part in the remainder round and how remainder seats are shared, it gets {seats} seats, and the law's text on this was not found (law reference §3.3, [?])",
                ],
                &[
                    ("runner_up", (names.option)(runner_up.index)),
                    ("corrected", lang.decimal(&corrected.to_decimal_string(4))),
                    ("integer", int(u64::from(*integer_seats))),
                    ("remaining", int(u64::from(*remaining))),
                    ("seats", or_list(lang, seats.iter().map(|&s| int(u64::from(s))).collect())),
                ],
            )
        }
        Undetermined::BeyondLists { seats, lists } => {
            let items: Vec<String> = lists
                .iter()
                .map(|l| {
                    fill(
                        lang,
                        [
                            "{list} {seats} орын алады, бірақ тізімінде {candidates} кандидат бар, сондықтан {beyond} орын тізімнен тыс",
                            "{list} получает {seats} мандат(а), но в списке {candidates} кандидат(а), поэтому {beyond} мандат(а) сверх списка",
                            "{list} is allocated {seats} seat(s) but its list has {candidates} candidate(s), so {beyond} seat(s) are beyond its list",
                        ],
                        &[
                            ("list", (names.option)(l.list.index)),
                            ("seats", int(u64::from(l.seats))),
                            ("candidates", int(u64::from(l.candidates))),
                            ("beyond", int(u64::from(l.beyond))),
                        ],
                    )
                })
                .collect();
            fill(
                lang,
                [
                    "{seats} орын: {items}; тізімнің бірде-бір кандидаты ала алмайтын орынның тағдыры белгісіз (заң анықтамасы, §12, [?]); қалған орындардың бәрі күшінде",
                    "{seats} мандат(а): {items}; что происходит с мандатом, который не может занять ни один кандидат списка, неизвестно (справочник по закону, §12, [?]); остальные мандаты остаются в силе",
                    "{seats} seat(s): {items}; what happens to a seat no candidate of its list can take is not known (law reference §12, [?]); every other seat stands",
                ],
                &[("seats", int(u64::from(*seats))), ("items", items.join("; "))],
            )
        }
        Undetermined::PresidentialSoleCandidate => pick(
            lang,
            [
                "жалғыз кандидат абсолютті көпшілік дауыс ала алмады, ал қайта дауыс беруге екі кандидат керек; заң анықтамасында бұл жағдайға ереже жоқ (заң анықтамасы, §2, §12)",
                "единственный кандидат не набрал абсолютного большинства, а для повторного голосования нужны два кандидата; правила для этого случая в справочнике по закону нет (справочник по закону, §2, §12)",
                "the only candidate lacks an absolute majority and a run-off needs two candidates; the law reference has no rule for this case (law reference §2, §12)",
            ],
        )
        .to_owned(),
        Undetermined::PresidentialRunoffPlaceTie { tied, votes } => fill(
            lang,
            [
                "қайта дауыс беруге шығатын орын үшін {tied} тең, әрқайсысы {votes} дауыс алды; заңның дауыстар теңдігі туралы ережесі табылмады (заң анықтамасы, §2, §12)",
                "за место в повторном голосовании поровну, по {votes} голосов, набрали {tied}; правило закона о равенстве голосов не найдено (справочник по закону, §2, §12)",
                "a tie at {votes} votes for a run-off place between {tied}; the law's tie rule was not found (law reference §2, §12)",
            ],
            &[("tied", options(tied)), ("votes", int(*votes))],
        ),
        Undetermined::SenateElectorsUnknown => pick(
            lang,
            [
                "таңдаушылар саны немесе қатысқандар саны белгісіз, сондықтан кворумды да, көпшілікті де анықтау мүмкін емес",
                "неизвестно число выборщиков или число принявших участие, поэтому нельзя определить ни кворум, ни большинство",
                "the number of electors or of electors who took part is unknown, so neither the quorum nor the majority can be decided",
            ],
        )
        .to_owned(),
        Undetermined::SenateNoQuorum { took_part, electors } => fill(
            lang,
            [
                "{electors} таңдаушының тек {took_part} қатысты, бұл жартысынан аспайды, сондықтан кворум жоқ; кворумсыз дауыс беруден кейін не болатыны заң анықтамасында жоқ (§6, [?])",
                "приняли участие только {took_part} из {electors} выборщиков, не больше половины, поэтому кворума нет; что следует за голосованием без кворума, в справочнике по закону нет (§6, [?])",
                "only {took_part} of {electors} electors took part, not more than half, so the vote lacks its quorum; what follows a vote without quorum is not in the law reference (§6, [?])",
            ],
            &[("took_part", int(*took_part)), ("electors", int(*electors))],
        ),
        Undetermined::SenateRunoffTie { votes } => fill(
            lang,
            [
                "қайта дауыс беруде дауыстар тең: әрқайсысында {votes} дауыс; Сенатқа қайта дауыс берудегі теңдік туралы ереже заң анықтамасында жоқ (§6, [?])",
                "в повторном голосовании поровну: по {votes} голосов у каждого; правила о равенстве в повторном голосовании на выборах в Сенат в справочнике по закону нет (§6, [?])",
                "the run-off is tied at {votes} votes each; the law reference has no rule for a tied Senate run-off (§6, [?])",
            ],
            &[("votes", int(*votes))],
        ),
        Undetermined::SenateSoleCandidate => pick(
            lang,
            [
                "жалғыз кандидат қатысқан таңдаушылар дауысының жартысынан астамын ала алмады, ал қайта дауыс беруге екі кандидат керек; заң анықтамасында бұған ереже жоқ (§6, [?])",
                "единственный кандидат не получил больше половины голосов принявших участие выборщиков, а для повторного голосования нужны два кандидата; правила для этого в справочнике по закону нет (§6, [?])",
                "the only candidate lacks more than half of the votes of the electors who took part, and a run-off needs two candidates; the law reference has no rule for this (§6, [?])",
            ],
        )
        .to_owned(),
        Undetermined::SenateRunoffPlaceTie { tied, votes } => fill(
            lang,
            [
                "қайта дауыс беруге шығатын орын үшін {tied} тең, әрқайсысы {votes} дауыс алды; заң анықтамасында теңдік туралы ереже жоқ (§6, [?])",
                "за место в повторном голосовании поровну, по {votes} голосов, набрали {tied}; правила о равенстве голосов в справочнике по закону нет (§6, [?])",
                "a tie at {votes} votes for a run-off place between {tied}; the law reference has no tie rule (§6, [?])",
            ],
            &[("tied", options(tied)), ("votes", int(*votes))],
        ),
        Undetermined::DistrictTie { tied, votes } => fill(
            lang,
            [
                "дауыстар тең: {tied}, әрқайсысында {votes}; заңның дауыстар теңдігі туралы ережесі табылмады (заң анықтамасы, §3.1, §12, [?])",
                "поровну, по {votes} голосов, у {tied}; правило закона о равенстве голосов не найдено (справочник по закону, §3.1, §12, [?])",
                "a tie at {votes} votes between {tied}; the law's rule for a tie was not found (law reference §3.1, §12, [?])",
            ],
            &[("tied", options(tied)), ("votes", int(*votes))],
        ),
        Undetermined::AkimInvalidUnknown { leader } => fill(
            lang,
            [
                "алда — {leader}, бірақ жарамсыз бюллетеньдер саны белгісіз, ал әкім сайлауының жеңімпазы барлық бюллетеньдердің (жарамды және жарамсыз) жартысынан астамын алғанда ғана анықталады, өйткені қайта дауыс беру ережесі жоққа шығарылмаған (заң анықтамасы, §5, [?])",
                "лидирует {leader}, но число недействительных бюллетеней неизвестно, а победитель выборов акима определяется, только если у него больше половины всех бюллетеней (действительных и недействительных), так как правило о повторном голосовании не исключено (справочник по закону, §5, [?])",
                "the leader is {leader}, but the invalid ballots are unknown, and an akim's winner is determined only with more than half of all ballots (valid and invalid), since a run-off rule is not excluded (law reference §5, [?])",
            ],
            &[("leader", (names.option)(leader.index))],
        ),
        Undetermined::AkimWithoutMajority { leader, votes, ballots } => fill(
            lang,
            [
                "алдағы кандидат {leader} {ballots} бюллетеньнің {votes} алды, бұл жартысынан аспайды; әкімдер үшін салыстырмалы көпшілік тек болжанады [L], ал қайта дауыс беру болатыны немесе «барлығына қарсы» не өзгертетіні белгісіз (заң анықтамасы, §5, [?])",
                "лидер, {leader}, получил {votes} из {ballots} бюллетеней, не больше половины; относительное большинство для акимов лишь предполагается [L], а будет ли повторное голосование и что меняет «против всех», неизвестно (справочник по закону, §5, [?])",
                "the leader, {leader}, has {votes} of {ballots} ballots, not more than half; plurality is only assumed for akims [L], and whether a run-off follows, or what “against all” does, is not known (law reference §5, [?])",
            ],
            &[("leader", (names.option)(leader.index)), ("votes", int(*votes)), ("ballots", int(*ballots))],
        ),
        Undetermined::Referendum(gaps) => {
            gaps.iter().map(|g| referendum_gap(g, lang)).collect::<Vec<_>>().join("; ")
        }
    };
    Some(sentence(text))
}

fn unit_test_name(t: UnitTest, lang: Lang) -> &'static str {
    match t {
        UnitTest::YesMajority => pick(lang, ["«иә» басымдығы", "большинства «да»", "yes-majority"]),
        UnitTest::Turnout => pick(lang, ["келу", "явки", "turnout"]),
    }
}

fn referendum_gap(g: &ReferendumGap, lang: Lang) -> String {
    let int = |n: u32| lang.int(u64::from(n));
    match g {
        ReferendumGap::UnitsUndecided { passing, units, test, required, unknown } => fill(
            lang,
            [
                "{units} аумақтың {passing} {test} тестінен өтеді, {required} қажет, ал {unknown} аумақта шешуге қажет есеп жоқ",
                "{passing} из {units} территорий проходят тест {test}, требуется {required}, а у {unknown} территорий нет итогов, чтобы решить",
                "{passing} of {units} units pass the {test} test, {required} are required, and {unknown} units lack the counts to decide",
            ],
            &[
                ("passing", int(*passing)),
                ("units", int(*units)),
                ("test", unit_test_name(*test, lang).to_owned()),
                ("required", int(*required)),
                ("unknown", int(*unknown)),
            ],
        ),
        ReferendumGap::NoUnits => pick(
            lang,
            [
                "картада аумақтың ішінде облыстар мен республикалық маңызы бар қалалар жоқ, сондықтан үштен екі тестін қолдану мүмкін емес",
                "на карте нет областей и городов республиканского значения в пределах территории, поэтому тест двух третей применить нельзя",
                "the map lists no regions or cities of republican significance under the territory, so the two-thirds test cannot be applied",
            ],
        )
        .to_owned(),
        ReferendumGap::NoUnitCounts => pick(
            lang,
            [
                "пакетте аумақтан төменгі деңгейде есеп те, «иә» жеңген аумақтардың жарияланған саны да жоқ, сондықтан үштен екі тестін тексеру мүмкін емес",
                "в пакете нет итогов ниже уровня территории и нет опубликованного числа территорий, где победило «да», поэтому тест двух третей проверить нельзя",
                "the package has no counts below the territory and no reported number of units in favour, so the two-thirds test cannot be evaluated",
            ],
        )
        .to_owned(),
        ReferendumGap::ValidityUnknown => pick(
            lang,
            [
                "аумақ бойынша тізімдегі сайлаушылар немесе берілген бюллетеньдер саны белгісіз, сондықтан референдумның өткен-өтпегенін шешу мүмкін емес",
                "число избирателей в списках или выданных бюллетеней по территории неизвестно, поэтому нельзя решить, состоялся ли референдум",
                "registered voters or ballots issued are unknown at the territory, so validity cannot be decided",
            ],
        )
        .to_owned(),
        ReferendumGap::MajorityUnknown => pick(
            lang,
            [
                "аумақ бойынша «иә» дауыстары немесе берілген бюллетеньдер саны белгісіз",
                "число голосов «да» или выданных бюллетеней по территории неизвестно",
                "yes votes or ballots issued are unknown at the territory",
            ],
        )
        .to_owned(),
    }
}

fn seat_allocation(e: &ApportionmentError, lang: Lang) -> String {
    let int = |n: u64| lang.int(n);
    match e {
        ApportionmentError::Tie { seats, .. } => fill(
            lang,
            [
                "тең бөлінділер немесе қалдықтар {seats} орынға таласады",
                "равные частные или остатки претендуют на {seats} мандат(а)",
                "equal quotients or remainders compete for {seats} seat(s)",
            ],
            &[("seats", int(u64::from(*seats)))],
        ),
        ApportionmentError::NoVotes => pick(
            lang,
            [
                "шектен өткен тізімдердің бірде-біреуінде дауыс жоқ",
                "ни у одного прошедшего барьер списка нет голосов",
                "no list that passed the threshold has a vote",
            ],
        )
        .to_owned(),
        ApportionmentError::NoOptionPassed => pick(
            lang,
            [
                "бірде-бір тізім шектен өткен жоқ",
                "ни один список не прошёл барьер",
                "no list passed the threshold",
            ],
        )
        .to_owned(),
        ApportionmentError::NoOptions { seats } => fill(
            lang,
            [
                "{seats} орынды бөлетін тізім жоқ",
                "нет списков, между которыми можно распределить {seats} мандат(а)",
                "there are no lists to allocate {seats} seat(s) to",
            ],
            &[("seats", int(u64::from(*seats)))],
        ),
        ApportionmentError::InvalidThreshold => pick(
            lang,
            [
                "өту шегі қате берілген: пайыздың бөлімі нөлге тең",
                "барьер задан неверно: знаменатель процента равен нулю",
                "the threshold is invalid: its percentage has a zero denominator",
            ],
        )
        .to_owned(),
        ApportionmentError::TooManySeats { seats, max } => fill(
            lang,
            [
                "{seats} орын қолдау көрсетілетін ең көп саннан ({max}) асады",
                "{seats} мандатов больше поддерживаемого максимума ({max})",
                "{seats} seats is more than the supported maximum of {max}",
            ],
            &[("seats", int(u64::from(*seats))), ("max", int(u64::from(*max)))],
        ),
        ApportionmentError::QuotaUnfillable { unfilled, eligible } => fill(
            lang,
            [
                "бүтін бөліктерден кейін {unfilled} орын қалады, бірақ қалдық бойынша орынды дауысы бар тек {eligible} тізім ала алады",
                "после целых частей остаётся {unfilled} мандат(а), но мандат по остатку могут получить только {eligible} список(ка) с голосами",
                "the quota leaves {unfilled} seat(s) after the integer parts but only {eligible} list(s) with votes can take a remainder seat",
            ],
            &[("unfilled", int(*unfilled)), ("eligible", int(*eligible as u64))],
        ),
        ApportionmentError::QuotaOverallocated { allocated, seats } => fill(
            lang,
            [
                "квотаның бүтін бөліктері {allocated} орын береді, бұл бар орындардан ({seats}) көп",
                "целые части квоты дают {allocated} мандатов, больше, чем есть ({seats})",
                "the integer parts of the quota give {allocated} seats, more than the {seats} available",
            ],
            &[("allocated", int(*allocated)), ("seats", int(u64::from(*seats)))],
        ),
    }
}

/// When a rule set was in force, in `lang`.
fn in_force(r: RuleSetId, lang: Lang) -> String {
    let rs = r.rule_set();
    match (rs.from, rs.until) {
        (Some(from), Some(until)) => fill(
            lang,
            [
                "күшіне енген күні: {from}, ауыстырылған күні: {until}",
                "вступил в силу {from}, заменён {until}",
                "in force from {from}, replaced on {until}",
            ],
            &[("from", lang.date(from)), ("until", lang.date(until))],
        ),
        (Some(from), None) => fill(
            lang,
            ["күшіне енген күні: {from}", "вступил в силу {from}", "in force from {from}"],
            &[("from", lang.date(from))],
        ),
        _ => pick(lang, ["мерзімі жоқ", "без сроков", "no dates"]).to_owned(),
    }
}

/// A warning on an outcome, in `lang`, as a sentence.
pub fn warning(w: &Warning, lang: Lang, names: &Names<'_>) -> String {
    let text = match w {
        Warning::TurnoutCountMatters {
            ballots_issued,
            valid,
            majority,
            other,
            other_count,
            valid_other,
            majority_other,
        } => {
            let count = |v: &Option<u64>| {
                v.map_or_else(|| pick(lang, ["белгісіз", "неизвестно", "unknown"]).to_owned(), |v| lang.int(v))
            };
            let valid_word = |v: &Option<bool>| {
                if *v == Some(true) {
                    pick(lang, ["өтті", "состоялся", "valid"])
                } else {
                    pick(lang, ["өтпеді", "не состоялся", "not valid"])
                }
            };
            let has_word = |v: &Option<bool>| {
                if *v == Some(true) {
                    pick(lang, ["жартысынан астамын алды", "получило", "has"])
                } else {
                    pick(lang, ["жартысынан астамын ала алмады", "не получило", "does not have"])
                }
            };
            let other_name = match other {
                OtherTurnoutCount::BallotsFound => pick(
                    lang,
                    ["жәшіктердегі бюллетеньдер", "бюллетеням в ящиках", "the ballots found in the boxes"],
                ),
                OtherTurnoutCount::BallotLinesSum => pick(
                    lang,
                    [
                        "бюллетень жолдарының қосындысы («иә», «жоқ», жарамсыз, есептелмеген)",
                        "сумме строк бюллетеней («да», «нет», недействительные, неучтённые)",
                        "the sum of the ballot lines (yes, no, invalid, not counted)",
                    ],
                ),
            };
            fill(
                lang,
                [
                    "нәтиже қатысқандардың қай санын алуға байланысты: берілген бюллетеньдер бойынша ({issued}) референдум {valid}, ал «иә» {has}; {other} бойынша ({other_count}) ол {valid_other}, ал «иә» {has_other}. Мұнда берілген бюллетеньдер, яғни бюллетень алған сайлаушылар алынған (заң анықтамасы, §1, §8.1); R2 тексерісі оларды жәшіктердегі бюллетеньдермен салыстырады",
                    "итог зависит от того, какое число принявших участие взять: по выданным бюллетеням ({issued}) референдум {valid}, и «да» {has} больше половины; по {other} ({other_count}) он {valid_other}, и «да» {has_other} больше половины. Здесь взяты выданные бюллетени, то есть избиратели, получившие бюллетень (справочник по закону, §1, §8.1); проверка R2 сравнивает их с бюллетенями в ящиках",
                    "the result depends on which count of those who took part is used: with the ballots issued ({issued}) the referendum is {valid} and yes {has} more than half; with {other} ({other_count}) it is {valid_other} and yes {has_other} more than half. This outcome uses the ballots issued, the voters who received a ballot (law reference §1, §8.1); check R2 compares them with the ballots found in the boxes",
                ],
                &[
                    ("issued", count(ballots_issued)),
                    ("valid", valid_word(valid).to_owned()),
                    ("has", has_word(majority).to_owned()),
                    ("other", other_name.to_owned()),
                    ("other_count", count(other_count)),
                    ("valid_other", valid_word(valid_other).to_owned()),
                    ("has_other", has_word(majority_other).to_owned()),
                ],
            )
        }
        Warning::MapDiffers { units, date, expected, required, required_expected } => fill(
            lang,
            [
                "пакеттің картасында аумақтың ішінде {units} облыс пен республикалық маңызы бар қала бар, ал {date} күнгі картада {expected} болған (2022 жылғы 7 маусымға дейін 17, 2022 жылғы 8 маусымнан бастап 20; заң анықтамасы, §1, §9): мұнда үштен екі тесті {required} аумақты талап етеді, сол күнгі карта бойынша — {required_expected}",
                "на карте пакета {units} областей и городов республиканского значения в пределах территории, а на карте, действовавшей {date}, их было {expected} (17 до 7 июня 2022 г., 20 с 8 июня 2022 г.; справочник по закону, §1, §9): тест двух третей здесь требует {required} территорий, по действовавшей карте — {required_expected}",
                "the package's map has {units} regions and cities of republican significance under the territory, but the map in force on {date} had {expected} (17 until 7 June 2022, 20 from 8 June 2022; law reference §1, §9): the two-thirds test here needs {required} units, on the map in force {required_expected}",
            ],
            &[
                ("units", lang.int(u64::from(*units))),
                ("date", lang.date(date)),
                ("expected", lang.int(u64::from(*expected))),
                ("required", lang.int(u64::from(*required))),
                ("required_expected", lang.int(u64::from(*required_expected))),
            ],
        ),
        Warning::UnitsExcluded { units } => fill(
            lang,
            [
                "үштен екі тестіне кірмейді, бірақ дауыстары жалпы қорытындыда есептеледі: {units}; тестке тек облыстар мен республикалық маңызы бар қалалар кіреді",
                "не входят в тест двух третей, хотя их голоса учитываются в общем итоге: {units}; в тест входят только области и города республиканского значения",
                "not units of the two-thirds test, though their votes count nationally: {units}; only regions and cities of republican significance are",
            ],
            &[("units", and_list(lang, units.iter().map(|u| (names.unit)(u.unit)).collect()))],
        ),
        Warning::RuleSetNotInForce { applied, date, in_force: law } => fill(
            lang,
            [
                "қолданылған ережелер жиынтығы — {applied} ({applied_dates}), бірақ сайлау күні, {date}, {law} күшінде болды ({law_dates})",
                "применён свод правил {applied} ({applied_dates}), но в день выборов, {date}, действовал {law} ({law_dates})",
                "the rule set applied is {applied} ({applied_dates}), but on the election day, {date}, the law in force was {law} ({law_dates})",
            ],
            &[
                ("applied", applied.name().to_owned()),
                ("applied_dates", in_force(*applied, lang)),
                ("date", lang.date(date)),
                ("law", law.name().to_owned()),
                ("law_dates", in_force(*law, lang)),
            ],
        ),
        Warning::NoRuleSetOnDate { applied, date } => fill(
            lang,
            [
                "сайлау күні, {date}, үшін белгілі қазақстандық ережелер жиынтығы жоқ; {applied}: {applied_dates}",
                "для дня выборов, {date}, не известен ни один казахстанский свод правил; {applied}: {applied_dates}",
                "no Kazakh rule set is known for the election day, {date}; {applied}: {applied_dates}",
            ],
            &[
                ("date", lang.date(date)),
                ("applied", applied.name().to_owned()),
                ("applied_dates", in_force(*applied, lang)),
            ],
        ),
    };
    sentence(text)
}

/// (English statement of a rule set, Kazakh, Russian).
const STATEMENTS: &[(&str, &str, &str)] = &[
    (
        "the Mazhilis had no single-member districts from 2007 until the 2022 reform: all 98 elected seats were party-list seats (law reference §3.3)",
        "2007 жылдан 2022 жылғы реформаға дейін Мәжілісте бір мандатты округтер болған жоқ: сайланатын барлық 98 орын партиялық тізімдер бойынша болды (заң анықтамасы, §3.3)",
        "с 2007 года до реформы 2022 года в Мажилисе не было одномандатных округов: все 98 избираемых мандатов были партийно-списочными (справочник по закону, §3.3)",
    ),
    (
        "maslikhats were not elected by party lists before the 2018 amendment (law reference §4)",
        "2018 жылғы түзетуге дейін мәслихаттар партиялық тізімдер бойынша сайланған жоқ (заң анықтамасы, §4)",
        "до поправки 2018 года маслихаты не избирались по партийным спискам (справочник по закону, §4)",
    ),
    (
        "the law reference does not cover maslikhat single-member districts before 2023 (from 2018 to 2021 maslikhats were elected by party lists; law reference §4)",
        "заң анықтамасы 2023 жылға дейінгі мәслихаттардың бір мандатты округтерін қамтымайды (2018–2021 жылдары мәслихаттар партиялық тізімдер бойынша сайланды; заң анықтамасы, §4)",
        "справочник по закону не охватывает одномандатные округа маслихатов до 2023 года (с 2018 по 2021 год маслихаты избирались по партийным спискам; справочник по закону, §4)",
    ),
    (
        "akims were not elected directly before 25 Jul 2021 (law reference §5)",
        "2021 жылғы 25 шілдеге дейін әкімдер тікелей сайланған жоқ (заң анықтамасы, §5)",
        "до 25 июля 2021 г. акимы не избирались прямым голосованием (справочник по закону, §5)",
    ),
    (
        "the 2026 Constitution replaced the two chambers with the unicameral Kurultai from 1 Jul 2026: there is no Senate (law reference §0 item 1, §6)",
        "2026 жылғы Конституция 2026 жылғы 1 шілдеден бастап екі палатаны бір палаталы Құрылтаймен алмастырды: Сенат жоқ (заң анықтамасы, §0 1-тармақ, §6)",
        "Конституция 2026 года с 1 июля 2026 г. заменила две палаты однопалатным Курултаем: Сената нет (справочник по закону, §0 п. 1, §6)",
    ),
    (
        "the Kurultai has no single-member districts: all 145 deputies are elected by party lists (law reference §A2)",
        "Құрылтайда бір мандатты округтер жоқ: барлық 145 депутат партиялық тізімдер бойынша сайланады (заң анықтамасы, §A2)",
        "в Курултае нет одномандатных округов: все 145 депутатов избираются по партийным спискам (справочник по закону, §A2)",
    ),
    (
        "the rule set is \"none\" (foreign or research data): counts only",
        "ережелер жиынтығы — «none» (шетелдік немесе зерттеу деректері): тек есептер",
        "свод правил — «none» (зарубежные или исследовательские данные): только подсчёт голосов",
    ),
    (
        "no list passed the 7% threshold, and the law's rule for that case is not known (law reference §12, [?])",
        "бірде-бір тізім 7% шектен өткен жоқ, ал бұл жағдайға заңның ережесі белгісіз (заң анықтамасы, §12, [?])",
        "ни один список не прошёл 7-процентный барьер, а правило закона для этого случая неизвестно (справочник по закону, §12, [?])",
    ),
    (
        "only one list passed the threshold, and the rule for maslikhats is not known (law reference §12, [?])",
        "шектен бір ғана тізім өтті, ал мәслихаттар үшін ереже белгісіз (заң анықтамасы, §12, [?])",
        "барьер прошёл только один список, а правило для маслихатов неизвестно (справочник по закону, §12, [?])",
    ),
    (
        "no list passed the threshold, and the rule for maslikhats is not known (law reference §12, [?])",
        "бірде-бір тізім шектен өткен жоқ, ал мәслихаттар үшін ереже белгісіз (заң анықтамасы, §12, [?])",
        "ни один список не прошёл барьер, а правило для маслихатов неизвестно (справочник по закону, §12, [?])",
    ),
    (
        "only one list passed the 5% threshold, and whether the 2009 runner-up rule survived the 2022 rewrite is not known (law reference §3.1, [?])",
        "5% шектен бір ғана тізім өтті, ал екінші тізім туралы 2009 жылғы ереже 2022 жылғы жаңа редакциядан кейін сақталды ма, белгісіз (заң анықтамасы, §3.1, [?])",
        "5-процентный барьер прошёл только один список, а сохранилось ли правило 2009 года о втором списке после новой редакции 2022 года, неизвестно (справочник по закону, §3.1, [?])",
    ),
    (
        "no list passed the 5% threshold, and the law's rule for that case is not known (law reference §3.1, [?])",
        "бірде-бір тізім 5% шектен өткен жоқ, ал бұл жағдайға заңның ережесі белгісіз (заң анықтамасы, §3.1, [?])",
        "ни один список не прошёл 5-процентный барьер, а правило закона для этого случая неизвестно (справочник по закону, §3.1, [?])",
    ),
    (
        "only one list passed the 5% threshold, and the rule for that case is not known (law reference §3.1, §4, [?])",
        "5% шектен бір ғана тізім өтті, ал бұл жағдайға ереже белгісіз (заң анықтамасы, §3.1, §4, [?])",
        "5-процентный барьер прошёл только один список, а правило для этого случая неизвестно (справочник по закону, §3.1, §4, [?])",
    ),
    (
        "no list passed the 5% threshold, and the rule for that case is not known (law reference §3.1, §4, [?])",
        "бірде-бір тізім 5% шектен өткен жоқ, ал бұл жағдайға ереже белгісіз (заң анықтамасы, §3.1, §4, [?])",
        "ни один список не прошёл 5-процентный барьер, а правило для этого случая неизвестно (справочник по закону, §3.1, §4, [?])",
    ),
    (
        "only one list passed the threshold, and the 2026 election law was not found (law reference §A2)",
        "шектен бір ғана тізім өтті, ал 2026 жылғы сайлау заңы табылмады (заң анықтамасы, §A2)",
        "барьер прошёл только один список, а избирательный закон 2026 года не найден (справочник по закону, §A2)",
    ),
    (
        "no list passed the threshold, and the 2026 election law was not found (law reference §A2)",
        "бірде-бір тізім шектен өткен жоқ, ал 2026 жылғы сайлау заңы табылмады (заң анықтамасы, §A2)",
        "ни один список не прошёл барьер, а избирательный закон 2026 года не найден (справочник по закону, §A2)",
    ),
    (
        "only one list passed the threshold, and the 2026 election law was not found (law reference §0 item 1)",
        "шектен бір ғана тізім өтті, ал 2026 жылғы сайлау заңы табылмады (заң анықтамасы, §0 1-тармақ)",
        "барьер прошёл только один список, а избирательный закон 2026 года не найден (справочник по закону, §0 п. 1)",
    ),
    (
        "no list passed the threshold, and the 2026 election law was not found (law reference §0 item 1)",
        "бірде-бір тізім шектен өткен жоқ, ал 2026 жылғы сайлау заңы табылмады (заң анықтамасы, §0 1-тармақ)",
        "ни один список не прошёл барьер, а избирательный закон 2026 года не найден (справочник по закону, §0 п. 1)",
    ),
];

/// A statement of a rule set in `lang` (English is core's own); `None` when core's English
/// has no translation (a new or changed statement).
pub fn statement(english: &'static str, lang: Lang) -> Option<&'static str> {
    if lang == Lang::En {
        return Some(english);
    }
    let (_, kk, ru) = STATEMENTS.iter().find(|(en, _, _)| *en == english)?;
    Some(if lang == Lang::Kk { kk } else { ru })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules_i18n::tests::{latin_words, SCANNERS};
    use ashyq_core::apportionment::Fraction;
    use ashyq_core::rules::{BeyondList, OptionRef, UnitRef};
    use std::collections::BTreeSet;

    /// What a translation may keep in Latin letters: the marks `[L]`, the letter of `§A2`, the
    /// check `R2`, rule-set names (`kz-2007`), the rule set `none`.
    const LATIN_ALLOWED: &[&str] = &["L", "A", "R", "kz", "none"];

    /// The citations and numbers of `tr` are those of `en`; `tr` is in Cyrillic, with no Latin
    /// word but the allowed ones and no placeholder left. `Err` says what is wrong.
    fn faithful(en: &str, tr: &str) -> Result<(), String> {
        for (what, scan) in SCANNERS {
            if scan(en) != scan(tr) {
                return Err(format!("{what} {:?} became {:?}", scan(en), scan(tr)));
            }
        }
        let left: Vec<String> =
            latin_words(tr).into_iter().filter(|w| !LATIN_ALLOWED.contains(&w.as_str())).collect();
        if !left.is_empty() {
            return Err(format!("words in Latin letters left: {left:?}"));
        }
        if !tr.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)) {
            return Err("no Cyrillic".into());
        }
        if tr.contains('{') || en.contains('{') {
            return Err("a placeholder is left".into());
        }
        if ["««", "»»"].iter().any(|q| tr.contains(q)) {
            return Err("quotes inside quotes of the same kind".into());
        }
        Ok(())
    }

    #[test]
    fn every_statement_of_every_rule_set_is_translated_and_keeps_its_citations() {
        let mut problems = BTreeSet::new();
        let mut used = BTreeSet::new();
        for r in RuleSetId::ALL {
            for s in r.rule_set().statements() {
                used.insert(s);
                for lang in [Lang::Kk, Lang::Ru] {
                    match statement(s, lang) {
                        None => {
                            problems.insert(format!("no {} translation of {s:?}", lang.code()));
                        }
                        Some(t) => {
                            if let Err(e) = faithful(s, t) {
                                problems.insert(format!("{} of {s:?}: {e}", lang.code()));
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(problems, BTreeSet::new());
        let stale: Vec<&str> =
            STATEMENTS.iter().map(|s| s.0).filter(|s| !used.contains(s)).collect();
        assert_eq!(stale, Vec::<&str>::new(), "translations of statements no rule set has");
        assert_eq!(statement("a statement core changed", Lang::Kk), None);
    }

    fn opt(index: usize, id: &str) -> OptionRef {
        OptionRef { index, id: id.into() }
    }

    /// One of every case, with numbers that tell each placeholder apart.
    fn undetermined_samples() -> Vec<Undetermined> {
        use Undetermined as U;
        let two = || vec![opt(0, "a"), opt(1, "b")];
        let mut v = vec![
            U::ByLaw(ashyq_core::rules::KZ_2022.statements()[0]),
            U::NoCounts,
            U::VotesUnknown { options: two() },
            U::VotesOverflow,
            U::NoValidVotes,
            U::NoCandidates,
            U::NoVotes,
            U::RunoffNotTwo { candidates: 3 },
            U::RemainderTieUnordered { seats: 1, lists: 3, unregistered: two() },
            U::RunnerUpMissing,
            U::RunnerUpWithoutVotes,
            U::RunnerUpTie { tied: two(), votes: 1234 },
            U::RunnerUpReadings {
                runner_up: opt(1, "b"),
                corrected: Fraction::new(26_583u32, 10_000u32).expect("a fraction"),
                integer_seats: 2,
                remaining: 5,
                seats: vec![3, 4],
            },
            U::BeyondLists {
                seats: 2,
                lists: vec![
                    BeyondList { list: opt(0, "a"), seats: 8, candidates: 6, beyond: 2 },
                    BeyondList { list: opt(1, "b"), seats: 9, candidates: 7, beyond: 2 },
                ],
            },
            U::PresidentialSoleCandidate,
            U::PresidentialRunoffPlaceTie { tied: two(), votes: 1234 },
            U::SenateElectorsUnknown,
            U::SenateNoQuorum { took_part: 1500, electors: 3168 },
            U::SenateRunoffTie { votes: 1450 },
            U::SenateSoleCandidate,
            U::SenateRunoffPlaceTie { tied: two(), votes: 1234 },
            U::DistrictTie { tied: two(), votes: 1234 },
            U::AkimInvalidUnknown { leader: opt(0, "a") },
            U::AkimWithoutMajority { leader: opt(0, "a"), votes: 450, ballots: 1000 },
            U::Referendum(vec![
                ReferendumGap::UnitsUndecided {
                    passing: 10,
                    units: 20,
                    test: UnitTest::YesMajority,
                    required: 14,
                    unknown: 7,
                },
                ReferendumGap::UnitsUndecided {
                    passing: 11,
                    units: 17,
                    test: UnitTest::Turnout,
                    required: 12,
                    unknown: 3,
                },
                ReferendumGap::NoUnits,
                ReferendumGap::NoUnitCounts,
                ReferendumGap::ValidityUnknown,
                ReferendumGap::MajorityUnknown,
            ]),
        ];
        v.extend(
            [
                ApportionmentError::Tie { options: vec![0, 1], seats: 1 },
                ApportionmentError::NoVotes,
                ApportionmentError::NoOptionPassed,
                ApportionmentError::NoOptions { seats: 98 },
                ApportionmentError::InvalidThreshold,
                ApportionmentError::TooManySeats { seats: 2_000_000, max: 1_000_000 },
                ApportionmentError::QuotaUnfillable { unfilled: 3, eligible: 2 },
                ApportionmentError::QuotaOverallocated { allocated: 99, seats: 98 },
            ]
            .map(U::SeatAllocation),
        );
        v
    }

    /// Which case a sample is: a new case of core's enums fails to compile here until it has a
    /// number, and the test below until it has a sample.
    fn case(u: &Undetermined) -> Vec<usize> {
        use Undetermined as U;
        let one = match u {
            U::ByLaw(_) => 0,
            U::NoCounts => 1,
            U::VotesUnknown { .. } => 2,
            U::VotesOverflow => 3,
            U::NoValidVotes => 4,
            U::NoCandidates => 5,
            U::NoVotes => 6,
            U::RunoffNotTwo { .. } => 7,
            U::RemainderTieUnordered { .. } => 8,
            U::SeatAllocation(e) => {
                return vec![match e {
                    ApportionmentError::Tie { .. } => 100,
                    ApportionmentError::NoVotes => 101,
                    ApportionmentError::NoOptionPassed => 102,
                    ApportionmentError::NoOptions { .. } => 103,
                    ApportionmentError::InvalidThreshold => 104,
                    ApportionmentError::TooManySeats { .. } => 105,
                    ApportionmentError::QuotaUnfillable { .. } => 106,
                    ApportionmentError::QuotaOverallocated { .. } => 107,
                }]
            }
            U::RunnerUpMissing => 9,
            U::RunnerUpWithoutVotes => 10,
            U::RunnerUpTie { .. } => 11,
            U::RunnerUpReadings { .. } => 12,
            U::BeyondLists { .. } => 13,
            U::PresidentialSoleCandidate => 14,
            U::PresidentialRunoffPlaceTie { .. } => 15,
            U::SenateElectorsUnknown => 16,
            U::SenateNoQuorum { .. } => 17,
            U::SenateRunoffTie { .. } => 18,
            U::SenateSoleCandidate => 19,
            U::SenateRunoffPlaceTie { .. } => 20,
            U::DistrictTie { .. } => 21,
            U::AkimInvalidUnknown { .. } => 22,
            U::AkimWithoutMajority { .. } => 23,
            U::Referendum(gaps) => {
                return gaps
                    .iter()
                    .map(|g| match g {
                        ReferendumGap::UnitsUndecided { .. } => 200,
                        ReferendumGap::NoUnits => 201,
                        ReferendumGap::NoUnitCounts => 202,
                        ReferendumGap::ValidityUnknown => 203,
                        ReferendumGap::MajorityUnknown => 204,
                    })
                    .collect()
            }
        };
        vec![one]
    }

    fn warning_samples() -> Vec<Warning> {
        let flips = |other, valid_other| Warning::TurnoutCountMatters {
            ballots_issued: Some(6_163_516),
            valid: Some(true),
            majority: Some(false),
            other,
            other_count: Some(6_100_000),
            valid_other,
            majority_other: Some(true),
        };
        vec![
            flips(OtherTurnoutCount::BallotsFound, Some(false)),
            flips(OtherTurnoutCount::BallotLinesSum, None),
            Warning::MapDiffers {
                units: 17,
                date: "2022-06-05".into(),
                expected: 20,
                required: 12,
                required_expected: 14,
            },
            Warning::UnitsExcluded {
                units: vec![
                    UnitRef { unit: 0, id: "ABROAD".into(), kind: "abroad".into() },
                    UnitRef { unit: 1, id: "BAIK".into(), kind: "other".into() },
                ],
            },
            Warning::RuleSetNotInForce {
                applied: RuleSetId::Kz2007,
                date: "2023-03-19".into(),
                in_force: RuleSetId::Kz2022,
            },
            Warning::NoRuleSetOnDate { applied: RuleSetId::Kz2007, date: "1999-10-10".into() },
        ]
    }

    fn warning_case(w: &Warning) -> usize {
        match w {
            Warning::TurnoutCountMatters { .. } => 0,
            Warning::MapDiffers { .. } => 1,
            Warning::UnitsExcluded { .. } => 2,
            Warning::RuleSetNotInForce { .. } => 3,
            Warning::NoRuleSetOnDate { .. } => 4,
        }
    }

    /// Names as a page in `lang` gives them: Cyrillic in Kazakh and Russian.
    fn names(lang: Lang) -> Names<'static> {
        let (party, unit) = match lang {
            Lang::Kk => ("Партия", "Аумақ"),
            Lang::Ru => ("Партия", "Территория"),
            Lang::En => ("Party", "Unit"),
        };
        Names {
            option: Box::new(move |o| format!("{party} {}", ["Ақ", "Бек", "Жол"][o])),
            unit: Box::new(move |u| format!("{unit} {}", ["Ақ", "Бек"][u])),
        }
    }

    #[test]
    fn every_case_is_said_in_kazakh_russian_and_english_with_the_same_numbers_and_citations() {
        let samples = undetermined_samples();
        let covered: BTreeSet<usize> = samples.iter().flat_map(case).collect();
        let expected: BTreeSet<usize> = (0..=23).chain(100..=107).chain(200..=204).collect();
        assert_eq!(covered, expected, "a case of Undetermined has no sample");
        let warnings = warning_samples();
        let covered: BTreeSet<usize> = warnings.iter().map(warning_case).collect();
        assert_eq!(covered, (0..=4).collect(), "a case of Warning has no sample");

        let mut problems = Vec::new();
        let said = |lang: Lang, which: &dyn Fn(Lang) -> String| which(lang);
        let mut check = |label: String, which: &dyn Fn(Lang) -> String| {
            let en = said(Lang::En, which);
            // English is said with the page's names, not core's ids, in sentence case.
            assert!(en.chars().next().is_some_and(|c| !c.is_lowercase()), "{en}");
            for lang in [Lang::Kk, Lang::Ru] {
                let tr = said(lang, which);
                if let Err(e) = faithful(&en, &tr) {
                    problems.push(format!(
                        "{label} ({}): {e}\n  en: {en}\n  {}: {tr}",
                        lang.code(),
                        lang.code()
                    ));
                }
                if tr == en {
                    problems.push(format!("{label} ({}): left in English", lang.code()));
                }
            }
        };
        for u in &samples {
            let label = format!("{:?}", case(u));
            // The heading's "by law" / "data missing" agrees with core's own sentence.
            assert_eq!(u.by_law(), u.to_string().starts_with("undetermined by law"), "{label}");
            check(label, &|lang| {
                undetermined(u, lang, &names(lang)).expect("every sample's statement is translated")
            });
        }
        for w in &warnings {
            check(format!("warning {}", warning_case(w)), &|lang| warning(w, lang, &names(lang)));
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn options_and_units_are_named_in_the_page_language_and_numbers_in_its_format() {
        let u =
            Undetermined::AkimWithoutMajority { leader: opt(2, "c"), votes: 4500, ballots: 10_000 };
        assert_eq!(
            undetermined(&u, Lang::Ru, &names(Lang::Ru)).unwrap(),
            "Лидер, Партия Жол, получил 4\u{a0}500 из 10\u{a0}000 бюллетеней, не больше половины; относительное большинство для акимов лишь предполагается [L], а будет ли повторное голосование и что меняет «против всех», неизвестно (справочник по закону, §5, [?])."
        );
        let u = Undetermined::DistrictTie {
            tied: vec![opt(0, "a"), opt(1, "b"), opt(2, "c")],
            votes: 1234,
        };
        assert_eq!(
            undetermined(&u, Lang::En, &names(Lang::En)).unwrap(),
            "A tie at 1,234 votes between Party Ақ, Party Бек and Party Жол; the law's rule for a tie was not found (law reference §3.1, §12, [?])."
        );
        let w = Warning::RuleSetNotInForce {
            applied: RuleSetId::Kz2007,
            date: "2023-03-19".into(),
            in_force: RuleSetId::Kz2022,
        };
        assert_eq!(
            warning(&w, Lang::Kk, &names(Lang::Kk)),
            "Қолданылған ережелер жиынтығы — kz-2007 (күшіне енген күні: 2007 жылғы 1 мамыр, ауыстырылған күні: 2009 жылғы 9 ақпан), бірақ сайлау күні, 2023 жылғы 19 наурыз, kz-2022 күшінде болды (күшіне енген күні: 2022 жылғы 5 маусым, ауыстырылған күні: 2026 жылғы 1 шілде)."
        );
    }
}
