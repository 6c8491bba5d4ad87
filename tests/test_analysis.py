"""Tests of sim.analysis: bargaining theory on small numeric scenarios, brute force on random
small spaces (hypothesis), and the whole analysis of the baseline scenario."""

from __future__ import annotations

import doctest
import functools
import itertools
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import sim.analysis.bargaining
import sim.analysis.blocking
import sim.analysis.feasibility
import sim.analysis.pareto
import sim.analysis.solutions
from sim.analysis.bargaining import analyse
from sim.analysis.blocking import blocking_counts, minimal_relaxations
from sim.analysis.feasibility import (
    acceptable,
    actor_feasible,
    binding_mask,
    blocking_matrix,
    consent_mask,
    gains,
    joint_feasible,
)
from sim.analysis.pareto import pareto_front
from sim.analysis.solutions import (
    compare,
    egalitarian_point,
    kalai_smorodinsky_point,
    nash_point,
    utilitarian_point,
)
from sim.cli.briefing import briefing_text
from sim.engine.params import draw_parameters
from sim.engine.space import Compiled, compile_scenario
from sim.scenario.build import load_scenario, load_text
from tests.builders import BASELINE, scenario_dicts, to_yaml


def test_doctests_pass() -> None:
    modules = (
        sim.analysis.bargaining,
        sim.analysis.blocking,
        sim.analysis.feasibility,
        sim.analysis.pareto,
        sim.analysis.solutions,
    )
    results = [doctest.testmod(module) for module in modules]
    assert sum(r.failed for r in results) == 0
    assert sum(r.attempted for r in results) >= 20


# --- builders --------------------------------------------------------------------------------


def write(folder: Path, data: dict[str, Any]) -> Path:
    """A scenario as a file (JSON is YAML)."""
    path = folder / f"{data['id']}.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def actor(
    actor_id: str,
    scores: dict[str, Any],
    batna: float,
    role: str = "belligerent",
    red_lines: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": actor_id,
        "name": actor_id.upper(),
        "role": role,
        "weights": {issue: 1.0 for issue in scores},
        "scores": scores,
        "batna": {"value": batna},
        "red_lines": red_lines or [],
        **extra,
    }


