"""Renderers: terminal tables (rich), JSON/YAML/CSV, the PDF memo, the TUI."""
