"""Batch extraction and linking on Apache Spark, for corpora larger than one machine's linker.

The Spark jobs call the same per-record code as the local pipeline (``extract_record`` and
``Assessor.assess_record``; ``link_doc`` and the linker's identifier normalisation), so a record's fields
and identifiers are the same whichever path produced them. Linking is exact-identifier evidence only
(phones, emails, handles, payment handles, image SHA-256) with the local linker's hub rule, and networks
are connected components computed with large-star/small-star in DataFrames. Modules:

* ``session``: a local (or configured) SparkSession bound to loopback;
* ``extract``: JSONL/Parquet input records -> Parquet of fields and identifiers;
* ``link``: extracted Parquet -> network id per record (plus the suppressed hubs);
* ``load``: network ids into a Lantern store through SQLAlchemy (SQLite or PostgreSQL).
"""
