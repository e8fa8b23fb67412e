"""Capillary blood flow through the capillary sheets: Darcy/Hele-Shaw pressure on the
conducting voxels, solved by CG with the matrix-free operator and an
algebraic multigrid preconditioner (``alveosim.lattice.multigrid``; Jacobi with
``flow.preconditioner: jacobi``), in float64, face
fluxes and cell-centred velocities from the pressure, and occlusion.

The pressure drop is scaled at the first solve so that the mean speed over
conducting voxels equals ``flow.mean_speed``; it is kept in
``state.values["flow_pressure_drop_Pa"]`` and held fixed afterwards, so an
occlusion lowers the flow and re-routes it at the same arterio-venous drop.

State it reads: ``labels`` (uint8 [nx, ny, nz]) and ``occluded`` (uint8
[nx, ny, nz]). State it writes: ``pressure`` (float32 [nx, ny, nz], Pa, 0
outside conducting blood; the outlet is at 0 Pa), ``velocity`` (float32
[nx, ny, nz, 3], µm/s, 0 outside conducting voxels) and the values
``flow_mean_speed_um_s``, ``flow_rate_um3_s`` (inflow), ``flow_transit_time_s``
(mean transit time scaled to an acinar path: domain V/Q x acinar_path /
inlet-outlet distance), ``flow_domain_transit_time_s`` (V/Q of the domain),
``flow_pressure_drop_Pa``, ``flow_cg_iterations``, ``flow_conducting_voxels``.
The voxel numbering is rebuilt from ``labels`` and ``occluded`` at each
solve; the multigrid hierarchy is kept while the conducting set only loses a
small share of its voxels (occlusion) and rebuilt otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from alveosim import labels as L
from alveosim.cg import CHECK_EVERY, jacobi, pcg
from alveosim.channels import LABELS, OCCLUDED, PRESSURE, VELOCITY
from alveosim.lattice.connectivity import conducting_mask
from alveosim.arrays import declare
from alveosim.lattice.multigrid import Multigrid

# uint8 [nx, ny, nz]: 1 on the conducting voxels the multigrid hierarchy was built on
BASIS = "flow_multigrid_basis"
declare(BASIS, "1 on the voxels the flow's multigrid hierarchy was built on", internal=True)


@dataclass
class FlowSolution:
    """Diagnostics of one solve. Fluxes in µm³/s.

    inflow / outflow: through the inlet / outlet voxels; max_divergence: the
    largest net outflow of a non-Dirichlet conducting voxel; mean_face_flux:
    mean |flux| over faces between conducting voxels; iterations: CG
    iterations; conducting: number of conducting voxels.
    """

    iterations: int
    inflow: float
    outflow: float
    max_divergence: float
    mean_face_flux: float
    conducting: int
    setup_seconds: float = 0.0
    seconds: float = 0.0


class Flow:
    """The flow solver bound to a backend (published as the ``flow`` channel).

    voxel: edge h (µm); permeability: Hele-Shaw k = c^2/12 (µm²) of the
    capillary sheet of thickness c; cfg: :class:`alveosim.lattice.config.FlowConfig`.
    """

    def __init__(self, backend, voxel: float, permeability: float, cfg):
        self.backend = backend
        self.h = float(voxel)
        self.mobility = permeability / cfg.viscosity  # µm² / (Pa s)
        self.cfg = cfg
        self.axis = cfg.axis_index
        self.k = backend.kernels("flow")
        self.multigrid: Multigrid | None = None
        self.last: FlowSolution | None = None  # the latest solve's diagnostics

    @classmethod
    def from_config(cls, backend, config) -> Flow:
        lat = config.lattice
        return cls(backend, config.domain.voxel, lat.capillary_thickness**2 / 12.0, lat.flow)

    @property
    def face_conductance(self) -> float:
        """Flux per pressure difference across one voxel face, µm³/(s Pa)."""
        return self.mobility * self.h

    def occlude(self, state, mask) -> None:
        """OR ``mask`` (device bool/uint8 [nx, ny, nz]) into ``occluded``; call
        :meth:`solve` afterwards to re-route the flow."""
        occ = state.arrays[OCCLUDED]
        occ |= mask.astype(np.uint8)

    def solve(self, state) -> FlowSolution:
        """Solve for the pressure (warm-started from ``pressure``) and refresh
        ``pressure``, ``velocity`` and the flow values in ``state``."""
        started = time.perf_counter()
        solution = self._solve(state)
        solution.seconds = time.perf_counter() - started
        self.last = solution
        return solution

    def _solve(self, state) -> FlowSolution:
        be = self.backend
        xp = be.xp
        labels = state.arrays[LABELS]
        shape = labels.shape
        pressure = state.arrays.setdefault(PRESSURE, xp.zeros(shape, dtype=np.float32))
        velocity = state.arrays.setdefault(VELOCITY, xp.zeros(shape + (3,), dtype=np.float32))
        mask = conducting_mask(be, labels, state.arrays[OCCLUDED])
        state.values["capillary_occluded_fraction"] = occluded_fraction(be, labels, state.arrays[OCCLUDED])
        cells = xp.flatnonzero(mask.reshape(-1))
        m = int(cells.shape[0])
        velocity[...] = 0
        if m == 0:
            pressure[...] = 0
            self._store(state, m, 0.0, 0.0, 0)
            return FlowSolution(0, 0.0, 0.0, 0.0, 0.0, 0)
        shape_d = be.asarray(np.asarray(shape, dtype=np.int64))
        nbr, fixed = self._numbering(labels, cells)
        lab = labels.reshape(-1)[cells]
        inlet = lab == L.INLET
        outlet = lab == L.OUTLET
        degree = (nbr >= 0).sum(axis=1)
        inv_diag = xp.where((fixed == 0) & (degree > 0), 1.0 / xp.maximum(degree, 1), 0.0)

        drop = state.values.get("flow_pressure_drop_Pa")
        if drop:
            x = pressure.reshape(-1)[cells].astype(np.float64) / drop
        else:  # first solve: start from the linear profile along the flow axis
            coord = (cells // np.int64(int(np.prod(shape[self.axis + 1:])))) % shape[self.axis]
            x = 1.0 - coord.astype(np.float64) / max(shape[self.axis] - 1, 1)
        x = xp.where(inlet, 1.0, xp.where(outlet, 0.0, x))

        def apply(p, out):
            self.k.laplacian(m, nbr, fixed, p, 0, out)

        b = xp.where(fixed == 0, 0.0, x)  # reference residual: ||b - A x_fixed|| from a zero start
        r0 = xp.empty(m, dtype=np.float64)
        apply(b, r0)
        target = self.cfg.tolerance * max(float(xp.sqrt((r0 * r0).sum())), 1e-300)
        r = xp.empty(m, dtype=np.float64)
        apply(x, r)
        r *= -1.0
        precondition, setup = self._preconditioner(state, cells, nbr, fixed, inv_diag)
        # the host reads the residual norm every iteration (free there; a re-solve
        # after a small occlusion stops after a few), a GPU every CHECK_EVERY
        check_every = 1 if xp is np else CHECK_EVERY
        iterations, _ = pcg(xp, apply, x, r, precondition, target, self.cfg.max_iterations, check_every=check_every)

        speed = xp.empty(m, dtype=np.float64)
        vel_flat = velocity.reshape(-1, 3)
        unit = self.mobility / self.h  # µm/s per Pa of pressure difference across a face
        if not drop:
            self.k.velocity(m, cells, nbr, fixed, x, shape_d, self.axis, unit, vel_flat, speed)
            drop = self.cfg.mean_speed / float(speed.mean())
        self.k.velocity(m, cells, nbr, fixed, x, shape_d, self.axis, unit * drop, vel_flat, speed)
        pressure[...] = 0
        pressure.reshape(-1)[cells] = (x * drop).astype(np.float32)

        net = xp.empty(m, dtype=np.float64)
        self.k.laplacian(m, nbr, fixed, x, 1, net)
        g = self.face_conductance * drop
        inflow = g * float(net[inlet].sum())
        outflow = -g * float(net[outlet].sum())
        max_div = g * float(xp.abs(xp.where(fixed == 0, net, 0.0)).max())
        faces = [(x - x[nbr[:, d]])[nbr[:, d] >= 0] for d in (1, 3, 5)]
        n_faces = sum(int(f.shape[0]) for f in faces)
        mean_face = g * sum(float(xp.abs(f).sum()) for f in faces) / max(n_faces, 1)
        state.values["flow_pressure_drop_Pa"] = float(drop)
        self._store(state, m, float(speed.mean()), inflow, iterations)
        return FlowSolution(iterations, inflow, outflow, max_div, mean_face, m, setup)

    def _numbering(self, labels, cells):
        """(nbr int32 [m, 6], fixed uint8 [m]) of the conducting voxels ``cells``
        (device int64 [m], ascending flat indices) of ``labels``."""
        xp = self.backend.xp
        shape = labels.shape
        m = int(cells.shape[0])
        index = xp.full(int(np.prod(shape)), -1, dtype=np.int32)
        index[cells] = xp.arange(m, dtype=np.int32)
        nbr = xp.empty((m, 6), dtype=np.int32)
        self.k.neighbours(m, cells, index, self.backend.asarray(np.asarray(shape, dtype=np.int64)), nbr)
        lab = labels.reshape(-1)[cells]
        return nbr, ((lab == L.INLET) | (lab == L.OUTLET)).astype(np.uint8)

    def _preconditioner(self, state, cells, nbr, fixed, inv_diag):
        """(precondition(r, z), hierarchy build seconds) for this conducting set.

        The voxels a hierarchy is built on are kept in the state (``BASIS``),
        so a resumed run rebuilds the same hierarchy and continues exactly as
        the uninterrupted one."""
        if self.cfg.preconditioner == "jacobi" or not bool((fixed == 0).any()):
            return jacobi(self.backend.xp, inv_diag), 0.0
        be = self.backend
        xp = be.xp
        cells_h = be.to_host(cells).astype(np.int64)
        setup = 0.0
        if self.multigrid is None and BASIS in state.arrays:  # resumed: rebuild the recorded hierarchy
            basis = xp.flatnonzero(state.arrays[BASIS].reshape(-1))
            if int(basis.shape[0]) > 0:
                b_nbr, b_fixed = self._numbering(state.arrays[LABELS], basis)
                self.multigrid = Multigrid(be, be.to_host(basis).astype(np.int64), be.to_host(b_nbr), be.to_host(b_fixed))
                setup = self.multigrid.setup_seconds
        if self.multigrid is None or not self.multigrid.reusable_for(cells_h):
            self.multigrid = None  # free the old hierarchy before building the new one
            self.multigrid = Multigrid(be, cells_h, be.to_host(nbr), be.to_host(fixed))
            setup += self.multigrid.setup_seconds
            record = xp.zeros(state.arrays[LABELS].shape, dtype=np.uint8)
            record.reshape(-1)[cells] = 1
            state.arrays[BASIS] = record
        return self.multigrid.preconditioner(cells_h, fixed), setup

    def _store(self, state, m: int, mean_speed: float, inflow: float, iterations: int) -> None:
        volume = m * self.h**3
        transit = volume / inflow if inflow > 0 else float("inf")
        length = (state.arrays[LABELS].shape[self.axis] - 1) * self.h
        state.values["flow_mean_speed_um_s"] = mean_speed
        state.values["flow_rate_um3_s"] = inflow
        state.values["flow_domain_transit_time_s"] = transit
        state.values["flow_transit_time_s"] = transit * self.cfg.acinar_path / max(length, self.h)
        state.values["flow_cg_iterations"] = float(iterations)
        state.values["flow_conducting_voxels"] = float(m)


def occluded_fraction(backend, labels, occluded) -> float:
    """Share of blood voxels (CAPILLARY, INLET, OUTLET) that are occluded;
    labels, occluded: device uint8 [nx, ny, nz]. 0 when there is no blood."""
    xp = backend.xp
    blood = xp.zeros(labels.shape, dtype=bool)
    for label in L.BLOOD:
        blood |= labels == label
    total = int(backend.scalar(xp.count_nonzero(blood)))
    return int(backend.scalar(xp.count_nonzero(blood & (occluded != 0)))) / total if total else 0.0
