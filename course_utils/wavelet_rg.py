"""Wavelet conditional renormalization group: learn a lattice field scale by scale and
generate it from coarse to fine.

Following Mallat's lectures (Beg Rohu 2025 notes, sections 12-13) and Marchand, Ozawa,
Biroli, Mallat, *Wavelet conditional renormalization group* (2022). An orthonormal Haar
level splits the field x_{j-1} (side L / 2^(j-1)) into a coarse field x_j and three detail
channels xbar_j, with no Jacobian, so that (eq. 12.4-12.6)

    p_0(x_0) = p_J(x_J) prod_{j=1}^{J} pbar_j(xbar_j | x_j),
    pbar_j(xbar_j | x_j) = exp(-Ubar_j(xbar_j, x_j)) / Zbar_j(x_j).

Each conditional energy is linear in its parameters, Ubar_j = <thetabar_j, phibar_j>, with

    phibar_j = { sum_n xbar_a(n) xbar_b(n + delta) }   detail-detail couplings (|delta_i| <= radius)
             + { sum_n xbar_a(n) x_j(n + delta) }      detail-coarse couplings
             + { sum_i x_{j-1}(i)^4 }                  local potential on the reconstructed field.

(sum_i x_{j-1}(i)^2 is not a separate feature: by orthogonality it equals sum_a |xbar_a|^2 plus a
function of the given x_j, i.e. the delta = 0 self couplings.) The coarsest field (a few sites) has
U_J = <theta_J, phi_J> with a coupling for every pair of sites, the quartic term sum_i x_J(i)^4 and
the magnetisation term (sum_i x_J(i))^4 / N_J, which shapes the law of the order parameter. Every field is normalised
to unit second moment at its scale ("renormalization", or batch normalization in machine
learning language): x_j -> x_j / s_j with s_j^2 = mean of x_j^2 over the data.

Fit: score matching (Hyvarinen 2005) level by level. For an energy linear in theta the
score-matching loss E[1/2 |grad U|^2 - Laplacian U] is the quadratic 1/2 theta^T A theta -
b^T theta with A = E[grad phi . grad phi^T] (positive semi-definite: convex) and
b = E[Laplacian phi], minimised by one linear solve theta = A^-1 b. It needs neither the
normalisation Zbar_j(x_j) nor sampling, and it is consistent in the same family as maximum
likelihood (whose loss, eq. 12.10-12.11, is also convex, with Hessian Cov_theta[phi], but
whose gradient E_data[phi] - E_theta[phi] needs samples of the model at every step).

Sampling: coarse to fine, each level by a Metropolis-adjusted Langevin (MALA) chain of the
conditional law given the coarser field, so that each step is exact in law once mixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.fft as sfft

from .fields import haar_merge, haar_split
from .seeding import make_rng
from .validation import check_array, check_int, check_positive

_MLE_MALA_STEPS = 40  # MALA steps of the persistent chains between two Newton steps

__all__ = [
    "WaveletRGModel",
    "fit_wavelet_rg",
    "sample_wavelet_rg",
    "wavelet_decompose",
    "gaussian_model_covariance",
    "conditional_precision_symbols",
]


# --------------------------------------------------------------------------- features
def _offsets(radius: int, half: bool) -> list[tuple[int, int]]:
    """Offsets (p, q) with |p|, |q| <= radius; ``half``: (0, 0) and one of each pair +-delta."""
    full = [(p, q) for p in range(-radius, radius + 1) for q in range(-radius, radius + 1)]
    if not half:
        return full
    return [(0, 0)] + [(p, q) for p, q in full if p > 0 or (p == 0 and q > 0)]


def _all_offsets(n: int) -> list[tuple[int, int]]:
    """One offset of each pair +-delta on the periodic n x n lattice, (0, 0) first."""
    seen, out = set(), []
    for p in range(-(n // 2) + 1, n // 2 + 1):
        for q in range(-(n // 2) + 1, n // 2 + 1):
            key, neg = (p % n, q % n), (-p % n, -q % n)
            if neg not in seen:
                seen.add(key)
                out.append((p, q))
    return sorted(out, key=lambda d: (d != (0, 0), abs(d[0]) + abs(d[1]), d))


def _feature_list(radius: int, coarsest: bool, side: int = 0) -> list[tuple]:
    """Names of the features: ("dd", a, b, delta), ("dc", a, delta), ("y4",).

    The coarsest field (side ``side``) couples every pair of sites: a translation-invariant
    quadratic form with one coupling per offset, which can represent any stationary
    Gaussian law on that small lattice (its long-range correlations live there).
    """
    if coarsest:
        return [("dd", 0, 0, d) for d in _all_offsets(side)] + [("y4",), ("m4",)]
    feats = []
    for a in range(3):
        for b in range(a, 3):
            feats += [("dd", a, b, d) for d in _offsets(radius, a == b)]
    feats += [("dc", a, d) for a in range(3) for d in _offsets(radius, False)]
    return feats + [("y4",)]


def _shift(z, delta):
    """(S_delta z)(n) = z(n + delta) on the periodic lattice (last two axes)."""
    return np.roll(z, (-delta[0], -delta[1]), axis=(-2, -1))


def _reconstruct(free, coarse):
    """The field y = x_{j-1} whose quartic potential enters the energy."""
    return free[:, 0] if coarse is None else haar_merge(coarse, free)


def _quartic_grad(y, coarse):
    """grad over the free variables of sum_i y_i^4: 4 y^3, projected on the details if coarse is given."""
    g = 4.0 * y**3
    return g[:, None] if coarse is None else haar_split(g)[1]


def _features_grad_laplacian(free, coarse, feats):
    """Gradients (K, B, C, n, n) over the free variables and Laplacians (K, B) of every feature."""
    B, C, n, _ = free.shape
    grads = np.zeros((len(feats), B, C, n, n))
    lap = np.zeros((len(feats), B))
    for k, f in enumerate(feats):
        if f[0] == "dd":
            _, a, b, d = f
            grads[k, :, a] += _shift(free[:, b], d)
            grads[k, :, b] += _shift(free[:, a], (-d[0], -d[1]))
            if a == b and d == (0, 0):
                lap[k] = 2.0 * n * n
        elif f[0] == "dc":
            _, a, d = f
            grads[k, :, a] = _shift(coarse, d)
        elif f[0] == "m4":  # (sum_i x_i)^4 / N: the law of the magnetisation of the coarsest field
            S = free.sum(axis=(1, 2, 3))
            grads[k] = (4.0 * S**3 / free[0].size)[:, None, None, None]
            lap[k] = 12.0 * S**2
        else:
            y = _reconstruct(free, coarse)
            grads[k] = _quartic_grad(y, coarse)
            # Laplacian of sum y^4 = sum_i 12 y_i^2 |d y_i / d free|^2; a Haar pixel has weight
            # 1/4 in its coarse coefficient, so 3/4 in the details.
            lap[k] = (12.0 if coarse is None else 9.0) * (y**2).sum(axis=(-2, -1))
    return grads, lap


def _kernels(theta, feats, C, n):
    """Fourier symbols of the quadratic part: Qhat (C, C, n, n) and Rhat (C, n, n).

    The quadratic part of <theta, phi> is 1/2 <d, Q d> + <d, R x_j>; S_delta has the symbol
    exp(2 pi i k.delta / n) (the FFT of a delta at -delta).
    """
    Q = np.zeros((C, C, n, n))
    R = np.zeros((C, n, n))
    for t, f in zip(theta, feats, strict=True):
        if f[0] == "dd":
            _, a, b, (p, q) = f
            Q[a, b, -p % n, -q % n] += t
            Q[b, a, p % n, q % n] += t
        elif f[0] == "dc":
            _, a, (p, q) = f
            R[a, -p % n, -q % n] += t
    return np.fft.fft2(Q), np.fft.fft2(R)


# ----------------------------------------------------------------------------- model
@dataclass
class WaveletRGModel:
    """A fitted wavelet conditional model: per level the parameters thetabar_j, their feature
    names and Fourier symbols, and the normalisations s_j of the fields x_j (j = 0..J).

    ``L`` the lattice side (a multiple of 2**n_levels, at least 2**(n_levels + 1)), ``n_levels`` >= 1, ``radius`` >= 1,
    ``scales`` the n_levels + 1 normalisations s_j > 0; ``levels`` and ``coarsest`` are filled by
    :func:`fit_wavelet_rg`.
    """

    L: int
    n_levels: int
    radius: int
    scales: np.ndarray
    levels: list = field(default_factory=list)  # j = 1..J: dicts theta, features, Qhat, Rhat, quartic, y2
    coarsest: dict = field(default_factory=dict)

    def __post_init__(self):
        self.n_levels = check_int("n_levels", self.n_levels, minimum=1, maximum=60)
        self.L = check_int("L", self.L, minimum=2 ** (self.n_levels + 1), maximum=2**15)
        if self.L % 2**self.n_levels:
            raise ValueError(f"L must be a multiple of 2**n_levels = {2**self.n_levels}, got {self.L}")
        self.radius = check_int("radius", self.radius, minimum=1, maximum=self.L)
        self.scales = check_positive("scales", check_array("scales", self.scales, shape=(self.n_levels + 1,)))

    def couplings(self, name: str) -> np.ndarray:
        """A coupling across scales j = 1..J (then the coarsest energy): "mass" (the delta = 0
        self coupling, averaged over the three detail channels), "quartic", or "coarse" (the
        detail-coarse coupling at delta = 0, root-mean-square over channels).

        Accepts: ``name`` 'mass', 'quartic' or 'coarse'.
        """
        out = []
        for lev in self.levels + [self.coarsest]:
            th, fs = lev["theta"], lev["features"]
            if name == "mass":
                out.append(np.mean([t for t, f in zip(th, fs, strict=True)
                                    if f[0] == "dd" and f[1] == f[2] and f[3] == (0, 0)]))
            elif name == "quartic":
                out.append(lev["quartic"])
            elif name == "coarse":
                v = [t for t, f in zip(th, fs, strict=True) if f[0] == "dc" and f[2] == (0, 0)]
                out.append(np.sqrt(np.mean(np.square(v))) if v else np.nan)
            else:
                raise ValueError(f"name must be 'mass', 'quartic' or 'coarse', got {name!r}")
        return np.array(out)

    def condition_numbers(self) -> np.ndarray:
        """Condition number of the Hessian of each energy (levels j = 1..J, then the coarsest) at
        the mean field: Qhat(k) + 12 theta_4 <y^2> I, largest over smallest eigenvalue over k
        (inf where the mean-field Hessian is not positive definite)."""
        out = []
        for lev in self.levels + [self.coarsest]:
            Qh = np.moveaxis(lev["Qhat"], (0, 1), (-2, -1))
            ev = np.linalg.eigvalsh(Qh).ravel() + 12.0 * lev["quartic"] * lev["y2"]
            out.append(ev.max() / ev.min() if ev.min() > 0 else np.inf)
        return np.array(out)


def _check_fields(phi) -> np.ndarray:
    phi = check_array("phi", phi, ndim=3)
    n, L, L2 = phi.shape
    if L != L2:
        raise ValueError(f"phi must have shape (n_samples, L, L) with square fields, got {phi.shape}")
    if L < 2 or L & (L - 1):
        raise ValueError(f"phi must have a side L that is a power of two, got L = {L}")
    if n < 2:
        raise ValueError(f"phi must hold at least 2 samples, got {n}")
    return phi


def wavelet_decompose(phi, n_levels: int):
    """Normalised Haar pyramid of the fields: coarse fields x_j / s_j and details (j = 1..J).

    Returns (coarse, details, scales): ``coarse[j]`` is x_j / s_j for j = 0..J (x_0 = phi),
    ``details[j-1]`` the details of x_{j-1} / s_{j-1}, and s_j = sqrt(mean x_j^2).

    Accepts: ``n_levels`` an integer >= 1.
    """
    phi = _check_fields(phi)
    L = phi.shape[-1]
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=int(np.log2(L)) - 1)
    coarse, details, scales = [], [], []
    x = phi
    for j in range(n_levels + 1):
        s = np.sqrt(np.mean(x**2))
        if s == 0:
            raise ValueError("phi must not be identically zero")
        scales.append(s)
        coarse.append(x / s)
        if j < n_levels:
            c, d = haar_split(x / s)
            details.append(d)
            x = c * s
    return coarse, details, np.array(scales)


def _fit_level(free, coarse, feats, chunk):
    """Score matching for U = <theta, phi>: theta = A^-1 b, A = E[grad phi grad phi^T], b = E[Lap phi]."""
    K, B = len(feats), free.shape[0]
    A = np.zeros((K, K))
    b = np.zeros(K)
    for s in range(0, B, chunk):
        g, lap = _features_grad_laplacian(free[s:s + chunk], None if coarse is None else coarse[s:s + chunk], feats)
        g = g.reshape(K, -1)
        A += g @ g.T
        b += lap.sum(axis=1)
    A /= B
    b /= B
    return np.linalg.solve(A, b)


def _coarsest_features(x, feats):
    """Values (B, K) of the coarsest energy's features at fields x (B, 1, n, n)."""
    out = []
    for f in feats:
        if f[0] == "dd":
            out.append((x[:, 0] * _shift(x[:, 0], f[3])).sum(axis=(-2, -1)))
        elif f[0] == "y4":
            out.append((x[:, 0] ** 4).sum(axis=(-2, -1)))
        else:
            out.append(x.sum(axis=(1, 2, 3)) ** 4 / x[0].size)
    return np.stack(out, axis=1)


