"""The bad-input corpus (tests/bad_input_corpus.py) through the command, as
a user types it: no traceback, no row lost, no success that is not one.

The corpus is generated from a fixed seed, so a failure is replayed with
``python -m tests.bad_input_corpus --count N``; ``ACCROCHAGE_CORPUS_SEED``
tries other inputs.
"""

import os

import pytest

from tests import bad_input_corpus as corpus

SEED = int(os.environ.get("ACCROCHAGE_CORPUS_SEED", "20261201"))
COUNT = 30


@pytest.mark.parametrize("name", corpus.CLASSES)
def test_every_input_of_the_class_is_answered_cleanly(name, tmp_path):
    verdicts = corpus.run_corpus(COUNT, SEED, {name: corpus.CLASSES[name]})[name]
    assert len(verdicts) == COUNT
    problems = [f"{v.case.name}: {p}" for v in verdicts for p in v.problems]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_lost_row(tmp_path):
    """The invariants are not vacuous: an input announcing one row more than
    it holds is reported."""
    case = next(corpus.csv_cells(corpus.random.Random(1), 1))
    case.rows += 1
    (problem,) = corpus.check(case, tmp_path).problems
    assert "the input holds" in problem


def test_the_checks_catch_a_false_success(tmp_path, monkeypatch):
    """``validate`` answering 0 on a document the schema refuses is reported."""
    monkeypatch.setattr(corpus.cli, "main", lambda argv: 0)
    case = corpus.Case("validate", "not xml", b"<flux", ".xml")
    assert corpus.check(case, tmp_path).problems == ["exit 0 on a document that does not parse"]


def test_the_table_counts_each_class():
    verdicts = corpus.run_corpus(3, SEED, {"receipts": corpus.receipts})
    text = corpus.table(verdicts)
    assert text.splitlines()[1].split()[:2] == ["receipts", "3"]
