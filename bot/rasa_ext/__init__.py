"""Rasa-side extensions loaded by the Rasa server from endpoints.yml and config.yml."""
