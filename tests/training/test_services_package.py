"""The training services are one module per entity; callers use the package."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from yanxiu.training import services


def test_every_public_service_is_reachable_from_the_package():
    missing = []
    for info in pkgutil.iter_modules(services.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{services.__name__}.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if not inspect.isfunction(value):
                continue
            if getattr(services, name, None) is not value:
                missing.append(f"{info.name}.{name}")
    assert not missing, f"add to training/services/__init__.py: {missing}"
    assert sorted(services.__all__) == sorted(set(services.__all__))

