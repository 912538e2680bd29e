# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Learning without neurons: Potts models of molecular networks
#
# A Hopfield network stores memories in the couplings between neurons. A test tube can do
# the same with no neurons at all: a mixture of $N$ molecular species stores several
# target *structures* in the binding energies between species, and which structure
# assembles is decided by a seed, a temperature or the concentrations, the way a noisy
# cue retrieves a memory. The couplings can even be *trained*, with the same contrastive
# (sleep-wake) rule that trains a Boltzmann machine. This lecture builds the lattice Potts
# model of such a mixture, stores structures with a Hebbian rule, measures how many fit,
# trains the couplings from examples, and finally runs the same Boltzmann learning on the
# Potts models of protein sequences.
#
# **Learning goals**
# - write the Potts energy of a molecular mixture on a lattice, with the notes' chemical potentials
#   $\mu_i = -\log c_i$ (a cost per molecule: a larger concentration means a smaller $\mu_i$), and sample it with a vectorised heat-bath algorithm checked against
#   exact enumeration;
# - store several structures with a Hebbian rule and watch a seed (or a concentration
#   bias) select which one assembles; measure overlaps and the storage capacity;
# - train the couplings by the sleep-wake rule $\Delta J \propto \langle\cdot\rangle_{\rm model}
#   - \langle\cdot\rangle_{\rm data}$ on contact statistics;
# - learn a Potts model of sequences by Boltzmann machine learning and judge it by its
#   connected two-site correlations.
# - trace out hidden linker molecules exactly and find the effective couplings $\tilde J$ they leave
#   between the visible species (a free energy, tuned by the linker concentrations);
# - sample a *place model* (labelled molecules, only their positions move) and check it against the
#   enumeration of all permutations;
# - read a phase boundary as a classifier: which structure forms as a function of the input
#   concentrations, measured against the predicted decision boundary.
#
# *Source:* *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), part VII (Arvind Murugan, *Learning without neurons*:
# Hopfield associative memory, multifarious assembly mixtures, training of molecular
# networks, Potts model of molecular networks, place models), eqs. (18.1)-(19.2) and sections
# 18.1.2 (linkers) and 19.3 (place models); the phase-boundary classifier is from the introduction to that part.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

import course_utils as cu
from course_utils import potts

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. The Potts model of a molecular mixture
#
# Molecules of $N$ species sit on the sites $x$ of a lattice $\Lambda$ (here a periodic
# square lattice). A configuration says which species is where, $\sigma:\Lambda\to[N]$.
# Neighbouring molecules bind with an energy $J_{\sigma(x)\sigma(x')}$ ($J<0$ attracts), and
# each species pays a chemical potential $\mu_i = -\log c_i$ set by its concentration $c_i$
# (energies in units of $k_BT_0$). The notes' energy (eq. 19.2) is
#
# $$E(\sigma) = \sum_{x\in\Lambda}\sum_{x'\in\partial x} J_{\sigma(x),\sigma(x')} + \sum_i \mu_i\, n_i(\sigma),$$
#
# with $\partial x$ the four neighbours of $x$ (each bond is counted twice) and $n_i$ the
# number of molecules of species $i$. At temperature $T$ a configuration has probability
# $p(\sigma) \propto e^{-E(\sigma)/T}$; at $T=1$ the chemical-potential term weighs it by
# $\prod_i c_i^{n_i}$.
#
# **A sign to watch.** The notes' $\mu_i=-\log c_i$ is the *cost* of a molecule of species $i$: it
# enters the energy with a plus sign, and a rarer species costs more. The chemical potential of
# thermodynamics has the opposite sign: for an ideal solution it is $\mu^{\rm th}_i = \log c_i$ (+ a
# constant), and the grand-canonical weight is $e^{+\mu^{\rm th}_i n_i/T}$. So raising the
# concentration $c_i$ raises $\mu^{\rm th}_i$ and *lowers* the notes' $\mu_i$. We keep the notes' $\mu_i$
# in formulas and code, and always say which way the concentration moves.
#
# **Faces.** Real self-assembling molecules (DNA tiles, patchy colloids, proteins) bind
# through specific faces: "$b$ sits to the *right* of $a$" is a different bond from "$b$ sits
# *below* $a$". We therefore allow a pair of matrices $J^{\rm h}, J^{\rm v}$ (horizontal,
# vertical); the bond seen from the other side uses the transpose. An isotropic $J$ is
# the special case $J^{\rm h}=J^{\rm v}=J$ symmetric (exercise 1 shows why faces matter).
#
# **Heat bath.** Pick a site and redraw its species from its exact conditional law,
# everything else fixed. With $r,l,d,u$ the species to the right, left, below and above $x$,
#
# $$p\big(\sigma(x)=a \mid \text{rest}\big) \propto \exp\Big\{-\tfrac{1}{T}\Big[2\big(J^{\rm h}_{a r} +
# J^{\rm h}_{l a} + J^{\rm v}_{a d} + J^{\rm v}_{u a}\big) + \mu_a\Big]\Big\},$$
#
# which satisfies detailed balance with $p(\sigma)$ (lecture 05). Sites of one colour of a
# checkerboard do not touch, so half the lattice, in all chains at once, is updated in one
# array operation.
#
# **The check, and the lattice it needs.** The tables must be oriented right: the right
# neighbour $r$ enters as $J^{\rm h}_{ar}$, the left one as $J^{\rm h}_{la}$. On a $2\times2$ torus
# the left and the right neighbour of a site are the *same* site, so a sampler with the two
# tables swapped (the transposed $J^{\rm h}$) samples the same law there and no test on that
# lattice can see the slip. We use a $2\times6$ torus instead: along a row of 6 sites, left
# and right differ. With $N=3$ species it has $3^{12}=531\,441$ configurations, few enough to
# sum the exact Boltzmann law, but too many to compare one by one with a thousand chains, so
# we compare what the slip would change: the fraction of horizontal bonds on which $b$ sits
# to the right of $a$, $f^{\rm h}_{ab} = \langle n^{\rm h}_{ab}\rangle/|\Lambda|$. We give $J^{\rm h}$ a
# cyclic part ("$a+1$ to the right of $a$ attracts, to its left repels") so that
# $f^{\rm h}_{ab}\neq f^{\rm h}_{ba}$, and run, next to the correct sampler, one fed the
# transposed table. (On this lattice the up and down neighbours coincide, so the
# orientation of $J^{\rm v}$ is tested on the $6\times2$ torus in `tests/test_potts.py`.)

# %%
shape_small = (2, 6)  # 12 sites: left != right neighbour along a row
cyclic = np.roll(np.eye(3), 1, axis=1)  # cyclic[a, a+1] = 1
J_small = 0.25 * rng.standard_normal((2, 3, 3))  # face-specific, not symmetric
J_small[0] += 0.5 * (cyclic.T - cyclic)  # J^h[a, a+1] = -0.5 (+ noise): a+1 binds to the right of a
c_small = np.array([0.5, 0.3, 0.2])
mu_small = potts.chemical_potentials(c_small)  # mu_i = -log c_i
T_small = 1.3
exact_small = potts.exact_lattice_distribution(J_small, mu_small, shape_small, T_small)


def horizontal_contact_fractions(states, weights=None):
    """f^h_ab: fraction of the horizontal bonds with a on the left and b on the right (per state or averaged)."""
    pairs = (3 * states + np.roll(states, -1, -1)).reshape(len(states), -1)
    if weights is not None:
        return np.bincount(pairs.ravel(), weights=np.repeat(weights, pairs.shape[1]), minlength=9) / pairs.shape[1]
    return np.stack([np.bincount(x, minlength=9) for x in pairs]) / pairs.shape[1]


f_exact = horizontal_contact_fractions(exact_small["states"], exact_small["p"])
n_chains_small = 1000
start = rng.integers(0, 3, size=(n_chains_small,) + shape_small)
hb = potts.heat_bath_sweeps(J_small, mu_small, start, T_small, sweeps=50, seed=1)
J_swapped = np.stack([J_small[0].T, J_small[1]])  # what a sampler with left/right tables swapped uses
hb_swapped = potts.heat_bath_sweeps(J_swapped, mu_small, start, T_small, sweeps=50, seed=1)
f_chains = {name: horizontal_contact_fractions(out["sigma"]) for name, out in (("correct", hb), ("swapped", hb_swapped))}

