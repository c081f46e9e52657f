"""The fast grouping of integer keys gives the pairs the ordered kernel gives."""

from __future__ import annotations

import numpy as np

from blocking import BlockStats, pairs_from_keys, unique_pairs


def test_any_order_gives_the_same_pairs_and_skips() -> None:
    rng = np.random.default_rng(11)
    keys = rng.integers(-2, 3000, 20000) * 10**12  # large keys, -2 * 10**12 = no key
    side = rng.random(20000) < 0.4
    for sides, n_right in ((None, None), (side, 20000)):
        ordered_stats, fast_stats = BlockStats(), BlockStats()
        ordered = pairs_from_keys(keys, max_block_size=9, side=sides, stats=ordered_stats)
        fast = pairs_from_keys(keys, max_block_size=9, side=sides, stats=fast_stats, any_order=True)
        assert len(ordered) > 1000
        assert np.array_equal(unique_pairs([ordered], n_right=n_right), unique_pairs([fast], n_right=n_right))
        assert ordered_stats == fast_stats and ordered_stats.skipped_blocks["key"] > 0
