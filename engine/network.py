"""Network and Sequences: validate once, store C-contiguous float64, turn names into codes.

A recurrent net in the sense of Hinton's lecture 7b: N units, every connection with a time
delay of 1 (docs/model.md, "The network"). Validation happens here, when an object is
built, so that ``bptt`` itself costs only a few microseconds of Python per call.
"""
import numpy as np

from . import config
from .config import ACTIVATIONS, LOSSES, SOFTMAX


def _array(name, value, shape=None, ndim=None):
    """Coerce to a finite, C-contiguous float64 array, or raise a ValueError naming ``name``."""
    try:
        raw = np.asarray(value)
        # Only booleans, integers and floats: no numeric strings ("1.5"), objects or complex.
        if raw.dtype.kind not in "biuf":
            raise TypeError(f"dtype {raw.dtype}")
        arr = np.array(raw, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers; got {type(value).__name__} ({exc})") from None
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {arr.shape}")
    if ndim is not None and arr.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dimensions; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(x) for x in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite; got {arr[bad]} at index {bad}")
    return arr


def _mask(name, value, shape):
    arr = _array(name, value, shape)
    if not np.all((arr == 0) | (arr == 1)):
        bad = tuple(int(x) for x in np.argwhere((arr != 0) & (arr != 1))[0])
        raise ValueError(f"{name} must contain only 0 and 1; got {arr[bad]} at index {bad}")
    return arr


def _readonly(arr):
    view = arr.view()
    view.flags.writeable = False
    return view


def parse_ref(ref, N):
    """A parameter reference ("W", i, j) / ("b", i) / ("h0", i) -> flat index into [W, b, h0]."""
    if not isinstance(ref, (tuple, list)) or not ref or ref[0] not in ("W", "b", "h0"):
        raise ValueError(f"a tied parameter must be ('W', i, j), ('b', i) or ('h0', i); got {ref!r}")
    kind, idx = ref[0], tuple(ref[1:])
    want = 2 if kind == "W" else 1
    if len(idx) != want or not all(isinstance(k, (int, np.integer)) and 0 <= k < N for k in idx):
        raise ValueError(f"{ref!r}: indices must be {want} integer(s) in 0..{N - 1}")
    if kind == "W":
        return int(idx[0]) * N + int(idx[1])
    return N * N + int(idx[0]) + (N if kind == "h0" else 0)


class Network:
    """N units with delay-1 connections: weights, biases, initial states, activations, loss.

    Parameters
    ----------
    W : (N, N) array_like
        ``W[i, j]`` is the weight from unit j to unit i. Entries where ``connections`` is 0
        are set to 0 (an absent connection has weight 0).
    b : (N,) array_like, optional
        Biases (default 0). With ``bias=False`` they must be 0 and stay 0.
    h0 : (N,) array_like, optional
        Initial states s_0 of unclamped units (default ``config.DEFAULT_H0`` = 0.5).
    connections : (N, N) array_like of 0/1, optional
        The mask C of connections that exist (default: all, self-loops included).
    activation : str or sequence of N str
        ``"logistic"``, ``"tanh"``, ``"linear"`` or ``"softmax"``; all softmax units form one
        group, normalised together at each step.
    loss : {"squared", "cross_entropy"}
    learn_h0 : bool or (N,) array_like of bool
        Which initial states are learned parameters (lecture 7b: "treat the initial states as
        learned parameters"); the others stay fixed.
    bias : bool
        False switches biases off.
    ties : sequence of groups
        Each group is a sequence of two or more references ``("W", i, j)``, ``("b", i)`` or
        ``("h0", i)`` constrained to be equal. Tied values must start equal (``tie_groups``
        below sets them to their mean first); training gives each the sum of its group's
        gradients, so they stay equal.

    The arrays ``W b h0 C`` are read-only views; change them through ``set``/``replace`` or
    the optimiser, so that the mask, the bias switch and the ties always hold.
    """

    def __init__(self, W, b=None, h0=None, connections=None, activation="logistic",
                 loss="squared", learn_h0=False, bias=True, ties=()):
        W = _array("W", W, ndim=(2,))
        N = W.shape[0]
        if W.shape != (N, N) or N == 0:
            raise ValueError(f"W must be a square (N, N) array with N >= 1; got shape {W.shape}")
        if N > config.MAX_UNITS:
            raise ValueError(f"at most {config.MAX_UNITS} units are supported; W has {N}")
        C = np.ones((N, N)) if connections is None else _mask("connections", connections, (N, N))
        b = np.zeros(N) if b is None else _array("b", b, (N,))
        if not bias and np.any(b != 0):
            raise ValueError("b must be 0 when bias=False (biases are switched off)")
        h0 = np.full(N, config.DEFAULT_H0) if h0 is None else _array("h0", h0, (N,))
        try:
            names = (activation,) * N if isinstance(activation, str) else tuple(activation)
        except TypeError:
            raise ValueError(f"activation must be one name or a sequence of {N} names; got {activation!r}") from None
        if len(names) != N:
            raise ValueError(f"activation must be one name or {N} names (one per unit); got {len(names)}")
        for name in names:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
        try:
            learn = np.broadcast_to(np.asarray(learn_h0), (N,)) if np.ndim(learn_h0) == 0 else np.asarray(learn_h0)
        except ValueError:  # a ragged nesting
            learn = np.zeros(0)
        if learn.shape != (N,) or learn.dtype.kind not in "bi" or np.any((learn != 0) & (learn != 1)):
            raise ValueError(f"learn_h0 must be a bool or {N} bools; got {learn_h0!r}")
        self._W, self._b, self._h0, self._C = W * C, b, h0, C
        self.N = N
        self.activation = names
        self.loss = loss
        self.learn_h0 = _readonly(learn.astype(bool).copy())
        self.bias = bool(bias)
        self.act_codes = np.array([ACTIVATIONS.index(n) for n in names], dtype=np.int64)
        self.loss_code = LOSSES.index(loss)
        self.softmax_units = np.flatnonzero(self.act_codes == SOFTMAX).astype(np.int64)
        # Units on which a cross-entropy target is defined (docs/model.md "Error").
        self.ce_units = _readonly(np.isin(self.act_codes, (config.LOGISTIC, SOFTMAX)))
        self.ties, self.tie_index = self._check_ties(ties)
        self.W, self.b, self.h0, self.C = (_readonly(a) for a in (self._W, self._b, self._h0, self._C))

    def _check_ties(self, ties):
        N = self.N
        flat = self.params()
        groups, seen = [], {}
        try:
            ties = [list(g) for g in ties]
        except TypeError:
            raise ValueError(f"ties must be a sequence of groups, each a sequence of references such as "
                             f"('W', i, j); got {ties!r}") from None
        for g in ties:
            group = tuple(tuple(r) if isinstance(r, (tuple, list)) else r for r in g)
            if len(group) < 2:
                raise ValueError(f"a tie group needs at least two parameters; got {group!r}")
            idx = [parse_ref(r, N) for r in group]
            for r, k in zip(group, idx):
                if k in seen:
                    raise ValueError(f"{r!r} is in two tie groups; a parameter can be tied only once")
                seen[k] = len(groups)
                if r[0] == "W" and self._C[r[1], r[2]] == 0:
                    raise ValueError(f"{r!r} is an absent connection (connections[{r[1]}, {r[2]}] = 0)")
                if r[0] == "b" and not self.bias:
                    raise ValueError(f"{r!r} cannot be tied: biases are switched off")
                if r[0] == "h0" and not self.learn_h0[r[1]]:
                    raise ValueError(f"{r!r} cannot be tied: that initial state is fixed, not learned")
            vals = flat[idx]
            if np.ptp(vals) > 1e-12 * max(1.0, np.max(np.abs(vals))):
                raise ValueError(f"tied parameters must start equal; got {dict(zip(group, vals.tolist()))} "
                                 "(Network.tie_groups sets them to their mean)")
            groups.append(group)
        index = np.full(N * N + 2 * N, -1, dtype=np.int64)
        for k, gid in seen.items():
            index[k] = gid
        return tuple(groups), _readonly(index)

    # -- construction helpers ---------------------------------------------------------------
    @classmethod
    def random(cls, n_units, rng, weight_scale=0.5, connections=None, h0=None, **kwargs):
        """A net with W ~ U(-weight_scale, weight_scale) drawn from ``rng`` (a np.random.Generator).

        Learned initial states start as a random guess in (0.25, 0.75) (lecture 7b: "start
        off with an initial random guess"); fixed ones at ``config.DEFAULT_H0``.
        """
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}")
        if isinstance(n_units, bool) or not isinstance(n_units, (int, np.integer)) \
                or not 1 <= n_units <= config.MAX_UNITS:
            raise ValueError(f"n_units must be an integer in 1..{config.MAX_UNITS}; got {n_units!r}")
        N = int(n_units)
        W = rng.uniform(-weight_scale, weight_scale, size=(N, N))  # (N, N)
        if h0 is None:
            learn = np.broadcast_to(np.asarray(kwargs.get("learn_h0", False), dtype=bool), (N,))
            h0 = np.where(learn, rng.uniform(0.25, 0.75, size=N), config.DEFAULT_H0)
        return cls(W, h0=h0, connections=connections, **kwargs)

    def _kwargs(self):
        return dict(W=self._W, b=self._b, h0=self._h0, connections=self._C, activation=self.activation,
                    loss=self.loss, learn_h0=self.learn_h0, bias=self.bias, ties=self.ties)

    def replace(self, **changes):
        """A new, validated Network with some constructor arguments changed."""
        kw = self._kwargs()
        kw.update(changes)
        return Network(**kw)

    def copy(self):
        return self.replace()

    def tie_groups(self, groups):
        """A new Network with these extra tie groups, each set first to its group's mean."""
        flat = self.params()
        for g in groups:
            idx = [parse_ref(r, self.N) for r in g]
            flat[idx] = flat[idx].mean()
        W, b, h0 = self.unflatten(flat)
        return self.replace(W=W, b=b, h0=h0, ties=tuple(self.ties) + tuple(tuple(map(tuple, g)) for g in groups))

    def set(self, ref, value):
        """Set one parameter, ("W", i, j), ("b", i) or ("h0", i), and every parameter tied to it.

        Raises ValueError (and changes nothing) for a non-finite value, an absent connection
        or a switched-off bias.
        """
        k = parse_ref(ref, self.N)
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond the float range
            raise ValueError(f"{ref!r}: expected a number; got {value!r}") from None
        if not np.isfinite(v):
            raise ValueError(f"{ref!r}: expected a finite number; got {value!r}")
        if ref[0] == "W" and self._C[ref[1], ref[2]] == 0:
            raise ValueError(f"{tuple(ref)!r} is an absent connection; add the connection first")
        if ref[0] == "b" and not self.bias:
            raise ValueError("biases are switched off; switch them on first")
        gid = self.tie_index[k]
        targets = np.flatnonzero(self.tie_index == gid) if gid >= 0 else [k]
        flat = self.params()
        flat[targets] = v
        self.assign(flat)

    # -- the flat parameter vector [W.ravel(), b, h0] ---------------------------------------
    def params(self):
        """A copy of all parameters as one vector [W.ravel(), b, h0], length N*N + 2N."""
        return np.concatenate([self._W.ravel(), self._b, self._h0])

    def unflatten(self, flat):
        N = self.N
        return flat[:N * N].reshape(N, N), flat[N * N:N * N + N], flat[N * N + N:]

    def assign(self, flat):
        """Write a flat vector [W.ravel(), b, h0] (as ``params`` gives) into the parameters in place:
        the optimiser's update, ``set``, an undo. Absent connections and switched-off biases stay 0;
        tied parameters are the caller's to keep equal (``params`` of this net always are)."""
        flat = np.asarray(flat, dtype=np.float64)
        if flat.shape != (self.N * self.N + 2 * self.N,):
            raise ValueError(f"expected {self.N * self.N + 2 * self.N} parameters [W.ravel(), b, h0]; "
                             f"got shape {flat.shape}")
        W, b, h0 = self.unflatten(flat)
        self._W[...] = W * self._C
        self._b[...] = b if self.bias else 0.0
        self._h0[...] = h0

    def __repr__(self):
        acts = self.activation[0] if len(set(self.activation)) == 1 else ",".join(self.activation)
        return (f"Network(N={self.N}, activation={acts}, loss={self.loss}, connections={int(self._C.sum())}, "
                f"learned h0={int(self.learn_h0.sum())}, ties={len(self.ties)})")


