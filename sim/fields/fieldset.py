"""The named fields of a run: one float32 array ``state.arrays["fields"]``
[n_fields, nx, ny, nz] on the device, the per-field tables the kernels take,
the agent source/uptake/sample API and one reaction–diffusion step.

Agents' sources and uptakes are summed per voxel in fixed point (int64, see
``FieldSpec.source_fraction_bits``) in ``state.arrays["fields_source_<name>"]``
and ``["fields_uptake_<name>"]`` (created on first use, so checkpoints carry
what was deposited but not yet applied) and applied by the next step.
"""

from __future__ import annotations

import math

import numpy as np

from alveosim.arrays import declare
from alveosim.channels import LABELS
from alveosim.fields.config import FieldsSection
from alveosim.fields.plasma import unit_suffix
from alveosim.fields.solvers import ExplicitStencil, Grid, ImplicitCG, ImplicitLOD, face_table
from alveosim.labels import BLOOD, NAMES, SEPTUM
from alveosim.operations import Column

# One molecule in µm³ expressed in pM·µm³ (1 molecule/µm³ = 1e27/N_A pM): the
# source rate of a pM field for an agent secreting one molecule per second.
MOLECULE_PM_UM3 = 1e27 / 6.02214076e23

# fixed-point accumulators: working storage, not a view of the tissue
declare("fields_source_*", "fixed-point source accumulator", internal=True)
declare("fields_uptake_*", "fixed-point uptake accumulator", internal=True)


