"""Normal and Student's t quantiles in pure Python, so that the metrics need not import scipy.

``from scipy import special`` costs 150–250 ms; confidence intervals need only two quantiles.
The normal one is :meth:`statistics.NormalDist.inv_cdf`. For Student's t with ν > 0 degrees of
freedom (fractional allowed), A&S 26.7.1 / DLMF 8.17 give, for u ≥ 0 and x = ν/(ν+u²),

    P(T > u) = ½·I_x(ν/2, ½),      P(0 < T < u) = ½·I_{1−x}(½, ν/2),

with I the regularized incomplete beta function, evaluated by its continued fraction
(DLMF 8.17.22) with the modified Lentz algorithm (Lentz 1976; Press et al., Numerical Recipes,
3rd ed., §6.4) on whichever side of I_x(a, b) = 1 − I_{1−x}(b, a) it converges. The quantile
starts from Hill's approximation (G. W. Hill 1970, CACM 13(10), Algorithm 396) and takes Newton
steps with the t density, kept inside a bisection bracket, to |Δ| < 1e-13·max(1, |t|). Above 10⁷
degrees of freedom the Cornish–Fisher expansion (A&S 26.7.5) is exact to rounding.

Published tables: t_{0.975,10} = 2.228139, t_{0.975,1} = 12.706205, t_{0.995,30} = 2.749996.

>>> round(t_quantile(0.975, 10), 6), round(t_quantile(0.975, 1), 6)
(2.228139, 12.706205)
>>> round(t_quantile(0.995, 30), 6), round(t_cdf(2.228139, 10), 6)
(2.749996, 0.975)
"""

from __future__ import annotations

import math
from statistics import NormalDist

_NORMAL = NormalDist()


def _check(p: float, dof: float) -> None:
    if not 0.0 < p < 1.0:  # also rejects NaN
        raise ValueError(f"a probability must lie strictly between 0 and 1, not {p!r}")
    if not dof > 0.0:
        raise ValueError(f"degrees of freedom must be positive, not {dof!r}")


def _log_beta_half(a: float) -> float:
    """log B(a, ½); for large a by Stirling series, as lgamma(a) − lgamma(a + ½) would cancel."""
    if a < 20.0:
        return math.lgamma(0.5) + math.lgamma(a) - math.lgamma(a + 0.5)

    def s(z: float) -> float:  # lgamma(z) − (z − ½)·log z + z − ½·log 2π
        w = 1.0 / (z * z)
        return (1 / 12 - w * (1 / 360 - w * (1 / 1260 - w * (1 / 1680 - w / 1188)))) / z

    # lgamma(a + ½) − lgamma(a) = ½·log a + (a·log1p(1/2a) − ½) + s(a + ½) − s(a)
    shift = 0.5 * math.log(a) + (a * math.log1p(0.5 / a) - 0.5) + (s(a + 0.5) - s(a))
    return math.lgamma(0.5) - shift


def _beta_fraction(a: float, b: float, x: float, y: float) -> float:
    """The continued fraction of I_x(a, b)·a·B(a, b)/(x^a y^b), y = 1 − x, by modified Lentz.

    DLMF 8.17.22's steps go in pairs, d_2m then d_2m+1, and the second's 1 − κx becomes
    (1 − κ) + κy when x > ½: near x = 1 with a large, 1 − κx would cancel.
    """

    def one_minus_kx(m: int) -> float:
        den = (a + 2 * m) * (a + 2 * m + 1)
        k = (a + m) * (a + b + m) / den
        return 1 - k * x if x <= 0.5 else (a * (2 * m + 1 - b) + m * (3 * m + 2 - b)) / den + k * y

    d = 1.0 / one_minus_kx(0)
    c, h = 1.0, d
    for m in range(1, 10_000):
        e, base = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)), one_minus_kx(m)
        factor = (base + e / c) / (base + e * d)
        d, c = (1.0 + e * d) / (base + e * d), (base + e / c) / (1.0 + e / c)
        h *= factor
        if abs(factor - 1.0) < 4e-16:
            break
    return h


def _tails(u: float, dof: float, log_beta: float) -> tuple[float, float]:
    """(P(T > u), P(0 < T < u)) for u ≥ 0, each accurate relative to itself."""
    r = u * u / dof
    if r == 0.0 or math.isinf(r):
        return (0.5, 0.0) if r == 0.0 else (0.0, 0.5)
    a, log1p_r, x, y = 0.5 * dof, math.log1p(r), 1.0 / (1.0 + r), r / (1.0 + r)
    front = 0.5 * math.exp(-a * log1p_r + 0.5 * (math.log(r) - log1p_r) - log_beta)
    if x < (a + 1.0) / (a + 2.5):
        tail = front / a * _beta_fraction(a, 0.5, x, y)
        return tail, 0.5 - tail
    central = front / 0.5 * _beta_fraction(0.5, a, y, x)
    return 0.5 - central, central