def _quartic_floor(theta4: float, global4: float, n_sites: int) -> float:
    """N times the minimum over the unit sphere of theta4 sum_i x_i^4 + global4 (sum_i x_i)^4 / N.

    The coarsest energy is a quadratic form plus this quartic form, so it is bounded below (and
    exp(-U) normalisable) iff the floor is > 0. On |x| = 1, sum x^4 >= 1/N and (sum x)^4 <= N^2, both
    attained by the uniform field; so for global4 < 0 the minimum is at the uniform field,
    (theta4 + N^2 global4) / N, and for global4 >= 0 at a staggered field with sum x = 0, theta4 / N.
    theta4 > 0 alone is not enough: a negative magnetisation coupling global4 < -theta4 / N^2 makes
    the energy fall without bound along the uniform mode.
    """
    return float(theta4 + n_sites**2 * min(global4, 0.0))


def _refine_coarsest_mle(x_data, lev, mle_steps, mala_steps, rng, max_halvings=8, max_kl=0.05):
    """Damped Newton steps on the likelihood of the coarsest energy (eq. 12.10-12.11).

    At theta the negative log-likelihood ell = <theta, E_data phi> + log Z(theta) has gradient
    E_data[phi] - E_theta[phi] and Hessian Cov_theta[phi], estimated from persistent MALA chains
    (started at the data and at the generator's uniform start). The Newton direction d = -H^-1 grad
    is scaled down to a KL trust region,
    t^2 d^T H d / 2 <= ``max_kl`` (the chains must stay near equilibrium from one theta to the next;
    with few data, full Newton steps overshot while the chains lagged), then halved, t, t/2, t/4, ...
    until the step theta + t d
      (1) keeps the energy bounded below with a margin: _quartic_floor stays >= half its current
          value (the fraction-to-the-boundary rule of interior-point methods), and
      (2) does not increase ell, estimated by importance sampling on the same chains,
          ell(theta + t d) - ell(theta) = t <d, E_data phi> + log E_theta[exp(-t <d, phi>)],
          with an effective sample size of the weights >= half the chains (else the estimate is
          not trusted).
    No acceptable step within ``max_halvings`` halvings: stop (the gradient is within its noise).
    The accepted step sizes and estimated decreases are kept in lev["mle_steps"].
    """
    feats = lev["features"]
    mean_data = _coarsest_features(x_data, feats).mean(axis=0)
    # persistent chains: one from each data field, plus as many from the generator's own start (a
    # uniform field +-1). Chains started only at the data never visited the striped 4 x 4 fields
    # (two domain walls) that the generator fell into in the ordered phase, so the likelihood never
    # learned to suppress them (COURSE_UTILS_SEED = 4, 6 of lecture 16 at beta = 1.2: U4 0.56 vs 0.65)
    cold = np.ones_like(x_data) * np.where(rng.random(len(x_data)) < 0.5, -1.0, 1.0)[:, None, None, None]
    chains = np.concatenate([x_data, cold])
    n, n_sites = x_data.shape[-1], x_data[0].size
    history = []
    for _ in range(mle_steps):
        chains = _mala(chains, None, lev, mala_steps, rng, True, precond=lev["spectrum"])[0]
        f = _coarsest_features(chains, feats)
        grad = mean_data - f.mean(axis=0)
        H = np.cov(f, rowvar=False)
        H += 1e-9 * np.trace(H) / len(feats) * np.eye(len(feats))
        direction = -np.linalg.solve(H, grad)
        theta = lev["theta"]
        floor = _quartic_floor(theta[-2], theta[-1], n_sites)
        accepted = None
        # trust region in KL: KL(p_theta || p_theta+t d) ~ t^2 d^T H d / 2 <= max_kl, so that the
        # persistent chains, in equilibrium for theta, stay close to equilibrium for the next theta
        t = min(1.0, np.sqrt(2 * max_kl / max(direction @ H @ direction, 1e-300)))
        for _ in range(max_halvings + 1):
            new = theta + t * direction
            new_floor = _quartic_floor(new[-2], new[-1], n_sites)
            if new_floor > 0 and new_floor >= 0.5 * floor:
                a = -f @ (t * direction)
                w = np.exp(a - a.max())
                d_ell = t * direction @ mean_data + a.max() + np.log(w.mean())
                ess = w.sum() ** 2 / (w**2).sum()
                if d_ell <= 0 and ess >= 0.5 * len(f):
                    accepted = (t, d_ell)
                    break
            t *= 0.5
        if accepted is None:
            break
        history.append(accepted)
        lev["theta"] = new
        lev["Qhat"], lev["Rhat"] = _kernels(new, feats, 1, n)
        lev["quartic"], lev["global4"] = new[-2], new[-1]
    lev["mle_steps"] = history
    return lev


