import io

from accrochage.progress import Progress


def test_progress_draws_a_bar_and_ends_the_line():
    stream = io.StringIO()
    bar = Progress("Écriture", total=2000, stream=stream)
    bar.update(1000)
    bar.update(2000)
    bar.close()
    text = stream.getvalue()
    assert "Écriture" in text and "100 % 2000/2000" in text and text.endswith("\n")


def test_progress_is_silent_for_small_runs_or_when_disabled():
    stream = io.StringIO()
    for bar in (
        Progress("x", total=10, stream=stream),
        Progress("x", 5000, enabled=False, stream=stream),
    ):
        bar.update(5)
        bar.close()
    assert stream.getvalue() == ""
