"""Foundation benchmark: the move-and-draw kernel (Brownian step with Philox
normal draws and reflecting walls) and the cell-list build (counting sort),
each against a plain NumPy version of the same work measured in the same run.

    python -m alveosim.benchmarks.bench_agents [--sizes 100000 1000000] [--backend cpu]
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from alveosim.benchmarks.common import copy_bandwidth, finish_row, print_rows, time_call, write_results
from alveosim.kernels import rng
from alveosim.backend import select_backend
from alveosim.neighbours import CellList
from alveosim.streams import Stream

BOX = 200.0  # µm, cube edge
CUTOFF = 10.0  # µm, cell edge


def numpy_philox4(seed, stream, step, uid, block=0):
    """Vectorised NumPy Philox4x32-10 with the key layout of kernels.rng:
    four uint64 arrays of 32-bit words (stream and block may be arrays)."""
    m32 = np.uint64(0xFFFFFFFF)
    u = uid.astype(np.uint64)
    c0, c1 = u & m32, (u >> np.uint64(32)) & m32
    c2 = np.full_like(u, np.uint64(step) & m32)
    tag = (np.asarray(stream, dtype=np.uint64) << np.uint64(16)) | (np.asarray(block, dtype=np.uint64) & np.uint64(0xFFFF))
    c3 = np.broadcast_to(tag & m32, u.shape)
    k0, k1 = np.uint64(seed) & m32, (np.uint64(seed) >> np.uint64(32)) & m32
    for _ in range(10):
        p0 = np.uint64(0xD2511F53) * c0
        p1 = np.uint64(0xCD9E8D57) * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ k0) & m32, p1 & m32, ((p0 >> np.uint64(32)) ^ c3 ^ k1) & m32, p0 & m32
        k0, k1 = (k0 + np.uint64(0x9E3779B9)) & m32, (k1 + np.uint64(0xBB67AE85)) & m32
    return c0, c1, c2, c3


def _unit(w):
    return (w.astype(np.float64) + 0.5) * 2.0**-32


def _zig_fields(w):
    """Layer, magnitude, sign bit and |x| of ziggurat words (kernels.rng._zig_fast)."""
    i = (w & np.uint64(255)).astype(np.intp)
    m = w >> np.uint64(9)
    return i, m, (w >> np.uint64(8)) & np.uint64(1), (m.astype(np.float64) + 0.5) * rng.ZIG_W[i]


def numpy_zig_slow(seed, stream, step, uid, block, lane, w):
    """alveosim.kernels.rng._zig_slow vectorised over the rejected words ``w``: all
    pending words take each redraw attempt together."""
    i, _, neg, x = _zig_fields(w)
    pending = np.arange(w.size)
    for attempt in range(32):
        if pending.size == 0:
            break
        tag = (0x80 | lane << 5 | attempt) << 8
        a, b, c, _ = numpy_philox4(seed, (stream & 0xFF) | tag, step, uid[pending], block)
        ip, xp = i[pending], x[pending]
        tail = ip == 0
        e = -np.log(_unit(a)) * (1.0 / rng.ZIG_R)
        tail_ok = tail & (-2.0 * np.log(_unit(b)) > e * e)
        x[pending[tail_ok]] = rng.ZIG_R + e[tail_ok]
        below = np.maximum(ip - 1, 0)
        wedge_ok = ~tail & (rng.ZIG_F[ip] + _unit(a) * (rng.ZIG_F[below] - rng.ZIG_F[ip]) < np.exp(-0.5 * xp * xp))
        restart = ~tail & ~wedge_ok
        ic, mc, negc, xc = _zig_fields(c[restart])
        r = pending[restart]
        i[r], neg[r], x[r] = ic, negc, xc
        done = tail_ok | wedge_ok
        done[restart] = mc < rng.ZIG_K[ic]
        pending = pending[~done]
    return (1.0 - 2.0 * neg.astype(np.float64)) * x


def numpy_normal4(seed, stream, step, uid, block=0):
    """alveosim.kernels.rng.normal4 in NumPy (ziggurat): fast path on whole arrays,
    rejection branch on the 1.2% rejected words of each lane."""
    out = []
    for lane, w in enumerate(numpy_philox4(seed, stream, step, uid, block)):
        i, m, neg, x = _zig_fields(w)
        z = (1.0 - 2.0 * neg.astype(np.float64)) * x
        bad = np.flatnonzero(m >= rng.ZIG_K[i])
        z[bad] = numpy_zig_slow(seed, stream, step, uid[bad], block, lane, w[bad])
        out.append(z)
    return out


def numpy_move(pos, uid, seed, stream, step, sigma):
    """The same work as the kernel in plain NumPy: keyed Philox normals
    (ziggurat), Brownian step, reflecting walls — bit-identical results."""
    z = np.stack(numpy_normal4(seed, stream, step, uid)[:3], axis=1)
    x = pos.astype(np.float64) + sigma * z
    x = np.where(x < 0, -x, x)
    x = np.where(x > BOX, 2 * BOX - x, x)
    pos[:] = np.clip(x, 0, BOX)


def numpy_unkeyed_move(pos, rng, sigma):
    """NumPy's own (not per-agent-keyed, not reproducible across thread
    counts or backends) normal generator: reported for transparency."""
    pos += sigma * rng.standard_normal(pos.shape).astype(np.float32)
    np.abs(pos, out=pos)
    over = pos > BOX
    pos[over] = 2 * BOX - pos[over]


def numpy_cell_list(pos):
    """Plain NumPy counting sort into cells."""
    dims = int(BOX // CUTOFF)
    c = np.clip((pos // (BOX / dims)).astype(np.int64), 0, dims - 1)
    cell = (c[:, 0] * dims + c[:, 1]) * dims + c[:, 2]
    order = np.argsort(cell, kind="stable")
    start = np.zeros(dims**3 + 1, dtype=np.int64)
    start[1:] = np.cumsum(np.bincount(cell, minlength=dims**3))
    return order, start


def _moved_once(k, host, uid, box, sigma, backend):
    pos = backend.asarray(host)
    k.random_walk(host.shape[0], pos, uid, 1, int(Stream.WALK), 1, sigma, box)
    return pos


def run(sizes, backend_name="cpu", repeats=5):
    backend = select_backend(backend_name)
    bandwidth = copy_bandwidth(backend)
    k = backend.kernels("walker")
    rows = []
    for n in sizes:
        host = (np.random.default_rng(0).random((n, 3)) * BOX).astype(np.float32)
        pos = backend.asarray(host)
        uid = backend.xp.arange(n, dtype=np.int64)
        box = backend.asarray(np.array([0, 0, 0, BOX, BOX, BOX], dtype=np.float64))
        sigma = math.sqrt(2 * 1.0 * 60.0)
        step = [0]

        def move():
            step[0] += 1
            k.random_walk(n, pos, uid, 1, int(Stream.WALK), step[0], sigma, box)

        t = time_call(move, backend, repeats)
        host_uid = np.arange(n, dtype=np.int64)
        check = host.copy()
        numpy_move(check, host_uid, 1, int(Stream.WALK), 1, sigma)
        same = bool(np.array_equal(check, backend.to_host(_moved_once(k, host, uid, box, sigma, backend))))
        t_np = time_call(lambda: numpy_move(host.copy(), host_uid, 1, int(Stream.WALK), 1, sigma), backend, repeats)
        rng = np.random.default_rng(1)
        t_unkeyed = time_call(lambda: numpy_unkeyed_move(host.copy(), rng, sigma), backend, repeats)
        # bytes: read+write positions (12+12 B) and read uid (8 B) per agent
        rows.append(finish_row({"kernel": "move_and_draw", "size": n, "backend": backend.name, "seconds": t,
                                "agent_updates_per_s": n / t, "bytes_per_call": 32 * n,
                                "numpy_seconds": t_np, "speedup_vs_numpy": t_np / t, "numpy_bit_identical": same,
                                "numpy_unkeyed_seconds": t_unkeyed}, bandwidth))

        cells = CellList(backend, [0, 0, 0], [BOX] * 3, CUTOFF)
        t = time_call(lambda: cells.build(pos, n), backend, repeats)
        t_np = time_call(lambda: numpy_cell_list(host), backend, repeats)
        # bytes: read pos (12), write+read cell id (16), write+read order (16), counts
        rows.append(finish_row({"kernel": "cell_list_build", "size": n, "backend": backend.name, "seconds": t,
                                "agent_updates_per_s": n / t, "bytes_per_call": 44 * n,
                                "numpy_seconds": t_np, "speedup_vs_numpy": t_np / t}, bandwidth))
    return backend, rows, bandwidth


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    backend, rows, bandwidth = run(args.sizes, args.backend, args.repeats)
    print_rows(rows)
    path = write_results("agents", backend, rows, {"copy_bandwidth_GBps": bandwidth / 1e9})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