fig, ax = plt.subplots(figsize=(7.5, 3.4))
x9 = np.arange(9)
ax.bar(x9, f_exact, color="0.8", label="exact (enumeration of $3^{12}$ states)")
for dx, (name, col) in zip((-0.15, 0.15), (("correct", "C0"), ("swapped", "C3"))):
    f = f_chains[name]
    ax.errorbar(x9 + dx, f.mean(0), yerr=2 * f.std(0) / np.sqrt(n_chains_small), fmt="o", color=col, ms=4,
                label=f"{name} table, {n_chains_small} chains (error bars 2 s.e.)")
ax.set_xticks(x9, [f"{a}{b}" for a in range(3) for b in range(3)])
ax.set_ylim(0, 1.45 * f_exact.max())
cu.plotting.label(ax, r"bond $ab$ ($b$ to the right of $a$)", r"$f^{\rm h}_{ab}$",
                  r"$2\times6$ torus, $N=3$ species, $T=1.3$")
ax.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# **Check: sampler against enumeration.** Each chain gives one estimate of the nine
# fractions $f^{\rm h}_{ab}$; over 1000 independent chains their means carry a standard
# error we measure from the chains. Every one of the nine must lie within 4.5 standard errors
# of the exact value (a correct sampler fails this with probability about $6\times10^{-5}$),
# and so must the mean energy.

# %%
z_small = {name: np.abs(f.mean(0) - f_exact) / (f.std(0, ddof=1) / np.sqrt(n_chains_small)) for name, f in f_chains.items()}
e_chains = potts.potts_energy(hb["sigma"], J_small, mu_small)
e_exact = exact_small["p"] @ potts.potts_energy(exact_small["states"], J_small, mu_small)
z_energy = abs(e_chains.mean() - e_exact) / (e_chains.std() / np.sqrt(n_chains_small))
print(f"largest |f_chains - f_exact| / s.e. over the 9 bonds: correct table < 4.5: {z_small['correct'].max() < 4.5};"
      f"  swapped table > 20: {z_small['swapped'].max() > 20}")
print(f"<E>: heat bath {e_chains.mean():.1f}   exact {e_exact:.1f}   (|difference| / s.e. < 4.5: {z_energy < 4.5})")
# Measured over 6 draws of the couplings (seeds 0..5): the correct sampler's largest z is 1.3-2.8;
# the swapped left/right table (J^h transposed) gives z = 97-186 on the cyclic bonds, and the slip of
# Boltzmann weights e^{-E} instead of e^{-E/T} (sampling at T = 1 instead of 1.3) gives z = 11-24.
assert z_small["correct"].max() < 4.5 and z_energy < 4.5
assert z_small["swapped"].max() > 20  # the check can see the transposed table

# %% [markdown]
# ## 2. Storing structures with a Hebbian rule
#
# In the Hopfield model the Hebbian rule $\frac{dJ_{ij}}{dt} = x_i x_j$ (eq. 18.2) digs an
# energy valley at every memory $m^\alpha$. The molecular version (eq. 18.3) strengthens the
# bond between species that meet: $\frac{dJ_{ij}}{dt} = -\int c_i c_j$. Let a *structure* be
# an arrangement of all $N=k^2$ species on a $k\times k$ tile (repeated periodically), and
# $A^{\alpha,d}_{ab} = 1$ if $b$ sits next to $a$ in direction $d$ in structure $\alpha$. Exposing
# the mixture to $M$ structures in turn gives
#
# $$J^{d}_{ab} = -\epsilon \sum_{\alpha=1}^{M} A^{\alpha,d}_{ab},$$
#
# so each species attracts $M$ partners on each face. We measure assembly by the
# **overlap** $m_\alpha(\sigma)$, the fraction of the bonds of $\sigma$ that are contacts of
# structure $\alpha$: $m_\alpha=1$ on the structure (or a translate), $\approx 1/N$ in a random mixture.

# %%
N_species = 64  # an 8 x 8 tile
L = 32  # 32 x 32 lattice: 4 x 4 copies of each tile (64 for class)
M_stored = 2
structures = potts.random_structures(M_stored, N_species, L, seed=2)
J_hebb = potts.hebbian_species_couplings(structures, N_species, epsilon=1.0)
print("attractive partners per species and face:", (J_hebb < 0).sum(axis=2).mean(axis=1))
print("overlaps of the stored structures with each other:\n", potts.structure_overlaps(structures, structures, N_species).round(3))

fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.4))
for a in range(M_stored):
    axes[a].imshow(structures[a, :8, :8], cmap="tab20b")
    axes[a].set_title(rf"structure $\alpha={a + 1}$ (one tile, species labels)")
    for (i, j), v in np.ndenumerate(structures[a, :8, :8]):
        axes[a].text(j, i, str(v), ha="center", va="center", fontsize=6, color="w")
    axes[a].set_xticks([]), axes[a].set_yticks([])
axes[2].imshow(-J_hebb[0], cmap="Greys")
cu.plotting.label(axes[2], "species $b$", "species $a$", r"Hebbian $-J^{\rm h}_{ab}$ (right face)")
axes[2].grid(False)
plt.show()

# %% [markdown]
# **Assembly from a seed.** Fill the lattice with a random mixture and put a $16\times16$
# fragment of one structure in the middle, then let the heat bath run at $T=0.78$: just
# below melting, where the disordered mixture rarely nucleates crystals by itself, but a
# fragment, being a ready-made nucleus, grows. (For some draws of the structures the mixture
# does nucleate on its own, into patches of both; the seeded structure then wins by
# coarsening, more slowly: rerun with `COURSE_UTILS_SEED=1` to see it.) Two chains get a fragment of structure 1,
# two of structure 2; same couplings, same temperature.

# %%
T_assembly = 0.78
sweeps_assembly = 300
seed_of_chain = np.array([0, 0, 1, 1])
sigma0 = rng.integers(0, N_species, size=(4, L, L))
for b, a in enumerate(seed_of_chain):
    sigma0[b, 8:24, 8:24] = structures[a, 8:24, 8:24]
# on a GPU (with L = 64 for class) pass torch.as_tensor(sigma0, device=cu.device()): the same sweeps run
# there with torch's random numbers, and assembly["sigma"] comes back as a tensor (.cpu() to plot it)
assembly = potts.heat_bath_sweeps(J_hebb, None, sigma0, T_assembly, sweeps_assembly, seed=3,
                                  structures=structures, record_every=10)


def bond_map(sigma, structures, n_species):
    """Per site: 0 if its right bond is no stored contact, alpha if it is a contact of structure alpha."""
    A = potts.structure_contacts(structures, n_species)[:, 0]  # right-face contacts (M, N, N)
    hit = A[:, sigma, np.roll(sigma, -1, -1)]  # (M, ..., L, L)
    return np.where(hit.any(axis=0), hit.argmax(axis=0) + 1, 0)


bond_cmap = ListedColormap(["0.92", "C0", "C3", "C2", "C4"])
fig, axes = plt.subplots(1, 3, figsize=(11.3, 3.5), gridspec_kw={"width_ratios": [1.6, 1, 1]})
for b in (0, 2):
    for a in range(M_stored):
        axes[0].plot(assembly["sweep"], assembly["overlap"][b, :, a], color=f"C{3 * a}",
                     ls="-" if seed_of_chain[b] == a else ":",
                     label=rf"$m_{a + 1}$, seed of structure {seed_of_chain[b] + 1}")
cu.plotting.label(axes[0], "sweeps", r"overlap $m_\alpha$", rf"$N={N_species}$, $M={M_stored}$, $T={T_assembly}$")
axes[0].legend(fontsize=7)
for k, b in enumerate((0, 2)):
    axes[k + 1].imshow(bond_map(assembly["sigma"][b], structures, N_species), cmap=bond_cmap, vmin=0, vmax=4)
    axes[k + 1].set_title(f"final, seed of structure {seed_of_chain[b] + 1}\n(blue: bond of 1, red: bond of 2)")
    axes[k + 1].set_xticks([]), axes[k + 1].set_yticks([])