def fit_wavelet_rg(phi, n_levels: int, radius: int = 1, quartic: bool = True, chunk: int = 64,
                   mle_steps: int = 0, seed=0) -> WaveletRGModel:
    """Fit the wavelet conditional model p_0 = p_J prod_j pbar_j(xbar_j | x_j) (eq. 12.6) to fields.

    ``phi`` (n_samples, L, L) periodic fields, L a power of two; ``n_levels`` J Haar levels
    (the coarsest side L / 2^J must exceed 2 radius, so that periodic offsets do not alias);
    ``radius`` the range of the quadratic couplings in lattice units of each scale;
    ``quartic`` whether the energies include the potential sum_i x_{j-1}(i)^4 (False: a
    Gaussian model). Each conditional energy Ubar_j = <thetabar_j, phibar_j> and the
    coarsest U_J are fitted by score matching (a convex quadratic, solved exactly). ``mle_steps``
    damped Newton steps of maximum likelihood then refine the coarsest energy (score matching is blind
    to the weights of well-separated modes, e.g. the two signs of an ordered magnetisation), with
    model averages from persistent MALA chains seeded by ``seed``; each step keeps the energy bounded
    below and does not raise the estimated loss (see ``_refine_coarsest_mle``).

    Accepts: ``chunk`` an integer >= 1.
    """
    phi = _check_fields(phi)
    L = phi.shape[-1]
    radius = check_int("radius", radius, minimum=1)
    n_levels = check_int("n_levels", n_levels, minimum=1)
    if L >> n_levels <= 2 * radius:
        raise ValueError(f"n_levels = {n_levels} leaves a coarsest side L / 2^J = {L >> n_levels} <= 2 radius = "
                         f"{2 * radius}; use fewer levels or a smaller radius")
    chunk = check_int("chunk", chunk, minimum=1)
    mle_steps = check_int("mle_steps", mle_steps, minimum=0)
    rng = make_rng(seed)
    if not isinstance(quartic, bool):
        raise ValueError(f"quartic must be True or False, got {quartic!r}")
    coarse, details, scales = wavelet_decompose(phi, n_levels)
    model = WaveletRGModel(L=L, n_levels=n_levels, radius=radius, scales=scales)
    for j in range(1, n_levels + 1):
        feats = _feature_list(radius, coarsest=False)
        feats = feats if quartic else feats[:-1]
        c = coarse[j] * scales[j] / scales[j - 1]  # coarse part of the normalised x_{j-1}
        theta = _fit_level(details[j - 1], c, feats, chunk)
        n = L >> j
        Qh, Rh = _kernels(theta, feats, 3, n)
        model.levels.append({"theta": theta, "features": feats, "Qhat": Qh, "Rhat": Rh,
                             "quartic": theta[-1] if quartic else 0.0, "y2": 1.0})
    feats = _feature_list(radius, coarsest=True, side=L >> n_levels)
    feats = feats if quartic else feats[:-2]
    theta = _fit_level(coarse[n_levels][:, None], None, feats, chunk)
    Qh, Rh = _kernels(theta, feats, 1, L >> n_levels)
    # preconditioner of the coarsest MALA chain: an estimate of the inverse Hessian of U_J where the
    # chain lives, i.e. the data's power spectrum of x_J for k != 0 but, for k = 0, the variance of
    # |sum_i x_J(i)| / sqrt(N) within one well: in the ordered phase the raw spectrum at k = 0,
    # N <M^2>, counts the squared mean magnetisation, is tens of times larger than that variance,
    # and forced a step so small that the k != 0 modes had not relaxed after 300 steps
    x_J = coarse[n_levels]
    spectrum = (np.abs(np.fft.fft2(x_J)) ** 2).mean(axis=0) / x_J[0].size
    spectrum[0, 0] = np.var(np.abs(x_J.sum(axis=(-2, -1)))) / x_J[0].size
    model.coarsest = {"theta": theta, "features": feats, "Qhat": Qh, "Rhat": Rh,
                      "quartic": theta[-2] if quartic else 0.0, "global4": theta[-1] if quartic else 0.0,
                      "y2": 1.0, "spectrum": spectrum}
    if mle_steps and quartic:
        model.coarsest = _refine_coarsest_mle(coarse[n_levels][:, None], model.coarsest, mle_steps,
                                              _MLE_MALA_STEPS, rng)
    return model


