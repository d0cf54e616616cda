"""Tax sharing: a national pool divided among regions by a weighted key (e.g. 지방소비세)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

from fiscal.engine.money import Int64Array, apportion, scale


def pool_amounts(bases: Int64Array, shares: list[Fraction]) -> Int64Array:
    """Each year's pool: the national base times that year's share, half to even.

    ``shares`` holds one fraction per year (the product of the rule's shares, applied
    once so that ``19.24% x 97%`` is rounded a single time).
    """
    return np.asarray(
        [scale(int(base), share) for base, share in zip(bases.tolist(), shares, strict=True)],
        dtype=np.int64,
    )


def share_by_key(pools: Int64Array, key: npt.NDArray[np.object_]) -> Int64Array:
    """Divide each year's pool by the key (regions x years, whole numbers), to the won.

    The key is the indicator times the region's weight, both exact, so ties between
    regions are real ties and go to the region listed first.
    """
    return apportion(pools, key)
