"""The shipped demo models and the one-image demo functions (engine.demo), without Qt."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import checkpoints, runs
from engine.config import RunConfig
from engine.data import load_dataset
from engine.demo import DEMO_ATTACK, DEMO_MODELS
from engine.demo_attacks import attack_image, fooled_fraction, predict_image
from engine.model_files import load_user_model
from engine.runs import RunError


@pytest.fixture(scope="module")
def digits():
    return load_dataset(RunConfig().data)


@pytest.fixture(scope="module")
def models():
    return {kind: checkpoints.load_model(folder)[1] for kind, folder in DEMO_MODELS.items()}


def test_shipped_models_are_small_run_folders() -> None:
    for folder in DEMO_MODELS.values():
        assert (folder / runs.CONFIG_FILE).is_file()
        assert (folder / runs.CHECKPOINT_FILE).stat().st_size < 1_000_000
        assert "optimizer" not in checkpoints.load_checkpoint(folder)


def test_default_attack_fools_the_standard_model_but_not_the_robust_one(digits, models, capsys) -> None:
    figures = {
        kind: fooled_fraction(model, digits.test_x, digits.test_y, DEMO_ATTACK) for kind, model in models.items()
    }
    with capsys.disabled():
        for kind, f in figures.items():
            print(
                f"\n{kind}: clean accuracy {f['clean_accuracy']:.1%}, fooled by PGD-{f['steps']} at "
                f"ε = {f['eps']} on {f['fooled_fraction']:.1%} of the {f['n']} held-out digits it reads right"
            )
    assert figures["standard"]["clean_accuracy"] > 0.95 and figures["robust"]["clean_accuracy"] > 0.9
    assert figures["standard"]["fooled_fraction"] > 0.8
    assert figures["robust"]["fooled_fraction"] < 0.5


def test_attack_image_stays_within_eps(digits, models) -> None:
    image = digits.test_x[0, 0].numpy()
    before = predict_image(models["standard"], image)
    assert abs(float(before.probabilities.sum()) - 1) < 1e-5
    adv, after = attack_image(models["standard"], image, DEMO_ATTACK)
    assert adv.shape == (1, 8, 8) and adv.min() >= 0 and adv.max() <= 1
    assert np.abs(adv[0] - image).max() <= DEMO_ATTACK.eps + 1e-6
    assert not adv.flags.writeable and 0 <= after.label < 10


def test_user_state_dict_that_does_not_fit_is_refused(tmp_path, models, digits) -> None:
    path = tmp_path / "w.pt"
    torch.save(models["standard"].state_dict(), path)
    name = runs.load_config(DEMO_MODELS["standard"]).model.name
    loaded = load_user_model(path, name, (1, 8, 8), 10)
    x = digits.test_x[:64]
    with torch.no_grad():  # the same weights: the same scores as the shipped model
        assert torch.allclose(loaded(x), models["standard"](x), atol=1e-5)
    other = "mlp" if name != "mlp" else "seed-cnn"
    with pytest.raises(RunError, match="do not fit"):
        load_user_model(path, other, (1, 8, 8), 10)
    with pytest.raises(RunError, match="do not fit"):
        load_user_model(path, name, (1, 8, 8), 3)
    evil = tmp_path / "evil.pt"
    torch.save({"model": {"w": torch.zeros(1)}, "fn": print}, evil)  # a pickled callable: refused by weights_only
    with pytest.raises(RunError, match="Python objects beyond tensors"):
        load_user_model(evil, name, (1, 8, 8), 10)
