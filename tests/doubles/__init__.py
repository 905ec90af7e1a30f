"""Test doubles of outside services, speaking their real protocols over HTTP."""
