from __future__ import annotations

import pytest
import torch

from engine.config import AttackConfig, DataConfig, ModelConfig, RunConfig, TrainConfig
from engine.data import load_digits
from engine.messages import RunFinished
from engine.trainer import train


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Small models on a shared 2-core CPU: one thread is many times faster than two contending ones
    (the GUI tests' conftest sets the same for a whole run)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def digits():
    return load_digits(DataConfig())


def train_digits_model(digits, tmp_path, **train_kwargs):
    """Train seed-cnn on digits through the real trainer and return (config, model)."""
    from engine.checkpoints import load_model

    cfg = RunConfig(
        model=ModelConfig("seed-cnn"),
        attack=AttackConfig("none", eps=0.1),
        train=TrainConfig(**({"epochs": 8, "lam": 0.0, "gallery_every": 0, "lr": 3e-3} | train_kwargs)),
    )
    run_dir = tmp_path / "run"
    messages = list(train(cfg, run_dir=run_dir, dataset=digits))
    assert isinstance(messages[-1], RunFinished), messages[-1]
    return load_model(run_dir)[:2]


@pytest.fixture(scope="session")
def digits_model(digits, tmp_path_factory):
    """A standard (non-robust) seed-cnn trained on digits in a few seconds."""
    torch.manual_seed(0)
    _, model = train_digits_model(digits, tmp_path_factory.mktemp("digits_model"))
    return model
