"""The training objectives beside the seed's L_clean + λ·L_adv: TRADES and MART, as pure functions of logits.

Kept apart from the trainer so that they can be checked against an independent implementation (ART's
TRADES trainer, tests/engine/test_objectives.py) on the same logits, and so that the trainer's step stays
"make x', compute the objective, descend".

- TRADES (Zhang et al. 2019): CE(f(x), y) + β·KL(p(x) ‖ p(x')), the KL summed over classes and averaged
  over the batch (the authors' ``KLDivLoss(size_average=False) / batch_size``); x' maximises that KL
  (``engine.attacks.kl_pgd``).
- MART (Wang et al. 2020): BCE(f(x'), y) + β·mean_i[KL(p(x_i) ‖ p(x'_i))·(1 − p_y(x_i))], where the boosted
  cross-entropy BCE adds −log(1 − max_{k≠y} p_k(x')) to the cross-entropy on x' (the small constants are
  the authors' code's, so that the numbers match theirs).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def trades_kl(logits_clean: torch.Tensor, logits_adv: torch.Tensor) -> torch.Tensor:
    """KL(p(x) ‖ p(x')) summed over classes, averaged over the batch: TRADES's robustness term."""
    return F.kl_div(F.log_softmax(logits_adv, dim=1), F.softmax(logits_clean, dim=1), reduction="batchmean")


def trades_terms(
    logits_clean: torch.Tensor, logits_adv: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(CE(f(x), y), KL term): TRADES's objective is the first plus β times the second."""
    return F.cross_entropy(logits_clean, y), trades_kl(logits_clean, logits_adv)


def mart_terms(
    logits_clean: torch.Tensor, logits_adv: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(boosted CE on x', KL weighted by 1 − p_y(x)): MART's objective is the first plus β times the second."""
    adv_probs = F.softmax(logits_adv, dim=1)
    top2 = torch.argsort(adv_probs, dim=1)[:, -2:]
    runner_up = torch.where(top2[:, -1] == y, top2[:, -2], top2[:, -1])  # the most likely wrong class
    boosted = F.cross_entropy(logits_adv, y) + F.nll_loss(torch.log(1.0001 - adv_probs + 1e-12), runner_up)
    nat_probs = F.softmax(logits_clean, dim=1)
    true_probs = nat_probs.gather(1, y[:, None]).squeeze(1)
    kl = F.kl_div(torch.log(adv_probs + 1e-12), nat_probs, reduction="none").sum(1)
    return boosted, (kl * (1.0000001 - true_probs)).mean()
