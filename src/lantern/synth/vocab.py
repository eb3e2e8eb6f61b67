"""Word lists for the synthetic world: places, sites, names and neutral sentence pools.

Everything here is invented and deliberately plain (PRINCIPLES.md §9): no real ad text, nothing explicit.
Youth cues are the neutral paraphrases the research lists as indicators (INDICATORS.md T03, §5.2), so the
generated corpus exercises the likely-minor rules without containing anything that should not be written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A place as a site states it, with the region that defines travel circuits."""

    name: str
    admin: str
    country: str  # "US", "GB", "AU"
    region: str
    area_codes: tuple[str, ...] = ()  # US: NPAs; AU: trunk area digit ("2", "3", "7", "8")

    @property
    def label(self) -> str:
        return f"{self.name}, {self.admin}"

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-").replace(".", "")


CITIES: tuple[City, ...] = (
    City("Houston", "TX", "US", "south", ("713", "281", "832")),
    City("Dallas", "TX", "US", "south", ("214", "469", "972")),
    City("San Antonio", "TX", "US", "south", ("210",)),
    City("Austin", "TX", "US", "south", ("512", "737")),
    City("New Orleans", "LA", "US", "south", ("504",)),
    City("Oklahoma City", "OK", "US", "south", ("405",)),
    City("Atlanta", "GA", "US", "southeast", ("404", "678", "770")),
    City("Miami", "FL", "US", "southeast", ("305", "786")),
    City("Orlando", "FL", "US", "southeast", ("407", "321")),
    City("Tampa", "FL", "US", "southeast", ("813",)),
    City("Jacksonville", "FL", "US", "southeast", ("904",)),
    City("Charlotte", "NC", "US", "southeast", ("704", "980")),
    City("Nashville", "TN", "US", "southeast", ("615",)),
    City("Memphis", "TN", "US", "southeast", ("901",)),
    City("Los Angeles", "CA", "US", "west", ("213", "310", "323")),
    City("San Diego", "CA", "US", "west", ("619", "858")),
    City("Sacramento", "CA", "US", "west", ("916",)),
    City("San Jose", "CA", "US", "west", ("408",)),
    City("Las Vegas", "NV", "US", "west", ("702", "725")),
    City("Phoenix", "AZ", "US", "west", ("602", "480")),
    City("Seattle", "WA", "US", "west", ("206", "253")),
    City("Portland", "OR", "US", "west", ("503", "971")),
    City("Denver", "CO", "US", "west", ("303", "720")),
    City("Salt Lake City", "UT", "US", "west", ("801",)),
    City("Chicago", "IL", "US", "midwest", ("312", "773")),
    City("Detroit", "MI", "US", "midwest", ("313",)),
    City("Minneapolis", "MN", "US", "midwest", ("612",)),
    City("St. Louis", "MO", "US", "midwest", ("314",)),
    City("Kansas City", "MO", "US", "midwest", ("816",)),
    City("Indianapolis", "IN", "US", "midwest", ("317",)),
    City("Columbus", "OH", "US", "midwest", ("614",)),
    City("Cleveland", "OH", "US", "midwest", ("216",)),
    City("Milwaukee", "WI", "US", "midwest", ("414",)),
    City("New York", "NY", "US", "northeast", ("212", "718", "917")),
    City("Newark", "NJ", "US", "northeast", ("973",)),
    City("Philadelphia", "PA", "US", "northeast", ("215", "267")),
    City("Boston", "MA", "US", "northeast", ("617", "857")),
    City("Baltimore", "MD", "US", "northeast", ("410", "443")),
    City("Washington", "DC", "US", "northeast", ("202",)),
    City("Pittsburgh", "PA", "US", "northeast", ("412",)),
    City("London", "England", "GB", "uk"),
    City("Manchester", "England", "GB", "uk"),
    City("Birmingham", "England", "GB", "uk"),
    City("Leeds", "England", "GB", "uk"),
    City("Glasgow", "Scotland", "GB", "uk"),
    City("Bristol", "England", "GB", "uk"),
    City("Sydney", "NSW", "AU", "au", ("2",)),
    City("Melbourne", "VIC", "AU", "au", ("3",)),
    City("Brisbane", "QLD", "AU", "au", ("7",)),
    City("Perth", "WA", "AU", "au", ("8",)),
    City("Adelaide", "SA", "AU", "au", ("8",)),
)