class Sequences:
    """A batch of B training cases of T steps: inputs with their clamp mask, targets with theirs.

    Each of ``inputs`` X, ``clamp`` K, ``targets`` Y, ``target_mask`` M is (B, T+1, N) or
    (T+1, N) (one case); row 0 is the initial state. Where ``K[c, t, i]`` is 1 unit i's state
    at time t is set to ``X[c, t, i]``; where ``M[c, t, i]`` is 1 it has the target
    ``Y[c, t, i]``. Omitted arrays are 0 (nothing clamped, no targets), but at least one of
    them must be given so the shape is known. The data are stored once, time-major
    (4, T+1, B, N), the layout the kernels read.
    """

    def __init__(self, inputs=None, clamp=None, targets=None, target_mask=None):
        given = {k: v for k, v in dict(inputs=inputs, clamp=clamp, targets=targets, target_mask=target_mask).items()
                 if v is not None}
        if not given:
            raise ValueError("Sequences needs at least one of inputs, clamp, targets, target_mask")
        arrays = {k: _array(k, v, ndim=(2, 3)) for k, v in given.items()}
        shape = None
        for k, a in arrays.items():
            full = a.shape if a.ndim == 3 else (1,) + a.shape
            if shape is None:
                shape, first = full, k
            elif full != shape:
                raise ValueError(f"{k} has shape {a.shape} but {first} has shape {arrays[first].shape}; "
                                 "all four must be (B, T+1, N) or (T+1, N) alike")
        B, T1, N = shape
        if T1 < 2:
            raise ValueError(f"sequences need T >= 1 step, i.e. at least 2 rows (t = 0..T); got {T1}")
        if not (1 <= N <= config.MAX_UNITS and T1 - 1 <= config.MAX_STEPS and 1 <= B <= config.MAX_CASES):
            raise ValueError(f"sequence size B={B}, T={T1 - 1}, N={N} is beyond the limits "
                             f"(1 <= B <= {config.MAX_CASES}, T <= {config.MAX_STEPS}, 1 <= N <= {config.MAX_UNITS})")
        if B * T1 * N > config.MAX_STACK_CELLS:
            raise ValueError(f"B * (T+1) * N = {B * T1 * N} is beyond the limit of {config.MAX_STACK_CELLS} cells")
        data = np.zeros((4, T1, B, N))  # (4, T+1, B, N): X, K, Y, M
        for row, key in enumerate(("inputs", "clamp", "targets", "target_mask")):
            if key in arrays:
                if key in ("clamp", "target_mask"):
                    _mask(key, arrays[key], arrays[key].shape)
                a = arrays[key].reshape(shape)  # (B, T+1, N)
                data[row] = a.transpose(1, 0, 2)
        self._data = data
        self.B, self.T, self.N = B, T1 - 1, N
        M = data[3] != 0
        self.target_units = _readonly(M.any(axis=(0, 1)))  # (N,): units with any target
        y = data[2][M]
        self.target_range = (float(y.min()), float(y.max())) if y.size else (0.0, 0.0)
        self.X, self.K, self.Y, self.M = (_readonly(data[r].transpose(1, 0, 2)) for r in range(4))  # (B, T+1, N)

    def case(self, c):
        """Case c alone, as a one-case Sequences."""
        return Sequences(self.X[c], self.K[c], self.Y[c], self.M[c])

    def cases(self, index):
        """The cases ``index`` (an index array, in its order) as a Sequences: a minibatch."""
        return Sequences(self.X[index], self.K[index], self.Y[index], self.M[index])

    def __repr__(self):
        return (f"Sequences(B={self.B}, T={self.T}, N={self.N}, clamped={int(self.K.sum())}, "
                f"targets={int(self.M.sum())})")
