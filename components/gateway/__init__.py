"""Labs 9–12 and 15: gateway and TLS, traffic policies, root trust, virtual destinations and
failover, the external service. Each lab behind its feature flag. Imports from `apps`, `platform`
and `core`.
"""
