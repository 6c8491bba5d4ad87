"""The adversarial corpus: malformed scenario files, each named, each refused with exit 2.

Every case is a small mutation of a minimal valid scenario (:data:`MINIMAL`) or of the
shipped baseline, or a file that is not a scenario at all (binary, empty, an alias bomb,
ten thousand brackets, 5 MiB). :func:`hand_written` lists them; :func:`write_case` writes
one into its own folder beside a copy of `scenarios/sources/`, so quotes resolve and a
source path can try to escape. The hypothesis-generated cases live in
:mod:`tests.adversarial.generated`.

A case may name what its message must mention (`expect`, matched without regard to case),
so a file refused for the wrong reason fails too; `heavy` marks the few cases that take
seconds to refuse (they are read to the loader's limits), kept out of the per-command
subprocess subset.
"""

from __future__ import annotations

import copy
import io
import os
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.builders import baseline_text, scenario_folder, to_yaml

JSON = Any

MINIMAL = """\
schema_version: 1
id: minimal
title: Two actors, two issues
sources:
  - id: article
    path: sources/2025-02-11-russia-peacekeepers-condition.txt
    title: The article
issues:
  - id: deal
    name: A deal
    options:
      - id: signed
      - id: refused
  - id: size
    name: Size of the force
    range: {start: 0, stop: 4, step: 1}
actors:
  - id: alpha
    name: Alpha
    role: belligerent
    weights: {deal: 0.6, size: 0.4}
    scores:
      deal: {signed: 1.0, refused: 0.0}
      size: [0.0, 0.25, 0.5, 0.75, 1.0]
    batna: {value: 0.3, drift: -0.01}
    strategy: {kind: boulware, exponent: 0.5}
    red_lines:
      - id: no_refusal
        forbids: {deal: [refused]}
        firmness: {dist: uniform, low: 0.5, high: 1.0}
        provenance:
          kind: stated
          speaker: A minister
          source: article
          quote: "We do not discard any option."
  - id: beta
    name: Beta
    role: belligerent
    weights: {deal: 0.5, size: 0.5}
    scores:
      deal: {signed: 0.4, refused: 1.0}
      size: {0: 1.0, 1: 0.8, 2: 0.6, 3: 0.3, 4: 0.0}
    batna: {value: 0.4}
    red_lines:
      - id: small_force
        forbids: {size: [3, 4]}
        consequence: reject
        firmness: 0.9
        provenance:
          kind: assumption
          rationale: Not in the article; assumed for the test.
protocol:
  kind: alternating
  max_rounds: 6
institutions:
  security_council:
    votes_needed: 2
    mandate: {deal: [signed]}
    members:
      - {id: alpha_seat, permanent: true, actor: alpha}
      - {id: others, seats: 2, p_yes: 0.5}
"""
"""A small valid scenario using every part of the language (a source with a verified quote,
categorical and numeric issues, scores as mapping and list, a distribution, a council)."""


@dataclass(frozen=True)
class Case:
    """One malformed scenario file, and what its folder holds besides it."""

    name: str
    build: Callable[[], bytes] = field(repr=False)
    """The file's bytes (built when the case is written, so listing the corpus is cheap)."""
    expect: str | None = None
    """Text the message must contain (case-insensitive), when the reason is certain."""
    heavy: bool = False
    """Takes seconds to refuse: read up to the loader's limits."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Other files in the case's folder (relative path -> bytes)."""
    links: Mapping[str, str] = field(default_factory=dict)
    """Symbolic links in the case's folder (relative path -> target)."""
    fifos: tuple[str, ...] = ()
    """Named pipes in the case's folder (reading one would block forever)."""


def write_case(case: Case, root: Path) -> Path:
    """Write `case` into `root/<name>/` with a copy of the shipped sources; return the file."""
    folder = scenario_folder(root / case.name)
    for relative, content in case.files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    for relative, target in case.links.items():
        (folder / relative).symlink_to(target)
    for relative in case.fifos:
        os.mkfifo(folder / relative)
    path = folder / f"{case.name}.yaml"
    path.write_bytes(case.build())
    return path


# --- building cases --------------------------------------------------------------------------

DELETE = object()
"""Stands for "remove this key or entry" in :func:`edited`."""


def minimal_data() -> JSON:
    """:data:`MINIMAL` as plain data."""
    return YAML(typ="safe", pure=True).load(MINIMAL)


def _walk(data: JSON, path: str) -> tuple[JSON, Any]:
    """The container holding the last segment of a dotted path, and that segment.

    Segments name mapping keys, list indices, or list entries by their `id`.
    """
    node = data
    segments = path.split(".")
    for position, segment in enumerate(segments):
        key: Any = segment
        if isinstance(node, list):
            ids = [item.get("id") if isinstance(item, dict) else None for item in node]
            key = ids.index(segment) if segment in ids else int(segment)
        elif isinstance(node, dict) and segment not in node and segment.lstrip("-").isdigit():
            key = int(segment)  # numeric option keys, e.g. scores.size.3
        if position == len(segments) - 1:
            return node, key
        node = node[key]
    raise ValueError(f"empty path {path!r}")


def edited(base: Callable[[], JSON], *changes: tuple[str, Any]) -> Callable[[], bytes]:
    """A builder: `base` data with each (dotted path, value) set, or removed for DELETE."""

    def build() -> bytes:
        data = base()
        for path, value in changes:
            parent, key = _walk(data, path)
            if value is DELETE:
                del parent[key]
            elif isinstance(parent, list) and key == len(parent):
                parent.append(copy.deepcopy(value))
            else:
                parent[key] = copy.deepcopy(value)
        return dump(data).encode()

    return build


def dump(data: JSON) -> str:
    """Plain data as YAML (NaN and infinities as `.nan`, `.inf`), aliases written out."""
    return to_yaml(data)


def replaced(base: Callable[[], str], old: str, new: str, count: int = 1) -> Callable[[], bytes]:
    """A builder: `base` text with `old` replaced by `new` (which must occur `count` times)."""

    def build() -> bytes:
        text = base()
        found = text.count(old)
        if found != count:
            raise ValueError(f"expected {count} of {old!r} in the base text, found {found}")
        return text.replace(old, new).encode("utf-8", "surrogatepass")

    return build


