"""Advise: evidence-based pore care from an analysis and a profile.

:mod:`.knowledge` (the shipped, cited facts about actives and combinations),
:mod:`.ingredients` (reading a label), :mod:`.profile` (the person) and
:mod:`.routine` (a morning and evening routine with reasons and sources).
"""
