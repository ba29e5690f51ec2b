"""Optimizers for circuit angles: batched L-BFGS, scipy's L-BFGS-B, parameter shift on shots, Adam.

``fun_grad(theta)`` everywhere takes angles of shape (B, P) and returns energies (B,) and
gradients (B, P); it is called only with the rows still running, so converged initializations
cost nothing.

Examples:
    >>> import numpy as np
    >>> f = lambda x: ((x - 1.0) ** 2).sum(1), lambda x: 2 * (x - 1.0)
    >>> res = lbfgs_batched(lambda x: (f[0](x), f[1](x)), np.zeros((3, 4)))
    >>> bool(np.allclose(res.x, 1.0, atol=1e-5)), res.fun.shape
    (True, (3,))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OptimizeResult:
    """Outcome of a batched optimization.

    Attributes:
        x: final angles, (B, P).
        fun: final energies, (B,).
        trace: energy after every iteration, (B, T) padded with the final value.
        nit: iterations per row, (B,).
        nfev: energy(+gradient) evaluations per row, (B,).
        converged: whether each row met the tolerance before ``maxiter``, (B,).
    """

    x: np.ndarray
    fun: np.ndarray
    trace: np.ndarray
    nit: np.ndarray
    nfev: np.ndarray
    converged: np.ndarray


def _pad_traces(traces: list[list[float]]) -> np.ndarray:
    t = max(len(tr) for tr in traces)
    return np.array([tr + [tr[-1]] * (t - len(tr)) for tr in traces])


def lbfgs_batched(fun_grad, x0, maxiter: int = 200, memory: int = 10, gtol: float = 1e-6,
                  ftol: float = 1e-10, c1: float = 1e-4, max_backtracks: int = 30) -> OptimizeResult:
    """L-BFGS with a backtracking Armijo line search, run independently on every row of ``x0``.

    Each row keeps its own curvature pairs, step and stopping state, so the result of a row
    does not depend on the other rows (unlike minimizing the sum with one scipy call); the
    vectorization is only in how the energies and gradients are computed.

    Args:
        fun_grad: ``theta (b, P) -> (E (b,), grad (b, P))``.
        x0: starting points (B, P).
        maxiter: iterations per row.
        memory: curvature pairs kept.
        gtol: stop a row when ``max |grad| <= gtol``.
        ftol: stop a row when ``E_old - E_new <= ftol * max(1, |E|)``.
        c1: Armijo constant.
        max_backtracks: halvings of the step before giving up on a row.
    """
    x = np.array(x0, dtype=np.float64, copy=True)
    if x.ndim != 2:
        raise ValueError(f"x0: expected shape (B, P), got {x.shape}")
    nb, npar = x.shape
    f, g = fun_grad(x)
    f, g = np.array(f, dtype=np.float64), np.array(g, dtype=np.float64)
    nfev = np.ones(nb, dtype=np.int64)
    nit = np.zeros(nb, dtype=np.int64)
    S = np.zeros((nb, memory, npar))
    Y = np.zeros((nb, memory, npar))
    rho = np.zeros((nb, memory))
    count = np.zeros(nb, dtype=np.int64)  # pairs stored (ring buffer position = count % memory)
    active = np.abs(g).max(axis=1) > gtol
    converged = ~active
    traces = [[float(v)] for v in f]
    for _ in range(maxiter):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        # two-loop recursion, vectorized over the active rows (order: newest pair first)
        q = g[rows].copy()
        alpha = np.zeros((rows.size, memory))
        cnt = count[rows]
        order = [(cnt - 1 - i) % memory for i in range(memory)]
        for i in range(memory):
            slot = order[i]
            valid = (i < cnt)
            r_ = rho[rows, slot] * valid
            a_ = r_ * np.einsum("bp,bp->b", S[rows, slot], q)
            alpha[:, i] = a_
            q -= a_[:, None] * Y[rows, slot]
        newest = (cnt - 1) % memory
        sy = np.einsum("bp,bp->b", S[rows, newest], Y[rows, newest])
        yy = np.einsum("bp,bp->b", Y[rows, newest], Y[rows, newest])
        gamma = np.where((cnt > 0) & (yy > 0), sy / np.where(yy > 0, yy, 1.0), 1.0 / np.maximum(np.abs(g[rows]).sum(1), 1.0))
        q *= gamma[:, None]
        for i in range(memory - 1, -1, -1):
            slot = order[i]
            valid = (i < cnt)
            r_ = rho[rows, slot] * valid
            b_ = r_ * np.einsum("bp,bp->b", Y[rows, slot], q)
            q += (alpha[:, i] - b_)[:, None] * S[rows, slot]
        d = -q
        slope = np.einsum("bp,bp->b", g[rows], d)
        bad = slope >= 0  # not a descent direction: fall back to steepest descent
        if bad.any():
            d[bad] = -g[rows][bad]
            slope[bad] = -np.einsum("bp,bp->b", g[rows][bad], g[rows][bad])
        # backtracking line search on the rows still searching
        t = np.ones(rows.size)
        done = np.zeros(rows.size, dtype=bool)
        f_new = np.empty(rows.size)
        g_new = np.empty((rows.size, npar))
        for _bt in range(max_backtracks):
            todo = np.flatnonzero(~done)
            if todo.size == 0:
                break
            xt = x[rows[todo]] + t[todo, None] * d[todo]
            ft, gt = fun_grad(xt)
            nfev[rows[todo]] += 1
            ok = ft <= f[rows[todo]] + c1 * t[todo] * slope[todo]
            acc = todo[ok]
            f_new[acc], g_new[acc] = ft[ok], gt[ok]
            done[acc] = True
            t[todo[~ok]] *= 0.5
        failed = ~done
        for loc in np.flatnonzero(failed):  # no decrease found: the row has converged numerically
            active[rows[loc]] = False
            converged[rows[loc]] = True
        acc = np.flatnonzero(done)
        if acc.size == 0:
            continue
        r = rows[acc]
        s_vec = t[acc, None] * d[acc]
        y_vec = g_new[acc] - g[r]
        sy = np.einsum("bp,bp->b", s_vec, y_vec)
        keep = sy > 1e-12 * np.maximum(np.einsum("bp,bp->b", y_vec, y_vec), 1e-300)
        slot = count[r] % memory
        S[r[keep], slot[keep]] = s_vec[keep]
        Y[r[keep], slot[keep]] = y_vec[keep]
        rho[r[keep], slot[keep]] = 1.0 / sy[keep]
        count[r[keep]] += 1
        decrease = f[r] - f_new[acc]
        x[r] += s_vec
        f[r] = f_new[acc]
        g[r] = g_new[acc]
        nit[r] += 1
        for i, row in enumerate(r):
            traces[row].append(float(f[row]))
        stop = (np.abs(g[r]).max(axis=1) <= gtol) | (decrease <= ftol * np.maximum(1.0, np.abs(f[r])))
        active[r[stop]] = False
        converged[r[stop]] = True
    return OptimizeResult(x, f, _pad_traces(traces), nit, nfev, converged)


def lbfgs_scipy(fun_grad, x0, maxiter: int = 200, gtol: float = 1e-6, ftol: float = 1e-10) -> OptimizeResult:
    """scipy's L-BFGS-B on every row of ``x0`` in turn (the reference the batched one is checked against)."""
    from scipy.optimize import minimize

    x0 = np.atleast_2d(np.asarray(x0, dtype=np.float64))
    xs, fs, traces, nits, nfevs, conv = [], [], [], [], [], []
    for row in x0:
        tr: list[float] = []
        last: dict = {}

        def fg(v):
            e, gr = fun_grad(v[None, :])
            last["x"], last["f"] = v.copy(), float(e[0])
            return float(e[0]), gr[0]

        def callback(xk):  # the energy at xk was the last one evaluated (accepted step)
            tr.append(last["f"] if np.array_equal(last.get("x"), xk) else fg(xk)[0])

        tr.append(fg(row)[0])
        res = minimize(fg, row, jac=True, method="L-BFGS-B",
                       options={"maxiter": maxiter, "gtol": gtol, "ftol": ftol}, callback=callback)
        xs.append(res.x)
        fs.append(res.fun)
        traces.append(tr)
        nits.append(res.nit)
        nfevs.append(res.nfev)
        conv.append(bool(res.success))
    return OptimizeResult(np.array(xs), np.array(fs), _pad_traces(traces), np.array(nits), np.array(nfevs), np.array(conv))


