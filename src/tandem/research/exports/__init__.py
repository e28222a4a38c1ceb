"""Exports of a study's de-identified data set: asked for, built in the background, downloaded."""