# --------------------------------------------------------------------------- sampling
def _coupling_to_coarse(coarse, lev):
    """R x_j: the linear field that the coarse field exerts on the details (0 at the coarsest level)."""
    if coarse is None:
        return 0.0
    n = coarse.shape[-1]
    h = n // 2 + 1  # real FFTs: the operators are real, their symbols Hermitian
    return sfft.irfft2(lev["Rhat"][None, :, :, :h] * sfft.rfft2(coarse)[:, None], s=(n, n))


def _energy_and_grad(free, coarse, lev, lin):
    """U = 1/2 <d, Q d> + <d, R x_j> + theta_4 sum y^4 (terms in x_j alone dropped) and grad_d U."""
    n = free.shape[-1]
    h = n // 2 + 1
    gq = sfft.irfft2(np.einsum("abkl,nbkl->nakl", lev["Qhat"][..., :h], sfft.rfft2(free)), s=(n, n))
    U = ((0.5 * gq + lin) * free).sum(axis=(1, 2, 3))
    grad = gq + lin
    if lev["quartic"] != 0.0:
        y = _reconstruct(free, coarse)
        U = U + lev["quartic"] * (y**4).sum(axis=(-2, -1))
        grad = grad + lev["quartic"] * _quartic_grad(y, coarse)
    if lev.get("global4", 0.0) != 0.0:
        S, N = free.sum(axis=(1, 2, 3)), free[0].size
        U = U + lev["global4"] * S**4 / N
        grad = grad + (lev["global4"] * 4.0 * S**3 / N)[:, None, None, None]
    return U, grad


