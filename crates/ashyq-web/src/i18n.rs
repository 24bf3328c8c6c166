//! Three languages — Kazakh (`kk`), Russian (`ru`), English (`en`): the choice of language
//! (`?lang=` first, then `Accept-Language`, else Kazakh, the state language), every label of
//! the pages, and numbers and dates in each locale's format.
//!
//! Every label is one [`Msg`] with its three texts side by side, so a label without a
//! translation does not compile. Numbers follow CLDR: English groups thousands with a comma
//! and uses a decimal point (`1,234,567.5`); Russian and Kazakh group with a no-break space
//! and use a decimal comma (`1 234 567,5`); Russian writes a no-break space before the
//! percent sign (`81,31 %`), Kazakh and English do not.

/// A language of the pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Kazakh (қазақ тілі), the state language: the default.
    Kk,
    /// Russian (русский язык).
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Every language, in the order the language switcher shows them.
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// The BCP 47 tag (`<html lang>`, `?lang=`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language's name in itself (for the switcher).
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Kk => "Қазақша",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    /// Parses a tag's primary subtag (`kk`, `ru-RU`, `en-GB` …).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "kk" => Some(Lang::Kk),
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The page language: `?lang=` when it names one of ours, else the best of
    /// `Accept-Language` (RFC 9110 §12.5.4, q-values honoured, `q=0` excluded), else Kazakh.
    pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = query.and_then(Lang::from_tag) {
            return l;
        }
        let mut best: Option<(u32, usize, Lang)> = None;
        for (pos, item) in accept_language.unwrap_or("").split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map(|q| (q.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u32)
                .unwrap_or(1000);
            let Some(lang) = Lang::from_tag(tag) else { continue };
            if q == 0 {
                continue;
            }
            // Higher q wins; among equal q, the earlier entry.
            if best.is_none_or(|(bq, bpos, _)| q > bq || (q == bq && pos < bpos)) {
                best = Some((q, pos, lang));
            }
        }
        best.map(|b| b.2).unwrap_or(Lang::Kk)
    }

    fn index(self) -> usize {
        match self {
            Lang::Kk => 0,
            Lang::Ru => 1,
            Lang::En => 2,
        }
    }

    /// The text of a label.
    pub fn t(self, m: Msg) -> &'static str {
        m.texts()[self.index()]
    }

    /// The text of a label with `{name}` placeholders filled.
    pub fn f(self, m: Msg, args: &[(&str, &str)]) -> String {
        let mut s = self.t(m).to_owned();
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// An integer with the locale's digit grouping.
    pub fn int(self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self {
            Lang::En => ",",
            Lang::Kk | Lang::Ru => "\u{a0}",
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(ch);
        }
        out
    }

    /// A decimal number written with a point (`"81.31"`) in the locale's form.
    pub fn decimal(self, s: &str) -> String {
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let int = match int.parse::<u64>() {
            Ok(n) => self.int(n),
            Err(_) => int.to_owned(),
        };
        match (frac, self) {
            (None, _) => int,
            (Some(f), Lang::En) => format!("{int}.{f}"),
            (Some(f), _) => format!("{int},{f}"),
        }
    }

    /// `a / b` as a percentage with `places` decimals, rounded half up exactly (as the CEC
    /// rounds), in the locale's form; `None` when `b` is 0.
    pub fn percent(self, a: u64, b: u64, places: u32) -> Option<String> {
        ashyq_core::rules::percent(a, b, places).map(|s| self.percent_str(&s))
    }

    /// A float percentage (display only) with `places` decimals.
    pub fn percent_f(self, p: f64, places: usize) -> String {
        self.percent_str(&format!("{p:.places$}"))
    }

    fn percent_str(self, s: &str) -> String {
        let d = self.decimal(s);
        match self {
            Lang::Ru => format!("{d}\u{a0}%"),
            Lang::Kk | Lang::En => format!("{d}%"),
        }
    }

    /// A date `YYYY-MM-DD` in the locale's long form: `19 March 2023`, `19 марта 2023 г.`,
    /// `2023 жылғы 19 наурыз`. Anything else is returned as it is.
    pub fn date(self, iso: &str) -> String {
        let mut it = iso.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (it.next(), it.next(), it.next()) else {
            return iso.to_owned();
        };
        let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.get(..2).unwrap_or(d).parse::<u32>()) else {
            return iso.to_owned();
        };
        if !(1..=12).contains(&m) || y.len() != 4 {
            return iso.to_owned();
        }
        match self {
            Lang::En => format!("{d} {} {y}", MONTHS_EN[m - 1]),
            Lang::Ru => format!("{d} {} {y}\u{a0}г.", MONTHS_RU_GENITIVE[m - 1]),
            Lang::Kk => format!("{y} жылғы {d} {}", MONTHS_KK[m - 1]),
        }
    }

    /// An RFC 3339 time (`2026-03-01T21:05:00+05:00`) as the locale's date, the wall-clock
    /// time and the UTC offset it was given in.
    pub fn datetime(self, rfc3339: &str) -> String {
        let Some((date, rest)) = rfc3339.split_once('T') else { return rfc3339.to_owned() };
        let hm = rest.get(..5).unwrap_or(rest);
        let offset = rest
            .find(['+', '-'])
            .map(|i| &rest[i..])
            .or_else(|| rest.ends_with('Z').then_some("+00:00"))
            .unwrap_or("");
        let offset = if offset.is_empty() { String::new() } else { format!(" (UTC{offset})") };
        format!("{}, {hm}{offset}", self.date(date))
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_RU_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const MONTHS_KK: [&str; 12] = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
];

