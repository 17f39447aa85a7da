"""YAML files of the package, read with PyYAML's safe loader: libyaml's C parser when PyYAML was built
with it (about ten times faster than the pure-Python parser, which showed in every cold start), the
pure-Python one otherwise. Both construct only plain data."""

from __future__ import annotations

from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