def red_line(line_id: str, forbids: dict[str, list[Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": line_id,
        "forbids": forbids,
        "provenance": {"kind": "assumption", "rationale": "built for a test"},
        **extra,
    }


def split_of_one(
    folder: Path,
    batna_a: float,
    batna_b: float,
    score_b: Any = None,
    red_lines_b: list[dict[str, Any]] | None = None,
) -> Path:
    """A's share x of one, on a 0.01 grid: u_A = x, u_B = 1 - x (or score_b(x))."""
    grid = [k / 100 for k in range(101)]
    score_b = score_b or (lambda x: 1 - x)
    return write(
        folder,
        {
            "schema_version": 1,
            "id": "split",
            "title": "Split of one",
            "issues": [
                {"id": "share", "name": "A's share", "range": {"start": 0, "stop": 1, "step": 0.01}}
            ],
            "actors": [
                actor("a", {"share": grid}, batna_a),
                actor(
                    "b",
                    {"share": [round(score_b(x), 12) for x in grid]},
                    batna_b,
                    "belligerent",
                    red_lines_b,
                ),
            ],
            "protocol": {"kind": "alternating"},
        },
    )


def share(point: sim.analysis.bargaining.Point | None) -> float:
    assert point is not None
    value = point.terms["share"]
    assert isinstance(value, float)
    return value


# --- bargaining theory on numeric scenarios --------------------------------------------------


def test_split_of_one_with_zero_batnas_meets_at_half(tmp_path: Path) -> None:
    result = analyse(load_scenario(split_of_one(tmp_path, 0.0, 0.0)))
    assert result.n_outcomes == 101
    assert result.zopa.sum() == 101
    assert result.parties == ("a", "b")
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        assert share(result.solutions[name]) == pytest.approx(0.5), name
    # every split is Pareto-efficient when utilities are linear and opposed
    assert len(result.pareto) == 101


@pytest.mark.parametrize(
    ("p", "cost_a", "cost_b"),
    [(0.6, 0.1, 0.2), (0.5, 0.1, 0.1), (0.3, 0.05, 0.25), (0.8, 0.3, 0.0)],
)
def test_zopa_is_fearons_bargaining_range(
    tmp_path: Path, p: float, cost_a: float, cost_b: float
) -> None:
    """Fearon (1995): A wins a war with probability p at cost c_A, B at cost c_B; A's share x
    of the prize is acceptable to both exactly on [p - c_A, p + c_B], and the Nash bargaining
    point splits the surplus c_A + c_B equally: x = p + (c_B - c_A) / 2."""
    path = split_of_one(tmp_path, p - cost_a, 1 - p - cost_b)
    result = analyse(load_scenario(path))
    shares = [result.point(int(k)).terms["share"] for k in np.flatnonzero(result.zopa)]
    expected = [k / 100 for k in range(101) if p - cost_a - 1e-9 <= k / 100 <= p + cost_b + 1e-9]
    assert shares == pytest.approx(expected)
    assert min(shares) == pytest.approx(p - cost_a)
    assert max(shares) == pytest.approx(p + cost_b)
    assert share(result.solutions["nash"]) == pytest.approx(p + (cost_b - cost_a) / 2)
    # the ideal gains are both c_A + c_B, so Kalai–Smorodinsky and egalitarian agree
    assert share(result.solutions["kalai_smorodinsky"]) == pytest.approx(p + (cost_b - cost_a) / 2)
    assert share(result.solutions["egalitarian"]) == pytest.approx(p + (cost_b - cost_a) / 2)


@given(p=st.integers(0, 100), cost_a=st.integers(0, 100), cost_b=st.integers(0, 100))
def test_fearon_range_on_arrays(p: int, cost_a: int, cost_b: int) -> None:
    x = np.arange(101) / 100
    utilities = np.column_stack([x, 1 - x])
    batna = np.array([(p - cost_a) / 100, 1 - (p + cost_b) / 100])
    ok = acceptable(utilities, batna, np.ones((2, 101), dtype=bool))
    expected = (np.arange(101) >= p - cost_a) & (np.arange(101) <= p + cost_b)
    assert ok.tolist() == expected.tolist()


def test_red_line_cuts_the_bargaining_range(tmp_path: Path) -> None:
    above = [k / 100 for k in range(71, 101)]
    line = red_line("keeps_a_third", {"share": above})
    result = analyse(load_scenario(split_of_one(tmp_path, 0.5, 0.2, red_lines_b=[line])))
    shares = [result.point(int(k)).terms["share"] for k in np.flatnonzero(result.zopa)]
    assert min(shares) == pytest.approx(0.5)
    assert max(shares) == pytest.approx(0.7)
    # Nash of the whole range would be 0.65; the red line does not move it
    assert share(result.solutions["nash"]) == pytest.approx(0.65)
    (summary,) = result.red_lines
    assert summary.blocks == 10  # 0.71 .. 0.80 were acceptable
    assert summary.swing == 10


def test_nash_with_unequal_batnas(tmp_path: Path) -> None:
    """With linear utilities and disagreement point (d_A, d_B), Nash gives A (1 + d_A - d_B)/2."""
    result = analyse(load_scenario(split_of_one(tmp_path, 0.3, 0.1)))
    assert share(result.solutions["nash"]) == pytest.approx(0.6)
    assert share(result.solutions["utilitarian"]) == pytest.approx(0.6)  # sums tie: min gain


def test_nash_and_kalai_smorodinsky_differ_on_a_curved_frontier(tmp_path: Path) -> None:
    """u_A = x, u_B = 1 - x^2: Nash maximises x (1 - x^2) at 1/sqrt(3); Kalai–Smorodinsky
    equalises the gains relative to the ideal (1, 1): x = 1 - x^2 at (sqrt(5) - 1) / 2."""
    path = split_of_one(tmp_path, 0.0, 0.0, score_b=lambda x: 1 - x * x)
    result = analyse(load_scenario(path))
    assert share(result.solutions["nash"]) == pytest.approx(1 / math.sqrt(3), abs=0.005)
    assert share(result.solutions["kalai_smorodinsky"]) == pytest.approx(
        (math.sqrt(5) - 1) / 2, abs=0.005
    )
    assert share(result.solutions["utilitarian"]) == pytest.approx(0.5)  # max x + 1 - x^2


def test_three_party_nash_on_a_simplex_grid() -> None:
    """Splitting one among three with zero BATNAs: Nash and every other point at 1/3 each."""
    shares = [(i / 30, j / 30, (30 - i - j) / 30) for i in range(31) for j in range(31 - i)]
    g = np.array(shares)
    for solve in (nash_point, kalai_smorodinsky_point, egalitarian_point):
        best = solve(g)
        assert best is not None
        assert g[best].tolist() == pytest.approx([1 / 3] * 3)
    # the utilitarian sum is 1 everywhere; the tie goes to the largest smallest gain
    best = utilitarian_point(g)
    assert best is not None
    assert g[best].tolist() == pytest.approx([1 / 3] * 3)


def test_solution_points_of_an_empty_zopa_are_none() -> None:
    empty = np.zeros((0, 3))
    for solve in (nash_point, kalai_smorodinsky_point, egalitarian_point, utilitarian_point):
        assert solve(empty) is None


# --- brute force on random small spaces ------------------------------------------------------


def brute_pareto(points: np.ndarray) -> list[bool]:
    n = len(points)
    return [
        not any(
            all(points[j] >= points[i]) and any(points[j] > points[i]) for j in range(n) if j != i
        )
        for i in range(n)
    ]


grid_points = st.integers(1, 5).flatmap(
    lambda d: hnp.arrays(
        float,
        st.tuples(st.integers(0, 40), st.just(d)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
    )
)
float_points = st.integers(1, 4).flatmap(
    lambda d: hnp.arrays(
        float,
        st.tuples(st.integers(0, 40), st.just(d)),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
    )
)


@given(points=st.one_of(grid_points, float_points))
def test_pareto_front_matches_brute_force(points: np.ndarray) -> None:
    assert pareto_front(points).tolist() == brute_pareto(points)


@given(
    points=st.one_of(grid_points, float_points), leaf=st.integers(1, 6), pairs=st.integers(1, 30)
)
def test_divide_and_conquer_matches_brute_force(points: np.ndarray, leaf: int, pairs: int) -> None:
    """Tiny leaves force the recursion (halves, median splits, dropped columns) on small input."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim.analysis.pareto, "_LEAF", leaf)
        patch.setattr(sim.analysis.pareto, "_PAIRS", pairs)
        assert pareto_front(points).tolist() == brute_pareto(points)


@given(points=grid_points, block=st.integers(1, 8))
def test_pareto_front_does_not_depend_on_block_size(points: np.ndarray, block: int) -> None:
    assert pareto_front(points, block=block).tolist() == pareto_front(points).tolist()


def numpy_brute_pareto(points: np.ndarray) -> np.ndarray:
    """O(n^2) dominance, a block of dominated rows at a time, one column at a time."""
    front = np.ones(len(points), dtype=bool)
    for start in range(0, len(points), 512):
        rows = points[start : start + 512]
        ge = np.ones((len(points), len(rows)), dtype=bool)
        gt = np.zeros((len(points), len(rows)), dtype=bool)
        for j in range(points.shape[1]):
            ge &= points[:, None, j] >= rows[None, :, j]
            gt |= points[:, None, j] > rows[None, :, j]
        front[start : start + 512] = ~(ge & gt).any(axis=0)
    return front


@pytest.mark.parametrize("d", [2, 3, 4, 5])
@pytest.mark.parametrize("kind", ["uniform", "ties", "anticorrelated"])
def test_pareto_front_of_thousands_matches_brute_force(d: int, kind: str) -> None:
    """Large enough to go through the pivot prefilter and many sweep blocks."""
    rng = np.random.default_rng(d)
    n = 5000
    if kind == "uniform":
        points = rng.random((n, d))
    elif kind == "ties":
        points = rng.integers(0, 6, size=(n, d)) / 5
    else:  # near the simplex: a large frontier
        raw = rng.random((n, d))
        points = raw / raw.sum(axis=1, keepdims=True) + rng.normal(0, 0.01, (n, d))
    front = pareto_front(points)
    assert front.tolist() == numpy_brute_pareto(points).tolist()
    assert front.any()


def test_pareto_front_keeps_equal_vectors_together() -> None:
    points = np.array([[0.5, 0.5], [0.5, 0.5], [0.2, 0.9], [0.5, 0.4], [0.2, 0.9]])
    assert pareto_front(points).tolist() == [True, True, True, False, True]


def test_pareto_front_rejects_nan_and_bad_shapes() -> None:
    with pytest.raises(ValueError, match="NaN"):
        pareto_front(np.array([[0.1, np.nan]]))
    with pytest.raises(ValueError, match="2-d"):
        pareto_front(np.array([0.1, 0.2]))
    assert pareto_front(np.zeros((0, 3))).tolist() == []


eighths = st.sampled_from([Fraction(k, 8) for k in range(9)])


@st.composite
def gain_tables(draw: st.DrawFn) -> list[list[Fraction]]:
    parties = draw(st.integers(1, 4))
    rows = draw(st.integers(1, 25))
    return [[draw(eighths) for _ in range(parties)] for _ in range(rows)]


def brute_best(rows: list[list[Fraction]], keys: list[Any]) -> int:
    """The lowest row maximising the tuple of keys (exact arithmetic)."""
    scored = [(tuple(key(r) for key in keys), -k) for k, r in enumerate(rows)]
    return -max(scored)[1]


@given(table=gain_tables())
def test_solution_points_match_brute_force(table: list[list[Fraction]]) -> None:
    g = np.array([[float(x) for x in row] for row in table])
    ideal = [max(row[a] for row in table) for a in range(len(table[0]))]

    def product(row: list[Fraction]) -> Fraction:
        return math.prod(row, start=Fraction(1))

    def relative_min(row: list[Fraction]) -> Fraction:
        return min(x / i if i > 0 else Fraction(1) for x, i in zip(row, ideal, strict=True))

    assert nash_point(g) == brute_best(table, [product, sum])
    assert kalai_smorodinsky_point(g) == brute_best(table, [relative_min, sum])
    assert egalitarian_point(g) == brute_best(table, [sorted])
    assert utilitarian_point(g) == brute_best(table, [sum, min])


@st.composite
def blocking_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lines = draw(st.integers(0, 6))
    outcomes = draw(st.integers(1, 14))
    blocking = draw(hnp.arrays(bool, (lines, outcomes)))
    ok = draw(hnp.arrays(bool, outcomes))
    firmness = draw(hnp.arrays(float, lines, elements=st.sampled_from([0.0, 0.3, 0.5, 0.9, 1.0])))
    return blocking, ok, firmness


def zopa_without(blocking: np.ndarray, ok: np.ndarray, dropped: tuple[int, ...]) -> bool:
    keep = [r for r in range(blocking.shape[0]) if r not in dropped]
    return bool((ok & ~blocking[keep].any(axis=0)).any())


@given(problem=blocking_problems(), cap=st.integers(0, 6))
def test_minimal_relaxations_match_subset_enumeration(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray], cap: int
) -> None:
    blocking, ok, firmness = problem
    lines = range(blocking.shape[0])
    opening = [
        s
        for size in range(min(cap, blocking.shape[0]) + 1)
        for s in itertools.combinations(lines, size)
        if zopa_without(blocking, ok, s)
    ]
    minimal = {s for s in opening if not any(set(t) < set(s) for t in opening)}
    found = minimal_relaxations(blocking, ok, firmness, max_size=cap)
    assert set(found) == minimal
    assert len(found) == len(minimal)
    keys = [-math.prod(1 - firmness[r] for r in s) for s in found]
    assert keys == sorted(keys)


@given(problem=blocking_problems())
def test_blocking_counts_match_brute_force(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    would_block, ok, firmness = problem
    binds = binding_mask(firmness, 0.5)
    blocks, swing = blocking_counts(would_block, ok, binds)
    binding_rows = [r for r in range(len(binds)) if binds[r]]
    for r in range(len(binds)):
        assert blocks[r] == sum(would_block[r, k] and ok[k] for k in range(len(ok)))
        with_r = {*binding_rows, r}
        without_r = set(binding_rows) - {r}

        def zopa(rows: set[int]) -> int:
            return sum(ok[k] and not any(would_block[q, k] for q in rows) for k in range(len(ok)))

        assert swing[r] == abs(zopa(with_r) - zopa(without_r))


@st.composite
def spaces(draw: st.DrawFn) -> dict[str, np.ndarray]:
    actors = draw(st.integers(1, 4))
    lines = draw(st.integers(0, 5))
    outcomes = draw(st.integers(1, 12))
    return {
        "cross": draw(hnp.arrays(bool, (lines, outcomes))),
        "owners": np.array(
            draw(st.lists(st.integers(0, actors - 1), min_size=lines, max_size=lines)), dtype=int
        ),
        "signs": draw(hnp.arrays(bool, (actors, outcomes))),
        "u": draw(
            hnp.arrays(float, (outcomes, actors), elements=st.sampled_from([0, 0.3, 0.6, 1]))
        ),
        "batna": draw(hnp.arrays(float, actors, elements=st.sampled_from([0, 0.3, 0.6, 1]))),
    }


@given(space=spaces())
def test_feasible_and_zopa_match_their_definitions(space: dict[str, np.ndarray]) -> None:
    cross, owners, signs, u, batna = (space[k] for k in ("cross", "owners", "signs", "u", "batna"))
    blocking = blocking_matrix(cross, consent_mask(signs, owners))
    feasible = joint_feasible(blocking)
    ok = acceptable(u, batna, signs)
    per_actor = actor_feasible(cross, owners, signs.shape[0])
    for k in range(cross.shape[1]):
        crossed_by_signer = any(cross[r, k] and signs[owners[r], k] for r in range(cross.shape[0]))
        assert feasible[k] == (not crossed_by_signer)
        assert ok[k] == all(not signs[a, k] or u[k, a] >= batna[a] for a in range(signs.shape[0]))
        for a in range(signs.shape[0]):
            assert per_actor[a, k] == (
                not any(cross[r, k] for r in range(cross.shape[0]) if owners[r] == a)
            )


def test_gains_are_clipped_at_zero() -> None:
    assert gains(np.array([[0.2, 0.9]]), np.array([0.5, 0.4])).tolist() == [[0.0, 0.5]]


# --- comparing an agreement ------------------------------------------------------------------


def test_compare_an_agreement_with_nash_and_the_frontier() -> None:
    frontier = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    nash = np.array([0.5, 0.5])
    on_nash = compare(nash, nash, frontier)
    assert on_nash.nash_distance == 0
    assert on_nash.frontier_distance == 0
    assert not on_nash.dominated
    assert on_nash.shortfall == 0
    inside = compare(np.array([0.2, 0.2]), nash, frontier)
    assert inside.dominated
    assert inside.shortfall == pytest.approx(0.3)
    assert inside.nash_distance == pytest.approx(math.hypot(0.3, 0.3))
    corner = compare(np.array([1.0, 0.0]), nash, frontier)
    assert not corner.dominated
    assert corner.frontier_distance == 0
    assert corner.nash_distance == pytest.approx(math.hypot(0.5, 0.5))
    nothing = compare(np.array([0.2, 0.2]), None, np.zeros((0, 2)))
    assert nothing.nash_distance is None and nothing.frontier_distance is None


def test_analysis_compare_accepts_terms_and_indices(tmp_path: Path) -> None:
    result = analyse(load_scenario(split_of_one(tmp_path, 0.0, 0.0)))
    at_half = result.compare({"share": 0.5})
    assert at_half.nash_distance == pytest.approx(0)
    assert at_half.frontier_distance == pytest.approx(0)
    off = result.compare({"share": 0.8})
    assert off.nash_distance == pytest.approx(math.hypot(0.3, 0.3))
    assert result.compare(80).nash_distance == pytest.approx(off.nash_distance)
    with pytest.raises(ValueError, match="not an option"):
        result.compare({"share": 0.123})


# --- the whole analysis of scenarios ---------------------------------------------------------


@pytest.fixture(scope="module")
def baseline() -> sim.analysis.Analysis:
    return analyse(load_scenario(BASELINE))


def test_baseline_invariants(baseline: sim.analysis.Analysis) -> None:
    compiled, p = baseline.compiled, baseline.parameters
    assert baseline.binding.all()  # default threshold: every red line binds
    assert not (baseline.zopa & ~baseline.feasible).any()
    assert not (baseline.zopa & ~baseline.acceptable).any()
    for k in np.flatnonzero(baseline.zopa):
        for ref in compiled.red_lines:
            crosses = compiled.red_line_mask[ref.row, k]
            assert not (crosses and compiled.signatory_mask[ref.actor_index, k])
        assert baseline.below_batna(int(k)) == []
    for point in baseline.solutions.values():
        assert point is not None
        assert baseline.zopa[point.outcome]
        assert point.outcome in baseline.pareto
    assert set(baseline.pareto) <= set(np.flatnonzero(baseline.zopa))
    # the mediator never signs, so its red line blocks nothing
    us = next(s for s in baseline.red_lines if s.ref.actor == "united_states")
    assert us.blocks == 0 and us.swing == 0
    assert baseline.relaxations[0].red_lines == ()  # a ZOPA exists: nothing has to give
    assert p.utilities.shape == (baseline.n_outcomes, compiled.n_actors)


def test_baseline_blocked_outcomes_name_their_blockers(baseline: sim.analysis.Analysis) -> None:
    for k in np.flatnonzero(~baseline.feasible):
        assert baseline.blockers(int(k))
    for k in np.flatnonzero(baseline.feasible):
        assert baseline.blockers(int(k)) == []


def test_baseline_json_has_the_required_keys(baseline: sim.analysis.Analysis) -> None:
    data = json.loads(json.dumps(baseline.to_dict()))
    for key in (
        "outcomes",
        "feasible",
        "zopa",
        "pareto",
        "nash",
        "kalai_smorodinsky",
        "egalitarian",
        "utilitarian",
        "blocking",
        "minimal_relaxations",
        "binding_red_lines",
    ):
        assert key in data, key
    assert data["outcomes"] == 45
    assert data["zopa_size"] == len(data["zopa"]) > 0
    assert set(data["nash"]["terms"]) == {"nato", "force", "mandate", "support"}
    assert data["minimal_relaxations"] == [[]]
    assert len(data["blocking"]) == 10


def test_threshold_decides_which_red_lines_bind() -> None:
    result = analyse(load_scenario(BASELINE), threshold=0.7)
    data = result.to_dict()
    firm = {f"{r.ref.actor}.{r.ref.id}": r.firmness for r in result.red_lines}
    assert data["not_binding_red_lines"] == [k for k, f in firm.items() if f < 0.7]
    assert data["binding_red_lines"] == [k for k, f in firm.items() if f >= 0.7]
    assert data["zopa_size"] >= analyse(load_scenario(BASELINE)).to_dict()["zopa_size"]
    for line in data["blocking"]:
        if not line["binding"]:
            assert line["swing"] <= data["zopa_size"]


def test_without_a_zopa_every_minimal_relaxation_opens_one_and_no_subset_does() -> None:
    loaded = load_scenario(BASELINE, ["actors.ukraine.batna.value=0.6"])
    result = analyse(loaded, max_relaxation_size=4)
    assert not result.has_deal
    assert all(point is None for point in result.solutions.values())
    assert result.relaxations, "some relaxation should open a deal"
    for relaxation in result.relaxations:
        rows = [r.row for r in relaxation.red_lines]
        binding = result.binding.copy()
        binding[rows] = False
        opened = analyse(loaded, binding=binding)
        assert opened.has_deal
        assert opened.zopa.sum() == relaxation.zopa_size
        assert relaxation.nash is not None and opened.solutions["nash"] == relaxation.nash
        for size in range(len(rows)):
            for subset in itertools.combinations(rows, size):
                partial = result.binding.copy()
                partial[list(subset)] = False
                assert not analyse(loaded, binding=partial).has_deal
    probabilities = [r.bluff_probability for r in result.relaxations]
    assert probabilities == sorted(probabilities, reverse=True)


def test_a_red_line_that_would_close_the_zopa_is_pivotal(tmp_path: Path) -> None:
    """B's soft red line forbids every split A accepts: it does not bind at threshold 0.5, and
    would close the ZOPA if it did."""
    line = red_line("all_or_nothing", {"share": [k / 100 for k in range(50, 101)]}, firmness=0.2)
    path = split_of_one(tmp_path, 0.5, 0.0, red_lines_b=[line])
    soft = analyse(load_scenario(path), threshold=0.5)
    assert soft.has_deal
    assert [r.id for r in soft.closing] == ["all_or_nothing"]
    assert soft.to_dict()["pivotal"] == [
        {"actor": "b", "red_line": "all_or_nothing", "effect": "closes"}
    ]
    hard = analyse(load_scenario(path))
    assert not hard.has_deal
    assert hard.to_dict()["pivotal"] == [
        {"actor": "b", "red_line": "all_or_nothing", "effect": "opens"}
    ]
    assert hard.relaxations[0].bluff_probability == pytest.approx(0.8)


def council_scenario(folder: Path, consequence: str) -> Path:
    """A mediator with a permanent seat and a red line against a mandate."""
    issues = [
        {"id": "force", "name": "Force", "options": [{"id": "none"}, {"id": "sent"}]},
        {"id": "mandate", "name": "Mandate", "options": [{"id": "none"}, {"id": "unsc"}]},
    ]
    scores = {"force": [0.0, 1.0], "mandate": [0.0, 1.0]}
    return write(
        folder,
        {
            "schema_version": 1,
            "id": "council",
            "title": "A veto from the chair",
            "issues": issues,
            "actors": [
                actor("a", scores, 0.0),
                actor("b", scores, 0.0),
                actor(
                    "m",
                    scores,
                    0.0,
                    role="mediator",
                    red_lines=[
                        red_line("no_mandate", {"mandate": ["unsc"]}, consequence=consequence)
                    ],
                ),
            ],
            "protocol": {"kind": "mediated", "mediator": "m"},
            "institutions": {
                "security_council": {
                    "votes_needed": 1,
                    "mandate": {"mandate": ["unsc"]},
                    "members": [{"id": "m", "permanent": True, "actor": "m"}],
                }
            },
        },
    )


def test_a_permanent_members_veto_blocks_without_its_signature(tmp_path: Path) -> None:
    veto = analyse(load_scenario(council_scenario(tmp_path, "veto")))
    reject = analyse(load_scenario(council_scenario(tmp_path, "reject")))
    mandated = veto.compiled.space.matches({"mandate": ["unsc"]})
    assert not (veto.feasible & mandated).any()
    assert reject.feasible[mandated].all()  # a mediator's rejection needs no one's consent
    assert veto.solutions["nash"] is not None
    assert veto.solutions["nash"].terms == {"force": "sent", "mandate": "none"}
    assert reject.solutions["nash"] is not None
    assert reject.solutions["nash"].terms == {"force": "sent", "mandate": "unsc"}


def test_guarantor_only_constrains_what_it_signs(tmp_path: Path) -> None:
    """G signs only when a force is sent: its red line and BATNA bind there and nowhere else,
    and it is not a party to the solution points (not every deal needs it)."""
    issues = [
        {"id": "force", "name": "Force", "options": [{"id": "none"}, {"id": "sent"}]},
        {"id": "aid", "name": "Aid", "options": [{"id": "low"}, {"id": "high"}]},
    ]
    data = {
        "schema_version": 1,
        "id": "guarantor",
        "title": "A guarantor",
        "issues": issues,
        "actors": [
            actor("a", {"force": [0.0, 1.0], "aid": [0.0, 1.0]}, 0.0),
            actor("b", {"force": [1.0, 0.0], "aid": [1.0, 0.0]}, 0.0),
            actor(
                "g",
                {"force": [1.0, 0.0], "aid": [0.0, 1.0]},
                0.9,
                role="guarantor",
                signs_when=[{"force": ["sent"]}],
                red_lines=[red_line("no_low_aid", {"aid": ["low"]})],
            ),
        ],
        "protocol": {"kind": "alternating"},
    }
    result = analyse(load_scenario(write(tmp_path, data)))
    terms = [result.point(int(k)).terms for k in np.flatnonzero(result.zopa)]
    assert terms == [{"force": "none", "aid": "low"}, {"force": "none", "aid": "high"}]
    assert result.parties == ("a", "b")
    assert (
        result.actor_feasible[2].tolist()
        == (~result.compiled.space.matches({"aid": ["low"]})).tolist()
    )


def test_space_pareto_on_request(baseline: sim.analysis.Analysis) -> None:
    assert baseline.space_pareto is None
    result = analyse(load_scenario(BASELINE), space_pareto=True)
    assert result.space_pareto is not None and len(result.space_pareto) > 0
    assert "space_pareto" in result.to_dict()
    u = result.parameters.utilities[
        :, [result.compiled.actor_index(a) for a in ("russia", "ukraine")]
    ]
    assert result.space_pareto.tolist() == np.flatnonzero(numpy_brute_pareto(u)).tolist()


@functools.cache
def compiled_baseline() -> Compiled:
    return compile_scenario(load_scenario(BASELINE).scenario)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_drawn_parameters_keep_the_invariants(seed: int) -> None:
    compiled = compiled_baseline()
    p = draw_parameters(compiled, np.random.default_rng(seed))
    result = analyse(compiled, parameters=p, threshold=0.5)
    assert not (result.zopa & ~result.feasible).any()
    if result.has_deal:
        for point in result.solutions.values():
            assert point is not None and result.zopa[point.outcome]
        assert result.relaxations[0].red_lines == ()
    else:
        assert all(point is None for point in result.solutions.values())
        for relaxation in result.relaxations:
            assert relaxation.zopa_size > 0


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(data=scenario_dicts(), threshold=st.sampled_from([0.0, 0.5, 1.0]))
def test_any_scenario_keeps_the_invariants(data: dict[str, Any], threshold: float) -> None:
    """On generated scenarios: the ZOPA is feasible and acceptable, the solution points lie on
    its Pareto frontier, each minimal relaxation opens a ZOPA and no smaller part of it does,
    and the JSON and the briefing render."""
    loaded = load_text(to_yaml(data), "generated.yaml", Path("."), verify_quotes=False)
    result = analyse(loaded, threshold=threshold)
    c, p = result.compiled, result.parameters
    assert not (result.zopa & ~(result.feasible & result.acceptable)).any()
    for k in np.flatnonzero(result.zopa):
        for ref in c.red_lines:
            if result.binding[ref.row] and c.red_line_mask[ref.row, k]:
                assert not c.signatory_mask[ref.actor_index, k]
    for point in result.solutions.values():
        assert (point is None) == (not result.has_deal)
        if point is not None:
            assert point.outcome in result.pareto
    for relaxation in result.relaxations:
        rows = [r.row for r in relaxation.red_lines]
        assert all(result.binding[rows])
        for size in range(len(rows) + 1):
            for subset in itertools.combinations(rows, size):
                binding = result.binding.copy()
                binding[list(subset)] = False
                opens = analyse(c, parameters=p, binding=binding).has_deal
                assert opens == (size == len(rows))
    json.dumps(result.to_dict())
    assert briefing_text(result).startswith("Bargaining space:")
