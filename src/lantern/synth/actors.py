"""The people and networks of the world: operators, the providers they run, and independents.

Only live actors are held in memory. Each has a life span counted in ads; when it ends the actor retires
(its numbers go back to the phone book) and a new one takes its slot. That keeps memory flat for any
number of records while the total number of actors grows with the corpus, as it does in real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from lantern.synth.config import TECHNIQUES, WorldConfig
from lantern.synth.fictional import Phone, PhoneBook, email_for, handle_for, payment_handle_for
from lantern.synth.vocab import (
    CITIES,
    COUNTRY_REGIONS,
    DESCRIPTIONS,
    HANDLE_PLATFORMS,
    NAMES,
    PAYMENT_PLATFORMS,
    REGIONS,
    SIGNATURE_ADJECTIVES,
    SIGNATURE_NOUNS,
    SIGNATURE_SHAPES,
    SITE_BY_COUNTRY,
)

PHONE_TECHNIQUES = tuple(t for t in TECHNIQUES if t not in ("url_slug", "email_words"))


@dataclass(slots=True)
class RotatingPhone:
    """A number that changes every ``period`` days; the previous one is kept to bridge the switch."""

    period: int
    offset: int
    epoch: int = -1
    current: Phone | None = None
    previous: Phone | None = None
    switched_day: int = -10_000

    def at(self, day: int, city_index: int, book: PhoneBook, rng: random.Random) -> Phone:
        """The number in use on ``day``, rotating (and releasing the one before last) when due."""
        epoch = (day + self.offset) // self.period
        if epoch != self.epoch:
            if self.previous is not None:
                book.release(self.previous)
            self.previous = self.current
            self.current = book.allocate(CITIES[city_index], rng)
            self.epoch = epoch
            self.switched_day = day
        assert self.current is not None
        return self.current

    def release(self, book: PhoneBook) -> None:
        for phone in (self.previous, self.current):
            if phone is not None:
                book.release(phone)
        self.previous = self.current = None


@dataclass(slots=True)
class Identity:
    """Identifiers beyond the phone; any may be absent."""

    email: str | None = None
    handle: tuple[str, str] | None = None  # (platform, handle)
    payment: tuple[str, str] | None = None


@dataclass(slots=True)
class Template:
    """An operator's shared ad text: fixed sentence picks plus a signature line; slots vary per ad."""

    descriptions: tuple[int, ...]
    signature: str
    greeting: int
    intro: int
    contact: int
    title: int
    trust: int | None
    third_party: int | None


