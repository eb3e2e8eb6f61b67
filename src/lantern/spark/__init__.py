"""Batch extraction and linking on Apache Spark, for corpora larger than one machine's linker.

The Spark jobs call the same per-record code as the local pipeline (``extract_record`` and
``Assessor.assess_record``; ``link_doc`` and the linker's identifier normalisation), so a record's fields
and identifiers are the same whichever path produced them. Linking uses the local linker's evidence
(shared identifiers, near-duplicate images by pHash, near-duplicate text by MinHash/LSH), groups and hub
rule, and equals one full run of ``Linker.add`` over the corpus; networks are connected components
computed with large-star/small-star in DataFrames. Modules:

* ``session``: a local (or configured) SparkSession bound to loopback;
* ``extract``: JSONL/Parquet input records (and the image files they name) -> Parquet of fields,
  identifiers, pHashes and text;
* ``link``: extracted Parquet -> network id per record (plus the suppressed hubs);
* ``load``: network ids into a Lantern store through SQLAlchemy (SQLite or PostgreSQL).
"""
