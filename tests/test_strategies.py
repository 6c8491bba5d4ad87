"""Strategies: a shared harness every strategy test inherits, played against scripted opponents.

The harness (in the manner of Axelrod's `TestPlayer`) builds a two-party negotiation where the
strategy under test holds the pen (`setter` protocol) against an opponent whose aspiration is
scripted round by round, then checks what every strategy must do; each strategy's class adds
what is particular to it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest

from sim.engine.model import NegotiationModel
from sim.engine.space import Compiled, compile_scenario
from sim.engine.strategies import STRATEGIES, Strategy, TimeBased
from sim.engine.view import View
from sim.scenario.schema import Scenario

ROUNDS = 12


def scripted(
    aspirations: list[float] | float, name: str = "Scripted", offer: int | None = None
) -> type[Strategy]:
    """An opponent that accepts exactly what is worth at least its scripted aspiration of the
    round (and its BATNA), and offers `offer` (an outcome index) when it holds the pen, or
    passes."""

    class Scripted(Strategy):
        kind = "scripted"
        blockable = False

        def schedule(self, view: View) -> np.ndarray:
            if isinstance(aspirations, float | int):
                return np.full(view.rounds, float(aspirations))
            return np.resize(np.array(aspirations, dtype=float), view.rounds)

        def propose(self, view: View, threshold: float) -> int | None:
            return offer

    Scripted.__name__ = name
    return Scripted


ACCEPTS_ANYTHING = scripted(-1.0, "AcceptsAnything")
ACCEPTS_NOTHING = scripted(2.0, "AcceptsNothing")


def two_party(kind: str, *, protocol: str = "setter", batna: float = 0.2, **extra: Any) -> Compiled:
    """`tested` (strategy `kind`, BATNA `batna`) and `opponent` (BATNA 0, so its scripted
    aspiration alone decides), two issues of three options, opposed tastes."""
    issues = [
        {"id": "money", "name": "money", "options": [{"id": f"m{k}"} for k in range(3)]},
        {"id": "land", "name": "land", "options": [{"id": f"l{k}"} for k in range(3)]},
    ]
    strategy: dict[str, Any] = {"kind": kind}
    strategy.update(extra)

    def actor(actor_id: str, money: list[float], land: list[float], weights: tuple) -> dict:
        return {
            "id": actor_id,
            "name": actor_id.title(),
            "role": "belligerent",
            "weights": {"money": weights[0], "land": weights[1]},
            "scores": {"money": money, "land": land},
            "batna": {"value": batna if actor_id == "tested" else 0.0},
            "strategy": strategy if actor_id == "tested" else {"kind": "linear"},
        }

    data = {
        "schema_version": 1,
        "id": "two_party",
        "title": "Two parties",
        "issues": issues,
        "actors": [
            actor("tested", [1.0, 0.5, 0.0], [1.0, 0.6, 0.0], (0.6, 0.4)),
            actor("opponent", [0.0, 0.5, 1.0], [0.0, 0.7, 1.0], (0.3, 0.7)),
        ],
        "protocol": {"kind": protocol, "max_rounds": ROUNDS, "proposers": ["tested"]},
    }
    if protocol != "setter":
        del data["protocol"]["proposers"]
    return compile_scenario(Scenario.model_validate(data))


def play(compiled: Compiled, opponent: type[Strategy], seed: int = 0) -> NegotiationModel:
    """Run to the end, recording, with the opponent's strategy replaced."""
    model = NegotiationModel(compiled, seed=seed, record=True, strategies={"opponent": opponent})
    model.run_model()
    return model


def offers_of(model: NegotiationModel, proposer: str = "tested") -> list[int]:
    """The outcomes a proposer put on the table, in order."""
    space = model.compiled.space
    found = []
    for event in model.events:
        if event["kind"] == "proposal" and event["proposer"] == proposer:
            outcome = space.find(event["offer"])
            assert outcome is not None
            found.append(outcome)
    return found