plt.show()

# %% [markdown]
# **Check: the seed decides.** Every chain should end mostly in the structure it was seeded
# with ($m\approx1$, minus thermal defects) and not in the other ($m$ near the random
# value $1/N\approx0.016$, plus the few contacts two random structures share).

# %%
final_m = assembly["overlap"][:, -1]
m_own = final_m[np.arange(4), seed_of_chain]
m_other = final_m[np.arange(4), 1 - seed_of_chain]
print("overlap with the seeded structure:", m_own.round(2), "  with the other:", m_other.round(2))
# If the seed did not matter, each chain would end in either structure (or a mixture of both)
# whatever its fragment: m_own - m_other would scatter around 0. Measured over 8 draws of the
# structures (COURSE_UTILS_SEED = 0..7) and T = 0.70-0.78, the seeded structure led in every
# chain; the closest case (a draw whose structures share 7 of 128 contacts, 4x the chance level,
# where the mixture nucleates on its own) was m_own = 0.58 against m_other = 0.26 after 300
# sweeps, typical draws give 0.98 against 0.02. We ask for a lead of 0.2 in every chain.
print("lead of the seeded structure in every chain > 0.2:", bool(np.all(m_own - m_other > 0.2)))
assert np.all(m_own - m_other > 0.2)

# %% [markdown]
# ## 3. Capacity: how many structures fit?
#
# Every stored structure adds attractive bonds, so each species has $M$ partners on each
# face. Past some $M$ the mixture finds *chimeras*, patches of different structures glued
# along bonds that happen to be attractive too, and a seed no longer grows into its own
# structure. As for the Hopfield network (lecture 07) we measure retrieval: start from
# structure 1 with half of its sites replaced by random species, quench to $T=0.5$ (far
# below melting, $T_m\approx 4\epsilon/\log N$), and read the final overlap $m_1$.
#
# The capacity depends on the draw of the structures, so we measure it as a statistic:
# for each $N$ we draw `n_sets` independent sets of structures (nested: the first $M$ of
# one list), average $m_1$ over 4 corrupted starts for each $M$, and call the set's
# capacity $M_c$ the $M$ where that average first crosses $1/2$ (linear interpolation). A set is
# not run past the first $M$ where its $m_1$ drops below $0.25$ (more structures only add
# chimeras), so the retrieval curves average, at each $M$, the sets still running. Mean and
# standard error over the sets give $M_c(N)$ with an error bar, and a weighted fit of
# $\log M_c$ against $\log N$ gives the trend $M_c\propto N^{a}$.

# %%
species_list = [16, 25, 36, 49, 64]  # tiles 4x4 ... 8x8 (add 100, 144 for class: cost grows as N^2)
n_sets = 8  # independent draws of the structures per N (20 for class)
n_rep, sweeps_cap, T_cap, M_max = 4, 40, 0.5, 12
M_list = np.arange(1, M_max + 1)


def crossover(ms, overlaps, level=0.5):
    """First M where the overlap falls below `level`, linearly interpolated (nan if never or at once)."""
    below = np.flatnonzero(overlaps < level)
    if below.size == 0 or below[0] == 0:
        return np.nan
    j = below[0]
    return ms[j - 1] + (overlaps[j - 1] - level) / (overlaps[j - 1] - overlaps[j]) * (ms[j] - ms[j - 1])


retrieval = np.full((len(species_list), n_sets, M_max), np.nan)  # mean m_1 over the n_rep starts (nan: not run)
for i, N in enumerate(species_list):
    Lc = 2 * int(np.sqrt(N))  # a 2 x 2 block of tiles on a torus
    for s in range(n_sets):
        S_all = potts.random_structures(M_max, N, Lc, seed=1000 * N + s)
        for j, M in enumerate(M_list):
            s0 = np.repeat(S_all[:1], n_rep, axis=0)
            noise = rng.random(s0.shape) < 0.5
            s0[noise] = rng.integers(0, N, size=noise.sum())
            out = potts.heat_bath_sweeps(potts.hebbian_species_couplings(S_all[:M], N), None, s0, T_cap, sweeps_cap,
                                         seed=int(rng.integers(2**31)), structures=S_all[:1], record_every=sweeps_cap)
            retrieval[i, s, j] = out["overlap"][:, -1, 0].mean()
            if retrieval[i, s, j] < 0.25:  # retrieval lost: larger M only adds chimeras
                break

M_c_sets = np.array([[crossover(M_list, r) for r in ret] for ret in retrieval])  # (N, sets)
M_c = M_c_sets.mean(axis=1)
M_c_se = M_c_sets.std(axis=1, ddof=1) / np.sqrt(n_sets)
logN = np.log(species_list)
a_fit, cov_fit = np.polyfit(logN, np.log(M_c), 1, w=M_c / M_c_se, cov="unscaled")
a_exp, a_se = a_fit[0], np.sqrt(cov_fit[0, 0])

fig, axes = plt.subplots(1, 2, figsize=(10.3, 3.6))
for i, N in enumerate(species_list):
    r_i = np.ma.masked_invalid(retrieval[i])  # the sets still running at each M
    axes[0].errorbar(M_list, r_i.mean(0), yerr=r_i.std(0, ddof=1) / np.sqrt(r_i.count(axis=0)), fmt="o-",
                     color=f"C{i}", ms=3, capsize=2, label=f"$N={N}$")
axes[0].axhline(0.5, color="k", lw=0.8)
cu.plotting.label(axes[0], "number of stored structures $M$", r"retrieval overlap $m_1$",
                  f"seeded retrieval, $T={T_cap}$ ({n_sets} sets of structures)")
axes[0].legend()
axes[1].errorbar(species_list, M_c, yerr=M_c_se, fmt="ko", capsize=3, label=r"$M_c$, mean $\pm$ s.e.")
N_line = np.linspace(12, 80, 50)
axes[1].plot(N_line, np.exp(np.polyval(a_fit, np.log(N_line))), "C0-", label=rf"fit $M_c\propto N^{{{a_exp:.1f}}}$")
axes[1].plot(N_line, M_c[0] * N_line / species_list[0], "C3:", label=r"extensive, $M_c\propto N$")
axes[1].set_xscale("log"), axes[1].set_yscale("log")
axes[1].set_ylim(2, 30)
axes[1].set_xticks(species_list, [str(N) for N in species_list], minor=False)
axes[1].set_yticks([2, 3, 5, 10, 20], ["2", "3", "5", "10", "20"])
axes[1].minorticks_off()
cu.plotting.label(axes[1], "number of species $N$", r"capacity $M_c$ (overlap $=1/2$)", "storage capacity")
axes[1].legend(loc="upper left")
plt.show()
print("N          :", species_list)
print("M_c        :", M_c.round(1))
print("s.e.       :", M_c_se.round(1))
print(f"fit M_c ~ N^a: a = {a_exp:.2f} +- {a_se:.2f}")

# %% [markdown]
# **Check, and how it compares with Murugan et al.** With one structure retrieval is perfect
# for every $N$ (it is the unique ground state). Murugan, Zeravcic, Brenner and Leibler
# report that the number of structures a mixture can store *increases rapidly* with the number
# of component types. Here the capacity does grow with $N$, but slowly: from $N=16$ to $N=64$ it
# rises by a factor of 1.15 to 1.5, and the fitted exponent $a$ printed above is well below 1
# (0.15 to 0.28, each with a fit standard error of 0.04 to 0.07, over four draws of all the
# structures). The plausible guess borrowed from the Hopfield network, an extensive capacity
# $M_c\propto N$ (like $p_c\approx0.14\,N$, a factor of 4 over this range), is ruled out. Our protocol is not theirs: a fixed
# quench temperature $T=0.5$ (while $T_m$ falls as $N$ grows), 40 sweeps, lattices of two
# tiles a side and $N\le64$ (they tune temperature and concentrations and take larger
# mixtures), so what we measure is a lower bound on the capacity within this protocol, not
# their asymptotic law. The class setting (first lines of the cell) adds N = 100 and 144.

