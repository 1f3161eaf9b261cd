"""What every part of the program stands on: config → `Settings`, the feature table, constants,
the typed Gloo/Istio CRD layer, the cross-lab plan, clusters and their providers, Helm releases,
workloads, and the `Target` a Gloo object is applied to. Pure or near-pure. Imports nothing of the
program's other packages.
"""