class StrategyHarness:
    """What every strategy must do; subclasses set `kind`."""

    kind: ClassVar[str]

    @property
    def compiled(self) -> Compiled:
        return two_party(self.kind)

    def test_registered_with_a_source(self) -> None:
        cls = STRATEGIES[self.kind]
        assert cls.kind == self.kind
        assert cls.source, "a strategy names its source"
        assert cls.__doc__ and len(cls.__doc__) > 40

    def test_first_offer_to_an_opponent_who_accepts_anything_is_its_best(self) -> None:
        model = play(self.compiled, ACCEPTS_ANYTHING)
        assert model.outcome == "agreement"
        assert model.rounds_played == 1
        own = model.board.u[:, 0]
        assert model.agreed is not None
        assert own[model.agreed] == pytest.approx(own.max())

    def test_no_agreement_with_an_opponent_who_accepts_nothing(self) -> None:
        model = play(self.compiled, ACCEPTS_NOTHING)
        assert model.outcome == "deadlock"
        assert model.rounds_played == ROUNDS
        assert model.agreed is None

    def test_never_offers_below_its_batna(self) -> None:
        model = play(self.compiled, ACCEPTS_NOTHING)
        batna = model.board.batna[:, 0]
        offers = offers_of(model)
        assert offers, "it made offers"
        for round_number, outcome in enumerate(offers, start=1):
            assert model.board.u[outcome, 0] >= batna[round_number] - 1e-12

    def test_same_seed_same_story(self) -> None:
        first = play(self.compiled, scripted([0.9, 0.7, 0.5, 0.3]), seed=5)
        again = play(self.compiled, scripted([0.9, 0.7, 0.5, 0.3]), seed=5)
        assert first.result().to_dict() == again.result().to_dict()


class TimeBasedHarness(StrategyHarness):
    """Faratin et al.: the aspiration formula, offers nearest the threshold from above."""

    def test_aspiration_follows_the_documented_formula(self) -> None:
        model = play(self.compiled, ACCEPTS_NOTHING)
        exponent = float(model.params.exponents[0])
        best = model.negotiators[0].strategy.best(model.views[0])
        t = np.arange(ROUNDS) / (ROUNDS - 1)
        reserve = model.board.batna[1:, 0]
        expected = best - (best - reserve) * t ** (1 / exponent)
        np.testing.assert_allclose(model.aspirations[:, 0], expected)
        assert model.aspirations[0, 0] == pytest.approx(best)
        assert model.aspirations[-1, 0] == pytest.approx(reserve[-1])

    def test_offers_concede_and_sit_nearest_above_the_threshold(self) -> None:
        model = play(self.compiled, ACCEPTS_NOTHING)
        own = model.board.u[:, 0]
        feasible = own[model.board.ok[0]]
        offers = offers_of(model)
        values = [own[o] for o in offers]
        assert values == sorted(values, reverse=True), "a time-based proposer never backtracks"
        for round_number, outcome in enumerate(offers, start=1):
            threshold = model.thresholds[round_number - 1, 0]
            assert own[outcome] >= threshold
            between = (feasible >= threshold) & (feasible < own[outcome])
            assert not between.any(), "no smaller concession would have met the threshold"

    def test_meets_a_conceding_opponent_somewhere_between(self) -> None:
        model = play(self.compiled, scripted(list(np.linspace(1.0, 0.2, ROUNDS))))
        assert model.outcome == "agreement"
        agreed = model.agreed
        assert agreed is not None
        r = model.rounds_played
        assert model.board.u[agreed, 1] >= model.aspirations[r - 1, 1] - 1e-12


class TestBoulware(TimeBasedHarness):
    kind = "boulware"


class TestLinear(TimeBasedHarness):
    kind = "linear"


class TestConceder(TimeBasedHarness):
    kind = "conceder"


def test_boulware_holds_out_longer_than_linear_and_linear_than_conceder() -> None:
    middle = ROUNDS // 2
    levels = []
    for kind in ("boulware", "linear", "conceder"):
        model = play(two_party(kind), ACCEPTS_NOTHING)
        levels.append(model.aspirations[middle, 0])
    assert levels[0] > levels[1] > levels[2]


