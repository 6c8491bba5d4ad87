"""Every shipped scenario validates, runs (fast and recorded, the same), and says what it asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import api
from sim.engine.model import NegotiationModel
from sim.engine.results import OUTCOMES
from sim.engine.run import run, simulate
from sim.engine.space import compile_scenario
from sim.scenario.build import load_scenario
from tests.builders import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
VARIANTS = [p for p in SHIPPED if p.stem != "baseline"]


def test_the_library_has_the_baseline_and_its_variants() -> None:
    names = {p.stem for p in SHIPPED}
    assert "baseline" in names
    assert {
        "us_takes_nato_off_table",
        "un_mandated_non_nato_force",
        "france_deploys_without_mandate",
        "russian_red_lines_as_bluffs",
        "hardline_ukraine",
    } <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_validates_and_runs(path: Path) -> None:
    loaded = load_scenario(path)
    assert loaded.scenario.id == path.stem
    compiled = compile_scenario(loaded.scenario)
    seen = set()
    for seed in range(25):
        fast = simulate(compiled, seed)
        model = NegotiationModel(compiled, seed=seed, record=True)
        model.run_model()
        recorded = model.result()
        assert fast.outcome in OUTCOMES
        for key in ("outcome", "rounds", "terms", "utilities", "binding_red_lines", "sampled"):
            assert getattr(fast, key) == getattr(recorded, key), (seed, key)
        assert recorded.events and recorded.events[-1]["kind"] == recorded.outcome
        seen.add(fast.outcome)
    assert seen, "it ran"
    output = run(loaded, seed=7)
    assert output.result.to_dict() == run(loaded, seed=7).result.to_dict()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_header_says_what_it_asks_and_cites_the_article(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = text.split("schema_version:", 1)[0]
    assert header.lstrip().startswith("# Red Lines")
    assert "Question:" in header
    assert "sources/2025-02-11-russia-peacekeepers-condition.txt" in header
    assert load_scenario(path).scenario.question


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.stem)
def test_variants_keep_the_baselines_quotes_verbatim(
    baseline: api.LoadedScenario, path: Path
) -> None:
    base = {(a.id, r.id): r.provenance for a in baseline.scenario.actors for r in a.red_lines}
    for actor in load_scenario(path).scenario.actors:
        for line in actor.red_lines:
            assert base[(actor.id, line.id)] == line.provenance
            if actor.id == "ukraine":
                assert line.provenance.kind == "assumption"


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.stem)
def test_each_variant_has_a_readme_section(path: Path) -> None:
    readme = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    assert f"### {path.stem}" in readme
    assert f"`{path.name}`" in readme


def readme_shares() -> dict[str, dict[str, float | None]]:
    """The variants table of scenarios/README.md: file -> outcome -> percent (None for —)."""
    readme = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    shares: dict[str, dict[str, float | None]] = {}
    for line in readme.splitlines():
        if line.startswith("| `") and ".yaml` |" in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            values = [None if c == "—" else float(c.rstrip("%")) for c in cells[2:6]]
            shares[cells[0].strip("`")] = dict(
                zip(("agreement", "no_talks", "deadlock", "escalation"), values, strict=True)
            )
    return shares


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_readme_shares_are_what_the_documented_sweep_prints(path: Path) -> None:
    """The table says `redlines sweep FILE --runs 2000 --seed 0`; rerun it and compare."""
    from sim.explore.montecarlo import sweep

    expected = readme_shares()[path.name]
    outcomes = sweep(load_scenario(path), 2000, seed=0, workers=1).summary["outcomes"]
    for outcome, percent in expected.items():
        counted = outcomes[outcome]["count"]
        if percent is None:
            assert counted == 0, outcome
        else:
            assert abs(100 * counted / 2000 - percent) <= 0.05 + 1e-9, outcome  # shown to 0.1
    assert outcomes["walkout"]["count"] == 0


def test_readme_seed_14_story_of_the_mandated_force() -> None:
    """China vetoes the first mandate in round 21; the next text passes in round 22."""
    compiled = compile_scenario(
        load_scenario(SCENARIOS / "un_mandated_non_nato_force.yaml").scenario
    )
    result = simulate(compiled, 14, record=True)
    votes = [e for e in result.events if e["kind"] == "council"]
    assert [(v["round"], v["passed"], v["vetoed_by"]) for v in votes] == [
        (21, False, ["china"]),
        (22, True, []),
    ]
    assert result.outcome == "agreement" and result.rounds == 22
    assert result.terms is not None and result.terms["support"] == "reduced"
    readme = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    assert "un_mandated_non_nato_force.yaml --seed 14" in " ".join(readme.split())