class FieldSet:
    """Fields declared in ``config.fields``; ``names`` in storage order."""

    def __init__(self, sim, section: FieldsSection):
        self.sim = sim
        self.section = section
        sim.channels.optional(LABELS, "alveosim.fields")  # without a lattice: one tissue label everywhere
        self.names = list(section.named)
        self.specs = [section.named[n] for n in self.names]
        dom = sim.config.domain
        self.shape = tuple(int(s) for s in dom.shape)
        self.h = float(dom.voxel)
        self.voxel_volume = self.h**3
        self.n_voxels = int(np.prod(self.shape))
        be = sim.backend
        self.d_tables = [np.array([s.label_table()[lab] for lab in sorted(NAMES)], dtype=np.float64) for s in self.specs]
        self.gtabs = [be.asarray(face_table(d)) for d in self.d_tables]
        self.d_max = [float(face_table(d).max()) for d in self.d_tables]
        fixed = []
        for s in self.specs:
            f = np.zeros(len(NAMES), dtype=np.uint8)
            if s.plasma is not None:
                f[list(BLOOD)] = 1
            fixed.append(be.asarray(f))
        self.fixed = fixed
        self.grid = None
        self.iterations: dict[str, int] = {}  # implicit_cg: iterations of each field's last solve
        self._k = be.kernels("sources")
        self._kd = be.kernels("diffusion")

    # -- set-up -------------------------------------------------------------
    def index(self, name: str) -> int:
        """Position of field ``name`` in ``state.arrays["fields"]``."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"no field {name!r}; declared: {self.names}") from None

    def initialize(self, state) -> None:
        """Initial concentrations of a new run (each field uniform)."""
        host = np.empty((len(self.names), *self.shape), dtype=np.float32)
        for i, s in enumerate(self.specs):
            host[i] = s.initial
        state.arrays["fields"] = state.backend.asarray(host)

    def bind(self, state) -> None:
        """Take the lattice labels (or one tissue label everywhere when the run
        has no lattice) and allocate the solver's scratch."""
        be = state.backend
        labels = state.arrays.get(LABELS)  # optional: the fields work without a lattice
        if labels is None:
            labels = be.xp.full(self.shape, SEPTUM, dtype=np.uint8)
        elif tuple(labels.shape) != self.shape:
            raise ValueError(f"labels shape {tuple(labels.shape)} differs from the domain shape {self.shape}")
        top = int(be.scalar(labels.max()))
        if top >= len(NAMES):
            raise ValueError(f"label value {top} has no diffusivity; labels are {NAMES}")
        self.grid = Grid(be, self.shape, self.h, labels)
        solver = self.section.solver
        if solver == "implicit":
            self.solver = ImplicitLOD(self.grid)
        elif solver == "implicit_cg":
            self.solver = ImplicitCG(self.grid, self.section.tolerance, self.section.max_iterations)
        else:
            self.solver = ExplicitStencil(self.grid)
        self.counts = be.to_host(be.xp.bincount(self.grid.flat_labels, minlength=len(NAMES)))
        self.present = [lab for lab in sorted(NAMES) if self.counts[lab] > 0]

    def field(self, state, name: str):
        """The device array [nx, ny, nz] float32 of field ``name`` (a view)."""
        return state.arrays["fields"][self.index(name)]

    # -- agents -------------------------------------------------------------
    def _accumulators(self, state, i: int):
        name = self.names[i]
        xp = state.backend.xp
        keys = (f"fields_source_{name}", f"fields_uptake_{name}")
        for key in keys:
            if key not in state.arrays:
                state.arrays[key] = xp.zeros(self.shape, dtype=np.int64)
        return state.arrays[keys[0]].reshape(-1), state.arrays[keys[1]].reshape(-1)

    def _rates(self, rate, n: int):
        be = self.sim.backend
        if np.isscalar(rate):
            return be.asarray(np.array([rate], dtype=np.float64)), 0
        if rate.shape[0] < n:
            raise ValueError(f"{rate.shape[0]} rates for {n} agents")
        return rate, 1

    def _deposit(self, which: int, field_name: str, pos, rate, n: int, per_volume: bool) -> None:
        if n <= 0:
            return
        i = self.index(field_name)
        acc = self._accumulators(self.sim.state, i)[which]
        rates, per_agent = self._rates(rate, n)
        scale = 2.0 ** self.specs[i].source_fraction_bits
        if per_volume:
            scale /= self.voxel_volume
        nx, ny, nz = self.shape
        self._k.deposit(n, pos, rates, per_agent, scale, self.h, nx, ny, nz, acc)

    def add_sources(self, field_name: str, pos, rate_per_agent, n: int) -> None:
        """Agents 0…n-1 at ``pos`` ([≥n, 3] float32 µm, device) secrete
        ``rate_per_agent`` (a float, or a device array [≥n]; ≥ 0, in the
        field's unit · µm³ / s; one molecule/s is MOLECULE_PM_UM3 for pM)
        into their voxels during the coming step."""
        self._deposit(0, field_name, pos, rate_per_agent, n, per_volume=True)

    def add_uptake(self, field_name: str, pos, rate_constant_per_agent, n: int) -> None:
        """Agents 0…n-1 at ``pos`` take up the field in their voxels during
        the coming step: each adds its rate constant (1/s, ≥ 0; a float or a
        device array [≥n]) to its voxel's first-order loss, dc/dt = −Σk·c,
        applied exactly so the concentration never turns negative."""
        self._deposit(1, field_name, pos, rate_constant_per_agent, n, per_volume=False)

    def sample(self, field_name: str, pos, n: int, out) -> None:
        """out[i] = concentration of ``field_name`` (its unit) in agent i's
        voxel for i < n (out: device float32 [≥n])."""
        if n <= 0:
            return
        c = self.field(self.sim.state, field_name).reshape(-1)
        nx, ny, nz = self.shape
        self._k.sample(n, pos, c, self.h, nx, ny, nz, out)

    # -- the step -----------------------------------------------------------
    def step(self, state, dt: float, plasma_values: dict[str, float]) -> None:
        """Advance every field by dt seconds with blood voxels held at the
        plasma value of the field's compartment (``plasma_values``): with
        the split solvers, sources, uptake and decay (exact over the step)
        and then diffusion; with ``implicit_cg`` all in one implicit solve."""
        fields = state.arrays["fields"]
        g = self.grid
        for i, (name, spec) in enumerate(zip(self.names, self.specs)):
            c = fields[i]
            flat = c.reshape(-1)
            fixed = self.fixed[i]
            value = float(plasma_values[spec.plasma]) if spec.plasma is not None else 0.0
            if isinstance(self.solver, ImplicitCG):
                rhs, diag = self._implicit_terms(state, i, flat, dt)
                self.solver.solve(c, self.gtabs[i], fixed, value, dt, rhs, diag)
                self.iterations[name] = self.solver.iterations
                continue
            if f"fields_source_{name}" in state.arrays:
                src, upt = self._accumulators(state, i)
                inv_scale = 2.0 ** -spec.source_fraction_bits
                self._kd.react(g.n, flat, src, upt, g.flat_labels, fixed, spec.decay, inv_scale, dt)
            elif spec.decay > 0:
                self._kd.decay(g.n, flat, g.flat_labels, fixed, math.exp(-spec.decay * dt))
            if isinstance(self.solver, ImplicitLOD):
                self.solver.diffuse(c, self.gtabs[i], fixed, value, dt)
            else:
                self.solver.diffuse(c, self.gtabs[i], fixed, value, dt, self.d_max[i])

    def _implicit_terms(self, state, i: int, flat, dt: float):
        """(rhs, diag) float64 [n] of field i's implicit step: rhs = c +
        dt·S and diag = 1 + dt·(k + U), with S (unit/s) and U (1/s) the
        agents' sources and uptakes summed since the last step (the
        accumulators are cleared) and k the field's decay rate."""
        xp = state.backend.xp
        spec = self.specs[i]
        diag = xp.full(self.n_voxels, 1.0 + dt * spec.decay, dtype=np.float64)
        rhs = flat.astype(np.float64)
        if f"fields_source_{self.names[i]}" in state.arrays:
            src, upt = self._accumulators(state, i)
            per_unit = dt * 2.0 ** -spec.source_fraction_bits
            rhs += src * per_unit
            diag += upt * per_unit
            src[:] = 0
            upt[:] = 0
        return rhs, diag

    def columns(self) -> list[Column]:
        """The time-series columns :meth:`observe` returns (known once bound)."""
        out = []
        for name, spec in zip(self.names, self.specs):
            u = unit_suffix(spec.unit)
            for label in self.present:
                out.append(Column(f"{name}_mean_{NAMES[label]}_{u}", spec.unit, f"mean {name} over the {NAMES[label]} voxels"))
                out.append(Column(f"{name}_max_{NAMES[label]}_{u}", spec.unit, f"largest {name} over the {NAMES[label]} voxels"))
            if isinstance(self.solver, ImplicitCG):
                out.append(Column(f"{name}_cg_iterations", "count", f"conjugate-gradient iterations of the last {name} solve (NaN before the first)"))
        return out

    def observe(self, state) -> dict[str, float]:
        """``<field>_mean_<label>_<unit>`` and ``<field>_max_<label>_<unit>``
        for every label present in the lattice, and with ``implicit_cg``
        ``<field>_cg_iterations`` (of the last step)."""
        be = state.backend
        xp = be.xp
        lab = self.grid.flat_labels
        out = {}
        for i, (name, spec) in enumerate(zip(self.names, self.specs)):
            c = state.arrays["fields"][i].reshape(-1)
            sums = be.to_host(xp.bincount(lab, weights=c, minlength=len(NAMES)))
            u = unit_suffix(spec.unit)
            for label in self.present:
                out[f"{name}_mean_{NAMES[label]}_{u}"] = float(sums[label] / self.counts[label])
                out[f"{name}_max_{NAMES[label]}_{u}"] = float(be.scalar(xp.where(lab == label, c, -np.inf).max()))
            if name in self.iterations:
                out[f"{name}_cg_iterations"] = float(self.iterations[name])
        return out