macro_rules! messages {
    ($($id:ident => [$kk:expr, $ru:expr, $en:expr $(,)?]),* $(,)?) => {
        /// A label of the pages; its texts in Kazakh, Russian and English are side by side in
        /// the source, so none can be missing.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Msg { $($id),* }

        impl Msg {
            /// Every label (for tests).
            pub const ALL: &'static [Msg] = &[$(Msg::$id),*];

            /// Kazakh, Russian, English.
            pub fn texts(self) -> [&'static str; 3] {
                match self { $(Msg::$id => [$kk, $ru, $en]),* }
            }
        }
    };
}

messages! {
    SiteName => ["Ashyq — сайлау нәтижелері", "Ashyq — итоги выборов", "Ashyq — election results"],
    Tagline => [
        "Қазақстан сайлауларының ашық нәтижелері: әр сайлау учаскесіне дейін, кез келген адам тексере алатын жазбадан",
        "Открытые итоги выборов в Казахстане: до каждого избирательного участка, из записи, которую может проверить любой",
        "Open election results for Kazakhstan: down to every polling station, from a record anyone can verify",
    ],
    SkipToContent => ["Негізгі мазмұнға өту", "Перейти к содержанию", "Skip to content"],
    Language => ["Тіл", "Язык", "Language"],
    YouAreHere => ["Сіз осындасыз", "Вы здесь", "You are here"],
    Home => ["Барлық сайлаулар", "Все выборы", "All elections"],
    Elections => ["Сайлаулар мен референдумдар", "Выборы и референдумы", "Elections and referendums"],
    ElectionsIntro => [
        "Жазбадағы әр сайлау: ресми хаттамалар, заң бойынша есептелген нәтиже және оның түсіндірмесі.",
        "Каждые выборы в записи: официальные протоколы, итог, рассчитанный по закону, и его объяснение.",
        "Every election in the record: the official protocols, the outcome computed under the law, and its explanation.",
    ],
    NoElections => ["Жазбада әзірге сайлау жоқ.", "В записи пока нет выборов.", "The record holds no election yet."],
    Date => ["Күні", "Дата", "Date"],
    RuleSet => ["Ережелер жиынтығы", "Свод правил", "Rule set"],
    Contests => ["Дауыс берулер", "Голосования", "Contests"],
    Contest => ["Дауыс беру", "Голосование", "Contest"],
    Results => ["Нәтижелер", "Результаты", "Results"],
    ResultsAt => ["Нәтижелер: {unit}", "Результаты: {unit}", "Results: {unit}"],
    ProtocolsReceived => [
        "Келген хаттамалар: {reported} / {expected} ({percent})",
        "Получено протоколов: {reported} из {expected} ({percent})",
        "Protocols received: {reported} of {expected} ({percent})",
    ],
    ProtocolsShort => ["Хаттамалар", "Протоколы", "Protocols"],
    ArrivalsTitle => ["Хаттамалардың түсуі", "Поступление протоколов", "Protocols received over time"],
    ArrivalsDesc => [
        "{from} мен {to} аралығында {expected} хаттаманың {received} түсті; үзік сызық — күтілетін саны.",
        "С {from} по {to} получено {received} из {expected} протоколов; пунктир — ожидаемое число.",
        "{received} of {expected} protocols received between {from} and {to}; the dashed line is the number expected.",
    ],
    ArrivalsAxis => ["уақыт (UTC)", "время (UTC)", "time (UTC)"],
    ArrivalsAtOnce => [
        "Барлық хаттама (саны: {received}) бір сәтте жазылды: {time} (түнгі түсу емес, пакет импорты).",
        "Все протоколы (всего: {received}) записаны одновременно: {time} (импорт пакета, а не поступление в течение ночи).",
        "Every protocol (all {received}) was recorded at one moment, {time} (a package import, not a night of reporting).",
    ],
    Turnout => ["Сайлаушылардың келуі", "Явка", "Turnout"],
    TurnoutValue => ["Келу: {percent}", "Явка: {percent}", "Turnout: {percent}"],
    Candidate => ["Кандидат, партия немесе жауап", "Кандидат, партия или ответ", "Candidate, party or answer"],
    Votes => ["Дауыстар", "Голоса", "Votes"],
    Share => ["Үлесі", "Доля", "Share"],
    BaseValid => [
        "Үлестер жарамды дауыстардан есептеледі (кандидаттар немесе партиялар және «Барлығына қарсы»)",
        "Доли — от действительных голосов (кандидаты или партии и «Против всех»)",
        "Shares are of the valid votes (candidates or parties and \"against all\")",
    ],
    BaseTookPart => [
        "Үлестер дауыс беруге қатысқандардан (берілген бюллетеньдерден) есептеледі",
        "Доли — от принявших участие (выданных бюллетеней)",
        "Shares are of those who took part (ballots issued)",
    ],
    AgainstAll => ["Барлығына қарсы", "Против всех", "Against all"],
    Yes => ["Иә", "Да", "Yes"],
    No => ["Жоқ", "Нет", "No"],
    Unknown => ["белгісіз", "неизвестно", "unknown"],
    OutcomeTitle => ["Заң бойынша нәтиже", "Итог по закону", "The outcome under the law"],
    OutcomeRefused => [
        "Нәтиже жарияланбайды: {n} хаттама заңның арифметикалық тексерісінен өтпеді, сондықтан заң бұл сандарды қабылдамайды.",
        "Итог не объявляется: {n} протокол(ов) не проходят арифметических проверок закона, и закон эти числа отвергает.",
        "No outcome: {n} protocol(s) fail the law's arithmetic checks, so the law rejects these counts.",
    ],
    OutcomeError => ["Нәтижені есептеу мүмкін емес.", "Итог не вычисляется.", "The outcome cannot be computed."],
    Winner => ["Жеңімпаз: {name}", "Победитель: {name}", "Winner: {name}"],
    Runoff => [
        "Ешкім жартыдан көп дауыс алған жоқ: {a} мен {b} арасында қайта дауыс беру",
        "Никто не получил более половины голосов: повторное голосование между {a} и {b}",
        "Nobody has more than half of the votes: a run-off between {a} and {b}",
    ],
    RepeatElection => ["Қайта сайлау өткізіледі", "Назначаются повторные выборы", "A repeat election is held"],
    MajorityNeeded => [
        "Жеңу үшін негіздің жартысынан көбі қажет: {base} дауыстың {need} дауысы",
        "Для победы нужно более половины базы: {need} из {base} голосов",
        "To win, more than half of the base is needed: {need} of {base} votes",
    ],
    Seats => ["Орындар", "Мандаты", "Seats"],
    SeatsTotal => ["Бөлінетін орындар: {n}", "Распределяемых мандатов: {n}", "Seats to allocate: {n}"],
    Threshold => ["Өту шегі: {percent}", "Барьер: {percent}", "Threshold: {percent}"],
    ThresholdBase => [
        "Шек есептелетін негіз: {n} дауыс",
        "База барьера: {n} голосов",
        "Base of the threshold: {n} votes",
    ],
    PassingVotes => [
        "Шектен өткен тізімдердің дауыстары: {n}",
        "Голоса списков, прошедших барьер: {n}",
        "Votes of the lists over the threshold: {n}",
    ],
    Quota => ["Сайлау квотасы (Хэйр): {q}", "Избирательная квота (Хэйр): {q}", "Electoral quota (Hare): {q}"],
    Passed => ["Өтті", "Прошла", "Passed"],
    NotPassed => ["Өтпеді", "Не прошла", "Did not pass"],
    PassedColumn => ["Шектен өтті ме", "Прошла барьер", "Over the threshold"],
    IntegerPart => ["Бүтін бөлігі", "Целая часть", "Integer part"],
    Remainder => ["Қалдық", "Остаток", "Remainder"],
    RemainderSeat => ["Қалдық бойынша орын", "Мандат по остатку", "Seat for the remainder"],
    OneListTookAll => [
        "Шектен бір ғана тізім өтті және ол барлық орынды алды.",
        "Барьер прошёл только один список, и он получил все мандаты.",
        "Only one list passed the threshold, and it took every seat.",
    ],
    RunnerUp => [
        "Екінші орындағы тізім бөлуге қатысады (2009 жылғы ереже).",
        "Список, занявший второе место, участвует в распределении (правило 2009 года).",
        "The runner-up list takes part in the allocation (the 2009 rule).",
    ],
    SeatsUndetermined => [
        "Заңмен анықталмаған орындар: {n}",
        "Мандатов, не определённых законом: {n}",
        "Seats the law leaves undetermined: {n}",
    ],
    Adopted => ["Қабылданды", "Принято", "Adopted"],
    NotAdopted => ["Қабылданбады", "Не принято", "Not adopted"],
    ReferendumValid => [
        "Референдум өтті деп танылды: тізімдегі сайлаушылардың жартысынан көбі қатысты ({percent}).",
        "Референдум состоялся: приняли участие более половины избирателей в списках ({percent}).",
        "The referendum is valid: more than half of the voters on the lists took part ({percent}).",
    ],
    ReferendumInvalid => [
        "Референдум өтпеді: тізімдегі сайлаушылардың жартысынан көбі қатыспады ({percent}).",
        "Референдум не состоялся: приняли участие не более половины избирателей в списках ({percent}).",
        "The referendum is not valid: no more than half of the voters on the lists took part ({percent}).",
    ],
    NationalYes => [
        "Бүкіл ел бойынша «Иә»: қатысқандардың {percent}.",
        "«Да» по стране: {percent} принявших участие.",
        "Yes nationally: {percent} of those who took part.",
    ],
    UnitsInFavour => [
        "«Иә» басым аумақтар: {n} / {total} (кемінде {required} қажет).",
        "Территорий, где «Да» в большинстве: {n} из {total} (нужно не менее {required}).",
        "Units in favour: {n} of {total} (at least {required} needed).",
    ],
    YesMajority => ["«Иә» басым", "«Да» в большинстве", "Yes majority"],
    TurnoutMajority => ["Жартысынан көбі қатысты", "Участвовало более половины", "More than half took part"],
    UnitTestUsed => [
        "Аумақтық тест: {test}",
        "Территориальный тест: {test}",
        "Territorial test: {test}",
    ],
    Undetermined => ["Заңмен анықталмаған", "Не определено законом", "Undetermined by law"],
    UndeterminedData => ["Анықталмаған: деректер жеткіліксіз", "Не определено: не хватает данных", "Undetermined: data missing"],
    ExplanationInEnglish => [
        "Түсіндірме ағылшын тілінде, заң анықтамасының сөзімен:",
        "Пояснение на английском, словами справочника по закону:",
        "Explanation, in the law reference's words:",
    ],
    RulesApplied => ["Қолданылған ережелер", "Применённые правила", "Rules applied"],
    RulesAppliedNote => [
        "Әр ереже заң анықтамасындағы сенімділік белгісімен және дереккөзімен; заң анықтамасының толық мәтіні (docs/law.md) ағылшын тілінде.",
        "Каждое правило — с отметкой уверенности и источником из справочника по закону; полный текст справочника (docs/law.md) — на английском.",
        "Each rule with its confidence mark and its source in the law reference (docs/law.md).",
    ],
    Confidence => ["Сенімділік", "Уверенность", "Confidence"],
    Map => ["Карта", "Карта", "Map"],
    MapCaption => [
        "Әр облыс пен қаладағы көш бастаушы: түсі — кім, қоюлығы — үлесі. Толығырақ көру үшін аумақты таңдаңыз.",
        "Лидер в каждой области и городе: цвет — кто, насыщенность — доля. Выберите территорию, чтобы увидеть подробности.",
        "The leader in each region and city: the colour says who, its strength the share. Choose a unit for its details.",
    ],
    MapNoData => ["Хаттама жоқ", "Нет протоколов", "No protocols"],
    MapAttribution => [
        "Шекаралар: geokz (Александр Родионов), CC BY 4.0, ҚР Ұлттық статистика бюросының деректері негізінде.",
        "Границы: geokz (Александр Родионов), CC BY 4.0, по данным Бюро национальной статистики РК.",
        "Boundaries: geokz by Alexander Rodionov, CC BY 4.0, based on the Bureau of National Statistics of Kazakhstan.",
    ],
    Leader => ["Көш бастаушы", "Лидер", "Leader"],
    Unit => ["Аумақ", "Территория", "Unit"],
    Units => ["Аумақтар", "Территории", "Units"],
    PollingStations => ["Сайлау учаскелері", "Избирательные участки", "Polling stations"],
    NoProtocolsYet => ["Хаттамалар әлі келген жоқ.", "Протоколы ещё не поступили.", "No protocols yet."],
    Protocol => ["Хаттама", "Протокол", "Protocol"],
    ProtocolLine => ["Жол", "Строка", "Line"],
    Value => ["Мәні", "Значение", "Value"],
    NotReported => [
        "Бұл учаскенің хаттамасы әлі келген жоқ.",
        "Протокол этого участка ещё не поступил.",
        "This station's protocol has not arrived yet.",
    ],
    SummaryProtocol => [
        "Бұл аумақ бойынша жиынтық хаттама (төменгі учаскелердің хаттамалары жазбада жоқ).",
        "Сводный протокол по этой территории (протоколов участков ниже в записи нет).",
        "A summary protocol for this unit (the record holds no station protocols below it).",
    ],
    VersionHistory => ["Нұсқалар тарихы", "История версий", "Version history"],
    Version => ["Нұсқа", "Версия", "Version"],
    EnteredBy => ["Енгізген", "Кто внёс", "Entered by"],
    Time => ["Уақыты", "Время", "Time"],
    Reason => ["Себебі", "Причина", "Reason"],
    FirstEntry => ["Алғашқы енгізу", "Первичный ввод", "First entry"],
    LinesChanged => ["Өзгерген жолдар", "Изменённые строки", "Lines changed"],
    LogEntry => ["Журнал жазбасы", "Запись журнала", "Log entry"],
    Corrected => [
        "Бұл хаттама түзетілді: {n} нұсқа. Ештеңе өшірілмейді — әр нұсқа журналда сақталады.",
        "Этот протокол исправлялся: версий — {n}. Ничего не стирается: каждая версия остаётся в журнале.",
        "This protocol was corrected: {n} versions. Nothing is erased: every version stays in the log.",
    ],
    ObserverCopies => ["Бақылаушылардың көшірмелері", "Копии наблюдателей", "Observer copies"],
    ObserverCopiesNotStored => [
        "Бұл жазба әзірге бақылаушылар хаттамаларының көшірмелерін сақтамайды; олар сақтала бастағанда, әр айырмашылық осында көрсетіледі.",
        "Эта запись пока не хранит копии протоколов от наблюдателей; когда они появятся, здесь будет показано каждое расхождение.",
        "This record does not hold observers' protocol copies yet; once it does, every mismatch is shown here.",
    ],
    ObserverCopiesNone => [
        "Бұл учаске үшін бақылаушылардың көшірмесі жоқ.",
        "Копий наблюдателей для этого участка нет.",
        "No observer copy of this station's protocol.",
    ],
    Official => ["Ресми", "Официально", "Official"],
    Observer => ["Бақылаушы", "Наблюдатель", "Observer"],
    Mismatch => ["Айырмашылық", "Расхождение", "Mismatch"],
    ProofTitle => ["Шолғышыңызда тексеру", "Проверка в вашем браузере", "Checked in your browser"],
    ProofIntro => [
        "Бет хаттаманың Меркл журналына енгізілгенінің дәлелін және комиссия қол қойған бақылау нүктесін жүктейді де, екеуін де шолғышыңызда тексереді (WebCrypto: SHA-256, Ed25519). Шолғыш комиссияның кілтін алғашқы тексеруден есте сақтайды және ол өзгерсе ескертеді: кілтті бір рет комиссия жариялаған кілтпен салыстырыңыз, сонда серверге сенудің қажеті жоқ.",
        "Страница загружает доказательство включения протокола в журнал Меркла и подписанную комиссией контрольную точку и проверяет оба в вашем браузере (WebCrypto: SHA-256, Ed25519). Браузер запоминает ключ комиссии с первой проверки и предупредит, если он изменится: сравните его один раз с ключом, который опубликовала комиссия, и доверять серверу не нужно.",
        "The page fetches the protocol's inclusion proof in the Merkle log and the checkpoint the commission signed, and checks both in your browser (WebCrypto: SHA-256, Ed25519). Your browser remembers the commission's key from its first check and warns if it ever changes: compare it once with the key the commission published, and you need not trust the server.",
    ],
    ProofNoScript => [
        "Тексеру үшін JavaScript қажет. Оны офлайн да жасауға болады: ashyq verify --record ҚАЛТА --verifier-key КІЛТ.",
        "Для проверки нужен JavaScript. Её можно сделать и офлайн: ashyq verify --record ПАПКА --verifier-key КЛЮЧ.",
        "The check needs JavaScript. It can also be done offline: ashyq verify --record FOLDER --verifier-key KEY.",
    ],
    ProofChecking => ["Тексерілуде…", "Проверяется…", "Checking…"],
    ProofVerified => [
        "Шолғышыңызда комиссияның кілтімен тексерілді",
        "Проверено в вашем браузере по ключу комиссии",
        "Verified in your browser against the commission's key",
    ],
    ProofFailed => ["Тексеруден өтпеді: {why}", "Проверка не пройдена: {why}", "Check failed: {why}"],
    ProofDetails => [
        "Журналдағы жазба {index} / {size}; түбір {root}; кілт {key}",
        "Запись журнала {index} из {size}; корень {root}; ключ {key}",
        "Log entry {index} of {size}; root {root}; key {key}",
    ],
    FailFetch => ["дәлелді жүктеу мүмкін болмады", "не удалось загрузить доказательство", "the proof could not be fetched"],
    FailUnsigned => [
        "жазбаға қол қойылмаған немесе бұл нұсқаны әлі бірде-бір бақылау нүктесі қамтымайды",
        "запись не подписана, или эту версию ещё не покрывает ни одна контрольная точка",
        "the record is not signed, or no checkpoint covers this version yet",
    ],
    FailLeafMismatch => [
        "журнал жазбасы осы беттегі хаттамаға сәйкес емес",
        "запись журнала не совпадает с протоколом на этой странице",
        "the log entry does not match the protocol on this page",
    ],
    FailLeafHash => ["жазбаның хэші сәйкес емес", "хэш записи не совпадает", "the leaf hash does not match the leaf"],
    FailRoot => [
        "дәлелдеу жолы бақылау нүктесінің түбіріне жеткізбейді",
        "путь доказательства не ведёт к корню контрольной точки",
        "the proof path does not lead to the checkpoint's root",
    ],
    FailSize => [
        "бақылау нүктесі дәлелдегі журнал өлшемін растамайды",
        "контрольная точка не подтверждает размер журнала из доказательства",
        "the checkpoint does not state the proof's tree size",
    ],
    FailSignature => [
        "бақылау нүктесінің қолтаңбасы комиссияның кілтімен расталмайды",
        "подпись контрольной точки не подтверждается ключом комиссии",
        "the checkpoint's signature does not verify with the commission's key",
    ],
    FailNoCrypto => [
        "бұл шолғыш Ed25519 қолтаңбасын тексере алмайды",
        "этот браузер не умеет проверять подписи Ed25519",
        "this browser cannot check Ed25519 signatures",
    ],
    CommissionKey => ["Комиссияның кілті", "Ключ комиссии", "The commission's key"],
    SignedByCommission => [
        "учаскелік комиссияның өз кілтімен қол қойылған: {key}",
        "подписан собственным ключом участковой комиссии: {key}",
        "signed with the precinct commission's own key: {key}",
    ],
    CommissionSignatureVerified => [
        "Учаскелік комиссияның осы жолдарға қойған өз қолтаңбасы (кілт {key}) браузеріңізде тексерілді.",
        "Собственная подпись участковой комиссии под этими строками (ключ {key}) проверена в вашем браузере.",
        "The precinct commission's own signature of these lines (key {key}) verified in your browser.",
    ],
    FailKeyChanged => [
        "комиссияның кілті бұл шолғыш бұрын көрген кілт емес: жазба басқа кілтпен қайта құрылған болуы мүмкін",
        "ключ комиссии не тот, что этот браузер видел раньше: запись могла быть перестроена под другим ключом",
        "the commission's key is not the one this browser saw before: the record may have been rebuilt under another key",
    ],
    KeyChangedDetails => [
        "Бұрын: {before}; қазір: {now}. Екеуін де комиссия жариялаған кілтпен салыстырыңыз.",
        "Раньше: {before}; сейчас: {now}. Сравните оба с ключом, который опубликовала комиссия.",
        "Seen before: {before}; now: {now}. Compare both with the key the commission published.",
    ],
    FailCommissionSignature => [
        "учаскелік комиссияның өз қолтаңбасы осы жолдарға сәйкес келмейді",
        "собственная подпись участковой комиссии не соответствует этим строкам",
        "the precinct commission's own signature does not match these lines",
    ],
    Integrity => ["Адалдық белгілері", "Признаки целостности", "Integrity"],
    IntegrityIntro => [
        "Статистикалық белгілер қолдан жасауды дәлелдемейді де, жоққа шығармайды да: олар тексеруге тұрарлық жерді көрсетеді. Әр әдіс нені дәлелдейтінін және нені дәлелдемейтінін айтады.",
        "Статистические признаки не доказывают и не опровергают фальсификацию: они показывают, где стоит проверить. Каждый метод говорит, что он доказывает и чего не доказывает.",
        "Statistical signs neither prove nor disprove falsification: they show where to look. Each method says what it does and does not prove.",
    ],
    IntegrityNeedsStations => [
        "Бұл белгілерге учаскелердің хаттамалары қажет; бұл дауыс беру бойынша жазбада тек жиынтық сандар бар.",
        "Для этих признаков нужны протоколы участков; по этому голосованию в записи только сводные числа.",
        "These signs need polling-station protocols; the record holds only summary totals for this contest.",
    ],
    Fingerprint => [
        "Сайлаудың «саусақ ізі»: келу × көш бастаушының үлесі",
        "«Отпечаток» выборов: явка × доля лидера",
        "Election fingerprint: turnout × the leader's share",
    ],
    FingerprintNote => [
        "Әр ұяшық — келуі мен көш бастаушының үлесі бір пайыздық аралыққа түсетін учаскелер саны. Адал сайлауда бір дөңгелек бұлт болады; (100 %, 100 %) бұрышына созылған із — Климек және әріптестерінің (PNAS, 2012) моделіндегі бюллетень салудың белгісі.",
        "Каждая клетка — число участков, у которых явка и доля лидера попадают в один процентный интервал. На честных выборах это одно округлое облако; шлейф к углу (100 %, 100 %) — признак вброса в модели Климека и соавторов (PNAS, 2012).",
        "Each cell counts the polling stations whose turnout and leader's share fall in one percentage point. A fair election gives one round cloud; a smear towards the corner (100%, 100%) is the mark of ballot stuffing in the model of Klimek et al. (PNAS, 2012).",
    ],
    TurnoutHistogram => ["Учаскелердегі келу", "Явка по участкам", "Turnout across polling stations"],
    TurnoutHistogramNote => [
        "Әр бағана — келуі сол бір пайыздық аралыққа түсетін учаскелер саны. Бүтін пайыздардағы шыңдар — Кобак, Шпилкин және Пшеничников (2016) сипаттаған белгі.",
        "Каждый столбец — число участков с явкой в этом процентном интервале. Пики на целых процентах — признак, описанный Кобаком, Шпилькиным и Пшеничниковым (2016).",
        "Each bar counts the polling stations whose turnout falls in that percentage point. Peaks at whole percentages are the sign described by Kobak, Shpilkin & Pshenichnikov (2016).",
    ],
    ForensicsTitle => ["Сайлау криминалистикасы", "Электоральная криминалистика", "Election forensics"],
    Method => ["Әдіс", "Метод", "Method"],
    Finding => ["Нәтиже", "Результат", "Finding"],
    WhatItMeans => ["Нені білдіреді", "Что это значит", "What it means"],
    IntegerPercentages => ["Бүтін пайыздар", "Целые проценты", "Integer percentages"],
    IntegerPercentagesFinding => [
        "Бүтін пайызы бар учаскелер: {observed}, күтілгені {expected}; p = {p}",
        "Участков с целым процентом: {observed}, ожидалось {expected}; p = {p}",
        "Stations at a whole percentage: {observed}, expected {expected}; p = {p}",
    ],
    IntegerPercentagesMeans => [
        "Кездейсоқ дауыстан күтілгеннен көп болса, кейбір хаттамалардағы сандар мақсатты пайызға жеткізілген болуы мүмкін. Артықтың жоқтығы адалдықты дәлелдемейді.",
        "Если больше, чем ожидается от случайных голосов, числа в части протоколов могли подгонять под целевой процент. Отсутствие избытка честности не доказывает.",
        "More than random votes would give suggests that some protocols were written to a target percentage. No excess does not prove honesty.",
    ],
    KlimekModel => ["Климек моделі", "Модель Климека", "Klimek model"],
    KlimekFinding => [
        "Бюллетень салынған учаскелер үлесінің бағасы f_i = {fi}, толық қолдан жасалғаны f_e = {fe}",
        "Оценка доли участков со вбросом f_i = {fi}, с полной фальсификацией f_e = {fe}",
        "Estimated share of stations with stuffing f_i = {fi}, with extreme fraud f_e = {fe}",
    ],
    KlimekMeans => [
        "Модельдің бағасы: келу мен көш бастаушының үлесі бірге өскен учаскелер үлесі. Бұл — модельге сүйенген баға, дәлел емес.",
        "Оценка модели: доля участков, где явка и доля лидера растут вместе. Это модельная оценка, а не доказательство.",
        "The model's estimate of the share of stations where turnout and the leader's share rise together. A model estimate, not proof.",
    ],
    Shpilkin => ["Шпилкин бағасы", "Оценка Шпилькина", "Shpilkin's estimate"],
    ShpilkinFinding => [
        "Аномалды дауыстардың бағасы: {n}",
        "Оценка аномальных голосов: {n}",
        "Estimated anomalous votes: {n}",
    ],
    ShpilkinMeans => [
        "Төмен келулі учаскелердегі үлес жоғары келулі учаскелерде де сақталса, артық дауыс қанша болар еді. Жоғары келу адал да болуы мүмкін.",
        "Сколько голосов было бы лишними, если бы доля лидера на участках с высокой явкой оставалась как на участках с низкой. Высокая явка может быть и честной.",
        "How many votes would be surplus if the leader's share at high-turnout stations stayed as at low-turnout ones. High turnout can be honest too.",
    ],
    Digits => ["Соңғы цифрлар", "Последние цифры", "Last digits"],
    DigitsFinding => [
        "Соңғы цифрлардың біркелкілігі: p = {p}; 0 мен 5: p = {p05}",
        "Равномерность последних цифр: p = {p}; 0 и 5: p = {p05}",
        "Uniformity of last digits: p = {p}; 0 and 5: p = {p05}",
    ],
    DigitsMeans => [
        "Ойдан шығарылған сандарда кейбір цифрлар жиі кездеседі. Шағын учаскелерде сынақ әлсіз.",
        "В придуманных числах одни цифры встречаются чаще других. На маленьких участках тест слаб.",
        "Invented numbers favour some digits. The test is weak at small stations.",
    ],
    Flagged => ["p < 0,001 деңгейінде белгіленді", "Отмечено на уровне p < 0,001", "Flagged at p < 0.001"],
    NotFlagged => ["Белгіленген жоқ", "Не отмечено", "Not flagged"],
    NotEnoughData => ["Деректер жеткіліксіз", "Недостаточно данных", "Not enough data"],
    StationsAnalysed => [
        "Талданған учаскелер: {n}; көш бастаушы: {leader}",
        "Проанализировано участков: {n}; лидер: {leader}",
        "Stations analysed: {n}; leader: {leader}",
    ],
    WhatIf => ["Ережелер басқа болса?", "Что, если бы правила были другими?", "What if the rules were different?"],
    WhatIfShort => ["Басқа ережелермен", "По другим правилам", "What if"],
    WhatIfIntro => [
        "Сол дауыстар басқа ережелер жиынтығымен. Бұл — гипотетикалық есеп, ресми нәтиже емес: тек заңның өзгерісі нәтижені қалай өзгертетінін көрсетеді.",
        "Те же голоса по другому своду правил. Это гипотетический расчёт, а не официальный итог: он показывает только, как изменение закона меняет итог.",
        "The same votes under another rule set. This is hypothetical, not the official outcome: it shows only how a change of the law changes the outcome.",
    ],
    PackageRules => ["пакеттің ережелері", "правила пакета", "the package's rules"],
    Hypothetical => ["гипотетикалық", "гипотетически", "hypothetical"],
    NoRulesFor => [
        "бұл ережелер жиынтығында мұндай дауыс беруге ереже жоқ",
        "в этом своде нет правил для такого голосования",
        "this rule set has no rules for this kind of contest",
    ],
    LiveUpdates => ["Нәтижелер өздігінен жаңарады", "Результаты обновляются сами", "Results update live"],
    LiveUpdated => [
        "Жаңартылды: жаңа хаттамалар — {n}",
        "Обновлено: новых протоколов — {n}",
        "Updated: {n} new protocol(s)",
    ],
    RecordState => [
        "Жазба: журналда {size} жазба, оның {signed} жазбасына комиссия қол қойған; түбір {root}",
        "Запись: в журнале {size} записей, {signed} из них подписаны комиссией; корень {root}",
        "Record: {size} log entries, {signed} of them signed by the commission; root {root}",
    ],
    OpenData => ["Ашық деректер", "Открытые данные", "Open data"],
    Embed => ["Сайтқа қою", "Встроить на сайт", "Embed"],
    EmbedNote => [
        "Бұл картаны немесе аумақ нәтижесін жаңалықтар сайтына iframe арқылы қоюға болады:",
        "Эту карту или результат территории можно встроить на новостной сайт через iframe:",
        "This map or a unit's result can go into a news site in an iframe:",
    ],
    FullResults => ["Толық нәтижелер", "Полные результаты", "Full results"],
    Footer => [
        "Ashyq — ашық бастапқы кодты бағдарлама (Apache-2.0). Әр сан қол қойылған журналдан алынған және оны кез келген адам тексере алады.",
        "Ashyq — программа с открытым исходным кодом (Apache-2.0). Каждое число взято из подписанного журнала, и любой может его проверить.",
        "Ashyq is open-source software (Apache-2.0). Every number comes from a signed log that anyone can verify.",
    ],
    NotFound => ["Бет табылмады", "Страница не найдена", "Page not found"],
    NotFoundBody => [
        "Мұндай сайлау, дауыс беру немесе аумақ жазбада жоқ.",
        "Таких выборов, голосования или территории в записи нет.",
        "No such election, contest or unit in the record.",
    ],
    KindCountry => ["Ел", "Страна", "Country"],
    KindRegion => ["Облыс", "Область", "Region"],
    KindCity => ["Республикалық маңызы бар қала", "Город республиканского значения", "City of republican significance"],
    KindDistrict => ["Аудан", "Район", "District"],
    KindStation => ["Сайлау учаскесі", "Избирательный участок", "Polling station"],
    KindOther => ["Аумақ", "Территория", "Unit"],
    ContestReferendum => ["Республикалық референдум", "Республиканский референдум", "Republican referendum"],
    ContestPresidential => ["Қазақстан Республикасы Президентінің сайлауы", "Выборы Президента Республики Казахстан", "Presidential election"],
    ContestPresidentialRunoff => ["Президент сайлауы: қайта дауыс беру", "Выборы Президента: повторное голосование", "Presidential election: run-off"],
    ContestMazhilisList => ["Мәжіліс сайлауы: партиялық тізімдер", "Выборы в Мажилис: партийные списки", "Mazhilis election: party lists"],
    ContestMaslikhatList => ["Мәслихат сайлауы: партиялық тізімдер", "Выборы в маслихат: партийные списки", "Maslikhat election: party lists"],
    ContestMazhilisDistrict => ["Мәжіліс сайлауы: бірмандатты округ", "Выборы в Мажилис: одномандатный округ", "Mazhilis election: single-member district"],
    ContestMaslikhatDistrict => ["Мәслихат сайлауы: бірмандатты округ", "Выборы в маслихат: одномандатный округ", "Maslikhat election: single-member district"],
    ContestAkim => ["Әкім сайлауы", "Выборы акима", "Akim election"],
    ContestSenate => ["Сенат депутатын сайлау", "Выборы депутата Сената", "Senate election"],
    ElectionOf => ["{what}, {date}", "{what}, {date}", "{what}, {date}"],
    StationNumber => ["№{n} сайлау учаскесі", "Избирательный участок №{n}", "Polling station No. {n}"],
    UnitWithId => ["{kind} {id}", "{kind} {id}", "{kind} {id}"],
    TotalsAt => ["{unit} бойынша жиынтық", "Итого по территории: {unit}", "Totals for {unit}"],
    ChildUnits => ["Төменгі аумақтар", "Нижестоящие территории", "Units below"],
    Reported => ["Келді", "Поступило", "Reported"],
    Expected => ["Күтілуде", "Ожидается", "Expected"],
    ShowStation => ["Учаскеге өту", "Перейти к участку", "Go to the station"],
    Chart => ["Диаграмма", "Диаграмма", "Chart"],
    StationsCount => ["{n} учаске", "{n} участков", "{n} stations"],
    Minus => ["кемі", "меньше", "fewer"],
    LineRegistered => ["Тізімге енгізілген сайлаушылар", "Избирателей в списках", "Voters on the lists"],
    LineBallotsReceived => ["Комиссия алған бюллетеньдер", "Получено бюллетеней комиссией", "Ballots received by the commission"],
    LineBallotsIssued => ["Берілген бюллетеньдер (дауыс беруге қатысқандар)", "Выдано бюллетеней (приняли участие)", "Ballots issued (took part)"],
    LineBallotsCancelled => ["Жойылған пайдаланылмаған бюллетеньдер", "Погашено неиспользованных бюллетеней", "Unused ballots cancelled"],
    LineBallotsFound => ["Жәшіктерден табылған бюллетеньдер", "Бюллетеней в ящиках для голосования", "Ballots found in the boxes"],
    LineInvalid => ["Жарамсыз бюллетеньдер", "Недействительных бюллетеней", "Invalid ballots"],
    LineNotCounted => ["Есептелмеген (екі жауап та белгіленген)", "Неучтённых (отмечены оба ответа)", "Not counted (both answers marked)"],
    LineAbsentee => ["Сырттай куәлікпен дауыс бергендер", "Проголосовало по открепительным удостоверениям", "Voted with an absentee certificate"],
    LineMobile => ["Үй-жайдан тыс дауыс бергендер", "Проголосовало вне помещения", "Voted outside the premises"],
    LineAbsenteeCertificates => ["Ұсынылған сырттай куәліктер", "Предъявлено открепительных удостоверений", "Absentee certificates presented"],
    LineMobileApplications => ["Үй-жайдан тыс дауыс беруге өтініштер", "Заявлений о голосовании вне помещения", "Applications to vote outside the premises"],
    Registered => ["Тізімдегі сайлаушылар: {n}", "Избирателей в списках: {n}", "Voters on the lists: {n}"],
    TookPart => ["Қатысқандар: {n}", "Приняли участие: {n}", "Took part: {n}"],
    Integrity2 => ["Адалдық", "Целостность", "Integrity"],
    PerUnit => ["Аумақтар бойынша", "По территориям", "By unit"],
    UnitsTableCaption => ["Аумақтар бойынша тест", "Тест по территориям", "The test by unit"],
    NoResultsForUnit => ["Бұл аумақ бойынша хаттама әлі жоқ.", "По этой территории протоколов пока нет.", "No protocols for this unit yet."],
    Quorum => ["Кворум", "Кворум", "Quorum"],
    ConfidenceLegend => ["[H] жоғары, [M] орташа, [L] төмен, [?] белгісіз", "[H] высокая, [M] средняя, [L] низкая, [?] неизвестно", "[H] high, [M] medium, [L] low, [?] unknown"],
    Hours => ["сағ.", "ч", "h"],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_translated_and_not_left_in_english() {
        let has_cyrillic = |s: &str| s.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
        for m in Msg::ALL {
            let [kk, ru, en] = m.texts();
            assert!(!kk.is_empty() && !ru.is_empty() && !en.is_empty(), "{m:?}");
            // Labels that are only placeholders or formulas need no script of their own.
            let only_placeholders = |s: &str| {
                let mut t = s.to_owned();
                while let (Some(a), Some(b)) = (t.find('{'), t.find('}')) {
                    if a > b {
                        break;
                    }
                    t.replace_range(a..=b, "");
                }
                !t.chars().any(char::is_alphabetic)
            };
            if only_placeholders(en) {
                continue;
            }
            assert!(has_cyrillic(kk), "{m:?}: the Kazakh text has no Cyrillic: {kk}");
            assert!(has_cyrillic(ru), "{m:?}: the Russian text has no Cyrillic: {ru}");
            // The same placeholders in every language.
            let names = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|x| x.0.to_owned()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(names(kk), names(en), "{m:?}");
            assert_eq!(names(ru), names(en), "{m:?}");
        }
    }

    #[test]
    fn numbers_and_dates_follow_each_locale() {
        assert_eq!(Lang::En.int(12_035_578), "12,035,578");
        assert_eq!(Lang::Ru.int(12_035_578), "12\u{a0}035\u{a0}578");
        assert_eq!(Lang::Kk.int(999), "999");
        assert_eq!(Lang::Kk.int(1000), "1\u{a0}000");
        // Tokayev 2022: 6,456,393 / 7,940,478 = 81.3098…% → 81.31 (exact, half up).
        assert_eq!(Lang::En.percent(6_456_393, 7_940_478, 2).as_deref(), Some("81.31%"));
        assert_eq!(Lang::Ru.percent(6_456_393, 7_940_478, 2).as_deref(), Some("81,31\u{a0}%"));
        assert_eq!(Lang::Kk.percent(6_456_393, 7_940_478, 2).as_deref(), Some("81,31%"));
        assert_eq!(Lang::En.percent(1, 0, 2), None);
        assert_eq!(Lang::En.date("2023-03-19"), "19 March 2023");
        assert_eq!(Lang::Ru.date("2023-03-19"), "19 марта 2023\u{a0}г.");
        assert_eq!(Lang::Kk.date("2023-03-19"), "2023 жылғы 19 наурыз");
        assert_eq!(Lang::En.date("soon"), "soon");
        assert_eq!(
            Lang::En.datetime("2026-03-01T21:05:00+05:00"),
            "1 March 2026, 21:05 (UTC+05:00)"
        );
        assert_eq!(
            Lang::Ru.datetime("2026-03-01T16:05:00Z"),
            "1 марта 2026\u{a0}г., 16:05 (UTC+00:00)"
        );
    }

    #[test]
    fn the_query_wins_then_accept_language_by_quality_then_kazakh() {
        assert_eq!(Lang::negotiate(Some("ru"), Some("en")), Lang::Ru);
        assert_eq!(Lang::negotiate(Some("xx"), Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("de-DE, ru;q=0.8, en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("kk-KZ;q=0.5, ru-RU;q=0.5")), Lang::Kk);
        assert_eq!(Lang::negotiate(None, Some("en;q=0, ru;q=0.1")), Lang::Ru);
        assert_eq!(Lang::negotiate(None, Some("de, fr")), Lang::Kk);
        assert_eq!(Lang::negotiate(None, None), Lang::Kk);
    }
}
