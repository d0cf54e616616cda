"""National measures of decentralisation: the national:local tax ratio and regional disparity.

- local tax share = local taxes / (national taxes net of local shares + local taxes);
  the national:local ratio is (1 - share) : share.
- disparity = coefficient of variation (standard deviation / mean, unweighted across
  regions) of per-capita general revenue, before transfers (own-source revenue) and
  after them (own-source revenue + general grants). Korean equalisation pays by fiscal
  need, which is high per person in rural provinces, so per-capita revenue can be
  more dispersed after transfers than before: the two figures are shown side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscal.engine.money import FloatArray, Int64Array


@dataclass(frozen=True)
class NationalMeasures:
    national_tax: Int64Array  # years; net of the local shares carved out of it
    local_tax: Int64Array  # years
    local_tax_share: FloatArray  # years
    cv_before_transfers: FloatArray  # years
    cv_after_transfers: FloatArray  # years


def coefficient_of_variation(per_capita: FloatArray) -> FloatArray:
    """Across regions (axis 0), for each year."""
    mean = per_capita.mean(axis=0)
    std = per_capita.std(axis=0)
    cv: FloatArray = np.divide(std, mean, out=np.zeros_like(mean), where=mean != 0)
    return cv


def national_measures(
    national_tax_gross: Int64Array,
    carved_out: Int64Array,
    local_taxes: Int64Array,
    own_source: Int64Array,
    general_grants: Int64Array,
    population: Int64Array,
) -> NationalMeasures:
    """``carved_out`` and ``local_taxes`` are regions x years; the rest as named."""
    national = national_tax_gross - carved_out.sum(axis=0)
    local = local_taxes.sum(axis=0)
    total = national + local
    share = np.divide(
        local.astype(np.float64),
        total.astype(np.float64),
        out=np.zeros(len(total)),
        where=total > 0,
    )
    people = np.maximum(population, 1).astype(np.float64)
    before = coefficient_of_variation(own_source / people)
    after = coefficient_of_variation((own_source + general_grants) / people)
    return NationalMeasures(national, local, share, before, after)
