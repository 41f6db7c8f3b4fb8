"""Read-out helpers shared by the lessons (each lesson's own read-outs are in its module).

Plain functions of a network (no panel, no state of their own); every number comes from
engine.bptt, so it is exactly the model the app trains (docs/model.md).
"""
import numpy as np

from engine import Sequences, bptt


def forward(net, X, K, Y=None, M=None):
    """The stack of net on these clamps (no targets unless given): a Gradients object."""
    return bptt(net, Sequences(X, K, Y if Y is not None else np.zeros_like(X),
                               M if M is not None else np.zeros_like(X)), check=False)


def kmeans(points, k, rng, restarts=10, iterations=100):
    """Plain k-means (Lloyd) with k-means++ starts; the best of ``restarts`` by inertia.

    Returns (centres (k, D), assignment (P,), inertia)."""
    best = None
    for _ in range(restarts):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            d2 = np.min([((points - c) ** 2).sum(1) for c in centres], axis=0)  # (P,)
            probs = d2 / d2.sum() if d2.sum() > 0 else np.full(len(points), 1 / len(points))
            centres.append(points[rng.choice(len(points), p=probs)])
        centres = np.array(centres)  # (k, D)
        for _ in range(iterations):
            assign = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)  # (P,)
            new = np.array([points[assign == j].mean(0) if np.any(assign == j) else centres[j] for j in range(k)])
            if np.allclose(new, centres):
                break
            centres = new
        inertia = float(((points - centres[assign]) ** 2).sum())
        if best is None or inertia < best[2]:
            best = (centres, assign, inertia)
    return best


def loss_readout(net, spec, info, seq, grads, rng):
    """The measures of a lesson with none of its own: the error at each step."""
    return {"loss_by_step": grads.loss_by_step.copy()}
