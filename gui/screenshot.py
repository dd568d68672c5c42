"""Launch the real default window (as a first launch: Start panel open, the shipped model attacked), set
the knobs for adversarial training as a person would, train on the built-in digits, turn ε and λ mid-run,
and save a screenshot while it trains (the gallery refreshes every couple of seconds by itself).

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \
        python -m gui.screenshot resources/screenshots/main-window.png \
        --presentation resources/screenshots/presentation-training.png \
        --robustness resources/screenshots/robustness.png --runs resources/screenshots/runs.png
    ... python -m gui.screenshot resources/screenshots/main-window-zh_CN.png --language zh_CN
    ... python -m gui.screenshot /tmp/window.png --epochs 1 --sample resources/screenshots/saliency.png

Settings and the run folder go to a temporary directory, so the user's own are untouched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="PNG file to write")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--epochs", type=int, default=6, help="epochs to train before the picture")
    parser.add_argument("--timeout", type=float, default=240.0, help="give up after this many seconds")
    parser.add_argument("--robustness", type=Path, help="also save the robustness tab (after training) here")
    parser.add_argument("--critical", type=Path, help="with --robustness: also save its critical-ε histogram here")
    parser.add_argument(
        "--critical-gallery",
        type=Path,
        help="with --critical: also press 'Show them in the gallery' and save the Training tab's gallery here",
    )
    parser.add_argument("--runs", type=Path, help="also run a λ sweep (0, 0.25, 0.5, 1) and save the Runs tab here")
    parser.add_argument(
        "--seed-grid",
        type=Path,
        help="also train a seeded grid (λ 0, 0.25, 0.5, 1 × seeds 0, 1, 2, with main.py sweep in its own process) "
        "and save the Runs tab's trade-off plot with its error bars here",
    )
    parser.add_argument("--presentation", type=Path, help="also press F11 during the run and save that here")
    parser.add_argument(
        "--sample", type=Path, help="also open the first attacked digit's saliency maps (before training) and save it"
    )
    parser.add_argument("--sample-index", type=int, default=0, help="which gallery sample --sample opens")
    parser.add_argument("--language", default="en", help="en or zh_CN")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from engine.messages import ConfigApplied, EpochMetrics, StepMetrics
    from gui import i18n
    from gui.app import create_application, create_main_window

    _app = create_application([sys.argv[0]])  # kept alive until main returns
    tmp = Path(tempfile.mkdtemp(prefix="robustness-lab-shot-"))
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    i18n.set_language(settings, args.language)
    window = create_main_window(settings, runs_root=tmp / "runs")  # a first launch: the default window
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.fit_to_screen()
    window.show()
    seen = {"step": 0, "epochs": 0, "applied": 0}

    def on_message(msg: object) -> None:
        if isinstance(msg, StepMetrics):
            seen["step"] = msg.step
        elif isinstance(msg, EpochMetrics):
            seen["epochs"] += 1
        elif isinstance(msg, ConfigApplied) and msg.changes:
            seen["applied"] += 1

    window.controller.message.connect(on_message)

    def spin(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def wait_for(condition, what: str) -> None:
        deadline = time.monotonic() + args.timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            spin(0.05)

    wait_for(lambda: window.gallery.batch is not None, "the shipped model's attacked digits")
    if args.sample:
        dialog = window.gallery.open_sample(args.sample_index)
        assert dialog is not None
        dialog.tabs.setCurrentWidget(dialog.saliency)
        wait_for(lambda: dialog.saliency.explanation is not None, "the saliency maps")
        spin(0.4)
        args.sample.parent.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(args.sample))
        print(f"saved {args.sample}")
        dialog.close()
    # What a person does next: adversarial training from the shipped model's settings (gallery_every 0:
    # the gallery still refreshes by itself, every train.gallery_seconds).
    config = window.build_config().with_changes(
        {"train.epochs": 40, "train.lam": 1.0, "attack.name": "fgsm-rs", "attack.eps": 8 / 255}
    )
    window.set_base_config(config)
    window.train()
    wait_for(lambda: seen["epochs"] >= 2, "two epochs")
    window.knobs.eps.slider.setValue(16)  # as a user would drag it: 16/255
    wait_for(lambda: seen["applied"] >= 1, "the engine to apply ε")
    wait_for(lambda: seen["epochs"] >= 4, "four epochs")
    window.knobs.lam.slider.setValue(window.knobs.lam.position_of(2.0))
    wait_for(lambda: seen["applied"] >= 2, "the engine to apply λ")
    wait_for(lambda: seen["epochs"] >= args.epochs and window.gallery.batch is not None, "the gallery")
    spin(0.8)  # let the 30 Hz redraw and the gallery throttle catch up
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.output)):
        raise SystemExit(f"could not write {args.output}")
    print(f"saved {args.output} at step {seen['step']}, epoch {seen['epochs']}")
    if args.presentation:
        window.demo.set_presentation(True)  # F11 during the run
        spin(2.6)  # a new gallery and more of the curves
        window.grab().save(str(args.presentation))
        print(f"saved {args.presentation} at step {seen['step']}")
        window.demo.set_presentation(False)

    if args.robustness:
        window.controller.stop()
        wait_for(lambda: window.controller.state == "idle", "the run to stop")
        view = window.robustness
        window.tabs.setCurrentWidget(view)
        view.points.setValue(9)
        view.images.setValue(300)
        done: list[object] = []
        window.controller.sanityReady.connect(done.append)
        window.controller.certifiedReady.connect(done.append)
        window.controller.certifyFailed.connect(done.append)
        view.request_run()
        wait_for(lambda: len(done) >= 2, "the robustness curves, certified curve and sanity checks")
        spin(0.5)
        window.grab().save(str(args.robustness))
        print(f"saved {args.robustness}")
        if args.critical:
            view.plots.setCurrentWidget(view.critical_view)
            spin(0.4)
            window.grab().save(str(args.critical))
            print(f"saved {args.critical}")
            if args.critical_gallery:
                before = window.gallery.batch
                view.critical_view.gallery_button.click()
                wait_for(lambda: window.gallery.batch is not before, "the gallery of the digits that fall first")
                spin(0.5)
                window.grab().save(str(args.critical_gallery))
                print(f"saved {args.critical_gallery}")
                window.tabs.setCurrentWidget(view)
            view.plots.setCurrentWidget(view.plot)
    if args.runs:
        window.controller.stop()
        wait_for(lambda: window.controller.state == "idle", "the run to stop")
        sweep_root = tmp / "sweep"  # only the sweep's runs on the trade-off plot
        window.controller.runs_root = window.runs_browser.root = sweep_root
        sweep = config.with_changes({"train.epochs": 10, "train.lr": 3e-3, "attack.eps": 0.2, "train.lam": 0.0})
        window.experiment.show_config(sweep)
        window.knobs.show_config(sweep)
        browser = window.runs_browser
        window.tabs.setCurrentWidget(browser)
        browser.lambdas.setText("0, 0.25, 0.5, 1")
        browser.sweep_button.click()
        wait_for(lambda: browser.sweep_button.isEnabled() and window.controller.state == "idle", "the λ sweep")
        browser.refresh()
        browser.select_runs([s.name for s in browser.summaries])
        spin(0.5)
        window.grab().save(str(args.runs))
        print(f"saved {args.runs}")
    if args.seed_grid:
        grid_root = tmp / "seed-grid"  # the engine trains it (main.py sweep); the window only reads the folders
        command = [sys.executable, str(Path(__file__).resolve().parents[1] / "main.py"), "sweep", "--quiet"]
        command += ["--epochs", "10", "--lr", "0.003", "--eps", "0.2", "--lambda", "0,0.25,0.5,1", "--seeds", "0,1,2"]
        subprocess.run([*command, "--out", str(grid_root / "grid")], check=True, stdout=subprocess.DEVNULL)
        window.controller.stop()
        wait_for(lambda: window.controller.state == "idle", "the run to stop")
        browser = window.runs_browser
        window.controller.runs_root = browser.root = grid_root
        window.tabs.setCurrentWidget(browser)
        browser.refresh()
        spin(0.5)
        window.grab().save(str(args.seed_grid))
        print(f"saved {args.seed_grid}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