# %%
print("m_1 at M = 1, every set and N, > 0.95:", bool(np.all(retrieval[:, :, 0] > 0.95)))
print(f"M_c(N={species_list[-1]}) / M_c(N={species_list[0]}) = {M_c[-1] / M_c[0]:.1f}"
      f"  (extensive capacity: {species_list[-1] / species_list[0]:.0f})")
assert np.all(retrieval[:, :, 0] > 0.95)  # a few thermal defects at T = 0.5 at most
assert np.all(np.isfinite(M_c_sets))
# The extensive law M_c ~ N predicts the ratio 4 and a = 1; measured over four draws of all the
# structures (5 sizes x 8 sets) the ratio is 1.15-1.53 and a = 0.15-0.28 (fit s.e. 0.035-0.065), so
# a + 3 s.e. <= 0.40. We require a to lie more than 3 s.e. below 1.
assert a_exp + 3 * a_se < 1

# %% [markdown]
# ## 4. Training the molecular network: the sleep-wake rule
#
# Hebb's rule needs the structures written out. Can the mixture *learn* them from
# examples, by a physical process? Take $Q_J(\sigma)\propto e^{-E_J(\sigma)/T}$ as the model and
# examples drawn from a target law $P$. Minimising $D_{\rm KL}(P\,\|\,Q_J)$ (maximum likelihood)
# by gradient descent gives, because $\partial E/\partial J^d_{ab} = 2 n^d_{ab}(\sigma)$ counts the
# $(a,b)$ contacts in direction $d$,
#
# $$\Delta J^d_{ab} = \eta\,\frac{2}{T}\Big(\big\langle n^d_{ab}\big\rangle_{Q_J} - \big\langle n^d_{ab}\big\rangle_{P}\Big):$$
#
# strengthen contacts that the data shows more often than the model, weaken those the model
# makes up. One phase reads the contact statistics of the data (the *wake* phase, clamped to
# examples), the other lets the mixture assemble freely under the current $J$ (the *sleep*
# phase, here persistent heat-bath chains).
#
# **Where this departs from eq. (19.1) of the notes.** The notes write
# $\partial D_{\rm KL}(Q_w\|P)/\partial w_{ij} = \langle s_is_j\rangle_P - \langle s_is_j\rangle_Q$ and label the
# data average $P$ "sleep" and the model average $Q$ "wake". Two things are reversed there, and
# we reverse them back. (i) The KL direction: for $Q_w\propto e^{\sum w_{ij}s_is_j}$ a difference of
# two-point functions is the gradient of $D_{\rm KL}(P\|Q_w)$, data first, which is maximum
# likelihood: $\partial D_{\rm KL}(P\|Q_w)/\partial w_{ij} = \langle s_is_j\rangle_Q - \langle s_is_j\rangle_P$, so the notes'
# right-hand side is the descent direction. The other divergence, $D_{\rm KL}(Q_w\|P)$, has gradient
# ${\rm Cov}_{Q}(s_is_j, \log Q_w/P)$, which needs the value of $P$, not only samples of it. With
# $w=-J$ and $s_is_j\to n^d_{ab}$ the descent direction is our $\Delta J$ above. (ii) The labels: we follow
# Ackley, Hinton and Sejnowski (and Hinton et al.'s wake-sleep) in calling the phase clamped
# to the data *wake* and the free-running one *sleep*; the notes use the opposite names.
#
# **No finite optimum on perfect crystals.** Our data are 16 translated copies of two
# defect-free structures of $N=36$ species. A pair $(a,b)$ that is no contact of either never
# occurs in them, $\langle n_{ab}\rangle_P=0$, while at any finite $J$ the model gives it some weight,
# $\langle n_{ab}\rangle_{Q_J}>0$. The gradient never vanishes: the likelihood keeps rising as the
# couplings run off to $\pm\infty$, and unregularised training stops only because we stop it. We
# therefore maximise the log-likelihood per bond minus an L2 penalty $\frac{\lambda}{2}\|J\|^2$, which
# is strictly concave in $J$ and has one finite maximum, where the update vanishes:
#
# $$\Delta J = \eta\Big[\frac{2}{T}\,\frac{\langle n\rangle_{Q_J}-\langle n\rangle_P}{2|\Lambda|} - \lambda J\Big] = 0
# \quad\Longleftrightarrow\quad J^\ast = \frac{2}{T\lambda}\,\frac{\langle n\rangle_{Q_{J^\ast}}-\langle n\rangle_P}{2|\Lambda|}.$$
#
# We train twice, with $\lambda=0$ and $\lambda=0.002$, and follow the size of $J$.

# %%
N_train, L_train = 36, 12
S_train = potts.random_structures(2, N_train, L_train, seed=3)
shifts = rng.integers(0, 6, size=(16, 2))
data_train = np.stack([np.roll(S_train[i % 2], tuple(shifts[i]), (0, 1)) for i in range(16)])
J_hebb_train = potts.hebbian_species_couplings(S_train, N_train)
lam = 0.002
steps_train = 200
free = potts.sleep_wake_learning(data_train, N_train, T=1.0, steps=steps_train, lr=10.0, n_chains=8, sweeps=2, seed=0)
learned = potts.sleep_wake_learning(data_train, N_train, T=1.0, steps=steps_train, lr=10.0, n_chains=8, sweeps=2,
                                    seed=0, l2=lam)
J_learned = learned["J"]

fig, axes = plt.subplots(1, 3, figsize=(11.5, 3.5))
t_train = np.arange(1, steps_train + 1)
axes[0].plot(t_train, free["J_rms"], "C3", label=r"$\lambda=0$")
axes[0].plot(t_train, learned["J_rms"], "C0", label=rf"$\lambda={lam}$")
cu.plotting.label(axes[0], "training step", r"rms coupling $\|J\|/\sqrt{2N^2}$", "sleep-wake training")
axes[0].legend(loc="upper left")
for ax, Jm, title in ((axes[1], J_hebb_train, "Hebbian"), (axes[2], J_learned, rf"learned with $\lambda={lam}$")):
    im = ax.imshow(Jm[0], cmap="RdBu", vmin=-2, vmax=2)
    cu.plotting.label(ax, "species $b$", "species $a$", rf"$J^{{\rm h}}_{{ab}}$, {title}")
    ax.grid(False)
fig.colorbar(im, ax=axes[1:], shrink=0.8, label="$J_{ab}$")
plt.show()

# %% [markdown]
# **Check: unbounded without the penalty, at its optimum with it.** Without the penalty the
# couplings keep growing; with it they settle. The regularised couplings must satisfy the
# stationarity condition above, with $\langle n\rangle_{Q_J}$ measured by 32 fresh chains run at the
# learned $J$ (compared on the data's contacts, averaged). They should put their attraction
# where Hebb's rule does, and retrieve both structures from half-corrupted seeds at the
# training temperature (eight runs, four per structure).

# %%
def growth(r):
    """rms J over the last 20 steps / over steps 81-100 (averages smooth the step-to-step noise)."""
    return r[-20:].mean() / r[80:100].mean()


growth_free, growth_l2 = growth(free["J_rms"]), growth(learned["J_rms"])
print(f"rms J, steps 181-200 / steps 81-100:  lambda = 0: {growth_free:.1f}   lambda = {lam}: {growth_l2:.1f}")
n_bonds_train = 2 * L_train**2
n_data = potts.contact_counts(data_train, N_train).mean(axis=0) / n_bonds_train
fresh = potts.heat_bath_sweeps(J_learned, None, np.repeat(learned["sigma"], 4, axis=0), 1.0, 20, seed=9)["sigma"]
n_model = potts.contact_counts(fresh, N_train) / n_bonds_train  # (32, 2, N, N), one estimate per chain
on = J_hebb_train < 0
pred_chains = (2 / (1.0 * lam)) * (n_model - n_data)[:, on].mean(axis=1)  # stationary J on the contacts, per chain
J_on, pred_on, pred_se = J_learned[on].mean(), pred_chains.mean(), pred_chains.std(ddof=1) / np.sqrt(len(pred_chains))
print(f"mean learned J on the data's contacts {J_on:.2f};  stationarity (2/(T lambda)) <n_Q - n_P>: {pred_on:.2f}")
r_J = np.corrcoef(J_learned.ravel(), J_hebb_train.ravel())[0, 1]
print(f"corr(J_learned, J_Hebb) = {r_J:.2f};  mean learned J on contacts {J_learned[on].mean():.1f}, "
      f"elsewhere {J_learned[~on].mean():.1f}")