def raw(content: bytes | str) -> Callable[[], bytes]:
    """A builder of fixed content."""
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    return lambda: data


def _minimal() -> str:
    return MINIMAL


def _actors(count: int) -> Callable[[], bytes]:
    """The minimal scenario with `count` copies of a small actor (ids actor_0, actor_1...)."""

    def build() -> bytes:
        head = MINIMAL[: MINIMAL.index("protocol:")]
        out = io.StringIO()
        out.write(head)
        for k in range(count):
            out.write(
                f"  - {{id: actor_{k}, name: Actor {k}, role: observer, weights: {{deal: 1}},"
                f" scores: {{deal: [0, 1]}}, batna: {{value: 0.5}}}}\n"
            )
        out.write(MINIMAL[MINIMAL.index("protocol:") :])
        return out.getvalue().encode()

    return build


def _nested(opening: str, closing: str, depth: int, inner: str = "1") -> Callable[[], bytes]:
    return raw(f"schema_version: 1\nid: deep\nvalue: {opening * depth}{inner}{closing * depth}\n")


def _billion_laughs() -> bytes:
    lines = ['lol0: &lol0 "lol"']
    for k in range(1, 10):
        refs = ", ".join(f"*lol{k - 1}" for _ in range(10))
        lines.append(f"lol{k}: &lol{k} [{refs}]")
    lines.append("title: *lol9")
    return ("\n".join(lines) + "\n").encode()


def _padded(size: int) -> Callable[[], bytes]:
    """The minimal scenario followed by a comment that makes the file `size` bytes long."""

    def build() -> bytes:
        head = MINIMAL.encode()
        body = b"# " + b"x" * (size - len(head) - 3) + b"\n"
        return head + body

    return build


def _random_bytes(seed: int, size: int) -> Callable[[], bytes]:
    return lambda: random.Random(seed).randbytes(size)


# --- the corpus ------------------------------------------------------------------------------


def hand_written() -> list[Case]:
    """Every hand-written case, in a stable order with unique names."""
    cases = [
        *_not_text(),
        *_not_a_mapping(),
        *_broken_yaml(),
        *_expansion_and_depth(),
        *_tags(),
        *_top_level(),
        *_issues(),
        *_actors_cases(),
        *_numbers(),
        *_red_lines(),
        *_sources(),
        *_protocol_and_institutions(),
        *_sizes(),
        *_baseline_mutations(),
    ]
    names = [c.name for c in cases]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"duplicate case names: {duplicated}")
    return cases


