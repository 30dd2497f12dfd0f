"""Compatibility path: the pore stages live in :mod:`porescope.measure.pores`."""