REGIONS: dict[str, tuple[int, ...]] = {}
for _index, _city in enumerate(CITIES):
    REGIONS.setdefault(_city.region, ())
    REGIONS[_city.region] = (*REGIONS[_city.region], _index)

COUNTRY_REGIONS: dict[str, tuple[str, ...]] = {
    "US": ("south", "southeast", "west", "midwest", "northeast"),
    "GB": ("uk",),
    "AU": ("au",),
}


@dataclass(frozen=True)
class Site:
    """A fictional classifieds site. URL shapes differ on purpose: extractors must read them all."""

    source: str
    country: str
    host: str
    url_shape: str  # "path", "slug", "query", "region"
    boilerplate: str  # site footer; carries the site's support contacts (a trap for extractors)
    support_phone: str  # E.164 of the support line in the boilerplate, never a provider's number
    support_email: str  # the support address in the boilerplate, never a provider's email


SITES: tuple[Site, ...] = (
    Site(
        "citylist",
        "US",
        "citylist.example.com",
        "path",
        "Posted on CityList. All users must be 18 or older. Site support: (212) 555-0100, "
        "support-citylist@example.com.",
        "+12125550100",
        "support-citylist@example.com",
    ),
    Site(
        "nightboard",
        "US",
        "nightboard.example.net",
        "slug",
        "NightBoard does not verify listings. Report a listing: call 646-555-0101 or write to "
        "report@example.net.",
        "+16465550101",
        "report@example.net",
    ),
    Site(
        "adhub",
        "US",
        "www.adhub.example.org",
        "query",
        "AdHub help desk 1-800-555-0102 (9am-5pm). help-adhub@example.org",
        "+18005550102",
        "help-adhub@example.org",
    ),
    Site(
        "ukboard",
        "GB",
        "uk.listings.example.org",
        "region",
        "UK Listings moderation team: 07700 900000, moderation-uk@example.org.",
        "+447700900000",
        "moderation-uk@example.org",
    ),
    Site(
        "auboard",
        "AU",
        "au.board.example.net",
        "region",
        "AU Board support (02) 5550 0000 or support-au@example.net.",
        "+61255500000",
        "support-au@example.net",
    ),
)

SOCIAL_SOURCE = "chirp"
SOCIAL_HOST = "chirp.example.com"

SITE_BY_COUNTRY: dict[str, tuple[int, ...]] = {}
for _index, _site in enumerate(SITES):
    SITE_BY_COUNTRY.setdefault(_site.country, ())
    SITE_BY_COUNTRY[_site.country] = (*SITE_BY_COUNTRY[_site.country], _index)

NAMES: tuple[str, ...] = (
    "Amber", "Angel", "Aria", "Bella", "Brooke", "Candy", "Chloe", "Crystal", "Daisy", "Destiny", "Diamond",
    "Ella", "Emma", "Faith", "Gigi", "Grace", "Harmony", "Hazel", "Honey", "Ivy", "Jade", "Jasmine", "Jenna",
    "Kayla", "Kiki", "Lacey", "Layla", "Lexi", "Lily", "Lola", "Luna", "Maya", "Mia", "Misty", "Nadia",
    "Nikki", "Nova", "Olivia", "Paris", "Pearl", "Penny", "Peyton", "Raven", "Rose", "Roxy", "Ruby", "Sage",
    "Sasha", "Scarlett", "Sky", "Sophie", "Star", "Stella", "Summer", "Tiffany", "Tina", "Valerie", "Violet",
    "Willow", "Zoe",
)  # fmt: skip

