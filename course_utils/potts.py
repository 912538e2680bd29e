"""Potts models of molecular networks: multifarious self-assembly and inverse Potts learning.

Two Potts models share this module.

*Species on a lattice* (Murugan, "learning without neurons", eq. 19.2 of the notes): a
configuration sigma assigns one of N molecular species to every site x of a periodic
L1 x L2 square lattice Lambda, with energy

    E(sigma) = sum_{x in Lambda} sum_{x' in dx} J[sigma(x), sigma(x')] + sum_i mu_i n_i(sigma),

dx the four neighbours of x (so each bond appears twice, as in the notes), n_i the number of
sites holding species i and mu_i = -T log c_i the chemical potential set by the concentration
c_i, with the notes' sign: mu_i is the free-energy *cost* of a molecule of species i (rarer
species cost more), minus the thermodynamic chemical potential T log c_i of an ideal solution,
so a larger c_i means a smaller mu_i. Configurations are sampled from p(sigma) ~ exp(-E(sigma)/T); attraction is J < 0.
Species are labelled 0..N-1 in code (1..N in the notes).

J may be one symmetric (N, N) matrix (isotropic binding, eq. 19.2 as written) or a pair
(2, N, N) of face-specific matrices, as for the patchy molecules of multifarious assembly:
J[0][a, b] binds b to the right face of a, J[1][a, b] binds b below a; the bond seen from the
other side uses the transpose, so the double sum of eq. 19.2 gives each bond twice either way.

*Sequences* (inverse Potts / direct-coupling analysis): s in {0..q-1}^L with
p(s) ~ exp(sum_i h_i(s_i) + sum_{i<j} J_ij(s_i, s_j)), couplings stored as an array
J[i, a, j, b] symmetric under (i, a) <-> (j, b) with J[i, :, i, :] = 0, learned from data by
Boltzmann machine learning (moment matching of one- and two-site frequencies).
"""

from __future__ import annotations

import sys

import numpy as np

from .seeding import make_rng
from .validation import check_array, check_int, check_memory, check_positive, check_symmetric

__all__ = [
    "chemical_potentials",
    "contact_counts",
    "potts_energy",
    "heat_bath_sweeps",
    "exact_lattice_distribution",
    "random_structures",
    "structure_contacts",
    "hebbian_species_couplings",
    "structure_overlaps",
    "sleep_wake_learning",
    "random_sequence_model",
    "gibbs_sequences",
    "exact_sequence_distribution",
    "site_frequencies",
    "connected_correlations",
    "correlation_pearson",
    "boltzmann_learning_potts",
    "linker_effective_couplings",
    "place_swap_sweeps",
    "ring_contact_fractions",
]


# ------------------------------------------------------------------------- validation
def _check_species_couplings(J) -> np.ndarray:
    """Return J as face-specific couplings (2, N, N): [right-face, lower-face]."""
    arr = check_array("J", J, ndim=(2, 3))
    if arr.ndim == 2:
        arr = check_symmetric("J", arr)
        arr = np.stack([arr, arr])
    if arr.shape[0] != 2 or arr.shape[1] != arr.shape[2]:
        raise ValueError(
            f"J must have shape (q, q) (isotropic, symmetric) or (2, q, q) (face-specific), got {arr.shape}"
        )
    if arr.shape[1] < 2:
        raise ValueError(f"J must describe q >= 2 species, got shape {arr.shape}")
    return arr


def _check_mu(mu, n_species: int) -> np.ndarray:
    if mu is None:
        return np.zeros(n_species)
    return check_array("mu", mu, shape=(n_species,))