def test_a_scenario_exponent_replaces_the_default() -> None:
    model = play(two_party("boulware", exponent=0.05), ACCEPTS_NOTHING)
    assert model.params.exponents[0] == pytest.approx(0.05)
    default = play(two_party("boulware"), ACCEPTS_NOTHING)
    assert model.aspirations[ROUNDS - 2, 0] > default.aspirations[ROUNDS - 2, 0]


def test_time_based_schedules_for_many_actors_match_one_at_a_time() -> None:
    model = play(two_party("conceder"), ACCEPTS_NOTHING)
    strategy = model.negotiators[0].strategy
    assert isinstance(strategy, TimeBased)
    alone = strategy.schedule(model.views[0])
    together = type(strategy).schedules([model.views[0]], [strategy])
    np.testing.assert_array_equal(together[:, 0], alone)


class TestHardliner(StrategyHarness):
    kind = "hardliner"

    def test_offers_its_best_every_round(self) -> None:
        model = play(self.compiled, ACCEPTS_NOTHING)
        offers = offers_of(model)
        assert len(offers) == ROUNDS
        assert len(set(offers)) == 1
        own = model.board.u[:, 0]
        assert own[offers[0]] == pytest.approx(own.max())

    def test_agrees_only_when_the_opponent_comes_all_the_way(self) -> None:
        compiled = self.compiled
        probe = play(compiled, ACCEPTS_NOTHING)
        best = offers_of(probe)[0]
        worth = float(probe.board.u[best, 1])
        script = [0.99] * 5 + [worth] * (ROUNDS - 5)
        model = play(compiled, scripted(script))
        assert model.outcome == "agreement"
        assert model.rounds_played == 6
        assert model.agreed == best


class TestInformed(StrategyHarness):
    kind = "informed"

    def test_offers_its_best_outcome_the_opponent_accepts(self) -> None:
        for level in (0.3, 0.5, 0.7, 0.85):
            model = play(self.compiled, scripted(level))
            u = model.board.u
            acceptable = u[:, 1] >= max(level, model.board.batna[1, 1])
            if not acceptable.any():
                assert model.outcome == "deadlock"
                continue
            assert model.outcome == "agreement"
            assert model.rounds_played == 1
            assert model.agreed is not None
            assert u[model.agreed, 0] == pytest.approx(u[acceptable, 0].max())

    def test_as_a_responder_accepts_anything_worth_its_batna(self) -> None:
        model = NegotiationModel(two_party("informed"), seed=0, record=False)
        strategy = model.negotiators[0].strategy
        np.testing.assert_array_equal(
            strategy.schedule(model.views[0]), model.board.batna[1 : ROUNDS + 1, 0]
        )


class TestZeuthen(StrategyHarness):
    kind = "zeuthen"

    def test_concedes_when_its_risk_is_smaller(self) -> None:
        compiled = two_party("zeuthen", protocol="monotonic_concession")
        stubborn = int(np.argmax(compile_utilities(compiled)[:, 1]))
        model = play(compiled, scripted(2.0, "Stubborn", offer=stubborn))
        own = model.board.u[:, 0]
        offers = offers_of(model)
        values = [own[o] for o in offers]
        assert values == sorted(values, reverse=True), "monotonic: never takes a concession back"
        assert values[-1] < values[0], "facing an opponent who will not move, it concedes"


def compile_utilities(compiled: Compiled) -> np.ndarray:
    """The nominal utility matrix (outcomes x actors)."""
    from sim.engine.params import nominal_parameters

    return nominal_parameters(compiled).utilities


