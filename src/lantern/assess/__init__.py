"""Indicators and risk: explainable trafficking and likely-minor scores from a versioned rule catalogue.

Public API::

    from lantern.assess import Assessor, GroupMember
    assessor = Assessor.load(override_path=None)      # catalogue + LANTERN_INDICATORS overrides
    assessor.assess_record(record, extracted)          # fills extracted["indicators"], ["risk"]
    assessor.assess_group(members)                     # structural firings, network scores, M5 paths
    assessor.catalogue                                 # the rules, with their sources

Scores are leads for a human, never verdicts (PRINCIPLES.md §1): every firing carries its span, weight,
citation and a plain-language explanation.
"""

from lantern.assess.assessor import Assessor, GroupAssessment
from lantern.assess.catalogue import OVERRIDE_ENV, Catalogue, CatalogueError, Rule, load_catalogue
from lantern.assess.structural import GroupMember, PriceStats

__all__ = [
    "OVERRIDE_ENV",
    "Assessor",
    "Catalogue",
    "CatalogueError",
    "GroupAssessment",
    "GroupMember",
    "PriceStats",
    "Rule",
    "load_catalogue",
]