def adam(fun_grad, x0, maxiter: int = 200, lr: float = 0.05, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> OptimizeResult:
    """Adam on every row (for noisy, shot-based gradients where line searches fail)."""
    x = np.array(np.atleast_2d(x0), dtype=np.float64, copy=True)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    f, g = fun_grad(x)
    traces = [[float(e)] for e in f]
    for it in range(1, maxiter + 1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        x -= lr * (m / (1 - beta1**it)) / (np.sqrt(v / (1 - beta2**it)) + eps)
        f, g = fun_grad(x)
        for b, e in enumerate(f):
            traces[b].append(float(e))
    nb = x.shape[0]
    return OptimizeResult(x, np.asarray(f, dtype=np.float64), _pad_traces(traces), np.full(nb, maxiter),
                          np.full(nb, maxiter + 1), np.zeros(nb, dtype=bool))


def parameter_shift_gradient(energy_fn, theta, shift: float = np.pi / 2) -> np.ndarray:
    """Gradient by the parameter-shift rule (seed 002 Eq. 6): ``[E(t + pi/2) - E(t - pi/2)] / 2``.

    Args:
        energy_fn: ``theta (M, P) -> E (M,)``; with shot-based estimates this is the
            experiment's gradient, with exact energies it equals the analytic gradient.
        theta: angles (B, P).

    Returns:
        (B, P) gradient. All ``2 P B`` shifted circuits go to ``energy_fn`` in one batch.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    nb, npar = theta.shape
    eye = np.eye(npar) * shift
    shifted = np.concatenate([theta[:, None, :] + eye[None], theta[:, None, :] - eye[None]], axis=1)
    e = np.asarray(energy_fn(shifted.reshape(-1, npar))).reshape(nb, 2, npar)
    return 0.5 * (e[:, 0] - e[:, 1])
