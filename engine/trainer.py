"""The training loop: L_total = L_clean + λ·L_adv + L1 + L2, as a plain generator of snapshots.

With ``train.method = "trades"`` or ``"mart"`` the objective is engine.objectives' (first term + β·KL term
+ L1 + L2; β is ``train.beta``, live like λ); the snapshots carry the first term in loss_clean, the KL term
in loss_adv and β in lam, so that L_total = loss_clean + lam·loss_adv + L1 + L2 holds for every method.

With ``train.method = "ibp"`` (certified training, Gowal et al. 2018) L_adv is the cross-entropy of the
worst-case logits of interval bounds (engine.certify) at a training ε that grows from 0 to attack.eps,
mixed with the clean loss by κ: L_total = κ·L_clean + (1−κ)·λ·L_IBP + L1 + L2 (κ and ε follow
``ibp_schedule``). Its snapshots are the same StepMetrics: L_IBP in loss_adv, (1−κ)·λ in lam, the ε in
force in eps, the batch's certified accuracy in accuracy_adv, attack "ibp".

The GUI, the CLI and the tests all drive this one generator. Commands (knob changes, pause,
stop) arrive on ``TrainingControl``'s queue and are applied between steps, each answered by a
``ConfigApplied`` so the caller shows what is really in force. User errors never escape as
exceptions: they end the run with ``RunFailed`` and a plain message, the run folder intact.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import queue
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from engine import checkpoints, runs
from engine.attacks import attack, kl_pgd
from engine.augment import build_augment
from engine.catalogue import say
from engine.certify import certified_accuracy, interval_layers, worst_case_logits
from engine.config import LIVE_KEYS, ONE_STEP_ATTACKS, AttackConfig, ConfigError, RunConfig, TrainConfig
from engine.data import DatasetError, DatasetSplit, load_dataset
from engine.errors import first_line, user_message
from engine.evaluate import clean_accuracy, make_gallery, robust_accuracy
from engine.messages import (
    Cancelled,
    ConfigApplied,
    EpochMetrics,
    EvaluateNow,
    GalleryBatch,
    Message,
    Pause,
    Resume,
    RunFailed,
    RunFinished,
    RunStarted,
    StateChanged,
    StepMetrics,
    Stop,
    TrainingControl,
    TrainingWarning,
    UpdateConfig,
)
from engine.models import build_model, channel_stats, model_device, set_dropout
from engine.objectives import mart_terms, trades_terms


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("CUDA was chosen but no CUDA GPU is available here; choose 'auto' or 'cpu'.")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda:{device.index or 0} ({torch.cuda.get_device_name(device)})"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'' if threads == 1 else 's'})"


def penalties(model: nn.Module, l1: float, l2: float) -> tuple[torch.Tensor, torch.Tensor]:
    """L1 and L2 penalties on the weights (not biases or normalisation buffers), already scaled."""
    zero = torch.zeros((), device=model_device(model))
    if not (l1 or l2):
        return zero, zero
    weights = [p for p in model.parameters() if p.ndim > 1]
    p1 = l1 * torch.stack([w.abs().sum() for w in weights]).sum() if l1 and weights else zero
    p2 = l2 * torch.stack([w.pow(2).sum() for w in weights]).sum() if l2 and weights else zero
    return p1, p2


def gallery_attack(cfg: AttackConfig) -> AttackConfig:
    """With no training attack the gallery still shows what PGD does at the current ε."""
    return cfg if cfg.name != "none" else AttackConfig(name="pgd", eps=cfg.eps, steps=10)


def eval_attack(config: RunConfig) -> AttackConfig:
    """The per-epoch robust accuracy check: PGD at the training ε (or the knob's ε when training is standard)."""
    return AttackConfig(name="pgd", eps=config.attack.eps, steps=config.train.eval_steps)


# Catastrophic overfitting (Wong et al. 2020): a model trained on one-step examples learns to defeat that
# attack alone; FGSM accuracy stays high (often rises) while PGD's collapses within an epoch. A gap of 30
# points between the two on the held-out check is far beyond what a sound model shows (a few points).
OVERFITTING_GAP = 0.3


def watches_for_overfitting(config: RunConfig) -> bool:
    """Whether each epoch compares FGSM with PGD accuracy: runs trained on one-step attacks."""
    return config.adversarially_trained and config.train.method != "ibp" and config.attack.name in ONE_STEP_ATTACKS


def overfitting_warning(epoch: int, step: int, fgsm: float, pgd: float) -> TrainingWarning | None:
    """The warning (plain words and the remedy) when PGD has collapsed while FGSM stays high, else None."""
    if not (math.isfinite(fgsm) and math.isfinite(pgd)) or fgsm - pgd < OVERFITTING_GAP:
        return None
    message = say(
        "Catastrophic overfitting at epoch {epoch}: the model resists the one-step attack it trains against "
        "(FGSM leaves {fgsm} of the held-out images) but not a real one (PGD leaves {pgd}), so its robustness "
        "is an illusion. Remedies: train with N-FGSM (attack 'n-fgsm': a larger random start, no clipping to "
        "ε) or with PGD (attack 'pgd'), or use a smaller ε.",
        epoch=epoch,
        fgsm=f"{fgsm:.1%}",
        pgd=f"{pgd:.1%}",
    )
    return TrainingWarning(step, epoch, "catastrophic_overfitting", message, (("fgsm", fgsm), ("pgd", pgd)))


def ibp_schedule(step: int, total_steps: int, cfg: TrainConfig) -> tuple[float, float]:
    """(fraction of the target ε, κ) for the 0-based ``step`` of an IBP run.

    Bounds of a network trained at full ε from the start are so loose that it learns nothing: ε = 0 and
    κ = kappa_start for the first eps_warmup of the steps, then both move linearly (ε to the target, κ to
    kappa_end) over the next eps_ramp of them, and stay there.
    """
    warmup, ramp = round(cfg.eps_warmup * total_steps), round(cfg.eps_ramp * total_steps)
    if step < warmup:
        progress = 0.0
    elif ramp == 0:
        progress = 1.0
    else:
        progress = min(1.0, (step - warmup + 1) / ramp)
    return progress, cfg.kappa_start + progress * (cfg.kappa_end - cfg.kappa_start)


def lr_factor(step: int, total_steps: int, schedule: str) -> float:
    """What train.lr is multiplied by at the 0-based ``step``: 1 throughout for "constant"; for "step" 1, then
    0.1 from 70 % of the steps and 0.01 from 90 % (a run, IBP's above all, keeps gaining at a lower rate
    once a constant one has stalled)."""
    if schedule == "step":
        return 0.01 if step >= 0.9 * total_steps else 0.1 if step >= 0.7 * total_steps else 1.0
    return 1.0


def _step_values(
    loss_clean: torch.Tensor,
    loss_adv: torch.Tensor,
    p1: torch.Tensor,
    p2: torch.Tensor,
    total: torch.Tensor,
    logits: torch.Tensor,
    yb: torch.Tensor,
    acc_adv: float,
) -> dict[str, Any]:
    """One step's figures as both training methods report them (StepMetrics is made from these)."""
    return {
        "loss_clean": loss_clean.item(),
        "loss_adv": loss_adv.item(),
        "l1": p1.item(),
        "l2": p2.item(),
        "total": total.item(),
        "acc": float((logits.argmax(1) == yb).float().mean()),
        "acc_adv": acc_adv,
    }


class _Trainer:
    """State of one run; ``run()`` is the generator. Kept private: callers use ``train()``."""

    def __init__(
        self,
        config: RunConfig,
        control: TrainingControl,
        run_dir: Path | None,
        dataset: DatasetSplit | None,
        resume: bool,
    ):
        self.config = config
        self.control = control
        self.run_dir = run_dir
        self.dataset = dataset
        self.resume = resume
        self.step = 0
        self.start_epoch = 0
        self.clean = float("nan")
        self.robust = float("nan")
        self.certified = float("nan")  # IBP runs: certified accuracy at attack.eps in the last evaluation
        self.pending_metrics: list[dict[str, Any]] = []
        self.completed_epochs = 0  # epochs trained and evaluated (what a checkpoint's "epoch" says)
        self.in_epoch = 0  # steps of the epoch under way already made (a resumed run skips them)
        self.loss_sum = 0.0  # the epoch under way's summed training loss so far
        self.resume_point: dict[str, Any] = {}  # see _mark_resume_point
        self.saved_rng: dict[str, Any] | None = None  # a checkpoint's random state, restored after setup
        self.warnings: list[TrainingWarning] = []  # said once each, after the epoch's metrics

    # ------------------------------------------------------------------ setup
    def setup(self) -> RunStarted:
        cfg = self.config.validate()
        if cfg.train.threads:
            torch.set_num_threads(cfg.train.threads)
        self.device = resolve_device(cfg.train.device)
        torch.manual_seed(cfg.train.seed)
        data = self.dataset or load_dataset(cfg.data)
        if len(data.train_x) == 0 or len(data.test_x) == 0:
            raise DatasetError("The dataset has no training or no held-out images.")
        self.class_names = data.class_names
        self.train_x, self.train_y = data.train_x.to(self.device), data.train_y.to(self.device)
        self.test_x, self.test_y = data.test_x.to(self.device), data.test_y.to(self.device)
        shape = data.image_shape
        mean, std = channel_stats(data.train_x)
        self.meta = {
            "shape": list(shape),
            "num_classes": data.num_classes,
            "mean": list(mean),
            "std": list(std),
            "class_names": list(data.class_names),
            "dataset": data.name,
        }
        self.model = build_model(cfg.model, shape, data.num_classes, mean, std).to(self.device)
        if cfg.train.method == "ibp":
            interval_layers(self.model)  # a model interval bounds cannot pass is refused before any step
        self.optimizer = self._make_optimizer()
        if self.run_dir is not None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            if self.resume and (self.run_dir / runs.CHECKPOINT_FILE).is_file():
                self._restore()
            runs.save_config(self.run_dir, cfg)
        self.augment = build_augment(cfg.augment, (shape[1], shape[2]))
        self.generator = torch.Generator().manual_seed(cfg.train.seed)
        pick = torch.randperm(len(self.test_x), generator=torch.Generator().manual_seed(cfg.train.seed))
        self.gallery_idx = pick[: cfg.train.gallery_size].to(self.device)
        self.last_gallery = time.perf_counter()
        self.steps_per_epoch = math.ceil(len(self.train_x) / cfg.train.batch_size)
        self.total_steps = self.steps_per_epoch * cfg.train.epochs
        if self.saved_rng is not None:
            self._restore_random_state(self.saved_rng)
        resumed: tuple[str, ...] = ()
        if self.in_epoch:
            epoch, step = self.start_epoch + 1, self.in_epoch
            resumed = (say("Resumed in epoch {epoch} after its step {step}.", epoch=epoch, step=step),)
        elif self.start_epoch:
            resumed = (say("Resumed from epoch {epoch}.", epoch=self.start_epoch),)
        notes = data.notes + resumed
        return RunStarted(
            cfg,
            describe_device(self.device),
            len(self.train_x),
            len(self.test_x),
            self.steps_per_epoch,
            data.class_names,
            str(self.run_dir) if self.run_dir else None,
            notes,
        )

    def _make_optimizer(self) -> torch.optim.Optimizer:
        t = self.config.train
        if t.optimizer == "sgd":
            return torch.optim.SGD(self.model.parameters(), lr=t.lr, momentum=0.9)
        return torch.optim.Adam(self.model.parameters(), lr=t.lr)

    def _restore(self) -> None:
        assert self.run_dir is not None  # only called for a run folder
        state = checkpoints.load_checkpoint(self.run_dir)
        try:
            self.model.load_state_dict(state["model"])
            if "optimizer" in state:
                self.optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise self._unfit_checkpoint(exc) from exc
        self.start_epoch = int(state["meta"].get("epoch", 0))
        self.step = int(state["meta"].get("step", 0))
        self.completed_epochs = self.start_epoch
        self.saved_rng = state.get("random")
        if self.saved_rng is not None:
            self.in_epoch = self.saved_rng["in_epoch"]
            self.loss_sum = self.saved_rng["loss_sum"]
        if self.start_epoch >= self.config.train.epochs:
            raise runs.RunError(
                "The run in {run_dir} has already trained all {done} of its {epochs} epochs. To train it further, "
                "give a larger number of epochs (e.g. --epochs {more}).",
                run_dir=self.run_dir,
                done=self.start_epoch,
                epochs=self.config.train.epochs,
                more=self.start_epoch + 5,
            )
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.train.lr

    # ------------------------------------------------------------------ commands
    def _apply(self, command: UpdateConfig) -> ConfigApplied:
        accepted, rejected = {}, []
        for key, value in command.changes:
            if key not in LIVE_KEYS:
                rejected.append((key, say("This setting cannot change while training runs.")))
            else:
                accepted[key] = value
        try:
            new = self.config.with_changes(accepted)
        except ConfigError as exc:
            return ConfigApplied(
                self.step, (), self.config, tuple(rejected) + tuple((k, user_message(exc)) for k in accepted)
            )
        old, self.config = self.config, new
        if new.train.lr != old.train.lr:
            for group in self.optimizer.param_groups:
                group["lr"] = new.train.lr
        if new.model.dropout != old.model.dropout:
            set_dropout(self.model, new.model.dropout)
        if new.augment != old.augment:
            self.augment = build_augment(new.augment, (int(self.train_x.shape[2]), int(self.train_x.shape[3])))
        if self.run_dir is not None:
            self.pending_metrics.append({"type": "config", "step": self.step, "changes": dict(accepted)})
            runs.save_config(self.run_dir, new)
        return ConfigApplied(self.step, tuple(accepted.items()), new, tuple(rejected))

    def commands(self) -> Iterator[Message]:
        """Apply every queued command; while paused, block here (still honouring stop and knobs)."""
        paused = False
        while True:
            self.control.raise_if_cancelled()
            try:
                command = self.control.commands.get(timeout=0.05) if paused else self.control.commands.get_nowait()
            except queue.Empty:
                if paused:
                    continue
                return
            if isinstance(command, UpdateConfig):
                yield self._apply(command)
            elif isinstance(command, Pause) and not paused:
                paused = True
                yield StateChanged("paused", self.step)
            elif isinstance(command, Resume) and paused:
                paused = False
                yield StateChanged("running", self.step)
            elif isinstance(command, EvaluateNow):
                yield from self.evaluated(self.current_epoch, time.perf_counter(), train_loss=float("nan"))
            elif isinstance(command, Stop):
                raise Cancelled()

    # ------------------------------------------------------------------ one step
    def train_step(self, xb: torch.Tensor, yb: torch.Tensor) -> dict[str, Any]:
        cfg = self.config
        if cfg.train.method == "ibp":
            return self.ibp_step(xb, yb)
        if cfg.train.method in ("trades", "mart"):
            return self.kl_step(xb, yb)
        lam, acfg = cfg.train.lam, cfg.attack
        adversarial = cfg.adversarially_trained
        if self.augment is not None:
            xb = self.augment(xb)
        if adversarial:
            x_adv = attack(self.model, xb, yb, acfg, mode="train", cancel=self.control)
        self.model.train()
        logits = self.model(xb)
        loss_clean = F.cross_entropy(logits, yb)
        zero = torch.zeros((), device=xb.device)
        loss_adv, acc_adv = zero, float("nan")
        if adversarial:
            logits_adv = self.model(x_adv)
            loss_adv = F.cross_entropy(logits_adv, yb)
            acc_adv = float((logits_adv.argmax(1) == yb).float().mean())
        p1, p2 = penalties(self.model, cfg.regularization.l1, cfg.regularization.l2)
        total = loss_clean + lam * loss_adv + p1 + p2
        return self._descend(total, _step_values(loss_clean, loss_adv, p1, p2, total, logits, yb, acc_adv))

    def _descend(self, total: torch.Tensor, values: dict[str, Any]) -> dict[str, Any]:
        """One optimiser step on ``total``, unless it is not finite: then nothing is changed and the caller
        stops the run with the last good checkpoint. Returns ``values`` (the step's figures)."""
        if math.isfinite(values["total"]):
            self.optimizer.zero_grad(set_to_none=True)
            total.backward()
            self.optimizer.step()
        return values

    def kl_step(self, xb: torch.Tensor, yb: torch.Tensor) -> dict[str, Any]:
        """One step of TRADES or MART (engine.objectives): first term + β·KL term + L1 + L2.

        TRADES's x' maximises the KL (engine.attacks.kl_pgd with the training attack's ε, steps and step
        size; one step for the FGSM attacks); MART's x' is the training attack's, as in adversarial training.
        Both are made in eval mode, as in the papers' code. The snapshot reports the first term in loss_clean
        (for MART: the boosted cross-entropy on x'), the KL term in loss_adv and β in lam.
        """
        cfg = self.config
        beta, acfg, method = cfg.train.beta, cfg.attack, cfg.train.method
        if self.augment is not None:
            xb = self.augment(xb)
        adversarial = cfg.adversarially_trained
        if adversarial and method == "trades":
            steps = acfg.steps if acfg.name == "pgd" else 1
            alpha = acfg.step_size if acfg.step_size is not None or acfg.name == "pgd" else 1.25 * acfg.eps
            x_adv = kl_pgd(self.model, xb, acfg.eps, steps, alpha, mode="eval", cancel=self.control)
        elif adversarial:
            x_adv = attack(self.model, xb, yb, acfg, mode="eval", cancel=self.control)
        self.model.train()
        logits = self.model(xb)
        first, second, acc_adv = F.cross_entropy(logits, yb), torch.zeros((), device=xb.device), float("nan")
        if adversarial:
            logits_adv = self.model(x_adv)
            first, second = (trades_terms if method == "trades" else mart_terms)(logits, logits_adv, yb)
            acc_adv = float((logits_adv.argmax(1) == yb).float().mean())
        p1, p2 = penalties(self.model, cfg.regularization.l1, cfg.regularization.l2)
        total = first + beta * second + p1 + p2
        values = {**_step_values(first, second, p1, p2, total, logits, yb, acc_adv), "lam": beta}
        return self._descend(total, values)

    def ibp_step(self, xb: torch.Tensor, yb: torch.Tensor) -> dict[str, Any]:
        """One step of certified training: κ·CE(f(x), y) + (1−κ)·λ·CE(worst-case logits at ε_t, y).

        The clean pass runs in train mode (Dropout active); the bounds are those of the eval-mode network
        (engine.certify), the one that is certified afterwards.
        """
        cfg = self.config
        fraction, kappa = ibp_schedule(self.step, self.total_steps, cfg.train)
        eps = fraction * cfg.attack.eps
        weight = (1.0 - kappa) * cfg.train.lam if cfg.adversarially_trained else 0.0
        if self.augment is not None:
            xb = self.augment(xb)
        self.model.train()
        logits = self.model(xb)
        loss_clean = F.cross_entropy(logits, yb)
        loss_adv, acc_adv = torch.zeros((), device=xb.device), float("nan")
        if weight > 0:
            worst = worst_case_logits(self.model, xb, yb, eps)
            loss_adv = F.cross_entropy(worst, yb)
            # Certified on this batch: every bound of z_j − z_y below 0 (z_y = 0 is the batch's maximum then).
            others = worst.scatter(1, yb[:, None], -math.inf)
            acc_adv = float((others.max(1).values < 0).float().mean())
        p1, p2 = penalties(self.model, cfg.regularization.l1, cfg.regularization.l2)
        total = kappa * loss_clean + weight * loss_adv + p1 + p2
        values: dict[str, Any] = {
            **_step_values(loss_clean, loss_adv, p1, p2, total, logits, yb, acc_adv),
            "lam": weight,
            "eps": eps,
            "attack": "ibp",
        }
        return self._descend(total, values)

    # ------------------------------------------------------------------ evaluation and gallery
    def evaluate(self, epoch: int, seconds_start: float, train_loss: float, full: bool = False) -> EpochMetrics:
        """Clean and PGD accuracy on the held-out set; on a subset unless ``full`` (the last epoch)."""
        acfg = eval_attack(self.config)
        n = len(self.test_x) if full or not self.config.train.eval_size else self.config.train.eval_size
        x, y = self.test_x[:n], self.test_y[:n]
        self.clean = clean_accuracy(self.model, x, y)
        self.robust = robust_accuracy(self.model, x, y, acfg, cancel=self.control) if acfg.eps > 0 else float("nan")
        record: dict[str, Any] = {}
        if self.config.train.method == "ibp" and acfg.eps > 0:
            self.certified = certified_accuracy(self.model, x, y, acfg.eps, cancel=self.control)
            record["certified_accuracy"] = self.certified  # beside the fields the window reads
        if watches_for_overfitting(self.config):
            fgsm = robust_accuracy(self.model, x, y, AttackConfig("fgsm", acfg.eps), cancel=self.control)
            record["fgsm_accuracy"] = fgsm
            warning = overfitting_warning(epoch, self.step, fgsm, self.robust)
            if warning is not None and not self.warnings:
                self.warnings.append(warning)
                self.pending_metrics.append({"type": "warning", **warning.__dict__})
        metrics = EpochMetrics(
            epoch,
            self.step,
            self.clean,
            self.robust,
            f"pgd-{acfg.steps}",
            acfg.eps,
            len(x),
            time.perf_counter() - seconds_start,
            train_loss,
        )
        self.pending_metrics.append({"type": "epoch", **metrics.__dict__, **record})
        return metrics

    def evaluated(
        self, epoch: int, seconds_start: float, train_loss: float, full: bool = False
    ) -> Iterator[EpochMetrics | TrainingWarning]:
        """``evaluate``'s metrics, then any warning that evaluation gave rise to (each is said once)."""
        said = len(self.warnings)
        yield self.evaluate(epoch, seconds_start, train_loss, full)
        yield from self.warnings[said:]

    def gallery(self) -> GalleryBatch:
        """The attacked gallery images now. Its attack's random start draws from a forked RNG: galleries are
        made every few seconds (a wall-clock schedule), and must not change the run's random stream, which
        the seed alone fixes."""
        idx = self.gallery_idx
        devices = [self.device.index or 0] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            return make_gallery(
                self.model,
                self.test_x[idx],
                self.test_y[idx],
                gallery_attack(self.config.attack),
                self.class_names,
                self.step,
            )

    def flush(self, epoch: int | None = None) -> None:
        if self.run_dir is None:
            return
        for record in self.pending_metrics:
            runs.append_metrics(self.run_dir, record)
        self.pending_metrics.clear()
        if epoch is not None:
            checkpoints.save_checkpoint(
                self.run_dir,
                self.model,
                self.optimizer,
                {**self.meta, "epoch": epoch, "step": self.step},
                random=self.resume_point or None,
            )

    def _mark_resume_point(self, in_epoch: int, loss_sum: float, shuffle: torch.Tensor) -> None:
        """Remember where a resumed run would have to pick up to make exactly the numbers this one makes.

        Called at the start of each epoch and after each step: the random streams as they are now (the
        global one draws random starts, augmentation and dropout; ``shuffle`` is the shuffling generator's
        state before this epoch's order was drawn), the steps of this epoch made and their summed loss.
        A checkpoint saves the last mark, so a run stopped mid-epoch (Stop, SIGTERM, a sweep's Ctrl+C) or
        killed after an epoch and resumed trains the same weights as one never interrupted, bit for bit on
        CPU (tests/engine/test_trainer.py). An attack cut short inside a step leaves the mark of the step
        before, whose weights are the ones saved.
        """
        point: dict[str, Any] = {
            "torch": torch.get_rng_state(),
            "shuffle": shuffle,
            "in_epoch": in_epoch,
            "loss_sum": loss_sum,
        }
        if self.device.type == "cuda":
            point["cuda"] = torch.cuda.get_rng_state(self.device)
        self.resume_point = point

    def _unfit_checkpoint(self, exc: Exception) -> runs.RunError:
        """What a checkpoint whose weights, optimiser or random state torch refuses is, in one sentence."""
        return runs.RunError(
            "The checkpoint in {run_dir} does not fit this model: {detail}",
            run_dir=self.run_dir,
            detail=first_line(exc, 400),
        )

    def _restore_random_state(self, saved: dict[str, Any]) -> None:
        try:
            torch.set_rng_state(saved["torch"])
            self.generator.set_state(saved["shuffle"])
            if "cuda" in saved and self.device.type == "cuda":
                torch.cuda.set_rng_state(saved["cuda"], self.device)
        except (RuntimeError, TypeError, ValueError) as exc:
            raise self._unfit_checkpoint(exc) from exc
        if self.in_epoch > self.steps_per_epoch:  # equal: its steps were made, its evaluation was not
            raise runs.RunError(
                "The checkpoint in {run_dir} was saved after step {step} of an epoch, but an epoch of this run has "
                "only {steps} steps.",
                run_dir=self.run_dir,
                step=self.in_epoch,
                steps=self.steps_per_epoch,
            )

    # ------------------------------------------------------------------ the loop
    def run(self) -> Iterator[Message]:
        cfg = self.config
        total_steps = self.steps_per_epoch * cfg.train.epochs
        bs = cfg.train.batch_size
        step_seconds = None
        self.current_epoch = self.start_epoch
        for epoch in range(self.start_epoch + 1, cfg.train.epochs + 1):
            self.current_epoch = epoch
            epoch_start = time.perf_counter()
            shuffle = self.generator.get_state()
            order = torch.randperm(len(self.train_x), generator=self.generator).to(self.device)
            first, loss_sum = (self.in_epoch, self.loss_sum) if epoch == self.start_epoch + 1 else (0, 0.0)
            self._mark_resume_point(first, loss_sum, shuffle)
            for i in range(first, self.steps_per_epoch):
                yield from self.commands()
                t0 = time.perf_counter()
                idx = order[i * bs : (i + 1) * bs]
                lr = self.config.train.lr
                if self.config.train.lr_schedule != "constant":
                    lr *= lr_factor(self.step, total_steps, self.config.train.lr_schedule)
                    for group in self.optimizer.param_groups:
                        group["lr"] = lr
                values = self.train_step(self.train_x[idx], self.train_y[idx])
                self.step += 1
                if not math.isfinite(values["total"]):
                    self.flush()
                    yield RunFailed(
                        say(
                            "The loss became {loss} at step {step} (epoch {epoch}), so training stopped. Try a smaller "
                            "learning rate or smaller L1/L2 coefficients. The run folder keeps its settings, metrics "
                            "and the last good checkpoint.",
                            loss=values["total"],
                            step=self.step,
                            epoch=epoch,
                        ),
                        self.step,
                        self._dir(),
                    )
                    return
                loss_sum += values["total"]
                self._mark_resume_point(i + 1, loss_sum, shuffle)
                dt = time.perf_counter() - t0
                step_seconds = dt if step_seconds is None else 0.9 * step_seconds + 0.1 * dt
                c = self.config
                lam = values.get("lam", c.train.lam)  # IBP: the weight (1−κ)·λ in force at this step
                metrics = StepMetrics(
                    step=self.step,
                    epoch=epoch,
                    epoch_progress=(i + 1) / self.steps_per_epoch,
                    loss_clean=values["loss_clean"],
                    loss_adv=values["loss_adv"],
                    lam=lam,
                    weighted_adv=lam * values["loss_adv"],
                    l1_penalty=values["l1"],
                    l2_penalty=values["l2"],
                    loss_total=values["total"],
                    accuracy_clean=values["acc"],
                    accuracy_adv=values["acc_adv"],
                    eps=values.get("eps", c.attack.eps),
                    lr=lr,
                    attack=values.get("attack", c.attack.name),
                    images_per_second=len(idx) / step_seconds if step_seconds else float("nan"),
                    eta_seconds=(total_steps - self.step) * (step_seconds or 0.0),
                )
                if self.run_dir is not None:
                    self.pending_metrics.append({"type": "step", **metrics.__dict__})
                    if len(self.pending_metrics) >= 200:
                        self.flush()
                yield metrics
                every, seconds = c.train.gallery_every, c.train.gallery_seconds
                now = time.perf_counter()
                if (every and self.step % every == 0) or (seconds and now - self.last_gallery >= seconds):
                    self.last_gallery = now
                    yield self.gallery()
            yield from self.evaluated(epoch, epoch_start, loss_sum / self.steps_per_epoch, epoch == cfg.train.epochs)
            self.completed_epochs = epoch
            self._mark_resume_point(0, 0.0, self.generator.get_state())
            self.flush(epoch)

    def _dir(self) -> str | None:
        return str(self.run_dir) if self.run_dir else None


def train(
    config: RunConfig,
    control: TrainingControl | None = None,
    run_dir: str | Path | None = None,
    dataset: DatasetSplit | None = None,
    resume: bool = False,
    overwrite: bool = False,
) -> Generator[Message, None, None]:
    """Train one run, yielding RunStarted, then snapshots, then RunFinished or RunFailed.

    ``dataset`` lets a caller that already holds the data (tests, sweeps) skip loading it again.
    ``run_dir`` is opened through ``runs.RunWriter``: locked while the run writes it, refused when it
    already holds a run unless ``resume`` (restore its checkpoint and continue after its epoch; the
    caller passes the run's own config) or ``overwrite`` (move the old run aside first).
    """
    control = control or TrainingControl()
    writer = None
    if run_dir is not None:
        writer = runs.RunWriter(run_dir, "resume" if resume else "overwrite" if overwrite else "new")
    trainer = _Trainer(config, control, Path(run_dir) if run_dir else None, dataset, resume)
    try:
        yield from _train_locked(trainer, writer)
    finally:
        if writer is not None:
            writer.release()


def _train_locked(trainer: _Trainer, writer: runs.RunWriter | None) -> Iterator[Message]:
    try:
        if writer is not None:
            writer.acquire()
        started = trainer.setup()
    except Cancelled:
        yield RunFailed(say("Stopped before training began; nothing was trained."), 0, trainer._dir())
        return
    except Exception as exc:  # noqa: BLE001 - every failure becomes one plain message (engine.errors)
        yield RunFailed(user_message(exc), 0, trainer._dir())
        return
    if writer is not None and writer.moved_aside is not None:
        started = dataclasses.replace(
            started,
            notes=started.notes
            + (say("The run that was in this folder was moved to {path}.", path=writer.moved_aside),),
        )
    yield started
    reason = "completed"
    try:
        for message in trainer.run():
            yield message
            if isinstance(message, RunFailed):
                return
    except Cancelled:
        reason = trainer.control.stop_reason
    except Exception as exc:  # noqa: BLE001 - the run folder keeps what was saved; the person gets one sentence
        with contextlib.suppress(Exception):
            trainer.flush()
        yield RunFailed(user_message(exc, "Training stopped with an error"), trainer.step, trainer._dir())
        return
    if reason != "completed":
        # Keep what was learned so far: a stopped run can be evaluated, exported or resumed.
        trainer.flush(trainer.completed_epochs)
    if trainer.run_dir is not None:
        summary = {
            "reason": reason,
            "step": trainer.step,
            "clean_accuracy": trainer.clean,
            "robust_accuracy": trainer.robust,
            "robust_attack": "pgd",
            "eps": trainer.config.attack.eps,
            "eval_steps": trainer.config.train.eval_steps,
        }
        if trainer.config.train.method == "ibp":
            summary["certified_accuracy"] = trainer.certified
        if trainer.warnings:
            summary["warnings"] = [{"kind": w.kind, "epoch": w.epoch, "message": w.message} for w in trainer.warnings]
        runs.write_json(trainer.run_dir / runs.SUMMARY_FILE, summary)
    yield RunFinished(reason, trainer.step, trainer.clean, trainer.robust, trainer._dir())
