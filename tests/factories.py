"""Valid passages to start tests from: the engine's own samples."""

from accrochage.samples import DEPOSIT, make_passage, make_passages

__all__ = ["DEPOSIT", "make_passage", "make_passages"]