GREETINGS = ("Hi there!", "Hello gentlemen,", "Hey everyone!", "Good evening,", "Welcome!", "Hi!")
INTROS = (
    "I'm {name}, {age}.",
    "My name is {name} and I am {age} years old.",
    "{name} here, age {age}.",
    "Call me {name} ({age}).",
    "I'm {name}, {age} yrs.",
)
INTROS_NO_AGE = ("Hi, I'm {name}.", "{name} here.", "My name is {name}.")
DESCRIPTIONS = (
    "Sweet and fun company.",
    "Friendly, easy-going and discreet.",
    "Warm smile and great conversation.",
    "Classy and relaxed.",
    "Outgoing and upbeat.",
    "Calm, kind and attentive.",
    "Bubbly personality, always on time.",
    "Laid-back and easy to talk to.",
    "Elegant and well spoken.",
    "Down to earth and cheerful.",
)
TRUST = (  # T01 trustworthy/professional language
    "100% real photos.",
    "Recent pictures, no surprises.",
    "No games, no drama.",
    "Satisfaction guaranteed.",
    "Real and verified.",
    "1oo% legit.",
)
MOVEMENT = (  # T05 movement language (weak/negative indicator)
    "New in town!",
    "Visiting {city} this week only.",
    "Just arrived in {city}.",
    "Last few days in {city}.",
    "Back in {city} for a short stay.",
)
YOUTH = (  # T03 youth language, neutral paraphrases from the research
    "Young and fresh.",
    "Brand new.",
    "Just turned {age}.",
    "Youthful and sweet.",
    "Fresh face, new to this.",
    "Sweet college girl.",
)
YOUTH_EMOJI = ("🌸", "💗", "🍒")
PLAIN_EMOJI = ("✨", "⭐", "💕", "🌟", "💫")
AVAILABILITY = ("Available 24/7.", "Incall and outcall.", "Open late.", "Available today.", "Outcall only.")
THIRD_PARTY = ("Ask for {name}.", "Come see us.", "Our staff is friendly and discreet.", "{name} is back!")
DECOYS = (  # numbers that are not contacts or provider ages
    "Height 5'{inch}.",
    "Clients 30+ preferred.",
    "Open 24/7, 7 days.",
    "Room #{room}.",
)
COPIED_PHRASES = (  # popular phrases copied verbatim by unrelated posters: a trap for text linking
    "Upscale, discreet and always on time.",
    "Text first, no private numbers, no blocked calls.",
    "Looking forward to meeting you!",
    "Please be respectful of my time.",
    "Serious inquiries only, thank you.",
    "Treat me like a lady and I will treat you like a gentleman.",
)
CONTACT_LINES = (
    "Call or text {phone}.",
    "Text me at {phone}.",
    "{phone} (text only).",
    "Reach me: {phone}",
    "Booking line: {phone}",
    "Contact {phone}",
)
EMAIL_LINES = ("Email: {email}", "Write to {email}", "{email} for appointments")
HANDLE_LINES = ("{platform}: {handle}", "Find me on {platform} @{handle}", "{platform} @{handle}")
PAYMENT_LINES = ("Deposit via {platform} {handle}", "{platform}: {handle}", "Deposits on {platform} {handle}")
TITLES = (
    "{name} - {age}",
    "New in {city}! {adj} {name}",
    "{adj} and fun - {age}",
    "{emoji} {name} {emoji}",
    "{adj} {name} in {city}",
    "{name}, {adj} company",
)
TITLES_NO_AGE = ("{emoji} {name} {emoji}", "{adj} {name} in {city}", "{name}, {adj} company")
TITLE_ADJECTIVES = ("Sweet", "Classy", "Friendly", "Gorgeous", "Lovely", "Charming", "Bright", "Elegant")
SIGNATURE_ADJECTIVES = (
    "golden", "velvet", "silver", "midnight", "sunny", "crystal", "honey", "coral", "amber", "jade", "misty",
    "royal", "starry", "rosy", "pearl",
)  # fmt: skip
SIGNATURE_NOUNS = (
    "garden", "lounge", "harbor", "meadow", "studio", "terrace", "breeze", "lantern", "orchard", "river",
    "skyline", "cottage", "boulevard", "valley",
)  # fmt: skip
SIGNATURE_SHAPES = (
    "Welcome to the {adj1} {noun} experience.",
    "{Adj1} moments, {adj2} memories.",
    "Ask about the {adj1} {noun} special.",
    "Like a {adj1} {noun} on a {adj2} night.",
)
POST_LINES = (
    "Booking {city} this week {emoji} DM or text {phone}",
    "{name} is in {city} now, limited time {emoji}",
    "Now taking appointments in {city}. Text {phone}",
    "Our ladies are visiting {city} {emoji} {phone}",
)

# Social and payment platforms are named as people write them; handles are invented (see fictional.py).
HANDLE_PLATFORMS = ("snapchat", "instagram", "telegram", "kik")
PAYMENT_PLATFORMS = ("cashapp", "venmo")

# Price anchors per country: (currency prefix, half-hour, hour) in local money.
PRICE_ANCHORS: dict[str, tuple[str, int, int]] = {
    "US": ("$", 100, 160),
    "GB": ("£", 80, 130),
    "AU": ("A$", 150, 250),
}
