"""Candidate pairs: blocking keys on ID-number parts, names with birth dates, spouse ID and phone
(the register), or a generic profile's block rules.

``block(norm)`` returns an int64 array of shape (p, 2) of row positions, i < j, no repeats.
"""

from .block import block, block_keys, block_link, blocking_spec, complete_keys, stored_keys
from .generic import BlockRule, block_rules, block_rules_link
from .kernels import BlockStats, pairs_from_keys, sorted_neighbourhood, unique_pairs
from .register import DEFAULT_BLOCKERS

__all__ = ["block", "block_keys", "block_link", "blocking_spec", "complete_keys", "stored_keys", "BlockStats", "pairs_from_keys", "sorted_neighbourhood",
           "unique_pairs", "DEFAULT_BLOCKERS", "BlockRule", "block_rules", "block_rules_link"]
