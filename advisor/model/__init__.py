"""Pydantic models: the questionnaire (input), the catalog, and the assessment (output)."""