def _apply_symbol(v, symbol):
    """Apply the real, even Fourier multiplier ``symbol`` (n, n) to fields v (..., n, n)."""
    n = v.shape[-1]
    return sfft.irfft2(symbol[:, : n // 2 + 1] * sfft.rfft2(v), s=(n, n))


def _mala(free, coarse, lev, n_steps, rng, flip, precond=None):
    """MALA on the free variables of one level; the step adapts in the first half (towards an
    acceptance rate of 0.6), then is frozen.

    Proposal x' = x - eta S grad U(x) + sqrt(2 eta) S^(1/2) xi, accepted with the Metropolis-Hastings
    ratio, so the chain leaves the conditional law invariant for any fixed step. S = identity, or
    the Fourier multiplier ``precond`` (used at the coarsest level: the data's power spectrum).
    Returns the final state, the energy trace (n_steps, B), the final step and the acceptance
    rate of the second half. ``flip``: also apply x -> -x with probability 1/2 after every step
    (exact: the energy is even, so the flip leaves the law invariant).
    """
    if precond is None:
        Qh = np.moveaxis(lev["Qhat"], (0, 1), (-2, -1))
        eta = 1.0 / (np.linalg.eigvalsh(Qh).max() + 12.0 * abs(lev["quartic"]) * lev["y2"])
        S = S_half = S_inv = None
    else:
        eta = 0.1
        S, S_half, S_inv = precond, np.sqrt(precond), 1.0 / precond
    lin = _coupling_to_coarse(coarse, lev)
    U, g = _energy_and_grad(free, coarse, lev, lin)
    trace = np.empty((n_steps, free.shape[0]))
    accepted = 0.0
    for t in range(n_steps):
        noise = rng.standard_normal(free.shape)
        if S is None:
            prop = free - eta * g + np.sqrt(2 * eta) * noise
        else:
            prop = free - eta * _apply_symbol(g, S) + np.sqrt(2 * eta) * _apply_symbol(noise, S_half)
        Up, gp = _energy_and_grad(prop, coarse, lev, lin)
        # log q(x | x') - log q(x' | x) for the Langevin proposal, |v|^2_{S^-1} / (4 eta)
        fwd = (noise**2).sum(axis=(1, 2, 3)) / 2
        r = free - prop + eta * (gp if S is None else _apply_symbol(gp, S))
        back = ((r if S is None else _apply_symbol(r, S_inv)) * r).sum(axis=(1, 2, 3)) / (4 * eta)
        log_a = U - Up + fwd - back
        acc = np.log(rng.random(free.shape[0])) < log_a
        free = np.where(acc[:, None, None, None], prop, free)
        U = np.where(acc, Up, U)
        g = np.where(acc[:, None, None, None], gp, g)
        if flip:
            sign = np.where(rng.random(free.shape[0]) < 0.5, -1.0, 1.0)
            free, g = free * sign[:, None, None, None], g * sign[:, None, None, None]
        trace[t] = U
        rate = acc.mean()
        if t < n_steps // 2:
            # log eta moves by (rate - 0.6): the start value 1 / lambda_max is often several times too
            # big for MALA in hundreds of dimensions; a fixed factor 0.95 per step took ~40 steps
            # of rejections (a chain stuck at its zero start) to find the working step
            eta *= np.exp(rate - 0.6)
        else:
            accepted += rate
    return free, trace, eta, accepted / max(n_steps - n_steps // 2, 1)


def sample_wavelet_rg(model: WaveletRGModel, n: int, seed=0, n_steps: int = 200, n_steps_coarsest: int = 1000,
                      return_info: bool = False):
    """Generate n fields (n, L, L) from coarse to fine: x_J ~ p_J, then xbar_j ~ pbar_j(. | x_j) for
    j = J..1 and x_{j-1} = Haar^-1(x_j, xbar_j), each law sampled by a MALA chain (eq. 12.6).

    The coarsest chain also proposes the global flip x_J -> -x_J (exact: every energy is even).
    ``return_info``: also return a dict with per-level (coarsest first) energy traces
    ``trace`` (n_steps, n), MALA ``step`` and ``acceptance``.

    Accepts: ``model`` the model object (type-checked); ``seed`` an int >= 0 or a numpy Generator;
    ``n_steps_coarsest`` an integer >= 2.
    """
    if not isinstance(model, WaveletRGModel):
        raise TypeError(f"model must be a WaveletRGModel from fit_wavelet_rg, got {type(model).__name__}")
    n = check_int("n", n, minimum=1)
    n_steps = check_int("n_steps", n_steps, minimum=2)
    n_steps_coarsest = check_int("n_steps_coarsest", n_steps_coarsest, minimum=2)
    rng = make_rng(seed)
    J, s = model.n_levels, model.scales
    side = model.L >> J
    # cold start: a uniform field +-1 (unit second moment, like the normalised x_J). From x_J = 0, the
    # top of the double well in the ordered phase, the chain quenches into domains (stripes on the
    # periodic 4 x 4 lattice) that take thousands of steps to anneal; from a uniform field it only
    # has to relax, and the flip move covers the other sign.
    start = np.ones((n, 1, side, side)) * np.where(rng.random(n) < 0.5, -1.0, 1.0)[:, None, None, None]
    x, trace, eta, acc = _mala(start, None, model.coarsest, n_steps_coarsest, rng, True,
                               precond=model.coarsest["spectrum"])
    x = x[:, 0]
    info = {"trace": [trace], "step": [eta], "acceptance": [acc]}
    for j in range(J, 0, -1):
        c = x * s[j] / s[j - 1]
        d, trace, eta, acc = _mala(np.zeros((n, 3) + c.shape[-2:]), c, model.levels[j - 1], n_steps, rng, False)
        x = haar_merge(c, d)
        info["trace"].append(trace)
        info["step"].append(eta)
        info["acceptance"].append(acc)
    x = x * s[0]
    return (x, info) if return_info else x


# ------------------------------------------------------------------- exact Gaussian law
def conditional_precision_symbols(model: WaveletRGModel, j: int):
    """Fourier symbols (Qhat, Rhat) of level j's quadratic energy 1/2 <d, Q d> + <d, R x_j> (j = J+1: coarsest).

    Accepts: ``model`` the model object (type-checked).
    """
    if not isinstance(model, WaveletRGModel):
        raise TypeError(f"model must be a WaveletRGModel, got {type(model).__name__}")
    j = check_int("j", j, minimum=1, maximum=model.n_levels + 1)
    lev = model.coarsest if j == model.n_levels + 1 else model.levels[j - 1]
    return lev["Qhat"], lev["Rhat"]


def _dense(symbol_kernel_fft, n):
    """Dense matrix (n^2, n^2) of the circular convolution with the given Fourier symbol."""
    basis = np.eye(n * n).reshape(n * n, n, n)
    return np.fft.ifft2(symbol_kernel_fft[None] * np.fft.fft2(basis)).real.reshape(n * n, n * n).T


def gaussian_model_covariance(model: WaveletRGModel) -> np.ndarray:
    """Exact covariance (L^2, L^2) of the fields generated by a Gaussian model (no quartic term).

    Builds the law scale by scale: x_J ~ N(0, Q_J^-1) and xbar_j | x_j ~ N(-Q_j^-1 R_j x_j, Q_j^-1),
    then x_{j-1} = W^T (x_j, xbar_j) with the orthogonal Haar matrix W; dense algebra, so for L <= 32.
    """
    if not isinstance(model, WaveletRGModel):
        raise TypeError(f"model must be a WaveletRGModel, got {type(model).__name__}")
    if any(lev["quartic"] != 0.0 or lev.get("global4", 0.0) != 0.0 for lev in model.levels + [model.coarsest]):
        raise ValueError("model must be Gaussian (fitted with quartic=False) for a closed-form covariance")
    if model.L > 32:
        raise ValueError(f"model.L must be <= 32 for dense algebra, got {model.L}")
    from .fields import haar_matrix

    J, s = model.n_levels, model.scales
    n = model.L >> J
    Sigma = np.linalg.inv(_dense(model.coarsest["Qhat"][0, 0], n))  # normalised x_J
    for j in range(J, 0, -1):
        lev = model.levels[j - 1]
        Sc = Sigma * (s[j] / s[j - 1]) ** 2  # coarse part of the normalised x_{j-1}
        Q = np.block([[_dense(lev["Qhat"][a, b], n) for b in range(3)] for a in range(3)])
        R = np.concatenate([_dense(lev["Rhat"][a], n) for a in range(3)], axis=0)
        Qi = np.linalg.inv(Q)
        M = -Qi @ R
        Sdd = Qi + M @ Sc @ M.T
        Sdc = M @ Sc
        joint = np.block([[Sc, Sdc.T], [Sdc, Sdd]])
        W = haar_matrix(2 * n)
        Sigma = W.T @ joint @ W
        n *= 2
    return Sigma * s[0] ** 2
