"""The ingest loop: read, validate, preserve, extract and store in batches, accounting for every record.

Each batch is one transaction, so a killed ingest leaves whole batches behind and a re-run skips what
is already preserved (see ``store.writer``). Bad input is reported in one line and quarantined with its
raw bytes; it never stops the run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine

from lantern.config import Settings
from lantern.gcpauses import fewer_gc_pauses
from lantern.ingest.parse import Problem, format_problem
from lantern.ingest.prepare import prepare
from lantern.ingest.reader import Extractor, ReaderConfig, Reading, RecordReader
from lantern.sources.files import RawItem, read_items
from lantern.sources.guard import QuarantineCap
from lantern.store.writer import PreparedRecord, QuarantinedItem, record_run_progress, start_run, write_batch


@dataclass
class IngestSummary:
    """What happened to every record read; ``read`` always equals the sum of the other four."""

    read: int = 0
    stored: int = 0
    revised: int = 0
    unchanged: int = 0
    quarantined: int = 0
    skipped_files: list[str] = field(default_factory=list)
    changed_pks: list[int] = field(default_factory=list)
    run_id: int | None = None

    def line(self) -> str:
        return (
            f"read {self.read}: stored {self.stored}, revised {self.revised}, "
            f"unchanged {self.unchanged}, quarantined {self.quarantined}"
        )

    def totals(self) -> dict[str, int]:
        return {
            "read": self.read,
            "stored": self.stored,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
        }


def _quarantine_item(item: RawItem, problem: Problem) -> QuarantinedItem:
    return QuarantinedItem(
        origin_file=item.origin,
        origin_line=item.line,
        field=problem.field,
        reason=problem.reason,
        raw=item.raw,
        raw_sha256=item.raw_sha256 or hashlib.sha256(item.raw).hexdigest(),
        raw_size=item.raw_size or len(item.raw),
        truncated=item.truncated,
    )


class Ingestor:
    """Ingests inputs into one database; reusable across calls so image work is cached."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        extract: Extractor | None = None,
        on_problem: Callable[[str], None] = lambda line: None,
        on_progress: Callable[[int], None] = lambda bytes_read: None,
        watch: bool = True,
        workers: int = 1,
    ) -> None:
        """``workers`` > 1 reads records in that many processes (``RecordReader.pipe``); a custom
        ``extract`` cannot travel to them, so it always runs here, one record at a time."""
        self.engine = engine
        self.settings = settings
        self.workers = max(1, workers)
        self.on_problem = on_problem
        self.on_progress = on_progress
        from lantern.csam.blocklist import load_blocklist
        from lantern.watch.matcher import WatchMatcher

        # Hash lists are read before any image is: a listed image's bytes must never reach the store.
        config = ReaderConfig.from_settings(settings)
        images = config.image_preserver(
            settings.images_dir, blocklist=load_blocklist(engine, settings.csam_phash_distance)
        )
        self.reader = RecordReader(config, images=images, extract=extract)
        self.watcher = WatchMatcher(settings.watch_phash_distance) if watch else None
        self.alerts_created = 0

    def _handle(self, item: RawItem, reading: Reading) -> PreparedRecord | QuarantinedItem:
        if reading.problem is not None:
            return self._refuse(item, reading.problem)
        return prepare(reading, item)

    def _readings(
        self, inputs: list[tuple[str, str]], cap: QuarantineCap
    ) -> Iterator[tuple[RawItem, Reading]]:
        """Every item of every input read, in input order; a file the cap stopped is read no further."""
        items = (item for path, fmt in inputs for item in read_items(path, fmt, cap.stopped))
        return self.reader.pipe(items, self.workers, self.settings.batch_size)

    def _refuse(self, item: RawItem, problem: Problem) -> QuarantinedItem:
        self.on_problem(format_problem(item.origin, item.line, problem))
        return _quarantine_item(item, problem)

    @fewer_gc_pauses()
    def run(self, inputs: Iterable[tuple[str, str]], labels: list[str] | None = None) -> IngestSummary:
        """Ingest (path, format) inputs; ``labels`` names them in the run log."""
        inputs = list(inputs)
        summary = IngestSummary()
        with self.engine.begin() as connection:
            summary.run_id = start_run(connection, labels or [path for path, _ in inputs])
        prepared: list[PreparedRecord] = []
        refused: list[QuarantinedItem] = []
        bytes_read = 0
        cap = QuarantineCap(self.settings.quarantine_limit)
        for item, reading in self._readings(inputs, cap):
            bytes_read += len(item.raw) + 1
            if item.origin in cap.stopped:  # read ahead by the workers before the file was stopped
                continue
            result = self._handle(item, reading)
            if isinstance(result, QuarantinedItem):
                refused.append(result)
            else:
                prepared.append(result)
            stop = cap.note(item, isinstance(result, QuarantinedItem))
            if stop is not None:
                refused.append(self._refuse(stop, Problem(*stop.problem)))  # type: ignore[misc]
            if len(prepared) + len(refused) >= self.settings.batch_size:
                self._commit(prepared, refused, summary)
                self.on_progress(bytes_read)
                prepared, refused, bytes_read = [], [], 0
        self._commit(prepared, refused, summary)
        self.on_progress(bytes_read)
        with self.engine.begin() as connection:
            record_run_progress(connection, summary.run_id, summary.totals(), "finished")
        if self.alerts_created:
            self._deliver_alerts()
        return summary

    def _deliver_alerts(self) -> None:
        """Send immediate alerts now; a failure keeps them pending for ``lantern alerts deliver``."""
        from lantern.watch.deliver import deliver_due

        try:
            report = deliver_due(self.engine, self.settings)
        except Exception as error:  # delivery must never fail an ingest that has committed
            self.on_problem(f"alerts: delivery failed, kept for retry: {type(error).__name__}: {error}")
            return
        for line in report.errors:
            self.on_problem(f"alerts: {line} (kept for retry)")

    def _commit(
        self, prepared: list[PreparedRecord], refused: list[QuarantinedItem], summary: IngestSummary
    ) -> None:
        if not prepared and not refused:
            return
        from lantern.csam.store import record_ingest_matches

        with self.engine.begin() as connection:
            outcome = write_batch(connection, prepared, refused, summary.run_id)
            # The CSAM flag commits with the record or not at all.
            record_ingest_matches(connection, prepared)
            # Watchlist alerts too: an alert is never lost, nor made for a batch that rolled back, and
            # the unique (entry, record) key keeps a re-run from making a second one.
            if self.watcher is not None and outcome.changed_pks:
                self.alerts_created += self.watcher.match_batch(connection, outcome.changed_pks)
            summary.read += len(prepared) + len(refused)
            summary.stored += outcome.stored
            summary.revised += outcome.revised
            summary.unchanged += outcome.unchanged
            summary.quarantined += outcome.quarantined
            summary.changed_pks.extend(outcome.changed_pks)
            record_run_progress(connection, summary.run_id, summary.totals(), "running")  # type: ignore[arg-type]
