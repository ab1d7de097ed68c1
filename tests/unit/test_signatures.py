"""pages/signatures.py: a handler's signature is read once per function, and the answers
are NiceGUI's own."""

from __future__ import annotations

import functools
import gc
import inspect
import types
from typing import Any

import pytest
from nicegui import helpers
from nicegui.helpers import functions

from pages import signatures


class Handlers:
    def bare(self) -> None: ...

    def takes_event(self, event: Any) -> None: ...

    def takes_optional(self, event: Any = None) -> None: ...

    def takes_any(self, *args: Any, **kwargs: Any) -> None: ...

    @classmethod
    def of_class(cls, event: Any) -> None: ...


def _a_function(event: Any) -> None: ...


CALLABLES = [
    Handlers().bare,
    Handlers().takes_event,
    Handlers().takes_optional,
    Handlers().takes_any,
    Handlers().of_class,
    Handlers.of_class,
    _a_function,
    lambda: None,
    lambda event: None,
    functools.partial(_a_function, None),
    functools.partial(lambda a, b: None, 1),
    types.MethodType(len, object()),  # a method of a builtin: no weak reference to it
]


@pytest.mark.parametrize("func", CALLABLES)
def test_the_answer_is_nicegui_s_own(func: Any) -> None:
    assert signatures.expects_arguments(func) == signatures._asked(func)


def test_each_function_is_read_once_whatever_the_instance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Fresh:  # a class of its own: nothing of it is known yet
        def update(self) -> None: ...

        def handle(self, event: Any) -> None: ...

    read: list[Any] = []
    monkeypatch.setattr(functions, "signature", _counting(inspect.signature, read))
    answers = [signatures.expects_arguments(Fresh().update) for _ in range(50)]
    answers += [signatures.expects_arguments(Fresh().handle) for _ in range(50)]
    assert answers == [False] * 50 + [True] * 50
    assert len(read) == 2  # one per function, not one per element


def test_a_function_that_goes_away_takes_its_entry_with_it() -> None:
    class Passing:
        def update(self) -> None: ...

    signatures.expects_arguments(Passing().update)
    assert Passing.update in signatures._per_function
    entries = len(signatures._per_function)
    del Passing
    gc.collect()
    assert len(signatures._per_function) == entries - 1


def test_installed_where_nicegui_asks() -> None:
    """NiceGUI's observables, events and pages call it through `nicegui.helpers`."""
    before = helpers.expects_arguments
    try:
        signatures.install()
        assert helpers.expects_arguments is signatures.expects_arguments
    finally:
        helpers.expects_arguments = before


def _counting(real: Any, calls: list[Any]) -> Any:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    return counted
