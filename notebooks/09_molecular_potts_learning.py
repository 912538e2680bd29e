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
# - write the Potts energy of a molecular mixture on a lattice, with chemical potentials
#   $\mu_i = -\log c_i$, and sample it with a vectorised heat-bath algorithm checked against
#   exact enumeration;
# - store several structures with a Hebbian rule and watch a seed (or a concentration
#   bias) select which one assembles; measure overlaps and the storage capacity;
# - train the couplings by the sleep-wake rule $\Delta J \propto \langle\cdot\rangle_{\rm model}
#   - \langle\cdot\rangle_{\rm data}$ on contact statistics;
# - learn a Potts model of sequences by Boltzmann machine learning and judge it by its
#   connected two-site correlations.
#
# *Source:* *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), part VII (Arvind Murugan, *Learning without neurons*:
# Hopfield associative memory, multifarious assembly mixtures, training of molecular
# networks, Potts model of molecular networks), eqs. (18.1)-(19.2).

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from scipy import stats

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
# array operation. First, the check: on a $2\times2$ lattice with $N=3$ species there are
# only $3^4 = 81$ configurations, so the exact Boltzmann law is a sum we can do.

# %%
A_small = rng.standard_normal((3, 3))
# isotropic, symmetric couplings scaled to max |J_ab| = 0.5: weak enough that 200 sweeps equilibrate
# for any draw (unscaled, 3 draws in 12 had two ordered states ~12 kT apart, and the chains stayed
# where they started: the test would then measure the mixing time, not the Boltzmann law)
J_small = 0.5 * (A_small + A_small.T) / np.abs(A_small + A_small.T).max()
c_small = np.array([0.5, 0.3, 0.2])
mu_small = potts.chemical_potentials(c_small)  # mu_i = -log c_i
T_small = 1.3
exact_small = potts.exact_lattice_distribution(J_small, mu_small, (2, 2), T_small)

n_chains_small = 4000
start = rng.integers(0, 3, size=(n_chains_small, 2, 2))
hb = potts.heat_bath_sweeps(J_small, mu_small, start, T_small, sweeps=200, seed=1)
codes = hb["sigma"].reshape(n_chains_small, 4) @ 3 ** np.arange(3, -1, -1)
freq_small = np.bincount(codes, minlength=81) / n_chains_small

fig, ax = plt.subplots(figsize=(7.5, 3.4))
order = np.argsort(exact_small["p"])[::-1]
ax.bar(np.arange(81), freq_small[order], color="C1", alpha=0.6, label="heat bath (4000 chains)")
ax.plot(np.arange(81), exact_small["p"][order], "k.", ms=4, label="exact $e^{-E/T}/Z$")
cu.plotting.label(ax, r"configuration $\sigma$ (sorted by exact probability)", r"$p(\sigma)$",
                  r"$2\times2$ lattice, $N=3$ species, $T=1.3$")
ax.legend()
plt.show()

# %% [markdown]
# **Check: sampler against enumeration.** Each of the 81 counts is binomial with mean
# $4000\,p(\sigma)$. Many configurations are so rare that they are expected less than 5
# times, where the Gaussian approximation fails; they are pooled into one cell. Then the
# $\chi^2$ over the cells must be ordinary for its degrees of freedom, and so must the largest
# deviation of a single count in units of its standard error.

# %%
expected = n_chains_small * exact_small["p"]
counts = np.bincount(codes, minlength=81)
big = expected >= 5
obs = np.append(counts[big], counts[~big].sum())
exp_ = np.append(expected[big], expected[~big].sum())
chi2 = np.sum((obs - exp_) ** 2 / exp_)
dof = obs.size - 1
p_chi2 = stats.chi2.sf(chi2, dof)
z_max = np.max(np.abs(counts - expected)[big] / np.sqrt(expected * (1 - exact_small["p"]))[big])
print(f"chi^2 = {chi2:.0f} for {dof} degrees of freedom: p-value > 1e-4: {p_chi2 > 1e-4};"
      f"  largest |count - expected| / s.e. < 5: {z_max < 5}")
