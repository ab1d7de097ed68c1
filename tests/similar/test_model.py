"""Loading and preparing the model directory; what the vectors are."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from services.similar import DIMENSION, Embedder, ModelUnavailable, load_model, model


def test_a_missing_directory_is_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="prepare-model"):
        load_model(tmp_path / "nowhere")


def test_a_directory_without_its_tokenizer_names_the_missing_file(
    tmp_path: Path, model_dir: Path
) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(model_dir / model.MODEL_FILE, partial / model.MODEL_FILE)
    with pytest.raises(ModelUnavailable, match=r"lacks tokenizer\.json"):
        load_model(partial)


def test_a_damaged_model_file_is_model_unavailable(tmp_path: Path, model_dir: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(model_dir / model.TOKENIZER_FILE, broken / model.TOKENIZER_FILE)
    (broken / model.MODEL_FILE).write_bytes(b"not an onnx file")
    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        load_model(broken)


def test_a_bad_manifest_is_model_unavailable(tmp_path: Path, model_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy)
    (copy / model.MANIFEST_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="manifest"):
        load_model(copy)


def test_prepare_lays_out_the_directory_from_the_installed_package(model_dir: Path) -> None:
    assert sorted(p.name for p in model_dir.iterdir()) == sorted(
        [model.MODEL_FILE, model.TOKENIZER_FILE, model.MANIFEST_FILE]
    )
    manifest = json.loads((model_dir / model.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["model_id"] == model.MODEL_ID
    assert manifest["dimension"] == DIMENSION
    assert model.sha256_of(model_dir / model.MODEL_FILE) == model.MODEL_SHA256
    assert model.packaged_model_file().stat().st_size == model.MODEL_SIZE


def test_prepare_replaces_an_existing_directory_whole(tmp_path: Path, model_dir: Path) -> None:
    target = tmp_path / "m"
    target.mkdir()
    (target / "stale.txt").write_text("old", encoding="utf-8")
    model.prepare_model(target, source=model_dir)
    assert not (target / "stale.txt").exists()
    assert (target / model.MODEL_FILE).is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no staging directory left


def test_prepare_refuses_another_file(tmp_path: Path) -> None:
    other = tmp_path / "model.onnx"
    other.write_bytes(b"x" * 1000)
    with pytest.raises(ModelUnavailable, match="not the expected"):
        model.prepare_model(tmp_path / "out", source=other)
    assert not (tmp_path / "out").exists()


def test_default_directory_is_under_the_data_dir(tmp_path: Path) -> None:
    assert model.default_model_dir(tmp_path) == tmp_path / "models" / model.MODEL_ID


def test_vectors_are_unit_rows_in_the_order_given(embedder: Embedder) -> None:
    texts = ["Export to CSV fails", "", "A much longer title about the dashboard being slow"]
    batch = embedder.embed(texts, batch_size=2)
    assert batch.shape == (3, DIMENSION)
    assert batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    one_by_one = np.vstack([embedder.embed_one(t) for t in texts])
    np.testing.assert_allclose(batch, one_by_one, atol=1e-4)
    assert embedder.embed([]).shape == (0, DIMENSION)


def test_the_model_is_all_minilm_l6_v2(embedder: Embedder) -> None:
    # The model card's example pair scores 0.755 with the published fp32 model.
    a, b = embedder.embed(["A man is eating food.", "A man is eating a piece of bread."])
    assert float(a @ b) == pytest.approx(0.755, abs=0.01)
    same, other = embedder.embed(["Members can't download invoices", "Dark mode is not saved"])
    query = embedder.embed_one("Regular members get 403 when downloading an invoice")
    assert float(query @ same) > float(query @ other) + 0.3


def test_long_texts_are_truncated_not_refused(embedder: Embedder) -> None:
    vec = embedder.embed_one("word " * 5000)
    assert vec.shape == (DIMENSION,)