def _check_configurations(sigma, n_species: int, name: str = "sigma") -> np.ndarray:
    arr = np.asarray(sigma)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be an integer array of species labels 0..{n_species - 1}, got dtype {arr.dtype}"
        )
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (..., L1, L2), got shape {arr.shape}")
    if arr.shape[-1] < 2 or arr.shape[-2] < 2:
        raise ValueError(f"{name}: the lattice is too small, need L1, L2 >= 2, got {arr.shape[-2:]}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_species):
        raise ValueError(
            f"{name} must hold species labels in [0, {n_species - 1}], got range [{arr.min()}, {arr.max()}]"
        )
    return arr.astype(np.int64)


def _check_temperature(T) -> float:
    if np.ndim(T) != 0:
        raise ValueError(f"T must be a positive number, got {T!r}")
    return float(check_positive("T", T))


# --------------------------------------------------------------------- species lattice
def chemical_potentials(c, T: float = 1.0) -> np.ndarray:
    """Chemical potentials mu_i = -T log c_i of concentrations c (positive, summing to 1).

    The notes' sign (eq. 19.2): mu_i enters E with a plus sign, a cost per molecule, and is minus
    the thermodynamic chemical potential T log c_i; raising c_i lowers mu_i. With p ~ exp(-E/T)
    the term sum_i mu_i n_i weights a configuration by prod_i c_i^{n_i}. ``c`` (q,) the
    concentrations, ``T`` > 0 the temperature in units of k_B T_0.
    """
    c = check_array("c", c, ndim=1)
    if c.size < 2:
        raise ValueError(f"c must hold the concentrations of q >= 2 species, got {c.size}")
    if np.any(c <= 0):
        raise ValueError(f"c (concentrations) must be > 0, got a minimum of {c.min():.3g}")
    if not np.isclose(c.sum(), 1.0, atol=1e-8):
        raise ValueError(f"c (concentrations) must sum to 1, got {c.sum():.6g}")
    return -_check_temperature(T) * np.log(c)


def contact_counts(sigma, n_species: int) -> np.ndarray:
    """Directed contact counts n^d_ab = #{x : sigma(x) = a, sigma(x + e_d) = b}, d = right, down.

    Each bond is counted once; eq. (19.2) reads E = 2 sum_d sum_ab J^d_ab n^d_ab + sum_i mu_i n_i.
    ``sigma`` (..., L1, L2) -> (..., 2, N, N) integers summing to 2 |Lambda|.

    Accepts: ``n_species`` an integer >= 1.
    """
    n_species = check_int("n_species", n_species, minimum=2)
    s = _check_configurations(sigma, n_species)
    flat = s.reshape((-1,) + s.shape[-2:])
    B = flat.shape[0]
    check_memory("n_species", 3 * 8.0 * B * 2 * n_species**2, what="the contact counts")
    out = np.zeros((B, 2, n_species * n_species), dtype=np.int64)
    for d, axis in enumerate((-1, -2)):
        pair = (flat * n_species + np.roll(flat, -1, axis)).reshape(B, -1)
        offset = np.arange(B)[:, None] * (2 * n_species**2) + d * n_species**2
        out.ravel()[:] += np.bincount((pair + offset).ravel(), minlength=out.size)
    return out.reshape(s.shape[:-2] + (2, n_species, n_species))


def potts_energy(sigma, J, mu=None) -> np.ndarray:
    """Energy E = sum_x sum_{x' in dx} J[sigma(x), sigma(x')] + sum_i mu_i n_i(sigma), eq. (19.2).

    ``sigma`` (..., L1, L2) integer species labels on a periodic lattice, ``J`` (N, N)
    symmetric or (2, N, N) face-specific, ``mu`` (N,) chemical potentials (zero if omitted).
    Returns (...,).
    """
    J = _check_species_couplings(J)
    n = J.shape[1]
    mu = _check_mu(mu, n)
    raw = np.asarray(sigma)
    if raw.dtype.kind in "iu" and raw.size and raw.min() >= 0 and raw.max() >= n:
        raise ValueError(f"sigma must hold species labels in [0, {n - 1}] (J couples N = {n} species), "
                         f"got up to {raw.max()}; or J must be ({raw.max() + 1}, {raw.max() + 1}) or larger")
    s = _check_configurations(sigma, n)
    bonds = J[0][s, np.roll(s, -1, -1)] + J[1][s, np.roll(s, -1, -2)]
    return 2.0 * bonds.sum(axis=(-2, -1)) + mu[s].sum(axis=(-2, -1))


def _sublattice_neighbours(shape):
    """Flat indices of the two checkerboard sublattices and of their (up, down, left, right) neighbours."""
    i, j = np.indices(shape)
    idx = np.arange(shape[0] * shape[1]).reshape(shape)
    nbrs = np.stack(
        [np.roll(idx, 1, 0), np.roll(idx, -1, 0), np.roll(idx, 1, 1), np.roll(idx, -1, 1)], axis=-1
    )
    out = []
    for colour in (0, 1):
        mask = ((i + j) % 2 == colour).ravel()
        out.append((idx.ravel()[mask], nbrs.reshape(-1, 4)[mask]))
    return out


def structure_contacts(structures, n_species: int) -> np.ndarray:
    """Contact sets A^alpha[d, a, b] = 1 if b sits next to a (d = right, down) somewhere in structure alpha.

    ``structures`` (M, L1, L2) -> boolean (M, 2, N, N).

    Accepts: ``n_species`` an integer >= 1.
    """
    _check_configurations(structures, check_int("n_species", n_species, minimum=2), "structures")
    return contact_counts(structures, n_species) > 0


def structure_overlaps(sigma, structures, n_species: int) -> np.ndarray:
    """Overlap m_alpha = fraction of the bonds of sigma that are contacts of structure alpha.

    m_alpha = 1 for structure alpha and its translates; a random mixture gives about 1/N.
    ``sigma`` (..., L1, L2), ``structures`` (M, L1', L2') -> (..., M).

    Accepts: ``n_species`` an integer >= 1.
    """
    A = structure_contacts(structures, n_species)
    s = _check_configurations(sigma, n_species)
    n = n_species
    pairs = np.stack([s * n + np.roll(s, -1, -1), n * n + s * n + np.roll(s, -1, -2)], axis=-3)
    hits = A.reshape(A.shape[0], -1)[:, pairs]  # (M, ..., 2, L1, L2)
    return np.moveaxis(hits.mean(axis=(-3, -2, -1)), 0, -1)


def heat_bath_sweeps(
    J, mu, sigma0, T, sweeps: int, seed: int = 0, structures=None, record_every: int = 1
) -> dict:
    """Heat-bath (Gibbs) sampling of p(sigma) ~ exp(-E(sigma)/T), E of eq. (19.2), many lattices at once.

    A sweep updates the two checkerboard sublattices in turn; every site of the active
    sublattice draws its species from the exact conditional
    p(sigma(x) = a | rest) ~ exp(-[2 (J^h[a, r] + J^h[l, a] + J^v[a, d] + J^v[u, a]) + mu_a] / T),
    r, l, d, u the species right, left, below and above x (the factor 2: each bond enters
    eq. 19.2 twice), which satisfies detailed balance. ``sigma0`` (B, L1, L2) or (L1, L2)
    integer labels, L1 and L2 even and >= 2; ``T`` > 0.

    Returns dict ``sigma`` (final configurations, shape of ``sigma0``), ``energy`` (B, n_rec)
    recorded every ``record_every`` sweeps, ``sweep`` (n_rec,) and, if ``structures``
    (M, ., .) is given, ``overlap`` (B, n_rec, M) of :func:`structure_overlaps`.

    ``sigma0`` may be a torch tensor on a device (e.g. ``course_utils.device()``, the GPU when
    present): the sweeps then run there with torch's random numbers (same law, another stream) and
    ``sigma`` comes back as a tensor on that device; energies and overlaps as numpy arrays.

    Accepts: ``J`` (2, N, N) couplings; ``mu`` a finite array; ``sigma0`` integer labels in [0, N), a
    numpy array or a torch tensor; ``T`` > 0; ``sweeps`` and ``record_every`` integers >= 1; ``seed``
    an int >= 0 or a numpy Generator (an int with a tensor); ``structures`` None or (M, L1, L2) labels.
    """
    J = _check_species_couplings(J)
    n = J.shape[1]
    mu = _check_mu(mu, n)
    torch = sys.modules.get("torch")  # a tensor exists only if torch is imported: no import cost otherwise
    dev = sigma0.device if torch is not None and isinstance(sigma0, torch.Tensor) else None
    if dev is not None:
        sigma0 = sigma0.detach().cpu().numpy()
    s = _check_configurations(sigma0, n, name="sigma0")
    if s.ndim not in (2, 3):
        raise ValueError(f"sigma0 must have shape (L1, L2) or (B, L1, L2), got {s.shape}")
    if s.shape[-1] % 2 or s.shape[-2] % 2:
        raise ValueError(f"sigma0: L1 and L2 must be even for the checkerboard update, got {s.shape[-2:]}")
    T = _check_temperature(T)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    single = s.ndim == 2
    s = s[None] if single else s.copy()
    if dev is not None:
        return _heat_bath_torch(J, mu, s, single, T, sweeps, seed, structures, record_every, dev)
    B, L1, L2 = s.shape
    rng = make_rng(seed)
    flat = s.reshape(B, L1 * L2)
    # rows indexed by the neighbour's species, columns by the candidate a: up, down, left, right
    tables = (-2.0 / T) * np.stack([J[1], J[1].T, J[0], J[0].T])
    logit_mu = -mu / T
    subs = _sublattice_neighbours((L1, L2))
    rec = np.arange(record_every - 1, sweeps, record_every)
    energy = np.empty((B, rec.size))
    overlap = None if structures is None else np.empty((B, rec.size, np.asarray(structures).shape[0]))
    k = 0
    for t in range(sweeps):
        for sites, nb in subs:
            logits = tables[np.arange(4), flat[:, nb]].sum(axis=2) + logit_mu  # (B, S, N)
            logits -= logits.max(axis=-1, keepdims=True)
            cdf = np.cumsum(np.exp(logits), axis=-1)
            u = rng.random((B, sites.size, 1)) * cdf[..., -1:]
            flat[:, sites] = np.minimum((cdf < u).sum(axis=-1), n - 1)
        if k < rec.size and t == rec[k]:
            _record(flat.reshape(B, L1, L2), J, mu, structures, energy, overlap, k)
            k += 1
    return _heat_bath_output(flat.reshape(B, L1, L2), single, energy, rec, overlap)


def _heat_bath_torch(J, mu, s, single, T, sweeps, seed, structures, record_every, dev) -> dict:
    """``heat_bath_sweeps`` with torch on ``dev``: the same sublattice updates, torch's random stream."""
    import torch

    from .seeding import mix_seed

    n = J.shape[1]
    B, L1, L2 = s.shape
    dtype = torch.float64 if dev.type == "cpu" else torch.float32
    gen = torch.Generator(device=dev).manual_seed(mix_seed(seed))
    flat = torch.as_tensor(s.reshape(B, L1 * L2), dtype=torch.long, device=dev).clone()
    tables = torch.as_tensor((-2.0 / T) * np.stack([J[1], J[1].T, J[0], J[0].T]), dtype=dtype, device=dev)
    logit_mu = torch.as_tensor(-mu / T, dtype=dtype, device=dev)
    subs = [(torch.as_tensor(sites, device=dev), torch.as_tensor(nb, device=dev))
            for sites, nb in _sublattice_neighbours((L1, L2))]
    four = torch.arange(4, device=dev)
    rec = np.arange(record_every - 1, sweeps, record_every)
    energy = np.empty((B, rec.size))
    overlap = None if structures is None else np.empty((B, rec.size, np.asarray(structures).shape[0]))
    k = 0
    for t in range(sweeps):
        for sites, nb in subs:
            logits = tables[four, flat[:, nb]].sum(dim=2) + logit_mu  # (B, S, N)
            cdf = torch.cumsum(torch.exp(logits - logits.amax(dim=-1, keepdim=True)), dim=-1)
            u = torch.rand((B, sites.numel(), 1), generator=gen, device=dev, dtype=dtype) * cdf[..., -1:]
            flat[:, sites] = torch.clamp((cdf < u).sum(dim=-1), max=n - 1)
        if k < rec.size and t == rec[k]:
            _record(flat.reshape(B, L1, L2).cpu().numpy(), J, mu, structures, energy, overlap, k)
            k += 1
    return _heat_bath_output(flat.reshape(B, L1, L2), single, energy, rec, overlap)


def _record(cur, J, mu, structures, energy, overlap, k) -> None:
    """Column k of the heat bath's records: the energies and, with structures, the overlaps of cur."""
    energy[:, k] = potts_energy(cur, J, mu)
    if overlap is not None:
        overlap[:, k] = structure_overlaps(cur, structures, J.shape[1])


def _heat_bath_output(final, single, energy, rec, overlap) -> dict:
    out = {"sigma": final[0] if single else final, "energy": energy, "sweep": rec + 1}
    if overlap is not None:
        out["overlap"] = overlap
    return out


def exact_lattice_distribution(J, mu, shape, T) -> dict:
    """Exact Boltzmann law p(sigma) = exp(-E/T)/Z of eq. (19.2) by enumerating all N^(L1 L2) states.

    Returns dict ``states`` (N^K, L1, L2) in lexicographic order (site 0 most significant)
    and ``p`` (N^K,). Limited to N^(L1 L2) <= 2^20.

    Accepts: ``J`` a finite array; ``mu`` a finite array; ``shape`` the lattice shape (L1, L2).
    """
    J = _check_species_couplings(J)
    n = J.shape[1]
    mu = _check_mu(mu, n)
    if len(shape) != 2:
        raise ValueError(f"shape must be (L1, L2), got {shape!r}")
    shape = tuple(check_int("shape", x, minimum=2) for x in shape)
    K = shape[0] * shape[1]
    if n**K > 2**20:
        raise ValueError(f"shape: exact enumeration needs N^(L1 L2) <= 2^20, got {n}^{K}")
    T = _check_temperature(T)
    digits = (np.arange(n**K)[:, None] // n ** np.arange(K - 1, -1, -1)) % n
    states = digits.reshape(-1, *shape)
    E = potts_energy(states, J, mu)
    w = np.exp(-(E - E.min()) / T)
    return {"states": states, "p": w / w.sum()}


def random_structures(n_structures: int, n_species: int, L: int, seed: int = 0) -> np.ndarray:
    """M target structures: each a random arrangement of the N = k^2 species on a k x k tile,
    repeated periodically over the L x L lattice (L a multiple of k). Returns (M, L, L) int.

    Accepts: ``n_structures`` an integer >= 1; ``n_species`` an integer >= 1; ``seed`` an int >= 0 or a numpy Generator.
    """
    M = check_int("n_structures", n_structures, minimum=1)
    n = check_int("n_species", n_species, minimum=4)
    k = int(round(np.sqrt(n)))
    if k * k != n:
        raise ValueError(f"n_species must be a perfect square k^2 (a k x k tile), got {n}")
    L = check_int("L", L, minimum=2)
    if L % k:
        raise ValueError(f"L must be a multiple of the tile size k = {k}, got {L}")
    check_memory(("n_structures", "L"), 8.0 * M * L * L, what="the structures")
    rng = make_rng(seed)
    tiles = np.argsort(rng.random((M, n)), axis=1).reshape(M, k, k)
    return np.tile(tiles, (1, L // k, L // k))


def hebbian_species_couplings(structures, n_species: int, epsilon: float = 1.0) -> np.ndarray:
    """Hebbian couplings J^d_ab = -epsilon sum_alpha A^alpha[d, a, b]: species in contact attract.

    The molecular analogue of J = sum_alpha m^alpha m^alpha^T (eq. 18.2 summed over the M
    structures, eq. 18.3): every contact seen in a structure is strengthened, face by face.
    ``structures`` (M, L1, L2) -> (2, N, N) face-specific couplings.

    Accepts: ``n_species`` an integer >= 1.
    """
    epsilon = check_positive("epsilon", epsilon)
    structures = np.asarray(structures)
    if structures.ndim != 3:
        raise ValueError(f"structures must have shape (M, L1, L2), got {structures.shape}")
    return -epsilon * structure_contacts(structures, n_species).sum(axis=0).astype(float)


def sleep_wake_learning(
    data,
    n_species: int,
    T: float = 1.0,
    steps: int = 100,
    lr: float = 0.05,
    n_chains: int = 8,
    sweeps: int = 2,
    seed: int = 0,
    l2: float = 0.0,
) -> dict:
    """Sleep-wake (Boltzmann) learning of face-specific couplings from target assemblies, eq. (19.1).

    Gradient ascent on the mean log-likelihood per bond of p ~ exp(-E/T), E of eq. (19.2):
    dJ^d_ab = lr [(2/T) (<n^d_ab>_model - <n^d_ab>_data) / (2 |Lambda|) - l2 J^d_ab],
    contact statistics of :func:`contact_counts`. The wake phase reads the data, the sleep
    phase runs ``n_chains`` persistent heat-bath chains (``sweeps`` per step) under the
    current J; chemical potentials are zero (equal concentrations). ``data`` (M, L1, L2).

    Without ``l2`` and with defect-free data (contacts of the data never include some pairs)
    there is no finite maximum: the model gives every pair a nonzero frequency at finite J, so
    the gradient never vanishes and |J| grows without bound. With ``l2`` > 0 the objective is
    strictly concave and its maximum satisfies J = (2 / (T l2)) (<n>_model - <n>_data) / (2 |Lambda|).

    Returns dict ``J`` (2, N, N), ``mismatch`` (steps,) sum_{d,a,b} |<n>_data - <n>_model| /
    (2 |Lambda|) (the fraction of bonds whose contact statistics disagree, in [0, 2]) before
    each update, ``J_rms`` (steps,) the root-mean-square coupling after each update, and
    ``sigma`` (the final sleep-phase configurations).

    Accepts: ``n_species`` an integer >= 1; ``seed`` an int >= 0 or a numpy Generator.
    """
    n_species = check_int("n_species", n_species, minimum=2)
    data = _check_configurations(data, n_species, name="data")
    if data.ndim != 3:
        raise ValueError(f"data must have shape (M, L1, L2), got {data.shape}")
    T = _check_temperature(T)
    steps = check_int("steps", steps, minimum=1)
    lr = check_positive("lr", lr)
    l2 = check_positive("l2", l2, allow_zero=True)
    n_chains = check_int("n_chains", n_chains, minimum=1)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    n_bonds = 2 * data.shape[1] * data.shape[2]
    target = contact_counts(data, n_species).mean(axis=0) / n_bonds
    rng = make_rng(seed)
    chains = rng.integers(0, n_species, size=(n_chains,) + data.shape[1:])
    J = np.zeros((2, n_species, n_species))
    mismatch = np.empty(steps)
    J_rms = np.empty(steps)
    for t in range(steps):
        chains = heat_bath_sweeps(J, None, chains, T, sweeps, seed=int(rng.integers(2**31)))["sigma"]
        model = contact_counts(chains, n_species).mean(axis=0) / n_bonds
        mismatch[t] = np.abs(target - model).sum()
        J = J + lr * ((2.0 / T) * (model - target) - l2 * J)
        J_rms[t] = np.sqrt(np.mean(J**2))
    return {"J": J, "mismatch": mismatch, "J_rms": J_rms, "sigma": chains}


# ---------------------------------------------------------------------------- sequences
def _check_sequence_model(h, J):
    h = check_array("h", h, ndim=2)
    L, q = h.shape
    if q < 2:
        raise ValueError(f"h must have shape (L, q) with q >= 2 states, got {h.shape}")
    J = check_array("J", J, shape=(L, q, L, q))
    if not np.allclose(J, J.transpose(2, 3, 0, 1)):
        raise ValueError("J must be symmetric: J[i, a, j, b] = J[j, b, i, a]")
    if not np.allclose(J[np.arange(L), :, np.arange(L), :], 0.0):
        raise ValueError("J must have zero self-couplings J[i, :, i, :] = 0")
    return h, J


def _check_sequences(seqs, q: int, name: str = "sequences") -> np.ndarray:
    arr = np.asarray(seqs)
    if arr.dtype.kind not in "iu" or arr.ndim != 2:
        raise ValueError(
            f"{name} must be an integer array (M, L), got dtype {arr.dtype} and shape {arr.shape}"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= q):
        raise ValueError(f"{name} must hold states in [0, {q - 1}]")
    return arr.astype(np.int64)


def random_sequence_model(
    L: int, q: int, coupling_std: float = 1.0, field_std: float = 0.5, degree: int = 2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic Potts model (h, J) on a sparse interaction graph, as in a protein contact map.

    Sites i and i+1 interact (a chain), plus ``degree`` - 2 random long-range partners per
    site on average; each interacting pair gets q x q Gaussian couplings of std
    ``coupling_std``, made zero-sum (the Ising-like gauge), and fields of std ``field_std``.
    Returns h (L, q) and J (L, q, L, q) symmetric with zero self-couplings.

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    L = check_int("L", L, minimum=2)
    q = check_int("q", q, minimum=2)
    check_memory(("L", "q"), 3 * 8.0 * (L * q) ** 2, what="the couplings J (L, q, L, q)")
    coupling_std = check_positive("coupling_std", coupling_std, allow_zero=True)
    field_std = check_positive("field_std", field_std, allow_zero=True)
    degree = check_int("degree", degree, minimum=0)
    rng = make_rng(seed)
    adj = np.zeros((L, L), dtype=bool)
    i = np.arange(L - 1)
    adj[i, i + 1] = degree >= 1
    extra = max(degree - 2, 0) * L // 2
    a, b = rng.integers(0, L, size=(2, extra))
    adj[np.minimum(a, b), np.maximum(a, b)] = True
    np.fill_diagonal(adj, False)
    raw = coupling_std * rng.standard_normal((L, L, q, q))
    raw -= (
        raw.mean(axis=2, keepdims=True)
        + raw.mean(axis=3, keepdims=True)
        - raw.mean(axis=(2, 3), keepdims=True)
    )
    raw *= adj[:, :, None, None]
    J = raw.transpose(0, 2, 1, 3)
    J = J + J.transpose(2, 3, 0, 1)
    h = field_std * rng.standard_normal((L, q))
    return h - h.mean(axis=1, keepdims=True), J


def gibbs_sequences(h, J, n_samples: int, sweeps: int, seed: int = 0, init=None) -> np.ndarray:
    """Gibbs sampling of p(s) ~ exp(sum_i h_i(s_i) + sum_{i<j} J_ij(s_i, s_j)), all chains at once.

    Each sweep visits the sites in order (a fully connected model has no independent
    sublattices) and redraws s_i for every chain from p(s_i = a | rest) ~
    exp(h_i(a) + sum_j J_ij(a, s_j)). Returns (n_samples, L) int, one sample per chain.

    Accepts: ``h`` a finite array; ``J`` a finite array; ``sweeps`` an integer >= 1; ``seed`` an int >= 0 or a
    numpy Generator; ``init`` None or an initial state array.
    """
    h, J = _check_sequence_model(h, J)
    L, q = h.shape
    n_samples = check_int("n_samples", n_samples, minimum=1)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    rng = make_rng(seed)
    s = rng.integers(0, q, size=(n_samples, L)) if init is None else _check_sequences(init, q, "init").copy()
    if s.shape != (n_samples, L):
        raise ValueError(f"init must have shape ({n_samples}, {L}), got {s.shape}")
    onehot = np.zeros((s.shape[0], L, q))
    np.put_along_axis(onehot, s[..., None], 1.0, axis=2)
    Jm = J.reshape(L, q, L * q)
    for _ in range(sweeps):
        u = rng.random((s.shape[0], L))
        for i in range(L):
            logits = h[i] + onehot.reshape(s.shape[0], -1) @ Jm[i].T
            logits -= logits.max(axis=1, keepdims=True)
            cdf = np.cumsum(np.exp(logits), axis=1)
            new = np.minimum((cdf < u[:, i : i + 1] * cdf[:, -1:]).sum(axis=1), q - 1)
            onehot[:, i] = 0.0
            onehot[np.arange(s.shape[0]), i, new] = 1.0
            s[:, i] = new
    return s


def exact_sequence_distribution(h, J) -> dict:
    """Exact p(s) of the sequence Potts model by enumerating all q^L sequences (q^L <= 2^20).

    Returns dict ``states`` (q^L, L) and ``p`` (q^L,).

    Accepts: ``h`` a finite array; ``J`` a finite array.
    """
    h, J = _check_sequence_model(h, J)
    L, q = h.shape
    if q**L > 2**20:
        raise ValueError(f"h: exact enumeration needs q^L <= 2^20, got {q}^{L}")
    states = (np.arange(q**L)[:, None] // q ** np.arange(L - 1, -1, -1)) % q
    logw = h[np.arange(L), states].sum(axis=1)
    ii, jj = np.triu_indices(L, 1)
    logw = logw + J[ii, states[:, ii], jj, states[:, jj]].sum(axis=1)
    w = np.exp(logw - logw.max())
    return {"states": states, "p": w / w.sum()}


def site_frequencies(sequences, q: int, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """One- and two-site frequencies f_i(a) = <delta_{s_i a}>, f_ij(a, b) = <delta_{s_i a} delta_{s_j b}>.

    ``sequences`` (M, L) integer states, optional ``weights`` (M,) (normalised here).
    Returns f1 (L, q) and f2 (L, q, L, q).
    """
    q = check_int("q", q, minimum=2)
    s = _check_sequences(sequences, q)
    M, L = s.shape
    check_memory("q", 8.0 * (M * L * q + 2 * (L * q) ** 2), what="the one-hot sequences and pair frequencies")
    if M == 0:
        raise ValueError("sequences must contain at least one sequence")
    w = (
        np.full(M, 1.0 / M)
        if weights is None
        else check_positive("weights", check_array("weights", weights, shape=(M,)), allow_zero=True)
    )
    w = w / w.sum()
    X = np.zeros((M, L, q))
    np.put_along_axis(X, s[..., None], 1.0, axis=2)
    X = X.reshape(M, L * q)
    f1 = (w @ X).reshape(L, q)
    f2 = ((X * w[:, None]).T @ X).reshape(L, q, L, q)
    return f1, f2


def connected_correlations(f1, f2) -> np.ndarray:
    """Connected two-site correlations C_ij(a, b) = f_ij(a, b) - f_i(a) f_j(b), (L, q, L, q).

    Accepts: ``f1`` a finite array; ``f2`` a finite array.
    """
    f1 = check_array("f1", f1, ndim=2)
    f2 = check_array("f2", f2, shape=f1.shape + f1.shape)
    return f2 - f1[:, :, None, None] * f1[None, None, :, :]


def correlation_pearson(C_data, C_model) -> float:
    """Pearson correlation of C_ij(a, b), data versus model, over all pairs i < j and states a, b.

    Accepts: ``C_data`` a finite array; ``C_model`` a finite array.
    """
    C_data = check_array("C_data", C_data, ndim=4)
    C_model = check_array("C_model", C_model, shape=C_data.shape)
    ii, jj = np.triu_indices(C_data.shape[0], 1)
    x, y = C_data[ii, :, jj, :].ravel(), C_model[ii, :, jj, :].ravel()
    return float(np.corrcoef(x, y)[0, 1])


def boltzmann_learning_potts(
    sequences,
    q: int,
    steps: int = 200,
    lr: float = 0.05,
    n_chains: int = 1000,
    sweeps: int = 2,
    seed: int = 0,
    record_every: int = 10,
) -> dict:
    """Boltzmann machine learning of (h, J) by moment matching, persistent Gibbs chains.

    dh_i(a) = lr [f_i(a)^data - f_i(a)^model], dJ_ij(a, b) = lr [f_ij(a, b)^data - f_ij(a, b)^model]
    (the gradient of the log-likelihood; the model frequencies are estimated from
    ``n_chains`` persistent chains advanced by ``sweeps`` Gibbs sweeps per step). Starts from
    the independent-site model h_i(a) = log f_i(a), J = 0.

    Returns dict ``h``, ``J``, ``step`` (n_rec,) and ``pearson`` (n_rec,) of the connected
    correlations, data versus the chains, recorded every ``record_every`` steps.

    Accepts: ``sequences`` a finite array; ``q`` an integer >= 1; ``seed`` an int >= 0 or a numpy Generator.
    """
    q = check_int("q", q, minimum=2)
    s = _check_sequences(sequences, q)
    steps = check_int("steps", steps, minimum=1)
    lr = check_positive("lr", lr)
    n_chains = check_int("n_chains", n_chains, minimum=1)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    f1, f2 = site_frequencies(s, q)
    C_data = connected_correlations(f1, f2)
    L = s.shape[1]
    h = np.log(np.clip(f1, 1.0 / (10 * s.shape[0]), None))
    J = np.zeros((L, q, L, q))
    off = 1.0 - np.eye(L)[:, None, :, None]
    rng = make_rng(seed)
    chains = gibbs_sequences(h, J, n_chains, 1, seed=int(rng.integers(2**31)))
    rec_step, rec_r = [], []
    for t in range(1, steps + 1):
        chains = gibbs_sequences(h, J, n_chains, sweeps, seed=int(rng.integers(2**31)), init=chains)
        m1, m2 = site_frequencies(chains, q)
        h = h + lr * (f1 - m1)
        J = J + lr * (f2 - m2) * off
        if t % record_every == 0 or t == steps:
            rec_step.append(t)
            rec_r.append(correlation_pearson(C_data, connected_correlations(m1, m2)))
    return {"h": h, "J": J, "step": np.array(rec_step), "pearson": np.array(rec_r)}


# ------------------------------------------- linkers, place models, rings (issue 22)
def linker_effective_couplings(J_in, J_out, mu_linker, T: float = 1.0) -> np.ndarray:
    """Effective couplings after tracing out the linker between two visible molecules (decoration).

    A linker site between visible molecules a (left) and b (right) holds one of K hidden
    species l with energy 2 J_in[a, l] + 2 J_out[l, b] + mu_l (each bond twice, as in eq. 19.2).
    Summing it out leaves the Boltzmann weight exp(-2 Jt_ab / T) of one effective bond,

        Jt_ab = -(T / 2) log sum_l exp(-(2 J_in[a, l] + 2 J_out[l, b] + mu_l) / T),

    exact on any lattice whose linker sites touch two visible sites only. ``J_in`` (N, K) the
    binding of linker l to the right face of a, ``J_out`` (K, N) the binding of b to the right
    face of l, ``mu_linker`` (K,) the linkers' chemical potentials (mu_l = -T log c_l), ``T`` > 0.
    Returns Jt (N, N), in general not symmetric (faces).

    Accepts: ``J_in`` a finite (N, K) array; ``J_out`` a finite (K, N) array; ``mu_linker`` a finite
    (K,) array; ``T`` > 0.
    """
    J_in = check_array("J_in", J_in, ndim=2)
    K = J_in.shape[1]
    J_out = check_array("J_out", J_out, shape=(K, J_in.shape[0]))
    mu_linker = check_array("mu_linker", mu_linker, shape=(K,))
    T = _check_temperature(T)
    x = -(2 * J_in[:, :, None] + 2 * J_out[None, :, :] + mu_linker[None, :, None]) / T  # (N, K, N)
    top = x.max(axis=1, keepdims=True)
    return -(T / 2) * (np.log(np.exp(x - top).sum(axis=1)) + top[:, 0, :])


def place_swap_sweeps(J, sigma0, T, sweeps: int, seed: int = 0) -> dict:
    """Metropolis sampling of a place model: E of eq. (19.2) over the arrangements of a fixed set of molecules.

    A place model keeps the molecules (an Ising-like model whose spins are labelled objects) and
    samples only *where* each sits: the moves swap the species of two distinct random sites,
    accepted with probability min(1, exp(-dE/T)), so every chain keeps its composition (one copy
    of each species when ``sigma0`` is a permutation) and samples p ~ exp(-E/T) over its
    rearrangements (the swap proposal is symmetric). A sweep is L1 L2 proposals.
    ``J`` (N, N) symmetric or (2, N, N) face-specific, ``sigma0`` (B, L1, L2) or (L1, L2) labels,
    ``T`` > 0, ``sweeps`` >= 1. Returns dict ``sigma`` (final, shape of ``sigma0``), ``energy``
    (B, sweeps) after every sweep and ``accept`` (the acceptance rate).

    Accepts: ``J`` a finite array; ``sigma0`` integer labels in [0, N); ``T`` > 0; ``sweeps`` an integer >= 1;
    ``seed`` an int >= 0 or a numpy Generator.
    """
    J = _check_species_couplings(J)
    n = J.shape[1]
    s = _check_configurations(sigma0, n, name="sigma0")
    if s.ndim not in (2, 3):
        raise ValueError(f"sigma0 must have shape (L1, L2) or (B, L1, L2), got {s.shape}")
    T = _check_temperature(T)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    single = s.ndim == 2
    s = s[None].copy() if single else s.copy()
    B, L1, L2 = s.shape
    K = L1 * L2
    rng = make_rng(seed)
    flat = s.reshape(B, K)
    E = potts_energy(s, J)
    rows = np.arange(B)
    energy = np.empty((B, sweeps))
    n_acc = 0
    for t in range(sweeps):
        for _ in range(K):
            i = rng.integers(0, K, size=B)
            j = (i + rng.integers(1, K, size=B)) % K  # a second, distinct site
            prop = flat.copy()
            prop[rows, i], prop[rows, j] = flat[rows, j], flat[rows, i]
            E_new = potts_energy(prop.reshape(B, L1, L2), J)
            acc = rng.random(B) < np.exp(np.minimum(0.0, -(E_new - E) / T))
            flat[acc] = prop[acc]
            E = np.where(acc, E_new, E)
            n_acc += int(acc.sum())
        energy[:, t] = E
    final = flat.reshape(B, L1, L2)
    return {"sigma": final[0] if single else final, "energy": energy, "accept": n_acc / (B * K * sweeps)}


def ring_contact_fractions(J, mu, T, L: int) -> np.ndarray:
    """Exact contact fractions f_ab = <n_ab> / L on a ring of L sites by the transfer matrix.

    Energy E = sum_x [2 J[sigma_x, sigma_{x+1}] + mu_{sigma_x}] (eq. 19.2 on a ring, each bond twice);
    with the transfer matrix M_ab = exp(-(2 J_ab + mu_a) / T), Z = tr M^L and
    f_ab = M_ab (M^(L-1))_ba / tr M^L. ``J`` (N, N) couplings, b to the right of a (need not be
    symmetric), ``mu`` (N,) chemical potentials, ``T`` > 0, ``L`` >= 2 sites. Returns f (N, N), summing to 1.

    Accepts: ``J`` a finite square array; ``mu`` a finite (N,) array; ``T`` > 0; ``L`` an integer >= 2.
    """
    J = check_array("J", J, ndim=2)
    if J.shape[0] != J.shape[1] or J.shape[0] < 2:
        raise ValueError(f"J must be a square (N, N) matrix with N >= 2, got shape {J.shape}")
    mu = check_array("mu", mu, shape=(J.shape[0],))
    T = _check_temperature(T)
    L = check_int("L", L, minimum=2)
    logM = -(2 * J + mu[:, None]) / T
    M = np.exp(logM - logM.max())
    M /= np.max(np.abs(np.linalg.eigvals(M)))  # spectral radius 1: powers neither overflow nor vanish
    P = np.linalg.matrix_power(M, L - 1)
    f = M * P.T
    return f / np.trace(P @ M)
