"""`tracker similar prepare-model`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from services.similar import model
from tracker_app import cli


def test_prepare_model_to_a_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.main, ["similar", "prepare-model", "--to", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert f"ready in {tmp_path / 'm'}" in result.output
    assert (tmp_path / "m" / model.MODEL_FILE).is_file()


def test_prepare_model_defaults_to_the_setting_then_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_SIMILARITY_MODEL_DIR", raising=False)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(cli.main, ["similar", "prepare-model"])
    assert result.exit_code == 0, result.output
    assert (model.default_model_dir(tmp_path / "data") / model.MODEL_FILE).is_file()
    monkeypatch.setenv("TRACKER_SIMILARITY_MODEL_DIR", str(tmp_path / "elsewhere"))
    assert CliRunner().invoke(cli.main, ["similar", "prepare-model"]).exit_code == 0
    assert (tmp_path / "elsewhere" / model.MANIFEST_FILE).is_file()


def test_prepare_model_refuses_a_foreign_file(tmp_path: Path) -> None:
    other = tmp_path / "model.onnx"
    other.write_bytes(b"not the model")
    result = CliRunner().invoke(
        cli.main, ["similar", "prepare-model", "--to", str(tmp_path / "m"), "--from", str(other)]
    )
    assert result.exit_code == 1
    assert "not the expected" in result.output


def test_the_image_bakes_the_model_in() -> None:
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text(encoding="utf-8")
    build, final = dockerfile.split("\nFROM ")[1:]
    assert "&& tracker similar prepare-model --to /opt/similarity-model" in build
    assert "COPY --from=build /opt/similarity-model /opt/similarity-model" in final
    assert "TRACKER_SIMILARITY_MODEL_DIR=/opt/similarity-model" in final