s0 = np.repeat(S_train, 4, axis=0)  # 4 runs seeded with each structure
noise = rng.random(s0.shape) < 0.5
s0[noise] = rng.integers(0, N_train, size=noise.sum())
recall = potts.heat_bath_sweeps(J_learned, None, s0, 1.0, 100, seed=5, structures=S_train, record_every=100)
m_recall = recall["overlap"][np.arange(8), -1, np.repeat([0, 1], 4)]
print("retrieval overlaps with the learned couplings, median > 0.9:", bool(np.median(m_recall) > 0.9))
# Measured for COURSE_UTILS_SEED = 0-2: without the penalty rms J grows by 1.29-1.33 from steps 81-100
# to 181-200 (and keeps growing, like log t); with it the ratio is 1.00-1.09 (it settles after a small
# overshoot near step 50). The threshold 1.2 separates the two.
assert growth_free > 1.2 and growth_l2 < 1.2
# Stationarity: J_on / pred_on measured 0.90-1.03 (training seeds 0-2). Counting each bond once in
# dE/dJ (1/T instead of 2/T) halves the prediction, ratio ~2 (1.8-2.1); we accept 0.8-1.25.
assert 0.8 < J_on / pred_on < 1.25
assert r_J > 0.9 and J_learned[on].mean() < J_learned[~on].mean() - 0.5
assert np.median(m_recall) > 0.9

# %% [markdown]
# ## 5. Inverse Potts on sequences (Boltzmann machine learning)
#
# The same learning rule is the workhorse of direct-coupling analysis of protein
# families. A sequence $s=(s_1,\dots,s_L)$, $s_i\in\{1..q\}$, has the Potts law
#
# $$p(s) = \frac1Z\exp\Big(\sum_i h_i(s_i) + \sum_{i<j} J_{ij}(s_i,s_j)\Big),$$
#
# and maximum likelihood matches one- and two-site frequencies:
# $\Delta h_i(a) = \eta\,[f_i(a) - \langle\delta_{s_i a}\rangle]$,
# $\Delta J_{ij}(a,b) = \eta\,[f_{ij}(a,b) - \langle\delta_{s_i a}\delta_{s_j b}\rangle]$, model averages from
# persistent Gibbs chains. We plant a sparse model ($L=16$ sites, $q=4$, a chain plus random
# long-range contacts), sample 2000 sequences from it, learn, and compare the **connected
# correlations** $C_{ij}(a,b) = f_{ij}(a,b) - f_i(a) f_j(b)$ of the data and of the model.

# %%
L_seq, q_seq = 16, 4
h_true, J_true = potts.random_sequence_model(L_seq, q_seq, coupling_std=1.0, field_std=0.5, degree=3, seed=0)
sequences = potts.gibbs_sequences(h_true, J_true, n_samples=2000, sweeps=40, seed=1)
f1, f2 = potts.site_frequencies(sequences, q_seq)
C_data = potts.connected_correlations(f1, f2)
bm = potts.boltzmann_learning_potts(sequences, q_seq, steps=120, lr=0.4, n_chains=1000, sweeps=2, seed=0)

# fresh, independent samples of the learned model: its correlations without training noise
model_seqs = potts.gibbs_sequences(bm["h"], bm["J"], n_samples=3000, sweeps=40, seed=5)
g1, g2 = potts.site_frequencies(model_seqs, q_seq)
C_model = potts.connected_correlations(g1, g2)
r_fresh = potts.correlation_pearson(C_data, C_model)

iu, ju = np.triu_indices(L_seq, 1)
fig, axes = plt.subplots(1, 3, figsize=(11.5, 3.5))
axes[0].plot(bm["step"], bm["pearson"], "o-", ms=3)
axes[0].axhline(0.95, color="k", lw=0.8, ls=":")
cu.plotting.label(axes[0], "training step", r"Pearson$(C^{\rm data}, C^{\rm model})$", "Boltzmann learning")
axes[1].plot(C_data[iu, :, ju, :].ravel(), C_model[iu, :, ju, :].ravel(), ".", ms=2, alpha=0.5)
lim = np.abs(C_data).max()
axes[1].plot([-lim, lim], [-lim, lim], "k", lw=0.8)
cu.plotting.label(axes[1], r"$C_{ij}(a,b)$, data", r"$C_{ij}(a,b)$, learned model", f"Pearson {r_fresh:.3f}")
axes[2].plot(J_true[iu, :, ju, :].ravel(), bm["J"][iu, :, ju, :].ravel(), ".", ms=2, alpha=0.5)
cu.plotting.label(axes[2], r"true $J_{ij}(a,b)$", r"learned $J_{ij}(a,b)$", "couplings (gauge-dependent)")
plt.show()

# %% [markdown]
# **Check: the learned model reproduces the data's correlations.** Two independent data
# sets of 2000 sequences from the true model themselves agree only to a Pearson of about
# 0.97 (finite-sample noise), so 0.95 is a demanding bar. But a Pearson correlation is blind to
# amplitude: a model whose correlations were all half as strong would score just as well. So
# we also ask for the right size: the least-squares slope of $C^{\rm model}$ against $C^{\rm data}$
# (through the origin) must be close to 1.

# %%
x_c, y_c = C_data[iu, :, ju, :].ravel(), C_model[iu, :, ju, :].ravel()
slope_C = (x_c @ y_c) / (x_c @ x_c)
print(f"Pearson of connected correlations, data vs learned model: {r_fresh:.3f} "
      f"(persistent chains at the last step: {bm['pearson'][-1]:.2f}; after {bm['step'][0]} steps: {bm['pearson'][0]:.2f})")
print(f"slope of C_model against C_data: {slope_C:.2f}")
assert r_fresh >= 0.95
# The learned model at half strength, (h, J/2), has slope 0.43-0.48 (Pearson 0.90-0.93), measured for
# COURSE_UTILS_SEED = 0-2; the learned model gives 0.96-0.98 (finite samples attenuate it slightly).
assert 0.85 < slope_C < 1.15

# %% [markdown]
# ## 6. Linkers: effective couplings of the molecules we see
#
# Murugan's section 18.1.2 points out that the binding energies cannot be chosen freely: in the
# test tube they are set by **linkers**, other molecules that bind two of the visible species and
# so mediate an interaction between them. A large interaction matrix among many species, only a
# few of which we observe, then acts on the visible ones as a smaller *effective* matrix
# $\tilde J$, and the linker concentrations become knobs that tune it. The notes state this in
# words; we derive the formula and check it by exact marginalisation.
#
# Take a ring of $n$ visible sites with a linker site between each neighbouring pair. A linker
# site holds one of $K$ hidden species $l$, binding the visible molecule $a$ on its left with
# $J^{\rm in}_{al}$ and $b$ on its right with $J^{\rm out}_{lb}$, and paying $\mu_l=-\log c_l$. With each
# bond counted twice as in eq. (19.2), a linker between $a$ and $b$ contributes
# $2J^{\rm in}_{al}+2J^{\rm out}_{lb}+\mu_l$. The linker touches only $a$ and $b$, so summing it out
# factorises bond by bond: the visible molecules see one effective bond of weight
# $e^{-2\tilde J_{ab}/T}$ with
#
# $$\tilde J_{ab} = -\frac{T}{2}\,\log\sum_{l=1}^{K}\exp\Big[-\frac{2J^{\rm in}_{al}+2J^{\rm out}_{lb}+\mu_l}{T}\Big].$$
#
# It is a free energy, not an average energy: a linker species that binds $a$ and $b$ strongly
# dominates the sum even when it is rare.