e_mc = potts.potts_energy(hb["sigma"], J_small, mu_small).mean()
e_exact = exact_small["p"] @ potts.potts_energy(exact_small["states"], J_small, mu_small)
print(f"<E>: heat bath {e_mc:.2f}   exact {e_exact:.2f}")
# A correct sampler fails this with probability ~1e-4 per test. Measured over COURSE_UTILS_SEED =
# 0..29: p-values 0.006-0.98, largest z 4.5. A sampler with the plausible slip of Boltzmann weights
# e^{-E} instead of e^{-E/T} (sampling at T = 1 instead of 1.3) gives chi^2 = 420-910 over 5 draws
# (p < 1e-50).
assert p_chi2 > 1e-4 and z_max < 5
assert abs(e_mc - e_exact) < 5 * potts.potts_energy(hb["sigma"], J_small, mu_small).std() / np.sqrt(n_chains_small)

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
# below melting, $T_m\approx 4\epsilon/\log N$), and read the final overlap $m_1$. The
# capacity $M_c(N)$ is where the mean overlap crosses $1/2$.

# %%
species_list = [16, 36, 64, 100]  # tiles 4x4 ... 10x10 (add 144 for class)
M_list = np.array([1, 2, 3, 4, 5, 6, 8])
n_rep, sweeps_cap, T_cap = 4, 80, 0.5
retrieval = np.empty((len(species_list), M_list.size))
for i, N in enumerate(species_list):
    k = int(np.sqrt(N))
    Lc = 2 * k  # a 2 x 2 block of tiles on a torus
    for j, M in enumerate(M_list):
        S = potts.random_structures(int(M), N, Lc, seed=100 * i + j)
        s0 = np.repeat(S[:1], n_rep, axis=0)
        noise = rng.random(s0.shape) < 0.5
        s0[noise] = rng.integers(0, N, size=noise.sum())
        out = potts.heat_bath_sweeps(potts.hebbian_species_couplings(S, N), None, s0, T_cap, sweeps_cap,
                                     seed=7 + j, structures=S[:1], record_every=sweeps_cap)
        retrieval[i, j] = out["overlap"][:, -1, 0].mean()


def crossover(ms, overlaps, level=0.5):
    """First M where the overlap falls below `level`, linearly interpolated."""
    below = np.flatnonzero(overlaps < level)
    if below.size == 0 or below[0] == 0:
        return np.nan
    j = below[0]
    return ms[j - 1] + (overlaps[j - 1] - level) / (overlaps[j - 1] - overlaps[j]) * (ms[j] - ms[j - 1])


M_c = np.array([crossover(M_list, r) for r in retrieval])
fig, axes = plt.subplots(1, 2, figsize=(10.3, 3.6))
for i, N in enumerate(species_list):
    axes[0].plot(M_list, retrieval[i], "o-", color=f"C{i}", label=f"$N={N}$")
    axes[0].axvline(M_c[i], color=f"C{i}", ls=":", lw=1)
axes[0].axhline(0.5, color="k", lw=0.8)
cu.plotting.label(axes[0], "number of stored structures $M$", r"retrieval overlap $m_1$",
                  f"seeded retrieval, $T={T_cap}$")
axes[0].legend()
axes[1].plot(species_list, M_c, "ko-")
cu.plotting.label(axes[1], "number of species $N$", r"capacity $M_c$ (overlap $=1/2$)", "storage capacity")
plt.show()
print("N  :", species_list)
print("M_c:", M_c.round(1))

# %% [markdown]
# **Check.** With one structure retrieval is perfect for every $N$ (it is the unique
# ground state), and a larger mixture holds more structures: with four random seeds per
# point, the crossover moves out by more than one structure from $N=16$ to $N=100$.

# %%
print("m_1 at M = 1:", retrieval[:, 0].round(3))
assert np.all(retrieval[:, 0] > 0.95)  # a few thermal defects at T = 0.5 at most
assert np.all(np.isfinite(M_c)) and M_c[-1] > M_c[0] + 1

# %% [markdown]
# ## 4. Training the molecular network: the sleep-wake rule
#
# Hebb's rule needs the structures written out. Can the mixture *learn* them from
# examples, by a physical process? Take $Q_J(\sigma)\propto e^{-E_J(\sigma)/T}$ as the model and
# examples drawn from a target law $P$. Minimising $D_{\rm KL}(P\,\|\,Q_J)$ (maximum likelihood)
# by gradient descent gives, because $\partial E/\partial J^d_{ab} = 2 n^d_{ab}(\sigma)$ counts the
# $(a,b)$ contacts in direction $d$,
#
# $$\Delta J^d_{ab} = \eta\,\frac{2}{T}\Big(\big\langle n^d_{ab}\big\rangle_{Q_J} - \big\langle n^d_{ab}\big\rangle_{P}\Big),$$
#
# the rule of eq. (19.1) in the notes' sign convention $w=-J$: strengthen contacts that the
# data shows more often than the model, weaken those the model makes up. One phase reads
# the contact statistics of the data (the *wake* phase, clamped to examples), the other lets
# the mixture assemble freely under the current $J$ (the *sleep* phase, here persistent
# heat-bath chains). Data: 16 translated copies of two structures of $N=36$ species.

