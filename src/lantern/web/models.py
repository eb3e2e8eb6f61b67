"""Response models of the JSON API; the HTML pages render the same objects.

One set of models for both keeps the API and the pages from drifting apart, and gives the OpenAPI
schema at ``/openapi.json`` for free.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

SortOrder = Literal["relevance", "date", "risk"]
QueryMode = Literal["empty", "phone", "email", "handle", "text"]
EntityKind = Literal["phone", "email", "handle", "payment", "url", "name", "image"]


class Snippet(BaseModel):
    """Text from a record with the offsets of what matched the query (shown as ``<mark>``)."""

    field: str
    text: str
    marks: list[tuple[int, int]] = Field(default_factory=list)


class Reason(BaseModel):
    """One indicator that raised a record: a lead for a human, never a verdict."""

    id: str
    explanation: str
    weight: float
    field: str | None = None
    span: tuple[int, int] | None = None
    text: str | None = None


class RecordSummary(BaseModel):
    source: str
    record_id: str
    kind: str
    title: str | None
    location: str | None
    posted_at: datetime | None
    trafficking_score: float
    minor_score: float
    network_id: str | None
    snippet: Snippet | None = None
    reasons: list[Reason] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)


class Interpretation(BaseModel):
    """How the search box read the query: a contact lookup or free text."""

    mode: QueryMode
    values: list[str] = Field(default_factory=list)
    description: str


class SearchFilters(BaseModel):
    city: str | None = None
    site: str | None = None
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
    collected_at: datetime | None
    ingested_at: datetime
    origin_file: str
    origin_line: int
    raw: str


class RecordDetail(BaseModel):
    source: str
    record_id: str
    kind: str
    url: str | None
    title: str | None
    body: str | None
    location: str | None
    author: str | None
    posted_at: datetime | None
    collected_at: datetime | None
    network_id: str | None
    network_size: int
    trafficking_score: float
    minor_score: float
    content_sha256: str
    revision: int
    fields: list[FieldText]
    entities: list[EntityRef]
    indicators: list[Reason]
    images: list[RecordImage]
    revisions: list[Revision]
    extracted: dict[str, Any]


class SharedIdentifier(BaseModel):
    kind: str
    value: str
    shared_with: int = Field(description="Other members of the network that carry it")


class NetworkMember(RecordSummary):
    shared: list[SharedIdentifier] = Field(default_factory=list)


class GraphNode(BaseModel):
    id: str
    label: str
    kind: str
    href: str | None = None


class GraphEdge(BaseModel):
    source: str
    target: str


class Graph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class ItineraryStop(BaseModel):
    """Consecutive postings in one place, in posting order: where the network moved."""

    name: str
    admin1: str | None
    country: str | None
    lat: float
    lon: float
    first_seen: datetime | None
    last_seen: datetime | None
    count: int


class Bucket(BaseModel):
    label: str
    count: int


class ContactUse(BaseModel):
    kind: str
    value: str
    count: int
    first_seen: datetime | None
    last_seen: datetime | None


class NetworkDetail(BaseModel):
    network_id: str
    member_count: int
    truncated: bool
    members: list[NetworkMember]
    graph: Graph
    itinerary: list[ItineraryStop]
    timeline: list[Bucket]
    contacts: list[ContactUse]
    personas: list[ContactUse]
    images: list[ContactUse]


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
    first_seen: datetime | None
    last_seen: datetime | None
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