# %%
N_vis, K_link, n_ring, T_link = 3, 4, 4, 1.0
J_in = -rng.random((N_vis, K_link))  # linker l on the right face of visible a
J_out = -rng.random((K_link, N_vis))  # visible b on the right face of linker l
c_link = np.array([0.4, 0.3, 0.2, 0.1])
mu_link = potts.chemical_potentials(c_link)
J_eff = potts.linker_effective_couplings(J_in, J_out, mu_link, T_link)

# exact marginalisation: all N^n visible x K^n linker configurations of the decorated ring
vis = np.indices((N_vis,) * n_ring).reshape(n_ring, -1).T  # (N^n, n)
lnk = np.indices((K_link,) * n_ring).reshape(n_ring, -1).T  # (K^n, n)
E_full = (2 * J_in[vis[:, None, :], lnk[None]] + 2 * J_out[lnk[None], np.roll(vis, -1, 1)[:, None, :]]
          + mu_link[lnk][None]).sum(-1)  # (N^n, K^n)
log_p_marginal = np.log(np.exp(-E_full / T_link).sum(axis=1))
log_p_marginal -= np.log(np.exp(log_p_marginal).sum())


def log_p_effective(J_t):
    """log p(visible ring) for the effective Potts ring with couplings J_t, normalised by enumeration."""
    log_w = -(2 * J_t[vis, np.roll(vis, -1, 1)]).sum(-1) / T_link
    return log_w - np.log(np.exp(log_w).sum())


w_link = c_link / c_link.sum()
J_mean = (w_link[None, :, None] * (J_in[:, :, None] + J_out[None])).sum(axis=1)  # energy averaged over linkers
c_tuned = np.array([0.1, 0.1, 0.1, 0.7])  # the same linkers, mostly species 4
J_eff_tuned = potts.linker_effective_couplings(J_in, J_out, potts.chemical_potentials(c_tuned), T_link)

fig, axes = plt.subplots(1, 3, figsize=(11.2, 3.4))
for ax, Jm, title in ((axes[0], J_eff, rf"$\tilde J$, $c_l$ = {c_link.tolist()}"),
                      (axes[1], J_eff_tuned, rf"$\tilde J$, $c_l$ = {c_tuned.tolist()}")):
    im = ax.imshow(Jm, cmap="RdBu", vmin=-1.5, vmax=1.5)
    for (i, j), v in np.ndenumerate(Jm):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
    cu.plotting.label(ax, "visible $b$ (right)", "visible $a$ (left)", title)
    ax.set_xticks(range(N_vis)), ax.set_yticks(range(N_vis)), ax.grid(False)
fig.colorbar(im, ax=axes[:2], shrink=0.8, label=r"$\tilde J_{ab}$")
p_sorted = np.argsort(log_p_marginal)
axes[2].plot(log_p_marginal, log_p_effective(J_eff), "o", ms=3, label=r"formula for $\tilde J$")
axes[2].plot(log_p_marginal, log_p_effective(J_mean), "x", ms=3, color="C3", label="linker-averaged energy")
axes[2].plot(log_p_marginal[p_sorted], log_p_marginal[p_sorted], "k", lw=0.8)
cu.plotting.label(axes[2], r"$\log p(\sigma)$, linkers summed out", r"$\log p(\sigma)$, effective ring",
                  rf"all ${N_vis}^{n_ring}$ visible rings")
axes[2].legend(fontsize=8)
plt.show()

# %% [markdown]
# **Check: the formula is the exact marginal.** For each of the $3^4$ visible rings, the log
# probability after summing over all $4^4$ linker configurations must equal that of the effective
# Potts ring with couplings $\tilde J$, to round-off. The plausible shortcut, averaging the bond
# energy over the linker species with weights $c_l$, misses the free-energy (log-sum) structure.

# %%
err_formula = np.abs(log_p_marginal - log_p_effective(J_eff)).max()
err_mean = np.abs(log_p_marginal - log_p_effective(J_mean)).max()
print(f"max |log p_marginal - log p_effective|: formula < 1e-10: {err_formula < 1e-10};"
      f"  linker-averaged energy: {err_mean:.2f}")
print("retuning the linker concentrations changes J_eff by up to", f"{np.abs(J_eff_tuned - J_eff).max():.1f}")
# Measured: the averaged-energy J (J_in + J_out weighted by c_l) gives max |d log p| = 0.78 here and
# 1.19, 0.52, 0.57 for these cells alone with seeds 0-2; the formula agrees to 4e-15. We require < 1e-10
# (round-off) and > 0.1 for the shortcut.
assert err_formula < 1e-10
assert err_mean > 0.1

# %% [markdown]
# ## 7. Place models: molecules keep their identity, only positions move
#
# Murugan's section 19.3 turns the picture around. Start from an Ising-like model on a lattice, but
# let its "spins" be *labelled objects*: one copy of each of $N$ molecules on $N$ sites. The
# **place model** samples all the permutations $\pi$ (which molecule sits where) with the same lattice
# and couplings,
#
# $$p(\pi) = \frac{1}{Z}\,e^{-E(\pi)/T},\qquad E(\pi) = \sum_{x}\sum_{x'\in\partial x} J_{\pi(x),\pi(x')},$$
#
# the energy of eq. (19.2) restricted to arrangements with every species exactly once (no chemical
# potential: the composition is fixed). Translating an arrangement on the torus leaves its energy
# unchanged, so a stored structure comes with its translates (the 8 ground states in the density of
# states below), and the other arrangements cost broken contacts. Small place models are exactly
# solvable by enumerating the $N!$ permutations. We store one structure of $N=8$ molecules on a $2\times4$
# torus ($8!=40\,320$ arrangements) with Hebbian face couplings, and sample it with moves that
# *swap* two molecules (Metropolis; a symmetric proposal that conserves the composition).

# %%
N_place, shape_place, T_place = 8, (2, 4), 2.5
S_place = rng.permutation(N_place).reshape(1, *shape_place)
J_place = potts.hebbian_species_couplings(S_place, N_place)
perms = np.array(list(itertools.permutations(range(N_place)))).reshape(-1, *shape_place)
E_perm = potts.potts_energy(perms, J_place)
m_perm = potts.structure_overlaps(perms, S_place, N_place)[:, 0]
T_grid = np.linspace(1.0, 5.0, 41)
m_exact_T = np.array([np.exp(-(E_perm - E_perm.min()) / t) @ m_perm / np.exp(-(E_perm - E_perm.min()) / t).sum()
                      for t in T_grid])
p_place = np.exp(-(E_perm - E_perm.min()) / T_place)
p_place /= p_place.sum()
m_exact = p_place @ m_perm

n_chains_place = 400
start_place = np.argsort(rng.random((n_chains_place, N_place)), axis=1).reshape(-1, *shape_place)
swap = potts.place_swap_sweeps(J_place, start_place, T_place, 60, seed=6)
m_swap = potts.structure_overlaps(swap["sigma"], S_place, N_place)[:, 0]
potts_hb = potts.heat_bath_sweeps(J_place, None, start_place, T_place, 60, seed=6)  # species may repeat
m_potts = potts.structure_overlaps(potts_hb["sigma"], S_place, N_place)[:, 0]

fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.4))
axes[0].plot(T_grid, m_exact_T, "k", label="place model, exact ($8!$ permutations)")
for m_s, name, col in ((m_swap, "swap Metropolis", "C0"), (m_potts, "Potts heat bath (species not conserved)", "C3")):
    axes[0].errorbar(T_place, m_s.mean(), yerr=2 * m_s.std(ddof=1) / np.sqrt(n_chains_place), fmt="o",
                     color=col, label=name)
cu.plotting.label(axes[0], "$T$", r"$\langle m\rangle$ (stored contacts)", rf"$N={N_place}$ on a $2\times4$ torus")
axes[0].legend(fontsize=8)
levels, counts = np.unique(E_perm, return_counts=True)
axes[1].bar(levels, counts, width=1.5)
axes[1].set_yscale("log")
cu.plotting.label(axes[1], r"$E(\pi)$", "number of permutations", "density of states of the place model")
plt.show()

