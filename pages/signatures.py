"""A handler's signature read once per function, not once per element.

NiceGUI gives every element three observable collections (its props, classes and style),
and each asks `nicegui.helpers.expects_arguments` whether its change handler, the element's
bound `_update` method, takes arguments: `inspect.signature` three times for every element
made, about a tenth of the server's CPU for an issue page. The answer is the same for every
bound method of one function (binding only removes `self`), so it is kept per function,
weakly (a function that goes away takes its entry with it). Other callables (lambdas,
partials) are asked as before."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from types import MethodType
from typing import Any

from nicegui import helpers

_asked = helpers.expects_arguments
_per_function: weakref.WeakKeyDictionary[Callable[..., Any], bool] = weakref.WeakKeyDictionary()


def expects_arguments(func: Callable[..., Any]) -> bool:
    if not isinstance(func, MethodType):
        return _asked(func)
    try:
        known = _per_function.get(func.__func__)
        if known is None:
            known = _per_function[func.__func__] = _asked(func)
    except TypeError:  # a method made of something that cannot be weakly referenced
        return _asked(func)
    return known


def install() -> None:
    """NiceGUI's modules call `helpers.expects_arguments` through the package: this one."""
    helpers.expects_arguments = expects_arguments
