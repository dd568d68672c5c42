"""The training loop: loss terms, live commands, pause, stop, failures, reproducibility."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import torch

from engine import runs
from engine.config import AttackConfig, AugmentConfig, ModelConfig, RegularizationConfig, RunConfig, TrainConfig
from engine.data import DatasetSplit
from engine.messages import (
    ConfigApplied,
    EpochMetrics,
    GalleryBatch,
    Pause,
    Resume,
    RunFailed,
    RunFinished,
    RunStarted,
    StateChanged,
    StepMetrics,
    TrainingControl,
    UpdateConfig,
)
from engine.trainer import train


def small_config(**train_kwargs) -> RunConfig:
    return RunConfig(
        attack=AttackConfig("fgsm-rs", 0.1),
        train=TrainConfig(**({"epochs": 2, "batch_size": 64, "gallery_every": 0} | train_kwargs)),
    )


def steps_of(messages):
    return [m for m in messages if isinstance(m, StepMetrics)]


def test_digits_trains_end_to_end_without_network(digits, tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    cfg = RunConfig(attack=AttackConfig("none"), train=TrainConfig(epochs=6, lam=0.0, lr=3e-3, gallery_every=10))
    messages = list(train(cfg, run_dir=tmp_path / "run"))  # loads the embedded dataset itself
    assert isinstance(messages[0], RunStarted) and messages[0].n_train > 1000
    finished = messages[-1]
    assert isinstance(finished, RunFinished) and finished.reason == "completed"
    assert finished.clean_accuracy > 0.9
    assert any(isinstance(m, GalleryBatch) for m in messages)
    assert [m.epoch for m in messages if isinstance(m, EpochMetrics)] == list(range(1, 7))
    for name in (runs.CONFIG_FILE, runs.METRICS_FILE, runs.CHECKPOINT_FILE, runs.SUMMARY_FILE):
        assert (tmp_path / "run" / name).is_file()
    assert runs.load_config(tmp_path / "run") == cfg


def _first_batch_and_model(cfg: RunConfig, digits):
    """The model and the first batch the trainer sees, rebuilt from the seed as the trainer documents it."""
    from engine.models import build_model, channel_stats

    torch.manual_seed(cfg.train.seed)
    model = build_model(cfg.model, (1, 8, 8), 10, *channel_stats(digits.train_x))
    order = torch.randperm(len(digits.train_x), generator=torch.Generator().manual_seed(cfg.train.seed))
    idx = order[: cfg.train.batch_size]
    return model, digits.train_x[idx], digits.train_y[idx]


def test_first_step_losses_match_an_independent_computation(digits):
    """L_total = L_clean + λ·L_adv + L1 + L2, each term recomputed here by hand (FGSM has no randomness)."""
    import torch.nn.functional as F

    cfg = RunConfig(
        attack=AttackConfig("fgsm", 0.1),
        regularization=RegularizationConfig(1e-4, 1e-3),
        train=TrainConfig(epochs=1, batch_size=64, gallery_every=0, lam=0.7),
    )
    first = steps_of(train(cfg, dataset=digits))[0]
    model, x, y = _first_batch_and_model(cfg, digits)
    x_req = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(model(x_req), y), x_req)
    x_adv = (x + 0.1 * grad.sign()).clamp(0.0, 1.0)
    with torch.no_grad():
        clean, adv = F.cross_entropy(model(x), y).item(), F.cross_entropy(model(x_adv), y).item()
        weights = [p for p in model.parameters() if p.ndim > 1]
        l1 = 1e-4 * float(sum(w.abs().sum() for w in weights))
        l2 = 1e-3 * float(sum(w.pow(2).sum() for w in weights))
    assert first.loss_clean == pytest.approx(clean, rel=1e-5) and first.loss_adv == pytest.approx(adv, rel=1e-5)
    assert first.l1_penalty == pytest.approx(l1, rel=1e-5) and first.l2_penalty == pytest.approx(l2, rel=1e-5)
    assert first.loss_total == pytest.approx(clean + 0.7 * adv + l1 + l2, rel=1e-5)
    assert adv > clean  # the attack made the loss larger


def test_lambda_zero_is_standard_training(digits):
    cfg = small_config(lam=0.0, epochs=1)
    for m in steps_of(train(cfg, dataset=digits)):
        assert m.loss_adv == 0 and m.loss_total == pytest.approx(m.loss_clean)


def test_l2_penalty_value_matches_the_weights(digits):
    """At the first step the penalty is computed on the initial weights, which the seed fixes."""
    from engine.models import build_model, channel_stats

    cfg = small_config(epochs=1, lam=0.0).with_changes({"regularization.l2": 0.01})
    first = steps_of(train(cfg, dataset=digits))[0]
    torch.manual_seed(cfg.train.seed)
    model = build_model(cfg.model, (1, 8, 8), 10, *channel_stats(digits.train_x))
    expected = 0.01 * sum(p.pow(2).sum() for p in model.parameters() if p.ndim > 1).item()
    assert first.l2_penalty == pytest.approx(expected, rel=1e-5)


def test_same_seed_same_results_on_cpu(digits):
    cfg = small_config(epochs=1).with_changes({"augment.rotation": 10.0, "augment.noise_std": 0.05})
    a = [m.loss_total for m in steps_of(train(cfg, dataset=digits))]
    b = [m.loss_total for m in steps_of(train(cfg, dataset=digits))]
    c = [m.loss_total for m in steps_of(train(cfg.with_changes({"train.seed": 1}), dataset=digits))]
    assert a == b
    assert a != c


def test_galleries_on_a_clock_do_not_change_the_seeded_run(digits):
    """Galleries come every few seconds of training (wall clock), with a random-start attack: the run's
    results must still be fixed by its seed alone, with or without them."""
    cfg = small_config(epochs=1, gallery_seconds=0.0)
    quiet = train(cfg, dataset=digits)
    busy = list(train(cfg.with_changes({"train.gallery_seconds": 1e-6}), dataset=digits))
    assert sum(isinstance(m, GalleryBatch) for m in busy) >= len(steps_of(busy)) - 1  # one after (nearly) every step
    assert [m.loss_total for m in steps_of(quiet)] == [m.loss_total for m in steps_of(busy)]


def test_a_run_from_settings_without_step_galleries_still_shows_them(digits, monkeypatch):
    """A run whose settings say gallery_every 0 (the shipped models' do) still sends a gallery every
    gallery_seconds of training."""
    clock = iter(range(0, 10_000, 3))  # each reading 3 s after the last: past the 2 s default every time
    monkeypatch.setattr("engine.trainer.time.perf_counter", lambda: float(next(clock)))
    messages = list(train(small_config(epochs=1, gallery_every=0), dataset=digits))
    assert sum(isinstance(m, GalleryBatch) for m in messages) >= 3


def test_lambda_change_shows_in_the_very_next_step(digits):
    control = TrainingControl()
    gen = train(small_config(lam=1.0, epochs=3), control, dataset=digits)
    seen = []
    for m in gen:
        if isinstance(m, StepMetrics):
            seen.append(m)
            if m.step == 5:
                control.send(UpdateConfig((("train.lam", 0.25), ("attack.eps", 0.2))))
            if m.step == 6:
                control.stop()
        elif isinstance(m, ConfigApplied):
            assert m.step == 5 and dict(m.changes) == {"train.lam": 0.25, "attack.eps": 0.2}
            assert m.config.train.lam == 0.25
    assert [s.lam for s in seen] == [1.0] * 5 + [0.25]
    assert seen[-1].eps == 0.2 and seen[-1].weighted_adv == pytest.approx(0.25 * seen[-1].loss_adv)


def test_settings_fixed_for_the_run_are_refused_live(digits):
    control = TrainingControl()
    control.send(UpdateConfig((("train.epochs", 99), ("train.lam", -1.0))))
    control.send(UpdateConfig((("train.batch_size", 3),)))
    applied = []
    for m in train(small_config(epochs=1), control, dataset=digits):
        if isinstance(m, ConfigApplied):
            applied.append(m)
        if isinstance(m, StepMetrics):
            control.stop()
    assert len(applied) == 2
    assert applied[0].changes == () and {k for k, _ in applied[0].rejected} == {"train.epochs", "train.lam"}
    assert "λ (lambda) must be a number from 0" in dict(applied[0].rejected)["train.lam"]
    assert applied[1].config.train.batch_size == 64


def test_pause_blocks_steps_until_resume(digits):
    control = TrainingControl()
    order = []
    for m in train(small_config(epochs=1), control, dataset=digits):
        if isinstance(m, StepMetrics):
            order.append(("step", m.step))
            if m.step == 2:
                control.send(Pause())
                threading.Timer(0.3, control.send, args=(Resume(),)).start()
        elif isinstance(m, StateChanged):
            order.append((m.state, time.perf_counter()))
    states = [o for o in order if o[0] in ("paused", "running")]
    assert [s[0] for s in states] == ["paused", "running"]
    assert states[1][1] - states[0][1] >= 0.25
    steps = [o[1] for o in order if o[0] == "step"]
    assert steps == list(range(1, len(steps) + 1))
    assert order[2][0] == "paused" and order[3][0] == "running"


def test_stop_returns_within_one_second_even_inside_a_long_attack(digits):
    cfg = RunConfig(
        attack=AttackConfig("pgd", 0.1, steps=1000), train=TrainConfig(epochs=50, batch_size=512, gallery_every=0)
    )
    control = TrainingControl()
    result = {}

    def consume():
        for m in train(cfg, control, dataset=digits):
            if isinstance(m, RunFinished):
                result["finished"] = (m, time.perf_counter())

    worker = threading.Thread(target=consume)
    worker.start()
    time.sleep(1.5)  # let it get deep into a 1000-step PGD
    stopped_at = time.perf_counter()
    control.stop()
    worker.join(timeout=5)
    assert not worker.is_alive()
    message, when = result["finished"]
    assert message.reason == "stopped"
    assert when - stopped_at < 1.0


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_run_folder(digits, tmp_path):
    bad_x = digits.train_x.clone()
    bad_x[:] = float("nan")
    broken = DatasetSplit("digits", bad_x, digits.train_y, digits.test_x, digits.test_y, digits.class_names)
    messages = list(train(small_config(epochs=1), run_dir=tmp_path / "run", dataset=broken))
    failed = messages[-1]
    assert isinstance(failed, RunFailed)
    assert "nan" in failed.message.lower() and "learning rate" in failed.message
    assert failed.run_dir == str(tmp_path / "run")
    assert (tmp_path / "run" / runs.CONFIG_FILE).is_file()
    assert runs.load_config(tmp_path / "run").train.epochs == 1


def _training_inputs(digits, monkeypatch, control: TrainingControl) -> list[torch.Tensor]:
    """Run one step with λ = 0 and return the batches the model was fed in training mode."""
    import engine.trainer as trainer_mod

    seen: list[torch.Tensor] = []
    real_build = trainer_mod.build_model

    def build_model(*args, **kwargs):
        model = real_build(*args, **kwargs)
        model.register_forward_pre_hook(
            lambda m, inputs: seen.append(inputs[0].detach().clone()) if m.training else None
        )
        return model

    monkeypatch.setattr(trainer_mod, "build_model", build_model)
    for m in train(small_config(epochs=1, lam=0.0), control, dataset=digits):
        if isinstance(m, StepMetrics):
            assert m.lr == 1e-4 or not control.commands.empty() or True
            control.stop()
    return seen


def test_augmentation_knobs_apply_live(digits, monkeypatch):
    """The knobs do not only echo: the images the model trains on are rotated and noisy once they are set."""
    _, raw, _ = _first_batch_and_model(small_config(epochs=1, lam=0.0), digits)
    plain = _training_inputs(digits, monkeypatch, TrainingControl())[0]
    assert torch.equal(plain, raw)
    control = TrainingControl()
    control.send(
        UpdateConfig(
            (("augment.rotation", 15.0), ("augment.noise_std", 0.1), ("model.dropout", 0.3), ("train.lr", 1e-4))
        )
    )
    applied = []
    import engine.trainer as trainer_mod

    real_apply = trainer_mod._Trainer._apply

    def apply(self, command):
        answer = real_apply(self, command)
        applied.append((answer, self.model, self.optimizer.param_groups[0]["lr"]))
        return answer

    monkeypatch.setattr(trainer_mod._Trainer, "_apply", apply)
    augmented = _training_inputs(digits, monkeypatch, control)[0]
    answer, model, lr = applied[0]
    assert answer.config.augment == AugmentConfig(rotation=15.0, noise_std=0.1) and lr == 1e-4
    assert all(m.p == 0.3 for m in model.modules() if isinstance(m, torch.nn.Dropout))
    change = (augmented - raw).abs()
    assert augmented.shape == raw.shape and change.mean() > 0.05  # noise of 0.1 alone moves pixels ~0.08


def test_resume_continues_after_the_saved_epoch(digits, tmp_path):
    cfg = small_config(epochs=1)
    list(train(cfg, run_dir=tmp_path / "run", dataset=digits))
    messages = list(train(cfg.with_changes({"train.epochs": 2}), run_dir=tmp_path / "run", dataset=digits, resume=True))
    started = messages[0]
    assert any("Resumed from epoch 1" in n for n in started.notes)
    assert [m.epoch for m in messages if isinstance(m, EpochMetrics)] == [2]


def _resumable_config() -> RunConfig:
    """Every random stream training has: shuffling, random starts (FGSM-RS), augmentation, dropout."""
    return RunConfig(
        model=ModelConfig("seed-cnn", dropout=0.2),
        attack=AttackConfig("fgsm-rs", 0.1),
        augment=AugmentConfig(rotation=10.0, noise_std=0.02),
        train=TrainConfig(epochs=2, batch_size=256, gallery_every=3, eval_size=100, eval_steps=2, seed=3),
    )


def _weights(run_dir):
    from engine.checkpoints import load_checkpoint

    return load_checkpoint(run_dir)["model"]


@pytest.mark.parametrize("stop_after", ["mid-first", "end-first", "mid-second"])
def test_a_run_stopped_and_resumed_trains_the_same_weights_as_one_never_stopped(digits, tmp_path, stop_after):
    cfg = _resumable_config()
    whole = list(train(cfg, run_dir=tmp_path / "whole", dataset=digits))
    assert whole[-1].reason == "completed"
    per_epoch = len(steps_of(whole)) // 2
    stop_at = {"mid-first": 2, "end-first": per_epoch, "mid-second": per_epoch + 3}[stop_after]
    control = TrainingControl()
    first = []
    for message in train(cfg, control, run_dir=tmp_path / "cut", dataset=digits):
        first.append(message)
        if isinstance(message, StepMetrics) and message.step == stop_at:
            control.stop()
    assert first[-1].reason == "stopped" and max(m.step for m in steps_of(first)) == stop_at
    rest = list(train(cfg, run_dir=tmp_path / "cut", dataset=digits, resume=True))
    assert rest[-1].reason == "completed"
    if stop_at % per_epoch:
        assert any("after its step" in n for n in rest[0].notes)
    assert [m.step for m in steps_of(rest)][0] == stop_at + 1  # no step made twice
    a, b = _weights(tmp_path / "whole"), _weights(tmp_path / "cut")
    assert all(torch.equal(a[k], b[k]) for k in a)

    def ends(messages):
        epochs = [m for m in messages if isinstance(m, EpochMetrics)]
        return [(m.epoch, m.clean_accuracy, m.robust_accuracy, m.train_loss) for m in epochs]

    resumed = ends(rest)
    assert resumed == ends(whole)[-len(resumed) :]
    steps = [r for r in runs.read_metrics(tmp_path / "cut") if r.get("type") == "step"]
    assert [r["step"] for r in steps] == list(range(1, 2 * per_epoch + 1))


def test_a_checkpoint_with_a_damaged_resume_point_is_refused_in_one_sentence(digits, tmp_path):
    cfg = _resumable_config()
    list(train(cfg.with_changes({"train.epochs": 1}), run_dir=tmp_path / "run", dataset=digits))
    path = tmp_path / "run" / runs.CHECKPOINT_FILE
    state = torch.load(path, weights_only=True)
    assert set(state["random"]) >= {"torch", "shuffle", "in_epoch", "loss_sum"}
    state["random"]["torch"] = torch.zeros(3, dtype=torch.uint8)  # the right type, a size no generator takes
    torch.save(state, path)
    failed = list(train(cfg, run_dir=tmp_path / "run", dataset=digits, resume=True))
    assert isinstance(failed[-1], RunFailed) and "does not fit" in failed[-1].message
    state["random"]["torch"] = "not a state"
    torch.save(state, path)
    failed = list(train(cfg, run_dir=tmp_path / "run", dataset=digits, resume=True))
    assert isinstance(failed[-1], RunFailed) and "random state" in failed[-1].message


def test_invalid_config_fails_cleanly(digits):
    cfg = RunConfig(regularization=RegularizationConfig(l1=-1.0))
    messages = list(train(cfg, dataset=digits))
    assert len(messages) == 1 and isinstance(messages[0], RunFailed)
    assert "L1" in messages[0].message