def random_bilateral(seed: int, kinds: tuple[str, str] = ("zeuthen", "zeuthen")) -> Compiled:
    """Two belligerents with random additive utilities over three issues."""
    rng = np.random.default_rng(seed)
    counts = (3, 4, 3)
    issues = [
        {"id": f"issue_{k}", "name": f"issue {k}", "options": [{"id": f"o{j}"} for j in range(n)]}
        for k, n in enumerate(counts)
    ]
    actors = [
        {
            "id": f"party_{a}",
            "name": f"Party {a}",
            "role": "belligerent",
            "weights": {f"issue_{k}": float(w) for k, w in enumerate(rng.dirichlet(np.ones(3)))},
            "scores": {
                f"issue_{k}": [float(x) for x in rng.random(n)] for k, n in enumerate(counts)
            },
            "batna": {"value": float(rng.uniform(0.1, 0.3))},
            "strategy": {"kind": kind},
        }
        for a, kind in enumerate(kinds)
    ]
    data = {
        "schema_version": 1,
        "id": "bilateral",
        "title": "Bilateral",
        "issues": issues,
        "actors": actors,
        "protocol": {"kind": "monotonic_concession", "max_rounds": 200},
    }
    return compile_scenario(Scenario.model_validate(data))


@pytest.mark.parametrize("instance", range(40))
def test_two_zeuthen_parties_agree_on_a_nash_product_maximum(instance: int) -> None:
    """Harsanyi (1956): Zeuthen's principle on both sides leads to the Nash solution."""
    model = NegotiationModel(random_bilateral(instance), seed=instance, record=False)
    model.play_fast()
    u, batna = model.board.u, model.board.batna[model.board.round]
    product = np.prod(np.clip(u - batna, 0.0, None), axis=1)
    if product.max() <= 0:
        assert model.outcome == "deadlock"
        return
    assert model.outcome == "agreement"
    assert model.agreed is not None
    assert product[model.agreed] == pytest.approx(product.max())


def test_every_scenario_strategy_kind_is_registered() -> None:
    from sim.scenario.schema import Strategy as StrategySpec

    kinds = StrategySpec.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
    assert set(kinds) == set(STRATEGIES)


def test_a_strategy_cannot_write_the_view_it_receives() -> None:
    """Each array of a view is read-only and no field can be set, for both information sets;
    the board the model owns is untouched by the attempts."""
    attempts: list[str] = []

    class Vandal(Strategy):
        kind = "vandal"
        blockable = False
        information = "complete"

        def schedule(self, view: View) -> np.ndarray:
            return np.full(view.rounds, 2.0)

        def propose(self, view: View, threshold: float) -> int | None:
            writes = {
                "known_bad": lambda: view.known_bad.__setitem__(0, True),
                "own": lambda: view.own.__setitem__(0, 9.0),
                "u": lambda: view.u.__setitem__((0, 0), 9.0),  # type: ignore[attr-defined]
                "asp": lambda: view.asp.__setitem__(0, 9.0),  # type: ignore[attr-defined]
                "batna": lambda: view.batna.__setitem__(0, 9.0),
                "round": lambda: setattr(view, "round", 99),
                "actor": lambda: setattr(view, "actor", 1),
                "new field": lambda: setattr(view, "board", None),
            }
            for name, write in writes.items():
                with pytest.raises((ValueError, AttributeError)):
                    write()
                attempts.append(name)
            return None

    compiled = two_party("linear", protocol="alternating")  # the opponent proposes in turn
    model = NegotiationModel(compiled, seed=0, record=True, strategies={"opponent": Vandal})
    before = model.board.u.copy(), model.board.known_bad.copy()
    model.run_model()
    assert model.outcome == "deadlock"
    assert len(attempts) == 8 * (ROUNDS // 2)  # every round the opponent held the pen
    assert attempts[:8] == ["known_bad", "own", "u", "asp", "batna", "round", "actor", "new field"]
    np.testing.assert_array_equal(model.board.u, before[0])
    assert not model.board.known_bad.any() and not before[1].any()
    own = model.views[0]
    assert own.information == "own"
    with pytest.raises(ValueError, match="read-only"):
        own.known_bad[0] = True
    assert not hasattr(own, "asp"), "an own-information view does not show the others"
