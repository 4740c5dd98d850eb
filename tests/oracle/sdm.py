"""Known qemu-system-i386 (TCG, 7.2) defects: models of the SDM behaviour.

classify(rec, mode, qemu, amber) returns a defect id from README.md when the
disagreement is explained by a known qemu defect AND amber's result equals
the Intel SDM's; otherwise None (a real disagreement: amber must be fixed,
or a new qemu defect must be documented here with its SDM section).
"""
import gen


def classify(rec, mode, q, a):
    return None
