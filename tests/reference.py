"""A slow, obviously correct NumPy version of docs/model.md, the oracle the engine is tested against.

Written from docs/model.md alone (it never imports ``engine``): plain loops over cases,
time steps and units; the error by its definition; the backward pass by explicit Jacobian
matrices (the full softmax Jacobian included). Speed does not matter here, clarity does
(stumpy's tests/naive.py).
"""
import math
from types import SimpleNamespace

import numpy as np

ELEMENTWISE = ("logistic", "tanh", "linear")


def logistic(z):
    """1 / (1 + e^-z), written so that neither branch overflows."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def log_logistic(z):
    """log(logistic(z)) = -log(1 + e^-z), exact even where logistic(z) rounds to 0 or 1."""
    return -np.logaddexp(0.0, -z)


def xlogy(y, log_s):
    """y log s with 0 log 0 = 0 (a target of 0 costs nothing on its own term)."""
    return 0.0 if y == 0 else y * log_s


def forward_case(W, b, h0, acts, x, k):
    """One case: s_0 = where(K_0, X_0, h0); z_t = W s_{t-1} + b; a_t = f(z_t); s_t = where(K_t, X_t, a_t).

    ``W`` is already masked by C. Returns s, a, z as (T+1, N) arrays (row 0 of z is 0 and row 0
    of a is s_0: nothing computes the initial state).
    """
    T1, N = x.shape
    soft = [i for i in range(N) if acts[i] == "softmax"]
    s, a, z = np.zeros((T1, N)), np.zeros((T1, N)), np.zeros((T1, N))
    for i in range(N):
        s[0, i] = x[0, i] if k[0, i] == 1 else h0[i]
        a[0, i] = s[0, i]
    for t in range(1, T1):
        for i in range(N):
            total = b[i]
            for j in range(N):
                total += W[i, j] * s[t - 1, j]
            z[t, i] = total
        for i in range(N):
            if acts[i] == "logistic":
                a[t, i] = logistic(z[t, i])
            elif acts[i] == "tanh":
                a[t, i] = math.tanh(z[t, i])
            elif acts[i] == "linear":
                a[t, i] = z[t, i]
        if soft:
            top = max(z[t, i] for i in soft)  # subtracting the max changes nothing but overflow
            total = sum(math.exp(z[t, i] - top) for i in soft)
            for i in soft:
                a[t, i] = math.exp(z[t, i] - top) / total
        for i in range(N):
            s[t, i] = x[t, i] if k[t, i] == 1 else a[t, i]
    return s, a, z


def log_state(t, i, s, z, k, acts):
    """(log s_t[i], log(1 - s_t[i])), exact from z where the state is a computed activity."""
    if t > 0 and k[t, i] == 0 and acts[i] == "logistic":
        return log_logistic(z[t, i]), log_logistic(-z[t, i])
    if t > 0 and k[t, i] == 0 and acts[i] == "softmax":
        soft = [j for j in range(len(acts)) if acts[j] == "softmax"]
        return z[t, i] - np.logaddexp.reduce([z[t, j] for j in soft]), None
    with np.errstate(divide="ignore"):
        return np.log(s[t, i]), np.log1p(-s[t, i])


def term(loss, act, y, s, logs):
    """l(s, y) of docs/model.md "Error" for one unit with a target."""
    if loss == "squared":
        return 0.5 * (s - y) ** 2
    if act == "softmax":
        return -xlogy(y, logs[0])
    return -(xlogy(y, logs[0]) + xlogy(1.0 - y, logs[1]))


def dterm(loss, act, y, s):
    """dl/ds for one unit with a target, in the plain division form."""
    if loss == "squared":
        return s - y
    if act == "softmax":
        return -y / s
    return -y / s + (1.0 - y) / (1.0 - s)


def jacobian(acts, a_t, z_t):
    """The full (N, N) Jacobian da_t/dz_t: diagonal f'(z) for elementwise units, and the
    softmax block a_i (delta_ij - a_j) over the softmax group."""
    N = len(acts)
    J = np.zeros((N, N))
    for i in range(N):
        if acts[i] == "logistic":
            J[i, i] = a_t[i] * (1.0 - a_t[i])
        elif acts[i] == "tanh":
            J[i, i] = 1.0 - a_t[i] ** 2
        elif acts[i] == "linear":
            J[i, i] = 1.0
        else:
            for j in range(N):
                if acts[j] == "softmax":
                    J[i, j] = a_t[i] * ((1.0 if i == j else 0.0) - a_t[j])
    return J


def bptt_reference(W, b, h0, C, acts, loss, X, K, Y, M, bias=True):
    """E and all its gradients for a batch, by docs/model.md's definitions.

    Parameters are plain arrays: W, C (N, N); b, h0 (N,); ``acts`` a list of N names; ``loss``
    "squared" or "cross_entropy"; X, K, Y, M (B, T+1, N). Returns a namespace with ``loss``,
    ``dW``, ``db``, ``dh0``, ``dW_by_step`` (T, N, N), ``states``, ``activations``,
    ``net_inputs``, ``ds`` (g_t = dE/ds_t), ``dz`` (d_t = dE/dz_t), all (B, T+1, N), and
    ``loss_by_step`` (T+1,), ``loss_by_case`` (B,).
    """
    W, b, h0, C = (np.asarray(v, dtype=float) for v in (W, b, h0, C))
    X, K, Y, M = (np.asarray(v, dtype=float) for v in (X, K, Y, M))
    B, T1, N = X.shape
    T = T1 - 1
    acts = [acts] * N if isinstance(acts, str) else list(acts)
    Wm = W * C  # an absent connection has weight 0
    b = b if bias else np.zeros(N)
    out = SimpleNamespace(
        states=np.zeros((B, T1, N)), activations=np.zeros((B, T1, N)), net_inputs=np.zeros((B, T1, N)),
        ds=np.zeros((B, T1, N)), dz=np.zeros((B, T1, N)), dW_by_step=np.zeros((T, N, N)),
        dW=np.zeros((N, N)), db=np.zeros(N), dh0=np.zeros(N),
        loss_by_step=np.zeros(T1), loss_by_case=np.zeros(B), loss=0.0)
    for c in range(B):
        s, a, z = forward_case(Wm, b, h0, acts, X[c], K[c])
        out.states[c], out.activations[c], out.net_inputs[c] = s, a, z
        # The error, term by term.
        for t in range(T1):
            for i in range(N):
                if M[c, t, i] == 1:
                    logs = log_state(t, i, s, z, K[c], acts) if loss == "cross_entropy" else None
                    e = term(loss, acts[i], Y[c, t, i], s[t, i], logs) / B
                    out.loss += e
                    out.loss_by_step[t] += e
                    out.loss_by_case[c] += e
        # The backward pass: g_t = dE/ds_t, d_t = J^T (g_t * (1 - K_t)).
        g = np.zeros((T1, N))
        d = np.zeros((T1, N))
        for t in range(T, -1, -1):
            for i in range(N):
                if t < T:  # error from the next step through every connection i -> j
                    for j in range(N):
                        g[t, i] += Wm[j, i] * d[t + 1, j]
                if M[c, t, i] == 1:
                    g[t, i] += dterm(loss, acts[i], Y[c, t, i], s[t, i]) / B
            if t == 0:
                break
            u = g[t] * (1.0 - K[c, t])  # a clamped unit's state takes no error
            J = jacobian(acts, a[t], z[t])
            for j in range(N):
                for i in range(N):
                    d[t, j] += J[i, j] * u[i]
            for i in range(N):
                for j in range(N):
                    out.dW_by_step[t - 1, i, j] += d[t, i] * s[t - 1, j] * C[i, j]
                if bias:
                    out.db[i] += d[t, i]
        out.dh0 += g[0] * (1.0 - K[c, 0])
        out.ds[c], out.dz[c] = g, d
    out.dW = out.dW_by_step.sum(axis=0)
    return out


def truncation_windows(states, X, K, M, h):
    """The windows of BPTT(h) (docs/model.md "Truncated BPTT"), one per step t: (t, start, X, K, M)
    of the sequence rows start..t, start = max(0, t - h), with targets only at t. A window that
    starts after 0 has its first row clamped to the states there (constants for E_t)."""
    B, T1, N = X.shape
    for t in range(T1):
        start = max(0, t - h)
        rows = slice(start, max(t, 1) + 1)  # a row-0 target gets a one-step window (nothing flows back)
        x, k = X[:, rows].copy(), K[:, rows].copy()
        m = np.zeros_like(x)
        m[:, t - start] = M[:, t]
        if start > 0:
            x[:, 0], k[:, 0] = states[:, start], 1.0
        yield t, start, x, k, m


def bptt_truncated_reference(W, b, h0, C, acts, loss, X, K, Y, M, h, bias=True):
    """BPTT(h) as the sum over steps t of full BPTT (bptt_reference) on t's window: E_t's error
    reaches s_{t-h}..s_t and no further, s_0 and h0 only when t <= h. The stacks add up the
    windows: d_u and g_u (u >= 1) from the windows' rows after their first, g_0 from the windows
    that start at 0. Returns the namespace of bptt_reference."""
    full = bptt_reference(W, b, h0, C, acts, loss, X, K, Y, M, bias=bias)
    X, K, Y, M = (np.asarray(v, dtype=float) for v in (X, K, Y, M))
    out = SimpleNamespace(**vars(full))
    for name in ("ds", "dz", "dW_by_step", "dW", "db", "dh0"):
        setattr(out, name, np.zeros_like(getattr(full, name)))
    for t, start, x, k, m in truncation_windows(full.states, X, K, M, h):
        if not m.any():
            continue
        r = bptt_reference(W, b, h0, C, acts, loss, x, k, Y[:, start:start + x.shape[1]], m, bias=bias)
        n = x.shape[1]
        first = 0 if start == 0 else 1
        out.ds[:, start + first:start + n] += r.ds[:, first:]
        out.dz[:, start + 1:start + n] += r.dz[:, 1:]
        out.dW_by_step[start:start + n - 1] += r.dW_by_step
        out.db += r.db
        out.dh0 += r.dh0
    out.dW = out.dW_by_step.sum(axis=0)
    return out