def _density(u: float, dof: float, log_beta: float) -> float:
    return math.exp(-log_beta - 0.5 * (dof + 1.0) * math.log1p(u * u / dof)) / math.sqrt(dof)


def _hill(q: float, n: float) -> float:
    """Hill's (1970) approximation to the upper q-quantile, q ≤ ½, for n ≥ 1 (as R's qt)."""
    a = 1.0 / (n - 0.5)
    b = 48.0 / (a * a)
    c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36
    d = ((94.5 / (b + c) - 3.0) / b + 1.0) * math.sqrt(a * math.pi / 2.0) * n
    y = (2.0 * d * q) ** (2.0 / n)
    if y > 0.05 + a or (n < 2.1 and q > 0.25):  # an expansion about the normal quantile
        x = normal_quantile(q)
        y = x * x
        if n < 5.0:
            c += 0.3 * (n - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x
        return math.sqrt(n * math.expm1(a * y * y))
    z = 1.0 / (((n + 6.0) / (n * y) - 0.089 * d - 0.822) * (n + 2.0) * 3.0) + 0.5 / (n + 4.0)
    return math.sqrt(n * ((z * y - 1.0) * (n + 1.0) / (n + 2.0) + 1.0 / y))


def normal_quantile(p: float) -> float:
    """The standard normal quantile Φ⁻¹(p), as ``scipy.special.ndtri``.

    >>> normal_quantile(0.5), round(normal_quantile(0.975), 6)
    (0.0, 1.959964)
    """
    _check(p, 1.0)
    return _NORMAL.inv_cdf(p)


def t_cdf(t: float, dof: float) -> float:
    """P(T ≤ t) for Student's t with ``dof`` > 0 degrees of freedom, as ``scipy.special.stdtr``.

    >>> t_cdf(0.0, 3.5), round(t_cdf(1.0, 1.0), 12), round(t_cdf(-2.0, 2.0), 12)
    (0.5, 0.75, 0.091751709536)
    """
    _check(0.5, dof)
    if math.isnan(t):
        raise ValueError("t must be a number, not NaN")
    if math.isinf(dof):
        return _NORMAL.cdf(t)
    tail, central = _tails(abs(t), dof, _log_beta_half(0.5 * dof))
    return tail if t < 0.0 else 0.5 + central


def t_quantile(p: float, dof: float) -> float:
    """The t with P(T ≤ t) = p, for ``dof`` > 0 degrees of freedom, as ``scipy.special.stdtrit``.

    >>> round(t_quantile(0.975, 10), 6), t_quantile(0.5, 7.5), round(t_quantile(0.75, 1), 12)
    (2.228139, 0.0, 1.0)
    """
    _check(p, dof)
    q, sign = min(p, 1.0 - p), (-1.0 if p < 0.5 else 1.0)  # q: the smaller tail, exactly
    if q == 0.5:
        return 0.0
    if dof == 1.0:  # Cauchy: u = cot(πq)
        return sign * (math.tan(math.pi * (0.5 - q)) if q > 0.25 else 1.0 / math.tan(math.pi * q))
    if dof == 2.0:
        return sign * (1.0 - 2.0 * q) / math.sqrt(2.0 * q * (1.0 - q))
    if dof > 1e7:  # Cornish–Fisher, A&S 26.7.5; the next term is below 1e-28·x⁹
        x, w = -normal_quantile(q), 1.0 / dof
        x2 = x * x
        g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) / 384.0
        g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) / 96.0
        return sign * x * (1.0 + w * ((x2 + 1.0) / 4.0 + w * (g2 + w * g3)))
    log_beta = _log_beta_half(0.5 * dof)
    if dof >= 1.0 and q > 1e-100:
        u = _hill(q, dof)
    else:  # the tail's leading term q = x^(ν/2)/(ν·B), x = ν/(ν+u²)
        lx = min(2.0 / dof * (math.log(q * dof) + log_beta), 0.0)
        u = math.sqrt(dof * math.expm1(-lx)) if lx > -700 else math.exp(min(-0.5 * lx, 700.0))
    lo, hi = 0.0, math.inf  # a bracket of the root
    for _ in range(200):
        tail, central = _tails(u, dof, log_beta)
        excess = q - tail if q < 0.25 else central - (0.5 - q)  # increasing in u, slope f(u)
        step = excess / max(_density(u, dof, log_beta), 1e-300)
        if abs(step) < 1e-13 * max(1.0, u) or math.isinf(u):
            return sign * (u - step if math.isfinite(step) else u)
        lo, hi = (lo, u) if excess > 0.0 else (u, hi)
        u -= step
        if not lo < u < hi:  # Newton left the bracket: bisect it, or double an open one
            u = 0.5 * (lo + hi) if hi < math.inf else 2.0 * lo + 1.0
    return sign * u
