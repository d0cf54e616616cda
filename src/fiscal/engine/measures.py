"""National measures of decentralisation: the national:local tax ratio and regional disparity.

- local tax share = local taxes / (national taxes net of local shares + local taxes);
  the national:local ratio is (1 - share) : share.
- disparity = coefficient of variation (standard deviation / mean, unweighted across
  regions) of per-capita general revenue, before transfers (own-source revenue) and
  after them (own-source revenue + general grants). Korean equalisation pays by fiscal
  need, which is high per person in rural provinces, so per-capita revenue can be
  more dispersed after transfers than before: the two figures are shown side by side.

Degenerate years are marked, never turned into NaN or infinity, and never guessed:

- the local tax share is undefined in a year whose taxes (national net of the local
  shares, plus local) are not positive, or whose national or local part is negative
  (more carved out of the national taxes than they raised): ``share_undefined``;
- a region with no population that year has no per-capita revenue: it is left out of
  that year's coefficients of variation and listed in ``population_missing``;
- a coefficient of variation is undefined in a year with no region left, or whose mean
  per-capita revenue is not positive: ``cv_before_undefined``, ``cv_after_undefined``.

Undefined figures hold 0.0, so that each stays a finite number a workbook can hold;
callers report the masks (e.g. as named warnings) instead of showing 0.0 as a value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscal.engine.money import BoolArray, FloatArray, Int64Array


@dataclass(frozen=True)
class NationalMeasures:
    """How decentralised the country is each year: the tax split and the disparity.

    - ``national_tax``: national taxes net of the local shares carved out of them, years.
    - ``local_tax``: all regions' local taxes, years.
    - ``local_tax_share``: local / (national + local) taxes; the national:local ratio is
      (1 - share) : share.
    - ``cv_before_transfers``: coefficient of variation of per-capita own-source revenue.
    - ``cv_after_transfers``: the same, of own-source revenue plus general grants.
    - ``share_undefined``: years with no positive total of taxes, or a negative part.
    - ``population_missing``: regions x years with no population, left out of the CVs.
    - ``cv_before_undefined``, ``cv_after_undefined``: years with no region left, or a
      mean that is not positive.

    Undefined figures hold 0.0.
    """

    national_tax: Int64Array  # years; net of the local shares carved out of it
    local_tax: Int64Array  # years
    local_tax_share: FloatArray  # years
    cv_before_transfers: FloatArray  # years
    cv_after_transfers: FloatArray  # years
    share_undefined: BoolArray  # years; no positive total of taxes (share held as 0.0)
    population_missing: BoolArray  # regions x years; left out of that year's CVs
    cv_before_undefined: BoolArray  # years; no region left, or a mean that is not positive
    cv_after_undefined: BoolArray  # years


def coefficient_of_variation(
    per_capita: FloatArray, included: BoolArray
) -> tuple[FloatArray, BoolArray]:
    """Standard deviation over mean across the included regions (axis 0), each year,
    and the years where it is undefined (no region included, or a mean that is not
    positive), whose coefficient is 0.0."""
    count = included.sum(axis=0)
    some = count > 0  # a year with no region left has no mean
    mean, std = np.zeros(count.shape), np.zeros(count.shape)
    mean[some] = per_capita[:, some].mean(axis=0, where=included[:, some])
    std[some] = per_capita[:, some].std(axis=0, where=included[:, some])
    undefined: BoolArray = (count == 0) | ~(mean > 0)
    cv: FloatArray = np.where(undefined, 0.0, std / np.where(undefined, 1.0, mean))
    return cv, undefined


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
    share_undefined: BoolArray = (total <= 0) | (national < 0) | (local < 0)
    share = np.where(share_undefined, 0.0, local / np.where(share_undefined, 1, total))
    counted = population > 0
    people = np.where(counted, population, 1).astype(np.float64)
    before, before_undefined = coefficient_of_variation(own_source / people, counted)
    after, after_undefined = coefficient_of_variation(
        (own_source + general_grants) / people, counted
    )
    return NationalMeasures(
        national, local, share, before, after, share_undefined, ~counted,
        before_undefined, after_undefined,
    )  # fmt: skip
