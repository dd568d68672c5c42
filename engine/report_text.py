"""The words of the HTML reports (engine.report) in each language the window offers.

English is the source: a text is looked up by its English wording, exactly as the English report shows it,
and placeholders such as {name} are filled with ``str.format`` after the lookup (the caller escapes the
values it puts into HTML). A text with no translation is shown in English, so English reports are what
they always were. The engine never imports Qt, so this is plain Python rather than the window's .ts
catalogue, but it keeps that catalogue's terms (对抗样本, 稳健准确率, 干净准确率, 攻击, 被骗 …). Proper
names (FGSM, PGD, CW, DeepFool, CSV, ε, λ) and the run's own values (names, identifiers such as
"small-cnn", numbers) stay as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Whole sentences of engine.sanity (English there), matched and re-made in the report's language.
SANITY_SENTENCES = (
    "At ε = {eps} PGD brings accuracy down to {accuracy}, as it should.",
    "At ε = {eps} accuracy is still {accuracy} under PGD: the attack cannot follow the gradients "
    "(a sign of gradient masking).",
    "More PGD steps or restarts raised robust accuracy ({before} → {after}): the attack is unstable, "
    "a sign of randomised or shattered gradients.",
    "More PGD steps or restarts lowered robust accuracy ({before} → {after}): PGD-{steps} had not converged, "
    "so its number is too optimistic.",
    "4× the steps and 3 restarts leave robust accuracy at {after} (PGD-{steps}: {before}): the attack has converged.",
    "Neither noise nor PGD changes accuracy at ε = {eps}; nothing to compare (see the large-ε check).",
    "PGD ({pgd}) is much stronger than random noise ({noise}) of the same size, as it should be.",
    "Random noise ({noise}) is nearly as strong as PGD ({pgd}): the gradients do not help the attack "
    "(gradient masking).",
    "Examples made on another model ({transfer}) beat the white-box attack on this one ({white}): "
    "its gradients are masked.",
    "The transfer attack ({transfer}) is weaker than the white-box attack ({white}), as it should be.",
    "One-step FGSM ({fgsm}) beats PGD ({pgd}): the iterative attack is being misled (gradient masking).",
    "FGSM leaves {fgsm} but PGD only {pgd}: the model resists the one-step attack but not a real one "
    "({why}; a masking sign).",
    "FGSM ({fgsm}) and PGD ({pgd}) agree as expected.",
)

ZH_CN: dict[str, str] = {
    # -------------------------------------------------------------- titles, headings and paragraphs
    "Run {name}": "运行记录 {name}",
    "Comparison of {n} runs": "{n} 次运行的比较",
    "Settings": "设置",
    "Summary": "结果",
    "Robust accuracy": "稳健准确率",
    "Clean accuracy {accuracy}% on {n} images. CW and DeepFool are not ε-bounded: their accuracy at ε "
    "counts only examples whose perturbation norm is at most ε.": "在 {n} 张图像上的干净准确率为 {accuracy}%。"
    "CW 和 DeepFool 不受 ε 的限制：计算它们在 ε 处的准确率时，只有改动大小（范数）不超过 ε 的样本才算被骗。",
    "Sanity checks": "可信度检查",
    "Robustness against accuracy": "稳健性与准确率",
    "One point per run: further right is more accurate on clean images, higher is more accurate under "
    "attack.": "每次运行是一个点：越靠右，在干净图像上越准确；越靠上，受攻击时越准确。",
    "Transferability": "迁移性",
    "Rows: model the examples were made on; columns: model evaluated. The diagonal is white-box robust "
    "accuracy.": "行：生成对抗样本所用的模型；列：被测试的模型。对角线是白盒稳健准确率。",
    "Adversarial examples ({attack}, ε = {eps})": "对抗样本（{attack}，ε = {eps}）",
    "Each sample: original | the change, amplified ×{amp} (red: brighter, blue: darker, white: unchanged; "
    "the same amplification at every ε, so a stronger attack looks stronger) | attacked image. The window's "
    "gallery draws them the same way.": "每个样本：原图 | 改动，放大 ×{amp}（红色：变亮，蓝色：变暗，白色："
    "没有改动；任何 ε 下都放大同样的倍数，所以越强的攻击看起来越明显）| 攻击后的图。窗口中的图库也是这样画的。",
    "Files: {png} (grid), {npy} (adversarial images as N×C×H×W float32).": "文件：{png}（网格图），"
    "{npy}（对抗样本图像，N×C×H×W 的 32 位浮点数组）。",
    "Every number: {csv}.": "所有数字都在 {csv} 中。",
    # -------------------------------------------------------------- table headers and cells
    "setting": "设置项",
    "value": "值",
    "figure": "指标",
    "attack": "攻击",
    "median L∞": "L∞ 中位数",
    "median L2": "L2 中位数",
    "seconds": "秒",
    "made on \\ evaluated on": "生成样本的模型 \\ 被测试的模型",
    "n/a": "无",
    "True": "是",
    "False": "否",
    "pass": "通过",
    "warning": "警告",
    "skipped": "跳过",
    ": ": "：",  # after a sanity check's name
    # -------------------------------------------------------------- plots: titles, axes, legends
    "Accuracy against ε": "准确率随 ε 的变化",
    "accuracy": "准确率",
    "Trade-off: clean against robust accuracy": "权衡：干净准确率与稳健准确率",
    "clean accuracy": "干净准确率",
    "robust accuracy": "稳健准确率",
    "Training loss": "训练损失",
    "Held-out accuracy per epoch": "每轮的留出集准确率",
    "Clean accuracy per epoch": "每轮的干净准确率",
    "Robust accuracy per epoch": "每轮的稳健准确率",
    "Training loss (total) per step": "每步的训练损失（总计）",
    "step": "训练步",
    "epoch": "轮",
    "total": "总计",
    "clean": "干净",
    "adv": "对抗",
    "robust": "稳健",
    # -------------------------------------------------------------- gallery
    "original": "原图",
    "change": "改动",
    "adversarial": "攻击后的图",
    "true {true}: {clean} → {adv}": "真实类别 {true}：攻击前 {clean} → 攻击后 {adv}",
    # -------------------------------------------------------------- settings of a run (engine.config keys)
    "data.name": "数据集",
    "data.data_dir": "数据文件夹",
    "data.image_size": "图像尺寸（像素）",
    "data.holdout_fraction": "留出集比例",
    "data.limit_train": "训练图像数上限",
    "data.limit_holdout": "留出图像数上限",
    "data.download": "缺少文件时下载",
    "model.name": "模型",
    "model.dropout": "随机失活比例",
    "attack.name": "训练用的攻击",
    "attack.eps": "ε（攻击强度）",
    "attack.steps": "攻击步数",
    "attack.step_size": "步长",
    "attack.restarts": "重启次数",
    "attack.norm": "范数",
    "attack.seed": "攻击的随机种子",
    "attack.min_norm_steps": "最小改动攻击的步数",
    "attack.cw_c": "CW 的常数 c",
    "attack.cw_lr": "CW 的学习率",
    "attack.n_queries": "查询次数",
    "augment.rotation": "旋转（度）",
    "augment.shift": "平移",
    "augment.hflip": "镜像",
    "augment.crop_padding": "裁剪前的填充（像素）",
    "augment.noise_std": "噪声强度",
    "regularization.l1": "L1 惩罚",
    "regularization.l2": "L2 惩罚",
    "train.epochs": "轮数",
    "train.batch_size": "批大小",
    "train.lr": "学习率",
    "train.optimizer": "优化器",
    "train.lr_schedule": "学习率计划",
    "train.lam": "λ（被攻击图像的权重）",
    "train.seed": "随机种子",
    "train.device": "设备",
    "train.gallery_every": "图库刷新间隔（步）",
    "train.gallery_seconds": "图库刷新间隔（秒）",
    "train.gallery_size": "图库图像数",
    "train.eval_steps": "每轮检查的 PGD 步数",
    "train.eval_size": "每轮检查的图像数",
    "train.threads": "CPU 线程数",
    "train.method": "训练方法",
    "train.kappa_start": "κ 起始值（干净损失的权重）",
    "train.kappa_end": "κ 结束值",
    "train.eps_warmup": "ε 为 0 的预热阶段（占全部步数的比例）",
    "train.eps_ramp": "ε 逐渐增大的阶段（占全部步数的比例）",
    # -------------------------------------------------------------- figures and settings of runs, evaluations
    "reason": "结束方式",
    "status": "状态",
    "clean_accuracy": "干净准确率",
    "robust_accuracy": "稳健准确率",
    "certified_accuracy": "可证明的准确率",
    "robust_attack": "稳健准确率所用的攻击",
    "eval_steps": "每轮检查的 PGD 步数",
    "dataset": "数据集",
    "model": "模型",
    "lambda": "λ",
    "eps": "ε",
    "n": "图像数",
    "primary_attack": "主要攻击",
    "suite": "攻击方式",
    "eps_list": "ε 的取值",
    "seed": "随机种子",
    "device": "设备",
    "transfer_from": "迁移攻击的来源模型",
    "completed": "已完成",
    "stopped": "已停止",
    "interrupted": "已中断",
    "unfinished": "未完成",
    "finished": "已结束",
    "failed": "失败",
    # -------------------------------------------------------------- sanity checks (engine.sanity)
    "large_eps": "很大的 ε",
    "more_iterations": "更多步数和重启",
    "noise_vs_pgd": "随机噪声与 PGD",
    "transfer": "迁移攻击",
    "fgsm_vs_pgd": "FGSM 与 PGD",
    "limit": "上限",
    "steps": "步数",
    "accuracy_4x_steps": "4 倍步数时的准确率",
    "accuracy_3_restarts": "3 次重启时的准确率",
    "noise_accuracy": "噪声下的准确率",
    "pgd_accuracy": "PGD 下的准确率",
    "fgsm_accuracy": "FGSM 下的准确率",
    "whitebox_accuracy": "白盒准确率",
    "transfer_accuracy": "迁移准确率",
    SANITY_SENTENCES[0]: "在 ε = {eps} 时，PGD 把准确率降到了 {accuracy}，符合预期。",
    SANITY_SENTENCES[1]: "在 ε = {eps} 时，PGD 攻击下准确率仍有 {accuracy}：攻击无法沿着梯度进行（梯度掩蔽的迹象）。",
    SANITY_SENTENCES[2]: "更多的 PGD 步数或重启反而提高了稳健准确率（{before} → {after}）：攻击不稳定，"
    "这是梯度被随机化或被打碎的迹象。",
    SANITY_SENTENCES[3]: "更多的 PGD 步数或重启降低了稳健准确率（{before} → {after}）：PGD-{steps} 还没有收敛，"
    "所以它给出的数字过于乐观。",
    SANITY_SENTENCES[4]: "用 4 倍步数和 3 次重启后，稳健准确率为 {after}（PGD-{steps}：{before}）：攻击已经收敛。",
    SANITY_SENTENCES[5]: "在 ε = {eps} 时，噪声和 PGD 都没有改变准确率；无从比较（见很大的 ε 那项检查）。",
    SANITY_SENTENCES[6]: "PGD（{pgd}）比同样大小的随机噪声（{noise}）强得多，符合预期。",
    SANITY_SENTENCES[7]: "随机噪声（{noise}）几乎和 PGD（{pgd}）一样强：梯度对攻击没有帮助（梯度掩蔽）。",
    SANITY_SENTENCES[8]: "在另一个模型上生成的样本（{transfer}）比对这个模型的白盒攻击（{white}）更有效："
    "它的梯度被掩蔽了。",
    SANITY_SENTENCES[9]: "迁移攻击（{transfer}）比白盒攻击（{white}）弱，符合预期。",
    SANITY_SENTENCES[10]: "一步的 FGSM（{fgsm}）胜过了 PGD（{pgd}）：迭代攻击被误导了（梯度掩蔽）。",
    SANITY_SENTENCES[11]: "FGSM 后还剩 {fgsm}，PGD 后只剩 {pgd}：模型挡住了一步攻击，却挡不住真正的攻击"
    "（{why}；这是掩蔽的迹象）。",
    SANITY_SENTENCES[12]: "FGSM（{fgsm}）与 PGD（{pgd}）的结果相符，符合预期。",
    "Not run: no other model was given to transfer attacks from.": "未运行：没有提供可以迁移攻击的其他模型。",
    "catastrophic overfitting to the one-step training attack": "对训练时所用一步攻击的灾难性过拟合",
    "the gradient at the clean image points the wrong way": "干净图像处的梯度指错了方向",
}

CATALOGUES: dict[str, dict[str, str]] = {"zh_CN": ZH_CN}
HTML_LANG = {"zh_CN": "zh-CN"}


def _normal(language: str) -> str:
    return str(language or "en").replace("-", "_")


def t(language: str, text: str, /, **fields: object) -> str:
    """``text`` (the English wording) in ``language``, its {placeholders} filled with ``fields``."""
    translated = CATALOGUES.get(_normal(language), {}).get(text, text)
    return translated.format(**fields) if fields else translated


def html_lang(language: str) -> str | None:
    """The value of ``<html lang>`` for a report in ``language``; None for English (no attribute)."""
    return HTML_LANG.get(_normal(language))


@lru_cache(maxsize=64)
def _template_regex(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name, …
    regex = "".join(f"(?P<{piece}>.+?)" if i % 2 else re.escape(piece) for i, piece in enumerate(pieces))
    return re.compile(regex + r"\Z", re.DOTALL)


def sentence(language: str, text: str) -> str:
    """An English sentence made by the engine from one of ``SANITY_SENTENCES`` (or a fixed one in the
    catalogue), re-made in ``language``; its filled-in values are translated where the catalogue knows
    them. A sentence that matches nothing is kept as it is."""
    catalogue = CATALOGUES.get(_normal(language))
    if not catalogue:
        return text
    if text in catalogue:
        return catalogue[text]
    for template in SANITY_SENTENCES:
        match = _template_regex(template).match(text)
        if match is not None:
            return t(language, template, **{k: t(language, v) for k, v in match.groupdict().items()})
    return text


def setting_label(language: str, key: str, parts: tuple[str, ...]) -> str:
    """The name a settings or figures table shows for a flattened key (``parts`` joined is ``key``): the
    key itself in English; otherwise its translation, or else each part translated where the catalogue
    knows it (a run's name stays), joined with " · ". "name (detail)" keeps its detail."""
    catalogue = CATALOGUES.get(_normal(language))
    if not catalogue:
        return key
    if key in catalogue:
        return catalogue[key]

    def part(p: str) -> str:
        head, sep, tail = p.partition(" (")
        return catalogue.get(p, catalogue.get(head, head) + (f" ({tail}" if sep else ""))

    return " · ".join(part(p) for p in parts)