# %% [markdown]
# **Check: the swap sampler samples the place model.** The mean overlap of 400 chains must match the
# enumeration within 4.5 standard errors. The plausible slip is to sample the place model with the
# Potts heat bath of section 1, which redraws the *species* of a site and so lets molecules be
# duplicated or vanish: it samples another model.

# %%
se_swap = m_swap.std(ddof=1) / np.sqrt(n_chains_place)
z_swap = abs(m_swap.mean() - m_exact) / se_swap
z_potts = abs(m_potts.mean() - m_exact) / (m_potts.std(ddof=1) / np.sqrt(n_chains_place))
print(f"<m> at T = {T_place}: exact {m_exact:.3f}   swap sampler {m_swap.mean():.2f}   Potts heat bath {m_potts.mean():.2f}")
print(f"|swap - exact| / s.e. < 4.5: {z_swap < 4.5};   |Potts - exact| / s.e. > 20: {z_potts > 20}")
# Measured (these cells alone, seeds 0-2): the swap sampler lies 0.3-1.6 s.e. from the exact 0.812; the
# Potts heat bath (composition not conserved) gives <m> = 0.35, z = 51-53.
assert z_swap < 4.5
assert z_potts > 20

# %% [markdown]
# ## 8. Phase boundaries as classifiers
#
# Murugan's introduction to part VII proposes to let a material *compute* by which phase it enters: the
# inputs are control parameters (temperature, concentrations), the output is the structure that
# forms, and the decision boundary of the classifier is a phase boundary. We build the smallest
# such classifier that can be solved exactly: a ring of $L$ sites and two stored structures with
# disjoint species, structure A the cycle $0\to1\to2\to0$ (bond $-\epsilon_A$ when $k+1$ sits to
# the right of $k$) and structure B the cycle $3\to4\to5\to6\to3$ (bond $-\epsilon_B$). The input is
# the concentration ratio of the two sets of molecules, $\mu_i = \pm\Delta\mu/2$ for the A and B
# species. Each site of a perfect A ring has energy $2(-\epsilon_A)+\mu_A$ (two bonds per site,
# each counted twice in eq. 19.2, shared by two sites), so at low temperature A wins when
#
# $$-2\epsilon_A + \tfrac{\Delta\mu}{2} < -2\epsilon_B - \tfrac{\Delta\mu}{2}
# \quad\Longleftrightarrow\quad \Delta\mu < \Delta\mu^\ast = 2(\epsilon_A-\epsilon_B).$$
#
# A ring has no sharp phase transition, but at low $T$ the crossover is steep; its exact position at
# finite $T$ follows from the transfer matrix $M_{ab}=e^{-(2J_{ab}+\mu_a)/T}$, whose powers give the
# exact contact fractions $f_{ab}=M_{ab}(M^{L-1})_{ba}/{\rm tr}M^L$. The output of the classifier is
# $\phi = f_A - f_B$, the fraction of bonds that are A contacts minus those that are B contacts. We
# measure it with the heat bath of section 1 from random mixtures (a $2\times L$ lattice with no
# vertical binding: two independent rings per chain).

# %%
eps_A, eps_B, L_ring, T_ring = 1.5, 1.0, 24, 0.6
J_ring = np.zeros((7, 7))
for k in range(3):
    J_ring[k, (k + 1) % 3] = -eps_A
for k in range(4):
    J_ring[3 + k, 3 + (k + 1) % 4] = -eps_B
in_A = np.zeros((7, 7), bool)
in_A[:3, :3] = True


def ring_mu(d_mu):
    """mu_i = +d_mu/2 for the A species, -d_mu/2 for the B species (d_mu > 0 favours B)."""
    return np.r_[np.full(3, d_mu / 2), np.full(4, -d_mu / 2)]


def phi_of(f):
    """Classifier output phi = (fraction of A contacts) - (fraction of B contacts) of contact fractions f."""
    return (f * ((J_ring < 0) & in_A)).sum((-2, -1)) - (f * ((J_ring < 0) & ~in_A)).sum((-2, -1))


dmu_fine = np.linspace(0.0, 2.0, 201)
phi_exact_fine = np.array([phi_of(potts.ring_contact_fractions(J_ring, ring_mu(d), T_ring, L_ring)) for d in dmu_fine])
dmu_grid = np.array([0.35, 0.6, 0.85, 1.1, 1.35])
n_chains_ring = 32
phi_sim = np.empty((dmu_grid.size, n_chains_ring))
for k, d in enumerate(dmu_grid):
    s0 = rng.integers(0, 7, size=(n_chains_ring, 2, L_ring))
    out = potts.heat_bath_sweeps(np.stack([J_ring, np.zeros((7, 7))]), ring_mu(d), s0, T_ring, 200, seed=20 + k)
    phi_sim[k] = phi_of(potts.contact_counts(out["sigma"], 7)[:, 0] / (2 * L_ring))
phi_mean, phi_se = phi_sim.mean(1), phi_sim.std(1, ddof=1) / np.sqrt(n_chains_ring)
dmu_star, dmu_wrong = 2 * (eps_A - eps_B), eps_A - eps_B

fig, ax = plt.subplots(figsize=(6.8, 3.5))
ax.plot(dmu_fine, phi_exact_fine, "k", label=rf"exact (transfer matrix), $T={T_ring}$, $L={L_ring}$")
ax.errorbar(dmu_grid, phi_mean, yerr=2 * phi_se, fmt="o", color="C0", capsize=3, label="heat bath (2 s.e.)")
ax.axvline(dmu_star, color="C2", ls="--", label=r"$\Delta\mu^\ast=2(\epsilon_A-\epsilon_B)$")
ax.axvline(dmu_wrong, color="C3", ls=":", label=r"bonds counted once: $\epsilon_A-\epsilon_B$")
ax.axhline(0, color="0.5", lw=0.6)
cu.plotting.label(ax, r"input $\Delta\mu = \mu_A-\mu_B = T\log(c_B/c_A)$", r"output $\phi = f_A - f_B$",
                  "which structure forms")
ax.text(0.1, 0.75, r"A forms ($\phi>0$)", color="C0"), ax.text(1.4, -0.7, r"B forms ($\phi<0$)", color="C3")
ax.legend(fontsize=7, loc="center left")
plt.show()

# %% [markdown]
# **Check: the predicted decision boundary classifies the simulations.** At every input on the
# grid the simulated output must agree with the transfer matrix within 4.5 standard errors, and its
# sign (the class) must be the one the boundary $\Delta\mu^\ast$ predicts, with $|\phi|$ more than 4.5 standard
# errors from zero. Counting each bond once puts the boundary at $\epsilon_A-\epsilon_B=0.5$ and
# misclassifies the inputs between 0.5 and 1. The exact boundary sits slightly below $\Delta\mu^\ast$:
# at $T>0$ the B ring, whose bonds are weaker, gains more from thermal defects.

# %%
# where every chain gives the same phi (a perfect A ring deep in its class) the sample s.e. is 0; we floor
# it at one bond's change per chain, 1/(2 L sqrt(n_chains)) = 0.004, the resolution of the measurement
phi_se = np.maximum(phi_se, 1 / (2 * L_ring * np.sqrt(n_chains_ring)))
z_ring = np.abs(phi_mean - np.interp(dmu_grid, dmu_fine, phi_exact_fine)) / phi_se
root_exact = dmu_fine[np.argmin(np.abs(phi_exact_fine))]
ok_class = np.sign(phi_mean) == np.sign(dmu_star - dmu_grid)
ok_wrong = np.sign(phi_mean) == np.sign(dmu_wrong - dmu_grid)
print(f"exact boundary at T = {T_ring}: {root_exact:.2f}  (T = 0 formula {dmu_star:.2f}; bonds counted once {dmu_wrong:.2f})")
print(f"simulation vs transfer matrix, max z < 4.5: {z_ring.max() < 4.5};  |phi| / s.e. > 4.5 everywhere: "
      f"{np.all(np.abs(phi_mean) / phi_se > 4.5)}")
