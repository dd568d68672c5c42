"""Transferability matrix: the diagonal is white-box robust accuracy, every cell is checked by hand."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from engine.attacks import fgsm
from engine.config import AttackConfig
from engine.evaluate import evaluate_model
from engine.transfer import TransferMatrix, transfer_matrix


@pytest.fixture(scope="module")
def other_model(digits, tmp_path_factory):
    from tests.engine.conftest import train_digits_model

    torch.manual_seed(2)
    return train_digits_model(digits, tmp_path_factory.mktemp("other"), seed=2, epochs=6)[1]


def test_matrix_cells_and_diagonal(digits_model, other_model, digits):
    x, y = digits.test_x, digits.test_y
    cfg = AttackConfig("fgsm", 0.1)  # deterministic, so every cell can be recomputed exactly
    models = [("a", digits_model), ("b", other_model)]
    result = transfer_matrix(models, x, y, cfg)
    assert isinstance(result, TransferMatrix) and result.names == ("a", "b") and result.n == len(x)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n = 0  # type: ignore[misc]
    for i, (_, source) in enumerate(models):
        assert result.accuracy[i][i] == pytest.approx(evaluate_model(source, x, y, cfg).robust_accuracy, abs=1e-9)
        x_adv = fgsm(source, x, y, 0.1)
        for j, (_, target) in enumerate(models):
            expected = ((target(x).argmax(1) == y) & (target(x_adv).argmax(1) == y)).float().mean().item()
            assert result.accuracy[i][j] == pytest.approx(expected, abs=1e-9)
    print(result.accuracy)
    # Transferred examples are weaker than white-box ones on these two independently trained models.
    assert result.accuracy[0][1] > result.accuracy[1][1]
    assert result.accuracy[1][0] > result.accuracy[0][0]
    assert result.whitebox() == (result.accuracy[0][0], result.accuracy[1][1])


def test_pgd_matrix_diagonal_matches_white_box(digits_model, other_model, digits):
    x, y = digits.test_x[:150], digits.test_y[:150]
    cfg = AttackConfig("pgd", 0.1, steps=10)
    result = transfer_matrix([("a", digits_model), ("b", other_model)], x, y, cfg, seed=3)
    torch.manual_seed(3)
    white = evaluate_model(digits_model, x, y, cfg).robust_accuracy
    assert result.accuracy[0][0] == pytest.approx(white, abs=1e-9)
    assert result.to_dict()["accuracy"][0][0] == result.accuracy[0][0]