# %%
N_train, L_train = 36, 12
S_train = potts.random_structures(2, N_train, L_train, seed=3)
shifts = rng.integers(0, 6, size=(16, 2))
data_train = np.stack([np.roll(S_train[i % 2], tuple(shifts[i]), (0, 1)) for i in range(16)])
J_hebb_train = potts.hebbian_species_couplings(S_train, N_train)
learned = potts.sleep_wake_learning(data_train, N_train, T=1.0, steps=200, lr=10.0, n_chains=8, sweeps=2, seed=0)
J_learned = learned["J"]

fig, axes = plt.subplots(1, 3, figsize=(11.5, 3.5))
axes[0].semilogy(np.arange(1, 201), learned["mismatch"])
cu.plotting.label(axes[0], "training step", r"$\sum|\langle n\rangle_{\rm data}-\langle n\rangle_{\rm model}|$ per bond",
                  "sleep-wake training")
for ax, Jm, title in ((axes[1], J_hebb_train, "Hebbian"), (axes[2], J_learned, "learned (sleep-wake)")):
    im = ax.imshow(Jm[0], cmap="RdBu", vmin=-4, vmax=4)
    cu.plotting.label(ax, "species $b$", "species $a$", rf"{title} $J^{{\rm h}}_{{ab}}$")
    ax.grid(False)
fig.colorbar(im, ax=axes[1:], shrink=0.8)
plt.show()

# %% [markdown]
# **Check: what was learned.** The learned matrix should put its attraction where Hebb's
# rule does, and the learned mixture should retrieve both structures from half-corrupted
# seeds at the training temperature (eight runs, four per structure).

# %%
r_J = np.corrcoef(J_learned.ravel(), J_hebb_train.ravel())[0, 1]
on = J_hebb_train < 0
print(f"corr(J_learned, J_Hebb) = {r_J:.2f};  mean learned J on contacts {J_learned[on].mean():.1f}, "
      f"elsewhere {J_learned[~on].mean():.1f}")
s0 = np.repeat(S_train, 4, axis=0)  # 4 runs seeded with each structure
noise = rng.random(s0.shape) < 0.5
s0[noise] = rng.integers(0, N_train, size=noise.sum())
recall = potts.heat_bath_sweeps(J_learned, None, s0, 1.0, 100, seed=5, structures=S_train, record_every=100)
m_recall = recall["overlap"][np.arange(8), -1, np.repeat([0, 1], 4)]
print("mismatch: first step", f"{learned['mismatch'][0]:.2f}", " last 20 steps", f"{learned['mismatch'][-20:].mean():.2f}")
print("retrieval overlaps with the learned couplings:", m_recall.round(2))
# the pattern of J is Hebb's up to a scale and a uniform offset: a correlation of 0.9 is far
# above chance (~0.03 contacts per pair); the contact mismatch must fall at least 5-fold
assert r_J > 0.9 and J_learned[on].mean() < J_learned[~on].mean() - 2
assert learned["mismatch"][-20:].mean() < 0.2 * learned["mismatch"][0]
# the learned |J| is ~4x Hebb's, so T = 1 is a deep quench: a run may freeze a domain wall
# between two translates (overlap ~0.8); most runs must retrieve their structure cleanly
assert np.median(m_recall) > 0.95 and m_recall.mean() > 0.8

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
# 0.97 (finite-sample noise), so 0.95 is a demanding bar.

# %%
print(f"Pearson of connected correlations, data vs learned model: {r_fresh:.3f} "
      f"(persistent chains at the last step: {bm['pearson'][-1]:.3f}; independent-site start: {bm['pearson'][0]:.3f})")
assert r_fresh >= 0.95

# %% [markdown]
# ## 6. Live: which structure assembles?
#
# Without a seed, a mixture can still be steered: raise the concentration of a few
# species that are neighbours in one structure (a $3\times3$ patch of it) by lowering their
# chemical potential by $\Delta\mu$, and they nucleate *that* structure. Move the temperature
# and $\Delta\mu$: too hot and nothing assembles, too cold and every region nucleates its
# own chimera, too weak a bias and the choice is random.

# %%
L_live = 16


def plot_assembly(T=0.6, delta_mu=2.0, target=1, sweeps=80):
    """Random start, species of a 3x3 patch of structure `target` at chemical potential -delta_mu."""
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
# - Beg Rohu 2025 lecture notes, part VII (A. Murugan, *Learning without neurons*).