print(f"inputs classified as the boundary predicts: formula {ok_class.sum()}/{dmu_grid.size}, "
      f"bonds counted once {ok_wrong.sum()}/{dmu_grid.size}")
# Measured: the bonds-counted-once boundary (0.5) classifies 3 of the 5 inputs right: it puts 0.6 and
# 0.85 in B, where the simulated phi = +1.00 and +0.89-0.91 (>= 20 s.e. above 0) for seeds 0-2 of these
# cells. Simulation vs transfer matrix: z <= 1.3. The T = 0 boundary 1.0 lies 0.03 above the exact one.
assert z_ring.max() < 4.5 and np.all(np.abs(phi_mean) / phi_se > 4.5)
assert np.all(ok_class)
assert abs(root_exact - dmu_star) < 0.1

# %% [markdown]
# ## 9. Live: which structure assembles?
#
# Without a seed, a mixture can still be steered: raise the concentration of a few
# species that are neighbours in one structure (a $3\times3$ patch of it): lower their $\mu_i$
# (the notes' sign) by $\Delta\mu$, which raises their thermodynamic chemical potential by $\Delta\mu$
# and, with weights $e^{-\mu_i n_i/T}$, multiplies their concentration by $e^{\Delta\mu/T}$. They
# nucleate *that* structure. Move the temperature
# and $\Delta\mu$: too hot and nothing assembles, too cold and every region nucleates its
# own chimera, too weak a bias and the choice is random.

# %%
L_live = 16


def plot_assembly(T=0.6, delta_mu=2.0, target=1, sweeps=80):
    """Random start; the species of a 3x3 patch of structure `target` at mu_i = -delta_mu (concentration x e^{delta_mu/T})."""
    S = structures[:, :L_live, :L_live]
    mu = np.zeros(N_species)
    mu[np.unique(S[target - 1, :3, :3])] = -delta_mu
    start = cu.make_rng(11).integers(0, N_species, size=(4, L_live, L_live))
    out = potts.heat_bath_sweeps(J_hebb, mu, start, T, sweeps, seed=12, structures=S, record_every=sweeps)
    m = out["overlap"][:, -1]
    fig, axes = plt.subplots(1, 3, figsize=(10.3, 3.2), gridspec_kw={"width_ratios": [1.3, 1, 1]})
    axes[0].bar(np.arange(1, M_stored + 1), m.mean(axis=0), yerr=m.std(axis=0), color=["C0", "C3"][:M_stored])
    axes[0].set_ylim(0, 1)
    cu.plotting.label(axes[0], r"structure $\alpha$", r"overlap $m_\alpha$ (4 runs)", rf"$T={T:.2f}$, $\Delta\mu={delta_mu:.1f}$")
    for k in range(2):
        axes[k + 1].imshow(bond_map(out["sigma"][k], S, N_species), cmap=bond_cmap, vmin=0, vmax=4)
        axes[k + 1].set_title(f"run {k + 1} (blue: 1, red: 2)")
        axes[k + 1].set_xticks([]), axes[k + 1].set_yticks([])
    plt.show()
    return m.mean(axis=0)


m_live = plot_assembly()
print("mean overlaps:", m_live.round(2))

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_assembly, T=(0.3, 1.2, 0.05), delta_mu=(0.0, 4.0, 0.25), target=[1, 2], sweeps=(20, 200, 20))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Why faces?** Replace the face-specific Hebbian couplings by the isotropic matrix
# $J_{ab} = J^{\rm h}_{ab}+J^{\rm h}_{ba}+J^{\rm v}_{ab}+J^{\rm v}_{ba}$ (eq. 19.2 as written,
# symmetric) and repeat the seeded assembly of section 2 on a $16\times16$ lattice. What
# does the mixture build? Count the species present in the final configuration.

# %% tags=["solution"]
# Solution 1: isotropic couplings cannot tell "b right of a" from "b left of a" (or from
# "b below a"): two species that touch in any structure can tile the plane as a
# checkerboard with every bond attractive, and pairs shared by structures bind twice.
J_iso = J_hebb[0] + J_hebb[0].T + J_hebb[1] + J_hebb[1].T
S16 = structures[:, :16, :16]
s0 = cu.make_rng(21).integers(0, N_species, size=(2, 16, 16))
s0[:, 4:12, 4:12] = S16[0, 4:12, 4:12]
for name, J_try in (("face-specific", J_hebb), ("isotropic", J_iso)):
    out = potts.heat_bath_sweeps(J_try, None, s0, 0.6, 150, seed=22, structures=S16, record_every=150)
    n_present = [np.unique(x).size for x in out["sigma"]]
    print(f"{name:13s}: overlap with structure 1 {out['overlap'][:, -1, 0].round(2)}, species present {n_present}")

# %% [markdown]
# **Exercise 2. Chemical potentials.** With $J=0$ the sites are independent. Show that at $T=1$
# species $i$ then occupies a fraction $c_i$ of the sites, and check it with the sampler
# for $c = (0.5, 0.3, 0.2)$.

# %% tags=["solution"]
# Solution 2: with J = 0, p(sigma) = prod_x c_{sigma(x)} / Z, Z = (sum_i c_i)^|Lambda| = 1,
# so every site independently holds species i with probability c_i.
c = np.array([0.5, 0.3, 0.2])
out = potts.heat_bath_sweeps(np.zeros((3, 3)), potts.chemical_potentials(c), np.zeros((8, 16, 16), int), 1.0, 5, seed=3)
print("occupation fractions:", (np.bincount(out["sigma"].ravel(), minlength=3) / out["sigma"].size).round(3))

# %% [markdown]
# **Exercise 3. Contacts from couplings.** Rank the pairs $i<j$ by the Frobenius norm
# $\|J_{ij}\|_F$ of the learned couplings (section 5). What fraction of the top-ranked
# pairs are true interactions of the planted model? Compare with ranking by
# $\|C_{ij}\|_F$, the raw correlations.

# %% tags=["solution"]
# Solution 3: the Frobenius norm of J_ij is large only for directly coupled pairs; the
# correlations C_ij are also large for pairs coupled through a third site.
true_pairs = np.abs(J_true).sum(axis=(1, 3)) > 0
n_true = int(true_pairs[iu, ju].sum())
for name, X in (("learned J", bm["J"]), ("correlations C", C_data)):
    score = np.sqrt((X**2).sum(axis=(1, 3)))[iu, ju]
    top = np.argsort(score)[::-1][:n_true]
    print(f"{name:15s}: {true_pairs[iu, ju][top].mean():.2f} of the top {n_true} pairs are true contacts")

# %% [markdown]
# ## References
# - A. Murugan, Z. Zeravcic, M. P. Brenner, S. Leibler, *Multifarious assembly mixtures:
#   systems allowing retrieval of diverse stored structures*, PNAS 112, 54 (2015).
# - J. J. Hopfield, *Neural networks and physical systems with emergent collective
#   computational abilities*, PNAS 79, 2554 (1982).
# - D. H. Ackley, G. E. Hinton, T. J. Sejnowski, *A learning algorithm for Boltzmann
#   machines*, Cognitive Science 9, 147 (1985).
# - G. E. Hinton, P. Dayan, B. J. Frey, R. M. Neal, *The "wake-sleep" algorithm for
#   unsupervised neural networks*, Science 268, 1158 (1995).
# - M. Figliuzzi, P. Barrat-Charlaix, M. Weigt, *How pairwise coevolutionary models capture
#   the collective residue variability in proteins*, Mol. Biol. Evol. 35, 1018 (2018).
# - A. P. Muntoni, A. Pagnani, M. Weigt, F. Zamponi, *adabmDCA: adaptive Boltzmann machine
#   learning for biological sequences*, BMC Bioinformatics 22, 528 (2021).
# - Beg Rohu 2025 lecture notes, part VII (A. Murugan, *Learning without neurons*), sections 18.1.2
#   (linkers), 19.2 (Potts model of molecular networks) and 19.3 (place models).
# - I. Syozi, *Transformation of Ising models*, in Phase Transitions and Critical Phenomena, vol. 1 (1972):
#   the decoration transformation behind the linker formula of section 6.
