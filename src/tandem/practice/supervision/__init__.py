"""Supervision advice that reaches the worker: agreed actions, and what a presenter reads."""
