"""Response models of the JSON API; the HTML pages render the same objects.

One set of models for both keeps the API and the pages from drifting apart, and gives the OpenAPI
schema at ``/openapi.json`` for free.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

SortOrder = Literal["relevance", "date", "risk"]
QueryMode = Literal["empty", "phone", "email", "handle", "text"]
EntityKind = Literal["phone", "email", "handle", "payment", "url", "name", "image"]


def _utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive. The schema promises RFC 3339 (with offset)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


def without_nul(value: str) -> str:
    """Text with NUL characters removed: PostgreSQL text cannot hold them, and no ad or filter needs one."""
    return value.replace("\x00", "")


FilterText = Annotated[str, AfterValidator(without_nul)]


class Bucket(BaseModel):
    label: str
    count: int


class Snippet(BaseModel):
    """Text from a record with the offsets of what matched the query (shown as ``<mark>``)."""

    field: str
    text: str
    marks: list[tuple[int, int]] = Field(default_factory=list)


class PathStep(BaseModel):
    """One step of an evidence path: a record (with its page) or the evidence between two records."""

    kind: Literal["record", "evidence"]
    label: str
    href: str | None = None


class Reason(BaseModel):
    """One indicator that raised a record: a lead for a human, never a verdict."""

    id: str
    explanation: str
    weight: float
    field: str | None = None
    span: tuple[int, int] | None = None
    text: str | None = None
    score: str | None = Field(default=None, description="Which score it adds to: trafficking or minor")
    source: str | None = Field(default=None, description="The research that supports the rule")
    path: list[PathStep] = Field(
        default_factory=list,
        description="For a propagated indicator: the records and evidence it came through",
    )


class IndicatorGroup(BaseModel):
    """Firings of one rule, heaviest rule first: a network fires the same rule for many phones or images."""

    id: str
    name: str
    score: str | None
    weight: float = Field(description="Weight of one firing")
    count: int
    items: list[Reason] = Field(description="The firings, at most 25")


class RecordSummary(BaseModel):
    source: str
    record_id: str
    kind: str
    title: str | None
    location: str | None
    posted_at: UtcDateTime | None
    trafficking_score: float
    minor_score: float
    network_id: str | None
    snippet: Snippet | None = None
    reasons: list[Reason] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    posted_at_offset: int | None = Field(
        None, description="UTC offset in minutes the source stated for posted_at (null: it stated none)"
    )


class Interpretation(BaseModel):
    """How the search box read the query: a contact lookup or free text."""

    mode: QueryMode
    values: list[str] = Field(default_factory=list)
    description: str


class SearchFilters(BaseModel):
    city: FilterText | None = None
    site: FilterText | None = None
    date_from: date | None = None
    date_to: date | None = None
    kind: Literal["ad", "post"] | None = None
    min_trafficking: float | None = Field(default=None, ge=0, le=1)
    min_minor: float | None = Field(default=None, ge=0, le=1)


class SearchResponse(BaseModel):
    query: str
    interpretation: Interpretation
    filters: SearchFilters
    sort: SortOrder
    page: int
    page_size: int
    has_next: bool
    total: int = Field(description="Matching records, counted up to total_cap")
    total_is_lower_bound: bool = Field(description="True when more than total_cap records match")
    note: str | None = Field(default=None, description="How the ranking was bounded, when it was")
    results: list[RecordSummary]


class EntityRef(BaseModel):
    kind: str
    value: str
    obscured: bool = False


class SpanNote(BaseModel):
    """A highlighted span of a field: an extracted entity or a fired indicator, and why."""

    start: int
    end: int
    kind: str
    label: str


class FieldText(BaseModel):
    field: str
    text: str
    notes: list[SpanNote]


class ImageInfo(BaseModel):
    sha256: str
    media_type: str
    width: int
    height: int
    size_bytes: int
    phash: str | None
    may_be_shown: bool


class RecordImage(ImageInfo):
    position: int
    original_ref: str


class Revision(BaseModel):
    revision: int
    content_sha256: str
    raw_sha256: str
    raw_format: str
    collected_at: UtcDateTime | None
    ingested_at: UtcDateTime
    origin_file: str
    origin_line: int
    raw: str
    collected_at_offset: int | None = Field(
        None, description="UTC offset in minutes the source stated for collected_at (null: it stated none)"
    )


class RecordDetail(BaseModel):
    source: str
    record_id: str
    kind: str
    url: str | None
    title: str | None
    body: str | None
    location: str | None
    author: str | None
    posted_at: UtcDateTime | None
    collected_at: UtcDateTime | None
    network_id: str | None
    network_size: int
    trafficking_score: float
    minor_score: float
    content_sha256: str
    revision: int
    fields: list[FieldText]
    entities: list[EntityRef]
    indicators: list[Reason]
    network_indicators: list[IndicatorGroup] = Field(
        default_factory=list,
        description="Indicators that come from the record's network, not its own text (with any likely-minor path)",
    )
    images: list[RecordImage]
    revisions: list[Revision]
    extracted: dict[str, Any]
    posted_at_offset: int | None = Field(
        None, description="UTC offset in minutes the source stated for posted_at (null: it stated none)"
    )
    collected_at_offset: int | None = Field(
        None, description="UTC offset in minutes the source stated for collected_at (null: it stated none)"
    )


class SharedIdentifier(BaseModel):
    kind: str
    value: str
    shared_with: int = Field(description="Other members of the network that carry it")


class Hop(BaseModel):
    """One hop of kept evidence between two records of a network (from the linker's explanation)."""

    source: str
    target: str
    source_href: str | None = None
    target_href: str | None = None
    kind: str
    evidence: str


class NetworkMember(RecordSummary):
    shared: list[SharedIdentifier] = Field(default_factory=list)
    why: list[Hop] | None = Field(
        default=None,
        description="Evidence path from the network's first record; null when not computed for this member",
    )


class WhyResponse(BaseModel):
    """Why a record is in a network: the shortest path of kept evidence from the network's first record."""

    network_id: str
    founder: str
    record: str
    hops: list[Hop] | None = Field(description="Null when the linker cannot connect the two")


class TemplateSlot(BaseModel):
    index: int
    values: list[Bucket] = Field(description="Most common fillings, with how many members use each")
    distinct: int


class TemplateView(BaseModel):
    """Shared text of a group of near-duplicate ads, ``<slot>`` where members differ."""

    id: str
    members: int = Field(description="Members aligned (the earliest, at most 50)")
    coverage: float
    template: str
    slots: list[TemplateSlot]
    example: str | None = Field(default=None, description="Key of one member")
    example_href: str | None = None


class HubInfo(BaseModel):
    """An identifier the linker does not link through (site boilerplate, stock images), and why."""

    kind: str
    value: str
    reason: str
    records: int
    description: str
    href: str | None = None


class NetworkFigures(BaseModel):
    records: int
    phones: int
    emails: int
    handles: int
    payments: int
    names: int
    images: int
    sites: int
    cities: int
    templates: int


class GraphNode(BaseModel):
    id: str
    label: str
    kind: str
    href: str | None = None
    count: int = Field(0, description="For an identifier: how many records shown carry it")


class GraphEdge(BaseModel):
    source: str
    target: str


class Graph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class ItineraryStop(BaseModel):
    """A city the network advertised in, with when (ordered by first seen there)."""

    name: str
    admin1: str | None
    country: str | None
    lat: float | None
    lon: float | None
    first_seen: UtcDateTime | None
    last_seen: UtcDateTime | None
    count: int


class ContactUse(BaseModel):
    kind: str
    value: str
    count: int
    first_seen: UtcDateTime | None
    last_seen: UtcDateTime | None
    hub: bool = Field(False, description="A suppressed hub: shown, never used to link")


class NetworkDetail(BaseModel):
    network_id: str
    member_count: int
    truncated: bool
    scored: bool = Field(description="False for a single record, which has no network summary or scores")
    first_seen: str | None = None
    last_seen: str | None = None
    trafficking_score: float = 0.0
    minor_score: float = 0.0
    figures: NetworkFigures | None = None
    sites: list[str] = Field(default_factory=list)
    founder: str | None = Field(default=None, description="Key (source:id) of the network's first record")
    founder_href: str | None = None
    indicators: list[IndicatorGroup] = Field(default_factory=list)
    templates: list[TemplateView] = Field(default_factory=list)
    more_templates: list[str] = Field(default_factory=list, description="Template ids not expanded")
    hubs: list[HubInfo] = Field(
        default_factory=list, description="Suppressed hubs its records carry: shown, never used to link"
    )
    explained: int = Field(0, description="How many members come with their evidence path")
    members: list[NetworkMember]
    graph: Graph
    itinerary: list[ItineraryStop]
    timeline: list[Bucket]
    contacts: list[ContactUse]
    personas: list[ContactUse]
    images: list[ContactUse]


class HubsPage(BaseModel):
    total: int
    hubs: list[HubInfo]


class TriagePage(BaseModel):
    page: int
    page_size: int
    has_next: bool
    results: list[RecordSummary]


class NetworkCount(BaseModel):
    network_id: str
    count: int


class EntityDetail(BaseModel):
    kind: EntityKind
    value: str
    count: int
    sampled: int
    """Records the breakdowns (city, site, networks, timeline) count: ``count``, or an even sample."""
    first_seen: UtcDateTime | None
    last_seen: UtcDateTime | None
    by_city: list[Bucket]
    by_site: list[Bucket]
    timeline: list[Bucket]
    networks: list[NetworkCount]
    image: ImageInfo | None = None
    page: int
    page_size: int
    has_next: bool
    records: list[RecordSummary]


class ImageMatch(BaseModel):
    image: ImageInfo
    distance: int
    exact: bool
    records: list[RecordSummary]
    record_count: int


class ImageSearchResponse(BaseModel):
    sha256: str
    phash: str
    max_distance: int
    images_indexed: int
    matches: list[ImageMatch]


# --------------------------------------------------------------------------- the investigator's workspace

ReviewStateName = Literal["new", "reviewed", "dismissed", "escalated"]
NetworkSort = Literal["minor", "trafficking", "size", "last_seen", "first_seen", "grew"]


class ScoreTerm(BaseModel):
    """One rule's log-odds points in a score (each rule counts once, at its first firing's weight)."""

    id: str
    name: str
    weight: float
    origin: Literal["record", "network"]
    source: str | None = None


class ScoreBreakdown(BaseModel):
    """How weights become a score: logistic(bias + the sum of the rules' points)."""

    score: Literal["trafficking", "minor"]
    bias: float
    terms: list[ScoreTerm]
    logit: float
    computed: float = Field(description="logistic(logit)")
    stored: float = Field(description="The stored score (a network member's adds its group's evidence)")


class ReviewState(BaseModel):
    state: ReviewStateName = "new"
    assignee: str | None = None
    updated_by: str | None = None
    updated_at: UtcDateTime | None = None


class TriageFilters(SearchFilters):
    max_trafficking: float | None = Field(default=None, ge=0, le=1)
    max_minor: float | None = Field(default=None, ge=0, le=1)
    state: Literal["queue", "all", "new", "reviewed", "dismissed", "escalated", "mine"] = "queue"


class TriageRow(BaseModel):
    """One row of the grouped queue: a network (its best record, its own scores and reasons, the other
    members the queue holds) or a record in no network."""

    network_id: str | None
    network_size: int = 0
    network_trafficking: float = 0.0
    network_minor: float = 0.0
    network_indicators: list[IndicatorGroup] = Field(default_factory=list)
    best: RecordSummary
    breakdown: list[ScoreBreakdown] = Field(default_factory=list)
    others: list[RecordSummary] = Field(
        default_factory=list, description="Other members in this page's window"
    )
    review: ReviewState = Field(default_factory=ReviewState)


class TriageQueue(BaseModel):
    filters: TriageFilters
    page: int
    page_size: int
    has_next: bool
    next_after: str | None = Field(default=None, description="Cursor of the next page")
    rows: list[TriageRow]


class NetworkListItem(BaseModel):
    id: str
    size: int
    trafficking_score: float
    minor_score: float
    first_seen: str | None
    last_seen: str | None
    cities: list[str]
    sites: list[str]
    grew: int = Field(0, description="Records it gained since the given time")
    review: ReviewState = Field(default_factory=ReviewState)


class NetworkList(BaseModel):
    sort: NetworkSort
    page: int
    page_size: int
    has_next: bool
    total: int
    networks: list[NetworkListItem]


class CaseSummary(BaseModel):
    id: int
    title: str
    status: str
    assignee: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    record_count: int = 0
    network_count: int = 0
    note_count: int = 0


class CaseRecord(BaseModel):
    source: str
    id: str
    title: str | None
    location: str | None
    posted_at: UtcDateTime | None
    network_id: str | None
    trafficking_score: float
    minor_score: float
    added_at: UtcDateTime
    via_network: str | None = Field(
        description="The attached network that pulled it in; null: attached by hand"
    )


class CaseNetwork(BaseModel):
    id: str
    added_at: UtcDateTime
    size: int | None = Field(description="Records it has now; null when relinking dissolved it")
    joined_since: int = Field(description="Members the case does not hold: gained since it was attached")
    trafficking_score: float | None = None
    minor_score: float | None = None


class CaseNote(BaseModel):
    id: int
    author: str | None
    text: str
    created_at: UtcDateTime


class FeedbackItem(BaseModel):
    id: int
    record: dict[str, str] | None
    network: str | None
    kind: str
    verdict: str
    indicator: str | None = None
    target: str | None = None
    author: str | None = None
    created_at: UtcDateTime


class ActivityItem(BaseModel):
    at: UtcDateTime
    action: str
    user: str | None
    detail: dict[str, Any]


class CaseDetail(CaseSummary):
    records: list[CaseRecord]
    networks: list[CaseNetwork]
    notes: list[CaseNote]
    feedback: list[FeedbackItem]
    activity: list[ActivityItem]


class RecordKey(BaseModel):
    source: FilterText = Field(max_length=1000)
    id: FilterText = Field(max_length=1000)


class CaseCreate(BaseModel):
    title: FilterText = Field(min_length=1, max_length=400)


class CasePatch(BaseModel):
    status: Literal["open", "active", "referred", "closed"] | None = None
    assignee: FilterText | None = Field(
        default=None, max_length=150, description="Username in the case's agency"
    )


class CaseItems(BaseModel):
    records: list[RecordKey] = Field(default_factory=list, max_length=5000)
    networks: list[FilterText] = Field(default_factory=list, max_length=5000)


class CaseItemsAdded(BaseModel):
    records: int
    networks: int
    pulled_in: int = Field(description="Records the networks pulled in with them")


class NoteCreate(BaseModel):
    text: FilterText = Field(min_length=1, max_length=10_000)


class ReviewRequest(BaseModel):
    record: RecordKey | None = None
    network: FilterText | None = Field(default=None, max_length=80)
    state: ReviewStateName
    assignee: FilterText | None = Field(default=None, max_length=150)


class FeedbackRequest(BaseModel):
    record: RecordKey | None = None
    network: FilterText | None = Field(default=None, max_length=80)
    kind: Literal["lead", "minor", "indicator"]
    verdict: Literal["correct", "incorrect"]
    indicator: FilterText | None = Field(default=None, max_length=120)
    case: int | None = None
    note: FilterText | None = Field(default=None, max_length=10_000)


class Created(BaseModel):
    id: int


class TodayNetwork(BaseModel):
    id: str
    gained: int
    size: int
    minor_score: float
    trafficking_score: float


class TodayAlert(BaseModel):
    id: int
    created_at: UtcDateTime
    entry: str
    record: RecordKey
    title: str | None


class TodayCase(CaseSummary):
    changes: list[ActivityItem] = Field(default_factory=list, description="What changed since the last visit")


class TodayPage(BaseModel):
    since: UtcDateTime | None = Field(description="The last visit; null on a first visit")
    new_records: int = Field(description="Records collected since, counted up to new_records_cap")
    new_records_cap: int
    newest: list[RecordSummary]
    grown_networks: list[TodayNetwork]
    cases: list[TodayCase]
    alerts: list[TodayAlert]
    unread_alerts: int
    minor_queue: list[RecordSummary]
