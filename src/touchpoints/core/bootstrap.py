"""What a bootstrap may be asked for, and how it draws: shared by the CSI and the MTSI.

Percentile intervals settle within a few thousand resamples (Efron & Tibshirani 1993, ch. 19:
1,000 is ample for 95 % percentile limits); far more only costs memory — each resample is a
row of counts — so an accidental ``100000000`` is refused rather than exhausting the machine.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from touchpoints.errors import ParameterError

if TYPE_CHECKING:
    from scipy import sparse

MAX_RESAMPLES = 100_000


def check_resamples(resamples: int) -> None:
    """Refuse a count of resamples below 0 or above :data:`MAX_RESAMPLES`.

    >>> check_resamples(1000)
    >>> check_resamples(10**8)
    Traceback (most recent call last):
      ...
    touchpoints.errors.ParameterError: resamples: takes 0 to 100,000 (got 100,000,000)
    """
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise ParameterError("resamples", f"takes 0 to {MAX_RESAMPLES:,} (got {resamples:,})")


def check_seed(seed: int) -> None:
    """Refuse a negative seed: numpy's generators take whole numbers from 0 (a negative one
    was a traceback until the API's fuzz test sent one).

    >>> check_seed(-1)
    Traceback (most recent call last):
      ...
    touchpoints.errors.ParameterError: seed: takes a whole number from 0 (got -1)
    """
    if seed < 0:
        raise ParameterError("seed", f"takes a whole number from 0 (got {seed})")


# Customer weights per block: 2²⁰ float32 (4 MB) however many customers and resamples; a
# thread holds about four such arrays while it draws.
_BLOCK = 1 << 20


def _poisson_tables() -> tuple[np.ndarray, np.ndarray]:
    """The cuts that turn a 32-bit uniform u into a Poisson(1) weight, and a table of the
    weight for each value of u's top 16 bits (-1 where a cut falls inside that cell).

    The weight is the number of cuts at or below u, cut_k = round(2³² × P(X ≤ k)) for
    k = 0…11: inversion (Devroye 1986, *Non-Uniform Random Variate Generation*, §III.2), each
    P(X = k) within 2⁻³² of Poisson's, the 8 × 10⁻¹⁰ above 11 all weight 12. The table settles
    all but the 12 cells of 65,536 that a cut falls in, which are searched: an indexed search
    (Chen & Asau 1974). It draws about ten times faster than ``Generator.poisson``, and an
    index over two million customers draws two billion weights.
    """
    mass = np.array([math.exp(-1) / math.factorial(k) for k in range(12)])
    cuts = np.round(np.cumsum(mass) * 2.0**32).astype(np.uint64)
    cells = np.arange(1 << 16, dtype=np.uint64) << np.uint64(16)
    first = np.searchsorted(cuts, cells, side="right")
    last = np.searchsorted(cuts, cells + np.uint64(0xFFFF), side="right")
    return cuts, np.where(first == last, first, -1).astype(np.float32)


_CUTS, _BY_TOP_BITS = _poisson_tables()


def _poisson_ones(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Independent Poisson(1) weights (float32) by :func:`_poisson_tables`, from the bit
    generator's raw 64-bit words split in two (twice as fast as ``integers``)."""
    size = shape[0] * shape[1]
    words = rng.bit_generator.random_raw((size + 1) // 2)
    bits = words.view(np.uint32)[:size].reshape(shape)
    weights: np.ndarray = _BY_TOP_BITS[bits >> 16]
    edge = np.flatnonzero(weights < 0)
    weights.flat[edge] = np.searchsorted(_CUTS, bits.flat[edge], side="right")
    return weights


def poisson_totals(
    values: sparse.csr_matrix, resamples: int, seed: int, copies: np.ndarray | None = None
) -> np.ndarray:
    """Bootstrap column totals of ``values``, one row per customer: row r of the result is
    Σ_c w_rc x_c with independent weights w_rc ~ Poisson(1) (the module docstring says why),
    r < ``resamples`` (at least 1). A row that stands for ``copies`` customers alike gets
    Poisson(copies), the sum of theirs.

    Customers go in blocks of a fixed size, each block with its own random stream spawned
    from ``seed`` (:class:`numpy.random.SeedSequence`) and its totals added in block order:
    the result depends on the seed, the number of resamples and the order of the rows, not on
    the threads that compute the blocks (numpy and scipy release the GIL while they draw and
    multiply). A block's weights and values are float32, exact for integer totals below 2²⁴
    and otherwise within 10⁻⁷ of them; blocks add up in float64.
    """
    rows, columns = values.shape
    block = max(1, _BLOCK // resamples)
    starts = range(0, rows, block)
    streams = np.random.SeedSequence(seed).spawn(len(starts))
    values = values.astype(np.float32)

    def block_totals(start: int, stream: np.random.SeedSequence) -> np.ndarray:
        rng = np.random.default_rng(stream)
        part = values[start : start + block]
        shape = (part.shape[0], resamples)  # a customer's weights lie together
        weights = (
            _poisson_ones(rng, shape)
            if copies is None
            else rng.poisson(copies[start : start + block, None], shape).astype(np.float32)
        )
        found: np.ndarray = part.T @ weights
        return found

    totals = np.zeros((columns, resamples))
    with ThreadPoolExecutor(os.cpu_count()) as pool:  # more threads than cores only contend
        for found in pool.map(block_totals, starts, streams):
            totals += found
    return totals.T


def customer_codes(labels: Sequence[Any] | np.ndarray) -> np.ndarray:
    """0-based customer numbers in the order of their labels, so that the rows' order changes
    no draw; a missing label is a customer of its own (METRICS.md: an answer without a
    customer is its own cluster), numbered after the others in row order."""
    codes: np.ndarray = pd.factorize(np.asarray(labels), sort=True)[0]
    alone = codes < 0
    codes[alone] = codes.max(initial=-1) + 1 + np.arange(alone.sum())
    return codes
