"""The in-memory vector index and the stored form of vectors."""

from __future__ import annotations

import numpy as np
import pytest

from services.similar import VectorIndex, from_bytes, to_bytes


def unit(*values: float, dim: int = 4) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def test_add_search_update_remove() -> None:
    idx = VectorIndex(4)
    idx.add(1, unit(1, 0))
    idx.add(2, unit(0, 1))
    idx.add(3, unit(1, 1))
    assert [i for i, _ in idx.search(unit(1, 0.1), k=2)] == [1, 3]
    idx.update(1, unit(0, 1))  # moved far away
    assert idx.search(unit(1, 0.1), k=1)[0][0] == 3
    assert idx.remove(3) is True
    assert idx.remove(3) is False
    assert len(idx) == 2
    assert 3 not in idx
    assert sorted(idx.ids()) == [1, 2]
    cos = dict(idx.search(unit(0, 1), k=5))
    assert cos[1] == pytest.approx(1.0)
    assert cos[2] == pytest.approx(1.0)


def test_vectors_are_normalised_on_the_way_in() -> None:
    idx = VectorIndex(4)
    idx.add(7, np.array([3, 0, 0, 0], dtype=np.float32))
    assert idx.search(np.array([10, 0, 0, 0], dtype=np.float32))[0][1] == pytest.approx(1.0)


def test_allowed_and_exclude_filter_the_answer() -> None:
    rng = np.random.default_rng(0)
    idx = VectorIndex(8)
    vecs = {i: rng.standard_normal(8).astype(np.float32) for i in range(1, 301)}
    for i, v in vecs.items():
        idx.add(i, v)
    q = vecs[5]
    assert idx.search(q, k=1)[0][0] == 5
    assert idx.search(q, k=3, exclude=[5])[0][0] != 5
    few = {10, 20, 30, 999}  # 999 is not in the index
    assert {i for i, _ in idx.search(q, k=10, allowed=few)} == {10, 20, 30}
    many = set(range(1, 301, 2)) - {5}
    got = idx.search(q, k=5, allowed=many)
    assert all(i in many for i, _ in got)
    expected = sorted(many, key=lambda i: -float(np.dot(q, vecs[i]) / np.linalg.norm(vecs[i])))
    assert [i for i, _ in got] == expected[:5]
    small = idx.search(q, k=2, allowed={10, 20, 30}, exclude=[10])
    assert {i for i, _ in small} == {20, 30}
    assert idx.search(q, k=5, allowed=set()) == []


def test_removal_keeps_every_other_row_findable() -> None:
    rng = np.random.default_rng(1)
    idx = VectorIndex(16)
    vecs = {i: rng.standard_normal(16).astype(np.float32) for i in range(200)}
    for i, v in vecs.items():
        idx.add(i, v)
    for i in range(0, 200, 3):
        idx.remove(i)
    for i in range(1, 200, 3):
        assert idx.search(vecs[i], k=1)[0][0] == i
        np.testing.assert_allclose(idx.vector(i), vecs[i] / np.linalg.norm(vecs[i]), atol=1e-6)
    assert idx.vector(0) is None
    assert len(idx) == 200 - len(range(0, 200, 3))


def test_k_larger_than_the_index_and_an_empty_index() -> None:
    idx = VectorIndex(4)
    assert idx.search(unit(1), k=5) == []
    idx.add(1, unit(1))
    assert [i for i, _ in idx.search(unit(1), k=5)] == [1]
    assert idx.search(unit(1), k=0) == []


def test_a_vector_of_another_dimension_is_refused() -> None:
    idx = VectorIndex(4)
    with pytest.raises(ValueError, match="dimensions"):
        idx.add(1, np.ones(5, dtype=np.float32))


def test_stored_bytes_round_trip_and_check_their_length() -> None:
    v = np.linspace(-1, 1, 384).astype(np.float32)
    data = to_bytes(v)
    assert len(data) == 384 * 4
    np.testing.assert_array_equal(from_bytes(data, 384), v)
    with pytest.raises(ValueError, match="expected 1536"):
        from_bytes(data[:-4], 384)


def test_rebuilt_from_stored_vectors_with_its_memory_reported() -> None:
    rng = np.random.default_rng(2)
    rows = [(i, rng.standard_normal(32).astype(np.float32)) for i in range(1000)]
    stored = [(i, to_bytes(v)) for i, v in rows]
    idx = VectorIndex.from_vectors(32, ((i, from_bytes(b, 32)) for i, b in stored), count=1000)
    assert len(idx) == 1000
    assert idx.search(rows[123][1], k=1)[0][0] == 123
    assert idx.memory_bytes() >= 1000 * 32 * 4
