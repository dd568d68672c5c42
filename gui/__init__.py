"""PySide6 desktop window of Robustness Lab. The engine never imports this package."""
