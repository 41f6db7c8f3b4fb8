"""Numeric constants and size limits of the engine, kept in one place (stumpy's config.py)."""

#: Initial state of a unit whose h0 is fixed (Hinton, lecture 7b: "some default value like 0.5").
DEFAULT_H0 = 0.5

#: Activation names, in the order of their integer codes inside the kernels.
ACTIVATIONS = ("logistic", "tanh", "linear", "softmax")
LOGISTIC, TANH, LINEAR, SOFTMAX = range(4)

#: Loss names, in the order of their integer codes.
LOSSES = ("squared", "cross_entropy")
SQUARED, CROSS_ENTROPY = range(2)

# Size limits. They protect a shared server (one student cannot ask for a 10 GB stack) and
# keep kernel memory predictable: the stack holds 5 arrays of (T+1) * B * N float64.
MAX_UNITS = 1024
MAX_STEPS = 10_000
MAX_CASES = 100_000
MAX_STACK_CELLS = 20_000_000  # (T+1) * B * N; 5 stacks of this many float64 are 800 MB

# From this batch size on, the kernels use BLAS matrix products over the batch; below it
# plain loops avoid BLAS call overhead (measured: loops win at B = 1, BLAS from B >= 8).
BLAS_MIN_BATCH = 8

# The logistic's inline, vectorised exp covers |z| <= this; beyond it (where e^|z| nears the
# float64 range) and for NaN the kernels fall back to math.exp. 2^n stays a normal number.
EXP_FAST_LIMIT = 708.0

# From this many units on (and on the BLAS path), the backward pass multiplies only the columns
# of d_t that are not all zero (units clamped at that step take no error), so inputs clamped
# at every step cost nothing in W^T d_t and dW. Below it the gather costs more than it saves.
COMPACT_MIN_UNITS = 32

#: Learning rules (docs/model.md "Other learning rules"), with the state each keeps per parameter.
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
STATE_ARRAYS = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v"), "rmsprop": ("r",)}
# Their fixed hyper-parameters, PyTorch's defaults: rmsprop's rho (PyTorch's alpha), adam's
# (b1, b2), and delta, added to the root in the denominator so that it is never 0.
RMSPROP_RHO = 0.99
ADAM_BETAS = (0.9, 0.999)
STEP_DELTA = 1e-8
