"""A synthetic world of ads and posts with exact ground truth, for tests, demos and evaluation.

Operators run several providers, rotate numbers, travel circuits, write from templates and reuse edited
photos; independents, the majority, travel and share phrases too; traps and obfuscated contacts are
mixed in at documented rates (docs/synthetic-world.md). Everything in it is fictional (PRINCIPLES.md §9).
"""

from lantern.synth.config import TECHNIQUES, WorldConfig, load_config
from lantern.synth.world import RECORDS_FILE, TRUTH_FILE, WORLD_FILE, generate, pool_sizes

__all__ = [
    "RECORDS_FILE",
    "TECHNIQUES",
    "TRUTH_FILE",
    "WORLD_FILE",
    "WorldConfig",
    "generate",
    "load_config",
    "pool_sizes",
]
