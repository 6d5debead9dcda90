"""advisor: where to run AI inference, decided from the inference field guide's rules."""

__version__ = "0.1.0"