def _not_text() -> Iterator[Case]:
    """Files that are not UTF-8 text."""
    m = MINIMAL.encode()
    yield Case("empty_file", raw(b""), "empty")
    yield Case("whitespace_only", raw(b"   \n\n \t \r\n  "), "empty")
    yield Case("utf8_bom_only", raw(b"\xef\xbb\xbf"), "empty")
    yield Case("nul_bytes_only", raw(b"\x00" * 64), "NUL")
    yield Case("nul_byte_in_scenario", raw(m[:200] + b"\x00" + m[200:]), "NUL")
    yield Case("random_bytes_4k", _random_bytes(7, 4096))
    yield Case("random_bytes_64k", _random_bytes(11, 65536))
    yield Case(
        "png_header",
        raw(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"),
    )
    yield Case("gzip_header", raw(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9"))
    yield Case("zip_header", raw(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))))
    yield Case("elf_header", raw(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56), "NUL")
    yield Case("pdf_header", raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"))
    yield Case(
        "latin1_text", raw(MINIMAL.replace("Alpha", "Alpha caf\u00e9").encode("latin-1")), "UTF-8"
    )
    yield Case("utf16_le_bom", raw(MINIMAL.encode("utf-16")), "NUL")
    yield Case("utf16_be_no_bom", raw(MINIMAL.encode("utf-16-be")), "NUL")
    yield Case("utf8_encoded_surrogate", raw(m.replace(b"Alpha", b"Alpha \xed\xa0\x80")), "UTF-8")
    yield Case("overlong_utf8_slash", raw(m.replace(b"Alpha", b"Alpha \xc0\xaf")), "UTF-8")
    yield Case("truncated_multibyte_at_end", raw(m + b"# \xe2\x80"), "UTF-8")
    yield Case("lone_continuation_byte", raw(b"schema_version: 1\nid: \x80bad\n"), "UTF-8")
    yield Case("bell_control_character", raw(m.replace(b"Alpha", b"Al\x07pha", 1)), "U+0007")
    yield Case(
        "terminal_escape_sequence", raw(m.replace(b"Alpha", b"\x1b[2J\x1b[31mAlpha", 1)), "U+001B"
    )
    yield Case("delete_character", raw(m.replace(b"Alpha", b"Al\x7fpha", 1)), "U+007F")
    yield Case("c1_control_character", raw(m.replace(b"Alpha", "Al\u0090pha".encode(), 1)))
    yield Case("noncharacter_fffe", raw(m.replace(b"Alpha", "Al\ufffepha".encode(), 1)))


def _not_a_mapping() -> Iterator[Case]:
    yield Case("top_level_list", raw("- schema_version: 1\n- id: x\n"), "got a list")
    yield Case("top_level_string", raw("just some words\n"), "got a str")
    yield Case("top_level_integer", raw("42\n"), "got a int")
    yield Case("top_level_float_nan", raw(".nan\n"), "got a float")
    yield Case("top_level_bool", raw("true\n"), "got a bool")
    yield Case("top_level_null", raw("~\n"), "no YAML document")
    yield Case("only_comments", raw("# a scenario\n# nothing else\n"), "no YAML document")
    yield Case("only_document_markers", raw("---\n...\n"), "no YAML document")
    yield Case("top_level_flow_list", raw("[1, 2, 3]\n"), "got a list")
    yield Case("top_level_set", raw("!!set {a, b}\n"), "got a set")
    yield Case("json_array", raw('[{"schema_version": 1}]'), "got a list")
    yield Case("two_documents", raw(MINIMAL + "---\n" + MINIMAL), "single document")
    yield Case("document_then_garbage", raw(MINIMAL + "...\nnot yaml: [\n"))


def _broken_yaml() -> Iterator[Case]:
    yield Case("tab_indentation", replaced(_minimal, "  - id: alpha\n", "\t- id: alpha\n"), "\\t")
    yield Case(
        "unterminated_double_quote",
        replaced(_minimal, 'quote: "We do not', 'quote: "We do not\nlose it'),
    )
    yield Case("unterminated_double_quote_at_end", raw(MINIMAL + 'notes: "never closed\n'))
    yield Case("unterminated_single_quote", raw(MINIMAL + "notes: 'never closed\n"))
    yield Case(
        "unterminated_flow_sequence",
        replaced(_minimal, "forbids: {size: [3, 4]}", "forbids: {size: [3, 4}"),
    )
    yield Case("unterminated_flow_mapping_at_end", raw(MINIMAL + "notes: {a: 1, b: [2\n"))
    yield Case("stray_closing_bracket", raw("schema_version: 1\n]\n"))
    yield Case("stray_closing_brace", replaced(_minimal, "title: Two", "title: }Two"))
    yield Case("bad_indentation", replaced(_minimal, "    name: Alpha\n", "      name: Alpha\n"))
    yield Case("mapping_value_in_plain_scalar", raw("schema_version: 1\nid: a: b\n"))
    yield Case(
        "block_sequence_inside_mapping", replaced(_minimal, "title: Two", "title:\n- a\nb: Two")
    )
    yield Case("lone_question_mark", raw("schema_version: 1\n?\n"))
    yield Case("long_implicit_key", raw("schema_version: 1\n" + "k" * 2000 + ": 1\n"))
    yield Case("reserved_indicator_at", raw("schema_version: 1\nid: @home\n"))
    yield Case("reserved_indicator_backtick", raw("schema_version: 1\nid: `home`\n"))
    yield Case("unknown_escape", raw('schema_version: 1\nid: "\\q"\n'), "escape")
    yield Case("bad_unicode_escape", raw('schema_version: 1\nid: "\\uZZZZ"\n'))
    yield Case("yaml_version_2", raw("%YAML 2.0\n---\n" + MINIMAL), "version")
    yield Case("duplicate_yaml_directive", raw("%YAML 1.2\n%YAML 1.2\n---\n" + MINIMAL))
    yield Case("duplicate_top_level_key", raw(MINIMAL + "id: again\n"), "duplicate key")
    yield Case(
        "duplicate_nested_key",
        replaced(_minimal, "    name: Alpha\n", "    name: Alpha\n    name: Alpha again\n"),
        "duplicate key",
    )
    yield Case(
        "duplicate_flow_key",
        replaced(_minimal, "weights: {deal: 0.6, size: 0.4}", "weights: {deal: 0.6, deal: 0.4}"),
        "duplicate key",
    )
    yield Case(
        "duplicate_numeric_key",
        replaced(_minimal, "{0: 1.0, 1: 0.8,", "{0: 1.0, 0: 0.8,"),
        "duplicate key",
    )
    yield Case("merge_key_not_a_mapping", raw(MINIMAL + "<<: 1\n"), "merging")
    yield Case("unhashable_key", raw("? {a: 1}\n: 2\n"), "unhashable")
    yield Case("complex_list_key", raw(MINIMAL + "? [a, b]\n: c\n"), "unknown key")


def _expansion_and_depth() -> Iterator[Case]:
    yield Case("billion_laughs", _billion_laughs, "anchors and aliases")
    yield Case("single_anchor", replaced(_minimal, "title: Two", "title: &t Two"), "anchors")
    yield Case("undefined_alias", replaced(_minimal, "title: Two actors, two issues", "title: *t"))
    yield Case(
        "merge_from_alias",
        replaced(
            _minimal,
            "    batna: {value: 0.4}\n",
            "    batna: &b {value: 0.4}\n    strategy: {<<: *b}\n",
        ),
        "anchors",
    )
    yield Case("recursive_alias", raw("a: &a [*a]\n"), "anchors")
    yield Case("anchor_on_document", raw("&doc\n" + MINIMAL), "anchors")
    yield Case("nested_10000_brackets", raw("[" * 10_000), "nested")
    yield Case("nested_10000_braces", raw("{a: " * 10_000), "nested")
    yield Case("nested_10000_closed_lists", _nested("[", "]", 10_000), "nested")
    yield Case("nested_41_lists", _nested("[", "]", 41), "nested")
    yield Case("nested_mixed_flow", _nested("[{a: ", "}]", 60), "nested")
    yield Case(
        "nested_block_sequences",
        raw("schema_version: 1\nid: deep\nx:\n" + "".join("  " * k + "-\n" for k in range(60))),
        "nested",
    )
    yield Case(
        "nested_block_mappings",
        raw("schema_version: 1\nx:\n" + "".join("  " * (k + 1) + f"k{k}:\n" for k in range(60))),
        "nested",
    )
    yield Case(
        "nested_in_a_number",
        edited(minimal_data, ("actors.alpha.batna.value", [[[[[[[[[[0.5]]]]]]]]]])),
        "number",
    )


def _tags() -> Iterator[Case]:
    dangerous = [
        ("python_object", "!!python/object:os.system {}"),
        ("python_object_apply", "!!python/object/apply:os.system ['echo pwned']"),
        ("python_object_new", "!!python/object/new:subprocess.Popen [['ls']]"),
        ("python_name", "!!python/name:sys.exit"),
        ("python_module", "!!python/module:os"),
        ("python_tuple", "!!python/tuple [1, 2]"),
        ("verbatim_python_tag", "!<tag:yaml.org,2002:python/object:os.system> x"),
        ("custom_local_tag", "!mytag value"),
        ("yaml_value_tag", "!!value x"),
    ]
    for name, value in dangerous:
        yield Case(
            f"tag_{name}",
            replaced(_minimal, "title: Two actors, two issues", f"title: {value}"),
            "constructor",
        )
    yield Case(
        "tag_directive_evil",
        raw(
            "%TAG !e! tag:evil.example,2000:\n---\n"
            + MINIMAL.replace("title: Two", "title: !e!x Two")
        ),
        "constructor",
    )
    bad_values = [
        ("bool_maybe", "!!bool maybe", "!!bool"),
        ("int_letters", "!!int abc", "!!int"),
        ("int_empty_hex", "!!int 0x", "!!int"),
        ("float_letters", "!!float x", "!!float"),
        ("timestamp_month_13", "!!timestamp 2025-13-45", "!!timestamp"),
        ("timestamp_of_a_list", "!!timestamp [1]", "timestamp"),
        ("omap_duplicate", "!!omap [{a: 1}, {a: 2}]", "!!omap"),
        ("omap_of_a_scalar", "!!omap x", "ordered map"),
        ("str_of_a_list", "!!str [1, 2]", "scalar"),
        ("map_of_a_scalar", "!!map x", "mapping"),
        ("binary", "!!binary aGVsbG8=", "string"),
        ("set", "!!set {a, b}", "string"),
    ]
    for name, value, expect in bad_values:
        yield Case(
            f"tag_{name}",
            replaced(_minimal, "title: Two actors, two issues", f"title: {value}"),
            expect,
        )


def _top_level() -> Iterator[Case]:
    for key in ("schema_version", "id", "title", "issues", "actors", "protocol"):
        yield Case(
            f"missing_{key}", edited(minimal_data, (key, DELETE)), f"missing required key '{key}'"
        )
    yield Case("unknown_top_level_key", edited(minimal_data, ("colour", "red")), "unknown key")
    yield Case("misspelt_top_level_key", edited(minimal_data, ("actor", []), ("actors", DELETE)))
    yield Case("schema_version_2", edited(minimal_data, ("schema_version", 2)))
    yield Case("schema_version_string", edited(minimal_data, ("schema_version", "1")))
    yield Case("schema_version_fraction", edited(minimal_data, ("schema_version", 1.5)))
    yield Case("schema_version_null", edited(minimal_data, ("schema_version", None)))
    yield Case("id_upper_case", edited(minimal_data, ("id", "Minimal")), "pattern")
    yield Case("id_with_space", edited(minimal_data, ("id", "two words")), "pattern")
    yield Case("id_empty", edited(minimal_data, ("id", "")), "pattern")
    yield Case("id_too_long", edited(minimal_data, ("id", "a" * 65)), "at most 64")
    yield Case("id_path_traversal", edited(minimal_data, ("id", "../../etc/passwd")), "pattern")
    yield Case("id_bidi_override", edited(minimal_data, ("id", "abc\u202edef")), "pattern")
    yield Case("id_date", raw(MINIMAL.replace("id: minimal", "id: 2025-02-11")), "pattern")
    yield Case("id_integer", edited(minimal_data, ("id", 7)), "string")
    yield Case("title_list", edited(minimal_data, ("title", ["a", "b"])), "string")
    yield Case("title_mapping", edited(minimal_data, ("title", {"en": "x"})), "string")
    yield Case("title_too_long", edited(minimal_data, ("title", "x" * 20_001)), "20000")
    yield Case("title_bool", edited(minimal_data, ("title", True)), "string")


def _issues() -> Iterator[Case]:
    yield Case("issues_empty", edited(minimal_data, ("issues", [])), "at least 1")
    yield Case("issues_null", edited(minimal_data, ("issues", None)))
    yield Case("issues_as_string", edited(minimal_data, ("issues", "deal")))
    yield Case(
        "issues_as_mapping",
        edited(minimal_data, ("issues", {"deal": {"name": "A deal", "options": [{"id": "x"}]}})),
    )
    yield Case(
        "issue_without_options",
        edited(minimal_data, ("issues.deal.options", DELETE)),
        "exactly one",
    )
    yield Case(
        "issue_with_options_and_values",
        edited(minimal_data, ("issues.deal.values", [1, 2])),
        "exactly one",
    )
    yield Case(
        "issue_options_empty", edited(minimal_data, ("issues.deal.options", [])), "at least 1"
    )
    yield Case(
        "issue_option_duplicate",
        edited(minimal_data, ("issues.deal.options.1.id", "signed")),
        "duplicate",
    )
    yield Case(
        "issue_option_without_id", edited(minimal_data, ("issues.deal.options.0", {"label": "x"}))
    )
    yield Case("issue_option_as_string", edited(minimal_data, ("issues.deal.options.0", "signed")))
    yield Case("issue_duplicate_id", edited(minimal_data, ("issues.size.id", "deal")), "duplicate")
    yield Case("issue_missing_name", edited(minimal_data, ("issues.deal.name", DELETE)), "name")
    yield Case(
        "range_step_zero", edited(minimal_data, ("issues.size.range.step", 0)), "greater than 0"
    )
    yield Case(
        "range_step_negative",
        edited(minimal_data, ("issues.size.range.step", -1)),
        "greater than 0",
    )
    yield Case("range_stop_below_start", edited(minimal_data, ("issues.size.range.stop", -4)))
    yield Case(
        "range_stop_infinite",
        edited(minimal_data, ("issues.size.range.stop", float("inf"))),
        "finite",
    )
    yield Case(
        "range_start_nan", edited(minimal_data, ("issues.size.range.start", float("nan"))), "finite"
    )
    yield Case("range_step_nan", edited(minimal_data, ("issues.size.range.step", float("nan"))))
    yield Case("range_as_list", edited(minimal_data, ("issues.size.range", [0, 4, 1])))
    yield Case(
        "values_with_nan",
        edited(
            minimal_data, ("issues.size.range", DELETE), ("issues.size.values", [0, float("nan")])
        ),
        "finite",
    )
    yield Case(
        "values_duplicated",
        edited(
            minimal_data, ("issues.size.range", DELETE), ("issues.size.values", [0, 1, 1, 2, 3])
        ),
        "distinct",
    )
    yield Case(
        "values_as_strings",
        edited(minimal_data, ("issues.size.range", DELETE), ("issues.size.values", ["0", "1"])),
    )
    yield Case(
        "rule_unknown_kind",
        edited(
            minimal_data, ("rules", [{"id": "r", "kind": "explode", "when": {"deal": ["signed"]}}])
        ),
    )
    yield Case(
        "rule_collapse_without_then",
        edited(
            minimal_data, ("rules", [{"id": "r", "kind": "collapse", "when": {"deal": ["signed"]}}])
        ),
        "then",
    )
    yield Case(
        "rule_dangling_issue",
        edited(minimal_data, ("rules", [{"id": "r", "kind": "exclude", "when": {"nato": ["x"]}}])),
        "no issue",
    )
    yield Case(
        "rule_dangling_option",
        edited(
            minimal_data,
            (
                "rules",
                [
                    {
                        "id": "r",
                        "kind": "collapse",
                        "when": {"deal": ["signed"]},
                        "then": {"size": 9},
                    }
                ],
            ),
        ),
        "not an option",
    )


def _actors_cases() -> Iterator[Case]:
    yield Case("actors_empty", edited(minimal_data, ("actors", [])), "at least 2")
    yield Case("one_actor", edited(minimal_data, ("actors.beta", DELETE)), "at least 2")
    yield Case("actors_as_mapping", edited(minimal_data, ("actors", {"alpha": {"name": "A"}})))
    yield Case("actor_duplicate_id", edited(minimal_data, ("actors.beta.id", "alpha")), "duplicate")
    yield Case("actor_unknown_role", edited(minimal_data, ("actors.alpha.role", "king")), "role")
    yield Case("actor_role_integer", edited(minimal_data, ("actors.alpha.role", 1)), "role")
    yield Case("actor_missing_batna", edited(minimal_data, ("actors.alpha.batna", DELETE)), "batna")
    yield Case(
        "actor_unknown_key", edited(minimal_data, ("actors.alpha.colour", "red")), "unknown key"
    )
    yield Case("actor_as_list", edited(minimal_data, ("actors.0", ["alpha", "Alpha"])))
    yield Case(
        "weights_negative", edited(minimal_data, ("actors.alpha.weights.deal", -0.5)), "negative"
    )
    yield Case(
        "weights_all_zero",
        edited(minimal_data, ("actors.alpha.weights", {"deal": 0, "size": 0})),
        "all be zero",
    )
    yield Case(
        "weights_dangling_issue",
        edited(minimal_data, ("actors.alpha.weights.nato", 0.2)),
        "no issue",
    )
    yield Case("weights_as_list", edited(minimal_data, ("actors.alpha.weights", [0.6, 0.4])))
    yield Case(
        "weight_string", edited(minimal_data, ("actors.alpha.weights.deal", "0.6")), "number"
    )
    yield Case(
        "weight_bool", edited(minimal_data, ("actors.alpha.weights.deal", True)), "true/false"
    )
    yield Case(
        "weight_huge_integer",
        edited(minimal_data, ("actors.alpha.weights.deal", 10**400)),
        "finite",
    )
    yield Case(
        "weights_overflowing_sum",
        edited(minimal_data, ("actors.alpha.weights", {"deal": 1.7e308, "size": 1.7e308})),
        "more than a float holds",
    )
    yield Case(
        "scores_missing_issue",
        edited(minimal_data, ("actors.alpha.scores.size", DELETE)),
        "no scores",
    )
    yield Case(
        "scores_dangling_issue",
        edited(minimal_data, ("actors.alpha.scores.nato", [0, 1])),
        "no issue",
    )
    yield Case(
        "score_above_one",
        edited(minimal_data, ("actors.alpha.scores.deal.signed", 1.5)),
        "[0.0, 1.0]",
    )
    yield Case(
        "score_below_zero",
        edited(minimal_data, ("actors.alpha.scores.deal.signed", -0.1)),
        "[0.0, 1.0]",
    )
    yield Case(
        "score_unknown_option",
        edited(minimal_data, ("actors.alpha.scores.deal.maybe", 0.5)),
        "not an option",
    )
    yield Case(
        "score_missing_option",
        edited(minimal_data, ("actors.alpha.scores.deal.refused", DELETE)),
        "no score",
    )
    yield Case(
        "scores_list_too_short",
        edited(minimal_data, ("actors.alpha.scores.size", [0, 1])),
        "2 scores given for 5 options",
    )
    yield Case(
        "scores_null",
        edited(minimal_data, ("actors.alpha.scores.deal", None)),
        "valid dictionary",
    )
    yield Case(
        "scores_list_with_text",
        edited(minimal_data, ("actors.alpha.scores.size.2", "half")),
        "number",
    )
    yield Case(
        "score_numeric_option_off_grid",
        edited(
            minimal_data,
            ("actors.beta.scores.size", {0: 1.0, 1: 0.8, 2.5: 0.6, 3: 0.3, 4: 0.0}),
        ),
        "not an option",
    )
    yield Case("batna_above_one", edited(minimal_data, ("actors.alpha.batna.value", 2)), "BATNA")
    yield Case("batna_string", edited(minimal_data, ("actors.alpha.batna", "high")))
    yield Case("drift_too_large", edited(minimal_data, ("actors.alpha.batna.drift", 5)), "drift")
    yield Case(
        "strategy_unknown",
        edited(minimal_data, ("actors.alpha.strategy.kind", "tit_for_tat")),
        "kind",
    )
    yield Case(
        "strategy_exponent_zero",
        edited(minimal_data, ("actors.alpha.strategy.exponent", 0)),
        "positive",
    )
    yield Case(
        "strategy_exponent_negative",
        edited(minimal_data, ("actors.alpha.strategy.exponent", -2)),
        "positive",
    )
    yield Case(
        "strategy_exponent_on_hardliner",
        edited(minimal_data, ("actors.alpha.strategy", {"kind": "hardliner", "exponent": 2})),
        "no exponent",
    )
    yield Case(
        "signs_when_empty", edited(minimal_data, ("actors.beta.signs_when", [])), "at least 1"
    )
    yield Case(
        "signs_when_dangling_issue",
        edited(minimal_data, ("actors.beta.signs_when", [{"nato": ["x"]}])),
        "no issue",
    )


def _numbers() -> Iterator[Case]:
    """NaN, infinities and broken distributions wherever a number goes."""
    special = {"nan": float("nan"), "inf": float("inf"), "minus_inf": float("-inf")}
    places = {
        "weight": "actors.alpha.weights.deal",
        "score": "actors.alpha.scores.deal.signed",
        "score_in_list": "actors.alpha.scores.size.1",
        "batna": "actors.alpha.batna.value",
        "firmness": "actors.beta.red_lines.small_force.firmness",
        "p_yes": "institutions.security_council.members.others.p_yes",
    }
    for place, path in places.items():
        for label, value in special.items():
            yield Case(f"{label}_{place}", edited(minimal_data, (path, value)), "finite")
    yield Case("nan_in_text", raw(MINIMAL.replace("drift: -0.01", "drift: .NaN")), "finite")
    yield Case("inf_written_large", raw(MINIMAL.replace("drift: -0.01", "drift: 1e999")), "finite")
    firmness = "actors.alpha.red_lines.no_refusal.firmness"
    broken: dict[str, JSON] = {
        "dist_unknown": {"dist": "gamma", "low": 0, "high": 1},
        "dist_missing": {"low": 0, "high": 1},
        "uniform_low_above_high": {"dist": "uniform", "low": 0.9, "high": 0.1},
        "uniform_nominal_outside": {"dist": "uniform", "low": 0.1, "high": 0.2, "nominal": 0.9},
        "uniform_missing_high": {"dist": "uniform", "low": 0.1},
        "uniform_nan_bound": {"dist": "uniform", "low": float("nan"), "high": 1},
        "beta_zero_a": {"dist": "beta", "a": 0, "b": 1},
        "normal_negative_sd": {"dist": "normal", "mean": 0.5, "sd": -1, "low": 0, "high": 1},
        "choice_empty": {"dist": "choice", "values": []},
        "choice_weights_mismatch": {"dist": "choice", "values": [0.1, 0.2], "weights": [1]},
        "choice_weights_zero": {"dist": "choice", "values": [0.1, 0.2], "weights": [0, 0]},
        "choice_weights_overflowing_sum": {
            "dist": "choice",
            "values": [0.1, 0.2],
            "weights": [1e308, 1e308],
        },
        "choice_nan_value": {"dist": "choice", "values": [0.1, float("nan")]},
        "distribution_unknown_key": {"dist": "uniform", "low": 0, "high": 1, "seed": 4},
        "distribution_as_list": [0.1, 0.9],
        "uniform_beyond_unit": {"dist": "uniform", "low": 0.5, "high": 1.5},
    }
    for name, value in broken.items():
        yield Case(f"firmness_{name}", edited(minimal_data, (firmness, value)))


def _red_lines() -> Iterator[Case]:
    line = "actors.alpha.red_lines.no_refusal"
    yield Case(
        "red_line_duplicate_id",
        edited(
            minimal_data,
            (
                "actors.alpha.red_lines.1",
                {
                    "id": "no_refusal",
                    "forbids": {"deal": ["signed"]},
                    "provenance": {"kind": "assumption", "rationale": "x"},
                },
            ),
        ),
        "duplicate",
    )
    yield Case(
        "red_line_forbids_nothing", edited(minimal_data, (f"{line}.forbids", DELETE)), "forbids"
    )
    yield Case(
        "red_line_forbids_empty", edited(minimal_data, (f"{line}.forbids", {})), "at least 1"
    )
    yield Case(
        "red_line_forbids_empty_list",
        edited(minimal_data, (f"{line}.forbids.deal", [])),
        "at least 1",
    )
    yield Case(
        "red_line_dangling_issue",
        edited(minimal_data, (f"{line}.forbids", {"nato": ["off_table"]})),
        "no issue",
    )
    yield Case(
        "red_line_dangling_option",
        edited(minimal_data, (f"{line}.forbids.deal", ["maybe"])),
        "not an option",
    )
    yield Case(
        "red_line_numeric_option_missing",
        edited(minimal_data, ("actors.beta.red_lines.small_force.forbids.size", [7])),
        "not an option",
    )
    yield Case(
        "red_line_option_as_mapping", edited(minimal_data, (f"{line}.forbids.deal", {"a": 1}))
    )
    yield Case(
        "red_line_unknown_consequence",
        edited(minimal_data, (f"{line}.consequence", "nuke")),
        "consequence",
    )
    yield Case("firmness_above_one", edited(minimal_data, (f"{line}.firmness", 1.5)), "firmness")
    yield Case("firmness_negative", edited(minimal_data, (f"{line}.firmness", -0.5)), "firmness")
    yield Case(
        "red_line_missing_provenance",
        edited(minimal_data, (f"{line}.provenance", DELETE)),
        "provenance",
    )
    yield Case(
        "provenance_unknown_kind",
        edited(minimal_data, (f"{line}.provenance.kind", "rumour")),
        "kind",
    )
    yield Case(
        "stated_without_quote", edited(minimal_data, (f"{line}.provenance.quote", DELETE)), "quote"
    )
    yield Case(
        "stated_with_empty_quote", edited(minimal_data, (f"{line}.provenance.quote", "")), "quote"
    )
    yield Case(
        "quote_only_spaces",
        edited(minimal_data, (f"{line}.provenance.quote", "   ")),
        "at least 12 characters",
    )
    yield Case(
        "quote_not_in_source",
        edited(minimal_data, (f"{line}.provenance.quote", "We will never negotiate.")),
        "not found verbatim",
    )
    yield Case(
        "quote_altered_word",
        edited(minimal_data, (f"{line}.provenance.quote", "We do not discard every option.")),
        "not found verbatim",
    )
    yield Case(
        "quote_too_long",
        edited(minimal_data, (f"{line}.provenance.quote", "word " * 5000)),
        "20000",
    )
    yield Case(
        "quote_dangling_source",
        edited(minimal_data, (f"{line}.provenance.source", "elsewhere")),
        "no source",
    )
    yield Case(
        "assumption_without_rationale",
        edited(minimal_data, ("actors.beta.red_lines.small_force.provenance.rationale", DELETE)),
        "rationale",
    )
    yield Case(
        "assumption_with_quote",
        edited(
            minimal_data,
            ("actors.beta.red_lines.small_force.provenance.quote", "We do not discard any option."),
        ),
        "no quote",
    )
    yield Case(
        "precondition_dangling_met_by",
        edited(
            minimal_data,
            (f"{line}.precondition", {"requires": {"deal": ["signed"]}, "met_by": "gamma"}),
        ),
        "no actor",
    )
    yield Case(
        "precondition_probability_above_one",
        edited(
            minimal_data,
            (f"{line}.precondition", {"requires": {"deal": ["signed"]}, "probability": 3}),
        ),
        "probability",
    )
    yield Case(
        "precondition_requires_nothing",
        edited(minimal_data, (f"{line}.precondition", {"requires": {}})),
        "at least 1",
    )
    yield Case(
        "red_lines_as_mapping", edited(minimal_data, ("actors.alpha.red_lines", {"no_refusal": {}}))
    )


def _sources() -> Iterator[Case]:
    path = "sources.article.path"
    escaping = {
        "source_path_etc_passwd": ("../../etc/passwd", "escapes"),
        "source_path_parent": ("../outside.txt", "escapes"),
        "source_path_deep_parent": ("sources/../../../../../../../../etc/shadow", "escapes"),
        "source_path_absolute": ("/etc/passwd", "relative"),
        "source_path_dev_zero": ("/dev/zero", "relative"),
        "source_path_proc_environ": ("/proc/self/environ", "relative"),
        "source_path_missing": ("sources/missing.txt", "does not exist"),
        "source_path_directory": ("sources", "not a file"),
        "source_path_dot": (".", "not a file"),
        "source_path_empty": ("", "at least 1"),
        "source_path_nul": ("sources/a\x00b.txt", None),
        "source_path_url": ("https://example.com/article.txt", "does not exist"),
        "source_path_windows": ("C:\\Windows\\win.ini", "does not exist"),
        "source_path_home": ("~/.ssh/id_rsa", "does not exist"),
        "source_path_component_too_long": ("sources/" + "a" * 300 + ".txt", None),
        "source_path_too_long": ("a/" * 300, "at most 500"),
    }
    for name, (value, expect) in escaping.items():
        yield Case(name, edited(minimal_data, (path, value)), expect)
    yield Case(
        "source_symlink_escaping",
        edited(minimal_data, (path, "sources/link.txt")),
        "escapes",
        links={"sources/link.txt": "/etc/passwd"},
    )
    yield Case(
        "source_is_a_fifo",
        edited(minimal_data, (path, "sources/pipe.txt")),
        "not a file",
        fifos=("sources/pipe.txt",),
    )
    yield Case(
        "source_not_utf8",
        edited(minimal_data, (path, "sources/latin1.txt")),
        "not UTF-8",
        files={"sources/latin1.txt": "We do not discard any option. Caf\u00e9".encode("latin-1")},
    )
    yield Case(
        "source_binary",
        edited(minimal_data, (path, "sources/image.txt")),
        "not UTF-8",
        files={"sources/image.txt": b"\x89PNG\r\n\x1a\n\xff\xfe" + bytes(range(256))},
    )
    yield Case(
        "source_too_large",
        edited(minimal_data, (path, "sources/huge.txt")),
        "larger than",
        files={"sources/huge.txt": b"We do not discard any option. " * 200_000},
    )
    yield Case(
        "source_duplicate_id",
        edited(
            minimal_data,
            (
                "sources.1",
                {
                    "id": "article",
                    "path": "sources/2025-02-11-russia-peacekeepers-condition.txt",
                    "title": "again",
                },
            ),
        ),
        "duplicate",
    )
    yield Case(
        "source_missing_path", edited(minimal_data, ("sources.article.path", DELETE)), "path"
    )
    yield Case("source_path_integer", edited(minimal_data, (path, 42)), "string")


def _protocol_and_institutions() -> Iterator[Case]:
    council = "institutions.security_council"
    yield Case("protocol_unknown_kind", edited(minimal_data, ("protocol.kind", "auction")), "kind")
    yield Case(
        "protocol_zero_rounds",
        edited(minimal_data, ("protocol.max_rounds", 0)),
        "greater than or equal to 1",
    )
    yield Case(
        "protocol_billion_rounds", edited(minimal_data, ("protocol.max_rounds", 10**9)), "10000"
    )
    yield Case(
        "protocol_rounds_float", edited(minimal_data, ("protocol.max_rounds", 2.5)), "integer"
    )
    yield Case(
        "protocol_rounds_string", edited(minimal_data, ("protocol.max_rounds", "30")), "integer"
    )
    yield Case("protocol_as_list", edited(minimal_data, ("protocol", ["alternating"])))
    yield Case(
        "mediated_without_mediator", edited(minimal_data, ("protocol.kind", "mediated")), "mediator"
    )
    yield Case(
        "mediator_dangling",
        edited(minimal_data, ("protocol.kind", "mediated"), ("protocol.mediator", "gamma")),
        "no actor",
    )
    yield Case(
        "proposer_dangling",
        edited(minimal_data, ("protocol.proposers", ["alpha", "gamma"])),
        "no actor",
    )
    yield Case(
        "alternating_without_signatories",
        edited(
            minimal_data,
            ("actors.alpha.role", "observer"),
            ("actors.beta.role", "mediator"),
        ),
        "none does",
    )
    yield Case(
        "setter_two_proposers",
        edited(
            minimal_data, ("protocol.kind", "setter"), ("protocol.proposers", ["alpha", "beta"])
        ),
        "exactly one",
    )
    yield Case(
        "monotonic_concession_three_parties",
        edited(
            minimal_data,
            ("protocol.kind", "monotonic_concession"),
            (
                "actors.2",
                {
                    "id": "gamma",
                    "name": "G",
                    "role": "belligerent",
                    "weights": {"deal": 1},
                    "scores": {"deal": [0, 1]},
                    "batna": {"value": 0.5},
                },
            ),
        ),
        "bilateral",
    )
    yield Case("council_no_members", edited(minimal_data, (f"{council}.members", [])), "at least 1")
    yield Case(
        "council_votes_beyond_seats",
        edited(minimal_data, (f"{council}.votes_needed", 100)),
        "seats",
    )
    yield Case(
        "council_zero_votes",
        edited(minimal_data, (f"{council}.votes_needed", 0)),
        "greater than or equal to 1",
    )
    yield Case(
        "council_sixteen_seats", edited(minimal_data, (f"{council}.members.others.seats", 16)), "15"
    )
    yield Case(
        "council_member_dangling_actor",
        edited(minimal_data, (f"{council}.members.alpha_seat.actor", "gamma")),
        "no actor",
    )
    yield Case(
        "council_member_permanent_string",
        edited(minimal_data, (f"{council}.members.alpha_seat.permanent", "yes")),
        "boolean",
    )
    yield Case(
        "council_mandate_dangling_issue",
        edited(minimal_data, (f"{council}.mandate", {"mandate": ["unsc"]})),
        "no issue",
    )
    yield Case(
        "council_duplicate_member",
        edited(minimal_data, (f"{council}.members.others.id", "alpha_seat")),
        "duplicate",
    )
    yield Case(
        "institutions_unknown_key",
        edited(minimal_data, ("institutions.nato_council", {})),
        "unknown key",
    )
    deployment = {"actor": "alpha", "after_rounds": 2, "terms": {"size": 3}}
    yield Case(
        "deployment_dangling_actor",
        edited(
            minimal_data, ("institutions.unilateral_deployment", {**deployment, "actor": "gamma"})
        ),
        "no actor",
    )
    yield Case(
        "deployment_bad_option",
        edited(
            minimal_data,
            ("institutions.unilateral_deployment", {**deployment, "terms": {"size": 99}}),
        ),
        "not an option",
    )
    yield Case(
        "deployment_zero_rounds",
        edited(
            minimal_data, ("institutions.unilateral_deployment", {**deployment, "after_rounds": 0})
        ),
        "greater than or equal to 1",
    )


def _sizes() -> Iterator[Case]:
    """Files and spaces too large to build."""
    size = "issues.size.range"
    yield Case("file_5_mib", _padded(5 * 1024 * 1024), "more than the limit")
    yield Case("file_one_byte_over_limit", _padded(4 * 1024 * 1024 + 1), "more than the limit")
    yield Case(
        "range_million_steps", edited(minimal_data, (f"{size}.stop", 3_000_000)), "outcome space"
    )
    yield Case(
        "range_trillion_steps", edited(minimal_data, (f"{size}.stop", 10**12)), "outcome space"
    )
    yield Case(
        "range_1e300_steps",
        edited(minimal_data, (f"{size}.stop", 1e300), (f"{size}.step", 1e-10)),
        "outcome space",
    )
    yield Case(
        "range_overflowing_division",
        edited(
            minimal_data,
            (f"{size}.start", -1e308),
            (f"{size}.stop", 1e308),
            (f"{size}.step", 1e-300),
        ),
        "outcome space",
    )
    yield Case(
        "many_issues_product",
        edited(
            minimal_data,
            ("issues", [{"id": f"i{k}", "name": "x", "values": list(range(10))} for k in range(8)]),
        ),
        "outcome space",
    )
    yield Case("actors_2000", _actors(2000), "more than the limit of 1000", heavy=True)
    yield Case(
        "flow_list_of_two_million",
        lambda: (MINIMAL + "notes: [" + "0," * 2_000_000 + "0]\n").encode(),
        "YAML values",
        heavy=True,
    )
    yield Case(
        "title_of_256_kib",
        raw(MINIMAL.replace("title: Two actors, two issues", "title: " + "x" * 2**18)),
        "20000",
    )


def _baseline_mutations() -> Iterator[Case]:
    """A few cases on the shipped baseline itself, text edits that keep its comments."""
    yield Case(
        "baseline_quote_misattributed",
        replaced(baseline_text, "We do not discard any option.", "We discard no option at all."),
        "not found verbatim",
    )
    yield Case(
        "baseline_source_escaping",
        replaced(
            baseline_text,
            "path: sources/2025-02-11-russia-peacekeepers-condition.txt",
            "path: ../../../../etc/passwd",
        ),
        "escapes",
    )
    yield Case(
        "baseline_mediator_dangling",
        replaced(baseline_text, "mediator: united_states", "mediator: united_nations"),
        "no actor",
    )
    yield Case(
        "baseline_truncated_mid_file",
        lambda: baseline_text()[: len(baseline_text()) // 2].encode(),
    )
    yield Case(
        "baseline_firmness_nan",
        replaced(
            baseline_text, "firmness: {dist: uniform, low: 0.85, high: 1.0}", "firmness: .nan"
        ),
        "finite",
    )


OVERRIDES: dict[str, str] = {
    "no_equals_sign": "actors.alpha.batna.value",
    "empty_path": "=1",
    "empty_segment": "actors..name=x",
    "entry_not_found": "actors.99.name=x",
    "through_a_scalar": "title.words=x",
    "unknown_key": "colour=red",
    "required_set_to_null": "protocol=null",
    "actor_set_to_null": "actors.alpha=null",
    "wrong_container": "actors=5",
    "python_object_tag": 'title=!!python/object/apply:os.system ["echo pwned"]',
    "bool_maybe": "title=!!bool maybe",
    "omap_duplicate": "title=!!omap [{a: 1}, {a: 2}]",
    "bad_timestamp": "title=!!timestamp 2025-13-45",
    "anchor_alias": "title=&a [*a]",
    "nested_3000_deep": "title=" + "[" * 3000 + "1" + "]" * 3000,
    "unclosed_flow": "title=[",
    "two_documents": "title=---\na: 1\n---\nb: 2",
    "control_character": "title=a\x07b",
    "nan": "actors.alpha.batna.value=.nan",
    "infinity_written_large": "actors.alpha.weights.deal=1e999",
    "firmness_out_of_range": "actors.alpha.red_lines.no_refusal.firmness=1.5",
    "rounds_huge_integer": "protocol.max_rounds=" + "9" * 400,
    "source_escaping": "sources.article.path=../../etc/passwd",
    "outcome_space_too_large": "issues.size.range.stop=1e12",
    "dangling_mediator": "protocol.mediator=gamma",
}
"""Malformed `--set PATH=VALUE` arguments, each applied alone to the minimal scenario."""
