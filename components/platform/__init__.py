"""Labs 1–3: the management plane, each workload cluster's registration and agent, and Istio
through Gloo's lifecycle managers; `build.Platform` is what every later lab builds on.
Imports only from `core`.
"""
