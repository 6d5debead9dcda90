"""The rule engine: YAML rule sets compiled to durable-rules, behind one adapter."""
