"""Write one record (an ad or a social post) and its ground truth from an actor on a given day.

The truth is built from the same choices that produced the text, never re-derived from the text, so it is
exact: the phones actually written (site boilerplate kept apart, under ``boilerplate``), the techniques
actually applied, the evidence types that actually tie the record to its network.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from lantern.synth.actors import PHONE_TECHNIQUES, Operator, Provider
from lantern.synth.config import WorldConfig
from lantern.synth.fictional import Phone, PhoneBook
from lantern.synth.images import VARIANTS, ImageWriter
from lantern.synth.obfuscate import render_email, render_phone
from lantern.synth.vocab import (
    AVAILABILITY,
    CITIES,
    CONTACT_LINES,
    COPIED_PHRASES,
    DECOYS,
    DESCRIPTIONS,
    EMAIL_LINES,
    GREETINGS,
    HANDLE_LINES,
    INTROS,
    INTROS_NO_AGE,
    MOVEMENT,
    PAYMENT_LINES,
    PLAIN_EMOJI,
    POST_LINES,
    PRICE_ANCHORS,
    SITES,
    SOCIAL_HOST,
    SOCIAL_SOURCE,
    THIRD_PARTY,
    TITLE_ADJECTIVES,
    TITLES,
    TITLES_NO_AGE,
    TRUST,
    YOUTH,
    YOUTH_EMOJI,
    City,
    Site,
)

CURRENCIES = {"$": "USD", "£": "GBP", "A$": "AUD"}


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


@dataclass
class Draft:
    """What one record will say, collected while composing, then split into record and truth."""

    phones: list[Phone] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    handles: list[dict[str, str]] = field(default_factory=list)
    payments: list[dict[str, str]] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    link_via: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    image_bases: list[str] = field(default_factory=list)
    url_digits: str | None = None

    def tie(self, evidence: str) -> None:
        if evidence not in self.link_via:
            self.link_via.append(evidence)


class Composer:
    """Turns (actor, day, time) into a record and a truth line; counts per-source ids."""

    def __init__(self, config: WorldConfig, rng: random.Random, book: PhoneBook, images: ImageWriter) -> None:
        self.config = config
        self.rng = rng
        self.book = book
        self.images = images
        self._ids: dict[str, int] = {}
        weights = config.technique_weights
        self._techniques = [t for t in PHONE_TECHNIQUES if weights.get(t, 0) > 0]
        self._weights = [weights[t] for t in self._techniques]

    # ---- shared pieces -------------------------------------------------------------------------------

    def _next_id(self, source: str) -> int:
        self._ids[source] = self._ids.get(source, 0) + 1
        return self._ids[source]

    def _technique(self, provider: Provider) -> str | None:
        rng = self.rng
        if rng.random() >= provider.obfuscation_rate:
            return None
        if provider.techniques and rng.random() < 0.8:
            return provider.techniques[rng.randrange(len(provider.techniques))]
        return rng.choices(self._techniques, self._weights)[0]

    def _phones(
        self, provider: Provider, operator: Operator | None, day: int, city: int, draft: Draft
    ) -> None:
        rng, config = self.rng, self.config
        rotating = provider.phone
        if operator is not None and operator.booking is not None and rng.random() < config.booking_phone_rate:
            rotating = operator.booking
            draft.tie("phone")
        elif operator is None:
            draft.tie("phone")
        draft.phones.append(rotating.at(day, city, self.book, rng))
        bridging = day - rotating.switched_day < config.bridge_days and rotating.previous is not None
        if bridging and rng.random() < config.bridge_rate:
            assert rotating.previous is not None
            draft.phones.append(rotating.previous)
        elif rotating is not provider.phone and rng.random() < config.second_phone_rate:
            draft.phones.append(provider.phone.at(day, city, self.book, rng))

    def _contact_lines(
        self, provider: Provider, operator: Operator | None, draft: Draft, line: int | None
    ) -> list[str]:
        rng, config = self.rng, self.config
        lines = []
        technique = self._technique(provider)
        if draft.phones and rng.random() < config.url_slug_rate:
            draft.url_digits = draft.phones[0].national
            draft.techniques.append("url_slug")
            in_body = rng.random() < 0.5
        else:
            in_body = True
        for index, phone in enumerate(draft.phones):
            if index == 0 and not in_body:
                continue
            text, used = render_phone(
                phone, technique if index == 0 else None, rng, combine=rng.random() < config.combine_rate
            )
            draft.techniques.extend(used)
            shape = CONTACT_LINES[line] if line is not None and index == 0 else _pick(rng, CONTACT_LINES)
            lines.append(shape.format(phone=text))
        shared = operator.identity if operator is not None else None
        own = provider.identity
        email = (
            shared.email
            if shared is not None and shared.email and rng.random() < 0.7
            else (own.email if own.email and rng.random() < 0.8 else None)
        )
        if email:
            text, used = render_email(email, rng.random() < config.email_words_rate, rng)
            draft.techniques.extend(used)
            draft.emails.append(email)
            draft.tie("email")
            lines.append(_pick(rng, EMAIL_LINES).format(email=text))
        handle = (
            shared.handle
            if shared is not None and shared.handle and rng.random() < 0.7
            else (own.handle if own.handle and rng.random() < 0.8 else None)
        )
        if handle:
            draft.handles.append({"platform": handle[0], "handle": handle[1]})
            draft.tie("handle")
            lines.append(_pick(rng, HANDLE_LINES).format(platform=handle[0].capitalize(), handle=handle[1]))
        payment = (
            shared.payment
            if shared is not None and shared.payment and rng.random() < 0.6
            else (own.payment if own.payment and rng.random() < 0.7 else None)
        )
        if payment:
            draft.payments.append({"platform": payment[0], "handle": payment[1]})
            draft.tie("payment")
            written = ("$" if payment[0] == "cashapp" else "@") + payment[1]
            lines.append(_pick(rng, PAYMENT_LINES).format(platform=payment[0].capitalize(), handle=written))
        return lines

    def _rates(self, country: str, draft: Draft) -> str:
        rng = self.rng
        currency, half, hour = PRICE_ANCHORS[country]
        p30 = int(half * rng.uniform(0.7, 1.4) / 10) * 10
        p60 = max(int(hour * rng.uniform(0.7, 1.4) / 10) * 10, int(p30 * 1.5 / 10) * 10)
        code = CURRENCIES[currency]
        shape = rng.randrange(4)
        if shape == 0:
            draft.prices += [
                {"amount": p30, "currency": code, "minutes": 30},
                {"amount": p60, "currency": code, "minutes": 60},
            ]
            return f"{currency}{p30}/30min, {currency}{p60}/hr"
        if shape == 1:
            draft.prices.append({"amount": p60, "currency": code, "minutes": 60})
            return f"{currency}{p60} per hour."
        if shape == 2:
            draft.prices += [
                {"amount": p30, "currency": code, "minutes": 30},
                {"amount": p60, "currency": code, "minutes": 60},
            ]
            return f"Rates: {p30} half hour, {p60} hour."
        p120 = p60 * 2 - 20
        draft.prices.append({"amount": p120, "currency": code, "minutes": 120})
        return f"{currency}{p120} for two hours."

    def _photos(self, provider: Provider, operator: Operator | None, draft: Draft) -> None:
        rng, config = self.rng, self.config
        from_pool = operator is not None and operator.kind in ("full", "image")
        photos = operator.pool if from_pool and operator is not None else provider.photos
        perturb_rate = config.operator_perturb_rate if from_pool else config.independent_perturb_rate
        if photos:
            count = rng.randint(1, min(config.images_per_ad_max, len(photos)))
            for base in rng.sample(photos, count):
                variant = rng.randrange(1, len(VARIANTS)) if rng.random() < perturb_rate else 0
                draft.images.append(self.images.path(base, variant))
                draft.image_bases.append(f"photo-{base:06d}")
            if self.images.enabled and (from_pool or operator is None):
                draft.tie("image")
        if operator is None and config.stock_images and rng.random() < config.stock_image_rate:
            stock = rng.randrange(config.stock_images)
            draft.images.append(self.images.path(stock, 0, stock=True))
            draft.image_bases.append(f"stock-{stock:03d}")

    def _url(self, site: Site, city: City, number: int, title: str, digits: str | None) -> str:
        slug = "-".join("".join(ch for ch in word.lower() if ch.isalnum()) for word in title.split())
        slug = "-".join(part for part in slug.split("-") if part)[:60] or "listing"
        if digits:
            slug = f"{slug}-{digits}"
        if site.url_shape == "path":
            return f"https://{site.host}/{city.slug}/listings/{7_000_000 + number}-{slug}.html"
        if site.url_shape == "slug":
            return f"https://{site.host}/ad/nb{number}/{slug}"
        if site.url_shape == "query":
            ref = f"&ref={digits}" if digits else ""
            return f"https://{site.host}/view?id={number:08x}&loc={city.slug}{ref}"
        return f"https://{site.host}/{city.admin.lower()}/{city.slug}/{number}-{slug}"

    # ---- records -------------------------------------------------------------------------------------

    def ad(
        self, provider: Provider, operator: Operator | None, day: int, posted: str, collected: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """One classified ad by ``provider`` (run by ``operator`` if any) on ``day``."""
        rng, config = self.rng, self.config
        city_index = provider.city(day)
        city = CITIES[city_index]
        site = SITES[provider.sites[rng.randrange(len(provider.sites))]]
        draft = Draft()
        template = operator.template if operator is not None and operator.kind in ("full", "text") else None
        if template is not None:
            draft.tie("text")
        age_text = provider.states_age
        if age_text:
            draft.ages.append(provider.age)
        self._phones(provider, operator, day, city_index, draft)
        sentences: list[str] = []
        fmt = {"name": provider.name, "age": provider.age, "city": city.name}
        if template is not None:
            sentences.append(GREETINGS[template.greeting])
            sentences.append(
                (INTROS[template.intro] if age_text else INTROS_NO_AGE[template.intro % 3]).format(**fmt)
            )
            sentences += [DESCRIPTIONS[i] for i in template.descriptions]
            sentences.append(template.signature)
            if template.trust is not None:
                sentences.append(TRUST[template.trust])
            if template.third_party is not None:
                sentences.append(THIRD_PARTY[template.third_party].format(**fmt))
            if rng.random() < config.template_drop_rate:
                del sentences[rng.randrange(2, len(sentences))]
        else:
            if rng.random() < 0.6:
                sentences.append(_pick(rng, GREETINGS))
            sentences.append((_pick(rng, INTROS) if age_text else _pick(rng, INTROS_NO_AGE)).format(**fmt))
            if provider.style:
                sentences += [DESCRIPTIONS[i] for i in provider.style if rng.random() < 0.7]
            else:
                sentences += rng.sample(DESCRIPTIONS, 2)
            if rng.random() < config.trust_language:
                sentences.append(_pick(rng, TRUST))
            if rng.random() < config.copied_phrase_rate:
                sentences.append(_pick(rng, COPIED_PHRASES))
        if provider.youth:
            youth = YOUTH if provider.minor else tuple(y for y in YOUTH if "{age}" not in y)
            sentences.append(_pick(rng, youth).format(**fmt))
        if len(provider.circuit) > 1 and rng.random() < config.movement_language:
            sentences.append(_pick(rng, MOVEMENT).format(**fmt))
        if rng.random() < 0.4:
            sentences.append(_pick(rng, AVAILABILITY))
        if rng.random() < config.decoy_rate:
            sentences.append(
                _pick(rng, DECOYS).format(inch=rng.randrange(0, 10), room=rng.randrange(100, 999))
            )
        sentences.append(self._rates(provider.country, draft))
        sentences += self._contact_lines(provider, operator, draft, template.contact if template else None)
        emoji = _pick(rng, YOUTH_EMOJI) if provider.youth and rng.random() < 0.5 else _pick(rng, PLAIN_EMOJI)
        sentences.append(emoji)
        adj = _pick(rng, TITLE_ADJECTIVES)
        if template is not None and age_text:
            title_shape = TITLES[template.title]
        else:
            title_shape = _pick(rng, TITLES if age_text else TITLES_NO_AGE)
        title = title_shape.format(adj=adj, emoji=emoji, **fmt)
        self._photos(provider, operator, draft)
        if site.source == "nightboard":
            body = "<p>" + "<br>".join(sentences) + f"</p><footer>{site.boilerplate}</footer>"
        else:
            body = " ".join(sentences) + "\n\n" + site.boilerplate
        number = self._next_id(site.source)
        record = {
            "id": f"nb{number}" if site.source == "nightboard" else str(number),
            "source": site.source,
            "kind": "ad",
            "url": self._url(site, city, number, title, draft.url_digits),
            "posted_at": posted,
            "collected_at": collected,
            "title": title,
            "body": body,
            "location": city.label,
            "author": None,
            "images": draft.images if self.images.enabled else [],
        }
        return record, self._truth(record, provider, draft, city, site)

    def post(
        self, operator: Operator, day: int, posted: str, collected: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """One social-media post by the operator's account, advertising one of its providers."""
        rng = self.rng
        assert operator.social is not None
        provider = operator.roster[rng.randrange(len(operator.roster))]
        city_index = provider.city(day)
        city = CITIES[city_index]
        draft = Draft()
        draft.handles.append({"platform": SOCIAL_SOURCE, "handle": operator.social})
        draft.tie("handle")
        emoji = _pick(rng, PLAIN_EMOJI)
        lines = (
            POST_LINES if operator.booking is not None else tuple(p for p in POST_LINES if "{phone}" not in p)
        )
        line = _pick(rng, lines)
        text = ""
        if "{phone}" in line and operator.booking is not None:
            phone = operator.booking.at(day, city_index, self.book, rng)
            draft.phones.append(phone)
            draft.tie("phone")
            text, used = render_phone(phone, self._technique(provider), rng)
            draft.techniques.extend(used)
        body = line.format(city=city.name, name=provider.name, emoji=emoji, phone=text)
        if operator.pool and rng.random() < 0.5:
            base = operator.pool[rng.randrange(len(operator.pool))]
            draft.images.append(self.images.path(base, rng.randrange(len(VARIANTS))))
            draft.image_bases.append(f"photo-{base:06d}")
            if self.images.enabled:
                draft.tie("image")
        number = self._next_id(SOCIAL_SOURCE)
        record = {
            "id": str(1_500_000_000 + number * 7919),
            "source": SOCIAL_SOURCE,
            "kind": "post",
            "url": f"https://{SOCIAL_HOST}/{operator.social}/status/{1_500_000_000 + number * 7919}",
            "posted_at": posted,
            "collected_at": collected,
            "title": None,
            "body": body,
            "location": city.label if rng.random() < 0.5 else None,
            "author": operator.social,
            "images": draft.images if self.images.enabled else [],
        }
        return record, self._truth(record, provider, draft, city)

    def _truth(
        self, record: dict[str, Any], provider: Provider, draft: Draft, city: City, site: Site | None = None
    ) -> dict[str, Any]:
        """The truth line. ``boilerplate`` lists the site footer's support contacts, which are in the text
        (an extractor should find them; linking suppresses them as hubs) but are nobody's own contact, so
        they are kept apart from ``phones``/``emails`` and scoring can leave them out of both columns."""
        text = "\n".join(filter(None, (record["title"], record["body"])))
        named = re.search(rf"(?<!\w){re.escape(provider.name)}(?!\w)", text) is not None
        return {
            "source": record["source"],
            "id": record["id"],
            "operator": provider.cluster,
            "provider": provider.label,
            "minor": provider.minor,
            "phones": sorted(dict.fromkeys(p.e164 for p in draft.phones)),
            "emails": draft.emails,
            "handles": draft.handles,
            "payments": draft.payments,
            "boilerplate": {
                "phones": [site.support_phone] if site is not None else [],
                "emails": [site.support_email] if site is not None else [],
            },
            "ages": draft.ages,
            "obfuscation": sorted(set(draft.techniques)),
            "link_via": draft.link_via,
            "names": [provider.name] if named else [],
            "city": city.label,
            "country": city.country,
            "prices": draft.prices,
            "image_bases": draft.image_bases if self.images.enabled else [],
        }