@dataclass(slots=True)
class Provider:
    """One advertised person. ``cluster`` is the ground-truth network label."""

    serial: int
    cluster: str
    name: str
    age: int
    minor: bool
    country: str
    circuit: tuple[int, ...]
    stay_days: int
    offset: int
    phone: RotatingPhone
    identity: Identity
    photos: tuple[int, ...]
    style: tuple[int, ...]
    ads_left: int
    obfuscation_rate: float
    techniques: tuple[str, ...]
    youth: bool
    sites: tuple[int, ...]
    states_age: bool

    @property
    def label(self) -> str:
        return f"pr-{self.serial:06d}"

    def city(self, day: int) -> int:
        """Where the provider is on ``day``: moving along the circuit, ``stay_days`` per stop."""
        return self.circuit[((day + self.offset) // self.stay_days) % len(self.circuit)]


@dataclass(slots=True)
class Operator:
    """A network running several providers from one template, phone bank and photo pool."""

    serial: int
    kind: str  # "full" (identifiers, text and images), "text" (template only), "image" (photos only)
    roster: list[Provider]
    roster_size: int
    template: Template
    booking: RotatingPhone | None
    identity: Identity
    social: str | None  # the operator's social-media account handle
    pool: tuple[int, ...]
    circuit: tuple[int, ...]
    stay_days: int
    ads_left: int
    techniques: tuple[str, ...]
    country: str
    sites: tuple[int, ...]
    providers_total: int = 0
    minors_total: int = 0

    @property
    def label(self) -> str:
        return f"op-{self.serial:04d}"


@dataclass
class Census:
    """Running totals for world.json; ints only, so memory stays flat."""

    operators: int = 0
    operators_by_kind: dict[str, int] = field(default_factory=lambda: {"full": 0, "text": 0, "image": 0})
    providers: int = 0
    independents: int = 0
    operator_providers: int = 0
    minors: int = 0
    photos: int = 0


class Population:
    """Creates actors from the config; owns the serial counters and the phone book."""

    def __init__(self, config: WorldConfig, rng: random.Random, book: PhoneBook) -> None:
        self.config = config
        self.rng = rng
        self.book = book
        self.census = Census()
        self._provider_serial = 0
        self._operator_serial = 0
        self._ind_serial = 0
        self._photo_serial = config.stock_images  # photo ids below this are reserved for stock images
        weights = config.technique_weights
        self._techniques = [t for t in PHONE_TECHNIQUES if weights.get(t, 0) > 0]
        self._technique_weights = [weights[t] for t in self._techniques]

    # ---- helpers -------------------------------------------------------------------------------------

    def _lifetime(self, mean: float) -> int:
        return max(1, int(self.rng.expovariate(1.0 / mean)) + 1)

    def _country(self) -> str:
        roll = self.rng.random()
        if roll < self.config.uk_share:
            return "GB"
        if roll < self.config.uk_share + self.config.au_share:
            return "AU"
        return "US"

    def _circuit(self, country: str, length: int) -> tuple[int, ...]:
        regions = COUNTRY_REGIONS[country]
        region = regions[self.rng.randrange(len(regions))]
        cities = list(REGIONS[region])
        self.rng.shuffle(cities)
        circuit = cities[: max(1, min(length, len(cities)))]
        if length > len(circuit) and country == "US":
            # Longer circuits cross into a neighbouring region, as interstate circuits do.
            other = REGIONS[regions[(regions.index(region) + 1) % len(regions)]]
            circuit.append(other[self.rng.randrange(len(other))])
        return tuple(circuit)

    def _photos(self, count: int) -> tuple[int, ...]:
        start = self._photo_serial
        self._photo_serial += count
        self.census.photos += count
        return tuple(range(start, start + count))

    def _preferred_techniques(self) -> tuple[str, ...]:
        # Each actor has one or two habitual tricks; people reuse what worked.
        picks = self.rng.choices(self._techniques, self._technique_weights, k=2)
        return tuple(dict.fromkeys(picks))

    def _sites(self, country: str, many: bool) -> tuple[int, ...]:
        sites = list(SITE_BY_COUNTRY[country])
        if many:
            return tuple(sites)
        return (sites[self.rng.randrange(len(sites))],)

    def _adult_age(self) -> int:
        return min(45, 19 + int(self.rng.gammavariate(2.0, 2.6)))

    # ---- actors --------------------------------------------------------------------------------------

    def independent(self) -> Provider:
        """A provider who advertises for herself: her own numbers, photos and habitual phrasing."""
        config, rng = self.config, self.rng
        self._provider_serial += 1
        self._ind_serial += 1
        self.census.providers += 1
        self.census.independents += 1
        country = self._country()
        travels = rng.random() < config.independent_travel
        circuit = self._circuit(country, rng.randrange(2, 5)) if travels else self._circuit(country, 1)
        name = NAMES[rng.randrange(len(NAMES))]
        identity = Identity()
        if rng.random() < config.independent_email:
            identity.email = email_for(name, self._provider_serial, rng)
        if rng.random() < config.independent_handle:
            identity.handle = (
                HANDLE_PLATFORMS[rng.randrange(len(HANDLE_PLATFORMS))],
                handle_for(name, self._provider_serial),
            )
        if rng.random() < config.independent_payment:
            identity.payment = (
                PAYMENT_PLATFORMS[rng.randrange(len(PAYMENT_PLATFORMS))],
                payment_handle_for(name, self._provider_serial),
            )
        return Provider(
            serial=self._provider_serial,
            cluster=f"ind-{self._ind_serial:06d}",
            name=name,
            age=self._adult_age(),
            minor=False,
            country=country,
            circuit=circuit,
            stay_days=rng.randrange(5, 15),
            offset=rng.randrange(30),
            phone=RotatingPhone(config.independent_rotation_days + rng.randrange(60), rng.randrange(200)),
            identity=identity,
            photos=self._photos(rng.randint(config.photos_min, config.photos_max)),
            style=tuple(rng.sample(range(len(DESCRIPTIONS)), 3)),
            ads_left=self._lifetime(config.ads_per_provider),
            obfuscation_rate=config.independent_obfuscation_rate,
            techniques=self._preferred_techniques(),
            youth=rng.random() < config.adult_youth_language,
            sites=self._sites(country, many=rng.random() < 0.2),
            states_age=rng.random() < config.age_stated_rate,
        )

    def operator(self) -> Operator:
        """A network: kind, template, phone bank, shared identifiers, photo pool and first roster."""
        config, rng = self.config, self.rng
        self._operator_serial += 1
        self.census.operators += 1
        roll = rng.random()
        kind = (
            "text"
            if roll < config.operator_text_only
            else ("image" if roll < config.operator_text_only + config.operator_image_only else "full")
        )
        self.census.operators_by_kind[kind] += 1
        country = self._country()
        stem = SIGNATURE_ADJECTIVES[rng.randrange(len(SIGNATURE_ADJECTIVES))]
        identity = Identity()
        social = None
        if kind == "full":
            serial = 900_000 + self._operator_serial
            if rng.random() < config.operator_shares_email:
                identity.email = email_for(f"bookings.{stem}", serial, rng)
            if rng.random() < config.operator_shares_handle:
                identity.handle = (
                    HANDLE_PLATFORMS[rng.randrange(len(HANDLE_PLATFORMS))],
                    handle_for(stem, serial),
                )
            if rng.random() < config.operator_shares_payment:
                identity.payment = (
                    PAYMENT_PLATFORMS[rng.randrange(len(PAYMENT_PLATFORMS))],
                    payment_handle_for(stem, serial),
                )
            if rng.random() < config.operator_social_account:
                social = handle_for(f"{stem}agency", serial)
        adj = rng.sample(SIGNATURE_ADJECTIVES, 2)
        signature = SIGNATURE_SHAPES[rng.randrange(len(SIGNATURE_SHAPES))].format(
            adj1=adj[0],
            adj2=adj[1],
            Adj1=adj[0].capitalize(),
            noun=SIGNATURE_NOUNS[rng.randrange(len(SIGNATURE_NOUNS))],
        )
        template = Template(
            descriptions=tuple(rng.sample(range(len(DESCRIPTIONS)), 3)),
            signature=signature,
            greeting=rng.randrange(6),
            intro=rng.randrange(5),
            contact=rng.randrange(6),
            title=rng.randrange(6),
            trust=rng.randrange(6) if rng.random() < 0.6 else None,
            third_party=rng.randrange(4) if rng.random() < 0.5 else None,
        )
        period = rng.randint(config.rotation_days_min, config.rotation_days_max)
        operator = Operator(
            serial=self._operator_serial,
            kind=kind,
            roster=[],
            roster_size=rng.randint(config.roster_min, config.roster_max),
            template=template,
            booking=RotatingPhone(period, rng.randrange(period)) if kind == "full" else None,
            identity=identity,
            social=social,
            pool=self._photos(rng.randint(config.operator_pool_min, config.operator_pool_max))
            if kind in ("full", "image")
            else (),
            circuit=self._circuit(country, rng.randrange(3, 7)),
            stay_days=rng.randrange(3, 10),
            ads_left=self._lifetime(config.ads_per_operator),
            techniques=self._preferred_techniques(),
            country=country,
            sites=self._sites(country, many=True),
        )
        for _ in range(operator.roster_size):
            operator.roster.append(self.recruit(operator))
        return operator

    def recruit(self, operator: Operator) -> Provider:
        """A provider run by ``operator``; a small share are minors advertised with adult ages."""
        config, rng = self.config, self.rng
        self._provider_serial += 1
        self.census.providers += 1
        self.census.operator_providers += 1
        operator.providers_total += 1
        minor = rng.random() < config.minor_share_of_recruits
        if minor:
            self.census.minors += 1
            operator.minors_total += 1
            age = rng.randint(config.minor_stated_age_min, config.minor_stated_age_max)
        else:
            age = self._adult_age()
        own_photos = (
            self._photos(rng.randint(config.photos_min, config.photos_max)) if operator.kind == "text" else ()
        )
        period = rng.randint(config.rotation_days_min, config.rotation_days_max)
        return Provider(
            serial=self._provider_serial,
            cluster=operator.label,
            name=NAMES[rng.randrange(len(NAMES))],
            age=age,
            minor=minor,
            country=operator.country,
            circuit=operator.circuit,
            stay_days=operator.stay_days,
            offset=rng.randrange(len(operator.circuit) * operator.stay_days),
            phone=RotatingPhone(period, rng.randrange(period)),
            identity=Identity(),
            photos=own_photos,
            style=(),
            ads_left=self._lifetime(config.ads_per_provider),
            obfuscation_rate=config.minor_obfuscation_rate if minor else config.operator_obfuscation_rate,
            techniques=operator.techniques,
            youth=rng.random() < (config.minor_youth_language if minor else config.adult_youth_language),
            sites=operator.sites,
            states_age=minor or rng.random() < config.age_stated_rate,
        )

    def retire_provider(self, provider: Provider) -> None:
        provider.phone.release(self.book)

    def retire_operator(self, operator: Operator) -> None:
        for provider in operator.roster:
            self.retire_provider(provider)
        if operator.booking is not None:
            operator.booking.release(self.book)
