"""Connected components in Spark DataFrames: large-star / small-star (Kiveris et al., SoCC 2014).

Why this algorithm: it needs only joins and group-bys (no GraphFrames package to download, nothing
beyond PySpark), converges in O(log^2 n) rounds, and ends with every node pointing at the *smallest*
node of its component. The link job numbers records in founder order (posting time, then key), so the
smallest node is exactly the local linker's founder and the network ids agree.

Edges are (u, v) longs. After each round every edge is child -> parent with parent < child; the graph
has converged when every child has one parent and no parent is itself a child (each component is a
star around its minimum). Lineage is cut with ``localCheckpoint`` every few rounds so long runs do not
re-plan ever deeper query trees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def large_star(edges: DataFrame) -> DataFrame:
    """Each node u connects its larger neighbours to min(N(u) + u)."""
    from pyspark.sql import functions as F

    both = edges.select(F.col("u").alias("a"), F.col("v").alias("b")).union(
        edges.select(F.col("v").alias("a"), F.col("u").alias("b"))
    )
    smallest = both.groupBy("a").agg(F.min("b").alias("m"))
    return (
        both.join(smallest, "a")
        .where(F.col("b") > F.col("a"))
        .select(F.col("b").alias("u"), F.least("m", "a").alias("v"))
        .distinct()
    )


def small_star(edges: DataFrame) -> DataFrame:
    """Each node u connects its smaller neighbours, and itself, to the smallest of them."""
    from pyspark.sql import functions as F

    oriented = edges.select(F.greatest("u", "v").alias("a"), F.least("u", "v").alias("b")).distinct()
    smallest = oriented.groupBy("a").agg(F.min("b").alias("m"))
    joined = oriented.join(smallest, "a")
    moved = joined.where(F.col("b") != F.col("m")).select(F.col("b").alias("u"), F.col("m").alias("v"))
    return moved.union(smallest.select(F.col("a").alias("u"), F.col("m").alias("v"))).distinct()


def converged(edges: DataFrame) -> bool:
    """Every child has exactly one parent and no parent is a child."""
    from pyspark.sql import functions as F

    if edges.groupBy("u").agg(F.countDistinct("v").alias("k")).where("k > 1").limit(1).count():
        return False
    parents = edges.select(F.col("v").alias("u")).distinct()
    return parents.join(edges.select("u"), "u", "left_semi").limit(1).count() == 0


def connected_components(
    edges: DataFrame, *, checkpoint_every: int = 3, max_rounds: int = 200
) -> tuple[DataFrame, int]:
    """(node ``u``, component minimum ``v``) for every node in an edge, and the rounds taken.

    Nodes in no edge are their own component; callers add them. Raises RuntimeError if the iteration
    does not converge within ``max_rounds`` (it always should; the bound guards a bug from looping).
    """
    from pyspark.sql import functions as F

    current = edges.select(F.col("u").cast("long"), F.col("v").cast("long")).where("u != v").localCheckpoint()
    cached: DataFrame | None = None
    for round_number in range(1, max_rounds + 1):
        nxt = small_star(large_star(current))
        nxt = nxt.localCheckpoint() if round_number % checkpoint_every == 0 else nxt.cache()
        done = converged(nxt)
        if cached is not None:
            cached.unpersist()
        cached = nxt if round_number % checkpoint_every else None
        current = nxt
        if done:
            return current, round_number
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
