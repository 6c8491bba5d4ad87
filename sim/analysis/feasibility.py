"""Feasibility: which red lines bind, who must consent, which outcomes are blocked, feasible
and acceptable, and who the parties of the bargaining problem are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass


TOLERANCE = 1e-9
"""Slack of every comparison with a BATNA: u >= batna - TOLERANCE counts as acceptable."""


# --- feasibility ----------------------------------------------------------------------------


def binding_mask(firmness: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Which red lines bind: ``firmness[r] >= threshold`` (threshold 0: all of them).

    >>> binding_mask(np.array([1.0, 0.4, 0.0]), 0.5).tolist()
    [True, False, False]
    >>> binding_mask(np.array([1.0, 0.4, 0.0])).tolist()
    [True, True, True]
    """
    return np.asarray(firmness, dtype=float) >= threshold


def consent_mask(
    signatory_mask: np.ndarray,
    owners: np.ndarray,
    veto: np.ndarray | None = None,
    mandate_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Where each red line's owner has a say: ``signs[owner[r], k] or (veto[r] and mandate[k])``.

    `owners[r]` is the actor index of red line r; `veto[r]` marks a veto red line of an actor
    casting a permanent Security Council seat, which stops any outcome needing a mandate
    (`mandate_mask[k]`) whether or not its owner signs. Shape: red lines x outcomes.

    >>> signs = np.array([[True, True], [False, True]])
    >>> consent_mask(signs, np.array([1, 0])).tolist()
    [[False, True], [True, True]]
    >>> consent_mask(signs, np.array([1]), np.array([True]), np.array([True, False])).tolist()
    [[True, True]]
    """
    consent = np.asarray(signatory_mask, dtype=bool)[np.asarray(owners, dtype=int)]
    if veto is not None and mandate_mask is not None:
        consent = consent | (np.asarray(veto, bool)[:, None] & np.asarray(mandate_mask, bool))
    return consent


def blocking_matrix(
    red_line_mask: np.ndarray, consent: np.ndarray, binding: np.ndarray | None = None
) -> np.ndarray:
    """Which red lines block which outcomes: ``cross[r, k] and consent[r, k] and binding[r]``.

    >>> cross = np.array([[True, True, False], [False, True, True]])
    >>> consent = np.array([[True, False, True], [True, True, True]])
    >>> blocking_matrix(cross, consent).astype(int).tolist()
    [[1, 0, 0], [0, 1, 1]]
    >>> blocking_matrix(cross, consent, np.array([True, False])).astype(int).tolist()
    [[1, 0, 0], [0, 0, 0]]
    """
    blocks = np.asarray(red_line_mask, dtype=bool) & np.asarray(consent, dtype=bool)
    if binding is not None:
        blocks &= np.asarray(binding, dtype=bool)[:, None]
    return blocks


def actor_feasible(
    red_line_mask: np.ndarray,
    owners: np.ndarray,
    n_actors: int,
    binding: np.ndarray | None = None,
) -> np.ndarray:
    """Each actor's feasible set: ``ok[a, k] = not any(cross[r, k] for binding r owned by a)``.

    Shape: actors x outcomes. This ignores who signs: it is what the actor itself would
    accept, whether or not its signature is needed.

    >>> cross = np.array([[True, False, False], [False, False, True]])
    >>> actor_feasible(cross, np.array([0, 0]), 2).astype(int).tolist()
    [[0, 1, 0], [1, 1, 1]]
    """
    cross = np.asarray(red_line_mask, dtype=bool)
    if binding is not None:
        cross = cross & np.asarray(binding, dtype=bool)[:, None]
    owners = np.asarray(owners, dtype=int)
    ok = np.ones((n_actors, cross.shape[1]), dtype=bool)
    for a in range(n_actors):
        rows = cross[owners == a]
        if rows.shape[0]:
            ok[a] = ~rows.any(axis=0)
    return ok


def joint_feasible(blocking: np.ndarray) -> np.ndarray:
    """The joint feasible set: outcomes no red line blocks, ``not any_r blocking[r, k]``.

    >>> joint_feasible(np.array([[True, False, False], [False, False, True]])).tolist()
    [False, True, False]
    >>> joint_feasible(np.zeros((0, 2), dtype=bool)).tolist()
    [True, True]
    """
    blocking = np.asarray(blocking, dtype=bool)
    return ~blocking.any(axis=0)


def acceptable(
    utilities: np.ndarray,
    batna: np.ndarray,
    signatory_mask: np.ndarray,
    tol: float = TOLERANCE,
) -> np.ndarray:
    """Outcomes every required signatory prefers to no deal.

    ``ok[k] = all_a (not signs[a, k] or u[k, a] >= batna[a] - tol)``.

    >>> u = np.array([[0.5, 0.1], [0.3, 0.6]])
    >>> signs = np.array([[True, True], [True, False]])
    >>> acceptable(u, np.array([0.4, 0.5]), signs).tolist()
    [False, False]
    >>> acceptable(u, np.array([0.3, 0.5]), signs).tolist()
    [False, True]
    """
    u = np.asarray(utilities, dtype=float)
    ok_each = u >= np.asarray(batna, dtype=float)[None, :] - tol
    return np.all(ok_each | ~np.asarray(signatory_mask, dtype=bool).T, axis=1)


def parties_of(signatory_mask: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The parties bargaining over `candidates` (bool per outcome), as actor indices.

    The actors whose signature every candidate needs; when there is none, the actors whose
    signature some candidate needs; when there is none either (or no candidate), every actor
    who signs any outcome, and at last every actor.

    >>> signs = np.array([[True, True, True], [False, True, False], [False, False, False]])
    >>> parties_of(signs, np.array([True, True, False])).tolist()
    [0]
    >>> parties_of(signs[1:], np.array([True, True, False])).tolist()
    [0]
    """
    signs = np.asarray(signatory_mask, dtype=bool)
    cand = np.asarray(candidates, dtype=bool)
    if cand.any():
        for needed in (signs[:, cand].all(axis=1), signs[:, cand].any(axis=1)):
            if needed.any():
                return np.flatnonzero(needed)
    anywhere = signs.any(axis=1)
    return np.flatnonzero(anywhere) if anywhere.any() else np.arange(signs.shape[0])


def gains(utilities: np.ndarray, batna: np.ndarray) -> np.ndarray:
    """Gains over the BATNA, clipped at zero: ``g[k, a] = max(u[k, a] - batna[a], 0)``.

    >>> gains(np.array([[0.5, 0.2]]), np.array([0.25, 0.5])).tolist()
    [[0.25, 0.0]]
    """
    u = np.asarray(utilities, dtype=float)
    return np.maximum(u - np.asarray(batna, dtype=float)[None, :], 0.0)
